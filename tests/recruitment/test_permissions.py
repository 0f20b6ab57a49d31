"""Recruitment letters are for officials only."""

import pytest

from tests.conftest import csrf_token_from

ROLES = ["resident", "association", "volunteer"]


def pages(batch_id: int) -> list[str]:
    return [
        "/recruitment/",
        "/recruitment/new",
        f"/recruitment/{batch_id}",
        f"/recruitment/{batch_id}/letters.pdf",
    ]


def as_role(login_as, role: str):
    return (
        login_as(role, village="Orvelte") if role in ("association", "resident") else login_as(role)
    )


@pytest.mark.parametrize("index", range(4))
def test_anonymous_visitors_are_sent_to_login(client, make_batch, index):
    path = pages(make_batch().id)[index]
    response = client.get(path)
    assert response.status_code == 302 and response.location == f"/login?next={path}"


def test_anonymous_visitors_cannot_delete_letters(client, make_batch):
    batch = make_batch()
    token = csrf_token_from(client.get("/").text)
    response = client.post(f"/recruitment/{batch.id}/letters/delete", data={"csrf_token": token})
    assert response.status_code == 302 and response.location.startswith("/login")


@pytest.mark.parametrize("role", ROLES)
def test_other_roles_are_refused(client, login_as, make_batch, role):
    batch = make_batch()
    as_role(login_as, role)
    for path in pages(batch.id):
        assert client.get(path).status_code == 403, path
    token = csrf_token_from(client.get("/").text)
    response = client.post(f"/recruitment/{batch.id}/letters/delete", data={"csrf_token": token})
    assert response.status_code == 403


def test_officials_see_every_page(client, login_as, make_batch):
    batch = make_batch()
    login_as("official")
    for path in pages(batch.id):
        assert client.get(path).status_code == 200, path


def test_unknown_batches_are_not_found(client, login_as):
    login_as("official")
    assert client.get("/recruitment/999").status_code == 404
    assert client.get("/recruitment/999/letters.pdf").status_code == 404
