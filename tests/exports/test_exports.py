"""The officials' microdata: every format reads back with its labels, formulas are
neutralised, nothing identifies a member, ids are new per export, every download is in the
audit log, and only officials get in. Read in English."""

from __future__ import annotations

import csv
import io
import zipfile

import pyreadstat
import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from accounts.models import Account
from audit.models import AuditEvent
from core.db import db
from exports import microdata, services
from exports.variables import NOT_ANSWERED, NOT_ASKED
from fieldwork.models import Response
from jobs.runner import run_next
from panel.models import ContactDetails, Respondent
from surveys.models import Survey
from tests.conftest import start_session
from tests.exports.conftest import FORMULA


class Progress:
    job_id = "test"

    def __call__(self, done, total, detail=""):
        pass


def made(tmp_path, survey, kind):
    """A slow format written by the service, as the job writes it."""
    with force_locale("en"):
        result = services.build_file(f"t{kind}", survey, kind, "en", Progress())
    return tmp_path / f"t{kind}.{result['filename'].rsplit('.', 1)[1]}", result


@pytest.fixture
def folder(app, tmp_path):
    app.config["EXPORTS_DIR"] = str(tmp_path)
    return tmp_path


def csv_rows(client, survey_id, delimiter="comma"):
    response = client.get(f"/surveys/{survey_id}/exports/microdata.csv?delimiter={delimiter}")
    assert response.status_code == 200
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter="," if delimiter == "comma" else ";"))


def test_spss_and_stata_read_back_with_labels_and_missing_codes(folder, exported):
    survey = db.session.get(Survey, exported["survey"])
    completed = microdata.count(survey)
    sav, result = made(folder, survey, "sav")
    frame, meta = pyreadstat.read_sav(str(sav), user_missing=True)
    assert result["rows"] == len(frame) == completed
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["village"] == "Village" and labels["weight"] == "Weight"
    with force_locale("en"):
        likert = next(v for v in microdata.variables(survey, "en") if 9 in v.missing)
    assert meta.variable_value_labels[likert.name][9] == "Don't know"
    assert meta.variable_value_labels[likert.name][NOT_ASKED].startswith("Not asked")
    missing = {r["lo"] for r in meta.missing_ranges[likert.name]}
    assert missing == {NOT_ASKED, NOT_ANSWERED, 9}
    assert frame["weight"].notna().all() and frame["weight"].min() > 0
    assert sorted(frame["respondent_id"]) == list(range(1, completed + 1))
    assert set(frame["channel"]) == {"web", "paper"}

    dta, _ = made(folder, survey, "dta")
    frame, meta = pyreadstat.read_dta(str(dta))
    assert len(frame) == completed
    assert dict(zip(meta.column_names, meta.column_labels, strict=True))["village"] == "Village"
    assert meta.variable_value_labels[likert.name][9] == "Don't know"

    archive, _ = made(folder, survey, "r")
    with zipfile.ZipFile(archive) as zipped:
        names = sorted(zipped.namelist())
        script = zipped.read(names[0]).decode()
    assert [n.rsplit(".", 1)[1] for n in names] == ["R", "csv"]
    assert "read.csv(" in script and f'factor(data[["{likert.name}"]]' in script


def test_formulas_are_neutralised_in_the_spreadsheet_and_the_csv(
    folder, exported, login_as, client
):
    survey = db.session.get(Survey, exported["survey"])
    code = exported["text_code"]
    book, _ = made(folder, survey, "xlsx")
    workbook = load_workbook(book, read_only=True)
    rows = list(workbook["data"].iter_rows(values_only=True))
    workbook.close()
    column = rows[0].index(code)
    texts = [row[column] for row in rows[1:] if row[column]]
    assert "'" + FORMULA in texts and FORMULA not in texts
    assert all(not str(cell).startswith(("=", "+", "@")) for row in rows for cell in row if cell)

    login_as("official")
    for delimiter in ("comma", "semicolon"):
        rows = csv_rows(client, survey.id, delimiter)
        column = rows[0].index(code)
        assert "'" + FORMULA in [row[column] for row in rows[1:]]


def test_no_contact_data_or_pseudonym_on_any_column_and_the_download_is_logged(
    exported, login_as, client
):
    survey = db.session.get(Survey, exported["survey"])
    official = login_as("official")
    rows = csv_rows(client, survey.id)
    secrets = set(db.session.scalars(select(Respondent.pseudonym)))
    secrets |= set(db.session.scalars(select(Account.email)))
    for contact in db.session.scalars(select(ContactDetails)):
        secrets |= {contact.name, contact.address, contact.phone}
    secrets |= set(db.session.scalars(select(Response.id)))
    secrets -= {""}
    assert len(secrets) > 3 * 30
    for column in zip(*rows, strict=True):
        for cell in column:
            assert not any(secret in cell for secret in secrets if len(secret) > 5), cell
    assert len(rows) - 1 == microdata.count(survey)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == services.DOWNLOADED))
    assert event.actor_id == official.id and event.object_id == str(survey.id)
    assert event.detail["format"] == "csv" and event.detail["rows"] == len(rows) - 1


def test_the_random_ids_and_order_differ_between_two_exports(exported, login_as, client):
    login_as("official")
    first, second = csv_rows(client, exported["survey"]), csv_rows(client, exported["survey"])
    assert sorted(map(tuple, (row[1:] for row in first[1:]))) == sorted(
        map(tuple, (row[1:] for row in second[1:]))
    )
    assert sorted(map(tuple, first[1:])) != sorted(map(tuple, second[1:]))
    assert [row[1:] for row in first[1:]] != [row[1:] for row in second[1:]]


