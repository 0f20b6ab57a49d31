"""A village-vision proposal's status and history in words: for the association, which
must see every change the municipality made to its questionnaire, and for officials."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from surveys.models import ProposalEvent, ProposalEventKind, ReviewStatus, Survey


def review_status_text(status: ReviewStatus | None) -> str:
    texts = {
        ReviewStatus.DRAFTING: lambda: _("In preparation by the village association"),
        ReviewStatus.SUBMITTED: lambda: _("Submitted, awaiting review by the municipality"),
        ReviewStatus.CHANGES_REQUESTED: lambda: _(
            "Back with the village association: the municipality asks for changes"
        ),
        ReviewStatus.APPROVED: lambda: _("Approved by the municipality: it can be scheduled"),
    }
    return texts[status]() if status in texts else ""


def review_state_label(status: ReviewStatus | None) -> str:
    """The review state in a few words, for the list of surveys."""
    texts = {
        ReviewStatus.DRAFTING: lambda: _("In preparation"),
        ReviewStatus.SUBMITTED: lambda: _("Submitted, awaiting review"),
        ReviewStatus.CHANGES_REQUESTED: lambda: _("Changes requested"),
        ReviewStatus.APPROVED: lambda: _("Approved"),
    }
    return texts[status]() if status in texts else ""


def association_text(survey: Survey) -> str:
    """Who proposes: the associations of the proposal's villages, by name."""
    names = dict.fromkeys(a.name for village in survey.villages for a in village.associations)
    return ", ".join(names) or _("Village association")


def event_kind_text(kind: ProposalEventKind) -> str:
    texts = {
        ProposalEventKind.SUBMITTED: lambda: _("Submitted for review"),
        ProposalEventKind.COMMENTED: lambda: _("Comment"),
        ProposalEventKind.CHANGES_REQUESTED: lambda: _("Changes requested"),
        ProposalEventKind.APPROVED: lambda: _("Approved"),
        ProposalEventKind.CHANGED: lambda: _("Questionnaire changed"),
    }
    return texts[kind]()


def author_text(event: ProposalEvent, names: dict[int, str]) -> str:
    """Who did it: the municipality or the village association, with a name if the account
    has one; never an email address."""
    name = names.get(event.account_id) if event.account_id is not None else None
    if event.by_municipality:
        return _("Municipality (%(name)s)", name=name) if name else _("Municipality")
    return _("Village association (%(name)s)", name=name) if name else _("Village association")


def describe_change(change: dict[str, Any]) -> str:
    """One entry of surveys.changes.describe as a sentence naming the page or question."""
    code = change.get("code", "")
    page = change.get("page") or ""
    sentences = {
        "title_changed": lambda: _("The title of the questionnaire changed."),
        "introduction_changed": lambda: _("The introduction changed."),
        "page_added": lambda: _("Page %(code)s added.", code=code),
        "page_removed": lambda: _("Page %(code)s removed.", code=code),
        "pages_reordered": lambda: _("The order of the pages changed."),
        "page_title_changed": lambda: _("Page %(code)s: the title changed.", code=code),
        "page_condition_changed": lambda: _(
            "Page %(code)s: the condition for showing it changed.", code=code
        ),
        "questions_reordered": lambda: _(
            "Page %(code)s: the order of the questions changed.", code=code
        ),
        "question_added": lambda: _("Question %(code)s added.", code=code),
        "question_removed": lambda: _("Question %(code)s removed.", code=code),
        "question_text_changed": lambda: _("Question %(code)s: the text changed.", code=code),
        "question_help_changed": lambda: _("Question %(code)s: the help text changed.", code=code),
        "question_moved": lambda: _(
            "Question %(code)s moved to page %(page)s.", code=code, page=page
        ),
        "question_type_changed": lambda: _(
            "Question %(code)s: the type of question changed.", code=code
        ),
        "question_required_changed": lambda: _(
            "Question %(code)s: whether an answer is required changed.", code=code
        ),
        "question_condition_changed": lambda: _(
            "Question %(code)s: the condition for showing it changed.", code=code
        ),
        "question_indicator_changed": lambda: _(
            "Question %(code)s: the indicator it feeds changed.", code=code
        ),
        "question_options_changed": lambda: _(
            "Question %(code)s: the answer options changed.", code=code
        ),
        "question_option_texts_changed": lambda: _(
            "Question %(code)s: the texts of the answer options changed.", code=code
        ),
        "question_items_changed": lambda: _(
            "Question %(code)s: the statements of the grid changed.", code=code
        ),
        "question_item_texts_changed": lambda: _(
            "Question %(code)s: the texts of the statements changed.", code=code
        ),
        "question_limits_changed": lambda: _(
            "Question %(code)s: the minimum, maximum or number to rank changed.", code=code
        ),
    }
    sentence = sentences.get(change.get("what", ""))
    if sentence is None:  # a kind added to surveys.changes later: still shown, in codes
        return " ".join(str(part) for part in (change.get("what"), code) if part)
    return sentence()


def changed_texts(change: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(language, old, new) for each language whose text a change altered, Dutch first;
    empty for changes without texts."""
    old, new = change.get("old"), change.get("new")
    if not isinstance(old, dict) or not isinstance(new, dict):
        return []
    return [
        (language, old.get(language, ""), new.get(language, ""))
        for language in ("nl", "en")
        if old.get(language, "") != new.get(language, "")
    ]
