"""Invitations: the preview per village, sending through the job and real SMTP, reminders to
non-responders only, and the one-click unsubscribe.

Officials read pages in English, so the texts the tests look for stay put when the Dutch
translations arrive; residents' mails are checked on links, not on wording.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, insert, select

from accounts.models import Account
from audit.models import AuditEvent
from core.dates import local_today
from core.db import db, utcnow
from core.urls import external_url
from fieldwork import invitations
from fieldwork.cli import fieldwork_cli
from fieldwork.invitations import SendingRefused, send_due_reminders, start_sending
from fieldwork.links import (
    genuine_invitation,
    member_id_for_unsubscribe,
    survey_token,
    unsubscribe_token,
)
from fieldwork.models import Invitation
from jobs.models import Job, JobStatus
from jobs.runner import run_job
from jobs.services import enqueue
from mail.delivery import deliver_all_due
from mail.models import OutboxMail
from mail.services import queue_mail
from panel.models import Channel, Household, Member, MemberStatus, Respondent, Sex
from surveys.answer_form import text_in
from surveys.services import create_survey
from surveys.templates import load_template
from tests.conftest import csrf_token_from
from tests.helpers import count, counted_queries, wait_for_jobs
from villages.queries import village_by_name

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SURVEY_LINK = re.compile(r"http://naoberpanel\.test/enquete/([A-Za-z0-9_.\-]+)")
UNSUBSCRIBE_LINK = re.compile(r"http://naoberpanel\.test/afmelden/([A-Za-z0-9_.\-]+)")


@pytest.fixture
def today(app) -> date:
    return local_today()


def new_survey(
    opens_on: date | None = None, closes_on: date | None = None, villages=(), **settings
):
    survey = create_survey(load_template("leefbaarheid"), by=None, villages=list(villages))
    for key, value in settings.items():
        setattr(survey, key, value)
    if opens_on is not None:
        survey.publish(opens_on, closes_on, utcnow())
    db.session.commit()
    return survey


@pytest.fixture
def survey(seeded, today):
    """Open from 30 days ago until 30 days ahead, for every village."""
    return new_survey(today - timedelta(days=30), today + timedelta(days=30))


@pytest.fixture
def official(client, login_as):
    account = login_as("official")
    with client.session_transaction() as session:
        session["language"] = "en"
    return account


def at(day: date, hour: int = 10) -> datetime:
    """A moment on a Dutch calendar day."""
    return datetime.combine(day, time(hour), ZoneInfo("Europe/Amsterdam"))


def invite(survey, member, when: datetime | None = None, **fields) -> Invitation:
    invitation = Invitation(survey=survey, member=member, invited_at=when or utcnow(), **fields)
    db.session.add(invitation)
    db.session.commit()
    return invitation


def leave(member) -> None:
    member.leave(utcnow())
    db.session.commit()


def no_progress(done, total, detail=""):
    pass


# The preview ------------------------------------------------------------------------------


def test_preview_counts_who_gets_an_invitation_and_why_not_per_village(survey, make_member, today):
    make_member("Orvelte")
    make_member("Orvelte", paused_until=today - timedelta(days=1))  # pause is over
    leave(make_member("Orvelte"))
    make_member("Orvelte", paused_until=today + timedelta(days=10))
    tired = make_member("Orvelte")
    for other in [new_survey() for _ in range(4)]:
        invite(other, tired)
    last_quarter = make_member("Orvelte")
    earlier = invitations.quarter_of(today)[0] - timedelta(days=20)
    for other in [new_survey() for _ in range(4)]:
        invite(other, last_quarter, at(earlier))
    invite(survey, make_member("Orvelte"))
    make_member("Orvelte", None, channel="paper")
    make_member("Beilen")
    make_member("Beilen", None, channel="paper")

    preview = invitations.invitation_preview(survey, today)
    rows = {row.village.name: row for row in preview.rows}
    assert "Spier" in rows and rows["Spier"].invite == rows["Spier"].excluded == 0
    orvelte = rows["Orvelte"]
    assert (orvelte.invite, orvelte.left, orvelte.paused, orvelte.fatigue) == (3, 1, 1, 1)
    assert (orvelte.already_invited, orvelte.paper, orvelte.excluded) == (1, 1, 5)
    assert (rows["Beilen"].invite, rows["Beilen"].paper) == (1, 1)
    totals = preview.totals
    assert (totals.invite, totals.excluded, totals.paper, totals.village) == (4, 6, 2, None)


def test_a_survey_for_some_villages_previews_only_those(seeded, make_member, today):
    survey = new_survey(today, today + timedelta(days=14), [village_by_name("Beilen")])
    make_member("Orvelte")
    make_member("Beilen")
    preview = invitations.invitation_preview(survey, today)
    assert [row.village.name for row in preview.rows] == ["Beilen"]
    assert preview.totals.invite == 1


def test_invitations_page_takes_the_same_few_queries_however_big_the_panel(
    client, official, survey, make_member
):
    page = f"/surveys/{survey.id}/invitations"
    make_member("Orvelte")
    with counted_queries() as few:
        assert client.get(page).status_code == 200
    for village in ("Beilen", "Smilde", "Elp"):
        for _ in range(3):
            invite(survey, make_member(village))
        make_member(village, paused_until=local_today() + timedelta(days=3))
    with counted_queries() as many:
        html = client.get(page).text
    # 13: the expected responses add the past response rates and the village clusters.
    assert len(many) == len(few) <= 13
    assert "Sent so far" in html and "Invitations sent, per village" in html


@pytest.mark.parametrize("role", ["resident", "association", "volunteer", "official"])
def test_only_officials_see_the_invitations_page(client, login_as, survey, role):
    login_as(role, village="Orvelte") if role in ("resident", "association") else login_as(role)
    expected = 200 if role == "official" else 403
    assert client.get(f"/surveys/{survey.id}/invitations").status_code == expected


def test_anonymous_visitors_go_to_login_for_the_invitations_page(client, survey):
    response = client.get(f"/surveys/{survey.id}/invitations")
    assert response.status_code == 302 and response.location.startswith("/login?next=")


def test_page_shows_the_preview_and_the_send_button(client, official, survey, make_member):
    make_member("Orvelte")
    make_member("Orvelte", None, channel="paper")
    html = client.get(f"/surveys/{survey.id}/invitations").text
    assert "Invitations per village, and who is left out and why" in html
    assert "Had 4 invitations this quarter" in html and "On paper, not mailed" in html
    assert "Send 1 invitation" in html and 'aria-labelledby="preview-caption"' in html
    assert "No invitations have been sent yet." in html


# Sending ----------------------------------------------------------------------------------


def mail_parts(message) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def test_sending_mails_each_member_a_personal_link_through_smtp(
    client, official, survey, make_member, smtp_server
):
    anna = make_member("Orvelte", email="anna@example.nl")
    make_member("Beilen", email="bert@example.nl").account.language = "en"
    make_member("Orvelte", None, channel="paper")
    db.session.commit()

    page = f"/surveys/{survey.id}/invitations"
    token = csrf_token_from(client.get(page).text)
    response = client.post(page, data={"csrf_token": token})
    assert response.status_code == 303 and response.location.startswith("/jobs/")
    wait_for_jobs()
    deliver_all_due()

    job = db.session.get(Job, response.location.rsplit("/", 1)[1])
    # The paper member gets a printed questionnaire instead (tests/paper/test_batches.py).
    expected = {"survey": survey.id, "invited": 2, "paper_batches": 1}
    assert job.status is JobStatus.SUCCEEDED and job.result == expected
    assert "2 invitations are in the outbox" in client.get(response.location).text
    messages = {message["To"]: message for message in smtp_server.inbox.messages}
    assert set(messages) == {"anna@example.nl", "bert@example.nl"}
    text, html = mail_parts(messages["anna@example.nl"])
    assert "Leefbaarheid in uw dorp" in messages["anna@example.nl"]["Subject"]
    assert "Liveability in your village" in messages["bert@example.nl"]["Subject"]
    assert "pseudonymous" in mail_parts(messages["bert@example.nl"])[0]

    [token] = SURVEY_LINK.findall(text)
    assert SURVEY_LINK.findall(html) == [token]
    invitation = genuine_invitation(token)
    assert (invitation.survey_id, invitation.member_id) == (survey.id, anna.id)
    [unsubscribe] = UNSUBSCRIBE_LINK.findall(text)
    assert UNSUBSCRIBE_LINK.findall(html) == [unsubscribe]
    assert member_id_for_unsubscribe(unsubscribe) == anna.id
    assert "http://naoberpanel.test/me/" in text

    mail = db.session.scalars(
        select(OutboxMail).where(OutboxMail.kind == "survey_invitation")
    ).first()
    closing = at(survey.closes_on + timedelta(days=1), 0)
    assert mail.expires_at == closing
    audit = db.session.scalars(select(AuditEvent.action)).all()
    assert "survey.invitations_started" in audit and "survey.invitations_sent" in audit


def test_the_request_only_queues_the_job_and_a_double_click_queues_one(
    survey, make_member, official, today
):
    for _ in range(3):
        make_member("Orvelte")
    first = start_sending(survey, official, today)
    db.session.commit()
    second = start_sending(survey, official, today)
    db.session.commit()
    assert first.id == second.id and count(Job) == 1
    assert count(Invitation) == count(OutboxMail) == 0  # the work is the job's

    job_id = first.id
    run_job(job_id)
    run_job(job_id)  # handed over twice: runs once
    assert count(Invitation) == count(OutboxMail) == 3
    assert db.session.get(Job, job_id).steps_done == 3


def test_sending_again_invites_nobody_twice_but_does_invite_newcomers(survey, make_member, today):
    make_member("Orvelte")
    make_member("Beilen")
    assert invitations.send_invitations(survey.id, today, no_progress) == 2
    assert invitations.send_invitations(survey.id, today, no_progress) == 0
    newcomer = make_member("Elp")
    assert invitations.send_invitations(survey.id, today, no_progress) == 1
    assert count(Invitation) == count(OutboxMail) == 3
    assert db.session.scalars(select(Invitation.member_id)).all().count(newcomer.id) == 1
    preview = invitations.invitation_preview(survey, today)
    assert (preview.totals.invite, preview.totals.already_invited) == (0, 3)


@pytest.mark.parametrize(
    ("opens", "closes", "status", "reason"),
    [
        (None, None, None, "draft"),
        (3, 10, None, "not_yet_open"),
        (-10, -1, None, "closed"),
        (-10, 10, "closed", "closed"),
    ],
)
def test_only_an_open_survey_sends(seeded, official, today, opens, closes, status, reason):
    survey = new_survey(
        today + timedelta(days=opens) if opens is not None else None,
        today + timedelta(days=closes) if closes is not None else None,
    )
    if status == "closed":
        survey.close()
        db.session.commit()
    with pytest.raises(SendingRefused) as refused:
        start_sending(survey, official, today)
    assert refused.value.reason == reason
    assert count(Job) == 0


def test_the_page_explains_why_a_draft_cannot_send_and_the_post_refuses(
    client, official, seeded, make_member
):
    survey = new_survey()
    make_member("Orvelte")
    page = f"/surveys/{survey.id}/invitations"
    html = client.get(page).text
    assert "Publish the survey first." in html and "Send 1 invitation" not in html
    response = client.post(page, data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 303 and response.location == page
    assert "only be sent while the survey is open" in client.get(page).text
    assert count(Job) == 0


def test_a_survey_that_opens_later_says_from_when_it_can_send(client, official, seeded, today):
    survey = new_survey(today + timedelta(days=3), today + timedelta(days=20))
    html = client.get(f"/surveys/{survey.id}/invitations").text
    assert "It opens on" in html and "send them from that day" in html


def add_panel(village_name: str, size: int) -> None:
    """`size` web members at once, without the per-member services (for volume)."""
    village = village_by_name(village_name)
    tag = secrets.token_hex(3)
    respondent_ids = db.session.scalars(
        insert(Respondent).returning(Respondent.id, sort_by_parameter_order=True),
        [{"pseudonym": f"p{tag}{n:06d}"} for n in range(size)],
    ).all()
    account_ids = db.session.scalars(
        insert(Account).returning(Account.id, sort_by_parameter_order=True),
        [{"email": f"lid{n}-{tag}@example.nl"} for n in range(size)],
    ).all()
    db.session.execute(
        insert(Member),
        [
            {
                "respondent_id": respondent,
                "account_id": account,
                "village_id": village.id,
                "birth_year": 1970,
                "sex": Sex.FEMALE,
                "household": Household.COUPLE,
                "channel": Channel.WEB,
            }
            for respondent, account in zip(respondent_ids, account_ids, strict=True)
        ],
    )
    db.session.commit()


def test_two_thousand_invitations_go_out_in_batches_with_progress(survey, today):
    add_panel("Beilen", 2000)
    steps = []
    invited = invitations.send_invitations(
        survey.id, today, lambda done, total, detail="": steps.append((done, total))
    )
    assert invited == count(Invitation) == count(OutboxMail) == 2000
    assert steps == [(0, 2000), (500, 2000), (1000, 2000), (1500, 2000), (2000, 2000)]


def test_a_member_who_joins_while_the_job_sends_is_invited_by_it(survey, make_member, today):
    add_panel("Beilen", 600)
    joined = []

    def join_after_the_first_batch(done, total, detail=""):
        if done == 500:
            joined.append(make_member("Elp"))

    invited = invitations.send_invitations(survey.id, today, join_after_the_first_batch)
    assert invited == count(Invitation) == count(OutboxMail) == 601
    assert db.session.scalar(select(Invitation.id).where(Invitation.member_id == joined[0].id))


def test_a_member_another_survey_tires_while_the_job_sends_is_not_invited(survey, today):
    add_panel("Beilen", 600)
    tired = db.session.scalars(select(Member).order_by(Member.id.desc())).first()

    def tire_after_the_first_batch(done, total, detail=""):
        if done == 500:
            for _ in range(4):  # the quarter's limit (INVITATIONS_PER_QUARTER)
                invite(new_survey(today - timedelta(days=1), today + timedelta(days=9)), tired)

    sent = invitations.send_invitations(survey.id, today, tire_after_the_first_batch)
    assert sent == 600 - 1
    invited = select(Invitation.member_id).where(Invitation.survey_id == survey.id)
    assert tired.id not in db.session.scalars(invited).all()


def queued_one_by_one(kind: str, invitation: Invitation, survey) -> OutboxMail:
    """The mail as it was made before batching: every template rendered for this one mail."""
    account = invitation.member.account
    definition = survey.live_version.definition
    return queue_mail(
        account.email,
        kind,
        account.language,
        expires_at=datetime.combine(survey.closes_on + timedelta(days=1), time(), AMSTERDAM),
        name=account.name,
        title=text_in(definition["title"], account.language),
        introduction=text_in(definition.get("introduction") or {}, account.language),
        closes_on=survey.closes_on,
        anonymous=survey.anonymous,
        link=external_url("answer.start", token=survey_token(invitation)),
        my_page=external_url("me.overview"),
        unsubscribe=external_url(
            "invitations.unsubscribe", token=unsubscribe_token(invitation.member_id)
        ),
    )


def mail_bytes(mail: OutboxMail) -> tuple:
    columns = ("recipient", "kind", "subject", "body_text", "body_html", "expires_at")
    return tuple(getattr(mail, column) for column in columns)


@pytest.mark.parametrize("kind", ["survey_invitation", "survey_reminder"])
def test_mails_sent_in_batches_are_byte_for_byte_the_mails_rendered_one_by_one(
    survey, make_member, today, monkeypatch, caplog, kind
):
    # The unsubscribe link carries the moment it was made: the clock stands still here.
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda signer: 1_796_000_000)
    for language in ("nl", "en"):
        for name in ("", "Jan & Marie <de Vries>", "O'Neill"):
            member = make_member("Orvelte")
            member.account.language, member.account.name = language, name
            if kind == "survey_reminder":
                invite(survey, member, at(today - timedelta(days=6)))
    db.session.commit()
    if kind == "survey_invitation":
        assert invitations.send_invitations(survey.id, today, no_progress) == 6
    else:
        assert send_due_reminders(today) == 6

    batched = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    by_recipient = {mail.recipient: mail_bytes(mail) for mail in batched}
    for invitation in db.session.scalars(select(Invitation)):
        expected = mail_bytes(queued_one_by_one(kind, invitation, survey))
        assert by_recipient[invitation.member.account.email] == expected
    assert {mail.kind for mail in batched} == {kind}
    assert sum("Jan &amp; Marie &lt;de Vries&gt;" in mail.body_html for mail in batched) == 2
    assert "rendered per mail" not in caplog.text  # filled in, not rendered whole


# Reminders --------------------------------------------------------------------------------


def reminders_to(member) -> int:
    return db.session.scalar(
        select(func.count()).where(
            OutboxMail.kind == "survey_reminder", OutboxMail.recipient == member.account.email
        )
    )


def replay(day: date) -> int:
    """The daily reminder run as it would have gone on `day`."""
    return send_due_reminders(day, now=at(day, 7))


def test_reminders_go_only_to_those_who_have_not_finished_at_most_twice(survey, make_member, today):
    day = today - timedelta(days=20)
    waiting, finished, gone, paused = (make_member("Orvelte") for _ in range(4))
    started = make_member("Beilen")
    for member in (waiting, gone, paused, started):
        invite(survey, member, at(day))
    invite(survey, finished, at(day), completed_at=utcnow())
    leave(gone)
    paused.paused_until = day + timedelta(days=30)
    db.session.commit()
    people = (waiting, finished, gone, paused, started)

    def remind(after_days: int) -> int:
        return replay(day + timedelta(days=after_days))

    assert remind(4) == 0
    assert remind(5) == 2  # waiting and started
    assert remind(5) == 0  # the same day again: nothing new
    assert remind(9) == 0
    assert remind(10) == 2
    assert remind(10) == remind(11) == remind(20) == 0  # at most two
    assert [reminders_to(m) for m in people] == [2, 0, 0, 0, 2]
    invitation = db.session.scalar(select(Invitation).where(Invitation.member_id == waiting.id))
    assert invitation.reminders_sent == 2 and invitation.last_reminded_at is not None


def test_a_reminder_holds_the_same_personal_link(survey, make_member, today, smtp_server):
    member = make_member("Orvelte", email="vergeetachtig@example.nl")
    invitation = invite(survey, member, at(today - timedelta(days=6)))
    assert send_due_reminders(today) == 1
    deliver_all_due()
    [message] = smtp_server.inbox.messages
    text, html = mail_parts(message)
    assert SURVEY_LINK.findall(text) == SURVEY_LINK.findall(html) == [survey_token(invitation)]
    [unsubscribe] = UNSUBSCRIBE_LINK.findall(text)  # timed, so compared by what it opens
    assert member_id_for_unsubscribe(unsubscribe) == member.id


def test_a_late_run_sends_one_reminder_and_keeps_the_gap(survey, make_member, today):
    day = today - timedelta(days=25)
    member = make_member("Orvelte")
    invite(survey, member, at(day))
    assert replay(day + timedelta(days=12)) == 1  # first only, not both at once
    assert replay(day + timedelta(days=16)) == 0  # 10 - 5 days after the first
    assert replay(day + timedelta(days=17)) == 1
    assert reminders_to(member) == 2


def test_reminder_days_follow_the_survey(seeded, make_member, today):
    start = today - timedelta(days=25)
    once = new_survey(start, today + timedelta(days=5), first_reminder_days=3)
    once.second_reminder_days = None
    never = new_survey(start, today + timedelta(days=5))
    never.first_reminder_days = never.second_reminder_days = None
    db.session.commit()
    member = make_member("Orvelte")
    invite(once, member, at(start))
    invite(never, member, at(start))
    assert replay(start + timedelta(days=2)) == 0
    assert replay(start + timedelta(days=3)) == 1
    assert replay(start + timedelta(days=20)) == 0
    assert reminders_to(member) == 1


def test_no_reminders_for_a_closed_survey(survey, make_member, today):
    invite(survey, make_member("Orvelte"), at(today - timedelta(days=6)))
    survey.close()
    db.session.commit()
    assert send_due_reminders(today) == 0


def test_reminders_run_from_the_command_line_and_as_a_job(app, survey, make_member, today):
    invite(survey, make_member("Orvelte"), at(today - timedelta(days=6)))
    result = app.test_cli_runner().invoke(fieldwork_cli, ["remind"])
    assert result.exit_code == 0 and "Queued 1 reminder(s)." in result.output

    invite(survey, make_member("Beilen"), at(today - timedelta(days=15)))
    job_id = enqueue("fieldwork.send_reminders", today=today.isoformat()).id
    db.session.commit()
    run_job(job_id)
    job = db.session.get(Job, job_id)
    assert job.status is JobStatus.SUCCEEDED and job.result == {"reminded": 1}


# Unsubscribing ----------------------------------------------------------------------------


def test_unsubscribe_asks_first_then_leaves_without_login(client, survey, make_member, today):
    member = make_member("Orvelte", email="genoeg@example.nl")
    invite(survey, member, at(today - timedelta(days=6)))
    send_due_reminders(today)  # a reminder waits in the outbox
    path = f"/afmelden/{unsubscribe_token(member.id)}"

    page = client.get(path)
    assert page.status_code == 200 and "<form" in page.text
    db.session.expire_all()
    assert member.status is MemberStatus.ACTIVE

    done = client.post(path, data={"csrf_token": csrf_token_from(page.text)})
    assert done.status_code == 200 and "<form" not in done.text.split("<main")[1]
    db.session.expire_all()
    assert member.status is MemberStatus.LEFT
    assert count(OutboxMail) == 0  # the waiting reminder is withdrawn
    [left] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "member.left"))
    assert left.detail == {"via": "unsubscribe_link"} and left.object_id == str(member.id)

    again = client.post(path, data={"csrf_token": csrf_token_from(page.text)})
    assert again.status_code == 200 and client.get(path).status_code == 200
    left_events = select(AuditEvent).where(AuditEvent.action == "member.left")
    assert len(db.session.scalars(left_events).all()) == 1
    assert send_due_reminders(today + timedelta(days=10)) == 0


@pytest.mark.parametrize("token", ["nonsense", "survey-token", "deleted-member"])
def test_a_bad_unsubscribe_link_gives_a_clear_404(client, survey, make_member, token):
    member = make_member("Orvelte")
    if token == "survey-token":
        token = survey_token(invite(survey, member))
    elif token == "deleted-member":
        token = unsubscribe_token(member.id + 1000)
    with client.session_transaction() as session:
        session["language"] = "en"
    response = client.get(f"/afmelden/{token}")
    assert response.status_code == 404 and "We do not know this unsubscribe link" in response.text
    csrf = csrf_token_from(client.get("/login").text)
    assert client.post(f"/afmelden/{token}", data={"csrf_token": csrf}).status_code == 404
    db.session.expire_all()
    assert member.status is MemberStatus.ACTIVE


# Expected responses ------------------------------------------------------------------------


def expected_row(html: str, village: str) -> str:
    """The village's row of the expected responses table."""
    table = html[html.index('id="expected-responses"') :]
    start = table.index(f'data-village="{village}"')
    return table[start : table.index("</tr>", start)]


