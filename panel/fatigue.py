"""The invitation fatigue rule: at most INVITATIONS_PER_QUARTER survey invitations per member
per calendar quarter. Fieldwork asks `may_invite` for every member before inviting."""

from __future__ import annotations

from datetime import date

from flask import current_app

from panel.models import Member, MemberStatus


def quarter_of(day: date) -> tuple[date, date]:
    """First and last day of the calendar quarter holding `day`."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def invitations_left(invited_this_quarter: int) -> int:
    return max(0, current_app.config["INVITATIONS_PER_QUARTER"] - invited_this_quarter)


def may_invite(member: Member, invited_this_quarter: int, today: date) -> bool:
    """Active, not paused, and below this quarter's limit."""
    return exclusion_reason(member, invited_this_quarter, today) is None


def exclusion_reason(member: Member, invited_this_quarter: int, today: date) -> str | None:
    """Why a member is not invited ('left', 'paused', 'fatigue'), or None when they are."""
    if member.status is MemberStatus.LEFT:
        return "left"
    if member.is_paused(today):
        return "paused"
    if invitations_left(invited_this_quarter) == 0:
        return "fatigue"
    return None
