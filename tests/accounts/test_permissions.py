"""Who may open what: every guarded page against every role, and village scopes."""

import pytest

from accounts.models import Role
from accounts.permissions import can_see_village
from villages.queries import village_by_name

OFFICIAL_PAGES = [
    "/overzicht",
    "/people/",
    "/people/invite",
    "/people/hand-over",
    "/audit/",
    "/mail/outbox",
    "/jobs/demo",
]
ROLES = ["resident", "association", "volunteer", "official"]


def as_role(login_as, role: str):
    if role == "association":
        return login_as(role, village="Orvelte")
    return login_as(role)


@pytest.mark.parametrize("path", OFFICIAL_PAGES + ["/account"])
def test_anonymous_visitors_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.location == f"/login?next={path}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", OFFICIAL_PAGES)
def test_official_pages_matrix(client, login_as, seeded, role, path):
    as_role(login_as, role)
    expected = 200 if role == "official" else 403
    assert client.get(path).status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_every_role_has_an_account_page(client, login_as, role):
    as_role(login_as, role)
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize(
    ("role", "village", "expected"),
    [
        ("official", "Orvelte", True),
        ("official", "Beilen", True),
        ("association", "Orvelte", True),
        ("association", "Beilen", False),
        ("resident", "Orvelte", False),
        ("volunteer", "Orvelte", False),
        (None, "Orvelte", False),
    ],
)
def test_village_scope(seeded, make_account, role, village, expected):
    account = None
    if role == "association":
        account = make_account(role, village="Orvelte")
    elif role == "resident":
        account = make_account(role, village="Orvelte")
    elif role is not None:
        account = make_account(role)
    assert can_see_village(account, village_by_name(village).id) is expected


def test_every_route_is_public_on_purpose_or_guarded(app):
    """A new view without a role check fails here until it is guarded or declared public."""
    public = {
        "static",
        "core.home",
        "core.healthz",
        "core.choose_language",
        "accounts.login",
        "accounts.confirm_login",
        "accounts.complete_login",
        "accounts.logout",
        "panel.join",
        "panel.enter_code",
        "panel.join_with_code",
        "panel.confirm_sign_up",
        "panel.complete_sign_up",
        "panel.privacy",
        # A personal survey link or unsubscribe link is the only key: no login.
        "answer.start",
        "answer.welcome",
        "answer.begin",
        "answer.page",
        "answer.save_page",
        "answer.send",
        "answer.submit",
        "answer.thanks",
        "invitations.unsubscribe",
        # The village mirror: published figures, for everyone (an official's preview is
        # checked inside the view).
        "mirror.overview",
        "mirror.village",
        "mirror_pdf.village",
        "mirror_pdf.all_villages",
        # Open data: the same published figures as tables and a read-only API.
        "opendata.villages",
        "opendata.mirror",
        "opendata.village_mirror",
        "opendata.openapi",
        "opendata.all_villages_table",
        "opendata.village_table",
    }
    unguarded = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint not in public and not hasattr(view, "required_roles")
    ]
    assert unguarded == []


def test_official_role_is_required_by_each_official_view(app):
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith(
            ("people.", "audit.", "mail.", "jobs.", "dashboard.", "paper_print.", "exports.")
        ):
            assert view.required_roles == {Role.OFFICIAL}, endpoint


@pytest.mark.parametrize(
    ("role", "home_village", "asked", "expected"),
    [
        ("official", None, "Beilen", 200),
        ("association", "Orvelte", "Orvelte", 200),
        ("association", "Orvelte", "Beilen", 403),
        ("resident", "Orvelte", "Orvelte", 403),
        ("volunteer", None, "Orvelte", 403),
    ],
)
def test_village_pages_are_guarded_by_role_and_scope(
    make_app, make_account, seeded, role, home_village, asked, expected
):
    """A village page the way later features build them: role first, then village scope."""
    from flask import Blueprint

    from accounts.permissions import require_village_access, roles_required
    from tests.conftest import start_session

    app = make_app()
    pages = Blueprint("village_pages", __name__)

    @pages.get("/village/<int:village_id>")
    @roles_required(Role.OFFICIAL, Role.ASSOCIATION)
    def village_page(village_id: int):
        require_village_access(village_id)
        return "results"

    app.register_blueprint(pages)
    client = app.test_client()
    start_session(client, make_account(role, village=home_village))
    assert client.get(f"/village/{village_by_name(asked).id}").status_code == expected
