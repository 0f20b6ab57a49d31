"""The printed village mirror: the first download has them rendered, each village's PDF holds
its published figures and nothing else, the PDFs are kept per published run, all villages
come as one download, and who may download what (route × role)."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import func, select

from core.db import db
from jobs.models import Job
from mirror import pdf
from mirror.models import MirrorPdf
from mirror.services import build_village_page, runs_for
from results import services
from results.models import AnalysisRun
from results.release import release_run
from tests.conftest import start_session
from tests.mirror.conftest import run_render_jobs
from villages.queries import village_by_name

ROLES = [
    (None, None),
    ("resident", "Beilen"),
    ("association", "Beilen"),
    ("association", "Orvelte"),
    ("volunteer", None),
    ("official", None),
]
ROUTES = ["/dorpsspiegel/beilen.pdf", "/dorpsspiegel/orvelte.pdf", "/dorpsspiegel/alle-dorpen.pdf"]
#: A number as the printed mirror shows one in Dutch: 7,3 or 42%.
NUMBER = re.compile(r"\d+,\d+|\d+\s?%")
#: Other numbers the PDF may print: chart ticks (steps of 0.25 and 10%) and the example of
#: a weighting effect of 1.5 in "How reliable is this?".
TICKS = {f"{k / 4:.2f}".rstrip("0").rstrip(".").replace(".", ",") for k in range(0, 41)} | {
    f"{k}%" for k in range(0, 101, 10)
}


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def pages_of(data: bytes) -> int:
    return len(PdfReader(BytesIO(data)).pages)


def kept(area: str, language: str = "nl") -> bytes:
    return db.session.scalar(
        select(MirrorPdf.pdf).where(MirrorPdf.area == area, MirrorPdf.language == language)
    )


def dutch(value: float, unit: str) -> str:
    return f"{round(value)}%" if unit == "percent" else f"{value:.1f}".replace(".", ",")


def published_numbers(runs: list[AnalysisRun]) -> set[str]:
    numbers = set()
    for run in runs:
        units = {i["code"]: i["unit"] for i in run.output["indicators"]}
        for f in run.figures:
            if f.status == "publish" and f.value is not None:
                numbers |= {dutch(v, units[f.indicator]) for v in (f.value, f.low, f.high)}
            if f.change and f.change.get("flagged"):
                numbers.add(dutch(abs(f.change["value"]), "mean"))
    return numbers


def test_a_download_has_them_rendered_and_each_village_gets_its_figures(app, unreleased):
    queued = db.session.scalars(select(Job).where(Job.name == pdf.RENDER_JOB)).all()
    assert not queued, "the first download asks for the PDFs, not the release"
    run_render_jobs()
    beilen = village_by_name("Beilen")
    with app.test_request_context(), force_locale("nl"):
        page = build_village_page(beilen, runs_for(False))
    text = text_of(kept("beilen"))
    assert "Dorpsspiegel" in text or "Beilen" in text
    assert page.wave.title in text
    for card in page.cards:
        if card.figure is not None and card.figure.value is not None:
            assert card.figure.text in text, card.code
            assert f"{card.figure.low_text}–{card.figure.high_text}" in text, card.code
    released = list(
        db.session.scalars(select(AnalysisRun).where(AnalysisRun.released_at.is_not(None)))
    )
    weighting = {
        f"{r.output['weighting'].get('weighting_effect') or 0:.2f}".replace(".", ",")
        for r in released
    }
    population = {y.older_text.replace("\xa0", " ") for y in page.population.years}
    allowed = published_numbers(released) | weighting | population | TICKS
    for area in ("beilen", "hooghalen", "orvelte", pdf.ALL):
        shown = {n.replace(" ", "") for n in NUMBER.findall(text_of(kept(area)))}
        assert shown <= {a.replace(" ", "") for a in allowed}, (area, shown - allowed)


def test_a_village_without_figures_says_so_and_ends_with_a_page_to_fill_in(app, printed_mirror):
    text = text_of(kept("hooghalen"))
    assert "Hooghalen" in text
    assert "te weinig mensen mee om cijfers te tonen" in text or "Too few people" in text
    last = PdfReader(BytesIO(kept("hooghalen"))).pages[-1].extract_text()
    assert "Wat gebeurt er nu?" in last or "What happens next?" in last


def test_the_pdfs_are_kept_per_published_run_and_rendered_once(app, mirrored, make_wave):
    run_render_jobs()
    count = db.session.scalar(select(func.count()).select_from(MirrorPdf))
    assert count == len(pdf.villages()) + 1
    first_key = pdf.published()[1]
    seconds = db.session.scalars(select(MirrorPdf.seconds).where(MirrorPdf.area != pdf.ALL))
    assert all(0 < s < 5 for s in seconds)

    with app.test_request_context():
        assert pdf.render_all(lambda *a: None, "nl") == {}  # kept: nothing rendered again

    again = services.run_now(mirrored)
    db.session.commit()
    release_run(again, by=None)
    db.session.commit()
    run_render_jobs()
    keys = set(db.session.scalars(select(MirrorPdf.runs)))
    assert keys == {pdf.published()[1]} != {first_key}  # the old ones are gone


def test_all_villages_come_as_one_download(client, printed_mirror):
    response = client.get("/dorpsspiegel/alle-dorpen.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "alle-dorpen" in response.headers["Content-Disposition"]
    data = response.get_data()
    parts = [kept(v.slug) for v in pdf.villages()]
    assert pages_of(data) == sum(pages_of(p) for p in parts)
    text = text_of(data)
    for village in pdf.villages():
        assert village.name in text


@pytest.mark.parametrize(("role", "village"), ROLES)
def test_every_role_downloads_the_published_pdfs(
    client, make_account, printed_mirror, role, village
):
    if role is not None:
        start_session(client, make_account(role, village=village))
    for path in ROUTES:
        response = client.get(path)
        assert response.status_code == 200, (role, path)
        assert response.mimetype == "application/pdf"
        assert response.get_data().startswith(b"%PDF")
    assert client.get("/dorpsspiegel/nergensdorp.pdf").status_code == 404


def test_nothing_published_nothing_to_print(client, login_as, make_margins, make_wave):
    make_margins()
    survey = make_wave()
    services.run_now(survey)  # computed, not released
    db.session.commit()
    login_as("official")
    for path in ROUTES:
        assert client.get(path).status_code == 404
    assert services.computed_run(survey) is not None
    assert not db.session.scalars(select(Job).where(Job.name == pdf.RENDER_JOB)).all()


def test_a_pdf_not_yet_rendered_is_queued_once_and_asked_for_again(client, mirrored):
    db.session.execute(Job.__table__.delete())
    db.session.commit()
    for _ in range(2):
        response = client.get("/dorpsspiegel/beilen.pdf")
        assert response.status_code == 503 and response.headers["Retry-After"] == "60"
        assert "try again in a minute" in response.get_data(as_text=True) or "over een minuut" in (
            response.get_data(as_text=True)
        )
    jobs = db.session.scalars(select(Job).where(Job.name == pdf.RENDER_JOB)).all()
    assert len(jobs) == 1 and jobs[0].params == {"language": "nl"}
    run_render_jobs()
    assert client.get("/dorpsspiegel/beilen.pdf").status_code == 200


def test_a_village_in_a_cluster_prints_the_clusters_figures(app, printed_mirror):
    with app.test_request_context(), force_locale("nl"):
        page = build_village_page(village_by_name("Orvelte"), runs_for(False))
    text = text_of(kept("orvelte"))
    stand_ins = [c for c in page.cards if c.figure is not None and c.cluster == "Kleine kernen"]
    assert stand_ins and "Kleine kernen" in text
    for card in stand_ins:
        assert card.figure.text in text, card.code


def test_the_pages_link_to_their_pdfs_but_not_in_a_preview(client, login_as, unreleased):
    for path, pdf_path in (
        ("/dorpsspiegel", "/dorpsspiegel/alle-dorpen.pdf"),
        ("/dorpsspiegel/beilen", "/dorpsspiegel/beilen.pdf"),
    ):
        assert f'href="{pdf_path}"' in client.get(path).get_data(as_text=True)
    login_as("official")
    preview = client.get("/dorpsspiegel/beilen?voorbeeld=1").get_data(as_text=True)
    assert 'id="preview"' in preview and 'href="/dorpsspiegel/beilen.pdf"' not in preview
