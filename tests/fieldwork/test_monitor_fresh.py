"""The monitor keeps what it counted between requests, checked against one fingerprint of
the data on every request: whatever changes, by whichever worker, shows at the next request.
(Invitations completed, members moving or correcting their birth year: test_monitor.py.)

The fingerprint is a count of changes kept by triggers in the database, so changes made
around the ORM count too: bulk statements and the database's own cascades."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import insert, update

from core.dates import local_today
from core.db import db, utcnow
from fieldwork.models import AnonymousResponse, Invitation
from panel.me_services import delete_member_on_request
from panel.models import AgeBand, Channel, Member
from paper.models import SheetStatus
from surveys.models import survey_villages
from tests.fieldwork.test_monitor import invite, new_survey, paper_response, url
from tests.helpers import counted_queries
from tests.paper.entry_helpers import print_sheets
from villages.queries import village_by_name


@pytest.fixture
def survey(make_member, make_village):
    """Open since today for Orvelte and Hooghalen: 12 invited in Orvelte, 10 completed."""
    survey = new_survey(make_village, local_today())
    for i in range(12):
        invite(survey, make_member("Orvelte"), completed_at=utcnow() if i < 10 else None)
    return survey


def figure(html: str, key: str) -> str:
    return re.search(rf'data-figure="{re.escape(key)}">([^<]*)<', html).group(1)


def paper_row(html: str, slug: str) -> list[str]:
    """Printed, returned and entered copies of one village in the paper table."""
    row = re.search(rf'data-paper-village="{slug}">(.*?)</tr>', html, re.S).group(1)
    return re.findall(r"numeric-column\">([^<]*)<", row)


def test_paper_copies_returned_and_entered_show_at_the_next_request(client, login_as, survey):
    login_as("official")
    sheets = print_sheets(survey, village_by_name("Orvelte"), copies=3)
    assert paper_row(client.get(url(survey)).text, "orvelte") == ["3", "0", "0"]
    sheets[0].status = SheetStatus.RETURNED
    db.session.commit()
    assert paper_row(client.get(url(survey)).text, "orvelte") == ["3", "1", "0"]
    sheets[0].status = SheetStatus.ENTERED
    sheets[1].village_id = village_by_name("Hooghalen").id
    db.session.commit()
    html = client.get(url(survey)).text
    assert paper_row(html, "orvelte") == ["2", "1", "1"]
    assert paper_row(html, "hooghalen") == ["1", "0", "0"]
    sheets[2].status = SheetStatus.VOID
    db.session.commit()
    assert paper_row(client.get(url(survey)).text, "orvelte") == ["1", "1", "1"]


def test_a_copy_handed_out_in_a_village_shows_when_entered(client, login_as, survey):
    """It has no invitation: only the paper counts change."""
    login_as("official")
    assert figure(client.get(url(survey)).text, "paper.completed") == "0"
    paper_response(survey, "Orvelte", utcnow())
    html = client.get(url(survey)).text
    assert figure(html, "paper.completed") == "1"
    assert figure(html, "total.invited") == "12"
    db.session.add(
        AnonymousResponse(
            survey_id=survey.id,
            version_id=survey.live_version.id,
            channel=Channel.PAPER,
            village_id=village_by_name("Orvelte").id,
        )
    )
    db.session.commit()
    assert figure(client.get(url(survey)).text, "paper.completed") == "2"


def test_an_association_sees_its_paper_copies_and_completes_at_the_next_request(
    client, login_as, survey, make_member
):
    login_as("association", village="Orvelte")
    html = client.get(url(survey)).text
    assert figure(html, "total.completed") == "10" and figure(html, "paper.completed") != "10"
    for _ in range(10):
        paper_response(survey, "Orvelte", utcnow())
    assert figure(client.get(url(survey)).text, "paper.completed") == "10"
    for _ in range(3):
        invite(survey, make_member("Orvelte"), completed_at=utcnow())
    assert figure(client.get(url(survey)).text, "total.completed") == "15"


def test_a_renamed_village_shows_at_the_next_request(client, login_as, survey):
    login_as("official")
    assert ">Orvelte</th>" in client.get(url(survey)).text
    village_by_name("Orvelte").name = "Orvelte (Midden-Drenthe)"
    db.session.commit()
    html = client.get(url(survey)).text
    assert ">Orvelte (Midden-Drenthe)</th>" in html and ">Orvelte</th>" not in html


def test_a_village_added_to_the_survey_shows_and_opens_it_to_its_association(
    client, login_as, survey, make_village
):
    beilen = village_by_name("Beilen")
    login_as("official")
    assert f'"village.{beilen.id}.invited"' not in client.get(url(survey)).text
    login_as("association", village="Beilen")
    assert client.get(url(survey)).status_code == 403
    db.session.execute(survey_villages.insert().values(survey_id=survey.id, village_id=beilen.id))
    db.session.commit()
    html = client.get(url(survey)).text
    assert f'"village.{beilen.id}.invited"' in html and "Orvelte" not in html


def test_a_corrected_age_band_shows_at_the_next_request(client, login_as, survey, make_member):
    """A member without a birth year counts in the age band they gave."""
    member = make_member("Hooghalen", birth_year=None, age_band=AgeBand.A75_PLUS)
    invite(survey, member)
    login_as("official")
    assert figure(client.get(url(survey)).text, "band.75+.invited") == "1"
    member.age_band = AgeBand.A50_64
    db.session.commit()
    html = client.get(url(survey)).text
    assert figure(html, "band.75+.invited") == "0" and figure(html, "band.50-64.invited") == "1"


def test_an_erased_member_leaves_the_figures_at_the_next_request(
    client, login_as, survey, make_member
):
    """Their invitation goes by the database's cascade, their unsent answers by a bulk
    delete (which cuts the link from the invitation, again in the database)."""
    other = invite(survey, make_member("Hooghalen", email=None, channel="paper"), started=True)
    member = make_member("Hooghalen", email=None, channel="paper")
    invite(survey, member, started=True)
    login_as("official")
    html = client.get(url(survey)).text
    assert figure(html, "total.invited") == "14" and figure(html, "total.started") == "12"
    delete_member_on_request(member)
    db.session.commit()
    html = client.get(url(survey)).text
    assert figure(html, "total.invited") == "13" and figure(html, "total.started") == "11"
    db.session.execute(update(Invitation).where(Invitation.id == other.id).values(response_id=None))
    db.session.commit()
    assert figure(client.get(url(survey)).text, "total.started") == "10"


def test_invitations_and_members_changed_in_bulk_show_at_the_next_request(
    client, login_as, survey, make_member
):
    """As the invitation job inserts (one statement for many rows), and as a data
    correction would update (no ORM object in sight)."""
    login_as("official")
    assert figure(client.get(url(survey)).text, "band.75+.invited") == "0"
    members = [make_member("Hooghalen", birth_year=2000) for _ in range(3)]
    rows = [{"survey_id": survey.id, "member_id": member.id} for member in members]
    db.session.execute(insert(Invitation), rows)
    db.session.commit()
    html = client.get(url(survey)).text
    assert figure(html, "total.invited") == "15" and figure(html, "band.18-34.invited") == "3"
    ids = [member.id for member in members]
    db.session.execute(update(Member).where(Member.id.in_(ids)).values(birth_year=1940))
    db.session.commit()
    html = client.get(url(survey)).text
    assert figure(html, "band.18-34.invited") == "0" and figure(html, "band.75+.invited") == "3"


def test_a_warm_request_reads_neither_invitations_nor_members(client, login_as, survey):
    """The freshness check is one row by its key, whatever the number of invitations."""
    login_as("official")
    assert client.get(url(survey)).status_code == 200
    with counted_queries() as statements:
        assert client.get(url(survey)).status_code == 200
    assert len(statements) == 3
    assert not [s for s in statements if re.search(r"FROM (invitations|panel_members)\b", s)]


@pytest.mark.parametrize("suffix", ["", ".json"])
def test_an_association_is_refused_before_anything_is_counted(client, login_as, survey, suffix):
    """Beilen is not among the survey's villages: the account, the survey and its
    fingerprint (which brings the survey's villages), then 403."""
    login_as("association", village="Beilen")
    page = url(survey, suffix)
    with counted_queries() as statements:
        assert client.get(page).status_code == 403
    assert len(statements) == 3
