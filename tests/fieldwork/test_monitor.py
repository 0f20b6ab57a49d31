"""The response monitor: exact figures for officials, rounded ones for associations, never who.

Officials read the page in English, so the texts the tests look for stay put when the Dutch
translations arrive.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from accounts.models import Role
from accounts.services import grant_role
from core.dates import local_today
from core.db import db, utcnow
from fieldwork import monitor
from fieldwork.models import Invitation, Response
from fieldwork.monitor import (
    DayRow,
    RoundedTally,
    SurveyProgress,
    Tally,
    VillageRow,
    association_view,
    rounded,
    rounded_tally,
    survey_progress,
)
from panel.models import AgeBand, Channel, Member, Respondent
from surveys.services import create_survey
from tests.helpers import count
from tests.panel.test_overview import counted_queries
from tests.surveys.test_format import EXAMPLE
from villages.queries import village_by_name

OPENS = date(2026, 12, 1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def new_survey(make_village, opens_on: date | None, villages=("Orvelte", "Hooghalen")):
    """A survey for `villages` (every village when empty), published unless `opens_on` is None."""
    for name in ("Orvelte", "Hooghalen", "Beilen"):
        village_by_name(name) or make_village(name)
    survey = create_survey(EXAMPLE, by=None, villages=[village_by_name(n) for n in villages])
    if opens_on is not None:
        survey.publish(opens_on, opens_on + timedelta(days=20), utcnow())
    db.session.commit()
    return survey


def invite(survey, member, *, started=False, completed_at=None, invited_at=None, cut=False):
    """Invite `member`; started or completed makes the response as answering does. `cut`:
    an anonymous survey's response, no longer linked from the invitation once submitted."""
    invitation = Invitation(survey_id=survey.id, member_id=member.id)
    invitation.invited_at = invited_at or utcnow()
    if started or completed_at:
        response = Response(
            survey_id=survey.id,
            version_id=survey.live_version.id,
            respondent_id=None if cut else member.respondent_id,
            channel=Channel.WEB,
            village_id=member.village_id,
        )
        if completed_at:
            response.complete(completed_at)
        db.session.add(response)
        db.session.flush()
        invitation.response_id = None if cut else response.id
    invitation.completed_at = completed_at
    db.session.add(invitation)
    db.session.commit()
    return invitation


def paper_response(survey, village: str, completed_at: datetime) -> None:
    response = Response(
        survey_id=survey.id,
        version_id=survey.live_version.id,
        channel=Channel.PAPER,
        village_id=village_by_name(village).id,
    )
    response.complete(completed_at)
    db.session.add(response)
    db.session.commit()


@pytest.fixture
def english(client):
    with client.session_transaction() as session:
        session["language"] = "en"


def tallies(rows) -> dict:
    return {
        getattr(row, "name", None) or getattr(row, "band", None): (
            row.figures.invited,
            row.figures.started,
            row.figures.completed,
        )
        for row in rows
    }


# Counting ------------------------------------------------------------------------------


def test_progress_per_village_age_group_and_day(make_member, make_village):
    survey = new_survey(make_village, OPENS)
    invited_at = at(OPENS, 8)
    orvelte = [make_member("Orvelte", birth_year=year) for year in (1960, 1980, 1990, 2000)]
    invite(survey, orvelte[0], completed_at=at(OPENS, 10), invited_at=invited_at)
    # 23:30 UTC is half past midnight in Amsterdam: the next day there.
    invite(survey, orvelte[1], completed_at=at(OPENS, 23, 30), invited_at=invited_at)
    invite(survey, orvelte[2], started=True, invited_at=invited_at)
    invite(survey, orvelte[3], invited_at=invited_at)
    anonymous = make_member("Hooghalen", birth_year=None, age_band=AgeBand.A75_PLUS)
    invite(survey, anonymous, completed_at=at(OPENS + timedelta(2), 8), cut=True)
    invite(survey, make_member("Hooghalen", birth_year=1970), invited_at=invited_at)

    progress = survey_progress(survey, today=OPENS + timedelta(days=3))

    assert progress.total == Tally(invited=6, started=4, completed=3)
    assert progress.total.rate == 0.5
    assert tallies(progress.villages) == {"Hooghalen": (2, 1, 1), "Orvelte": (4, 3, 2)}
    assert [row.figures.rate for row in progress.villages] == [0.5, 0.5]
    assert tallies(progress.age_bands) == {
        AgeBand.A18_34: (1, 0, 0),  # born 2000
        AgeBand.A35_49: (2, 2, 1),  # 1980 and 1990
        AgeBand.A50_64: (1, 0, 0),
        AgeBand.A65_74: (1, 1, 1),
        AgeBand.A75_PLUS: (1, 1, 1),  # no birth year: the band given
    }
    assert progress.days == [
        DayRow(OPENS + timedelta(days=3), 0),
        DayRow(OPENS + timedelta(days=2), 1),
        DayRow(OPENS + timedelta(days=1), 1),
        DayRow(OPENS, 1),
    ]
    assert progress.paper_completed == 0


