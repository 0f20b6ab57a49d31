"""Microdata export of a big wave: 50,000 completed responses to the liveability survey,
weighted by a computed run. Prints, for the streamed CSV and one slow format (SPSS by
default), the seconds, the seconds to the first byte (CSV), and the peak memory, each with
its floor and goal:

- floor: what any export of the wave must at least spend: the weights of the run (the
  calibration's matrices grow with respondents × margin cells) and reading the rows from
  the database in chunks, thrown away;
- goal: the CSV starts within 2 s and never holds the file: its peak stays within 16 MB of
  the floor, whatever the size of the wave; a slow format finishes within 120 s.

Peak memory is the peak of Python's allocations during the step (tracemalloc, which slows
the step: the seconds are of the same run); the growth of the process's peak resident size
is printed beside it (it only grows, so the steps run from the cheapest up). The CPU seconds
of this process are printed too: on a busy machine they say more than wall-clock seconds.

Run: .venv/bin/python bench/export_memory.py [--respondents 50000] [--slow sav|dta|xlsx|r]
     [--database-url URL]
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import secrets
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from common import bench_app, logged_in_client
from sqlalchemy import insert, select

from accounts.models import Account, Role
from core.db import db, utcnow
from demo.results import synthetic_answers
from exports import microdata, services
from fieldwork.answering import questionnaire_of
from fieldwork.models import Response
from population.demo import seed_demo_margins
from population.models import MarginImport
from results.clusters import take_snapshot
from results.files import settings_json
from results.models import AnalysisRun
from results.services import wave_settings
from surveys.services import create_survey
from surveys.templates import load_template
from villages.models import Village

BANDS = ("18-34", "35-49", "50-64", "65-74", "75+")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def big_wave(respondents: int):
    """A closed liveability wave of `respondents` completed web responses, inserted in bulk."""
    seed_demo_margins(date(2026, 1, 1))
    survey = create_survey(load_template("leefbaarheid"), by=None)
    opens = date(2026, 3, 1)
    survey.publish(opens, opens + timedelta(days=21), utcnow())
    db.session.flush()
    questionnaire = questionnaire_of(survey.live_version)
    villages = db.session.execute(select(Village.id, Village.population)).all()
    ids = [v for v, _ in villages]
    people = np.array([p or 100 for _, p in villages], dtype=float)
    rng = np.random.default_rng(7)
    done = datetime(2026, 3, 5, 12, tzinfo=UTC)
    for start in range(0, respondents, 5000):
        count = min(5000, respondents - start)
        chosen = rng.choice(len(ids), size=count, p=people / people.sum())
        db.session.execute(
            insert(Response),
            [
                {
                    "id": secrets.token_hex(16),
                    "survey_id": survey.id,
                    "version_id": survey.live_version.id,
                    "channel": "web" if rng.random() > 0.2 else "paper",
                    "status": "completed",
                    "answers": synthetic_answers(questionnaire, rng),
                    "village_id": ids[v],
                    "age_band": str(rng.choice(BANDS)),
                    "sex": str(rng.choice(["female", "male"])),
                    "started_at": done,
                    "updated_at": done,
                    "completed_at": done,
                }
                for v in chosen
            ],
        )
    survey.close()
    take_snapshot(survey)
    db.session.commit()
    return survey


def computed_run(survey) -> AnalysisRun:
    """A succeeded run as `run_now` stores it, for what an export reads of it (margins,
    scheme, clusters and the hash of the responses). Computing the figures of 50,000
    respondents (their replicate weights) takes far longer than any export and is
    measured by bench/analysis.py."""
    margins = db.session.scalar(select(MarginImport))
    digest = hashlib.sha256()
    for (response_id,) in db.session.execute(
        select(Response.id).where(Response.survey_id == survey.id).order_by(Response.id)
    ):
        digest.update(f"{response_id}\n".encode())
    run = AnalysisRun(
        survey=survey,
        trigger="cli",
        margin_import_id=margins.id,
        reference_date=margins.reference_date,
        settings={**settings_json(wave_settings(survey)), "responses": digest.hexdigest()},
    )
    db.session.add(run)
    db.session.flush()
    run.start()
    run.succeed({"figures": []}, utcnow())
    db.session.commit()
    return run


def measure(label: str, action) -> tuple[float, float, object]:
    """Seconds, and the peak of Python's allocations during the step (tracemalloc)."""
    rss, cpu = peak_rss_mb(), cpu_seconds()
    tracemalloc.start()
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_mb = peak / 2**20
    print(
        f"{label:<30} {seconds:7.2f} s ({cpu_seconds() - cpu:6.2f} s CPU)  "
        f"peak {peak_mb:6.1f} MB (process peak RSS +{peak_rss_mb() - rss:6.1f} MB)"
    )
    return seconds, peak_mb, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--respondents", type=int, default=50_000)
    parser.add_argument("--slow", default="sav", choices=["sav", "dta", "xlsx", "r"])
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    with bench_app(args.database_url, EXPORTS_DIR=folder) as app, app.app_context():
        print(f"Making a wave of {args.respondents} respondents …")
        survey = big_wave(args.respondents)
        run = computed_run(survey)
        print(f"weights of run {run.id} (as computed; its figures are not needed here)")
        official = _official()
        client = logged_in_client(app, official)
        layout = microdata.variables(survey, "nl")

        def floor():
            made = microdata.plan(survey)
            return sum(1 for _ in microdata.rows(survey, layout[:6], made))

        floor_s, floor_mb, _ = measure("floor: weights, rows read", floor)

        first_byte: list[float] = []

        def stream_csv() -> int:
            began = time.perf_counter()
            response = client.get(f"/surveys/{survey.id}/exports/microdata.csv", buffered=False)
            size = 0
            for chunk in response.response:
                if not first_byte:
                    first_byte.append(time.perf_counter() - began)
                size += len(chunk)
            response.close()
            return size

        csv_s, csv_mb, size = measure("CSV streamed", stream_csv)
        print(f"{'':<30} {size / 2**20:.1f} MB, first byte after {first_byte[0]:.2f} s")

        def slow() -> dict:
            return services.build_file("bench", survey, args.slow, "nl", lambda *a, **k: None)

        slow_s, slow_mb, result = measure(f"{args.slow} (background job)", slow)
        kept = Path(folder) / f"bench.{result['filename'].rsplit('.', 1)[1]}"
        print(f"{'':<30} {result['rows']} rows, {kept.stat().st_size / 2**20:.1f} MB")
        print()
        print(f"{'':<22} {'figure':>14} {'floor':>12} {'goal':>14}")
        print(f"{'CSV first byte':<22} {first_byte[0]:12.2f} s {0:10.2f} s {'< 2 s':>14}")
        print(f"{'CSV seconds':<22} {csv_s:12.2f} s {floor_s:10.2f} s {'':>14}")
        print(f"{'CSV peak memory':<22} {csv_mb:11.1f} MB {floor_mb:9.1f} MB {'< floor + 16':>14}")
        print(f"{args.slow + ' seconds':<22} {slow_s:12.2f} s {floor_s:10.2f} s {'< 120 s':>14}")
        print(
            f"{args.slow + ' peak memory':<22} {slow_mb:11.1f} MB {floor_mb:9.1f} MB "
            f"{'(whole file)':>14}"
        )


def _official() -> Account:
    from accounts.services import get_or_create_account, grant_role

    account = get_or_create_account("bench-export@example.nl")
    grant_role(account, Role.OFFICIAL)
    db.session.commit()
    return account


if __name__ == "__main__":
    main()
