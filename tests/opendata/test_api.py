"""The open-data API: exactly what the published mirror pages show (same numbers, same
suppression), never an unreleased wave, valid against its own OpenAPI document, cheap to
poll (ETag, Last-Modified) and open to other sites (CORS). Labels read in English where a
test asks for it (?lang=en); the figures' own labels come in both languages from the run."""

from __future__ import annotations

import json

from flask_babel import force_locale
from sqlalchemy import select

from core.db import db
from mirror import services as mirror
from results.models import AnalysisRun
from results.services import published_run
from tests.conftest import start_session
from villages.models import Village, VillageKind

ENDPOINTS = ["/api/v1/villages", "/api/v1/mirror", "/api/v1/mirror/beilen"]
ROLES = [
    (None, None),
    ("resident", "Beilen"),
    ("association", "Beilen"),
    ("association", "Orvelte"),
    ("volunteer", None),
    ("official", None),
]


def pages_in_english(app) -> dict[str, mirror.VillagePage]:
    """Every listed village's published page, built afresh by the mirror (not cached)."""
    runs = mirror.runs_for(False)
    villages = db.session.scalars(
        select(Village).where(Village.kind != VillageKind.NEIGHBOURHOOD)
    ).all()
    with app.test_request_context(), force_locale("en"):
        return {v.slug: mirror.build_village_page(v, runs) for v in villages}


def same_figure(card_figure, figure: dict) -> None:
    if card_figure is None or card_figure.value is None:
        assert figure["suppressed"] and figure["reason"]
        assert figure["estimate"] is figure["interval"] is figure["n"] is None
        if card_figure is not None:  # (almost) everyone / no one
            assert figure["reason"] == card_figure.status
        return
    assert not figure["suppressed"] and figure["reason"] is None
    assert figure["estimate"] == card_figure.value
    assert figure["interval"] == {"low": card_figure.low, "high": card_figure.high}
    assert figure["n"] == card_figure.n
    assert figure["area"] == card_figure.area
    assert figure["reliability"] == ("indicative" if card_figure.indicative else "normal")


def test_the_api_answers_exactly_what_the_published_pages_show(app, client, mirrored):
    pages = pages_in_english(app)
    data = client.get("/api/v1/mirror?lang=en").get_json()
    assert data["wave"]["title"] == "Leefbaarheid 2026" and data["wave"]["id"] == mirrored.id
    assert {v["slug"] for v in data["villages"]} == set(pages)
    for village in data["villages"]:
        page = pages[village["slug"]]
        assert village["state"] == page.state and village["respondents"] == page.respondents
        assert [f["indicator"] for f in village["figures"]] == [c.code for c in page.cards]
        for card, figure in zip(page.cards, village["figures"], strict=True):
            assert figure["label"] == card.label
            same_figure(card.figure, figure)
    beilen = pages["beilen"]
    for card, figure in zip(beilen.cards, data["municipality"], strict=True):
        same_figure(card.municipality, figure)
    one = client.get("/api/v1/mirror/beilen?lang=en").get_json()
    assert one["village"] == next(v for v in data["villages"] if v["slug"] == "beilen")
    assert one["municipality"] == data["municipality"]


def test_the_numbers_are_those_on_the_village_page(client, mirrored):
    """The page's own numbers, as it prints them, for every figure the API gives Beilen."""
    with client.session_transaction() as session:
        session["language"] = "en"
    html = client.get("/dorpsspiegel/beilen").get_data(as_text=True)
    data = client.get("/api/v1/mirror/beilen?lang=en").get_json()
    shown = [f for f in data["village"]["figures"] if not f["suppressed"]]
    assert shown
    for f in shown:
        text = f"{f['estimate']:.0f}%" if f["unit"] == "share" else f"{f['estimate']:.1f}"
        assert f'data-indicator="{f["indicator"]}" data-value="{text}"' in html, f
    hidden = [f for f in data["village"]["figures"] if f["suppressed"]]
    for f in hidden:
        assert f'data-area="Beilen" data-indicator="{f["indicator"]}" data-value' not in html


def test_nothing_of_an_unreleased_wave_reaches_any_role(app, mirrored, unreleased):
    """Route × role: a computed, unreleased newer run is there; every role (and an
    official asking for the preview) gets the same public answer, of the released run."""
    computed = db.session.scalar(select(AnalysisRun).where(AnalysisRun.survey_id == unreleased.id))
    assert computed is not None and computed.released_at is None
    answers = {}
    for role, village in ROLES:
        client = app.test_client()
        if role is not None:
            start_session(client, account_for(app, role, village))
        for path in [*ENDPOINTS, "/dorpsspiegel/alle-dorpen.csv"]:
            for query in ("", "?voorbeeld=1"):
                response = client.get(path + query)
                assert response.status_code == 200, (role, path)
                body = response.get_data(as_text=True)
                assert "2027" not in body and str(unreleased.id) not in json_ids(body)
                answers.setdefault(path, set()).add(body)
    assert all(len(bodies) == 1 for bodies in answers.values())
    released = published_run(mirrored)
    data = json.loads(next(iter(answers["/api/v1/mirror"])))
    stored = {
        (f.area, f.indicator): f.value for f in released.figures if f.value and not f.subgroup
    }
    for village in data["villages"]:
        for f in village["figures"]:
            if not f["suppressed"]:
                assert stored[(f["area"], f["indicator"])] == f["estimate"]


