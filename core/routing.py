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
        name = "_build_unknown" if append_unknown else "_build"

        def compile_then_build(rule: Rule, **values):
            built = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            setattr(rule, name, built)
            return built(**values)

        return compile_then_build


def compile_builders(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        for name, append_unknown in (("_build", False), ("_build_unknown", True)):
            setattr(rule, name, Rule._compile_builder(rule, append_unknown).__get__(rule, None))


def init_app(app: Flask) -> None:
    """Before any blueprint is registered."""
    app.url_rule_class = LazilyBuiltRule
