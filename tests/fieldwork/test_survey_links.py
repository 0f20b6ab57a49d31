"""Survey links: an opaque key that is swapped for a cookie on first use, so the address bar,
access logs and history hold only the survey's address; prefetching stores nothing; every
device can use the link; a closed survey still says so."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from core.dates import local_today
from core.db import db, utcnow
from fieldwork.links import survey_token
from fieldwork.models import Invitation, Response
from surveys.services import create_survey
from surveys.templates import load_template
from tests.conftest import csrf_token_from
from tests.helpers import every_row_as_text

DORP = {"LEEF_CIJFER": "7", "VEILIG": "2"}


@pytest.fixture
def invitation(app, make_member):
    survey = create_survey(load_template("leefbaarheid"), by=None)
    survey.publish(local_today() - timedelta(days=1), local_today() + timedelta(days=9), utcnow())
    member = make_member(email="inwoner@example.nl")
    invitation = Invitation(survey=survey, member=member)
    db.session.add(invitation)
    db.session.commit()
    return invitation


def english(app):
    client = app.test_client()
    with client.session_transaction() as session:
        session["language"] = "en"
    return client


def every_decoding(token: str) -> list[bytes]:
    """What someone reading the link in a log can decode from it, segment by segment."""
    decoded = []
    for part in [token, *token.split(".")]:
        try:
            decoded.append(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        except ValueError:
            pass
    return decoded


def test_the_key_says_nothing_about_whose_it_is(app, invitation, make_member):
    token = survey_token(invitation)
    ids = [invitation.id, invitation.survey_id, invitation.member_id]
    # The old links' payload read straight out of the link: itsdangerous without the key.
    assert URLSafeSerializer("not the key").loads_unsafe(token)[1] != ids
    for raw in every_decoding(token):
        assert json.dumps(ids).replace(" ", "").encode() not in raw
        try:
            assert json.loads(raw) != ids
        except ValueError:
            pass
    # Neighbouring invitations do not get neighbouring keys.
    other = Invitation(survey=invitation.survey, member=make_member())
    db.session.add(other)
    db.session.commit()
    shared = sum(a == b for a, b in zip(token, survey_token(other), strict=False))
    assert shared < len(token) // 4
    assert survey_token(invitation) == token  # every mail about one invitation, one link


def test_after_the_first_visit_the_address_holds_no_key(app, invitation):
    token = survey_token(invitation)
    browser = english(app)
    exchanged = browser.get(f"/enquete/{token}")
    address = f"/enquete/invullen/{invitation.survey_id}"
    assert exchanged.status_code == 303 and exchanged.location == address
    cookie = exchanged.headers["Set-Cookie"]
    assert f"enquete_link={token}" in cookie and f"Path={address};" in cookie + ";"
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie

    # Answer the whole survey: no address visited, linked or posted to holds the key.
    seen = [address]
    welcome = browser.get(address)
    csrf = csrf_token_from(welcome.text)
    step = browser.post(address, data={"csrf_token": csrf})
    response_id = db.session.scalar(select(Response.id))
    while step.status_code == 303 and "bedankt" not in step.location:
        seen.append(step.location)
        page = browser.get(step.location)
        seen += re.findall(r'(?:href|action)="([^"]+)"', page.text)
        data = {"csrf_token": csrf, "_response": response_id}
        if "/pagina/" in step.location:
            data |= {"_action": "next", **(DORP if step.location.endswith("/1") else {})}
        step = browser.post(step.location, data=data)
    assert step.location == f"{address}/bedankt"
    assert "Thank you" in browser.get(step.location).text
    assert len(seen) > 5 and not [url for url in seen if token in url]


def test_the_cookie_is_secure_where_sessions_are(make_app, make_member, request):
    app = make_app(SESSION_COOKIE_SECURE=True)
    with app.app_context():
        invitation = request.getfixturevalue("invitation")
        exchanged = app.test_client().get(f"/enquete/{survey_token(invitation)}")
        assert "Secure" in exchanged.headers["Set-Cookie"]


def test_a_mail_scanner_following_the_link_stores_nothing(app, invitation):
    before = every_row_as_text()
    scanner = app.test_client()
    page = scanner.get(f"/enquete/{survey_token(invitation)}", follow_redirects=True)
    assert page.status_code == 200 and scanner.get(page.request.path).status_code == 200
    assert every_row_as_text() == before


def test_every_device_swaps_the_link_again_and_goes_on(app, invitation):
    token = survey_token(invitation)
    phone, laptop = english(app), english(app)
    address = phone.get(f"/enquete/{token}").location
    phone.post(address, data={"csrf_token": csrf_token_from(phone.get(address).text)})
    assert laptop.get(address).status_code == 404  # the address alone is no key
    welcome = laptop.get(f"/enquete/{token}", follow_redirects=True)
    assert welcome.status_code == 200 and "Go on where you stopped" in welcome.text


def test_a_closed_survey_says_so_after_the_swap(app, invitation):
    invitation.survey.close()
    db.session.commit()
    closed = english(app).get(f"/enquete/{survey_token(invitation)}", follow_redirects=True)
    assert closed.status_code == 410 and "This survey has closed" in closed.text


def test_a_link_mailed_before_the_change_still_opens_its_survey(app, invitation):
    """Links of the old, readable kind were mailed for surveys still open at the change."""
    old = URLSafeSerializer(app.config["SECRET_KEY"], salt="naoberpanel.survey-link").dumps(
        [invitation.id, invitation.survey_id, invitation.member_id]
    )
    swapped = english(app).get(f"/enquete/{old}")
    assert swapped.status_code == 303 and old not in swapped.location
