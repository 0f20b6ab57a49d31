import re

import pytest

from core.db import db
from core.urls import safe_next_url
from jobs.models import Job, JobStatus
from tests.helpers import count

STRONG_KEY = "0123456789abcdef0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize("path", ["/", "/healthz", "/no-such-page", "/static/css/naoberpanel.css"])
def test_every_response_carries_security_headers(client, path):
    response = client.get(path)
    response.close()
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/", "/jobs/demo", "job"])
def test_pages_contain_no_inline_script_or_style(client, seeded, login_as, path):
    login_as("official")
    if path == "job":
        job = Job(name="demo.count_villages", status=JobStatus.RUNNING, steps_total=35)
        db.session.add(job)
        db.session.commit()
        path = f"/jobs/{job.id}"
    html = client.get(path).text
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html)


def test_session_cookie_is_http_only_and_same_site(client):
    cookie = client.get("/").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # testing runs on plain http


def test_production_cookie_is_secure_and_hsts_is_sent(make_app):
    client = make_app(
        APP_ENV="production",
        SECRET_KEY=STRONG_KEY,
        DEMO_JOBS_ENABLED=False,
        BASE_URL="https://panel.middendrenthe.nl",
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/14",
    ).test_client()
    response = client.get("/")
    assert "Secure" in response.headers["Set-Cookie"]
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


@pytest.mark.parametrize("path", ["/language", "/jobs/demo"])
def test_state_changing_posts_without_csrf_token_are_refused(client, app, path):
    response = client.post(path, data={"language": "en"})
    assert response.status_code == 400
    assert "Het formulier was verlopen" in response.text
    assert count(Job) == 0


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/jobs/demo", "/jobs/demo"),
        ("/?page=2", "/?page=2"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/\r\nSet-Cookie: x=1", "/"),
        ("/\tpath", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_next_urls_stay_on_this_site(app, target, expected):
    with app.test_request_context():
        assert safe_next_url(target) == expected
