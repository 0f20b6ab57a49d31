"""Officials see mail that is waiting or failed, and can try a failed mail again."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from accounts.permissions import official_required
from audit.services import record
from core.db import db, utcnow
from core.forms import ButtonForm
from mail.models import MailStatus, OutboxMail

bp = Blueprint("mail", __name__, url_prefix="/mail")


@bp.get("/outbox")
@official_required
def outbox():
    """Mails not yet delivered: failed first, then those waiting for a retry."""
    mails = db.session.scalars(
        select(OutboxMail)
        .where(OutboxMail.status.in_([MailStatus.FAILED, MailStatus.PENDING, MailStatus.SENDING]))
        .order_by(OutboxMail.status, OutboxMail.id)
        .limit(200)
    ).all()
    record("outbox.viewed", None, count=len(mails))
    db.session.commit()
    return render_template("mail/outbox.html", mails=mails, button=ButtonForm())


@bp.post("/outbox/<int:mail_id>/retry")
@official_required
def retry(mail_id: int):
    """Put a failed mail back in the queue, with a fresh set of attempts."""
    mail = db.session.get(OutboxMail, mail_id)
    if (
        mail is None
        or mail.status is not MailStatus.FAILED
        or not ButtonForm().validate_on_submit()
    ):
        abort(404)
    mail.status, mail.attempts, mail.send_after = MailStatus.PENDING, 0, utcnow()
    record("outbox.retried", mail)
    db.session.commit()
    flash(_("The mail will be sent again."), "ok")
    return redirect(url_for("mail.outbox"), 303)
