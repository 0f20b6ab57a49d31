"""The published mirror as a table to download: CSV (UTF-8 with a BOM, so Excel reads the
accents) and XLSX. One row per area and indicator; a figure the pages do not show has
empty number cells and a reason, never a zero."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from flask_babel import gettext as _
from openpyxl import Workbook

from opendata.services import Cell, Published, VillageTable, reason_label, reliability_label

#: A cell starting with one of these is read as a formula by spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral(value: object) -> object:
    """Text that a spreadsheet would run as a formula, made plain text (numbers are data)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def header() -> list[str]:
    return [
        _("Village"),
        _("Area of the figure"),
        _("Kind of area"),
        _("Indicator code"),
        _("Indicator"),
        _("Survey"),
        _("Figure"),
        _("Lower bound"),
        _("Upper bound"),
        _("Number of answers (rounded)"),
        _("Reliability"),
        _("Not shown because"),
    ]


def rows(data: Published, village: VillageTable | None = None) -> Iterator[list[object]]:
    """The municipality first, then each village (or only `village`)."""
    if data.wave is None:
        return
    title = data.wave.title
    for cell in data.municipality:
        yield _row(_("Whole municipality"), cell, title)
    for table in [village] if village else data.villages:
        for cell in table.cells:
            yield _row(table.name, cell, title)


def kind_label(kind: str) -> str:
    return {"municipality": _("Municipality"), "village": _("Village"), "cluster": _("Cluster")}[
        kind
    ]


def _row(place: str, cell: Cell, wave: str) -> list[object]:
    return [
        neutral(v)
        for v in (
            place,
            cell.area,
            kind_label(cell.area_kind),
            cell.code,
            cell.label,
            wave,
            cell.estimate,
            cell.low,
            cell.high,
            cell.n,
            reliability_label(cell.reliability) if cell.reliability else None,
            reason_label(cell.reason) if cell.reason else None,
        )
    ]


def as_csv(lines: Iterable[list[object]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutral(h) for h in header()])
    for line in lines:
        writer.writerow(["" if v is None else v for v in line])
    return out.getvalue()


def as_xlsx(lines: Iterable[list[object]], title: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append([neutral(h) for h in header()])
    for line in lines:
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
