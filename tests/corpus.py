"""A corpus of real-world input shapes, written by the project (nothing copied): the headings,
codes, sheet names and structures councils' files really have, each small enough that every
figure it feeds is worked out by hand in test_real_returns.py.

- ``annex_a_workbook``: an Annex A workbook as a case system's extract leaves it: sheets named
  "List 1 - Contacts", "List 3 (Referrals)", "L4", "CP plans" and "Sheet7" (List 8, found only
  by its headings), beside a "Guidance" sheet; Standard Safeguarding Dataset camelCase headings
  on List 3, snake_case on List 4, the official 2019 headings (typo "(Y/N))" included) on
  List 8; the Yes/No spellings case systems write, the official "a)" code prefix, 903 codes
  with descriptions, fractional ages, a misspelt heading and a value no vocabulary knows.
- ``ssda903_stacked``: two yearly SSDA903 episode extracts stacked in one CSV with a YEAR
  column, the header and UASC files beside it; ``ssda903_xml``: the 2026 extract as the
  SSDA903 XML return.
- ``cin_census_xml``: a namespaced CIN census whose ICPCs are recorded on the CIN episode.
- ``quoted_csv`` and ``utf16_text``: a referrals list with an RFC 4180 quoted field (comma,
  doubled quotes, line break) late in the file, and Excel's "Unicode Text" (UTF-16, tabs).
- ``referral_history``: referrals over almost three years whose "Number of Referrals in Last
  12 Months" is filled the way the Ofsted 2019 guidance reads (the child's count on every row).
"""

from __future__ import annotations

import csv
import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl

D = dt.date


def population(folder: Path, people: int = 10_000) -> Path:
    path = folder / "population.csv"
    path.write_text(f"District,Year,Population aged 0-17\nX,2025,{people}\nX,2026,{people}\n", encoding="utf-8")
    return path


def _sheet(book: openpyxl.Workbook, name: str, headers: list[str], rows: list[list[object]]) -> None:
    sheet = book.create_sheet(name)
    sheet.append(headers)
    for row in rows:
        sheet.append(row)


def annex_a_workbook(folder: Path) -> Path:
    """The Annex A workbook described in the module docstring (period: October 2026)."""
    book = openpyxl.Workbook()
    guidance = book.active
    guidance.title = "Guidance"
    guidance.append(["This workbook holds the lists requested by Ofsted (Annex A)."])
    _sheet(
        book,
        "List 1 - Contacts",
        # "Contact Sorce" is a slip for "Contact Source": reported with the closest heading.
        ["Child Unique ID", "Gender", "Date of Contact", "Contact Sorce"],
        [["C1", "a) Male", D(2026, 5, 1), "q) 6: Police"], ["C2", "b) Female", D(2026, 6, 1), "e) 2A: Schools"]],
    )
    _sheet(
        book,
        "List 3 (Referrals)",
        [
            "ChildUniqueID",
            "Gender",
            "ReferralDate",
            "ReferralSource",
            "ReferralNFA",
            "ReferralsLast12Months",
            "AllocatedTeam",
            "AllocatedWorker",
        ],
        [
            ["R1", "a) Male", D(2026, 5, 1), "q) 6: Police", "1 - Yes", 0, "Team A", "Worker A"],
            ["R2", "b) Female", D(2026, 5, 2), "q) 6: Police", "0 - No", 0, "Team A", "Worker A"],
            ["R3", "b) Female", D(2026, 6, 1), "q) 6: Police", False, 0, "Team A", "Worker A"],
            ["R4", "b) Female", D(2026, 6, 2), "q) 6: Police", "a. Yes", 0, "Team A", "Worker A"],
            ["R5", "b) Female", D(2026, 7, 1), "q) 6: Police", "No further action", 0, "Team A", "Worker A"],
            ["R6", "b) Female", D(2026, 7, 2), "q) 6: Police", "Further action", 0, "Team A", "Worker A"],
            ["R7", "b) Female", D(2026, 8, 1), "q) 6: Police", "Maybe", 0, "Team A", "Worker A"],  # row 8: no vocabulary knows it
        ],
    )
    _sheet(
        book,
        "L4",
        [
            "child_unique_id",
            "continuous_assessment_start",
            "continuous_assessment_child_seen",
            "continuous_assessment_auth_date",
            "assessment_type",
        ],
        [
            ["A1", D(2026, 5, 1), "Seen", D(2026, 5, 20), "IA"],
            ["A2", D(2026, 6, 1), "Not seen", D(2026, 6, 10), "IA"],
            ["A3", D(2026, 7, 1), "1 - Yes", D(2026, 7, 8), "IA"],
            ["A4", D(2026, 8, 1), "c) Unknown", D(2026, 8, 9), "IA"],
        ],
    )
    _sheet(
        book,
        "CP plans",
        ["Child Unique ID", "Child Protection Plan Start Date", "Initial Category of Abuse", "Child Protection Plan End Date"],
        [
            ["K1", D(2026, 3, 1), "a) Neglect", None],  # row 2
            ["K1", D(2026, 3, 1), "a) Neglect", None],  # row 3: the same plan recorded twice
            ["K2", D(2026, 9, 1), "d) Emotional abuse", None],
            ["K3", D(2025, 1, 1), "a) Neglect", D(2026, 9, 30)],
        ],
    )
    _sheet(
        book,
        "Sheet7",
        [
            "Child Unique ID",
            "Age of Child (Years)",
            "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))",
            "Date Started to be Looked After",
            "Child's Legal Status",
            "Number of Placements in the Last 12 months",
            "Date Ceased to be Looked After",
            "Reason Ceased to be Looked After",
            "Start Date of Most Recent Placement",
            "Placement Type",
        ],
        [
            ["L1", 10.4, "Non-UASC", D(2022, 1, 1), "C2: FCO", 1, None, None, D(2023, 6, 1), "d) U4: Foster placement - long term"],
            ["L2", 12.9, "0 - No", D(2023, 1, 1), "C2: FCO", 3, None, None, D(2025, 6, 1), "d) U4: Foster placement - long term"],
            ["L3", 16.2, "UASC", D(2025, 1, 1), "V2: Single period under S20", 4, None, None, D(2025, 1, 1), "h) K2: Children's homes"],
            [
                "L4",
                5.0,
                "b) No",
                D(2020, 1, 1),
                "E1: Placement order",
                1,
                D(2026, 8, 1),
                "a) E11: Adopted - application unopposed",
                None,
                None,
            ],
            [
                "L5",
                7.0,
                "b) No",
                D(2024, 1, 1),
                "C2: FCO",
                1,
                D(2026, 6, 30),
                "Special Guardianship Order to former foster carers",
                None,
                None,
            ],
            [
                "L6",
                9.0,
                "b) No",
                D(2023, 5, 1),
                "C2: FCO",
                1,
                D(2026, 9, 15),
                "E45 - Special guardianship order made to former foster carer(s), who were/are a relative or friend",
                None,
                None,
            ],
            ["L7", 11.0, "b) No", D(2025, 2, 1), "V2", 1, D(2026, 7, 10), "E4A - Returned home as part of care planning", None, None],
            ["L8", 13.0, "b) No", D(2021, 2, 1), "C2", 1, D(2025, 12, 1), "E11", None, None],
        ],
    )
    path = folder / "Annex A extract.xlsx"
    book.save(path)
    return path


