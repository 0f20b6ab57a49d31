"""`flask --app app demo seed`: the demo wave's results are published, so a village
association sees them straight after seeding."""

from __future__ import annotations

from sqlalchemy import select

from core.db import db
from demo.results import DEMO_WAVE_TITLE
from results import services
from surveys.models import Survey
from tests.surveys.test_proposals import english


def test_the_demo_wave_is_published_to_the_associations(app, client, login_as):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "closed demo wave" in result.output
    survey = db.session.scalar(select(Survey).where(Survey.title == DEMO_WAVE_TITLE))
    run = services.published_run(survey)
    assert run is not None and run == services.computed_run(survey)

    login_as("association", village="Beilen")
    english(client)
    page = client.get(f"/surveys/{survey.id}/results").text
    assert "Report mark for the village" in page and "Beilen" in page
    assert "not ready yet" not in page
    assert client.get(f"/surveys/{survey.id}/results.json").status_code == 200

    again = app.test_cli_runner().invoke(args=["demo", "seed"])  # safe to run again
    assert again.exit_code == 0 and "closed demo wave" not in again.output
