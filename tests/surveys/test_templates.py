"""The shipped templates are valid, round-trip exactly and feed the village mirror."""

import pytest

from surveys.definition import QuestionType
from surveys.format import from_json, to_json
from surveys.templates import TEMPLATES, load_template


@pytest.mark.parametrize("name", TEMPLATES)
def test_each_template_is_valid_and_round_trips(name):
    data = load_template(name)
    questionnaire, problems = from_json(data)
    assert problems == []
    assert to_json(questionnaire) == data


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_question_feeds_an_indicator(name):
    questionnaire, _ = from_json(load_template(name))
    missing = [
        q.code
        for q in questionnaire.questions()
        if q.type is not QuestionType.INFO and not q.indicator
    ]
    assert missing == []


def test_the_liveability_template_covers_the_village_mirror():
    questionnaire, _ = from_json(load_template("leefbaarheid"))
    indicators = {q.indicator for q in questionnaire.questions()}
    assert {
        "leefbaarheid_cijfer",
        "sociale_samenhang",
        "veiligheid",
        "tevredenheid_voorzieningen",
        "openbare_ruimte",
        "vrijwilligerswerk",
        "lid_dorpsvereniging",
        "toekomstverwachting",
        "verhuisgeneigdheid",
        "digitale_vaardigheid",
    } <= indicators


def test_an_unknown_template_is_refused():
    with pytest.raises(LookupError):
        load_template("onbekend")


def test_the_demo_data_holds_both_templates_as_drafts_once(app):
    from core.db import db
    from demo.panel import seed_template_surveys
    from surveys.models import Survey, SurveyStatus
    from tests.helpers import count

    assert seed_template_surveys() == 2
    assert seed_template_surveys() == 0
    db.session.commit()
    assert count(Survey) == 2
    assert {s.status for s in db.session.query(Survey)} == {SurveyStatus.DRAFT}
