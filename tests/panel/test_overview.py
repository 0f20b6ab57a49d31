"""The officials' panel overview: counts per village, representativeness, funnel, settings."""

import re
import secrets
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from core.db import db, utcnow
from panel import overview
from panel.models import AgeBand, MemberStatus, Sex
from population.services import import_margins
from recruitment.models import RecruitmentBatch, RecruitmentCode
from recruitment.queries import batch_overviews
from recruitment.queries import funnels as recruitment_funnels
from tests.helpers import counted_queries
from villages.models import VillageKind
from villages.queries import panel_villages, village_by_name

TODAY = date.today()


@pytest.fixture
def english(client, post_form):
    post_form("/", "/language", {"language": "en", "next": "/"})


def left(**fields) -> dict:
    return {"status": MemberStatus.LEFT, "left_at": utcnow(), **fields}


def test_counts_per_village(make_member, make_village):
    make_village("Beilen", population=9950)
    make_member("Orvelte")
    make_member("Orvelte", paused_until=TODAY)
    make_member("Orvelte", paused_until=TODAY - timedelta(days=1))  # pause is over
    make_member("Orvelte", email=None, channel="paper", synthetic=True)
    make_member("Orvelte", **left())
    rows = {row.village.name: row for row in overview.overview()}
    orvelte = rows["Orvelte"]
    assert (orvelte.members, orvelte.paused, orvelte.active, orvelte.left) == (4, 1, 3, 1)
    assert (orvelte.web, orvelte.paper, orvelte.synthetic) == (3, 1, 1)
    assert orvelte.target == 17 and rows["Beilen"].members == 0
    totals = overview.totals(list(rows.values()))
    assert (totals.members, totals.left, totals.target) == (4, 1, 34)
    assert overview.village_counts(village_by_name("Orvelte")) == orvelte


def test_overview_page_shows_counts_target_and_sign_up(client, login_as, make_member, english):
    make_member("Orvelte", synthetic=True)
    make_member("Orvelte", paused_until=TODAY + timedelta(days=30))
    village_by_name("Orvelte").open_sign_up = False
    db.session.commit()
    login_as("official")
    html = client.get("/panel/").text
    assert "Panel per village" in html
    assert "The counts include 1 synthetic (demo) member." in html
    assert "15 to go" in html and ">No<" in html


def test_overview_page_takes_the_same_few_queries_however_big_the_panel(
    client, login_as, make_member, make_village
):
    login_as("official")
    make_member("Orvelte")
    with counted_queries() as few:
        assert client.get("/panel/").status_code == 200
    for name in ("Beilen", "Smilde", "Elp"):
        make_village(name)
        for _ in range(3):
            make_member(name)
    make_member("Elp", **left())
    with counted_queries() as many:
        assert client.get("/panel/").status_code == 200
    assert len(many) == len(few) <= 6


def make_batch(village: str, size: int = 50, redeemed: int = 3, unused: int = 2):
    batch = RecruitmentBatch(
        village_id=village_by_name(village).id,
        size=size,
        expires_on=TODAY - timedelta(days=1),
        note="Steekproef voorjaar",
    )
    for i in range(redeemed + unused):
        batch.codes.append(
            RecruitmentCode(
                code_hash=secrets.token_hex(32), redeemed_at=utcnow() if i < redeemed else None
            )
        )
    db.session.add(batch)
    db.session.commit()
    return batch


def test_funnel_per_batch(client, login_as, make_member, make_village, english):
    orvelte = make_village("Orvelte")
    batch = make_batch("Orvelte")
    make_batch("Orvelte", size=10, redeemed=0)
    make_member("Orvelte", recruitment_batch_id=batch.id)
    make_member("Orvelte", recruitment_batch_id=batch.id)
    make_member("Orvelte", recruitment_batch_id=batch.id, **left())
    make_member("Orvelte")  # signed up without a letter
    funnels = recruitment_funnels(batch_overviews(village_id=orvelte.id))
    assert [(f.letters, f.redeemed, f.active, f.left, f.unused) for f in funnels] == [
        (10, 0, 0, 0, 10),
        (50, 3, 2, 1, 47),
    ]
    assert funnels[1].expired
    login_as("official")
    html = client.get(f"/panel/villages/{orvelte.id}").text
    cells = re.findall(r'numeric-data">([^<]+)</td>', html.split('id="funnel-heading"')[1])
    assert cells == ["10", "0 (0%)", "0", "0", "50", "3 (6%)", "2", "1"]


def test_panel_villages_are_villages_and_hamlets_by_name(seeded):
    villages = panel_villages()
    assert [v.name for v in villages] == sorted(v.name for v in villages)
    assert "Beilen" in {v.name for v in villages}
    assert all(v.kind is not VillageKind.NEIGHBOURHOOD for v in villages)
    assert village_by_name("Nagtegael") not in villages


def born_in_band(band: AgeBand, year: int = 2026) -> int:
    """A birth year whose age on 1 January of `year` is the band's lower bound."""
    return year - band.bounds[0] - 1


def test_the_age_band_is_the_one_reached_on_the_reference_date(make_member, make_village):
    orvelte = make_village("Orvelte")
    make_member("Orvelte", birth_year=1990)
    make_member("Orvelte", birth_year=2007)
    make_member("Orvelte", birth_year=None, age_band=AgeBand.A65_74)
    assert overview.composition(orvelte.id, date(2025, 1, 1)) == {
        (AgeBand.A18_34, Sex.FEMALE): 1,  # 34 on 1 January 2025
        (None, Sex.FEMALE): 1,  # 17
        (AgeBand.A65_74, Sex.FEMALE): 1,
    }
    assert overview.composition(orvelte.id, date(2025, 12, 31)) == {
        (AgeBand.A35_49, Sex.FEMALE): 1,
        (AgeBand.A18_34, Sex.FEMALE): 1,
        (AgeBand.A65_74, Sex.FEMALE): 1,
    }


