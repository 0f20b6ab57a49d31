"""A web process warmed up at start-up (core.warm; with gunicorn --preload, once for every
worker) compiles no template on its first pages."""

from __future__ import annotations

from flask import url_for

from core.warm import warm_up
from fieldwork import answering


def test_a_warmed_up_app_compiles_no_template_when_serving(app, client, monkeypatch):
    warm_up(app)
    compiled = []
    compile_template = app.jinja_env.compile

    def counting(source, name=None, filename=None, *args, **kwargs):
        compiled.append(name)
        return compile_template(source, name, filename, *args, **kwargs)

    monkeypatch.setattr(app.jinja_env, "compile", counting)
    for path in ("/", "/login", "/dorpsspiegel"):
        assert client.get(path).status_code == 200
    assert compiled == []


def test_the_answer_pages_statements_are_built_before_the_workers_fork(app):
    answering._statements.cache_clear()
    warm_up(app)
    assert answering._statements.cache_info().currsize == 1


def test_every_url_builder_is_compiled_before_the_workers_fork(app, monkeypatch):
    from werkzeug.routing import Rule

    warm_up(app)
    compiled = []
    compile_builder = Rule._compile_builder
    monkeypatch.setattr(
        Rule, "_compile_builder", lambda *args: compiled.append(args) or compile_builder(*args)
    )
    with app.test_request_context():
        url_for("answer.page", survey_id=3, number=2, nieuw=1)
        url_for("static", filename="css/naoberpanel.css")
    assert compiled == []
