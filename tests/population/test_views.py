"""Importing margins through the form, the history and the current margins."""

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from core.db import db
from panel.models import AgeBand, Sex
from population import services
from population.csv_import import parse_margins
from population.models import MarginCell, MarginImport
from tests.helpers import count
from villages.queries import panel_villages, village_by_name

BANDS = ["18-34", "35-49", "50-64", "65-74", "75+"]


def margins_csv(*villages: str, start: int = 10) -> bytes:
    lines = ["dorp;leeftijd;geslacht;aantal"]
    for village in villages:
        for i, band in enumerate(BANDS):
            lines += [
                f"{village};{band};vrouw;{start + 2 * i}",
                f"{village};{band};man;{start + 2 * i + 1}",
            ]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def english(client, post_form):
    post_form("/", "/language", {"language": "en", "next": "/"})


@pytest.fixture
def official(login_as, make_village):
    make_village("Orvelte")
    make_village("Beilen", population=9950)
    return login_as("official")


def upload(post_form, data: bytes, reference_date="2026-01-01", source="CBS 2026"):
    return post_form(
        "/population/import",
        data={
            "file": (io.BytesIO(data), "margins.csv"),
            "reference_date": reference_date,
            "source": source,
        },
    )


def test_official_imports_margins_and_sees_them(client, post_form, official, english):
    response = upload(post_form, margins_csv("Orvelte"))
    margin_import = db.session.scalars(select(MarginImport)).one()
    assert response.status_code == 303
    assert response.location == f"/population/{margin_import.id}"
    assert (margin_import.reference_date, margin_import.source) == (date(2026, 1, 1), "CBS 2026")
    assert margin_import.imported_by_id == official.id and count(MarginCell) == 10
    html = client.get(response.location).text
    assert "The population figures are imported." in html
    assert "1 village has no figures in this import: Beilen." in html
    assert "Orvelte" in html and ">145<" in html  # 10 + 11 + ... + 19
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "population.margins_imported")
    ).one()
    assert event.actor_id == official.id and event.object_id == str(margin_import.id)
    assert event.detail == {"reference_date": "2026-01-01", "villages": 1, "cells": 10}


def test_a_bad_file_lists_every_problem_and_keeps_date_and_source(
    client, post_form, official, english
):
    data = margins_csv("Orvelte").replace(b"Orvelte;18-34;man;11", b"Assen;18-34;man;1.234")
    response = upload(post_form, data, source="CBS Kerncijfers 2026")
    html = response.text
    assert response.status_code == 422 and count(MarginImport) == 0
    assert "Line 3: village &#39;Assen&#39; is not in the municipality" in html
    assert "Line 3: write the count &#39;1.234&#39; without a thousands separator." in html
    assert "Line 2: village &#39;Orvelte&#39; lacks figures for 18-34 men" in html
    assert (
        "The file has 3 problem(s), listed below. Correct them and choose the file again." in html
    )
    assert 'value="2026-01-01"' in html and 'value="CBS Kerncijfers 2026"' in html


def test_form_errors_keep_what_was_entered_and_ask_for_the_file_again(post_form, official, english):
    response = upload(post_form, margins_csv("Orvelte"), reference_date="2030-01-01")
    assert "The reference date cannot be in the future." in response.text
    assert "choose the file again" in response.text
    assert 'value="CBS 2026"' in response.text and 'value="2030-01-01"' in response.text
    response = post_form("/population/import", data={"reference_date": "1-1-2026", "source": ""})
    assert response.status_code == 422
    html = response.text
    assert "Choose the CSV file with the figures." in html
    assert "Enter the date as day, month and year." in html
    assert "Enter where the figures come from." in html
    assert count(MarginImport) == 0