# The SSDA903 episodes of six children, as the 2025 and 2026 extracts (at 31 March) have them.
EPISODE_HEADERS = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE", "YEAR"]
EPISODES_2025 = [
    ["A", "01/05/2022", "S", "C2", "N1", "U1", "PR1", "01/09/2023", "X1", "", 2025],
    ["A", "01/09/2023", "L", "E1", "N1", "U1", "PR1", "", "", "", 2025],
    ["B", "10/01/2021", "S", "C2", "N1", "U4", "PR1", "01/10/2024", "X1", "", 2025],
    ["B", "01/10/2024", "P", "C2", "N1", "U4", "PR4", "", "", "", 2025],
    ["C", "01/02/2024", "S", "C2", "N1", "U4", "PR1", "", "", "", 2025],
    ["D", "01/03/2023", "S", "C1", "N2", "U6", "PR1", "10/01/2025", "X1", "", 2025],
    ["D", "10/01/2025", "P", "C2", "N2", "U3", "PR1", "", "", "", 2025],
]
EPISODES_2026 = [
    ["A", "01/05/2022", "S", "C2", "N1", "U1", "PR1", "01/09/2023", "X1", "", 2026],
    ["A", "01/09/2023", "L", "E1", "N1", "U1", "PR1", "", "", "", 2026],
    ["B", "10/01/2021", "S", "C2", "N1", "U4", "PR1", "01/10/2024", "X1", "", 2026],
    ["B", "01/10/2024", "P", "C2", "N1", "U4", "PR4", "01/06/2025", "X1", "CARPL", 2026],
    ["B", "01/06/2025", "P", "C2", "N1", "U5", "PR4", "01/11/2025", "X1", "CARPL", 2026],
    ["B", "01/11/2025", "P", "C2", "N1", "U6", "PR4", "", "", "", 2026],
    ["C", "01/02/2024", "S", "C2", "N1", "U4", "PR1", "15/08/2025", "E11", "", 2026],
    ["D", "01/03/2023", "S", "C1", "N2", "U6", "PR1", "10/01/2025", "X1", "", 2026],
    ["D", "10/01/2025", "P", "C2", "N2", "U3", "PR1", "30/09/2025", "E46", "", 2026],
    ["E", "01/05/2025", "S", "V2", "N4", "U6", "PR1", "20/05/2025", "X1", "", 2026],
    ["E", "20/05/2025", "P", "V2", "N4", "R1", "PR1", "05/01/2026", "E4A", "", 2026],
    ["F", "01/07/2025", "S", "V2", "N1", "K2", "PR4", "", "", "", 2026],
]
HEADER_903 = [
    ["A", 1, "01/01/2014"],
    ["B", 2, "01/06/2012"],
    ["C", 1, "01/01/2023"],
    ["D", 2, "01/01/2015"],
    ["E", 1, "01/01/2016"],
    ["F", 1, "05/05/2009"],
]
UASC_903 = [["F", "05/05/2027"]]


