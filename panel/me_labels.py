"""Readable names for the mail kinds a member's export shows (its audit-log actions are named
by audit.labels). The JSON download keeps the codes; the page shows these. An unknown code is
shown as is."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MAIL_KINDS = {
    "already_member": _l("You were already a member"),
    "confirm_sign_up": _l("Confirm your sign-up"),
    "invitation": _l("Invitation to Naoberpanel"),
    "login": _l("Login link"),
    "response_received": _l("Thank you for your answers"),
    "survey_invitation": _l("Invitation to a survey"),
    "survey_reminder": _l("Reminder for a survey"),
    "proposal_submitted": _l("Village-vision proposal to review"),
    "proposal_reviewed": _l("Review of a village-vision proposal"),
    "results_online": _l("The results are online"),
}


def mail_kind_label(kind: str) -> str:
    """The mail kind in words, or its code when it has none."""
    label = MAIL_KINDS.get(kind)
    return str(label) if label is not None else kind
