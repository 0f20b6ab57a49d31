"""Reading an uploaded answers file into a table of text: CSV or XLSX, as offices save them.

Pure: bytes in, a header and rows of strings out, or the one reason the file cannot be read
at all. What the cells mean is `paper.importing`'s business.

CSV: comma, semicolon or tab separated (the header line tells); UTF-8 with or without the
byte order mark, UTF-16 with one (Excel's "Unicode text"), or else Windows-1252, as Dutch
Excel writes "CSV (puntkomma gescheiden)". XLSX: the first worksheet, read with openpyxl
in read-only mode without evaluating anything: a formula comes through as its own text
("=A1+1"), so it is refused like any other wrong value instead of being worked out.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from core.input import clean_text

MAX_BYTES = 10 * 1024 * 1024
#: More rows than any municipality prints sheets for: a larger file is a mistake.
MAX_ROWS = 100_000
MAX_COLUMNS = 1_000
#: An XLSX is a zip: refuse one that would unpack to far more than any real answers file.
MAX_UNPACKED_BYTES = 300 * 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
#: The old binary .xls (and .doc) format.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class UnreadableFile(ValueError):
    """The file as a whole cannot be read; `kind` says why."""

    #: "empty", "too_large", "encoding", "binary", "old_excel", "not_xlsx", "not_csv",
    #: "too_many_rows", "too_many_columns"
    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


@dataclass
class Table:
    """The header (first non-empty row) and the data rows, with their spreadsheet row
    numbers (1 is the first line of the file). Cells are stripped text, "" when empty."""

    header: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    #: "csv" or "xlsx"
    format: str = "csv"
    #: The encoding a CSV was read in (for the report: "read as Windows-1252").
    encoding: str = ""


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def read_table(data: bytes, filename: str = "") -> Table:
    """The table in an uploaded file; raises UnreadableFile."""
    if len(data) > MAX_BYTES:
        raise UnreadableFile("too_large")
    if not data.strip():
        raise UnreadableFile("empty")
    if data.startswith(ZIP_MAGIC):
        return read_xlsx(data)
    if data.startswith(OLE_MAGIC):
        raise UnreadableFile("old_excel")
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise UnreadableFile("not_xlsx")
    return read_csv(data)


# --- CSV -------------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was written in; raises UnreadableFile."""
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise UnreadableFile("encoding") from None
    if b"\x00" in data:
        raise UnreadableFile("binary")
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        # Windows-1252 leaves five bytes undefined: a file with one of them is neither.
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise UnreadableFile("encoding") from None


def sniff_delimiter(header_line: str) -> str:
    """Dutch spreadsheets separate with `;`, English ones with `,`, "Unicode text" with tabs:
    the header line (question codes, no separators inside) tells."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def read_csv(data: bytes) -> Table:
    text, encoding = decode(data)
    header_line = next((line for line in text.splitlines() if line.strip()), None)
    if header_line is None:
        raise UnreadableFile("empty")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(header_line))
    try:
        # Numbered per record as a spreadsheet shows them: a quoted line break inside a
        # cell does not shift the numbers of the rows after it.
        return _collect(enumerate(reader, 1), "csv", encoding)
    except csv.Error:
        # A field beyond csv's size limit, or a quote never closed: no table to follow.
        raise UnreadableFile("not_csv") from None


# --- XLSX ------------------------------------------------------------------------------------


def read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    stream = io.BytesIO(data)
    try:
        with zipfile.ZipFile(stream) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise UnreadableFile("too_large")
        # Not data_only: a formula stays the text of the formula, never its (cached) result.
        workbook = load_workbook(stream, read_only=True, data_only=False, keep_links=False)
    except UnreadableFile:
        raise
    except Exception:  # openpyxl raises many kinds (KeyError, InvalidFileException, …)
        raise UnreadableFile("not_xlsx") from None
    try:
        if not workbook.worksheets:
            raise UnreadableFile("empty")
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        texts = ([cell_text(value) for value in values] for values in rows)
        return _collect(enumerate(texts, 1), "xlsx", "")
    except UnreadableFile:
        raise
    except Exception:
        raise UnreadableFile("not_xlsx") from None
    finally:
        workbook.close()


def cell_text(value) -> str:
    """A spreadsheet cell as the text a person sees in it: 3 not 3.0, dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


# --- both ------------------------------------------------------------------------------------


def _collect(numbered, format_: str, encoding: str) -> Table:
    """Header and rows, cleaned; blank rows left out; limits enforced while reading."""
    table: Table | None = None
    for number, values in numbered:
        cells = [clean_text(value).strip() for value in values]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if len(cells) > MAX_COLUMNS:
            raise UnreadableFile("too_many_columns")
        if table is None:
            table = Table(header=cells, header_row=number, format=format_, encoding=encoding)
            continue
        if len(table.rows) >= MAX_ROWS:
            raise UnreadableFile("too_many_rows")
        table.rows.append((number, cells))
    if table is None:
        raise UnreadableFile("empty")
    return table
