"""Readable names for the actions in the audit log, for the log's browser and a member's
export page. The log itself keeps the codes; an unknown code is shown as is."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: Every action that is recorded; tests/audit checks that each `record(...)` has one.
ACTIONS = {
    "login": _l("Logged in"),
    "account.created": _l("Account created"),
    "account.deleted": _l("Account deleted"),
    "account.invited": _l("Invited someone"),
    "account.name_changed": _l("Name changed"),
    "role.granted": _l("Role given"),
    "role.revoked": _l("Role taken away"),
    "member.joined": _l("Joined the panel"),
    "member.consented": _l("Agreed to the privacy statement"),
    "consent.changed": _l("Consent changed"),
    "member.profile_changed": _l("Details changed"),
    "member.paused": _l("Invitations paused"),
    "member.resumed": _l("Invitations resumed"),
    "member.left": _l("Left the panel"),
    "member.rejoined": _l("Rejoined the panel"),
    "member.deleted": _l("Member deleted"),
    "member.exported": _l("Member's data downloaded"),
    "member.searched": _l("Searched for panel members"),
    "member.listed": _l("Panel member shown in a search"),
    "member.viewed": _l("Panel member's details viewed"),
    "people.viewed": _l("List of people viewed"),
    "person.viewed": _l("Person's roles viewed"),
    "privacy_statement.published": _l("Privacy statement published"),
    "sign_ups.purged": _l("Unconfirmed sign-ups deleted"),
    "outbox.viewed": _l("Outbox viewed"),
    "outbox.retried": _l("Mail sent again"),
    "village.handed_over": _l("Village association handed over"),
    "village.panel_settings_changed": _l("Village settings changed"),
    "population.margins_imported": _l("Population figures imported"),
    "paper.imported": _l("Paper questionnaires imported"),
    "recruitment.batch_created": _l("Recruitment letters made"),
    "recruitment.codes_replaced": _l("Recruitment codes replaced"),
    "recruitment.letters_deleted": _l("Recruitment letters deleted"),
    "recruitment.letters_downloaded": _l("Recruitment letters downloaded"),
    "survey.created": _l("Survey created"),
    "survey.duplicated": _l("Survey copied"),
    "survey.deleted": _l("Survey deleted"),
    "survey.questionnaire_saved": _l("Questionnaire saved"),
    "survey.text_corrected": _l("Text of a survey corrected"),
    "survey.scope_changed": _l("Villages of a survey changed"),
    "survey.fieldwork_settings_changed": _l("Survey settings changed"),
    "survey.published": _l("Survey published"),
    "survey.version_published": _l("New version of a survey published"),
    "survey.closed": _l("Survey closed"),
    "survey.reopened": _l("Survey reopened"),
    "survey.archived": _l("Survey archived"),
    "survey.invitations_started": _l("Sending of invitations started"),
    "survey.invitations_sent": _l("Invitations sent"),
    "survey.proposal_submitted": _l("Village-vision proposal submitted"),
    "survey.proposal_changes_requested": _l("Changes to a proposal requested"),
    "survey.proposal_approved": _l("Village-vision proposal approved"),
    "analysis.run_requested": _l("Results calculated"),
    "analysis.run_from_cli": _l("Results calculated"),
    "analysis.inputs_exported": _l("Data for the results exported"),
    "analysis.results_exported": _l("Results exported"),
    "analysis.results_released": _l("Results published to the village associations"),
    "export.downloaded": _l("Download made"),
    "clusters.created": _l("Cluster of villages made"),
    "clusters.updated": _l("Cluster of villages changed"),
    "clusters.deleted": _l("Cluster of villages deleted"),
    "quotes.created": _l("Quote chosen"),
    "quotes.published": _l("Quote published"),
    "quotes.withdrawn": _l("Quote withdrawn"),
    "quotes.open_answers_viewed": _l("Open answers read"),
}


def action_label(action: str) -> str:
    """The action in words, or its code when it has none."""
    label = ACTIONS.get(action)
    return str(label) if label is not None else action