def warning_of(html: str) -> str:
    if 'id="expected-warning"' not in html:
        return ""
    return html[html.index('id="expected-warning"') : html.index('id="expected-responses"')]


def test_the_page_warns_where_a_village_cannot_reach_the_disclosure_threshold(
    client, official, seeded, make_member, today
):
    survey = new_survey(
        today - timedelta(days=1),
        today + timedelta(days=20),
        villages=[village_by_name("Orvelte"), village_by_name("Beilen")],
    )
    for _ in range(8):
        make_member("Orvelte")
    make_member("Orvelte", None, channel="paper")  # not mailed, not counted
    for _ in range(17):
        make_member("Beilen")
    html = client.get(f"/surveys/{survey.id}/invitations").text
    assert "8</td>" in expected_row(html, "Orvelte")
    assert "data-expected>4<" in expected_row(html, "Orvelte")
    assert "Probably not: fewer than 10" in expected_row(html, "Orvelte")
    assert "data-expected>10<" in expected_row(html, "Beilen")
    assert "60% (assumed)" in expected_row(html, "Beilen")
    warning = warning_of(html)
    assert "Orvelte: 8 members invited, about 4 responses expected; 10 are needed." in warning
    assert "About 9 more members are needed." in warning
    assert "Beilen" not in warning
    for remedy in ("in a cluster", "Recruit more members", "paper questionnaires"):
        assert remedy in warning


