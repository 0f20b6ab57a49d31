"""Officials make a batch of codes, the job prints them as letters, the PDF is downloaded."""

import io
import re
from datetime import date, timedelta

import pypdfium2 as pdfium
import pytest
import zxingcpp
from flask_babel import force_locale, format_date
from pypdf import PdfReader
from sqlalchemy import select

from audit.models import AuditEvent
from core.db import db
from jobs.models import Job, JobStatus
from jobs.runner import run_job
from panel.models import MemberStatus
from recruitment.codes import formatted
from recruitment.models import RecruitmentBatch, RecruitmentCode
from recruitment.services import create_batch, find_code, redeem
from tests.conftest import csrf_token_from, form_key_from
from tests.helpers import count, wait_for_jobs
from villages.models import Village
from villages.queries import village_by_name

BASE_URL = "http://naoberpanel.test"
FUTURE = date.today() + timedelta(days=60)


def make_letters(post_form, village="Orvelte", size=3, expires_on=FUTURE, note="sample A"):
    data = {"size": size, "expires_on": expires_on.isoformat(), "note": note}
    if village is not None:
        data["village"] = village_by_name(village).id
    return post_form("/recruitment/new", data=data)


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def qr_texts(pdf: bytes) -> list[str]:
    """The text of the QR code on each page, read as a phone camera would."""
    document = pdfium.PdfDocument(pdf)
    texts = []
    for page in document:
        found = zxingcpp.read_barcodes(page.render(scale=3).to_pil())
        assert len(found) == 1, "expected one QR code per letter"
        texts.append(found[0].text)
    return texts


@pytest.fixture
def official(login_as, seeded):
    return login_as("official")


def test_an_official_makes_letters_and_downloads_them(client, post_form, official):
    response = make_letters(post_form, size=3)
    assert response.status_code == 303
    batch = db.session.scalars(select(RecruitmentBatch)).one()
    assert response.location == f"/recruitment/{batch.id}"
    assert (batch.size, batch.note, batch.expires_on) == (3, "sample A", FUTURE)
    assert count(RecruitmentCode) == 3
    wait_for_jobs()
    db.session.expire_all()
    job = db.session.get(Job, batch.letters_job_id)
    assert job.status is JobStatus.SUCCEEDED and job.params == {}  # the codes are erased
    assert (job.steps_done, job.steps_total) == (3, 3)

    response = client.get(f"/recruitment/{batch.id}/letters.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    assert audit_actions()[-2:] == ["recruitment.batch_created", "recruitment.letters_downloaded"]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("recr%"))).all()
    assert events[0].detail == {"village": batch.village_id, "size": 3}
    assert all(e.actor_id == official.id and e.object_id == str(batch.id) for e in events)


def test_the_letters_carry_code_village_expiry_and_a_working_qr_code(client, post_form, official):
    make_letters(post_form, village="Wijster", size=3)
    wait_for_jobs()
    batch = db.session.scalars(select(RecruitmentBatch)).one()
    pdf = client.get(f"/recruitment/{batch.id}/letters.pdf").data
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 3
    with force_locale("nl"):
        expiry = format_date(FUTURE, "long")  # Dutch: "27 januari 2027"
    codes = []
    for page, qr in zip(pages, qr_texts(pdf), strict=True):
        text = page.extract_text()
        assert qr.startswith(f"{BASE_URL}/join/")
        code = qr.removeprefix(f"{BASE_URL}/join/")
        assert code in text and "Wijster" in text and expiry in text
        assert "naoberpanel.test/join" in text and "14 0593" in text
        assert find_code(code).batch_id == batch.id
        codes.append(code)
    assert len(set(codes)) == 3
    assert all(re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{3}", c) for c in codes)


def test_the_stored_codes_are_hashes_and_work_once(client, post_form, official, english):
    make_letters(post_form, size=2)
    wait_for_jobs()
    batch = db.session.scalars(select(RecruitmentBatch)).one()
    pdf = client.get(f"/recruitment/{batch.id}/letters.pdf").data
    code = qr_texts(pdf)[0].rsplit("/", 1)[1]
    stored = db.session.scalars(select(RecruitmentCode.code_hash)).all()
    assert code.replace("-", "") not in stored and code not in stored
    assert redeem(find_code(code)) is True
    db.session.commit()
    html = client.get("/recruitment/").text
    assert "1 of 2" in html


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"size": 0}, "Enter a number of letters from 1 to 2000."),
        ({"size": 5000}, "Enter a number of letters from 1 to 2000."),
        ({"size": ""}, "Enter the number of letters."),
        ({"expires_on": date.today() - timedelta(days=1)}, "Choose a day after today."),
        ({"expires_on": date.today()}, "Choose a day after today."),
        ({"village": None}, "Choose the village the letters are for."),
    ],
)
def test_wrong_input_is_explained_and_nothing_typed_is_lost(
    client, post_form, official, english, changes, error
):
    values = {"village": "Orvelte", "size": 12, "expires_on": FUTURE, "note": "sample B"}
    values.update(changes)
    response = make_letters(post_form, **values)
    assert response.status_code == 200
    assert error in response.text and 'id="error-summary"' in response.text
    assert "<title>Error: " in response.text
    assert 'value="sample B"' in response.text
    assert f'value="{values["size"]}"' in response.text
    assert f'value="{values["expires_on"].isoformat()}"' in response.text
    if values["village"]:
        orvelte = village_by_name("Orvelte").id
        assert f'<option selected value="{orvelte}">Orvelte</option>' in response.text
    assert count(RecruitmentBatch) == 0 and count(Job) == 0