def ssda903_stacked(folder: Path) -> dict[str, Path]:
    """Episodes (both extracts stacked, 2025 first), header and UASC as CSV files."""
    files = {"episodes": folder / "903 episodes 2025 and 2026.csv", "header": folder / "903 header.csv", "uasc": folder / "903 uasc.csv"}
    with files["episodes"].open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([EPISODE_HEADERS, *EPISODES_2025, *EPISODES_2026])
    with files["header"].open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["CHILD", "SEX", "DOB"], *HEADER_903])
    with files["uasc"].open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["CHILD", "DUC"], *UASC_903])
    return files


def ssda903_xml(folder: Path) -> Path:
    """The 2026 extract as the SSDA903 XML return (<EXPSSDA903>, <PL> for the placement)."""
    root = ET.Element("EXPSSDA903")
    births = {child: (sex, dob) for child, sex, dob in HEADER_903}
    uasc = dict(UASC_903)
    for child in dict.fromkeys(row[0] for row in EPISODES_2026):
        node = ET.SubElement(root, "CHILD")
        header = ET.SubElement(node, "HEADER")
        for tag, value in (("CHILDID", child), ("SEX", births[child][0]), ("DOB", births[child][1])):
            ET.SubElement(header, tag).text = str(value)
        ET.SubElement(header, "UASC").text = "1" if child in uasc else "0"
        if child in uasc:
            ET.SubElement(header, "DUC").text = uasc[child]
        for row in (r for r in EPISODES_2026 if r[0] == child):
            episode = ET.SubElement(node, "EPISODE")
            for tag, value in zip(EPISODE_HEADERS[1:-1], row[1:-1], strict=True):
                ET.SubElement(episode, "PL" if tag == "PLACE" else tag).text = value or None
    path = folder / "SSDA903 2026.xml"
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


def cin_census_xml(folder: Path) -> Path:
    """Three children, in a namespace: an ICPC inside a Section47 module (repeated on the
    episode), one on the episode only, and a referral without one."""
    ns = "http://www.example.org/cin-census"
    ET.register_namespace("", ns)

    def sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ns}}}{tag}")
        element.text = text
        return element

    root = ET.Element(f"{{{ns}}}Message")
    sub(sub(sub(root, "Header"), "CollectionDetails"), "Collection", "CIN")
    children = sub(root, "Children")
    for child_id, referral, s47, icpc in (
        ("N1", "2025-06-01", "2025-06-03", "2025-06-20"),
        ("N2", "2025-07-01", None, "2025-07-25"),
        ("N3", "2025-09-01", None, None),
    ):
        child = sub(children, "Child")
        sub(sub(child, "ChildIdentifiers"), "LAchildID", child_id)
        episode = sub(child, "CINdetails")
        sub(episode, "CINreferralDate", referral)
        sub(episode, "ReferralNFA", "false")
        if icpc:
            sub(episode, "DateOfInitialCPC", icpc)
        if s47:
            section = sub(episode, "Section47")
            sub(section, "S47ActualStartDate", s47)
            sub(section, "DateOfInitialCPC", icpc)
    path = folder / "CIN census 2026.xml"
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


QUOTED_VALUE = 'b) Female ("assumed"), see notes,\nline two'


def _referral_rows(count: int) -> list[list[str]]:
    rows = [[f"Q{i}", "a) Male", f"{1 + i % 28:02d}/06/2026", "b) No", "0"] for i in range(count)]
    rows[-5][1] = QUOTED_VALUE  # a quoted field far past the first 4 KB
    return rows


REFERRAL_HEADERS = ["Child Unique ID", "Gender", "Date of referral", "Referral NFA?", "Number of Referrals in Last 12 Months"]


def quoted_csv(folder: Path, count: int = 400) -> Path:
    path = folder / "referrals quoted.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, quoting=csv.QUOTE_MINIMAL).writerows([REFERRAL_HEADERS, *_referral_rows(count)])
    return path


def utf16_text(folder: Path, count: int = 50) -> Path:
    """Excel's "Unicode Text": UTF-16 with its byte-order mark, tab-separated."""
    lines = ["\t".join(REFERRAL_HEADERS), *("\t".join(row).replace("\n", " ") for row in _referral_rows(count))]
    path = folder / "referrals unicode.txt"
    path.write_bytes("\r\n".join(lines).encode("utf-16"))
    return path


# Referrals over almost three years; the count column carries the child's count on every row.
REFERRAL_HISTORY = [
    ["R4", "01/01/2024", "1"],
    ["R1", "01/02/2024", "2"],
    ["R4", "01/06/2024", "1"],
    ["R1", "01/12/2024", "2"],
    ["R2", "15/10/2025", "1"],
    ["R2", "01/05/2026", "1"],
    ["R1", "01/06/2026", "2"],
    ["R3", "01/07/2026", "0"],
]


def referral_history(folder: Path) -> Path:
    path = folder / "referrals 2024-2026.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["Child Unique ID", "Date of referral", "Number of Referrals in Last 12 Months"], *REFERRAL_HISTORY])
    return path