def test_the_csv_streams_the_header_before_reading_rows(exported, login_as, client):
    login_as("official")
    response = client.get(f"/surveys/{exported['survey']}/exports/microdata.csv", buffered=False)
    assert response.is_streamed
    chunks = iter(response.response)
    assert next(chunks).decode().startswith("\ufeffrespondent_id,village,age_band,sex,weight")
    assert next(chunks).decode().count(",") > 10
    response.close()


def test_a_slow_format_is_made_in_a_job_and_only_its_official_downloads_it(
    folder, exported, login_as, client, post_form, english, app, make_account
):

    survey_id = exported["survey"]
    login_as("official")
    page = f"/surveys/{survey_id}/exports"
    response = post_form(page, f"{page}/xlsx")
    assert response.status_code == 303 and "/jobs/" in response.location
    assert post_form(page, f"{page}/xlsx").location == response.location  # a double click
    app.extensions["jobs"].stop()
    while run_next():
        pass
    job_page = client.get(response.location).text
    link = f"{page}/files/{response.location.rsplit('/', 1)[1]}"
    assert link in job_page
    download = client.get(link)
    assert download.status_code == 200 and download.data[:2] == b"PK"
    download.close()
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == services.DOWNLOADED)
    ).one()
    assert event.detail["format"] == "xlsx" and event.detail["rows"] > 200
    start_session(client, make_account("official"))
    assert client.get(link).status_code == 404


def test_an_anonymous_wave_exports_its_cells_as_stored_and_never_finer(
    exported, login_as, client, english
):
    login_as("official")
    rows = csv_rows(client, exported["anonymous"])
    header = rows[0]
    village, band, weight = (header.index(c) for c in ("village", "age_band", "weight"))
    assert sum(1 for row in rows[1:] if row[village] == "" and row[band] == "") == 12
    assert all(row[weight] == "" for row in rows[1:])  # no computed figures: no weights
    channel = header.index("channel")
    assert "paper" not in {row[channel] for row in rows[1:]}  # alone in its cell: left out
    assert any(row[channel] == "" for row in rows[1:])
    page = client.get(f"/surveys/{exported['anonymous']}/exports").text
    assert "no computed figures" in page


def test_the_codebook_names_questions_codes_routing_and_indicators(
    exported, login_as, client, english
):
    login_as("official")
    survey = db.session.get(Survey, exported["survey"])
    page = client.get(f"/surveys/{survey.id}/exports/codebook").text
    assert "Codebook of" in page and "Indicators" in page
    for variable in microdata.variables(survey, "en"):
        assert variable.name in page
    assert "Asked only when" in page
    assert "Not asked (skipped by the routing)" in page
    results = client.get(f"/surveys/{survey.id}/results").text
    assert f"/surveys/{survey.id}/exports" in results


def test_the_codebook_pdf(folder, exported):
    survey = db.session.get(Survey, exported["survey"])
    pdf, result = made(folder, survey, "codebook")
    assert pdf.read_bytes()[:5] == b"%PDF-" and result["filename"].endswith(".pdf")


PATHS = [
    ("GET", "/surveys/1/exports"),
    ("GET", "/surveys/1/exports/microdata.csv"),
    ("GET", "/surveys/1/exports/codebook"),
    ("POST", "/surveys/1/exports/sav"),
    ("GET", "/surveys/1/exports/files/abc"),
]


@pytest.mark.parametrize("role", [None, "association", "volunteer", "resident"])
def test_only_officials_get_in(make_app, make_account, role):
    """The role is checked before anything else (CSRF is off here so the POST reaches it)."""

    app = make_app(WTF_CSRF_ENABLED=False)
    client = app.test_client()
    if role is not None:
        with app.app_context():
            village = "Beilen" if role in ("association", "resident") else None
            start_session(client, make_account(role, village=village))
    for method, path in PATHS:
        status = client.open(path, method=method).status_code
        assert status == (302 if role is None else 403), (method, path)


def test_an_open_survey_has_no_export(client, login_as, make_wave):
    survey = make_wave({"Beilen": 3}, close=False)
    login_as("official")
    assert client.get(f"/surveys/{survey.id}/exports").status_code == 404


def test_files_older_than_a_day_are_purged(app, folder):
    import os
    import time

    old, new = folder / "old.sav", folder / "new.sav"
    old.write_bytes(b"x")
    new.write_bytes(b"y")
    os.utime(old, (time.time() - 2 * 86400,) * 2)
    result = app.test_cli_runner().invoke(args=["exports", "purge"])
    assert "Deleted 1 export file" in result.output
    assert not old.exists() and new.exists()


def test_no_weights_once_the_responses_differ_from_the_run(exported, login_as, client, english):
    """Weights recomputed on other responses than the run's would not be the run's."""
    gone = db.session.scalars(select(Response).where(Response.survey_id == exported["survey"]))
    db.session.delete(gone.first())
    db.session.commit()
    login_as("official")
    assert "cannot be given now" in client.get(f"/surveys/{exported['survey']}/exports").text
    rows = csv_rows(client, exported["survey"])
    weight = rows[0].index("weight")
    assert {row[weight] for row in rows[1:]} == {""}
