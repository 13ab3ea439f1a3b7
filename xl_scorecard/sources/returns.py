"""Statutory returns as sources: the workforce census (CSWW) and children in need census XML.

Every authority already produces these returns, so their files can stand in for the district
caseload and establishment sheets, and for the referral, assessment, S47 and CP lists. The XML is
turned into ordinary rows with headers (sheet
"Workers" for the staff dataset, sheet "Establishment" for posts), so the same validation and
problem reporting apply as to a spreadsheet. The SSDA903 XML return becomes the sheets its CSV
extracts have (Episodes, Header, UASC, OC3). SSDA903 episode CSVs need no reader of their own:
their headers (CHILD, DECOM, DEC, LS) are listed in the children-looked-after dataset.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

# CSWW OrgRole codes -> the role names the catalogue filters on.
ORG_ROLES = {
    "1": "Senior Manager",
    "2": "Middle Manager",
    "3": "Team Manager",
    "4": "Senior Practitioner",
    "5": "Social Worker",
    "6": "Qualified without cases",
}
WORKER_HEADERS = ["ReferenceDate", "SWENo", "OrgRole", "FTE", "Qualified", "AgencyWorker", "Cases30", "RoleEndDate"]
POST_HEADERS = ["Month", "Post ID", "Post Type", "FTE", "Filled By", "Qualified"]


def _without_namespaces(root: ET.Element) -> ET.Element:
    # CIN census files of some years (and some suppliers) put every element in a namespace;
    # the tags are the same, so the namespace is dropped before reading.
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.rsplit("}", 1)[1]
    return root


def census_kind(path: Path) -> str | None:
    """``"CSWW"``, ``"CIN"``, ``"SSDA903"`` or None, from the message's <Collection> or its first telling element."""
    try:
        for _, element in ET.iterparse(path, events=("end",)):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "Collection" and (element.text or "").strip() in ("CSWW", "CIN"):
                return (element.text or "").strip()
            if tag in ("CSWWWorker", "LALevelVacancies"):
                return "CSWW"
            if tag in ("CINdetails", "Child"):
                return "CIN"
            if tag in ("EXPSSDA903", "EPISODE", "CHILDID"):
                return "SSDA903"
    except ET.ParseError:
        return None
    return None


def read_csww(path: Path) -> tuple[dict[str, list[list[object]]], int]:
    """The CSWW census as two sheets of rows (headers first), ``Workers`` and ``Establishment``,
    and the number of leavers left out.

    Workers who left before the reference date are not in post and are left out of both sheets
    (the census keeps them for leaver statistics); a worker with no ``Cases30`` holds no cases.
    Establishment: one post per worker in post (agency or permanent) plus one vacant row of the
    authority's ``NumberOfVacancies`` FTE.
    """
    root = _without_namespaces(ET.parse(path).getroot())

    def text(node, tag):
        return (node.findtext(tag) or "").strip()

    reference = text(root, "Header/CollectionDetails/ReferenceDate")
    workers: list[list[object]] = [list(WORKER_HEADERS)]
    posts: list[list[object]] = [list(POST_HEADERS)]
    leavers = 0
    for node in root.iter("CSWWWorker"):
        ended = text(node, "RoleEndDate")
        if ended and reference and ended <= reference:  # ISO dates compare as text
            leavers += 1
            continue
        agency = "Yes" if text(node, "AgencyWorker") == "1" else "No"
        role = ORG_ROLES.get(text(node, "OrgRole"), "Social Worker")
        fte = text(node, "FTE") or text(node, "FTE30")
        workers.append([reference, text(node, "SWENo"), role, fte, "Yes", agency, text(node, "Cases30") or "0", ended])
        posts.append([reference, text(node, "SWENo"), role, fte, "Agency" if agency == "Yes" else "Permanent", "Yes"])
    vacancies = text(root, "LALevelVacancies/NumberOfVacancies")
    if vacancies:
        posts.append([reference, "Vacancies (LA level)", "Social Worker", vacancies, "Vacant", "Yes"])
    return {"Workers": workers, "Establishment": posts}, leavers


