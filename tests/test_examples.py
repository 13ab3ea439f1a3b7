"""The committed example set is exactly what the generator makes, and stays small."""

from __future__ import annotations

from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "examples" / "northshire"


def files(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.name != "master.xlsx" and "backups" not in p.parts
    )


def contents(path: Path):
    if path.suffix == ".xlsx":
        book = CalamineWorkbook.from_path(str(path))
        return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}
    return path.read_bytes()


@pytest.mark.skipif(not COMMITTED.is_dir(), reason="examples/northshire not committed")
def test_committed_examples_match_the_generator(example_dir):
    assert files(COMMITTED) == files(example_dir)
    for name in files(COMMITTED):
        assert contents(COMMITTED / name) == contents(example_dir / name), f"{name} differs: run `make examples`"


def test_generator_is_deterministic(example_dir, tmp_path):
    from xl_scorecard.demo.generate import generate_example

    generate_example(tmp_path)
    for name in ("Eastbrook/EB Annex A 2026.xlsx", "Southmere/list4_assessments.csv", "population.csv", "authority.toml"):
        assert contents(tmp_path / name) == contents(example_dir / name)


def test_example_set_is_small(example_dir):
    total = sum(p.stat().st_size for p in example_dir.rglob("*") if p.is_file())
    assert total < 5 * 1024 * 1024


def test_example_data_is_realistic(demo_run):
    result, _ = demo_run
    scored = result.scored[(result.scored["area"] == "ALL")].set_index(["indicator", "period"])["value"]
    months = sorted({p for _, p in scored.index})
    assessments = [scored[("ASSESS_45WD", m)] for m in months]
    assert 0.78 < sum(assessments) / len(assessments) < 0.92  # about 85% within 45 working days
    assert 0.18 < scored[("REREFERRALS", months[-1])] < 0.30  # about 22% re-referrals
    assert 25 < scored[("CP_RATE", months[-1])] < 45  # about 35 per 10,000
