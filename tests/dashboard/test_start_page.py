"""The officials' start page: fieldwork, proposals, failed mail and analysis runs at a glance.

Read in English, so the texts the tests look for stay put when translations change.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts.services import issue_login_token
from core.dates import local_today
from core.db import db, utcnow
from mail.models import MailStatus, OutboxMail
from results.models import AnalysisRun, RunStatus
from surveys import services
from surveys.models import ReviewStatus
from surveys.proposal_services import start_proposal
from tests.accounts.test_login import confirm
from tests.fieldwork.test_monitor import invite, new_survey
from tests.panel.test_overview import counted_queries
from tests.surveys.test_proposals import english, proposal
from villages.queries import village_by_name


def failed_mail(n: int = 1) -> None:
    for i in range(n):
        db.session.add(
            OutboxMail(
                recipient=f"iemand{i}@example.nl",
                subject="Uitnodiging",
                body_text="",
                body_html="",
                kind="invitation",
                status=MailStatus.FAILED,
            )
        )
    db.session.commit()


def run(survey, status: RunStatus, error: str | None = None) -> AnalysisRun:
    finished = status in (RunStatus.SUCCEEDED, RunStatus.FAILED)
    analysis_run = AnalysisRun(
        survey_id=survey.id,
        status=status,
        trigger="closed",
        error=error,
        finished_at=utcnow() if finished else None,
    )
    db.session.add(analysis_run)
    db.session.commit()
    return analysis_run


@pytest.fixture
def fieldwork(make_member, make_village):
    """A survey in fieldwork: 3 invited in Orvelte, 2 completed."""
    survey = new_survey(make_village, local_today() - timedelta(days=2))
    for i in range(3):
        invite(survey, make_member("Orvelte"), completed_at=utcnow() if i < 2 else None)
    return survey


def test_an_official_lands_on_the_start_page_after_logging_in(client, make_account):
    account = make_account("official")
    token, _ = issue_login_token(account, timedelta(minutes=5))
    db.session.commit()
    assert confirm(client, f"/login/{token}").location == "/overzicht"


def test_the_start_page_shows_what_needs_attention(
    client, login_as, seeded, make_account, fieldwork
):
    association = make_account("association", village="Orvelte")
    waiting = proposal(association, ReviewStatus.SUBMITTED)
    proposal(association)  # still drafting: not for the municipality yet
    failed_mail(2)
    run(fieldwork, RunStatus.FAILED, error="no_margins")
    login_as("official")
    english(client)

    page = client.get("/overzicht").text

    assert f'href="/surveys/{fieldwork.id}/responses"' in page
    assert ">3</td>" in page and ">2</td>" in page and "67%" in page
    assert f'href="/surveys/{waiting.id}"' in page and "(Orvelte)" in page
    assert page.count("Dorpsvisie Orvelte") == 1
    assert "2 mails could not be delivered." in page and 'href="/mail/outbox"' in page
    assert f'href="/surveys/{fieldwork.id}/results"' in page and "Failed" in page


def test_an_empty_start_page_says_so(client, login_as):
    login_as("official")
    english(client)
    page = client.get("/overzicht").text
    for text in (
        "No survey is in fieldwork.",
        "No proposal is waiting for review.",
        "No mail has failed.",
        "No results have been computed yet.",
    ):
        assert text in page


def submitted_proposal(make_account, village: str):
    association = make_account("association", village=village)
    survey = start_proposal(village_by_name(village), f"Dorpsvisie {village}", association)
    services.submit_proposal(survey, association)
    db.session.commit()


def test_the_start_page_takes_the_same_few_queries_however_much_there_is(
    client, login_as, seeded, make_account, make_member, make_village, fieldwork
):
    login_as("official")

    def queries() -> int:
        with counted_queries() as statements:
            assert client.get("/overzicht").status_code == 200
        return len(statements)

    submitted_proposal(make_account, "Orvelte")
    run(fieldwork, RunStatus.SUCCEEDED)
    failed_mail(1)
    few = queries()
    for village in ("Hooghalen", "Beilen", "Smilde"):
        survey = new_survey(make_village, local_today())
        invite(survey, make_member(village), completed_at=utcnow())
        run(survey, RunStatus.FAILED, error="boom")
        submitted_proposal(make_account, village)
    failed_mail(3)
    assert queries() == few
    assert few <= 12


def test_the_start_page_tells_computed_figures_from_published_ones(
    client, login_as, seeded, fieldwork
):
    computed = run(fieldwork, RunStatus.SUCCEEDED)
    login_as("official")
    english(client)
    assert "Computed, not yet published" in client.get("/overzicht").text
    computed.release(None, utcnow())
    db.session.commit()
    page = client.get("/overzicht").text
    assert "Published" in page and "Computed, not yet published" not in page