def test_members_already_invited_still_count_towards_the_expected_responses(
    client, official, seeded, make_member, today
):
    survey = new_survey(
        today - timedelta(days=1), today + timedelta(days=20), villages=[village_by_name("Elp")]
    )
    for _ in range(17):
        invite(survey, make_member("Elp"))
    html = client.get(f"/surveys/{survey.id}/invitations").text
    assert "data-expected>10<" in expected_row(html, "Elp")
    assert warning_of(html) == ""


def test_the_expected_rate_comes_from_past_surveys_of_the_village_else_the_panel(
    client, official, seeded, make_member, today
):
    past = new_survey(today - timedelta(days=60), today - timedelta(days=40))
    past.close()
    orvelte = [make_member("Orvelte") for _ in range(25)]
    for number, member in enumerate(orvelte):
        invite(past, member, completed_at=utcnow() if number < 10 else None)  # 40%
    beilen = [make_member("Beilen") for _ in range(20)]
    survey = new_survey(
        today - timedelta(days=1),
        today + timedelta(days=20),
        villages=[village_by_name("Orvelte"), village_by_name("Beilen")],
    )
    html = client.get(f"/surveys/{survey.id}/invitations").text
    assert "40% (this village, 25 earlier invitations)" in expected_row(html, "Orvelte")
    assert "data-expected>10<" in expected_row(html, "Orvelte")  # 25 × 40%
    assert "40% (whole panel, 25 earlier invitations)" in expected_row(html, "Beilen")
    assert "data-expected>8<" in expected_row(html, "Beilen")  # 20 × 40%
    warning = warning_of(html)
    assert "Beilen: 20 members invited, about 8 responses expected" in warning
    assert "About 5 more members are needed." in warning  # 25 at 40%
    assert len(beilen) == 20


