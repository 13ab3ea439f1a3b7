"""Data problems as records (never raised): what is wrong, where, and what to do about it.

Every problem type has a code, a title and a message template written in the user's terms,
in the manner of frictionless' error catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class ProblemType:
    """A kind of problem: stable code, short title, message template and advice."""

    code: str
    title: str
    template: str
    action: str


PROBLEM_TYPES: dict[str, ProblemType] = {
    t.code: t
    for t in (
        ProblemType(
            "file-missing",
            "File not found",
            "No file matches {value}.",
            "Check the file name and folder in the authority configuration, or add the file.",
        ),
        ProblemType(
            "file-unreadable",
            "File cannot be read",
            "The file cannot be read: {value}.",
            "Open it in Excel and save it again as .xlsx, or ask for a fresh copy.",
        ),
        ProblemType(
            "file-locked",
            "File is open in another program",
            "The file cannot be opened: {value}.",
            "Close it (in Excel or wherever it is open) and run again.",
        ),
        ProblemType(
            "file-protected",
            "File is password-protected",
            "The file cannot be read: {value}.",
            "Ask the district for a copy without a password (File > Info > Protect Workbook > Encrypt).",
        ),
        ProblemType(
            "file-too-large",
            "File refused: too large",
            "The file was not opened: {value}.",
            "Check it is the right file; a district list is a few megabytes at most.",
        ),
        ProblemType(
            "too-many-rows",
            "Sheet refused: too many rows",
            "The sheet was not read: {value}.",
            "Delete the empty formatted rows below the data, or raise `max_rows` for this source.",
        ),
        ProblemType(
            "wrong-type",
            "File is not what its name says",
            "About this file: {value}.",
            "Save it from Excel in the format its name says (e.g. File > Save As > Excel Workbook).",
        ),
        ProblemType("note", "Note", "{value}.", "No action needed."),
        ProblemType(
            "sheet-empty",
            "Sheet is empty",
            "The sheet has no data.",
            "Check the right sheet is named for this source, or that the export ran.",
        ),
        ProblemType(
            "reading-not-used",
            "Saved reading not used",
            "The reading of this file an earlier refresh saved in {other} was not used: {value}. The file was read again.",
            "Nothing to do: the figures come from the file itself. If this comes back at every refresh, delete that "
            "folder (it holds only saved readings; the next refresh makes them again).",
        ),
        ProblemType(
            "figures-not-used",
            "Saved figures not used",
            "The figures an earlier refresh saved in {other} were not used: {value}. They were computed again.",
            "Nothing to do: the figures come from the lists themselves. If this comes back at every refresh, delete "
            "that file (the next refresh saves it again).",
        ),
        ProblemType(
            "no-rows",
            "List has no rows",
            "The list has its headers but not a single row, so its figures show as no data.",
            "If the export failed, run it again. If there really were none (a district with no adoptions), "
            "add allow_empty = true to this source in the authority configuration.",
        ),
        ProblemType(
            "annex-a-lists",
            "Annex A lists: some not found",
            "In this workbook: {value}.",
            "Name each list's sheet \"List N\" (or give the list's official headings), or add the missing lists; "
            "figures from a list not found show as no data.",
        ),
        ProblemType(
            "sheet-missing",
            "Sheet not found",
            "There is no sheet called {value}.",
            "Rename the sheet, or set `sheet` for this source in the authority configuration.",
        ),
        ProblemType(
            "header-not-found",
            "Header row not found",
            "No row in the first {value} rows looks like the header of {dataset}.",
            "Check the sheet holds this list, or add its header texts to the source description.",
        ),
        ProblemType(
            "rereferrals-disagree",
            "Re-referrals: the dates and the count column disagree",
            "Of the referrals with a year of history in the list, the dates make {value} re-referrals; "
            'the column "{column}" (1 or more) makes {other}.',
            "The figures use the dates wherever the list reaches back a year. Check how the column is filled in "
            "(it should count the child's referrals in the 12 months before this one).",
        ),
        ProblemType(
            "code-out-of-use",
            "Code from another year's list",
            '"{column}": {value} was collected in the returns of {other}.',
            "It is read as given; check the list uses this year's codes (the code sheet of the return it was keyed from).",
        ),
        ProblemType(
            "header-unknown",
            "Heading not known",
            'The heading "{column}" is not one we know for {dataset} ({other}), so the column is not read.',
            "If it means a column the figures need, correct the heading or add it under [source.headers] in the "
            "authority configuration; otherwise nothing to do.",
        ),
        ProblemType(
            "column-missing",
            "Required column missing",
            'No column matches "{column}" (looked for: {value}){other}.',
            "Add the column, or add its header text under [source.headers] in the authority configuration.",
        ),
        ProblemType("missing-value", "Required value missing", '"{column}" is blank.', "Fill it in at the source."),
        ProblemType("missing-any", "Values missing", "{column}: all blank.", "Fill in at least one of them at the source."),
        ProblemType(
            "bad-date", "Not a date", '"{column}": {value} is not a date.', "Type the date as dd/mm/yyyy (day first) or use a date cell."
        ),
        ProblemType(
            "bad-number",
            "Not a number",
            '"{column}": {value} is not a number.',
            "Enter a number, or leave it blank if it was not collected.",
        ),
        ProblemType(
            "bad-code",
            "Value not in code set",
            '"{column}": {value} is not one of the allowed values.',
            "Use one of the allowed values, or map this spelling under `aliases` in the dataset description.",
        ),
        ProblemType(
            "date-order",
            "Dates in the wrong order",
            '"{column}" ({value}) is before "{other}".',
            "Correct whichever date is wrong at the source.",
        ),
        ProblemType(
            "child-rows-overlap",
            "One child, rows open at once",
            "A child has rows {other} open at the same time (the same case recorded twice, or one not closed before the next began).",
            "The figures count the child once; close or remove the extra row at the source.",
        ),
        ProblemType(
            "episode-missing",
            "Period of care with no next episode",
            "{value} periods of care end with an episode that ceased with X1 (care goes on) but no later episode follows ({other}).",
            "They are counted as still in care. Check the extract covers the whole year, or add the missing episodes.",
        ),
        ProblemType(
            "stacked-repeats",
            "Episodes repeated by stacked extracts",
            "{value} episode rows repeat an episode already read from a later extract ({other}).",
            "Nothing to do: each episode is counted once, as the latest extract has it.",
        ),
        ProblemType(
            "unknown-district",
            "Unknown district",
            "District {value} is not in the authority configuration.",
            "Use a district code or name from the configuration, or add the district.",
        ),
        ProblemType(
            "list-missing",
            "List not found",
            "No {dataset} list for this district: {value}.",
            "Add the list (or its sheet to the Annex A workbook) if the district keeps one; its figures show no data until then.",
        ),
        ProblemType(
            "configured-header-missing",
            "Configured header not found",
            "The configuration names {value} as the heading of {column}, but no heading in the sheet matches it{other}.",
            "Correct the text in this source's `headers` in the authority configuration to match the file's heading, or remove it.",
        ),
        ProblemType(
            "unknown-indicator",
            "Unknown indicator",
            "Indicator {value} is not in the catalogue{other}.",
            "Type the indicator's id as `xl-scorecard indicators` lists it.",
        ),
        ProblemType(
            "figure-out-of-range",
            "Figure out of range",
            '"{column}" {value} cannot be a share (over 100%){other}.',
            "Percentages are kept as fractions: type 0.967 for 96.7% (or format the cell as a percentage).",
        ),
        ProblemType(
            "duplicate-figure",
            "Figure typed twice",
            "{value} is typed more than once for the same district and month; {other}.",
            "Keep one row per indicator, district and month.",
        ),
    )
}


NO_FIGURE = "-"  # Problem.figures when no indicator of the catalogue reads the column


@dataclass(frozen=True)
class Problem:
    """One problem found in the input, with its location.

    ``row`` is the spreadsheet row number as the user sees it (1-based), or None for problems
    about a whole file or sheet. ``personal`` marks a value that identifies a person: it is kept
    for the workbook's data-quality sheet but never printed or logged.
    """

    code: str
    severity: Severity
    district: str
    dataset: str
    file: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    other: str = ""
    personal: bool = False
    excluded: bool = False  # the row is left out of every figure
    field: str = ""  # the canonical column of a bad value that leaves the row out only of the figures using it
    figures: str = ""  # those figures, named once the catalogue is known (pipeline)

    @property
    def type(self) -> ProblemType:
        return PROBLEM_TYPES[self.code]

    @property
    def message(self) -> str:
        """The problem in one sentence, in the user's terms."""
        value = "(hidden: personal data)" if self.personal else (self.value or "(blank)")
        return self.type.template.format(column=self.column, value=value, other=self.other, dataset=self.dataset)

    @property
    def scope(self) -> str:
        """For a value that leaves its row out of some figures only: which ones (" ..." or "")."""
        if self.excluded or not self.field:
            return ""
        if self.figures == NO_FIGURE:
            return " No figure reads this column, so the row counts everywhere."
        return f" The row is left out of {self.figures or 'the figures that read this column'}; the others count it."

    @property
    def action(self) -> str:
        return self.type.action

    @property
    def location(self) -> str:
        """``file › sheet › row N`` as far as known."""
        parts = [self.file]
        if self.sheet:
            parts.append(self.sheet)
        if self.row is not None:
            parts.append(f"row {self.row}")
        return " › ".join(parts)

    def describe(self) -> str:
        """A console line: location, message and what to do (safe to print: no personal values)."""
        tail = " The row is left out of the counts." if self.excluded else self.scope
        return f"{self.severity.upper()} {self.location}: {self.message}{tail} {self.action}"

    def fields(self) -> dict[str, Any]:
        """Its fields, by name, in order: what ``dataclasses.asdict`` gives, without the deep
        copy it makes of every value (each is a str, an int, a bool or None). A messy district's
        lists give tens of thousands of problems: asdict cost a second a refresh there."""
        return dict(vars(self))

    def with_figures(self, figures: str) -> Problem:
        """The same problem naming ``figures`` (what ``dataclasses.replace`` gives, without its
        call of ``__init__`` with every field by keyword: a messy district's lists give tens of
        thousands of problems, and replace cost 0.2 s a refresh there)."""
        named = object.__new__(self.__class__)
        object.__setattr__(named, "__dict__", {**vars(self), "figures": figures})
        return named

    def as_dict(self) -> dict:
        """Machine-readable form for ``--json`` (personal values removed)."""
        data = self.fields()
        if self.personal:
            data["value"] = ""
        data.update(message=self.message, action=self.action, title=self.type.title)
        return data