def test_village_page_compares_the_panel_with_the_current_margins(
    client, login_as, make_member, make_village, english
):
    orvelte = make_village("Orvelte")
    population = {
        AgeBand.A18_34: (100, 100),
        AgeBand.A35_49: (100, 100),
        AgeBand.A50_64: (150, 150),
        AgeBand.A65_74: (100, 100),
        AgeBand.A75_PLUS: (60, 40),
    }
    cells = {}
    for band, (women, men) in population.items():
        cells[(orvelte.id, band, Sex.FEMALE)] = women
        cells[(orvelte.id, band, Sex.MALE)] = men
    import_margins(cells, date(2026, 1, 1), "CBS 2026", None)
    db.session.commit()
    make_member("Orvelte", birth_year=born_in_band(AgeBand.A50_64))
    make_member("Orvelte", birth_year=born_in_band(AgeBand.A50_64) - 5)
    make_member("Orvelte", birth_year=born_in_band(AgeBand.A50_64), sex=Sex.MALE)
    make_member("Orvelte", birth_year=None, age_band=AgeBand.A65_74)
    make_member("Orvelte", birth_year=1980, sex=Sex.OTHER)
    make_member("Orvelte", birth_year=1990, **left())
    login_as("official")
    html = client.get(f"/panel/villages/{orvelte.id}").text
    assert "Panel of Orvelte" in html
    assert "Under-represented:</strong> 18-34 women, 18-34 men, 35-49 women, 35-49 men, " in html
    assert "65-74 men, 75+ women." in html  # 75+ men: only 4% of the adults, not flagged
    assert html.count(">under-represented<") == 6
    assert "50.0%" in html and "15.0%" in html and "3.33" in html  # 50-64 women: 2 of 4
    assert "1 member answered 'other' for sex and is not compared" in html
    assert "5 of the target of 17 (29%)" in html  # the 'other' member counts here


def test_village_page_without_margins_offers_the_import(client, login_as, make_village, english):
    village = make_village("Orvelte")
    login_as("official")
    html = client.get(f"/panel/villages/{village.id}").text
    assert "No population figures have been imported yet." in html
    assert 'href="/population/import"' in html
    assert "No recruitment letters have been made for this village yet." in html


def test_neighbourhoods_and_unknown_villages_have_no_page(client, login_as, seeded):
    login_as("official")
    assert client.get(f"/panel/villages/{village_by_name('Nagtegael').id}").status_code == 404
    assert client.get("/panel/villages/99999").status_code == 404


def test_official_switches_off_sign_up_and_sets_a_target(
    client, post_form, login_as, make_village, english
):
    village = make_village("Orvelte")
    official = login_as("official")
    page = f"/panel/villages/{village.id}"
    response = post_form(page, f"{page}/settings", {"recruitment_target": " 25 "})
    assert response.status_code == 303 and response.location == page
    db.session.refresh(village)
    assert (village.open_sign_up, village.recruitment_target) == (False, 25)
    assert "The settings of Orvelte are saved." in client.get(page).text
    event_ = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "village.panel_settings_changed")
    ).one()
    assert event_.actor_id == official.id and event_.object_id == str(village.id)
    assert event_.detail == {"open_sign_up": False, "recruitment_target": 25}
    post_form(page, f"{page}/settings", {"open_sign_up": "y", "recruitment_target": ""})
    db.session.refresh(village)
    assert (village.open_sign_up, village.recruitment_target) == (True, None)
    assert "Leave empty for the default of 17" in client.get(page).text


@pytest.mark.parametrize("target", ["0", "-1", "veel", "12.5", "100001"])
def test_a_bad_target_is_refused_and_keeps_what_was_entered(
    client, post_form, login_as, make_village, english, target
):
    village = make_village("Orvelte")
    login_as("official")
    page = f"/panel/villages/{village.id}"
    response = post_form(page, f"{page}/settings", {"recruitment_target": target})
    html = response.text
    assert response.status_code == 200
    assert "Enter a whole number of members from 1 to 100000, or leave it empty." in html
    assert f'value="{target}"' in html and 'id="error-summary"' in html
    assert 'name="open_sign_up" type="checkbox" value="y">' in html  # unticked, as sent
    db.session.refresh(village)
    assert (village.open_sign_up, village.recruitment_target) == (True, None)
    assert settings_changes() == []


def settings_changes() -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "village.panel_settings_changed")
    ).all()


def test_saving_without_changes_records_nothing(client, post_form, login_as, make_village, english):
    village = make_village("Orvelte")
    login_as("official")
    page = f"/panel/villages/{village.id}"
    post_form(page, f"{page}/settings", {"open_sign_up": "y"})
    assert "Nothing changed." in client.get(page).text
    assert settings_changes() == []


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/panel/"),
        ("get", "/panel/villages/{id}"),
        ("post", "/panel/villages/{id}/settings"),
    ],
)
@pytest.mark.parametrize("role", [None, "resident", "association", "volunteer"])
def test_only_officials_reach_the_overview(
    client, post_form, login_as, make_village, method, url, role
):
    url = url.format(id=make_village("Orvelte").id)
    if role is not None:
        login_as(role, village="Orvelte" if role in ("resident", "association") else None)
    # A POST carries a valid CSRF token (from the home page), so the role check is what stops it.
    response = client.get(url) if method == "get" else post_form("/", url, {"open_sign_up": ""})
    if role is None:
        assert response.status_code == 302 and response.location.startswith("/login")
    else:
        assert response.status_code == 403