@pytest.mark.parametrize("today", [date(2026, 12, 1), date(2031, 1, 1)])
def test_days_are_dutch_dates_in_summer_and_winter_time(make_member, make_village, today):
    """The database groups the moments; each lands on its Dutch date, also around the
    changes to summer and winter time (29 March and 25 October 2026), the hour before
    midnight and new year. On SQLite, moments of last year and this one are shifted in SQL,
    older ones folded from UTC hours (`today` in 2031): the same dates either way."""
    survey = new_survey(make_village, date(2026, 10, 20))
    moments = [
        at(date(2026, 10, 24), 21, 59),  # 23:59 summer time: the 24th
        at(date(2026, 10, 24), 22, 0),  # 00:00 summer time: the 25th
        at(date(2026, 10, 25), 22, 59),  # 23:59 winter time: the 25th
        at(date(2026, 10, 25), 23, 0),  # 00:00 winter time: the 26th
        at(date(2026, 10, 26), 23, 30),  # the 27th
        at(date(2026, 3, 28), 22, 59),  # 23:59 winter time: 28 March
        at(date(2026, 3, 28), 23, 0),  # 00:00 winter time: 29 March
        at(date(2026, 3, 29), 21, 59),  # 23:59 summer time: 29 March
        at(date(2026, 3, 29), 22, 0),  # 00:00 summer time: 30 March
        at(date(2025, 12, 31), 23, 0),  # 00:00 on new year's day
    ]
    for moment in moments:
        invite(survey, make_member("Orvelte", birth_year=1970), completed_at=moment)
    invite(survey, make_member("Hooghalen", birth_year=1970), completed_at=moments[1])

    cells = monitor._day_cells(survey.id, ZoneInfo("Europe/Amsterdam"), today)

    orvelte, hooghalen = village_by_name("Orvelte").id, village_by_name("Hooghalen").id
    assert cells == {
        (orvelte, date(2026, 10, 24)): 1,
        (orvelte, date(2026, 10, 25)): 2,
        (orvelte, date(2026, 10, 26)): 1,
        (orvelte, date(2026, 10, 27)): 1,
        (orvelte, date(2026, 3, 28)): 1,
        (orvelte, date(2026, 3, 29)): 2,
        (orvelte, date(2026, 3, 30)): 1,
        (orvelte, date(2026, 1, 1)): 1,
        (hooghalen, date(2026, 10, 25)): 1,
    }


def test_a_survey_for_every_village_lists_every_panel_village(make_member, make_village):
    survey = new_survey(make_village, OPENS, villages=())
    invite(survey, make_member("Beilen"))
    progress = survey_progress(survey, OPENS)
    assert tallies(progress.villages) == {
        "Beilen": (1, 0, 0),
        "Hooghalen": (0, 0, 0),
        "Orvelte": (0, 0, 0),
    }
    assert progress.villages[1].figures.rate is None


def test_a_member_who_moved_counts_in_their_village_now(make_member, make_village):
    survey = new_survey(make_village, OPENS, villages=("Orvelte",))
    member = make_member("Orvelte")
    invite(survey, member, completed_at=at(OPENS, 9))
    member.village_id = village_by_name("Beilen").id
    db.session.commit()
    assert tallies(survey_progress(survey, OPENS).villages) == {
        "Beilen": (1, 1, 1),
        "Orvelte": (0, 0, 0),
    }


def test_the_age_group_is_the_one_on_the_day_of_the_invitation(make_member, make_village):
    survey = new_survey(make_village, OPENS)
    member = make_member("Orvelte", birth_year=1991)
    invite(survey, member, invited_at=at(date(2026, 6, 1), 12))  # 34 then, 35 by 2 July
    later = make_member("Orvelte", birth_year=1991)
    invite(survey, later, invited_at=at(date(2026, 7, 2), 12))
    bands = tallies(survey_progress(survey, OPENS).age_bands)
    assert bands[AgeBand.A18_34] == (1, 0, 0) and bands[AgeBand.A35_49] == (1, 0, 0)


