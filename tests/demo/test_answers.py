"""The demo's made-up answers are answers a resident could have sent: they follow the
questionnaire's routing and pass the same page check as the answering path."""

from __future__ import annotations

import numpy as np
import pytest
from werkzeug.datastructures import MultiDict

from demo.results import Resident, synthetic_answers
from surveys.format import from_json
from surveys.page_check import check_page
from surveys.routing import answer_keys, answers_on_route, page_is_shown, visible_questions
from surveys.templates import load_template


def posted(shown, answers) -> MultiDict:
    """The answers to the questions shown as the browser posts them: one field per answer
    key, a multiple choice once per chosen option."""
    form = MultiDict()
    for question in shown:
        for key in answer_keys(question):
            answer = answers.get(key)
            for value in answer if isinstance(answer, list) else [answer]:
                if value is not None:
                    form.add(key, str(value))
    return form


def plain(rng):
    return None


def young_in_a_small_village(rng):
    return Resident(mood=float(rng.normal()), age=int(rng.integers(18, 35)))


def old_in_a_large_village(rng):
    lean = {"facilities": -1.0, "safety": -0.5, "future": 1.0}
    return Resident(mood=float(rng.normal()), age=80, large_village=True, lean=lean, years=1)


@pytest.mark.parametrize("resident", [plain, young_in_a_small_village, old_in_a_large_village])
def test_demo_answers_pass_the_answering_paths_checks(app, monkeypatch, resident):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # the form key is not checked here
    questionnaire, _ = from_json(load_template("leefbaarheid"))
    rng = np.random.default_rng(7)
    movers = stayers = 0
    with app.test_request_context():
        for _ in range(150):
            answers = synthetic_answers(questionnaire, rng, resident(rng))
            assert answers_on_route(questionnaire, answers) == answers
            earlier: dict = {}
            for page in questionnaire.pages:
                if not page_is_shown(page, earlier):
                    continue
                shown = None
                while shown != visible_questions(page, earlier):  # an answer can reveal more
                    shown = visible_questions(page, earlier)
                    checked = check_page(page, earlier, "nl", posted(shown, answers))
                    assert not checked.refused and checked.answers is not None, checked.form.errors
                    earlier.update(checked.answers)
            kept = {key for key, value in earlier.items() if value not in (None, "", [])}
            assert kept == set(answers)
            if answers["VERHUIZEN"] in ("2", "3"):
                movers += 1
                assert "VERHUIZEN_WAAROM" in answers
            else:
                stayers += 1
                assert "VERHUIZEN_WAAROM" not in answers
    assert movers and stayers > movers
