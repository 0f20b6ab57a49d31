"""URL builders compiled at their rule's first use (core.routing) build what Werkzeug's
own, compiled as each rule is added, build."""

from __future__ import annotations

from flask import url_for
from werkzeug.routing import Map, Rule

from core.routing import LazilyBuiltRule


def test_lazily_compiled_builders_build_what_werkzeugs_build(app):
    with app.test_request_context():
        assert url_for("answer.page", survey_id=3, number=2) == "/enquete/invullen/3/pagina/2"
        assert url_for("answer.page", survey_id=3, number=2) == "/enquete/invullen/3/pagina/2"
        assert (
            url_for("answer.page", survey_id=3, number=2, nieuw=1, _anchor="vraag")
            == "/enquete/invullen/3/pagina/2?nieuw=1#vraag"
        )
        assert url_for("answer.start", token="a b ç") == "/enquete/a%20b%20%C3%A7"
    for rule in app.url_map.iter_rules():
        # Flask adds the static files' rule itself, before the app's rule class is set.
        assert isinstance(rule, LazilyBuiltRule) or rule.endpoint == "static", rule
        eager = Map([Rule(rule.rule, endpoint=rule.endpoint, defaults=rule.defaults)])
        eager.converters.update(app.url_map.converters)
        values = {name: _example(name) for name in rule.arguments}
        for append_unknown in (False, True):
            extra = {"pagina": "2 & 3"} if append_unknown else {}
            assert built(rule, {**values, **extra}, append_unknown) == built(
                eager._rules[0], {**values, **extra}, append_unknown
            ), rule.rule


def built(rule: Rule, values: dict, append_unknown: bool):
    """The URL, or the error building it gives (a value the rule's converter refuses)."""
    try:
        return rule.build(values, append_unknown)
    except ValueError as error:
        return str(error)


def _example(name: str):
    return 7 if name.endswith("id") or name in {"number", "year"} else "dorp"
