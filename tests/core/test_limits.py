"""Rate limits are checked by the decorators on their views; Flask-Limiter's own check
before every request stays only where a limit applies to every route."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from core.limits import leave_checks_to_the_decorators, limiter


def made(on_blueprint: str | None = None, **options) -> tuple[Flask, Limiter]:
    """An app with an open page and one limited to a request a day, its limits checked as
    ours are (`create_app` calls `leave_checks_to_the_decorators` after the blueprints)."""
    app = Flask("limits")
    extension = Limiter(get_remote_address, storage_uri="memory://", **options)
    extension.init_app(app)
    pages = Blueprint("pages", __name__)

    @pages.get("/open")
    def open_page():
        return "ok"

    @pages.get("/limited")
    @extension.limit("1 per day")
    def limited_page():
        return "ok"

    if on_blueprint:
        extension.limit(on_blueprint)(pages)
    app.register_blueprint(pages)
    leave_checks_to_the_decorators(app, extension)
    return app, extension


def statuses(client, path: str, times: int) -> list[int]:
    return [client.get(path).status_code for _ in range(times)]


def test_a_decorated_limit_holds_without_a_check_before_every_request():
    app, extension = made()
    assert extension._check_request_limit not in app.before_request_funcs[None]
    client = app.test_client()
    assert statuses(client, "/limited", 2) == [200, 429]
    assert statuses(client, "/open", 3) == [200, 200, 200]


def test_a_limit_on_every_route_keeps_the_check():
    app, _ = made(default_limits=["2 per day"])
    assert statuses(app.test_client(), "/open", 3) == [200, 200, 429]


def test_a_limit_on_a_blueprint_keeps_the_check():
    app, _ = made(on_blueprint="2 per day")
    assert statuses(app.test_client(), "/open", 3) == [200, 200, 429]


def test_the_apps_limits_are_all_on_their_views(app):
    assert limiter._check_request_limit not in app.before_request_funcs.get(None, [])


def test_an_app_without_rate_limits_is_built_and_serves():
    app, _ = made(enabled=False)
    assert statuses(app.test_client(), "/limited", 2) == [200, 200]
