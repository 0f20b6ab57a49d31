"""Reading answers files as offices save them: no app, no database."""

import io

import pytest
from openpyxl import Workbook

from paper.import_files import (
    MAX_BYTES,
    UnreadableFile,
    column_letter,
    read_table,
)


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("sheet,VRAAG\r\nK7M3Q9PXD,é\r\n".encode(), "UTF-8"),
        ("\ufeffsheet,VRAAG\r\nK7M3Q9PXD,é\r\n".encode(), "UTF-8"),
        ("sheet;VRAAG\r\nK7M3Q9PXD;é\r\n".encode("cp1252"), "Windows-1252"),
        ("sheet\tVRAAG\r\nK7M3Q9PXD\té\r\n".encode("utf-16"), "UTF-16"),
    ],
)
def test_csv_in_the_encodings_and_separators_offices_use(data, encoding):
    table = read_table(data, "answers.csv")
    assert table.header == ["sheet", "VRAAG"]
    assert table.rows == [(2, ["K7M3Q9PXD", "é"])]
    assert table.encoding == encoding


def test_quoted_values_blank_rows_and_row_numbers():
    data = b'\n"sheet";"Q1";"Q2"\n\n"AAA";"1 3";"two\nlines"\n;;\nBBB;2;x\n'
    table = read_table(data)
    assert table.header_row == 2
    assert table.rows == [(4, ["AAA", "1 3", "two\nlines"]), (6, ["BBB", "2", "x"])]


def test_control_characters_are_taken_out_and_cells_stripped():
    table = read_table(b"sheet,Q1\n  AAA\x07 , 2\x1b \n")
    assert table.rows == [(2, ["AAA", "2"])]


@pytest.mark.parametrize(
    ("data", "filename", "kind"),
    [
        (b"", "a.csv", "empty"),
        (b"  \r\n\r\n", "a.csv", "empty"),
        (b";;;\r\n;;\r\n", "a.csv", "empty"),
        (b"x" * (MAX_BYTES + 1), "a.csv", "too_large"),
        (b"sheet,Q1\n\x81\x8d\x8f,1\n", "a.csv", "encoding"),
        (b"%PDF-1.7\x00\x01binary", "a.csv", "binary"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "a.xls", "old_excel"),
        (b"sheet,Q1\n", "a.xlsx", "not_xlsx"),
        (b"PK\x03\x04 not really a zip", "a.xlsx", "not_xlsx"),
        (b'sheet,Q1\nAAA,"' + b"x" * 200_000 + b"\n", "a.csv", "not_csv"),
    ],
)
def test_unreadable_files_say_why(data, filename, kind):
    with pytest.raises(UnreadableFile) as refused:
        read_table(data, filename)
    assert refused.value.kind == kind


def test_a_header_without_rows_is_a_table_without_rows():
    assert read_table(b"sheet;Q1\r\n").rows == []


def test_xlsx_formulas_stay_text_and_numbers_read_as_typed():
    data = xlsx([["sheet", "Q1", "Q2", "Q3"], ["AAA", "=1+1", 3, 7.0], ["BBB", None, "1 2", 2.5]])
    table = read_table(data, "answers.xlsx")
    assert table.format == "xlsx"
    assert table.rows == [(2, ["AAA", "=1+1", "3", "7"]), (3, ["BBB", "", "1 2", "2.5"])]


def test_an_xlsx_file_is_read_by_its_content_whatever_its_name():
    assert read_table(xlsx([["sheet"], ["AAA"]]), "answers.csv").rows == [(2, ["AAA"])]


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


def test_too_many_rows_or_columns(monkeypatch):
    import paper.import_files as files

    monkeypatch.setattr(files, "MAX_ROWS", 2)
    monkeypatch.setattr(files, "MAX_COLUMNS", 3)
    with pytest.raises(UnreadableFile, match="too_many_rows"):
        read_table(b"sheet\nA\nB\nC\n")
    with pytest.raises(UnreadableFile, match="too_many_columns"):
        read_table(b"a,b,c,d\n1,2,3,4\n")