def test_the_database_works_out_age_groups_as_the_representativeness_check_does(
    make_member, make_village
):
    """The monitor groups by age group in SQL: on every edge (a birthday of 2 July, 18, 35,
    65 and 75, no birth year) it must agree with `age_band_on`."""
    from population.representativeness import age_band_on

    survey = new_survey(make_village, OPENS)
    days = [date(2026, 1, 1), date(2026, 7, 1), date(2026, 7, 2), date(2026, 12, 31)]
    expected: dict = {}
    for day in days:
        for age in (16, 17, 18, 19, 34, 35, 49, 50, 64, 65, 74, 75, 76, 90):
            member = make_member("Orvelte", birth_year=day.year - age)
            invite(survey, member, invited_at=at(day, 23))  # late: the UTC date is the day
            band = age_band_on(day.year - age, None, day)
            expected[band] = expected.get(band, 0) + 1
    for band in (AgeBand.A35_49, AgeBand.A75_PLUS):
        invite(
            survey, make_member("Orvelte", birth_year=None, age_band=band), invited_at=at(OPENS, 9)
        )
        expected[band] += 1
    found = {
        band: invited
        for band, (invited, _, _) in tallies(survey_progress(survey, OPENS).age_bands).items()
        if invited
    }
    assert found == expected and None in found


def test_a_deleted_member_leaves_the_counts_and_the_answers_stay(make_member, make_village):
    survey = new_survey(make_village, OPENS)
    member = make_member("Orvelte")
    invite(survey, member, completed_at=at(OPENS, 9))
    invite(survey, make_member("Orvelte"))
    db.session.delete(member)
    db.session.commit()
    progress = survey_progress(survey, OPENS)
    assert progress.total == Tally(invited=1, started=0, completed=0)
    assert progress.days == [DayRow(OPENS, 0)]
    assert count(Response) == 1


def test_paper_questionnaires_are_counted_apart(make_member, make_village):
    survey = new_survey(make_village, OPENS)
    invite(survey, make_member("Orvelte"))
    paper_response(survey, "Orvelte", at(OPENS, 12))
    progress = survey_progress(survey, OPENS)
    assert progress.paper_completed == 1
    assert progress.total == Tally(invited=1, started=0, completed=0)
    assert progress.paper_cells == {village_by_name("Orvelte").id: 1}


def test_a_draft_has_no_days_yet(make_village):
    survey = new_survey(make_village, None)
    progress = survey_progress(survey, OPENS)
    assert progress.days == [] and progress.total == Tally()


# What associations see ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "shown"),
    [(0, None), (1, None), (9, None), (10, 10), (12, 10), (13, 15), (17, 15), (18, 20), (101, 100)],
)
def test_counts_are_rounded_to_5_and_suppressed_below_the_threshold(n, shown):
    assert rounded(n, threshold=10) == shown


@pytest.mark.parametrize(
    ("tally", "threshold", "shown"),
    [
        (Tally(23, 14, 12), 10, RoundedTally(25, 15, 10, 0.4)),
        # Completed is suppressed, so is the rate: it would give the count away.
        (Tally(20, 12, 9), 10, RoundedTally(20, 10, None, None)),
        (Tally(9, 9, 9), 10, RoundedTally(None, None, None, None)),
        (Tally(10, 10, 10), 10, RoundedTally(10, 10, 10, 1.0)),
        # 12 invited rounds to 10: under a threshold of 12, so no rate.
        (Tally(12, 12, 12), 12, RoundedTally(10, 10, 10, None)),
        (Tally(0, 0, 0), 10, RoundedTally(None, None, None, None)),
    ],
)
def test_rates_only_from_shown_counts(tally, threshold, shown):
    assert rounded_tally(tally, threshold) == shown


