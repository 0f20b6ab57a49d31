"""Reading a CSV of adult counts per village x age band x sex, the way CBS or the municipality's
population register publishes them. Pure: bytes and a village list in, cells or problems out.

Every problem is collected with its line number, so an official fixes the file in one go.
Messages are worded by `population.forms.problem_message`, in the reader's language.
"""

from __future__ import annotations

import csv
import enum
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from panel.models import AgeBand, Sex

#: Registered sexes: the population register knows only these two.
REGISTERED_SEXES = (Sex.FEMALE, Sex.MALE)
CELLS_PER_VILLAGE = len(AgeBand) * len(REGISTERED_SEXES)

#: Accepted header names (lower case) for each column, English first.
COLUMNS: dict[str, tuple[str, ...]] = {
    "village": ("village", "dorp", "woonplaats", "kern"),
    "age_band": ("age_band", "age band", "age", "leeftijd", "leeftijdsklasse", "leeftijdsgroep"),
    "sex": ("sex", "geslacht"),
    "count": ("count", "aantal", "number"),
}

SEXES = {
    "female": Sex.FEMALE,
    "f": Sex.FEMALE,
    "vrouw": Sex.FEMALE,
    "vrouwen": Sex.FEMALE,
    "v": Sex.FEMALE,
    "male": Sex.MALE,
    "m": Sex.MALE,
    "man": Sex.MALE,
    "mannen": Sex.MALE,
}

DASHES = re.compile(r"\s*[-\u2010-\u2015]\s*")  # hyphen, en dash, em dash and their kin
RANGE = re.compile(r"(\d+)-(\d+)(?: jaar| years)?")
#: CBS writes "18 tot 35 jaar": up to but not including 35.
RANGE_UNTIL = re.compile(r"(\d+) tot (\d+)(?: jaar)?")
OPEN_ENDED = re.compile(
    r"(\d+)\s*(?:\+|\+ jaar|jaar of ouder|jaar en ouder|of ouder|en ouder|"
    r"and over|and older|years and over|years and older)"
)
#: No village has a million adults: a larger count is a slip (and would not fit the column).
MAX_COUNT = 1_000_000
THOUSANDS = re.compile(r"\d{1,3}([.,]\d{3})+")


class ProblemKind(enum.Enum):
    NOT_UTF8 = "not_utf8"
    NOT_CSV = "not_csv"
    EMPTY = "empty"
    MISSING_COLUMN = "missing_column"
    MISSING_VALUE = "missing_value"
    UNKNOWN_VILLAGE = "unknown_village"
    UNKNOWN_AGE_BAND = "unknown_age_band"
    UNKNOWN_SEX = "unknown_sex"
    THOUSANDS_SEPARATOR = "thousands_separator"
    NEGATIVE_COUNT = "negative_count"
    NOT_A_COUNT = "not_a_count"
    TOO_LARGE = "too_large"
    DUPLICATE = "duplicate"
    INCOMPLETE_VILLAGE = "incomplete_village"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file; `line` is None for the file as a whole."""

    kind: ProblemKind
    line: int | None = None
    value: str = ""
    #: The earlier line of a duplicate.
    other_line: int | None = None
    #: The missing cells of an incomplete village.
    missing: tuple[tuple[AgeBand, Sex], ...] = ()


Cell = tuple[int, AgeBand, Sex]


@dataclass
class ParsedMargins:
    """The counts per (village id, age band, sex), or the problems that stop an import."""

    cells: dict[Cell, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Village names that do not appear in the file: allowed, but worth a look.
    absent_villages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.cells)


def parse_age_band(text: str) -> AgeBand | None:
    """An age band from "18-34", "18–34", "18 tot 35 jaar", "75+" or "75 jaar of ouder"."""
    cleaned = DASHES.sub("-", " ".join(text.lower().split()))
    if match := RANGE.fullmatch(cleaned):
        bounds = (int(match[1]), int(match[2]))
    elif match := RANGE_UNTIL.fullmatch(cleaned):
        bounds = (int(match[1]), int(match[2]) - 1)
    elif match := OPEN_ENDED.fullmatch(cleaned):
        bounds = (int(match[1]), None)
    else:
        return None
    return next((band for band in AgeBand if band.bounds == bounds), None)


def parse_sex(text: str) -> Sex | None:
    return SEXES.get(text.strip().lower())


def parse_count(text: str, line: int) -> int | Problem:
    text = text.strip()
    if text.isdigit() and text.isascii():
        return int(text) if int(text) <= MAX_COUNT else Problem(ProblemKind.TOO_LARGE, line, text)
    if THOUSANDS.fullmatch(text):
        return Problem(ProblemKind.THOUSANDS_SEPARATOR, line, text)
    if text.startswith("-") and text[1:].strip().isdigit():
        return Problem(ProblemKind.NEGATIVE_COUNT, line, text)
    return Problem(ProblemKind.NOT_A_COUNT, line, text)


def decode(data: bytes) -> str | None:
    """UTF-8, with or without the byte order mark Excel writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def sniff_delimiter(header_line: str) -> str:
    """Dutch spreadsheets separate with `;`, English ones with `,`: the header tells."""
    return ";" if header_line.count(";") >= header_line.count(",") else ","