def test_neighbourhoods_are_not_offered(client, official):
    html = client.get("/recruitment/new").text
    assert ">Orvelte</option>" in html and ">Beilen</option>" in html
    neighbourhood = db.session.scalars(select(Village).where(Village.part_of_id.is_not(None)))
    assert f">{neighbourhood.first().name}</option>" not in html


def test_the_batch_page_shows_the_funnel(client, official, make_batch, make_member, english):
    batch = make_batch(size=10, redeemed=3)
    make_member(recruitment_batch_id=batch.id)
    make_member(recruitment_batch_id=batch.id)
    make_member(recruitment_batch_id=batch.id, status=MemberStatus.LEFT, left_at=db.func.now())
    html = client.get(f"/recruitment/{batch.id}").text
    cells = re.findall(
        r'scope="row">([^<]+)</th>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>([^<]+)</td>', html
    )
    assert cells == [
        ("Letters", "10", "100%"),
        ("Codes used to sign up", "3", "30%"),
        ("Still in the panel", "2", "20%"),
        ("Left the panel since", "1", "10%"),
        ("Codes not used", "7", "70%"),
    ]
    assert "The codes exist only in this PDF" in html


def test_the_list_shows_every_batch_with_its_state(client, official, make_batch, english):
    ready = make_batch(village="Orvelte", size=4, redeemed=1)
    printed = make_batch(village="Spier", size=2, pdf=None, expires_in=-1)
    printed.letters_ready_at = db.func.now()
    db.session.commit()
    html = client.get("/recruitment/").text
    assert "2 batches of letters" in html
    assert f'href="/recruitment/{ready.id}/letters.pdf"' in html and "1 of 4" in html
    assert "Printed; PDF deleted" in html and "(expired)" in html
    assert f'href="/recruitment/{printed.id}/letters.pdf"' not in html


def test_the_pdf_is_deleted_once_printed_and_the_codes_keep_working(
    client, post_form, official, english
):
    make_letters(post_form, size=1)
    wait_for_jobs()
    batch = db.session.scalars(select(RecruitmentBatch)).one()
    code = qr_texts(client.get(f"/recruitment/{batch.id}/letters.pdf").data)[0].rsplit("/", 1)[1]
    page = f"/recruitment/{batch.id}"
    response = post_form(page, f"{page}/letters/delete")
    assert response.status_code == 303 and response.location == page
    html = client.get(page).text
    assert "The PDF with the letters is deleted." in html
    assert "The letters are printed and the PDF is deleted." in html
    assert client.get(f"{page}/letters.pdf").status_code == 404
    assert audit_actions()[-1] == "recruitment.letters_deleted"
    db.session.expire_all()
    assert db.session.get(RecruitmentBatch, batch.id).letters_pdf is None
    assert find_code(code).batch_id == batch.id


def test_while_the_letters_are_made_the_page_offers_a_refresh(
    client, official, make_batch, english
):
    batch = make_batch(pdf=None)
    db.session.add(job := Job(name="recruitment.render_letters", status=JobStatus.RUNNING))
    db.session.flush()
    batch.letters_job_id = job.id
    db.session.commit()
    html = client.get(f"/recruitment/{batch.id}").text
    assert "Being made" in html and "Refresh this page" in html
    assert f'href="/jobs/{job.id}"' in html
    assert f"/recruitment/{batch.id}/letters.pdf" not in html