def two_villages() -> SurveyProgress:
    """Village 1: 14 invited; village 2: 7. The way survey_progress builds it."""
    cells = {
        (1, AgeBand.A50_64): Tally(11, 9, 8),
        (1, AgeBand.A65_74): Tally(3, 3, 3),
        (2, AgeBand.A50_64): Tally(7, 7, 7),
    }
    day_cells = {(1, OPENS): 10, (1, OPENS + timedelta(1)): 1, (2, OPENS): 7}
    return SurveyProgress(
        total=Tally(21, 19, 18),
        villages=[
            VillageRow(1, "Orvelte", Tally(14, 12, 11)),
            VillageRow(2, "Elp", Tally(7, 7, 7)),
        ],
        age_bands=[],
        days=[DayRow(OPENS + timedelta(1), 1), DayRow(OPENS, 17)],
        paper_completed=0,
        cells=cells,
        day_cells=day_cells,
        paper_cells={2: 12},
        period=[OPENS, OPENS + timedelta(1)],
    )


def test_an_association_sees_only_its_villages_summed_then_rounded():
    view = association_view(two_villages(), {1}, threshold=10)
    assert view.rounded and view.threshold == 10
    # One day is hidden (1 complete): the total completed would give it away.
    assert view.total == RoundedTally(15, 10, None, None)
    assert [(row.name, row.figures) for row in view.villages] == [
        ("Orvelte", RoundedTally(15, 10, 10, 10 / 15))
    ]
    bands = {row.band: row.figures for row in view.age_bands}
    assert bands[AgeBand.A50_64] == RoundedTally(10, None, None, None)
    assert bands[AgeBand.A65_74] == RoundedTally(None, None, None, None)
    assert bands[AgeBand.A18_34] == RoundedTally(None, None, None, None)
    assert view.days == [DayRow(OPENS + timedelta(1), None), DayRow(OPENS, 10)]
    assert view.paper_completed is None  # the 12 on paper are the other village's


def test_an_association_of_both_villages_sees_their_sum():
    view = association_view(two_villages(), {1, 2}, threshold=10)
    # Elp alone is below the threshold: the sum would give it away by subtraction.
    assert view.total == RoundedTally(None, None, None, None)
    assert [row.name for row in view.villages] == ["Orvelte", "Elp"]
    assert view.days == [DayRow(OPENS + timedelta(1), None), DayRow(OPENS, 15)]
    assert view.paper_completed == 10


def test_a_day_outside_the_period_shows_only_for_the_village_it_happened_in():
    progress = two_villages()
    late = OPENS + timedelta(days=30)
    progress.day_cells[(2, late)] = 12
    assert [row.day for row in association_view(progress, {1}, 10).days] == [
        OPENS + timedelta(1),
        OPENS,
    ]
    assert association_view(progress, {2}, 10).days[0] == DayRow(late, 10)


# The pages -------------------------------------------------------------------------------


@pytest.fixture
def fieldwork(make_member, make_village):
    """A survey open since two days ago: Orvelte 13 invited, 12 started, 11 completed today;
    Hooghalen 3 invited, 1 completed."""
    today = local_today()
    survey = new_survey(make_village, today - timedelta(days=2))
    for i in range(13):
        member = make_member("Orvelte", name=f"Jansen {i}")
        invite(survey, member, started=i < 12, completed_at=utcnow() if i < 11 else None)
    for i in range(3):
        invite(survey, make_member("Hooghalen"), completed_at=utcnow() if i == 0 else None)
    return survey


def url(survey, suffix="") -> str:
    return f"/surveys/{survey.id}/responses{suffix}"


@pytest.mark.parametrize("suffix", ["", ".json"])
@pytest.mark.parametrize(
    ("role", "village", "expected"),
    [
        (None, None, 302),
        ("resident", "Orvelte", 403),
        ("volunteer", None, 403),
        ("association", "Beilen", 403),  # not in the survey's villages
        ("association", "Orvelte", 200),
        ("official", None, 200),
    ],
)
def test_who_may_see_the_monitor(client, login_as, fieldwork, suffix, role, village, expected):
    if role is not None:
        login_as(role, village=village)
    response = client.get(url(fieldwork, suffix))
    assert response.status_code == expected
    if expected == 302:
        assert response.location.startswith("/login")


def test_an_association_sees_no_draft_and_nobody_an_unknown_survey(client, login_as, make_village):
    draft = new_survey(make_village, None)
    login_as("association", village="Orvelte")
    assert client.get(url(draft)).status_code == 403
    assert client.get("/surveys/99999/responses").status_code == 404


def test_an_association_sees_a_survey_for_every_village(client, login_as, make_village):
    survey = new_survey(make_village, local_today(), villages=())
    login_as("association", village="Orvelte")
    figures = client.get(url(survey, ".json")).json["figures"]
    orvelte = village_by_name("Orvelte").id
    assert f"village.{orvelte}.invited" in figures
    assert not any(key.startswith("village.") and str(orvelte) not in key for key in figures)


