"""Analysis speed: what `analysis compute` does for a wave (weighting with the calibrated
jackknife, every indicator in every area, disclosure control, comparisons with the previous
wave) on synthetic waves of growing size, against a floor measured in the same run: a
vectorised numpy raking of the same wave (10 sweeps over the three margins) with every
figure's weighted mean and a linearized standard error from per-cell sums (no replicates,
no comparisons: what numpy needs at least, not the same statistics).

Each size runs in a fresh process, so its peak RSS is its own. Printed per size: median
seconds of the whole run (and its CPU seconds: on a busy machine the wall time
includes waiting for a core), the floor, their ratio, peak RSS (and RSS once the waves are
built), the fitted growth exponent (log-log slope of time against n), and the goal at the
largest size: < 10 s and < 1 GB. The machine may be shared: the load average is printed.

Run: .venv/bin/python bench/analysis.py [--sizes 1000,10000,50000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.indicators import load, values  # noqa: E402
from analysis.pipeline import Record, Settings, Wave, analyse  # noqa: E402
from analysis.report import report as publish  # noqa: E402
from analysis.scheme import OLDER_BANDS  # noqa: E402

BANDS = ("18-34", "35-49", "50-64", "65-74", "75+")
INDICATORS = load("leefbaarheid")
#: The goal of issue 20: a wave of 50,000 (and its previous wave) in < 10 s and < 1 GB.
GOAL_N, GOAL_SECONDS, GOAL_MB = 50_000, 10.0, 1024.0


def synthetic_wave(villages: dict[str, int], n: int, seed: int, keys: list[str]) -> Wave:
    from demo.results import synthetic_answers
    from surveys.format import from_json as questionnaire_from_json
    from surveys.templates import load_template

    questionnaire, _ = questionnaire_from_json(load_template("leefbaarheid"))
    rng = np.random.default_rng(seed)
    names = list(villages)
    people = np.array(list(villages.values()), dtype=float)
    village = rng.choice(len(names), size=n, p=people / people.sum())
    records = [
        Record(
            names[v],
            str(rng.choice(BANDS)),
            str(rng.choice(["female", "male"])),
            synthetic_answers(questionnaire, rng),
            keys[i] if i < len(keys) else None,
        )
        for i, v in enumerate(village)
    ]
    # At least 5 people per respondent: a wave of 50,000 from Midden-Drenthe's 33,000 would
    # leave no one unasked, and then no replicate and no variance (finite-population factor 0).
    scale = max(1.0, 5 * n / sum(villages.values()))
    population = {
        (name, band, sex): count * scale / 10
        for name, count in villages.items()
        for band in BANDS
        for sex in ("female", "male")
    }
    return Wave(records, population)


def demo_villages() -> dict[str, int]:
    from villages.seed_data import VILLAGES

    return {name: people or 100 for name, _, people, _, _ in VILLAGES}


def whole_wave(current: Wave, previous: Wave) -> dict:
    """What a run computes: both waves, then disclosure control and the comparisons."""
    settings = Settings()
    now = analyse(current, INDICATORS, settings)
    before = analyse(previous, INDICATORS, settings)
    return publish(now, INDICATORS, settings, before)


# The floor --------------------------------------------------------------------------------


def floor_arrays(wave: Wave) -> dict[str, np.ndarray]:
    """The wave as the arrays a vectorised analysis starts from (not timed)."""
    records = wave.records
    village_names = sorted({r.village for r in records})
    village = np.array([village_names.index(r.village) for r in records])
    older = np.array([r.age_band in OLDER_BANDS for r in records])
    age_sex = np.array([BANDS.index(r.age_band) * 2 + (r.sex == "male") for r in records])
    people = np.zeros(len(village_names))
    age_sex_people = np.zeros(2 * len(BANDS))
    village_age_people = np.zeros(2 * len(village_names))
    for (name, band, sex), count in wave.population.items():
        if name in village_names:
            v = village_names.index(name)
            people[v] += count
            age_sex_people[BANDS.index(band) * 2 + (sex == "male")] += count
            village_age_people[2 * v + (band in OLDER_BANDS)] += count
    answers = [r.answers for r in records]
    indicators = [values(indicator, answers) for indicator in INDICATORS]
    return dict(
        village=village,
        older=older,
        age_sex=age_sex,
        people=people,
        age_sex_people=age_sex_people,
        village_age_people=village_age_people,
        indicators=indicators,
    )


def floor(arrays: dict) -> list[tuple[float, float]]:
    """Raking on three margins (10 sweeps), then every indicator's weighted mean and its
    linearized stratified SE in every village × (all, under 65, 65+) and the municipality,
    from per-cell sums: what numpy does at least for these figures (no replicates)."""
    village, older, people = arrays["village"], arrays["older"], arrays["people"]
    villages = len(people)
    counts = np.bincount(village, minlength=villages)
    weights = (people / np.maximum(counts, 1))[village]
    cell = 2 * village + older  # village × 65+: the finest area, within one stratum
    margins = [
        (village, people),
        (arrays["age_sex"], arrays["age_sex_people"]),
        (cell, arrays["village_age_people"]),
    ]
    for _ in range(10):
        for cells, target in margins:
            totals = np.bincount(cells, weights=weights, minlength=len(target))
            ratio = np.divide(target, totals, out=np.ones(len(target)), where=totals > 0)
            weights = weights * ratio[cells]
    figures = []
    for value, answered in arrays["indicators"]:
        w = weights * answered
        sums = [
            np.bincount(cell, weights=x, minlength=2 * villages).reshape(villages, 2)
            for x in (answered, w, w * value, w * w, w * w * value, w * w * value * value)
        ]
        n, total, wy, w2, w2y, w2y2 = (
            np.concatenate([s.sum(axis=1), s[:, 0], s[:, 1], s.sum(axis=0)]) for s in sums
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = wy / total
            squares = (w2y2 - 2 * mean * w2y + mean**2 * w2) / total**2
            # One stratum per village (the municipality: their sum, ignoring the means).
            se = np.sqrt(n / (n - 1) * squares)
        figures += list(zip(mean.tolist(), se.tolist(), strict=True))
    return figures


# One size in a fresh process ----------------------------------------------------------------


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(n: int, rounds: int) -> dict:
    villages = demo_villages()
    keys = [f"r{i}" for i in range(n)]
    current = synthetic_wave(villages, n, 1, keys)
    previous = synthetic_wave(villages, n, 2, keys[: n // 2])
    arrays = floor_arrays(current), floor_arrays(previous)
    built = peak_mb()
    floors, floors_cpu, times, cpu = [], [], [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        for wave in arrays:
            floor(wave)
        floors.append(time.perf_counter() - start)
        floors_cpu.append(time.process_time() - start_cpu)
        start, start_cpu = time.perf_counter(), time.process_time()
        whole_wave(current, previous)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {
        "n": n,
        "seconds": statistics.median(times),
        "cpu": statistics.median(cpu),
        "floor": statistics.median(floors),
        "floor_cpu": statistics.median(floors_cpu),
        "built_mb": built,
        "peak_mb": peak_mb(),
        "load": os.getloadavg()[0],
    }


def run_size(n: int, rounds: int, timeout: float, memory_mb: int) -> dict | None:
    command = [sys.executable, __file__, "--child", str(n), "--rounds", str(rounds)]
    command += ["--memory-mb", str(memory_mb)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"n = {n:>6}: not done within {timeout:.0f} s")
        return None
    if done.returncode:
        print(f"n = {n:>6}: failed ({done.stderr.strip().splitlines()[-1:]})")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def slope(results: list[dict], field: str) -> float:
    if len(results) < 2:
        return float("nan")
    n = np.log([r["n"] for r in results])
    return float(np.polyfit(n, np.log([r[field] for r in results]), 1)[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=900, help="seconds per size")
    parser.add_argument("--memory-mb", type=int, default=6000, help="address space per size")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        # A runaway size fails alone instead of taking the shared machine's memory.
        limit = args.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        print(json.dumps(measure(args.child, args.rounds)))
        return
    print(
        f"indicators: {len(INDICATORS)}, villages: {len(demo_villages())}, cores: {os.cpu_count()}"
    )
    print(f"load average at start: {os.getloadavg()[0]:.2f} (other processes share the machine)")
    print(
        f"{'n':>8} {'run s':>8} {'cpu s':>8} {'floor s':>8} {'cpu s':>8} {'ratio':>7}"
        f" {'peak MB':>8} {'built MB':>8} {'load':>5}"
    )
    results = []
    for n in (int(size) for size in args.sizes.split(",")):
        result = run_size(n, args.rounds, args.timeout, args.memory_mb)
        if result is None:
            continue
        results.append(result)
        print(
            f"{n:>8} {result['seconds']:8.2f} {result['cpu']:8.2f} {result['floor']:8.3f}"
            f" {result['floor_cpu']:8.3f} {result['seconds'] / result['floor']:6.1f}x"
            f" {result['peak_mb']:8.0f}"
            f" {result['built_mb']:8.0f} {result['load']:5.2f}",
            flush=True,
        )
    print(
        f"growth exponent (time ~ n^k): run k = {slope(results, 'seconds'):.2f}"
        f" (CPU {slope(results, 'cpu'):.2f}), floor k = {slope(results, 'floor'):.2f}"
        f" (CPU {slope(results, 'floor_cpu'):.2f})"
    )
    if results and results[-1]["n"] >= GOAL_N:
        last = results[-1]
        met = last["seconds"] < GOAL_SECONDS and last["peak_mb"] < GOAL_MB
        print(
            f"goal at n = {last['n']}: < {GOAL_SECONDS:.0f} s and < {GOAL_MB:.0f} MB:"
            f" {last['seconds']:.2f} s, {last['peak_mb']:.0f} MB -> {'met' if met else 'NOT met'}"
        )
    else:
        print(f"goal: < {GOAL_SECONDS:.0f} s and < {GOAL_MB:.0f} MB at n = {GOAL_N} (not run)")


if __name__ == "__main__":
    main()
