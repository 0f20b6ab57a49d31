"""URL rules whose builders are compiled when first used.

Werkzeug compiles, for every rule as it is added, the code that builds the rule's URLs for
`url_for`: about 0.3 ms a rule, which was nearly all of `create_app` (50 ms for our 155
rules), paid again by every test's app. Compiled at a rule's first `url_for` instead, and
for all rules by `core.warm` before gunicorn forks its workers.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import Rule


class LazilyBuiltRule(Rule):
    def _compile_builder(self, append_unknown: bool = True):
        def compile_then_build(rule: Rule, **values):
            return _compile(rule, append_unknown)(**values)

        return compile_then_build


def compile_builders(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        _compile(rule, append_unknown=False)
        _compile(rule, append_unknown=True)


def _compile(rule: Rule, append_unknown: bool):
    """Werkzeug's builder, compiled now and kept where `Rule.build` looks for it."""
    built = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
    setattr(rule, "_build_unknown" if append_unknown else "_build", built)
    return built


def init_app(app: Flask) -> None:
    """Before any blueprint is registered."""
    app.url_rule_class = LazilyBuiltRule
