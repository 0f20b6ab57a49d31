"""Who may open what: every guarded page against every role, and village scopes."""

import pytest

from accounts.models import Role
from accounts.permissions import can_see_village
from villages.queries import village_by_name

OFFICIAL_PAGES = [
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
    }
    unguarded = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint not in public and not hasattr(view, "required_roles")
    ]
    assert unguarded == []


def test_official_role_is_required_by_each_official_view(app):
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith(("people.", "audit.", "mail.", "jobs.")):
            assert view.required_roles == {Role.OFFICIAL}, endpoint
