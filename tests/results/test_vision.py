"""The results of a village-vision survey: computed when it closes, reviewed by officials,
released to the village's association, and nothing below the disclosure rules anywhere.
Read in English, so the texts the tests look for stay put when translations change."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import select

from analysis.vision import rake
from core.dates import local_today
from core.db import db, utcnow
from fieldwork.links import survey_token
from fieldwork.models import Response
from panel.models import AgeBand, Channel
from results import quotes, services
from results.clusters import create_cluster
from results.models import AnalysisRun, RunStatus
from results.release import release_run
from surveys.models import SurveyKind
from surveys.services import create_survey
from surveys.templates import load_template
from tests.fieldwork.test_answering import Resident, invite
from tests.results.test_views import run_jobs
from villages.queries import village_by_name

BANDS = [band.value for band in AgeBand]
#: 20 residents of Orvelte. "Would you like to help?": 12 yes, 6 maybe, 2 no: "no" is fewer
#: than three, and "maybe" is hidden too, or 100% minus "yes" would give "no" away.
HELP = ["1"] * 12 + ["2"] * 6 + ["3"] * 2
#: Their top three: 2 ranked nothing; "energie" by 2 only (no average place).
TOP3 = (
    [["natuur", "verkeer", "zorg"]] * 10
    + [["zorg", "natuur", "jeugd"]] * 6
    + [["energie"]] * 2
    + [[]] * 2
)
QUOTE = "De rust en de ruimte, en dat iedereen elkaar kent."


@pytest.fixture
def english(client):
    with client.session_transaction() as session:
        session["language"] = "en"


def vision_survey(opens_on: date | None = None):
    orvelte = village_by_name("Orvelte")
    survey = create_survey(
        load_template("dorpsvisie"), by=None, kind=SurveyKind.VILLAGE_VISION, villages=[orvelte]
    )
    survey.submit_for_review()
    survey.approve()
    opens_on = opens_on or local_today() - timedelta(days=1)
    survey.publish(opens_on, opens_on + timedelta(days=30), utcnow())
    db.session.commit()
    return survey


@pytest.fixture
def answered(make_margins, make_village):
    """The Orvelte village vision, closed, with the 20 answers above (margins imported)."""
    make_margins()
    survey = vision_survey(date(2026, 11, 1))
    orvelte = village_by_name("Orvelte")
    for i, (helping, ranking) in enumerate(zip(HELP, TOP3, strict=True)):
        answers = {"HELPEN": helping, "WAARDE": QUOTE if i == 0 else "Mooi dorp"}
        if ranking:
            answers["PRIO_TOP3"] = ranking
        response = Response(
            survey_id=survey.id,
            version_id=survey.live_version.id,
            channel=Channel.WEB,
            village_id=orvelte.id,
            age_band=BANDS[i % 5],
            sex="female" if i % 2 else "male",
            answers=answers,
        )
        response.complete(utcnow())
        db.session.add(response)
    survey.close()
    db.session.commit()
    return survey


def computed_run(survey) -> AnalysisRun:
    run = services.run_now(survey)
    db.session.commit()
    assert run.status is RunStatus.SUCCEEDED, run.error
    return run


def weights() -> np.ndarray:
    """The weights the run gives the 20 residents, from the margins of tests.waves."""
    people_per_cell = {band: 8 + (7 if band == "75+" else 0) for band in BANDS}
    population = {(b, s): people_per_cell[b] for b in BANDS for s in ("female", "male")}
    people = [(BANDS[i % 5], "female" if i % 2 else "male") for i in range(20)]
    return rake(people, population).weights


# Computing --------------------------------------------------------------------------------


def test_closing_a_village_vision_queues_its_results(app, client, login_as, answered):
    run = services.request_run(answered, trigger="closed")
    db.session.commit()
    assert run is not None
    run_id = run.id
    run_jobs(app)
    run = db.session.get(AnalysisRun, run_id)
    assert run.status is RunStatus.SUCCEEDED and run.output["format"] == "village_vision/1"
    assert run.released_at is None
    assert run.reference_date == date(2026, 1, 1) and run.margin_import_id is not None


def test_the_stored_figures_are_weighted_rounded_and_disclosure_controlled(answered):
    output = computed_run(answered).output
    assert output["village"] == "Orvelte" and output["n"] == 20
    assert output["weighting"]["weighted"] is True
    [helping] = [q for q in output["questions"] if q["code"] == "HELPEN"]
    [row] = helping["rows"]
    shown = {c["code"]: (c["outcome"], c["percent"]) for c in row["categories"]}
    w = weights()
    yes = int(w[:12].sum() / w.sum() * 100 + 0.5)
    assert shown == {"1": ("publish", yes), "2": ("hidden", None), "3": ("almost_no_one", None)}
    [top] = output["priorities"]
    assert top["n"] == 20  # 18 ranked something: rounded to 5
    assert [row["code"] for row in top["ranked"]][:2] in (["natuur", "zorg"], ["zorg", "natuur"])
    few = {"energie", "wonen_jong", "wonen_oud", "voorzieningen"}
    assert {row["code"] for row in top["few"]} == few
    # Only 2 chose any of those: "jeugd" (6) is hidden too, or 36 minus the shown mean
    # ranks would give their sum away.
    assert [row["code"] for row in top["hidden"]] == ["jeugd"]
    for row in top["ranked"]:
        assert 1 <= row["low"] <= row["mean"] <= row["high"] <= 8


def test_without_margins_the_figures_are_unweighted_and_say_so(
    app, client, login_as, make_village, english
):
    make_village("Orvelte")
    survey = vision_survey(date(2026, 11, 1))
    for i in range(12):
        response = Response(
            survey_id=survey.id,
            version_id=survey.live_version.id,
            channel=Channel.WEB,
            village_id=survey.villages[0].id,
            age_band=BANDS[i % 5],
            sex="female",
            answers={"HELPEN": "1" if i < 6 else "2"},
        )
        response.complete(utcnow())
        db.session.add(response)
    survey.close()
    db.session.commit()
    run = computed_run(survey)
    assert run.output["weighting"] == {"weighted": False, "reason": "no_margins"}
    assert run.margin_import_id is None and run.reference_date is None
    login_as("official")
    page = client.get(f"/surveys/{survey.id}/results").text
    assert "Unweighted." in page and "Computed on" in page and "unweighted" in page
    assert ">50%<" in page  # 6 of 12 each


def test_closing_a_village_vision_says_its_results_are_computed(
    client, login_as, make_village, english
):
    make_village("Orvelte")
    survey = vision_survey()
    login_as("official")
    page = client.get(f"/surveys/{survey.id}/close").text
    assert "Closing starts the computation of the results" in page
    assert "no figures are computed" not in page


def test_two_answers_give_no_figures_but_say_why(
    app, client, login_as, make_margins, post_form, english
):
    make_margins()
    survey = vision_survey()
    for band in ("18-34", "75+"):
        response = Response(
            survey_id=survey.id,
            version_id=survey.live_version.id,
            channel=Channel.WEB,
            village_id=survey.villages[0].id,
            age_band=band,
            sex="female",
            answers={"HELPEN": "1", "PRIO_TOP3": ["natuur"]},
        )
        response.complete(utcnow())
        db.session.add(response)
    db.session.commit()
    survey_id = survey.id
    login_as("official")
    assert post_form(f"/surveys/{survey_id}", f"/surveys/{survey_id}/close").status_code == 302
    run_jobs(app)
    page = client.get(f"/surveys/{survey_id}/results").text
    assert "Not shown: fewer than 10 people answered this question." in page
    assert "%</td>" not in page and "average place 1" not in page and "failed" not in page
    again = post_form(f"/surveys/{survey_id}/results", f"/surveys/{survey_id}/results/run")
    assert again.status_code == 302
    runs = db.session.scalars(select(AnalysisRun).where(AnalysisRun.survey_id == survey_id))
    assert len(runs.all()) == 2
    assert "no figures; a summary" not in client.get("/results").text


def test_a_published_unweighted_vision_keeps_no_margins_or_clusters_of_waves(
    client, login_as, make_village, make_margins, post_form, english
):
    make_village("Orvelte")
    survey = vision_survey(date(2026, 11, 1))
    for i in range(10):
        response = Response(
            survey_id=survey.id,
            version_id=survey.live_version.id,
            channel=Channel.WEB,
            village_id=survey.villages[0].id,
            age_band=BANDS[i % 5],
            sex="male",
            answers={"HELPEN": "1" if i < 5 else "2"},
        )
        response.complete(utcnow())
        db.session.add(response)
    survey.close()
    db.session.commit()
    release_run(computed_run(survey), by=None)
    make_margins()  # imported after publication
    create_cluster("Kleine kernen", [village_by_name("Orvelte"), village_by_name("Eursinge")])
    db.session.commit()
    login_as("official")
    page = client.get(f"/surveys/{survey.id}/results")
    assert page.status_code == 200 and "Unweighted." in page.text
    assert "keep the village clusters" not in page.text
    assert "keep the population margins" not in page.text
    assert survey.title not in client.get("/analysis/clusters").text
    url = f"/surveys/{survey.id}/results"
    again = post_form(url, f"{url}/run", follow_redirects=True).text
    assert "The figures are being computed again. Refresh this page in a minute." in again
    rerun = services.run_now(survey)  # computed again: still unweighted, as published
    assert rerun.output["weighting"]["weighted"] is False and rerun.margin_import_id is None


# Who sees what -----------------------------------------------------------------------------


def figures_in(page: str) -> bool:
    return "Would you like to help with the village vision?" in page and "Priorities" in page


def test_officials_review_the_results_before_they_are_published(
    client, login_as, answered, english
):
    computed_run(answered)
    login_as("official")
    page = client.get(f"/surveys/{answered.id}/results").text
    assert figures_in(page)
    assert "Not yet published: only municipal staff see these figures." in page
    assert "weighted to the population on" in page
    assert "no questions for the liveability indicators" not in page
    assert client.get(f"/surveys/{answered.id}/results.json").status_code == 200


@pytest.mark.parametrize(
    ("who", "before", "after"),
    [
        (("association", "Orvelte"), 200, 200),
        (("association", "Beilen"), 403, 403),
        (("resident", "Orvelte"), 403, 403),
        (None, 302, 302),
    ],
)
def test_who_sees_the_results_before_and_after_release(
    client, login_as, answered, english, who, before, after
):
    run = computed_run(answered)
    if who is not None:
        login_as(who[0], village=who[1])
    url = f"/surveys/{answered.id}/results"
    page = client.get(url)
    assert page.status_code == before and not figures_in(page.text)
    if before == 200:
        assert "The figures are not ready yet." in page.text
        assert client.get(f"{url}.json").status_code == 404
    release_run(run, by=None)
    db.session.commit()
    page = client.get(url)
    assert page.status_code == after
    assert figures_in(page.text) is (after == 200)
    download = client.get(f"{url}.json")
    assert download.status_code == (200 if after == 200 else after)
    if after == 200:
        assert json.loads(download.data)["village"] == "Orvelte"


def test_no_category_below_the_rules_appears_on_the_page_or_in_the_download(
    client, login_as, answered, english
):
    release_run(computed_run(answered), by=None)
    db.session.commit()
    w = weights()
    # The true weighted shares of the hidden categories ("maybe" and "no").
    hidden = {
        int(w[12:18].sum() / w.sum() * 100 + 0.5),
        int(w[18:].sum() / w.sum() * 100 + 0.5),
        int(w[12:].sum() / w.sum() * 100 + 0.5),
    }
    for role in ("official", "association"):
        login_as(role, village="Orvelte" if role == "association" else None)
        page = client.get(f"/surveys/{answered.id}/results").text
        table = page[page.index("Would you like to help") :]
        table = table[: table.index("</table>")]
        cells = re.findall(r'scope="row">([^<]+)</th>\s*<td[^>]*>([^<]+)</td>', table)
        assert cells[1:] == [("Maybe", "not shown"), ("No", "(almost) no one")], cells
        assert not any(f">{share}%<" in table for share in hidden)
        document = json.loads(client.get(f"/surveys/{answered.id}/results.json").data)
        for question in document["questions"]:
            for row in question["rows"]:
                for category in row["categories"]:
                    assert category["percent"] is None or category["outcome"] == "publish"
        [helping] = [q for q in document["questions"] if q["code"] == "HELPEN"]
        percents = [c["percent"] for c in helping["rows"][0]["categories"]]
        assert percents[1:] == [None, None]
        ranked = json.dumps(document["priorities"][0]["ranked"])
        assert "energie" not in ranked  # chosen by 2: no average place
        assert "jeugd" not in ranked  # or the sum of the rest could be worked out
        assert "Sustainable energy" in page  # listed as chosen by (almost) no one
        hidden = page[page.index("Not shown, or the choices above could be worked out") :]
        assert "Activities for young people" in hidden[: hidden.index("</ul>")]


def test_the_page_shows_priorities_in_order_and_the_curated_quotes(
    client, login_as, answered, english
):
    official = login_as("official")
    [answer] = [a for a in quotes.open_answers(answered) if a.text == QUOTE]
    quote = quotes.create_quote(answered, answer.response_id, "WAARDE", QUOTE, official)
    quotes.publish_quote(quote, official, utcnow())
    release_run(computed_run(answered), by=None)
    db.session.commit()
    login_as("association", village="Orvelte")
    page = client.get(f"/surveys/{answered.id}/results").text
    assert QUOTE in page and "Mooi dorp" not in page
    ordered = page[page.index("Priorities") : page.index("</ol>")]
    places = re.findall(r'value="(\d+)"><strong>([^<]+)</strong> – average place ([\d.]+)', ordered)
    assert [label for _, label, _ in places][:2] in (
        ["Nature and green spaces", "Care and help close by"],
        ["Care and help close by", "Nature and green spaces"],
    )
    means = [float(mean) for _, _, mean in places]
    assert means == sorted(means)
    assert "Choose your top three" in page
    assert "<svg" in page and "Unweighted" not in page


def test_the_page_reads_dutch_by_default_with_dutch_numbers(client, login_as, answered):
    release_run(computed_run(answered), by=None)
    db.session.commit()
    login_as("association", village="Orvelte")
    page = client.get(f"/surveys/{answered.id}/results").text
    assert "Wilt u meehelpen aan de dorpsvisie?" in page and "Woningen voor ouderen" in page
    assert re.search(r"\b[1-8],\d\b", page)  # a mean rank with a decimal comma


# The path a user walks -------------------------------------------------------------------


def test_residents_answer_an_official_closes_runs_and_releases_the_association_reads(
    app, client, login_as, make_margins, make_member, post_form, english
):
    make_margins(date(2026, 1, 1))
    survey = vision_survey()
    choices = ["1"] * 6 + ["2"] * 4 + ["3"] * 2
    for i, helping in enumerate(choices):
        born = [1998, 1985, 1970, 1956, 1945][i % 5]  # every age group
        member = make_member("Orvelte", birth_year=born, sex="female" if i % 2 else "male")
        resident = Resident(app, survey_token(invite(survey, member)))
        resident.start()
        response_id = db.session.scalar(
            select(Response.id).where(Response.respondent_id == member.respondent_id)
        )
        pages = [
            {"WAARDE": "Het dorpshuis"},
            {"PRIO_TOP3": ["natuur", "zorg", "verkeer"] if i % 3 else ["zorg", "natuur"]},
            {"HELPEN": helping},
        ]
        for number, data in enumerate(pages, start=1):
            sent = resident.post(number, data, response_id=response_id)
            if sent.location.startswith(resident.url(f"/pagina/{number}")):  # "yes" adds a note
                sent = resident.post(number, data, response_id=response_id)
            assert sent.status_code == 303, sent.text
        form = {"csrf_token": resident.csrf(), "_response": response_id}
        sent = resident.client.post(resident.url("/versturen"), data=form)
        assert sent.location == resident.url("/bedankt"), sent.text

    survey_id = survey.id
    login_as("official")
    closed = post_form(f"/surveys/{survey_id}", f"/surveys/{survey_id}/close")
    assert closed.status_code == 302
    run_jobs(app)
    run = db.session.scalar(select(AnalysisRun).where(AnalysisRun.survey_id == survey_id))
    assert run.status is RunStatus.SUCCEEDED, run.error
    page = client.get(f"/surveys/{survey_id}/results").text
    assert "Not yet published" in page and "Publish the results" in page
    url = f"/surveys/{survey_id}/results/release"
    released = post_form(url, data={"run": run.id}, follow_redirects=True)
    assert "The results are published" in released.text

    login_as("association", village="Orvelte")
    page = client.get(f"/surveys/{survey_id}/results").text
    assert "What residents of Orvelte answered" in page
    assert "About 10 residents filled in the questionnaire." in page
    helping = page[page.index("Would you like to help") :]
    cells = re.findall(r'scope="row">([^<]+)</th>\s*<td[^>]*>([^<]+)</td>', helping)[:3]
    assert [label for label, _ in cells] == ["Yes", "Maybe", "No"]
    assert cells[2][1] == "(almost) no one"  # 2 of 12
    assert cells[0][1].endswith("%")
    assert cells[1][1] == "not shown"  # else 100% minus "yes" gives "no" away
    assert "Nature and green spaces" in page and "average place" in page
