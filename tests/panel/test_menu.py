"""The header menu leads everyone who may search members to the member search."""

import re

import pytest

from tests.panel.test_members import as_role

SEARCH_LINK = re.compile(r'<a class="app-nav__link" href="/panel/members"[^>]*>([^<]+)</a>')


def menu_of(html: str) -> str:
    return re.search(r'<nav class="app-nav.*?</nav>', html, re.S).group(0)


@pytest.mark.parametrize(
    ("role", "label"),
    [
        ("volunteer", "Leden zoeken"),
        ("official", "Leden"),
        ("association", None),
        ("resident", None),
    ],
)
def test_the_member_search_is_in_the_menu_of_who_may_use_it(client, login_as, seeded, role, label):
    as_role(login_as, role)
    labels = set(SEARCH_LINK.findall(menu_of(client.get("/account").text)))
    assert labels == ({label} if label else set())