def test_a_village_whose_cluster_reaches_the_threshold_is_not_warned_about(
    client, official, seeded, make_member, today
):
    from results.clusters import create_cluster

    create_cluster("Orvelte en Elp", [village_by_name("Orvelte"), village_by_name("Elp")])
    db.session.commit()
    survey = new_survey(
        today - timedelta(days=1),
        today + timedelta(days=20),
        villages=[village_by_name("Orvelte"), village_by_name("Elp")],
    )
    for village, members in (("Orvelte", 10), ("Elp", 8)):
        for _ in range(members):
            make_member(village)
    html = client.get(f"/surveys/{survey.id}/invitations").text
    assert "within cluster Orvelte en Elp (about 10 responses together)" in expected_row(
        html, "Elp"
    )
    assert warning_of(html) == ""


# Anonymous surveys: no invitations where too few could hide who answered --------------------


def test_an_anonymous_survey_invites_nobody_in_a_village_with_too_few_members(
    client, official, seeded, make_member, today
):
    villages = [village_by_name("Orvelte"), village_by_name("Beilen")]
    survey = new_survey(today, today + timedelta(days=20), villages, anonymous=True)
    for _ in range(2):
        make_member("Orvelte")
    beilen = [make_member("Beilen") for _ in range(11)]

    page = f"/surveys/{survey.id}/invitations"
    html = client.get(page).text
    warning = html[html.index('id="too-few"') :]
    assert "Orvelte: 2 members to invite." in warning
    assert "Members in these villages get no invitation to this survey." in warning
    assert "Send 11 invitations" in html

    response = client.post(page, data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 303
    wait_for_jobs()
    invited = set(db.session.scalars(select(Invitation.member_id)))
    assert invited == {member.id for member in beilen}


def test_an_anonymous_survey_with_too_few_members_in_all_sends_nothing(
    client, official, seeded, make_member, today
):
    survey = new_survey(
        today, today + timedelta(days=20), [village_by_name("Orvelte")], anonymous=True
    )
    for _ in range(9):
        make_member("Orvelte")
    page = f"/surveys/{survey.id}/invitations"
    html = client.get(page).text
    assert "Nobody is invited: this anonymous survey has fewer than 10 members" in html
    response = client.post(page, data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 303 and response.location.endswith(page)
    assert "this anonymous survey has too few members" in client.get(page).text
    assert count(Job) == count(Invitation) == 0
    assert invitations.send_invitations(survey.id, today, no_progress) == 0
