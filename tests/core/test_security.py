import re

import pytest

from core.db import db
from core.urls import safe_next_url
from jobs.models import Job, JobStatus
from tests.helpers import count

STRONG_KEY = "9c1f07e2b54a8d3690fe1b7c2a45d8e30b6f9a17c4e2d05b"


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
    assert response.headers.getlist("X-Frame-Options") == ["DENY"]
    assert response.headers.getlist("Cache-Control") == (
        ["no-cache"] if path.startswith("/static/") else ["no-store"]
    )


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


# --- no copies of personal pages, no internals on error pages ---------------------------


@pytest.fixture
def english(client):
    with client.session_transaction() as session:
        session["language"] = "en"


def test_pages_of_a_logged_in_official_are_not_stored_by_browsers_or_proxies(client, login_as):
    login_as("official")
    for path in ("/", "/surveys/", "/panel/members"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path


def test_a_personal_survey_link_is_not_stored_either(client):
    response = client.get("/enquete/some-token-of-a-resident")
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_may_still_be_cached(client):
    response = client.get("/static/css/naoberpanel.css")
    response.close()
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_a_failed_computation_shows_no_internal_paths(
    client, login_as, make_margins, make_wave, monkeypatch, english
):
    from results import jobs, services

    make_margins()
    survey = make_wave()
    run = services.request_run(survey, trigger="closed")
    db.session.commit()

    def broken(survey):
        raise FileNotFoundError(2, "No such file", "/srv/naoberpanel/instance/cache/wave.npz")

    monkeypatch.setattr(services, "wave_input", broken)
    with pytest.raises(FileNotFoundError):
        jobs.run(lambda *args: None, run_id=run.id)
    login_as("official")
    page = client.get(f"/surveys/{survey.id}/results").text
    assert "The last computation failed: an unexpected error." in page
    assert "/srv/" not in page and "FileNotFoundError" not in page