def read_cin(path: Path) -> tuple[dict[str, list[list[object]]], int]:
    """The CIN census as Annex-A-shaped sheets (headers first): ``Referrals``, ``Assessments``,
    ``Section47``, ``ChildProtectionPlans`` and ``CIN`` (one row per CIN episode), using the
    Annex A headings so the ordinary dataset descriptions apply. Returns the sheets and 0
    (nothing is left out)."""
    root = _without_namespaces(ET.parse(path).getroot())

    def text(node, tag):
        return (node.findtext(tag) or "").strip()

    def yes_no(value):
        return {"true": "Yes", "1": "Yes", "false": "No", "0": "No"}.get(value.casefold(), value)

    sheets: dict[str, list[list[object]]] = {
        "Referrals": [["Child Unique ID", "Date of referral", "Referral Source", "Referral NFA?"]],
        "Assessments": [["Child Unique ID", "Continuous Assessment Start Date", "Continuous Assessment Date of Authorisation"]],
        "Section47": [
            [
                "Child Unique ID",
                "Strategy discussion initiating Section 47 Enquiry Start Date",
                "Date of Initial Child Protection Conference",
            ]
        ],
        "ChildProtectionPlans": [
            [
                "Child Unique ID",
                "Child Protection Plan Start Date",
                "Child Protection Plan End Date",
                "Initial Category of Abuse",
                "Number of Previous Child Protection Plans",
            ]
        ],
        "CIN": [["Child Unique ID", "CIN Start Date", "CIN Closure Date", "Primary Need Code", "Reason for Closure"]],
    }
    for child in root.iter("Child"):
        child_id = text(child, "ChildIdentifiers/LAchildID")
        for episode in child.iter("CINdetails"):
            referral = text(episode, "CINreferralDate")
            sheets["Referrals"].append([child_id, referral, text(episode, "ReferralSource"), yes_no(text(episode, "ReferralNFA"))])
            sheets["CIN"].append(
                [child_id, referral, text(episode, "CINclosureDate"), text(episode, "PrimaryNeedCode"), text(episode, "ReasonForClosure")]
            )
            for node in episode.iter("Assessments"):
                sheets["Assessments"].append([child_id, text(node, "AssessmentActualStartDate"), text(node, "AssessmentAuthorisationDate")])
            icpcs = set()
            for node in episode.iter("Section47"):
                icpcs.add(text(node, "DateOfInitialCPC"))
                sheets["Section47"].append([child_id, text(node, "S47ActualStartDate"), text(node, "DateOfInitialCPC")])
            # Since 2013 an ICPC is recorded on the CIN episode itself, with or without a
            # Section47 module (whose ICPC date it repeats): one without its S47 is a row of
            # its own, with no strategy date.
            episode_icpc = text(episode, "DateOfInitialCPC")
            if episode_icpc and episode_icpc not in icpcs:
                sheets["Section47"].append([child_id, "", episode_icpc])
            for node in episode.iter("ChildProtectionPlans"):
                sheets["ChildProtectionPlans"].append(
                    [
                        child_id,
                        text(node, "CPPstartDate"),
                        text(node, "CPPendDate"),
                        text(node, "InitialCategoryOfAbuse"),
                        text(node, "NumberOfPreviousCPP"),
                    ]
                )
    return sheets, 0


EPISODE_HEADERS = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE"]


def read_903(path: Path) -> tuple[dict[str, list[list[object]]], int]:
    """The SSDA903 XML return (``<EXPSSDA903>``: one ``<CHILD>`` with its ``<HEADER>`` and
    ``<EPISODE>`` elements) as the sheets its CSV extracts have: ``Episodes``, ``Header``,
    ``UASC`` (children with a date UASC status ceased) and ``OC3`` (care leavers' in touch,
    activity and accommodation). Returns the sheets and 0 (nothing is left out)."""
    root = _without_namespaces(ET.parse(path).getroot())

    def text(node, tag):
        return (node.findtext(tag) or "").strip()

    sheets: dict[str, list[list[object]]] = {
        "Episodes": [list(EPISODE_HEADERS)],
        "Header": [["CHILD", "SEX", "DOB", "ETHNIC", "UPN"]],
        "UASC": [["CHILD", "DUC"]],
        "OC3": [["CHILD", "IN_TOUCH", "ACTIV", "ACCOM"]],
    }
    for child in root.iter("CHILD"):
        header = child.find("HEADER")
        if header is None:
            continue
        child_id = text(header, "CHILDID") or text(header, "CHILD")
        sheets["Header"].append([child_id, text(header, "SEX"), text(header, "DOB"), text(header, "ETHNIC"), text(header, "UPN")])
        # <UASC>1</UASC> marks an unaccompanied asylum-seeking child; the date the status
        # ceased (DUC) is its own element, in the header or inside <UASC>.
        flag = text(header, "UASC")
        duc = text(header, "DUC") or text(header, "UASC/DUC")
        if flag not in ("", "0") or duc:
            sheets["UASC"].append([child_id, duc])
        if any(text(header, tag) for tag in ("IN_TOUCH", "ACTIV", "ACCOM")):
            sheets["OC3"].append([child_id, text(header, "IN_TOUCH"), text(header, "ACTIV"), text(header, "ACCOM")])
        for episode in child.iter("EPISODE"):
            values = {tag: text(episode, tag) for tag in EPISODE_HEADERS}
            values["CHILD"] = child_id
            values["PLACE"] = values["PLACE"] or text(episode, "PL")  # the XML calls it PL
            sheets["Episodes"].append([values[tag] for tag in EPISODE_HEADERS])
    return sheets, 0
