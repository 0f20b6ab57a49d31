"""The microdata in each format. CSV streams row by row; the others are written to a file
by a background job (exports.jobs), since their libraries build the whole file at once.

Text cells starting with =, +, -, @, a tab or a carriage return get an apostrophe in front
in the CSV and the spreadsheet, so Excel shows them as text instead of running them
(OWASP's advice against formula injection). Numbers are written as numbers, never changed.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from exports.variables import STRING_LENGTH, Variable

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Format code -> file extension.
EXTENSIONS = {
    "csv": "csv",
    "xlsx": "xlsx",
    "sav": "sav",
    "dta": "dta",
    "r": "zip",
    "codebook": "pdf",
}
#: The formats a background job makes.
SLOW = ("xlsx", "sav", "dta", "r", "codebook")


def neutralised(cell: Any) -> Any:
    """A text cell a spreadsheet would read as a formula, made plain text."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def _sheet_cell(cell: Any) -> Any:
    """Neutralised, and without the control characters a workbook cannot hold."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = neutralised(cell)
    return ILLEGAL_CHARACTERS_RE.sub("", cell) if isinstance(cell, str) else cell


def _cut(text: str, limit: int) -> str:
    """At most `limit` bytes of UTF-8 (SPSS counts bytes), never half a character."""
    return text.encode()[:limit].decode(errors="ignore")


def csv_lines(
    layout: Sequence[Variable], rows: Iterable[list[Any]], delimiter: str = ","
) -> Iterator[str]:
    """The CSV, a line at a time: a byte-order mark (so Excel reads UTF-8), the header,
    then each row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")

    def line(cells: Iterable[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_csv_cell(cell, delimiter) for cell in cells])
        return buffer.getvalue()

    yield BOM + line(v.name for v in layout)
    for row in rows:
        yield line(row)


def _csv_cell(cell: Any, delimiter: str) -> Any:
    if cell is None:
        return ""
    if isinstance(cell, float) and delimiter == ";":
        return repr(cell).replace(".", ",")  # Dutch Excel: decimal comma with semicolons
    return neutralised(cell)


def write_xlsx(path: Path, layout: Sequence[Variable], rows: Iterable[list[Any]]) -> int:
    """A spreadsheet in write-only mode (rows go to disk as they come), with a second sheet
    of the variable labels. Returns the rows written."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    data = book.create_sheet("data")
    data.append([v.name for v in layout])
    written = 0
    for row in rows:
        data.append([_sheet_cell(cell) for cell in row])
        written += 1
    labels = book.create_sheet("variables")
    labels.append(["variable", "label", "values"])
    for v in layout:
        values = "; ".join(f"{code} = {label}" for code, label in v.codes.items())
        labels.append([v.name, _sheet_cell(v.label), _sheet_cell(values)])
    book.save(path)
    return written


def _frame(layout: Sequence[Variable], rows: Iterable[list[Any]], limit: int | None = None):
    """A pandas data frame of the rows (SPSS and Stata are written whole by pyreadstat)."""
    import pandas as pd

    columns: list[list[Any]] = [[] for _ in layout]
    for row in rows:
        for column, cell in zip(columns, row, strict=True):
            column.append(cell[:limit] if limit and isinstance(cell, str) else cell)
    frame = pd.DataFrame(
        {
            v.name: pd.Series(column, dtype="float64" if v.numeric else "object")
            for v, column in zip(layout, columns, strict=True)
        }
    )
    for v in layout:
        if not v.numeric:
            frame[v.name] = frame[v.name].fillna("").astype(object)
    return frame


def write_sav(path: Path, layout: Sequence[Variable], rows: Iterable[list[Any]]) -> int:
    """SPSS: variable labels, value labels, and the missing-value codes declared missing."""
    import pyreadstat

    frame = _frame(layout, rows)
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels={v.name: _cut(v.label, 255) for v in layout},
        variable_value_labels={v.name: _float_keys(v.codes, 120) for v in layout if v.codes},
        missing_ranges={v.name: [float(code) for code in v.missing] for v in layout if v.missing},
        variable_measure={v.name: _measure(v) for v in layout},
    )
    return len(frame)


def write_dta(path: Path, layout: Sequence[Variable], rows: Iterable[list[Any]]) -> int:
    """Stata: variable and value labels. Stata has no user-missing values: the codes stay
    as values with their labels (the codebook says which mean missing). Texts are cut at
    Stata's 2045 characters."""
    import pyreadstat

    frame = _frame(layout, rows, STRING_LENGTH)
    pyreadstat.write_dta(
        frame,
        str(path),
        column_labels=[v.label[:80] for v in layout],
        variable_value_labels={v.name: _float_keys(v.codes) for v in layout if v.codes},
        version=15,
    )
    return len(frame)


def _float_keys(values: dict[int, str], limit: int = 32000) -> dict[float, str]:
    return {float(code): _cut(label, limit) for code, label in values.items()}


def _measure(v: Variable) -> str:
    if not v.numeric:
        return "nominal"
    return "nominal" if v.codes and v.name != "weight" else "scale"


def write_r(path: Path, stem: str, layout: Sequence[Variable], rows: Iterable[list[Any]]) -> int:
    """A zip of the CSV and an R script that reads it and turns coded answers into factors
    with their labels (the missing-value codes become NA)."""
    written = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(f"{stem}.csv", "w") as out:
            for number, line in enumerate(csv_lines(layout, rows)):
                out.write(line.encode())
                written += number > 0
        archive.writestr(f"{stem}.R", r_script(stem, layout))
    return written


def r_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def r_script(stem: str, layout: Sequence[Variable]) -> str:
    """Reads the CSV, sets NA for the missing codes, makes labelled factors and attaches
    each variable's label as its "label" attribute."""
    lines = [
        "# Reads the microdata and applies the labels of the codebook.",
        f'data <- read.csv("{stem}.csv", fileEncoding = "UTF-8-BOM", '
        'stringsAsFactors = FALSE, na.strings = "")',
    ]
    for v in layout:
        name = f"data[[{r_string(v.name)}]]"
        if v.missing:
            codes = ", ".join(str(code) for code in v.missing)
            lines.append(f"{name}[{name} %in% c({codes})] <- NA")
        labelled = {code: label for code, label in v.codes.items() if code not in v.missing}
        if labelled:
            levels = ", ".join(str(code) for code in labelled)
            labels = ", ".join(r_string(label) for label in labelled.values())
            lines.append(f"{name} <- factor({name}, levels = c({levels}), labels = c({labels}))")
        lines.append(f'attr({name}, "label") <- {r_string(v.label)}')
    return "\n".join(lines) + "\n"
