"""Install the built wheel the way a council PC would and run the product from outside the
repository: a fresh virtual environment, no editable install, no checkout on ``sys.path``.

    python .ci/install_check.py DIST_DIR [--constraints FILE]

Runs ``xl-scorecard --version``, ``demo`` (small), ``check``, ``due``, ``demo --preset kent_2012``,
``indicators --catalogue kent_2012``,
``pdf`` (when LibreOffice is here) and ``addin build``, each also as ``python -m xl_scorecard``
where it matters, and stops with exit 1 at the first command that fails. Plain Python and
pathlib so that it runs on Windows too (``py .ci\\install_check.py dist``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path


def run(command: list[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...] = (0,)) -> str:
    print("+", " ".join(command), flush=True)
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    print(done.stdout[-3000:], end="")
    if done.returncode not in ok:
        print(done.stderr, end="", file=sys.stderr)
        raise SystemExit(f"install check: '{' '.join(command)}' failed with exit code {done.returncode}")
    return done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", type=Path, help="folder holding the built wheel")
    parser.add_argument("--constraints", type=Path, help="pip constraints (e.g. the lowest allowed versions)")
    parser.add_argument("--require-pdf", action="store_true", help="fail when LibreOffice is missing instead of skipping pdf")
    args = parser.parse_args()
    wheels = sorted(args.dist.resolve().glob("xl_scorecard-*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"install check: expected one wheel in {args.dist}, found {len(wheels)}")
    work = Path(tempfile.mkdtemp(prefix="xl-scorecard-install-"))
    try:
        env_dir = work / "venv"
        venv.create(env_dir, with_pip=True)
        scripts = env_dir / ("Scripts" if os.name == "nt" else "bin")
        python = str(scripts / "python")
        # No checkout on the path: the user's folder is a fresh one, PYTHONPATH cleared.
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        user = work / "user folder"  # a space, as in "My Documents"
        user.mkdir()
        install = [python, "-m", "pip", "install", "--quiet", f"{wheels[0]}[addin]"]
        if args.constraints:
            install += ["--constraint", str(args.constraints.resolve())]
        run(install, user, env)
        cli = str(scripts / "xl-scorecard")
        version = run([cli, "--version"], user, env)
        run([python, "-m", "xl_scorecard", "--version"], user, env)
        where = run([python, "-c", "import xl_scorecard, pathlib; print(pathlib.Path(xl_scorecard.__file__).parent)"], user, env)
        if Path(where.strip()).is_relative_to(Path(__file__).resolve().parents[1]):
            raise SystemExit(f"install check: xl_scorecard was imported from the checkout ({where.strip()})")
        demo = user / "demo"
        run([cli, "demo", "--out", str(demo)], user, env)
        if not (demo / "master.xlsx").is_file():
            raise SystemExit("install check: demo wrote no master.xlsx")
        config = str(demo / "authority.toml")
        # The demo's district files carry deliberate mistakes: check reports them with exit 1
        # (data invalid); 2 would mean the run itself failed.
        run([python, "-m", "xl_scorecard", "check", "--config", config], user, env, ok=(0, 1))
        due = run([cli, "due", "--config", config], user, env)
        if "overdue" not in due or "Not checked" in due:
            raise SystemExit("install check: due counted nothing, or a clock could not run on the demo")
        kent = user / "presets"
        run([cli, "demo", "--out", str(kent), "--preset", "kent_2012"], user, env)
        if not (kent / "kent_2012" / "master.xlsx").is_file():
            raise SystemExit("install check: demo --preset kent_2012 wrote no master")
        listing = run([cli, "indicators", "--catalogue", "kent_2012"], user, env)
        if listing.count("\n") < 45:
            raise SystemExit("install check: the kent_2012 preset listed fewer than 44 indicators")
        if shutil.which("soffice"):
            pdf = user / "scorecard.pdf"
            run([cli, "pdf", "--config", config, "--out", str(pdf)], user, env)
            if not pdf.is_file() or pdf.read_bytes()[:5] != b"%PDF-":
                raise SystemExit("install check: pdf wrote no PDF")
        elif args.require_pdf:
            raise SystemExit("install check: LibreOffice (soffice) not found, and --require-pdf was given")
        else:
            print("install check: LibreOffice not found, pdf not tried")
        addin = user / "dist" / "xl-scorecard.xlam"
        run([cli, "addin", "build", "--out", str(addin)], user, env)
        if not addin.is_file():
            raise SystemExit("install check: addin build wrote no .xlam")
        print(f"install check: {version.strip()} installed from {wheels[0].name} runs outside the repository")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
