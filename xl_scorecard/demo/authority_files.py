"""The authority-wide files of an example: example England and neighbour figures, typed figures
and the authority configuration."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from xl_scorecard.demo.common import AUTHORITY, CURRENT, DISTRICTS, MONTHS, Era, national_names, write_csv, write_xlsx


def toml_value(value: object) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


# England and statistical-neighbour figures for the default catalogue, in the shape of DfE's
# Explore Education Statistics tidy CSV files (one per indicator, as a "create your own table"
# download gives them). MADE UP for the demo: near the published national levels, not DfE's
# figures. Indicator -> (measure column, England, spread between authorities). Local measures
# (visits, reviews, allocation, supervision, early help) have no national figure.
EXAMPLE_COMPARATORS: dict[str, tuple[str, float, float]] = {
    "REFERRALS_RATE": ("referrals_rate_per_10000", 536.9, 80.0),
    "REFERRALS_NFA": ("referrals_nfa_percent", 7.4, 2.0),
    "ASSESSMENTS_RATE": ("assessments_rate_per_10000", 535.0, 80.0),
    "S47_RATE": ("s47_rate_per_10000", 176.0, 40.0),
    "ICPC_RATE": ("icpc_rate_per_10000", 66.0, 15.0),
    "CIN_RATE": ("cin_rate_per_10000", 332.0, 40.0),
    "CP_RATE": ("cpp_rate_per_10000", 40.2, 8.0),
    "CLA_RATE": ("cla_rate_per_10000", 70.0, 12.0),
    "ASSESS_45WD": ("assessments_within_45_days_percent", 84.0, 6.0),
    "ICPC_15WD": ("icpc_within_15_days_percent", 78.0, 8.0),
    "ADOPTION_A10": ("a10_average_days", 480.0, 50.0),
    "ADOPTION_A2": ("a2_average_days", 190.0, 30.0),
    "REREFERRALS": ("rereferrals_percent", 22.4, 3.0),
    "REPEAT_CP": ("second_or_subsequent_cpp_percent", 23.6, 3.0),
    "CP_2YEARS": ("cpp_ended_2_years_percent", 3.9, 1.2),
    "CLA_3_PLACEMENTS": ("three_plus_placements_percent", 10.0, 1.5),
    "CLA_LONG_TERM_STABILITY": ("long_term_stability_percent", 70.0, 5.0),
    "CLA_ADOPTED": ("ceased_adopted_percent", 9.0, 2.0),
    "CARE_LEAVERS_EET": ("care_leavers_eet_percent", 56.0, 6.0),
    "CARE_LEAVERS_SUITABLE": ("care_leavers_suitable_accommodation_percent", 88.0, 4.0),
    "CASELOAD": ("average_caseload", 16.3, 2.0),
    "AGENCY_FTE": ("agency_rate_percent", 17.6, 5.0),
    "VACANCY_RATE": ("vacancy_rate_percent", 19.5, 5.0),
}
COMPARATORS_FOLDER = "Comparators - EXAMPLE figures not from DfE"
COMPARATORS_NOTE = "EXAMPLE figures made up for this demonstration (in the shape of DfE's published files), not DfE's figures."
NEIGHBOURS = 10


def write_comparators(out: Path, seed: int, name: str) -> tuple[list[dict], list[str]]:
    """The example comparator files; returns their [[source]] entries and the neighbours' names."""
    rng = np.random.default_rng(seed + 31)
    folder = out / COMPARATORS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    neighbours = [n for n in national_names() if n != name][:NEIGHBOURS]
    sources = []
    for indicator, (measure, england, spread) in EXAMPLE_COMPARATORS.items():
        rows = [
            {
                "time_period": "202425",
                "time_identifier": "Reporting year",
                "geographic_level": "National",
                "country_name": "England",
                "region_name": "",
                "la_name": "",
                "new_la_code": "",
                measure: f"{england:g}",
            }
        ]
        for number, la in enumerate(neighbours):
            value = "c" if number == NEIGHBOURS - 1 and "percent" in measure else f"{max(0.0, england + rng.normal(0, spread)):.1f}"
            rows.append(
                {
                    "time_period": "202425",
                    "time_identifier": "Reporting year",
                    "geographic_level": "Local authority",
                    "country_name": "England",
                    "region_name": "Example region",
                    "la_name": la,
                    "new_la_code": f"E{10000001 + number}",
                    measure: value,
                }
            )
        file = f"{measure}.csv"
        write_csv(folder / file, pd.DataFrame(rows), "utf-8")
        sources.append(
            {"dataset": "comparators", "indicator": indicator, "file": f"{COMPARATORS_FOLDER}/{file}", "headers": {"value": [measure]}}
        )
    return sources, neighbours


