"""The published document: rounding, comparison intervals that agree with their flags, and
the share of "don't know" beside a share."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from analysis import comparisons
from analysis.indicators import from_json, values
from analysis.pipeline import MUNICIPALITY, VILLAGE, Settings, analyse
from analysis.report import _flag, _rounded, report
from tests.analysis.test_pipeline import synthetic_wave

SHARE, MARK = from_json(
    [
        {"code": "eens", "kind": "share", "questions": ["AGREE"], "categories": ["4", "5"]},
        {"code": "cijfer", "kind": "mean", "questions": ["MARK"]},
    ]
)


@pytest.mark.parametrize("number", [-0.0, -1e-9, -0.004, -0.0049])
def test_a_difference_that_rounds_to_nothing_is_never_minus_zero(number):
    for indicator in (SHARE, MARK):
        rounded = _rounded(indicator, number)
        assert rounded == 0 and json.dumps(rounded) in ("0", "0.0")


def test_rounding_keeps_the_sign_of_real_differences():
    assert _rounded(SHARE, -0.126) == -13 and _rounded(MARK, -0.26) == -0.3


def difference(value: float, se: float, df: int) -> comparisons.Difference:
    p = float(2 * stats.t.sf(abs(value) / se, df))
    return comparisons.Difference(value, se, value - 2 * se, value + 2 * se, p, df)


def family(rng: np.random.Generator) -> list[comparisons.Difference]:
    """Differences whose p-values sit anywhere, many of them on the Benjamini–Hochberg
    boundary k·q/m itself, where the interval and the flag are most likely to disagree."""
    m = int(rng.integers(1, 40))
    found = []
    for _ in range(m):
        df = int(rng.integers(2, 300))
        se = float(rng.uniform(0.005, 0.2))
        if rng.random() < 0.4:  # exactly on a step of the procedure
            p = 0.05 * int(rng.integers(1, m + 1)) / m
            t = float(stats.t.isf(p / 2, df))
        else:
            t = float(rng.choice([rng.normal(0, 1.5), rng.normal(0, 5)]))
        found.append(difference(float(rng.choice([-1, 1])) * abs(t) * se, se, df))
    return found


def test_comparison_intervals_agree_with_the_flags_over_many_families():
    rng = np.random.default_rng(16)
    settings = Settings()
    flagged_seen = unflagged_seen = 0
    for _ in range(2000):
        tested = [
            ({"value": _rounded(SHARE, d.value)}, d, SHARE if rng.random() < 0.5 else MARK)
            for d in family(rng)
        ]
        _flag(tested, settings)
        for entry, _, _ in tested:
            if entry["flagged"]:
                flagged_seen += 1
                assert entry["low"] > 0 or entry["high"] < 0, entry
            else:
                unflagged_seen += 1
                assert entry["low"] <= 0 <= entry["high"], entry
            assert 0.95 <= entry["level"] < 1
    assert flagged_seen > 1000 and unflagged_seen > 1000


def test_the_flagged_intervals_are_benjamini_yekutielis():
    """Four of ten flagged at q = 0.05: every interval at level 1 − 4·0.05/10 = 0.98."""
    ps = [0.0001, 0.002, 0.004, 0.01, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9]
    tested = []
    for p in ps:
        se, df = 0.05, 100
        value = float(stats.t.isf(p / 2, df)) * se
        tested.append(({}, difference(value, se, df), SHARE))
    _flag(tested, Settings())
    assert [entry["flagged"] for entry, _, _ in tested] == [True] * 4 + [False] * 6
    for entry, d, _ in tested:
        half = float(stats.t.isf(0.02 / 2, 100)) * 0.05
        assert entry["level"] == 0.98
        assert entry["low"] == _rounded(SHARE, d.value - half)
        assert entry["high"] == _rounded(SHARE, d.value + half)


def with_dont_know():
    return from_json(
        [
            {
                "code": "eens",
                "kind": "share",
                "questions": ["AGREE"],
                "categories": ["4", "5"],
                "excluded": ["9"],
            }
        ]
    )


def test_each_published_share_has_the_share_that_said_dont_know_beside_it():
    wave = synthetic_wave(n=600)
    indicators = with_dont_know()
    settings = Settings()
    estimated = analyse(wave, indicators, settings)
    document = report(estimated, indicators, settings)
    whole = next(
        f for f in document["figures"] if f["area_kind"] == MUNICIPALITY and not f["subgroup"]
    )
    said = np.array([r.answers.get("AGREE") == "9" for r in estimated.records])
    weights = estimated.weighting.weights
    expected = weights[said].sum() / weights.sum()
    assert whole["dont_know"] == {"status": "publish", "value": round(100 * expected)}
    assert 10 <= whole["dont_know"]["value"] <= 25  # one in six answers is "9"
    value, counted = values(indicators[0], [r.answers for r in estimated.records])
    assert whole["n"] == 5 * round(counted.sum() / 5)  # the base leaves the "9"s out
    for figure in document["figures"]:
        if figure["status"] != "publish":
            assert figure["dont_know"] is None
        elif figure["dont_know"]["status"] != "publish":
            assert figure["dont_know"]["value"] is None


def test_a_sensitive_share_never_shows_a_small_dont_know():
    wave = synthetic_wave(n=600)
    for record in wave.records:  # two "don't know"s in all
        if record.answers["AGREE"] == "9":
            record.answers["AGREE"] = "1"
    wave.records[0].answers["AGREE"] = wave.records[1].answers["AGREE"] = "9"
    (indicator,) = with_dont_know()
    sensitive = replace(indicator, sensitive=True)
    settings = Settings()
    document = report(analyse(wave, [sensitive], settings), [sensitive], settings)
    shown = [f["dont_know"] for f in document["figures"] if f["status"] == "publish"]
    assert shown and all(d == {"status": "suppressed", "value": None} for d in shown)
    plain = report(analyse(wave, [indicator], settings), [indicator], settings)
    whole = next(f for f in plain["figures"] if f["area_kind"] == MUNICIPALITY)
    assert whole["dont_know"]["status"] == "almost_no_one"


def test_an_untested_comparison_has_no_interval():
    wave = synthetic_wave(n=600)
    indicators = with_dont_know()
    settings = Settings()
    document = report(analyse(wave, indicators, settings), indicators, settings)
    compared = [f["versus_rest"] for f in document["figures"] if f["area_kind"] == VILLAGE]
    compared = [c for c in compared if c]
    assert any(c["tested"] for c in compared)
    for comparison in compared:
        if not comparison["tested"]:
            assert comparison["low"] is None and comparison["high"] is None
        else:
            assert (comparison["low"] > 0 or comparison["high"] < 0) == comparison["flagged"]
