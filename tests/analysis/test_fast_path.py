"""The fast analysis (replicates on cell totals, comparisons that reuse what depends only on
the waves, indicators read per question) gives the figures the straightforward code gave.

`data/before_fast_path.json` holds what the code before the speed-up computed for the two
waves made here: the published document and every raw figure of both waves. Regenerate it
only on purpose (a deliberate change of the figures):
`.venv/bin/python -m tests.analysis.test_fast_path`.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis.indicators import _value, from_json, load, values
from analysis.pipeline import Record, Settings, Wave, analyse
from analysis.replicates import jackknife
from analysis.report import report
from analysis.weighting import Margin, calfun, cells

SNAPSHOT = Path(__file__).parent / "data" / "before_fast_path.json"
INDICATORS = load("leefbaarheid")
BANDS = ("18-34", "35-49", "50-64", "65-74", "75+")
#: Big villages, small ones and hamlets (pooled), one cluster among them.
VILLAGES = {
    "Beilen": 9950,
    "Westerbork": 4750,
    "Hooghalen": 1500,
    "Wijster": 1100,
    "Elp": 380,
    "Orvelte": 97,
    "Oranje": 150,
    "Eursinge": 60,
    "Garminge": 110,
}
SETTINGS = Settings(clusters={"Zuid": ("Oranje", "Eursinge", "Garminge")})
#: Answer codes per question; "9" is don't know where the question has it.
CHOICES = ("1", "2", "3", "4", "5", "9", "")


def _answers(rng: np.random.Generator, lean: float) -> dict:
    """Answers that lean on the village (lean between 0 and 1), so that some differences
    are flagged."""
    p = np.array([1.0, 1.0, 1.0, 1.0 + 2 * lean, 1.0 + 2 * lean, 0.5, 0.3])
    answers: dict = {}
    for indicator in INDICATORS:
        for code in indicator.questions:
            if code == "LEEF_CIJFER":
                mark = np.clip(np.round(5 + 3 * lean + rng.normal(0, 1.5)), 1, 10)
                answers[code] = int(mark) if rng.random() > 0.05 else None
            elif code == "VERHUIZEN_WAAROM":
                if rng.random() > 0.4:
                    answers[code] = list(rng.choice(["woning", "werk", "zorg"], rng.integers(1, 3)))
            elif rng.random() > 0.1:
                answers[code] = str(rng.choice(CHOICES, p=p / p.sum()))
    return answers


def made_up_wave(seed: int, n: int, keys: list[str]) -> Wave:
    rng = np.random.default_rng(seed)
    names = list(VILLAGES)
    people = np.array(list(VILLAGES.values()), dtype=float)
    village = rng.choice(len(names), size=n, p=people / people.sum())
    records = [
        Record(
            names[v],
            BANDS[int(rng.integers(len(BANDS)))],
            ("female", "male", "other")[int(rng.choice(3, p=[0.5, 0.49, 0.01]))],
            _answers(rng, v / len(names) + 0.3 * (seed % 2)),
            keys[i] if i < len(keys) else None,
        )
        for i, v in enumerate(village)
    ]
    population = {
        (name, band, sex): count * (0.08 + 0.01 * b)
        for name, count in VILLAGES.items()
        for b, band in enumerate(BANDS)
        for sex in ("female", "male")
    }
    return Wave(records, population)


def computed() -> dict:
    keys = [f"r{i}" for i in range(700)]
    current = analyse(made_up_wave(11, 700, keys), INDICATORS, SETTINGS)
    previous = analyse(made_up_wave(12, 600, keys[100:500]), INDICATORS, SETTINGS)
    return {
        "document": report(current, INDICATORS, SETTINGS, previous),
        "raw": {name: _raw(wave) for name, wave in (("current", current), ("previous", previous))},
    }


def _raw(estimated) -> dict:
    raw = {}
    for key, figure in estimated.figures.items():
        e = figure.estimate
        numbers = [] if e is None else [e.value, e.standard_error, e.low, e.high, e.effective_n]
        raw["|".join(key)] = [figure.n, figure.hits, e is not None and e.n, *numbers]
    return raw


@pytest.fixture(scope="module")
def now() -> dict:
    return json.loads(json.dumps(computed()))  # as stored: tuples become lists


@pytest.fixture(scope="module")
def before() -> dict:
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_the_published_document_is_the_one_computed_before(now, before):
    assert now["document"] == before["document"]


@pytest.mark.parametrize("wave", ["current", "previous"])
def test_every_raw_figure_is_the_one_computed_before(now, before, wave):
    assert now["raw"][wave].keys() == before["raw"][wave].keys()
    for key, numbers in before["raw"][wave].items():
        counts, floats = now["raw"][wave][key][:3], now["raw"][wave][key][3:]
        assert counts == numbers[:3], key
        # The same sums in another order: equal up to the last bits of a double (an SE
        # of rounding noise, ~1e-14, may be another rounding noise).
        assert floats == pytest.approx(numbers[3:], rel=1e-11, abs=1e-12, nan_ok=True), key


def test_the_snapshot_covers_what_the_speed_up_touched(before):
    figures = before["document"]["figures"]
    assert any(f["change"] and f["change"]["tested"] for f in figures)
    assert any(f["versus_rest"] and f["versus_rest"]["tested"] for f in figures)
    assert any(f["dont_know"] and f["dont_know"]["value"] is not None for f in figures)
    assert any(f["change"] and f["change"]["flagged"] for f in figures)
    assert any(f["versus_rest"] and f["versus_rest"]["flagged"] for f in figures)
    assert any(f["area_kind"] == "cluster" for f in figures)
    assert before["document"]["weighting"]["pooled"]


# The replicate means against the replicate weights written out, as R keeps them --------


def reference_replicate_weights(design, strata, people, margins, bounds):
    """Respondents × replicates, replicate by replicate: leave respondent j out, inflate the
    rest of j's stratum by n_h/(n_h − 1), calibrate with R's grake from the replicate's own
    starting weights (Newton on every respondent, generalized inverse)."""
    x = np.hstack([margin.indicators() for margin in margins])
    target = np.concatenate([margin.population for margin in margins])
    factor, slope = calfun(bounds)
    n = np.bincount(strata)
    fpc = np.where(np.isinf(people), 1.0, (people - n) / people)
    columns = []
    for j in np.flatnonzero((n[strata] > 1) & (fpc[strata] > 0)):
        start = np.where(strata == strata[j], design * n[strata[j]] / (n[strata[j]] - 1), design)
        start[j] = 0.0
        eta = np.zeros(x.shape[1])
        for _ in range(50):
            u = x @ eta
            misfit = target - x.T @ (start * factor(u))
            if np.all(np.abs(misfit) / (1 + np.abs(target)) < 1e-12):
                break
            tmat = (x * (start * slope(u))[:, None]).T @ x
            eta = eta + np.linalg.pinv(tmat, rcond=1e-12) @ misfit
        columns.append(start * factor(x @ eta))
    return np.array(columns).T


def test_replicate_means_are_those_of_the_replicate_weights():
    rng = np.random.default_rng(3)
    n = 160
    strata = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    people = np.array([4000.0, 1500.0, 250.0])
    design = (people / np.bincount(strata))[strata]
    age = rng.choice(4, size=n)
    age_people = np.bincount(age, weights=design) * np.array([1.1, 0.9, 1.05, 0.95])
    margins = [
        Margin(strata, people, "stratum"),
        Margin(age, age_people * people.sum() / age_people.sum(), "age"),
    ]
    bounds = (0.3, 3.5)
    replicates = jackknife(design, strata, people, margins, bounds, 50, 1e-12)
    weights = reference_replicate_weights(design, strata, people, margins, bounds)
    y = rng.normal(5, 2, size=n)
    domains = [np.ones(n), (strata == 2) * 1.0, (rng.random(n) < 0.3) * 1.0]
    for domain in domains:
        expected = (y * domain) @ weights / (domain @ weights)
        thetas = replicates.means(y, domain)
        assert thetas.every() == pytest.approx(expected, rel=1e-9)
        # One term per group for the replicates that leave out no one in the domain.
        assert replicates.variance(thetas) == pytest.approx(
            replicates.variance(thetas.every()), rel=1e-12
        )
    difference = replicates.means(y, domains[1]) - replicates.means(y, domains[2])
    assert difference.every() == pytest.approx(
        replicates.means(y, domains[1]).every() - replicates.means(y, domains[2]).every()
    )


#: Answers of every shape fieldwork and imports give: codes, numbers, decimals, booleans,
#: lists of options, empty ones.
ODD_ANSWERS = ["1", "4", "5", "9", 3, 0.1, "0.7", 0.2, True, False, "", None, [], ["1", "9"], "x"]


@pytest.mark.parametrize("seed", range(5))
def test_indicator_values_are_those_of_each_respondent(seed):
    """The per-question reading against the respondent-by-respondent one it replaced; odd
    seeds with decimals (a scale then falls back to it), even ones with whole numbers."""
    rng = np.random.default_rng(seed)
    pool = ODD_ANSWERS if seed % 2 else [a for a in ODD_ANSWERS if a not in (0.1, "0.7", 0.2)]
    scale = from_json(
        [{"code": "s", "kind": "scale", "questions": list("ABCDEFGH"), "min_items": 2}]
    )
    share = from_json(
        [{"code": "j", "kind": "share", "questions": ["A"], "categories": ["4", "1"]}]
    )
    numbers = [0.1, "0.7", 0.2, 3, "4", 1.1, 2.7] if seed % 2 else [1, "2", 3, "4", 5]
    for indicator in [*INDICATORS, *scale, *share]:
        questions = indicator.questions
        drawn = numbers if indicator.code == "s" else pool  # 8 items: numpy sums them pairwise
        answers = [
            {q: drawn[i] for q in questions if (i := int(rng.integers(-3, len(drawn)))) >= 0}
            for _ in range(300)
        ]
        pairs = [_value(indicator, respondent) for respondent in answers]
        value, counted = values(indicator, answers)
        assert counted.tolist() == [float(v is not None) for v in pairs]
        assert value.tolist() == [0.0 if v is None else v for v in pairs]


@pytest.mark.parametrize("seed", range(20))
def test_calibration_cells_are_the_distinct_rows_of_the_indicator_columns(seed):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 9, size=rng.integers(1, 4))
    margins = [Margin(rng.integers(0, k, size=300), np.ones(k)) for k in sizes]
    x = np.hstack([margin.indicators() for margin in margins])
    rows, cell = np.unique(x, axis=0, return_inverse=True)
    got_rows, got_cell = cells(margins)
    assert np.array_equal(got_rows, rows)
    assert np.array_equal(got_cell, cell.ravel())


if __name__ == "__main__":
    SNAPSHOT.parent.mkdir(exist_ok=True)
    text = json.dumps(computed(), indent=None, allow_nan=True, sort_keys=True)
    SNAPSHOT.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT} ({len(text)} characters)")