def write_typed_figures(out: Path, preset: str, era: Era, seed: int) -> list[dict]:
    """The figures staff type for a preset's indicators that no list feeds (case audits, health
    checks...): one row per district and month, a share as numerator and denominator, a count
    or score as a value, near the preset's target. Returns the [[source]] entry (none needed
    when the preset types nothing)."""
    from xl_scorecard.indicators.catalogue import load_catalogue, shipped_catalogue

    typed = [i for i in load_catalogue(shipped_catalogue(preset)) if i.calculation.get("name") == "typed_figure"]
    if not typed:
        return []
    rng = np.random.default_rng(seed + 53)
    rows = []
    month = era.end.shift(-(MONTHS - 1))
    while month <= era.end:
        for d in DISTRICTS:
            for ind in typed:
                target = ind.target or 0.0
                row = {
                    "Indicator": ind.id,
                    "District": d.name,
                    "Month": month.last_day,
                    "Numerator": None,
                    "Denominator": None,
                    "Value": None,
                }
                if ind.unit == "%":
                    denominator = int(rng.integers(30, 120))
                    share = min(1.0, max(0.0, rng.normal(target, 0.05)))
                    row.update(Numerator=round(denominator * share), Denominator=denominator)
                elif target == 0:
                    row["Value"] = int(rng.choice([0, 0, 0, 1]))
                else:
                    row["Value"] = max(0, round(rng.normal(target, max(1.0, target * 0.08))))
                rows.append(row)
        month = month.shift(1)
    write_xlsx(
        out / "Typed figures.xlsx", [("Figures", ["Figures typed by the performance team each month", ""], pd.DataFrame(rows))], False
    )
    return [{"dataset": "figures", "file": "Typed figures.xlsx", "sheet": "Figures"}]


def config_text(
    sources: list[dict],
    master: str = "master.xlsx",
    name: str = AUTHORITY,
    era: Era = CURRENT,
    preset: str | None = None,
    neighbours: list[str] | None = None,
) -> str:
    """The authority configuration for the generated files (TOML)."""
    lines = [
        f"# {name} (fictional): written by `xl-scorecard demo`; edit and rerun with",
        "#   xl-scorecard refresh --config authority.toml",
        "",
        "[authority]",
        f'name = "{name}"',
        f'period = "{era.end}"',
        f'master = "{master}"',
        "backups = 10",
    ]
    if preset:
        lines += [f"# The {preset} preset's indicators, shown in the layout the preset names.", f'catalogue = "{preset}"']
    if neighbours:
        lines += [
            "# Statistical neighbours (DfE la_name) for the comparator files below, and what those files are.",
            f"neighbours = {toml_value(neighbours)}",
            f"comparators_note = {toml_value(COMPARATORS_NOTE)}",
        ]
    lines.append("")
    for d in DISTRICTS:
        lines += ["[[district]]", f'code = "{d.code}"', f'name = "{d.name}"', ""]
    lines += ["[[source]]", 'dataset = "population"', 'file = "population.csv"', ""]
    for source in sources:
        lines.append("[[source]]")
        lines += [f"{key} = {toml_value(value)}" for key, value in source.items()]
        lines.append("")
    domain = name.lower().replace(" ", "") + ".example"
    lines += [
        "[email]",
        "# Who gets the scorecard (xl-scorecard email, or refresh --email). A login, if the mail server",
        "# needs one, comes from the XL_SCORECARD_SMTP_USER and XL_SCORECARD_SMTP_PASSWORD variables.",
        f'sender = "performance@{domain}"',
        f'to = ["head.of.service@{domain}"]',
        f'smtp_host = "smtp.{domain}"',
        "",
        "[email.districts]",
        *[f'{d.code} = ["{d.name.lower()}.manager@{domain}"]' for d in DISTRICTS],
        "",
    ]
    return "\n".join(lines)