def header_columns(header: list[str], line: int) -> tuple[dict[str, int], list[Problem]]:
    """Position of each needed column, by any of its accepted names."""
    names = [name.strip().lower() for name in header]
    positions, problems = {}, []
    for column, aliases in COLUMNS.items():
        found = next((i for i, name in enumerate(names) if name in aliases), None)
        if found is None:
            problems.append(Problem(ProblemKind.MISSING_COLUMN, line, column))
        else:
            positions[column] = found
    return positions, problems


class _Reader:
    """Collects cells and problems row by row."""

    def __init__(self, villages: Mapping[str, int]):
        self.villages = {name.casefold(): (name, vid) for name, vid in villages.items()}
        self.result = ParsedMargins()
        self.first_line: dict[Cell, int] = {}

    def problem(self, kind: ProblemKind, line: int, value: str = "", **more) -> None:
        self.result.problems.append(Problem(kind, line, value, **more))

    def row(self, line: int, values: dict[str, str]) -> None:
        for column, value in values.items():
            if not value:
                self.problem(ProblemKind.MISSING_VALUE, line, column)
        village = self.villages.get(values["village"].casefold())
        if values["village"] and village is None:
            self.problem(ProblemKind.UNKNOWN_VILLAGE, line, values["village"])
        band = parse_age_band(values["age_band"])
        if values["age_band"] and band is None:
            self.problem(ProblemKind.UNKNOWN_AGE_BAND, line, values["age_band"])
        sex = parse_sex(values["sex"])
        if values["sex"] and sex is None:
            self.problem(ProblemKind.UNKNOWN_SEX, line, values["sex"])
        count = parse_count(values["count"], line) if values["count"] else None
        if isinstance(count, Problem):
            self.result.problems.append(count)
            count = None
        if village is not None and band is not None and sex is not None:
            self.add(line, (village[1], band, sex), count)

    def add(self, line: int, cell: Cell, count: int | None) -> None:
        """Keep a cell; one with a bad count still counts as present, so it is not also
        reported missing."""
        if cell in self.first_line:
            self.problem(ProblemKind.DUPLICATE, line, other_line=self.first_line[cell])
            return
        self.first_line[cell] = line
        if count is not None:
            self.result.cells[cell] = count

    def finish(self) -> ParsedMargins:
        """Check that every village in the file is complete; list the villages left out."""
        seen = {village_id for village_id, _, _ in self.first_line}
        for name, village_id in sorted(self.villages.values()):
            if village_id not in seen:
                self.result.absent_villages.append(name)
                continue
            missing = tuple(
                (band, sex)
                for band in AgeBand
                for sex in REGISTERED_SEXES
                if (village_id, band, sex) not in self.first_line
            )
            if missing:
                line = min(n for (v, _, _), n in self.first_line.items() if v == village_id)
                self.problem(ProblemKind.INCOMPLETE_VILLAGE, line, name, missing=missing)
        if not self.result.cells and not self.result.problems:
            self.result.problems.append(Problem(ProblemKind.EMPTY))
        return self.result


def parse_margins(data: bytes, villages: Mapping[str, int]) -> ParsedMargins:
    """Read a margins CSV; `villages` maps each village's name to its id."""
    text = decode(data)
    if text is None:
        return ParsedMargins(problems=[Problem(ProblemKind.NOT_UTF8)])
    header_line = next((line for line in text.splitlines() if line.strip()), None)
    if header_line is None:
        return ParsedMargins(problems=[Problem(ProblemKind.EMPTY)])
    rows = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(header_line))
    try:
        return _read_rows(rows, villages)
    except csv.Error:
        # A field beyond csv's size limit, or a NUL byte: no table the reader can follow.
        return ParsedMargins(problems=[Problem(ProblemKind.NOT_CSV)])


def _read_rows(rows, villages: Mapping[str, int]) -> ParsedMargins:
    header = next((values for values in rows if any(value.strip() for value in values)), None)
    if header is None:
        return ParsedMargins(problems=[Problem(ProblemKind.EMPTY)])
    positions, problems = header_columns(header, rows.line_num)
    if problems:
        return ParsedMargins(problems=problems)
    reader = _Reader(villages)
    for values in rows:
        if not any(value.strip() for value in values):
            continue  # blank lines, or a row of empty cells from a spreadsheet
        reader.row(
            rows.line_num,
            {
                column: values[i].strip() if i < len(values) else ""
                for column, i in positions.items()
            },
        )
    return reader.finish()
