"""The phone preview draws the questionnaire as a resident sees it on their phone: the
resident's header (no official's menu) and no preview banner inside the frame."""

from __future__ import annotations

import re

import pytest

from core.db import db
from surveys.services import create_survey
from surveys.templates import load_template
from tests.conftest import csrf_token_from

STAFF_LINKS = ("/surveys/", "/audit/", "/mail/outbox", "/people/", "/account")


@pytest.fixture
def survey(app):
    survey = create_survey(load_template("dorpsvisie"), by=None)
    db.session.commit()
    return survey


def links(html: str) -> set[str]:
    return set(re.findall(r'<a [^>]*href="([^"]+)"', html))


def test_the_framed_page_has_the_residents_header(client, login_as, survey):
    login_as("official")
    phone = client.get(f"/surveys/{survey.id}/preview/phone").text
    source = re.search(r'<iframe[^>]*src="([^"]+)"', phone).group(1).replace("&amp;", "&")
    framed = client.get(source)
    assert framed.status_code == 200
    assert not links(framed.text) & set(STAFF_LINKS)
    assert "/login" in links(framed.text)  # what a resident following their link sees
    assert "Terug naar het ontwerp" not in framed.text  # the banner is around the frame
    assert links(phone) >= {"/surveys/", f"/surveys/{survey.id}"}  # the official's own page

    # The next page is framed the same way.
    form = re.search(r'<form method="post" action="([^"]+)"', framed.text).group(1)
    data = {"csrf_token": csrf_token_from(framed.text), "_page": "0", "_answers": "{}"}
    following = client.post(form.replace("&amp;", "&"), data={**data, "_action": "next"})
    assert following.status_code == 200 and "Pagina 2 van 3" in following.text
    assert not links(following.text) & set(STAFF_LINKS)
    assert "frame=phone" in following.text


def test_the_full_width_preview_keeps_the_officials_header_and_banner(client, login_as, survey):
    login_as("official")
    page = client.get(f"/surveys/{survey.id}/preview").text
    assert "/surveys/" in links(page)
    assert "Terug naar het ontwerp van de vragenlijst" in page
    assert "frame=phone" not in page
