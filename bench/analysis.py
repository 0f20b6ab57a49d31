"""Analysis speed: the whole pipeline of a wave (weighting, every indicator in every area,
disclosure control, comparisons with the previous wave) on synthetic waves of growing size,
and the stored results page, as medians against a bare Flask route measured in the same run.

Run: .venv/bin/python bench/analysis.py [--sizes 1000,4000,12000] [--rounds N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from common import bench_app, floor_ms, logged_in_client, median_ms, report
from sqlalchemy import select

from accounts.models import Account
from analysis.indicators import load
from analysis.pipeline import Record, Settings, Wave, analyse
from analysis.report import report as publish
from core.db import db
from demo.panel import seed_panel
from demo.results import DEMO_WAVE_TITLE, seed_results_wave, synthetic_answers
from population.demo import seed_demo_margins
from surveys.format import from_json as questionnaire_from_json
from surveys.models import Survey
from surveys.templates import load_template
from villages.models import Village

BANDS = ("18-34", "35-49", "50-64", "65-74", "75+")


def synthetic_wave(villages: dict[str, int], n: int, seed: int, keys: list[str]) -> Wave:
    rng = np.random.default_rng(seed)
    names = list(villages)
    people = np.array(list(villages.values()), dtype=float)
    village = rng.choice(len(names), size=n, p=people / people.sum())
    records = [
        Record(
            names[v],
            str(rng.choice(BANDS)),
            str(rng.choice(["female", "male"])),
            synthetic_answers(QUESTIONNAIRE, rng),
            keys[i] if i < len(keys) else None,
        )
        for i, v in enumerate(village)
    ]
    population = {
        (name, band, sex): count / 10
        for name, count in villages.items()
        for band in BANDS
        for sex in ("female", "male")
    }
    return Wave(records, population)


INDICATORS = load("leefbaarheid")
#: The liveability questionnaire, for made-up answers to it.
QUESTIONNAIRE, _ = questionnaire_from_json(load_template("leefbaarheid"))


def whole_wave(current: Wave, previous: Wave) -> dict:
    """What a run computes: both waves, then disclosure control and the comparisons."""
    settings = Settings()
    now = analyse(current, INDICATORS, settings)
    before = analyse(previous, INDICATORS, settings)
    return publish(now, INDICATORS, settings, before)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,4000,12000")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with bench_app() as app:
        with app.app_context():
            villages = {v.name: v.population or 100 for v in db.session.scalars(select(Village))}
            seed_panel(400)
            seed_demo_margins()
            seed_results_wave()
            db.session.commit()
            survey_id = db.session.scalar(select(Survey.id).where(Survey.title == DEMO_WAVE_TITLE))
            official = db.session.scalar(
                select(Account).where(Account.email == "ambtenaar@middendrenthe.example")
            )
            staff = logged_in_client(app, official)
        floor = floor_ms(200)
        report("floor (bare Flask route)", floor, floor)
        print(f"villages: {len(villages)}, indicators: {len(INDICATORS)}")
        for n in (int(size) for size in args.sizes.split(",")):
            keys = [f"r{i}" for i in range(n)]
            current = synthetic_wave(villages, n, 1, keys)
            previous = synthetic_wave(villages, n, 2, keys[: n // 2])
            start = time.perf_counter()
            estimated = analyse(current, INDICATORS, Settings())
            seconds = time.perf_counter() - start
            rounds = estimated.weighting.result.iterations
            print(f"n = {n}: raking took {rounds} rounds; one wave analysed in {seconds:.2f} s")
            timed = median_ms(lambda c=current, p=previous: whole_wave(c, p), args.rounds)
            report(f"  wave of {n} (two waves, report)", timed, floor)
        report(
            "results page (stored figures)",
            median_ms(lambda: staff.get(f"/surveys/{survey_id}/results"), 20),
            floor,
        )


if __name__ == "__main__":
    main()
