"""The audit log is append-only in the database itself, and officials can filter it."""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from audit.labels import ACTIONS
from audit.services import record
from core.db import db


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_events SET action = 'nothing happened'", "DELETE FROM audit_events"],
)
def test_entries_cannot_be_changed_or_deleted(app, statement):
    record("export.downloaded", None, actor_id=7, survey="LEEF-2026")
    db.session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(sa.text(statement))
    db.session.rollback()
    assert db.session.scalar(sa.text("SELECT action FROM audit_events")) == "export.downloaded"


def test_officials_filter_the_log(client, login_as):
    official = login_as("official")
    record("login", None, actor_id=official.id)
    record("export.downloaded", None, actor_id=official.id, survey="LEEF-2026")
    record("role.granted", None, role="volunteer")
    db.session.commit()
    page = client.get("/audit/?action=export.downloaded").text
    assert "export.downloaded" in page and "survey: LEEF-2026" in page
    assert "<code>role.granted</code>" not in page and "1 regel" in page
    page = client.get(f"/audit/?actor={official.id}").text
    assert "2 regels" in page and official.email in page


def test_deleted_accounts_show_as_deleted_not_by_name(client, login_as):
    login_as("official")
    record("login", None, actor_id=987654)
    db.session.commit()
    assert "account 987654 (verwijderd)" in client.get("/audit/?action=login").text


def test_invalid_filter_dates_are_ignored_not_fatal(client, login_as):
    login_as("official")
    assert client.get("/audit/?since=gisteren").status_code == 200


def test_an_invalid_date_is_explained_and_the_other_filters_still_apply(client, login_as):
    official = login_as("official")
    record("login", None, actor_id=official.id)
    record("role.granted", None, actor_id=official.id)
    db.session.commit()
    page = client.get("/audit/?since=gisteren&action=login")
    assert page.status_code == 200
    assert "<title>Fout: Auditlog" in page.text and "Ongeldige datum." in page.text
    assert "<code>login</code>" in page.text and "<code>role.granted</code>" not in page.text


def test_the_log_names_what_happened_in_words_and_keeps_the_code(client, login_as):
    """The log showed only codes such as member.searched."""
    official = login_as("official")
    record("member.searched", None, actor_id=official.id)
    record("analysis.run_from_cli", None)
    db.session.commit()
    page = client.get("/audit/").text
    assert "Panelleden gezocht<br><small><code>member.searched</code></small>" in page
    assert "Uitkomsten berekend<br><small><code>analysis.run_from_cli</code></small>" in page
    assert '<option value="member.searched">Panelleden gezocht (member.searched)</option>' in page


def test_every_recorded_action_has_a_readable_label():
    """A new audit action must get a label, or the log and a member's export show its code."""
    root = Path(__file__).parents[2]
    recorded = set()
    for source in root.glob("*/**/*.py"):
        if source.parts[len(root.parts)] not in {"tests", ".venv", "node_modules"}:
            recorded |= set(re.findall(r'\brecord\(\s*"([a-z_.]+)"', source.read_text()))
    assert len(recorded) > 40 and recorded - set(ACTIONS) == set()
