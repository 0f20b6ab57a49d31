"""Attacks on what the database keeps of an anonymous survey, by someone who can read it
(a DBA, a dump, a replica): each must fail.

- the quasi-identifier join: invitations that took part (with their member's village,
  age band and sex) joined to the anonymous responses on those three;
- superseded rows: an old version of a row that held both the member and the answers;
- the transaction (`xmin`) and the physical order (`ctid`, `rowid`) of the rows, matched to
  the invitation written in the same transaction or in the same order.

What stays readable until vacuum and in WAL and backups is described in docs/methods.md
and tested here as such, so a change that makes it worse fails too.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import select, text

from core.dates import local_today
from core.db import db, utcnow
from fieldwork import answering
from fieldwork.models import AnonymousResponse, Invitation, Response
from panel.models import Member, Sex
from population.representativeness import age_band_on
from surveys.services import close, create_survey

VILLAGES = ("Orvelte", "Westerbork", "Hooghalen", "Witteveen")
#: One page, an open question to carry a recognisable answer.
SHORT = {
    "schema_version": 1,
    "title": {"nl": "Kort"},
    "pages": [
        {
            "code": "P1",
            "questions": [
                {"code": "CIJFER", "type": "mark", "text": {"nl": "Cijfer?"}, "required": True},
                {"code": "OPEN", "type": "text", "text": {"nl": "Nog iets?"}},
            ],
        }
    ],
}


def anonymous_survey():
    survey = create_survey(SHORT, by=None)
    survey.anonymous = True
    today = local_today()
    survey.publish(today - timedelta(days=1), today + timedelta(days=30), utcnow())
    db.session.commit()
    return survey


def panel(make_member, size: int, seed: int = 15) -> list[Member]:
    """A small rural panel: four villages of unequal size, ages and sexes as they come."""
    rng = np.random.default_rng(seed)
    weights = np.array([0.4, 0.3, 0.2, 0.1])
    return [
        make_member(
            str(rng.choice(VILLAGES, p=weights)),
            birth_year=int(rng.integers(1935, 2006)),
            sex=Sex.MALE
            if rng.random() < 0.48
            else Sex.FEMALE
            if rng.random() < 0.97
            else Sex.OTHER,
        )
        for _ in range(size)
    ]


def take_part(survey, member, said: str = "") -> Invitation:
    """The member answers and sends, as through the link, in transactions of their own."""
    invitation = Invitation(survey=survey, member=member)
    db.session.add(invitation)
    db.session.commit()
    response = answering.start_or_resume(invitation, utcnow())
    db.session.commit()
    response.save_page({"CIJFER": 7, "OPEN": said}, 1, utcnow())
    db.session.commit()
    assert answering.submit(invitation, response, utcnow())
    db.session.commit()
    return invitation


def cell_of(member: Member) -> tuple:
    band = age_band_on(member.birth_year, member.age_band, local_today())
    return (member.village_id, band.value if band else None, member.sex.value)


def candidates(response: AnonymousResponse, participants: list[tuple]) -> int:
    """Members who took part that the stored cell fits: the attacker's shortlist."""
    stored = (response.village_id, response.age_band, response.sex)
    return sum(
        all(kept is None or kept == theirs for kept, theirs in zip(stored, cell, strict=True))
        for cell in participants
    )


# --- the quasi-identifier join ---------------------------------------------------------


def test_joining_who_took_part_to_the_responses_never_narrows_below_k(app, make_member):
    k = app.config["DISCLOSURE_THRESHOLD"]
    members = panel(make_member, 120)
    survey = anonymous_survey()
    rng = np.random.default_rng(7)
    for member in members:
        if rng.random() < 0.6:
            take_part(survey, member)
    participants = [
        cell_of(member)
        for member in db.session.scalars(
            select(Member).join(Invitation).where(Invitation.took_part.is_(True))
        )
    ]
    stored = db.session.scalars(select(AnonymousResponse)).all()
    assert len(stored) == len(participants) > 3 * k
    # The attack would work on the full cells: many are shared by fewer than k.
    assert any(participants.count(cell) < k for cell in participants)
    assert min(candidates(response, participants) for response in stored) >= k
    # ... and coarsening keeps what it can: most responses keep at least their village.
    assert sum(r.village_id is not None for r in stored) > len(stored) / 2


def test_the_join_still_fails_when_everyone_took_part_and_the_survey_closed(app, make_member):
    """Coarsened against participants, who only grow: the cells still hold at the end,
    after the shuffle at closing."""
    k = app.config["DISCLOSURE_THRESHOLD"]
    members = panel(make_member, 60, seed=3)
    survey = anonymous_survey()
    for member in members:
        take_part(survey, member)
    close(survey)
    db.session.commit()
    participants = [cell_of(m) for m in members]
    stored = db.session.scalars(select(AnonymousResponse)).all()
    assert min(candidates(response, participants) for response in stored) >= k


# --- superseded rows -------------------------------------------------------------------


