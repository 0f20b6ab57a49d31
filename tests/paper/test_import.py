"""Officials import paper questionnaires typed elsewhere: dry run, import, once.

The questionnaire: WOONT (single, required), JAREN (number 0-100, required, on a page
shown only when WOONT is 1), HOBBY (multiple with "other, namely"), the grid items G1 and
G2, RANK (the top 2 of three), OPMERKING (short text). Values are the printed numbers.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from audit.models import AuditEvent
from core.dates import local_today
from core.db import db, utcnow
from fieldwork.models import AnonymousResponse, Response
from panel.models import Channel
from paper import importing
from paper.models import BatchKind, PaperImport, PrintBatch, Sheet, SheetStatus
from paper.sheet_ids import display, new_sheet_id
from surveys.services import create_survey
from tests.conftest import csrf_token_from, form_key_from, start_session
from tests.helpers import count, wait_for_jobs
from tests.test_double_submit import at_once

YES_NO = [{"code": "1", "label": {"nl": "Ja"}}, {"code": "2", "label": {"nl": "Nee"}}]
ABC = [{"code": c, "label": {"nl": c.upper()}} for c in ("a", "b", "c")]
DEFINITION = {
    "schema_version": 1,
    "title": {"nl": "Wonen op papier"},
    "pages": [
        {
            "code": "P1",
            "title": {"nl": "Een"},
            "questions": [
                {"code": "WOONT", "type": "single", "text": {"nl": "Woont u hier?"},
                 "required": True, "options": YES_NO},
            ],
        },
        {
            "code": "P2",
            "title": {"nl": "Twee"},
            "condition": {"question": "WOONT", "equals": "1"},
            "questions": [
                {"code": "JAREN", "type": "number", "text": {"nl": "Hoe lang?"},
                 "required": True, "minimum": 0, "maximum": 100},
            ],
        },
        {
            "code": "P3",
            "title": {"nl": "Drie"},
            "questions": [
                {"code": "HOBBY", "type": "multiple", "text": {"nl": "Hobby's?"},
                 "options": ABC, "other": True},
                {"code": "GRID", "type": "likert_grid", "text": {"nl": "Stellingen"},
                 "items": [{"code": "G1", "text": {"nl": "Een"}},
                           {"code": "G2", "text": {"nl": "Twee"}}]},
                {"code": "RANK", "type": "ranking", "text": {"nl": "Top twee"},
                 "options": ABC, "rank_count": 2},
                {"code": "OPMERKING", "type": "text", "text": {"nl": "Nog iets?"}},
            ],
        },
    ],
}  # fmt: skip
HEADER = ["sheet", "WOONT", "JAREN", "HOBBY", "HOBBY_other", "G1", "G2", "RANK", "OPMERKING"]
GOOD = ["1", "12", "1 3", "", "2", "4", "1 2", "Fijn"]


@pytest.fixture
def english(client):
    with client.session_transaction() as session:
        session["language"] = "en"


@pytest.fixture
def survey(app, make_village):
    """A published survey; the test runs inside a request, as the checks of the web form do."""
    village = make_village("Orvelte")
    survey = create_survey(DEFINITION, by=None, villages=[village])
    today = local_today()
    survey.publish(today - timedelta(days=1), today + timedelta(days=30), utcnow())
    db.session.commit()
    with app.test_request_context("/"):
        yield survey


def print_sheets(survey, copies: int) -> list[Sheet]:
    version = survey.live_version
    batch = PrintBatch(
        survey=survey, version=version, kind=BatchKind.VILLAGE, village=survey.villages[0],
        copies=copies,
    )  # fmt: skip
    for position in range(1, copies + 1):
        batch.sheets.append(
            Sheet(
                id=new_sheet_id(),
                survey=survey,
                version=version,
                position=position,
                village=survey.villages[0],
            )  # fmt: skip
        )
    db.session.add(batch)
    db.session.commit()
    return list(batch.sheets)


def csv_file(rows, header=HEADER, delimiter=";", encoding="utf-8-sig") -> bytes:
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_file(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    workbook.active.append(header)
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def kept_files(app, sha256: str) -> list:
    from pathlib import Path

    folder = Path(app.instance_path) / "paper-imports"
    return list(folder.glob(f"{sha256}*"))


def paper_responses() -> list[Response]:
    return list(db.session.scalars(select(Response).where(Response.channel == Channel.PAPER)))


# --- the dry run -------------------------------------------------------------------------------


def test_the_dry_run_lists_every_kind_of_problem_with_row_and_column(survey, make_village):
    s = [display(sheet.id) for sheet in print_sheets(survey, 12)]
    other_survey = create_survey(DEFINITION, by=None, villages=survey.villages)
    other_survey.publish(local_today(), local_today() + timedelta(days=9), utcnow())
    db.session.commit()
    elsewhere = display(print_sheets(other_survey, 1)[0].id)
    sheets = db.session.scalars(select(Sheet).where(Sheet.survey_id == survey.id)).all()
    by_id = {display(sheet.id): sheet for sheet in sheets}
    by_id[s[10]].status = SheetStatus.VOID
    by_id[s[11]].status = SheetStatus.ENTERED
    db.session.commit()
    rows = [
        [s[0], *GOOD],  # 2: fine
        [s[1], "7", "", "", "", "", "", "", ""],  # 3: no box 7
        [s[2], "x", "", "", "", "", "", "", ""],  # 4: not a box number
        [s[3], "1", "abc", "", "", "", "", "", ""],  # 5: not a number
        [s[4], "1", "150", "", "", "", "", "", ""],  # 6: number out of range
        [s[5], "", "", "", "", "", "", "", ""],  # 7: required question empty
        [s[6], "2", "5", "", "", "", "", "", ""],  # 8: the paper skips JAREN after "no"
        [s[7], "2", "", "", "", "", "", "", "x" * 501],  # 9: text too long
        [s[8], "2", "", "", "", "", "", "1 1", ""],  # 10: a ranking with one option twice
        [s[0], *GOOD],  # 11: the same sheet again
        ["ZZZZ", "1", "5", "", "", "", "", "", ""],  # 12: not a sheet id
        [display(new_sheet_id()), "1", "5", "", "", "", "", "", ""],  # 13: never printed
        [elsewhere, "1", "5", "", "", "", "", "", ""],  # 14: another survey's
        [s[10], "1", "5", "", "", "", "", "", ""],  # 15: withdrawn
        [s[11], "1", "5", "", "", "", "", "", ""],  # 16: entered already: skipped
        ["", "1", "5", "", "", "", "", "", ""],  # 17: answers without a sheet id
        [s[9], *GOOD, "", "stray"],  # 18: a value in a column without a header
    ]
    data = csv_file(rows, header=[*HEADER, "EXTRA"])
    report = importing.dry_run(survey, data, "answers.csv")
    found = {(p.row, p.letter, p.kind) for p in report.problems}
    assert found >= {
        (None, "J", "unknown_column"),
        (3, "B", "out_of_range"),
        (4, "B", "unknown_code"),
        (5, "C", "not_a_number"),
        (6, "C", "out_of_range"),
        (7, "B", "required"),
        (8, "C", "routing"),
        (9, "I", "too_long"),
        (10, "H", "ranking"),
        (11, "A", "duplicate_sheet"),
        (12, "A", "malformed"),
        (13, "A", "unknown"),
        (14, "A", "other_survey"),
        (15, "A", "void"),
        (17, "A", "no_sheet_id"),
        (18, "K", "unnamed_column"),
    }
    assert not [p for p in report.problems if p.row in (2, 16)]
    assert report.skipped == [(16, s[11])]
    assert all(p.message for p in report.problems)
    assert not report.ok and count(Response) == 0


def test_columns_are_found_by_header_in_any_order_and_missing_ones_are_listed(survey):
    sheet = print_sheets(survey, 1)[0]
    header = ["RANK", "woont", "Sheet", "JAREN", "G1"]
    report = importing.dry_run(survey, csv_file([["", "1", sheet.id, "3", "5"]], header), "a.csv")
    missing = {p.column for p in report.problems if p.kind == "missing_column"}
    assert missing == {"HOBBY", "HOBBY_other", "G2", "OPMERKING"}
    assert {p.kind for p in report.problems} == {"missing_column"}


def test_a_closed_survey_takes_no_imports(survey):
    sheet = print_sheets(survey, 1)[0]
    survey.close()
    db.session.commit()
    report = importing.dry_run(survey, csv_file([[sheet.id, *GOOD]]), "a.csv")
    assert [p.kind for p in report.problems] == ["closed"]


# --- the real import ---------------------------------------------------------------------------


def upload(client, survey, data: bytes, filename="answers.csv"):
    url = f"/surveys/{survey.id}/paper/import"
    token = csrf_token_from(client.get(url).text)
    # Encoded in memory: the test client's own encoding leaves a temporary file open for
    # large uploads.
    boundary, body = encode_multipart(
        {"csrf_token": token, "file": FileStorage(io.BytesIO(data), filename)}
    )
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def confirm_fields(html: str) -> dict[str, str]:
    import re

    fields = dict(re.findall(r'name="(sha256|filename)"[^>]*value="([^"]*)"', html))
    return {"csrf_token": csrf_token_from(html), **form_key_from(html), **fields}


def test_a_file_is_imported_once_however_often_it_is_sent(client, login_as, survey):
    login_as("official")
    sheets = print_sheets(survey, 3)
    data = csv_file([[sheet.id, *GOOD] for sheet in sheets])
    checked = upload(client, survey, data, filename="antwoorden\x00\x07 .csv")
    assert checked.status_code == 200 and 'id="problems"' not in checked.text
    fields = confirm_fields(checked.text)
    url = f"/surveys/{survey.id}/paper/import/confirm"
    done = client.post(url, data=fields)
    assert done.status_code == 303
    again = client.post(url, data=fields)  # a double click
    assert again.location == done.location
    db.session.expire_all()
    responses = paper_responses()
    assert len(responses) == 3 and count(PaperImport) == 1
    assert responses[0].answers["HOBBY"] == ["a", "c"] and responses[0].answers["JAREN"] == 12
    assert {sheet.status for sheet in db.session.scalars(select(Sheet))} == {SheetStatus.ENTERED}
    paper_import = db.session.scalars(select(PaperImport)).one()
    assert (paper_import.rows, paper_import.accepted, paper_import.skipped) == (3, 3, 0)
    assert paper_import.filename == "antwoorden .csv"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "paper.imported"))
    assert event.one().detail["accepted"] == 3
    assert client.get(done.location).status_code == 200
    assert kept_files(client.application, fields["sha256"]) == []  # no answers left on disk

    # The same file again: every sheet is skipped, nothing to confirm, nothing changes.
    checked = upload(client, survey, data)
    assert checked.status_code == 200 and 'id="nothing"' in checked.text
    assert 'name="sha256"' not in checked.text
    assert len(paper_responses()) == 3 and count(PaperImport) == 1


def test_sheets_entered_before_are_skipped_and_counted(survey):
    entered, new = print_sheets(survey, 2)
    data = csv_file([[entered.id, *GOOD]])
    importing.run_import(survey, data, "first.csv", None, utcnow())
    data = csv_file([[entered.id, *GOOD], [new.id, *GOOD]])
    checked = importing.dry_run(survey, data, "second.csv").checked()
    made = importing.run_import(survey, data, "second.csv", None, utcnow(), checked=checked)
    assert (made.rows, made.accepted, made.skipped) == (2, 1, 1)
    assert len(paper_responses()) == 2


@pytest.mark.parametrize(
    ("delimiter", "encoding"), [(";", "cp1252"), (",", "utf-8-sig"), (",", "utf-8")]
)
def test_encodings_and_separators_of_dutch_and_english_spreadsheets(survey, delimiter, encoding):
    sheet = print_sheets(survey, 1)[0]
    row = [display(sheet.id), "1", "3", "2", "", "", "", "", "Café, mooi"]
    if delimiter == ",":
        row[-1] = '"Café, mooi"'
    importing.run_import(survey, csv_file([row], delimiter=delimiter, encoding=encoding),
                         "a.csv", None, utcnow())  # fmt: skip
    assert paper_responses()[0].answers["OPMERKING"] == "Café, mooi"


def test_named_copies_answer_through_their_invitation_once(survey, make_member):
    from tests.paper.entry_helpers import print_sheets as print_named

    paper, online = make_member("Orvelte", channel="paper"), make_member("Orvelte")
    sheet, other = print_named(survey, members=[paper, online])
    other.invitation.took_part = True  # this member answered online meanwhile
    db.session.commit()
    data = csv_file([[sheet.id, *GOOD], [other.id, *GOOD]])
    report = importing.dry_run(survey, data, "a.csv")
    assert [(p.row, p.kind) for p in report.problems] == [(3, "answered_online")]
    importing.run_import(survey, csv_file([[sheet.id, *GOOD]]), "a.csv", None, utcnow())
    db.session.commit()
    [response] = paper_responses()
    assert sheet.invitation.response_id == response.id and sheet.invitation.took_part


def test_on_an_anonymous_survey_imported_answers_keep_no_link_to_their_sheet(survey):
    survey.anonymous = True
    db.session.commit()
    sheet = print_sheets(survey, 1)[0]
    importing.run_import(survey, csv_file([[sheet.id, *GOOD]]), "a.csv", None, utcnow())
    db.session.commit()
    stored = db.session.scalars(select(AnonymousResponse)).one()
    assert stored.channel is Channel.PAPER and stored.answers["OPMERKING"] == "Fijn"
    assert paper_responses() == [] and db.session.get(Sheet, sheet.id).response_id is None
    detail = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "paper.imported")
    )
    assert sheet.id not in str(detail.one())


def test_an_xlsx_formula_is_text_and_refused_like_any_wrong_value(survey):
    first, second = print_sheets(survey, 2)
    data = xlsx_file([[first.id, "=1+0"], [second.id, 1, 3]])
    report = importing.dry_run(survey, data, "answers.xlsx")
    assert [(p.row, p.letter, p.kind) for p in report.problems if p.kind != "missing_column"] == [
        (2, "B", "unknown_code")
    ]


def test_a_filled_in_xlsx_template_imports(client, login_as, survey):
    login_as("official")
    sheet = print_sheets(survey, 1)[0]
    template = client.get(f"/surveys/{survey.id}/paper/import/template.xlsx")
    assert template.status_code == 200
    workbook = load_workbook(io.BytesIO(template.data))
    assert [c.value for c in workbook.worksheets[0][1]] == HEADER
    legend = [[c.value for c in row] for row in workbook.worksheets[1].iter_rows()]
    assert legend[2][0] == "WOONT" and "1 = Ja" in legend[2][3]
    workbook.worksheets[0].append([display(sheet.id), 2, None, "2", None, 5, 6, "3 1", None])
    out = io.BytesIO()
    workbook.save(out)
    importing.run_import(survey, out.getvalue(), "filled.xlsx", None, utcnow())
    answers = paper_responses()[0].answers
    assert answers["WOONT"] == "2" and answers["G2"] == "9" and "JAREN" not in answers


def test_the_csv_template_is_the_header_row(client, login_as, survey):
    login_as("official")
    template = client.get(f"/surveys/{survey.id}/paper/import/template.csv")
    assert template.data.decode("utf-8-sig") == ";".join(HEADER) + "\r\n"


def test_a_confirmation_sent_from_several_tabs_at_once_imports_once(app, make_account, survey):
    official = make_account("official")
    sheets = print_sheets(survey, 2)
    tabs = [app.test_client() for _ in range(3)]
    for tab in tabs:
        start_session(tab, official)
    checked = upload(tabs[0], survey, csv_file([[s.id, *GOOD] for s in sheets]))
    fields = confirm_fields(checked.text)
    page = f"/surveys/{survey.id}/paper/import"
    # The one checked file's confirmation, with each tab's own CSRF token.
    sent = [{**fields, "csrf_token": csrf_token_from(tab.get(page).text)} for tab in tabs]
    url = f"{page}/confirm"
    pairs = zip(tabs, sent, strict=True)
    outcomes = at_once([lambda tab=tab, data=data: tab.post(url, data=data) for tab, data in pairs])
    assert len(set(outcomes)) == 1 and outcomes[0][0] == 303
    db.session.expire_all()
    assert len(paper_responses()) == 2 and count(PaperImport) == 1


def test_a_large_file_is_checked_and_imported_in_the_background(
    client, login_as, survey, monkeypatch
):
    monkeypatch.setattr(importing, "BACKGROUND_ROWS", 1)
    official = login_as("official")
    sheets = print_sheets(survey, 3)
    rows = [[s.id, *GOOD] for s in sheets[:2]] + [[sheets[2].id, "7"]]
    started = upload(client, survey, csv_file(rows))
    assert started.status_code == 303 and "/paper/import/checks/" in started.location
    wait_for_jobs()
    report = client.get(started.location)
    assert report.status_code == 422 and 'data-kind="out_of_range"' in report.text
    assert 'name="sha256"' not in report.text

    started = upload(client, survey, csv_file(rows[:2]))
    wait_for_jobs()
    report = client.get(started.location)
    assert report.status_code == 200 and 'name="sha256"' in report.text
    url = f"/surveys/{survey.id}/paper/import/confirm"
    fields = confirm_fields(report.text)
    running = client.post(url, data=fields)
    assert running.status_code == 303 and "/paper/import/runs/" in running.location
    again = client.post(url, data=fields)  # a double click: a second job, the same import
    wait_for_jobs()
    done = client.get(running.location)
    assert done.status_code == 303 and "/paper/imports/" in done.location
    if "/paper/imports/" not in again.location:  # still a job when it was sent
        again = client.get(again.location)
    assert again.location == done.location
    db.session.expire_all()
    assert len(paper_responses()) == 2 and count(PaperImport) == 1
    event = select(AuditEvent.actor_id).where(AuditEvent.action == "paper.imported")
    assert db.session.scalars(event).one() == official.id
    other = create_survey(DEFINITION, by=None)
    db.session.commit()
    job_id = started.location.rsplit("/", 1)[1]
    assert client.get(f"/surveys/{other.id}/paper/import/checks/{job_id}").status_code == 404


def test_the_background_check_shows_its_progress_until_done(make_app, make_account, survey):
    """Queued jobs, never handed to a worker: no job thread in this web process (stopping
    one is not enough, the next request starts it again and it may take the job first)."""
    from jobs.models import Job

    client = make_app(JOBS_WEB_WORKER=False).test_client()
    start_session(client, make_account("official"))
    for name, path in (("paper.check_import", "checks"), ("paper.run_import", "runs")):
        job = Job(name=name, params={"survey_id": survey.id, "filename": "a.csv"})
        db.session.add(job)  # queued, never handed to a worker
        db.session.commit()
        page = client.get(f"/surveys/{survey.id}/paper/import/{path}/{job.id}")
        assert page.status_code == 200 and "data-job-status-url" in page.text


# --- bad files -------------------------------------------------------------------------------


def test_an_empty_file_is_refused_clearly(client, login_as, english, survey):
    login_as("official")
    for empty in (b"", b"\r\n", b";;;\r\n"):
        response = upload(client, survey, empty)
        assert response.status_code == 422 and "The file is empty." in response.text
    response = upload(client, survey, b"sheet;WOONT\r\n")
    assert response.status_code == 422 and "no rows with answers" in response.text


def test_files_over_the_limit_are_refused_with_a_size_message(client, login_as, english, survey):
    login_as("official")
    response = upload(client, survey, b"sheet;WOONT\r\n" + b"x" * (11 * 1024 * 1024))
    assert response.status_code == 422 and "larger than 10 MB" in response.text
    response = upload(client, survey, b"x" * (50 * 1024 * 1024))
    assert response.status_code == 413 and "larger than 10 MB" in response.text


def test_nothing_is_half_stored_when_a_sheet_is_refused_halfway(survey, monkeypatch):
    sheets = print_sheets(survey, 3)
    real_accept_many = importing.accept_many

    def accept_all_but_the_last(accepted, now, **kwargs):
        real_accept_many(accepted[:-1], now, **kwargs)  # written and flushed
        raise importing.SheetRefused("void", "withdrawn meanwhile")

    monkeypatch.setattr(importing, "accept_many", accept_all_but_the_last)
    with pytest.raises(importing.ImportRefused) as refused:
        importing.run_import(survey, csv_file([[s.id, *GOOD] for s in sheets]), "a.csv", None,
                             utcnow())  # fmt: skip
    assert count(Response) == 2  # inside the transaction, before the caller rolls back
    db.session.rollback()
    assert [p.kind for p in refused.value.report.problems] == ["void"]
    assert paper_responses() == [] and count(PaperImport) == 0
    assert {s.status for s in db.session.scalars(select(Sheet))} == {SheetStatus.PRINTED}


def test_a_confirmation_whose_file_changed_meanwhile_imports_nothing(client, login_as, survey):
    login_as("official")
    sheets = print_sheets(survey, 2)
    checked = upload(client, survey, csv_file([[s.id, *GOOD] for s in sheets]))
    db.session.get(Sheet, sheets[1].id).status = SheetStatus.VOID
    db.session.commit()
    response = client.post(
        f"/surveys/{survey.id}/paper/import/confirm", data=confirm_fields(checked.text)
    )
    assert response.status_code == 422 and 'data-kind="void"' in response.text
    assert paper_responses() == [] and count(PaperImport) == 0


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["resident", "association", "volunteer", "official"])
@pytest.mark.parametrize("page", ["import", "import/template.csv", "import/template.xlsx"])
def test_only_officials_import(client, login_as, survey, role, page):
    login_as(role, village="Orvelte") if role in ("resident", "association") else login_as(role)
    response = client.get(f"/surveys/{survey.id}/paper/{page}")
    assert response.status_code == (200 if role == "official" else 403)


def test_a_volunteer_cannot_confirm_an_import(client, login_as, survey):
    login_as("volunteer")
    token = csrf_token_from(client.get("/account").text)
    response = client.post(f"/surveys/{survey.id}/paper/import/confirm", data={"csrf_token": token})
    assert response.status_code == 403


def test_every_import_page_is_for_officials_only(app):
    from accounts.models import Role

    endpoints = [e for e in app.view_functions if e.startswith("paper_import.")]
    assert len(endpoints) == 7
    for endpoint in endpoints:
        assert app.view_functions[endpoint].required_roles == {Role.OFFICIAL}, endpoint


def test_the_survey_page_links_to_the_import(client, login_as, survey):
    login_as("official")
    assert f'href="/surveys/{survey.id}/paper/import"' in client.get(f"/surveys/{survey.id}").text
