"""When a wave's results are released, everyone invited to it gets one "the results are
online" mail through the outbox and a real SMTP server: not those who left the panel or
paused it, and not again when a newer run of the same wave is released."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core.db import db, utcnow
from fieldwork.links import member_id_for_unsubscribe
from fieldwork.models import Invitation
from jobs.models import Job, JobStatus
from jobs.runner import run_job
from mail.delivery import deliver_all_due
from mail.models import OutboxMail
from mirror import announcements
from mirror.announcements import ANNOUNCE_JOB, MAIL
from results import services
from results.release import release_run
from surveys.models import Survey


def mail_parts(message) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def run_announcements() -> None:
    queued = select(Job.id).where(Job.name == ANNOUNCE_JOB, Job.status == JobStatus.QUEUED)
    for job_id in db.session.scalars(queued).all():
        run_job(job_id)


def invite(survey, *members) -> None:
    for member in members:
        db.session.add(Invitation(survey=survey, member=member, invited_at=utcnow()))
    db.session.commit()


def test_the_invited_hear_once_per_wave_that_the_results_are_online(
    make_margins, make_wave, make_member, smtp_server
):
    make_margins()
    survey = make_wave()
    anna = make_member("Beilen", email="anna@example.nl")
    bert = make_member("Orvelte", email="bert@example.nl")
    bert.account.language = "en"
    left = make_member("Beilen", email="weg@example.nl")
    paused = make_member("Beilen", email="rust@example.nl")
    paper = make_member("Beilen", None, channel="paper")
    make_member("Beilen", email="niet-uitgenodigd@example.nl")
    invite(survey, anna, bert, left, paused, paper)
    left.leave(utcnow())
    paused.paused_until = date.today() + timedelta(days=30)
    db.session.commit()

    survey_id, bert_id = survey.id, bert.id
    release_run(services.run_now(survey), by=None)
    db.session.commit()
    assert not db.session.scalars(select(OutboxMail)).all()  # the release only queues the job
    run_announcements()
    deliver_all_due()

    messages = {message["To"]: message for message in smtp_server.inbox.messages}
    assert set(messages) == {"anna@example.nl", "bert@example.nl"}
    assert messages["bert@example.nl"]["Subject"] == "The results are online"
    text, html = mail_parts(messages["anna@example.nl"])
    for body in (text, html):
        assert "http://naoberpanel.test/dorpsspiegel" in body
        assert "http://naoberpanel.test/dorpsspiegel/beilen" in body
    text, html = mail_parts(messages["bert@example.nl"])
    assert "http://naoberpanel.test/dorpsspiegel/orvelte" in text
    assert '"Liveability in your village"' in text  # the survey's title in his language
    token = text.split("/afmelden/", 1)[1].split()[0]
    assert member_id_for_unsubscribe(token) == bert_id

    newer = services.run_now(db.session.get(Survey, survey_id))
    db.session.commit()
    assert release_run(newer, by=None)
    db.session.commit()
    run_announcements()
    deliver_all_due()
    assert len(smtp_server.inbox.messages) == 2  # the same wave: nobody hears it twice
    kinds = db.session.scalars(select(OutboxMail.kind)).all()
    assert kinds.count(MAIL) == 2


def test_batches_mail_everyone_once_and_a_second_run_nobody(make_margins, make_wave, make_member):
    make_margins()
    survey = make_wave()
    members = [make_member("Beilen", email=f"lid{i}@example.nl") for i in range(3)]
    invite(survey, *members)
    announcements.BATCH_SIZE, size = 2, announcements.BATCH_SIZE
    try:
        assert announcements.announce(survey.id, date.today()) == 3
        assert announcements.announce(survey.id, date.today()) == 0
    finally:
        announcements.BATCH_SIZE = size
    recipients = sorted(db.session.scalars(select(OutboxMail.recipient)))
    assert recipients == sorted(m.account.email for m in members)


def test_leaving_the_panel_withdraws_the_mail_not_yet_sent(
    make_margins, make_wave, make_member, smtp_server
):
    from panel import me_services

    make_margins()
    survey = make_wave()
    stays = make_member("Beilen", email="blijft@example.nl")
    goes = make_member("Beilen", email="gaat@example.nl")
    invite(survey, stays, goes)
    assert announcements.announce(survey.id, date.today()) == 2
    db.session.commit()
    me_services.leave(db.session.get(type(goes), goes.id), via="unsubscribe_link")
    db.session.commit()
    deliver_all_due()
    assert [m["To"] for m in smtp_server.inbox.messages] == ["blijft@example.nl"]
