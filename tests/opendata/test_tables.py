"""The published mirror as tables to download: read back, a figure the pages leave out is
an empty cell with a reason (never a zero), formulas are neutralised, and the mirror pages
link to them. English (the reader's session) unless a test says otherwise."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from core.db import db
from opendata.tables import neutral
from villages.queries import village_by_name


@pytest.fixture
def english(client):
    with client.session_transaction() as session:
        session["language"] = "en"


def read_csv(client, path: str) -> list[dict[str, str]]:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel reads UTF-8 with the mark
    return list(csv.DictReader(io.StringIO(text[1:])))


def read_xlsx(client, path: str) -> list[dict[str, object]]:
    response = client.get(path)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    lines = list(sheet.iter_rows(values_only=True))
    return [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]


def test_a_village_table_has_the_apis_figures_and_empty_cells_with_a_reason(
    client, english, mirrored
):
    api = client.get("/api/v1/mirror/hooghalen?lang=en").get_json()
    rows = read_csv(client, "/dorpsspiegel/hooghalen.csv")
    village = [r for r in rows if r["Village"] == "Hooghalen"]
    whole = [r for r in rows if r["Village"] == "Whole municipality"]
    assert len(village) == len(api["village"]["figures"]) == len(whole)
    for row, figure in zip(village, api["village"]["figures"], strict=True):
        assert row["Indicator code"] == figure["indicator"]
        assert row["Figure"] == "" and row["Lower bound"] == "" and row["Upper bound"] == ""
        assert row["Number of answers (rounded)"] == ""
        assert row["Not shown because"] == figure["reason_label"] == "Not enough answers"
    for row, figure in zip(whole, api["municipality"], strict=True):
        if figure["suppressed"]:
            assert row["Figure"] == "" and row["Not shown because"]
        else:
            assert float(row["Figure"]) == figure["estimate"]
            assert int(row["Number of answers (rounded)"]) == figure["n"]
            assert row["Not shown because"] == ""


def test_the_table_of_all_villages_reads_back_the_same_from_csv_and_xlsx(client, english, mirrored):
    api = client.get("/api/v1/mirror?lang=en").get_json()
    from_csv = read_csv(client, "/dorpsspiegel/alle-dorpen.csv")
    from_xlsx = read_xlsx(client, "/dorpsspiegel/alle-dorpen.xlsx")
    figures = api["municipality"] + [f for v in api["villages"] for f in v["figures"]]
    assert len(from_csv) == len(from_xlsx) == len(figures)
    for row, cell, figure in zip(from_csv, from_xlsx, figures, strict=True):
        assert row["Indicator code"] == cell["Indicator code"] == figure["indicator"]
        assert row["Area of the figure"] == cell["Area of the figure"] == figure["area"]
        if figure["suppressed"]:
            assert cell["Figure"] is None and cell["Number of answers (rounded)"] is None
            assert cell["Not shown because"] == row["Not shown because"] != ""
        else:
            assert cell["Figure"] == figure["estimate"] == float(row["Figure"])
            assert cell["Lower bound"] == figure["interval"]["low"]
            assert cell["Number of answers (rounded)"] == figure["n"]
            assert cell["Not shown because"] is None
    assert any(f["suppressed"] for f in figures) and not all(f["suppressed"] for f in figures)
    assert client.get("/dorpsspiegel/nowhere.csv").status_code == 404


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_a_spreadsheet_would_run_is_neutralised(start):
    assert neutral(start + "1+1") == "'" + start + "1+1"
    assert neutral("Beilen") == "Beilen" and neutral(7.5) == 7.5 and neutral(None) is None


def test_a_formula_in_a_village_name_stays_text_in_both_tables(client, english, mirrored):
    village_by_name("Hooghalen").name = '=HYPERLINK("http://evil.example","x")'
    db.session.commit()
    name = "'" + '=HYPERLINK("http://evil.example","x")'
    assert any(r["Village"] == name for r in read_csv(client, "/dorpsspiegel/hooghalen.csv"))
    response = client.get("/dorpsspiegel/hooghalen.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == name]
    assert cells and all(c.data_type == "s" for c in cells)


def test_the_mirror_pages_link_to_the_tables(client, english, mirrored):
    overview = client.get("/dorpsspiegel").get_data(as_text=True)
    assert 'href="/dorpsspiegel/alle-dorpen.csv"' in overview
    assert 'href="/dorpsspiegel/alle-dorpen.xlsx"' in overview
    page = client.get("/dorpsspiegel/beilen").get_data(as_text=True)
    assert 'href="/dorpsspiegel/beilen.csv"' in page and 'href="/dorpsspiegel/beilen.xlsx"' in page