def test_officials_see_exact_figures_and_never_who_answered(client, login_as, fieldwork, english):
    login_as("official")
    response = client.get(url(fieldwork))
    html = response.text
    assert "Responses to Leefbaarheid in uw dorp" in html
    assert 'Completed: <span data-figure="total.completed">12</span> of' in html
    assert 'data-figure="total.invited">16<' in html and 'data-figure="total.rate">75%<' in html
    assert "Hooghalen" in html and "Orvelte" in html
    assert "Jansen" not in html and "@example.nl" not in html
    for pseudonym in db.session.scalars(select(Respondent.pseudonym)):
        assert pseudonym not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None  # CSP: no inline script
    assert "style=" not in html
    assert "js/monitor.js" in html
    figures = client.get(url(fieldwork, ".json")).json
    assert figures["rounded"] is False
    assert figures["figures"]["total.completed"] == 12
    assert figures["figures"]["today.completed"] == 12


def test_an_association_sees_its_village_rounded_and_nothing_of_another(
    client, login_as, fieldwork, english
):
    login_as("association", village="Orvelte")
    html = client.get(url(fieldwork)).text
    assert "Hooghalen" not in html and "Jansen" not in html
    assert "rounded to 5" in html and "fewer than 10" in html
    assert 'data-figure="total.invited">15<' in html
    response = client.get(url(fieldwork, ".json"))
    assert response.headers["Cache-Control"] == "no-store"
    figures = response.json["figures"]
    orvelte = village_by_name("Orvelte").id
    assert figures["total.invited"] == 15 and figures["total.completed"] == 10
    assert figures[f"village.{orvelte}.started"] == 10
    assert figures["today.completed"] == 10 and figures["paper.completed"] is None
    hooghalen = village_by_name("Hooghalen").id
    assert not any(f"village.{hooghalen}." in key for key in figures)
    counts = [v for k, v in figures.items() if not k.endswith(".rate") and v is not None]
    assert all(n % 5 == 0 and n >= 10 for n in counts)


@pytest.mark.parametrize("role", ["official", "association"])
def test_the_page_marks_every_number_the_json_gives(client, login_as, fieldwork, role):
    login_as(role, village="Orvelte" if role == "association" else None)
    keys = set(re.findall(r'data-figure="([^"]+)"', client.get(url(fieldwork)).text))
    figures = client.get(url(fieldwork, ".json")).json["figures"]
    assert keys == set(figures)


def test_a_closed_survey_is_not_refreshed(client, login_as, fieldwork, english):
    fieldwork.close()
    db.session.commit()
    login_as("official")
    html = client.get(url(fieldwork)).text
    assert "js/monitor.js" not in html and ">Refresh</a>" in html


def test_a_draft_shows_empty_figures_to_officials(client, login_as, make_village, english):
    draft = new_survey(make_village, None)
    login_as("official")
    html = client.get(url(draft)).text
    assert "The survey has not opened yet." in html and "js/monitor.js" not in html


@pytest.mark.parametrize("role", ["official", "association"])
def test_the_monitor_takes_the_same_few_queries_however_many_invitations(
    client, login_as, make_member, make_village, role
):
    survey = new_survey(make_village, local_today())
    login_as(role, village="Orvelte" if role == "association" else None)

    page = url(survey)

    def queries() -> int:
        with counted_queries() as statements:
            assert client.get(page).status_code == 200
        return len(statements)

    def add(n: int) -> None:
        for i in range(n):
            village = ("Orvelte", "Hooghalen")[i % 2]
            member = make_member(village, birth_year=1950 + i)
            invite(survey, member, completed_at=utcnow() if i % 3 else None)

    add(5)
    few = queries()
    add(45)
    # The account, the survey, the fingerprint, then six counts and the villages.
    assert queries() == few == 9
    # Warm: the account, the survey and the fingerprint; the rest is kept while the
    # fingerprint holds.
    assert queries() == 3


# The counts kept between requests ---------------------------------------------------------


def village_figure(html: str, village: str, name: str) -> str:
    key = f"village.{village_by_name(village).id}.{name}"
    return re.search(rf'data-figure="{re.escape(key)}">([^<]*)<', html).group(1)