def test_a_failed_job_says_to_make_new_letters(client, official, make_batch, english):
    batch = make_batch(pdf=None)
    html = client.get(f"/recruitment/{batch.id}").text
    assert "Making the letters failed." in html


def test_a_batch_larger_than_one_chunk_becomes_one_letter_per_page(app, make_village):
    batch, plain = create_batch(make_village("Spier"), 12, FUTURE, "", by=None)
    db.session.commit()
    batch_id = batch.id
    run_job(batch.letters_job_id)  # as a worker does; it ends the session
    batch = db.session.get(RecruitmentBatch, batch_id)
    job = db.session.get(Job, batch.letters_job_id)
    assert (job.status, job.steps_done, job.steps_total) == (JobStatus.SUCCEEDED, 12, 12)
    pages = PdfReader(io.BytesIO(batch.letters_pdf)).pages
    printed = [re.findall(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{3}", p.extract_text()) for p in pages]
    assert [formatted(code) for code in plain] == [codes[0] for codes in printed]
    assert all(len(set(codes)) == 1 for codes in printed)  # the letter and its reply slip


@pytest.mark.parametrize(("size", "days"), [(0, 30), (2001, 30), (1, 0)])
def test_the_service_refuses_what_the_form_refuses(app, make_village, size, days):
    with pytest.raises(ValueError):
        create_batch(make_village(), size, date.today() + timedelta(days=days), "", by=None)


def test_a_double_submit_makes_one_batch(client, post_form, official):
    html = client.get("/recruitment/new").text
    data = {
        "csrf_token": csrf_token_from(html),
        **form_key_from(html),
        "village": village_by_name("Orvelte").id,
        "size": 2,
        "expires_on": FUTURE.isoformat(),
    }
    first = client.post("/recruitment/new", data=data)
    second = client.post("/recruitment/new", data=data)
    assert first.status_code == second.status_code == 303
    assert first.location == second.location
    assert count(RecruitmentBatch) == 1 and count(RecruitmentCode) == 2 and count(Job) == 1
    assert audit_actions().count("recruitment.batch_created") == 1
    make_letters(post_form, size=2)  # the form opened again: the same batch, made on purpose
    assert count(RecruitmentBatch) == 2


def replace_codes(post_form, batch):
    page = f"/recruitment/{batch.id}"
    return post_form(page, f"{page}/codes/replace")


def test_failed_letters_get_new_codes_and_new_letters(
    client, post_form, official, english, make_batch
):
    batch = make_batch(size=2, pdf=None)  # no letters job: it failed long ago
    old = set(db.session.scalars(select(RecruitmentCode.code_hash)))
    page = f"/recruitment/{batch.id}"
    assert "Make new codes and letters" in client.get(page).text
    response = replace_codes(post_form, batch)
    assert response.status_code == 303 and response.location == page
    assert "New codes are made." in client.get(page).text
    db.session.expire_all()
    new = set(db.session.scalars(select(RecruitmentCode.code_hash)))
    assert len(new) == 2 and not new & old
    batch = db.session.get(RecruitmentBatch, batch.id)
    assert db.session.get(Job, batch.letters_job_id).name == "recruitment.render_letters"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "recruitment.codes_replaced")
    ).one()
    assert event.object_id == str(batch.id) and event.detail == {"size": 2}
    assert event.actor_id == official.id
    wait_for_jobs()
    pdf = client.get(f"{page}/letters.pdf").data
    code = qr_texts(pdf)[0].rsplit("/", 1)[1]
    assert find_code(code).batch_id == batch.id


@pytest.mark.parametrize("state", ["redeemed", "ready", "printed", "running"])
def test_codes_are_replaced_only_when_the_letters_failed_and_none_was_used(
    client, post_form, official, english, make_batch, state
):
    batch = make_batch(size=2, pdf=b"%PDF" if state == "ready" else None)
    if state == "redeemed":
        batch.codes[0].redeemed_at = db.func.now()
    if state == "printed":
        batch.letters_ready_at = db.func.now()
    if state == "running":
        db.session.add(job := Job(name="recruitment.render_letters", status=JobStatus.RUNNING))
        db.session.flush()
        batch.letters_job_id = job.id
    db.session.commit()
    old = set(db.session.scalars(select(RecruitmentCode.code_hash)))
    assert "Make new codes and letters" not in client.get(f"/recruitment/{batch.id}").text
    response = replace_codes(post_form, batch)
    assert response.status_code == 303
    db.session.expire_all()
    assert set(db.session.scalars(select(RecruitmentCode.code_hash))) == old
    assert "recruitment.codes_replaced" not in audit_actions()