def test_no_row_holds_the_member_and_the_answers_after_sending(app, make_member):
    member = make_member("Orvelte")
    said = f"geheim-{secrets.token_hex(8)}"
    invitation = take_part(anonymous_survey(), member, said)
    rows = [
        (table.name, row)
        for table in db.metadata.sorted_tables
        for row in db.session.execute(select(table)).all()
        if said in str(row)
    ]
    assert [name for name, _ in rows] == ["anonymous_responses"]
    columns = set(AnonymousResponse.__table__.columns.keys())
    assert columns.isdisjoint({"respondent_id", "member_id", "invitation_id", "response_id"})
    assert not {"started_at", "updated_at", "completed_at", "created_at"} & columns
    assert db.session.get(Invitation, invitation.id).completed_at is None


def _pageinspect():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("old row versions are read with PostgreSQL's pageinspect")
    db.session.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
    db.session.commit()


def _vacuum(*tables: str) -> None:
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in tables:
            connection.execute(text(f"VACUUM {table}"))


def _versions(table: str) -> list:
    """Every row version in the table's pages, live or dead: (xmin, xmax, data)."""
    pages = db.session.scalar(text(f"SELECT pg_relation_size('{table}') / 8192"))
    return [
        row
        for page in range(pages)
        for row in db.session.execute(
            text(
                "SELECT t_xmin, t_xmax, t_data FROM heap_page_items(get_raw_page(:t, :p))"
                " WHERE t_data IS NOT NULL"
            ),
            {"t": table, "p": page},
        )
    ]


def test_no_old_version_of_an_anonymous_response_ever_held_the_member(app, make_member):
    """Read with pageinspect, as a DBA can: every version of every anonymous row is the
    one inserted on sending (none was updated from a linked one), and the linked response
    it was filled in as is gone from the pages once vacuumed."""
    _pageinspect()
    said = f"geheim-{secrets.token_hex(8)}".encode()
    _vacuum("anonymous_responses", "responses")  # rows other tests left behind
    survey = anonymous_survey()
    for number, member in enumerate(panel(make_member, 5)):
        take_part(survey, member, said.decode() if number == 0 else "")
    versions = _versions("anonymous_responses")
    assert len(versions) == 5 and all(int(xmax) == 0 for _, xmax, _ in versions)
    assert sum(said in bytes(data) for _, _, data in versions) == 1
    # Residual, documented: the deleted linked response stays in its page until vacuum.
    assert any(said in bytes(data) for _, _, data in _versions("responses"))
    _vacuum("responses")
    assert not any(said in bytes(data) for _, _, data in _versions("responses"))


# --- transactions and physical order ---------------------------------------------------


def test_after_closing_no_response_shares_a_transaction_with_an_invitation(app, make_member):
    """While fieldwork runs, a sent row's xmin is the transaction that also marked the
    invitation (documented); closing writes them all again in one transaction."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("xmin exists on PostgreSQL only")
    survey = anonymous_survey()
    for member in panel(make_member, 8):
        take_part(survey, member)
    close(survey)
    db.session.commit()
    matches = db.session.scalar(
        text(
            "SELECT count(*) FROM invitations i JOIN anonymous_responses r"
            " ON r.xmin = i.xmin WHERE i.took_part"
        )
    )
    assert matches == 0
    assert (
        db.session.scalar(text("SELECT count(DISTINCT xmin::text) FROM anonymous_responses")) == 1
    )


def test_after_closing_the_order_of_the_rows_does_not_follow_who_sent_when(app, make_member):
    survey = anonymous_survey()
    sent = []
    for number, member in enumerate(panel(make_member, 12)):
        take_part(survey, member, f"nummer {number}")
        sent.append(f"nummer {number}")
    close(survey)
    db.session.commit()
    place = "ctid" if db.engine.dialect.name == "postgresql" else "rowid"
    stored = db.session.scalars(
        select(AnonymousResponse).order_by(text(f"anonymous_responses.{place}"))
    ).all()
    order = [response.answers["OPEN"] for response in stored]
    assert sorted(order) == sorted(sent) and order != sent
    assert [r.id for r in stored] != sorted(r.id for r in stored) or len(stored) < 2
    assert db.session.scalar(select(Response.id)) is None


def test_the_analysis_takes_the_coarsened_cells_as_they_are(app, make_member):
    """Unknown sex is weighted as such; without village or age band a response cannot be
    weighted and is counted as left out, not guessed."""
    from results.services import respondent_rows

    app.config["DISCLOSURE_THRESHOLD"] = 3
    survey = anonymous_survey()
    for member in panel(make_member, 30, seed=5):
        take_part(survey, member)
    stored = db.session.scalars(select(AnonymousResponse)).all()
    rows, left_out, _ = respondent_rows(survey)
    unweighable = [r for r in stored if r.village_id is None or r.age_band is None]
    assert left_out == len(unweighable) and len(rows) == len(stored) - left_out
    no_sex = sum(r.sex is None for r in stored if r not in unweighable)
    assert no_sex > 0 and sum(row["sex"] == "unknown" for row in rows) >= no_sex
    assert all(row["respondent"] is None for row in rows)