def json_ids(body: str) -> set[str]:
    if not body.startswith("{"):
        return set()
    data = json.loads(body)
    return {str(data["wave"]["id"])} if data.get("wave") else set()


def account_for(app, role: str, village: str | None):
    from accounts.models import Role
    from accounts.services import get_or_create_account, grant_role
    from villages.queries import village_by_name

    account = get_or_create_account(f"{role}-{village or 'all'}@example.nl".lower())
    grant_role(account, Role(role), village=village_by_name(village) if village else None, by=None)
    db.session.commit()
    return account


def test_etag_and_last_modified_answer_304(client, mirrored):
    first = client.get("/api/v1/mirror")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.status_code == 200 and etag and modified
    assert "no-store" not in first.headers["Cache-Control"]
    again = client.get("/api/v1/mirror", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    since = client.get("/api/v1/mirror", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    earlier = "Mon, 01 Jan 2024 00:00:00 GMT"
    old = client.get("/api/v1/mirror", headers={"If-Modified-Since": earlier})
    assert old.status_code == 200
    english = client.get("/api/v1/mirror", headers={"Accept-Language": "en"})
    assert english.headers["ETag"] != etag and "Accept-Language" in english.headers["Vary"]
    other = client.get("/api/v1/mirror", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_cors_for_reading_and_no_cookie_needed(client, mirrored):
    for path in ENDPOINTS + ["/api/v1/openapi.json"]:
        response = client.get(path, headers={"Origin": "https://data.example.org"})
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "ETag" in response.headers["Access-Control-Expose-Headers"]
        assert "Set-Cookie" not in response.headers
    preflight = client.options(
        "/api/v1/mirror",
        headers={
            "Origin": "https://data.example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    assert client.post("/api/v1/mirror").status_code in (400, 405)  # reading only


def test_labels_in_dutch_by_default_english_on_request(client, mirrored):
    run = published_run(mirrored)
    labels = {i["code"]: i["label"] for i in run.output["indicators"]}
    dutch = client.get("/api/v1/mirror").get_json()
    english = client.get("/api/v1/mirror?lang=en").get_json()
    by_header = client.get("/api/v1/mirror", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert dutch["language"] == "nl" and english["language"] == "en"
    assert by_header.get_json() == english and by_header.headers["Content-Language"] == "en"
    for code, label in ((i["code"], i["label"]) for i in dutch["indicators"]):
        assert label == labels[code]["nl"]
    for code, label in ((i["code"], i["label"]) for i in english["indicators"]):
        assert label == labels[code]["en"]
    bad = client.get("/api/v1/mirror?lang=fr")
    assert bad.status_code == 400 and "error" in bad.get_json()
    missing = client.get("/api/v1/mirror/nowhere")
    assert missing.status_code == 404 and missing.get_json() == {"error": "no such village"}


def test_nothing_published_yet_is_an_empty_answer(client):
    data = client.get("/api/v1/mirror").get_json()
    assert data["wave"] is None and data["municipality"] == [] and data["villages"] == []
    assert "Last-Modified" not in client.get("/api/v1/villages").headers
    assert client.get("/dorpsspiegel/alle-dorpen.csv").status_code == 404


def test_rate_limited_per_address(app, client, mirrored):
    app.config["OPEN_DATA_LIMIT_PER_ADDRESS"] = "2 per minute"
    assert client.get("/api/v1/villages").status_code == 200
    assert client.get("/api/v1/villages").status_code == 200
    assert client.get("/api/v1/villages").status_code == 429


def test_the_api_validates_against_its_own_openapi_document(app, mirrored):
    """schemathesis, in process, a few generated requests per operation: every answer
    (status, headers, body) must match the description."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    app.config["OPEN_DATA_LIMIT_PER_ADDRESS"] = "10000 per minute"
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 3
    for operation in operations:

        @settings(
            max_examples=6,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate()

        check()


def test_a_warm_answer_costs_a_few_queries(client, mirrored):
    from tests.panel.test_overview import counted_queries

    cold = client.get("/api/v1/mirror").get_data()
    with counted_queries() as statements:
        warm = client.get("/api/v1/mirror").get_data()
    assert warm == cold
    # the villages, the released runs (for the cache key and for Last-Modified), the date
    assert len(statements) <= 4, "\n".join(statements)