def test_history_lists_every_import_and_marks_the_current(client, official, english):
    village_id = village_by_name("Orvelte").id
    older = services.import_margins(cells_for(village_id), date(2025, 1, 1), "CBS 2025", official)
    newer = services.import_margins(cells_for(village_id, 2), date(2026, 1, 1), "CBS 2026", None)
    db.session.commit()
    html = client.get("/population/").text
    assert "2 imports" in html
    assert html.index("CBS 2026") < html.index("CBS 2025")
    assert html.count(">current<") == 1 and official.email in html
    assert ">20<" in html and ">10<" in html  # adults: ten cells of 2, ten of 1
    assert services.current_margins() == newer and older != newer


def cells_for(village_id: int, n: int = 1) -> dict:
    return {(village_id, band, sex): n for band in AgeBand for sex in (Sex.FEMALE, Sex.MALE)}


def test_current_margins_are_the_latest_reference_date_then_the_latest_import(app, make_village):
    village = make_village("Orvelte")
    assert services.current_margins() is None
    latest_date = services.import_margins(cells_for(village.id), date(2026, 1, 1), "a", None)
    services.import_margins(cells_for(village.id), date(2025, 1, 1), "imported later", None)
    assert services.current_margins() == latest_date
    correction = services.import_margins(cells_for(village.id, 3), date(2026, 1, 1), "b", None)
    db.session.commit()
    assert services.current_margins() == correction
    assert services.margins_for(correction, village.id) == {
        (band, sex): 3 for band in AgeBand for sex in (Sex.FEMALE, Sex.MALE)
    }
    assert services.margins_for(correction, village.id + 1) == {}


def test_the_template_lists_every_village_and_reads_back_once_filled(client, login_as, seeded):
    login_as("official")
    response = client.get("/population/template.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "village;age_band;sex;count"
    assert len(lines) == 1 + 33 * 10  # neighbourhoods count with their village
    assert "Orvelte;75+;female;" in lines
    villages = {v.name: v.id for v in panel_villages()}
    assert parse_margins(response.data, villages).problems[0].line == 2  # counts still empty
    filled = "\r\n".join([lines[0]] + [line + "7" for line in lines[1:]]).encode()
    parsed = parse_margins(filled, villages)
    assert parsed.ok and len(parsed.cells) == 330 and parsed.absent_villages == []


def test_an_unknown_import_is_not_found(client, login_as):
    login_as("official")
    assert client.get("/population/999").status_code == 404


ROUTES = ["/population/", "/population/import", "/population/1", "/population/template.csv"]


@pytest.mark.parametrize("url", ROUTES)
@pytest.mark.parametrize("role", [None, "resident", "association", "volunteer"])
def test_only_officials_reach_population_pages(client, login_as, url, role):
    if role is None:
        response = client.get(url)
        assert response.status_code == 302 and response.location.startswith("/login")
        return
    login_as(role, village="Orvelte" if role in ("resident", "association") else None)
    assert client.get(url).status_code == 403


def test_margins_dated_in_the_past_year_are_accepted(post_form, official):
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert (
        upload(post_form, margins_csv("Orvelte", "Beilen"), reference_date=yesterday).status_code
        == 303
    )
    assert count(MarginCell) == 20


def test_every_kind_of_problem_has_a_message_with_its_line(app):
    from flask_babel import force_locale

    from population.csv_import import Problem, ProblemKind
    from population.forms import problem_message

    with app.test_request_context(), force_locale("en"):
        for kind in ProblemKind:
            problem = Problem(
                kind, 7, "village", other_line=3, missing=((AgeBand.A18_34, Sex.MALE),)
            )
            assert problem_message(problem).startswith("Line 7: "), kind
        assert problem_message(Problem(ProblemKind.EMPTY)).startswith("The file: ")


def test_a_field_too_long_for_csv_is_reported_not_a_crash(client, post_form, official, english):
    data = margins_csv("Orvelte") + b"Orvelte;18-34;vrouw;" + b"9" * 200_000 + b"\n"
    response = upload(post_form, data)
    assert response.status_code == 422 and count(MarginImport) == 0
    assert "The file: cannot be read as a CSV file" in response.text
