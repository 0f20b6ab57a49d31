"""The files of `flask analysis compute`: a wave's respondents, margins, indicators and
settings, so anyone can reproduce a published figure outside the app (docs/methods.md).

The app builds its own input through the same functions (`record_from_row`), so a run in
the app and a run on its exported files take exactly the same numbers.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from analysis.indicators import BadIndicator, Indicator, from_json
from analysis.pipeline import Record, Settings
from analysis.scheme import PopulationCells, Scheme
from population.csv_import import COLUMNS, header_columns, parse_margins, sniff_delimiter

#: The first columns of the respondents file; one column per question code follows.
RESPONDENT_COLUMNS = ("respondent", "village", "age_band", "sex")
#: Several answers to one question (a multiple choice) in one cell.
ANSWER_SEPARATOR = "|"


class BadFile(ValueError):
    """An input file the pipeline cannot read; the message says where."""


# Respondents --------------------------------------------------------------------------------


def answer_cell(answer: Any) -> str:
    """An answer as it is written to the respondents file."""
    if answer is None:
        return ""
    if isinstance(answer, list):
        return ANSWER_SEPARATOR.join(str(choice) for choice in answer)
    return str(answer)


def answer_from_cell(cell: str) -> str | list[str] | None:
    if cell == "":
        return None
    return cell.split(ANSWER_SEPARATOR) if ANSWER_SEPARATOR in cell else cell


def record_from_row(row: Mapping[str, Any], codes: Sequence[str]) -> Record:
    """A respondent as the pipeline sees them, from a file row or from the database."""
    return Record(
        village=str(row["village"]),
        age_band=str(row["age_band"]),
        sex=str(row.get("sex") or "unknown"),
        answers={code: answer_from_cell(answer_cell(row.get(code))) for code in codes},
        key=str(row["respondent"]) if row.get("respondent") else None,
    )


def write_respondents(records: Iterable[Record], codes: Sequence[str]) -> str:
    """The respondents file: one row per respondent, answers by question code."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*RESPONDENT_COLUMNS, *codes])
    for record in records:
        writer.writerow(
            [record.key or "", record.village, record.age_band, record.sex]
            + [answer_cell(record.answers[code]) for code in codes]
        )
    return out.getvalue()


def read_respondents(text: str, codes: Sequence[str]) -> list[Record]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("village", "age_band") if c not in (reader.fieldnames or [])]
    if missing:
        raise BadFile(f"respondents file: no column {', '.join(missing)}")
    records = []
    for row in reader:
        if not row["village"] or not row["age_band"]:
            raise BadFile(f"respondents file, line {reader.line_num}: village and age band needed")
        records.append(record_from_row(row, codes))
    if not records:
        raise BadFile("respondents file: no respondents")
    return records


# Margins ------------------------------------------------------------------------------------


def population_cells(cells: Mapping[tuple[str, str, str], int]) -> PopulationCells:
    return {key: float(count) for key, count in cells.items()}


def read_margins(data: bytes) -> PopulationCells:
    """A margins CSV as the population import reads it (village, age band, sex, count)."""
    names = _village_names(data)
    ids = {name: number for number, name in enumerate(sorted(names))}
    parsed = parse_margins(data, ids)
    if not parsed.ok:
        first = parsed.problems[0] if parsed.problems else None
        where = f", line {first.line}" if first and first.line else ""
        raise BadFile(f"margins file{where}: {first.kind.value if first else 'empty'}")
    by_id = {number: name for name, number in ids.items()}
    return population_cells(
        {
            (by_id[village], band.value, sex.value): count
            for (village, band, sex), count in parsed.cells.items()
        }
    )


def write_margins(cells: PopulationCells) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["village", "age_band", "sex", "count"])
    for (village, band, sex), count in sorted(cells.items()):
        writer.writerow([village, band, sex, int(count)])
    return out.getvalue()


def _village_names(data: bytes) -> set[str]:
    """The villages a margins file names (the app checks them against its own list)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadFile("margins file: not UTF-8") from error
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise BadFile("margins file: empty")
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=sniff_delimiter(lines[0])))
    positions, problems = header_columns(rows[0], 1)
    if problems or "village" not in positions:
        raise BadFile(f"margins file: columns {', '.join(COLUMNS)} needed")
    column = positions["village"]
    return {row[column].strip() for row in rows[1:] if len(row) > column and row[column].strip()}


# Indicators and settings ----------------------------------------------------------------------


def read_indicators(text: str) -> list[Indicator]:
    try:
        return from_json(json.loads(text))
    except (json.JSONDecodeError, BadIndicator) as error:
        raise BadFile(f"indicators file: {error}") from error


def indicators_json(indicators: Sequence[Indicator]) -> list[dict[str, Any]]:
    return [
        {
            "code": i.code,
            "kind": i.kind.value,
            "questions": list(i.questions),
            "label": dict(i.label),
            "categories": list(i.categories),
            "min_items": i.min_items,
            "excluded": list(i.excluded),
            "sensitive": i.sensitive,
        }
        for i in indicators
    ]


def settings_json(settings: Settings) -> dict[str, Any]:
    """The scheme and disclosure settings of a run, as `--scheme` reads them."""
    scheme = asdict(settings.scheme)
    scheme["bounds"] = list(scheme["bounds"]) if scheme["bounds"] else None
    return {
        "scheme": scheme,
        "threshold": settings.threshold,
        "dominance": settings.dominance,
        "clusters": {name: sorted(members) for name, members in sorted(settings.clusters.items())},
        "minimum_effective_n": settings.minimum_effective_n,
        "false_discovery_rate": settings.false_discovery_rate,
        "level": settings.level,
    }


def read_settings(text: str | None) -> Settings:
    """`--scheme`: any of the keys of `settings_json`; what is left out keeps its default."""
    if not text:
        return Settings()
    try:
        return settings_from_json(json.loads(text))
    except json.JSONDecodeError as error:
        raise BadFile(f"scheme file: {error}") from error


def settings_from_json(data: Mapping[str, Any]) -> Settings:
    try:
        scheme = dict(data.get("scheme", {}))
        if scheme.get("bounds") is not None:
            scheme["bounds"] = tuple(float(b) for b in scheme["bounds"])
        fields = {key: data[key] for key in _SETTING_KEYS if key in data}
        return Settings(scheme=Scheme(**scheme), **fields)
    except (TypeError, ValueError, AttributeError) as error:
        raise BadFile(f"scheme file: {error}") from error


_SETTING_KEYS = (
    "threshold",
    "dominance",
    "clusters",
    "minimum_effective_n",
    "false_discovery_rate",
    "level",
)