def first_invited(survey) -> Member:
    invited = select(Member).join(Invitation, Invitation.member_id == Member.id)
    return db.session.scalars(
        invited.where(Invitation.survey_id == survey.id).order_by(Member.id)
    ).first()


def test_a_member_moving_village_shows_at_the_next_request(
    client, login_as, fieldwork, make_village, english
):
    login_as("official")
    html = client.get(url(fieldwork)).text
    assert village_figure(html, "Hooghalen", "invited") == "3"
    member = first_invited(fieldwork)
    assert member.village_id == village_by_name("Orvelte").id
    member.village_id = village_by_name("Hooghalen").id  # no invitation changes
    db.session.commit()
    html = client.get(url(fieldwork)).text
    assert village_figure(html, "Hooghalen", "invited") == "4"
    assert village_figure(html, "Orvelte", "invited") == "12"


def test_a_corrected_birth_year_shows_at_the_next_request(client, login_as, fieldwork, english):
    login_as("official")
    band = f"band.{AgeBand.A65_74.value}.invited"
    figure = re.compile(rf'data-figure="{re.escape(band)}">([^<]*)<')
    assert figure.search(client.get(url(fieldwork)).text).group(1) == "16"
    member = first_invited(fieldwork)
    member.birth_year = 1940
    db.session.commit()
    assert figure.search(client.get(url(fieldwork)).text).group(1) == "15"


def test_a_new_completed_response_shows_at_the_next_request(
    client, login_as, fieldwork, make_member, english
):
    login_as("official")
    assert 'data-figure="total.completed">12<' in client.get(url(fieldwork)).text
    started = db.session.scalars(
        select(Invitation).where(
            Invitation.survey_id == fieldwork.id,
            Invitation.response_id.is_not(None),
            Invitation.took_part.is_(False),
        )
    ).one()
    started.response.complete(utcnow())
    started.completed_at = utcnow()
    db.session.commit()
    html = client.get(url(fieldwork)).text
    assert 'data-figure="total.completed">13<' in html
    assert 'data-figure="total.started">13<' in html
    invite(fieldwork, make_member("Hooghalen"), completed_at=utcnow())
    html = client.get(url(fieldwork)).text
    assert 'data-figure="total.completed">14<' in html
    assert 'data-figure="total.invited">17<' in html


def test_an_association_never_sees_the_counts_kept_for_an_official(
    client, login_as, fieldwork, english
):
    login_as("official")
    assert village_figure(client.get(url(fieldwork)).text, "Hooghalen", "invited") == "3"
    login_as("association", village="Orvelte")
    html = client.get(url(fieldwork)).text
    assert "Hooghalen" not in html and 'data-figure="total.invited">15<' in html


def test_visible_villages_of_an_association_are_its_own_in_scope(make_account, make_village):
    survey = new_survey(make_village, OPENS, villages=("Orvelte",))
    both = make_account("association", village="Orvelte")
    grant_role(both, Role.ASSOCIATION, village_by_name("Hooghalen"))
    db.session.commit()
    assert monitor.visible_villages(both, survey) == {village_by_name("Orvelte").id}
    assert monitor.visible_villages(make_account("official"), survey) is None
    assert monitor.visible_villages(None, survey) == frozenset()


def test_totals_show_when_no_single_part_can_be_derived():
    progress = two_villages()
    progress.villages.append(VillageRow(3, "Spier", Tally(8, 8, 8)))
    progress.cells[(3, AgeBand.A50_64)] = Tally(8, 8, 8)
    progress.day_cells[(3, OPENS)] = 8
    view = association_view(progress, {1, 2, 3}, threshold=10)
    assert [row.figures.invited for row in view.villages] == [15, None, None]
    assert view.total.invited == 30  # two hidden villages: neither can be derived


def test_associations_of_other_villages_never_share_a_rendered_page(client, login_as, fieldwork):
    login_as("association", village="Orvelte")
    assert "Orvelte" in client.get(url(fieldwork)).text
    login_as("association", village="Hooghalen")
    html = client.get(url(fieldwork)).text
    assert "Orvelte" not in html and "Hooghalen" in html


def test_the_rendered_figures_follow_the_language(client, login_as, fieldwork):
    login_as("official")
    assert "Per dorp" in client.get(url(fieldwork)).text
    with client.session_transaction() as session:
        session["language"] = "en"
    html = client.get(url(fieldwork)).text
    assert "Per village" in html and "Per dorp" not in html
