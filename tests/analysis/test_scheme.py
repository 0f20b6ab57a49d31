"""The default weighting scheme: villages as strata (small ones pooled), design weights,
calibration to stratum totals, age band × sex, and the 65+ split per village only where
both sides have enough respondents."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.scheme import NoPopulation, Respondent, Scheme, Stratum, pool, weigh

BANDS = ("18-34", "35-49", "50-64", "65-74", "75+")


def population():
    people = {"Beilen": 9950 * 0.8, "Smilde": 3000 * 0.8, "Orvelte": 97 * 0.8}
    share = {"18-34": 0.25, "35-49": 0.22, "50-64": 0.25, "65-74": 0.15, "75+": 0.13}
    return {
        (village, band, sex): adults * share[band] / 2
        for village, adults in people.items()
        for band in BANDS
        for sex in ("female", "male")
    }


def respondents(seed=3, n=300, orvelte=3):
    rng = np.random.default_rng(seed)
    made = [
        Respondent(
            rng.choice(["Beilen", "Smilde"], p=[0.7, 0.3]),
            rng.choice(BANDS, p=[0.1, 0.15, 0.3, 0.25, 0.2]),
            rng.choice(["female", "male"]),
        )
        for _ in range(n)
    ]
    made += [Respondent("Orvelte", "65-74", "female") for _ in range(orvelte)]
    made += [Respondent("Orvelte", "35-49", "male") for _ in range(orvelte)]
    return made


def test_margins_are_met_and_small_villages_collapsed():
    people, sample = population(), respondents()
    weighting = weigh(sample, people, Scheme(bounds=None))
    assert weighting.result.converged
    assert weighting.collapsed == ["Orvelte"]  # 3 under 65 and 3 over: too few to split
    w = weighting.weights
    for village in ("Beilen", "Smilde", "Orvelte"):
        total = sum(n for (v, _, _), n in people.items() if v == village)
        got = sum(wi for wi, r in zip(w, sample, strict=True) if r.village == village)
        assert got == pytest.approx(total, rel=1e-7)
    older_beilen = sum(
        n for (v, b, _), n in people.items() if v == "Beilen" and b in ("65-74", "75+")
    )
    got = sum(
        wi
        for wi, r in zip(w, sample, strict=True)
        if r.village == "Beilen" and r.age_band in ("65-74", "75+")
    )
    assert got == pytest.approx(older_beilen, rel=1e-7)


def test_effective_sample_sizes_are_reported_per_village():
    weighting = weigh(respondents(), population())
    beilen = weighting.villages["Beilen"]
    assert beilen.effective_n < beilen.n and beilen.weighting_effect > 1
    assert weighting.overall.n == 306


def test_people_who_did_not_say_their_sex_keep_their_place():
    sample = respondents() + [Respondent("Beilen", "50-64", "other")] * 3
    weighting = weigh(sample, population(), Scheme(bounds=None))
    assert weighting.result.converged
    assert np.all(weighting.weights > 0)


def test_a_village_without_margins_is_refused():
    with pytest.raises(NoPopulation):
        weigh(respondents() + [Respondent("Nergenshuizen", "18-34", "male")], population())


def orvelte_only_older():
    sample = [r for r in respondents() if r.village != "Orvelte"]
    return sample + [Respondent("Orvelte", "65-74", "female")] * 6


def test_margins_no_weights_can_meet_are_reported_not_hidden():
    """If every respondent of a village is 65 or over, that village's whole population must
    be carried by older people; within bounds of ±5% nothing can allow that, even with
    every split and age band collapsed."""
    weighting = weigh(orvelte_only_older(), population(), Scheme(bounds=(0.95, 1.05)))
    assert not weighting.result.converged and weighting.result.worst_gap > 0.01


def test_a_split_the_bounds_cannot_meet_is_collapsed_and_listed():
    sample = orvelte_only_older()
    weighting = weigh(sample, population(), Scheme(bounds=(0.5, 2.0)))
    assert weighting.result.converged
    assert weighting.conflicting == ["Smilde"]
    assert set(weighting.collapsed) == {"Orvelte", "Smilde"}
    w = weighting.weights / (weighting.weights / weighting.result.factors)
    assert 0.5 < w.min() and w.max() < 2.0


def test_an_age_band_the_bounds_cannot_reach_is_weighted_with_the_next():
    """Two young men cannot stand for Beilen's and Smilde's 1,300 at 3.5 times their design
    weight: 18-34 men are weighted together with the next bands of men until reachable."""
    sample = [r for r in respondents() if (r.age_band, r.sex) != ("18-34", "male")]
    sample += [Respondent("Beilen", "18-34", "male"), Respondent("Smilde", "18-34", "male")]
    weighting = weigh(sample, population())
    assert weighting.result.converged
    [merged] = weighting.merged
    assert merged.startswith("18-34/35-49") and merged.endswith(" male")


def test_weights_start_from_design_weights_and_stay_within_bounds_of_them():
    sample = respondents()
    weighting = weigh(sample, population())
    assert weighting.result.converged
    people = {s.villages[0]: s.people / s.n for s in weighting.strata}
    design = np.array([people[r.village] for r in sample])
    ratio = weighting.weights / design
    assert ratio.min() > 0.3 and ratio.max() < 3.5
    np.testing.assert_allclose(ratio, weighting.result.factors)


def test_the_recruitment_design_converges_where_a_uniform_start_could_not():
    """About 17 respondents in every village, big or small (the panel's own recruitment):
    the design weights differ a hundredfold, and the calibration stays near them."""
    people = population()
    sample = [
        Respondent(village, BANDS[i % 5], ("female", "male")[(i // 5 + j) % 2])
        for j, village in enumerate(("Beilen", "Smilde", "Orvelte"))
        for i in range(17)
    ]
    weighting = weigh(sample, people, Scheme(split_by_65=False))
    assert weighting.result.converged and not weighting.result.bounds_bind
    assert weighting.result.worst_gap < 1e-8


@pytest.mark.parametrize(
    ("empty", "merged"),
    [("18-34", "18-34/35-49 male"), ("75+", "65-74/75+ male"), ("50-64", "35-49/50-64 male")],
)
def test_an_age_band_without_respondents_is_weighted_with_the_next(empty, merged):
    people = population()
    # The men of the empty band answer as women of that band instead.
    sample = [
        Respondent(r.village, empty, "female") if (r.sex, r.age_band) == ("male", empty) else r
        for r in respondents()
    ]
    weighting = weigh(sample, people, Scheme(bounds=None))
    assert weighting.result.converged and weighting.merged == [merged]
    bands = merged.split(" ")[0].split("/")
    target = sum(n for (_, band, sex), n in people.items() if sex == "male" and band in bands)
    got = sum(
        w
        for w, r in zip(weighting.weights, sample, strict=True)
        if r.sex == "male" and r.age_band in bands
    )
    assert got == pytest.approx(target, rel=1e-7)


def counts_and_people(**counts):
    return counts, {village: 100.0 * (i + 1) for i, village in enumerate(counts)}


def test_villages_with_enough_respondents_are_strata_of_their_own():
    counts, people = counts_and_people(A=20, B=5, C=9)
    strata, uncovered = pool(counts, people, {}, 5)
    assert [(s.name, s.villages, s.n) for s in strata] == [
        ("A", ("A",), 20),
        ("B", ("B",), 5),
        ("C", ("C",), 9),
    ]
    assert uncovered == []


def test_small_villages_are_pooled_by_cluster_and_the_rest_together():
    counts, people = counts_and_people(A=20, B=3, C=0, D=2, E=4, F=1)
    strata, uncovered = pool(counts, people, {"Noord": ("B", "C", "D"), "Zuid": ("F",)}, 5)
    assert [(s.villages, s.n) for s in strata] == [
        (("A",), 20),
        (("B", "C", "D"), 5),  # C (nobody answered) is carried by its cluster
        (("E", "F"), 5),  # Zuid alone is too small: F joins the rest
    ]
    assert strata[1] == Stratum("Noord", ("B", "C", "D"), 200.0 + 300 + 400, 5)
    assert uncovered == []


def test_a_rest_too_small_joins_the_smallest_pool_or_is_listed():
    counts, people = counts_and_people(A=20, B=3, C=2, D=1, E=0)
    strata, uncovered = pool(counts, people, {"Noord": ("B", "C")}, 5)
    assert [(s.villages, s.n) for s in strata] == [(("A",), 20), (("B", "C", "D", "E"), 6)]
    assert uncovered == []
    # No pool of small villages and nobody in the rest: nobody near them can carry them.
    counts, people = counts_and_people(A=20, B=7, E=0)
    assert pool(counts, people, {}, 5) == (
        [Stratum("A", ("A",), 100.0, 20), Stratum("B", ("B",), 200.0, 7)],
        ["E"],
    )
    # A rest with some respondents joins the smallest stratum.
    counts, people = counts_and_people(A=20, B=7, E=2)
    strata, _ = pool(counts, people, {}, 5)
    assert [(s.villages, s.n) for s in strata] == [(("A",), 20), (("B", "E"), 9)]


@pytest.mark.parametrize(
    "scheme", [{"bounds": (1.2, 3.0)}, {"bounds": (0.3, 1.0)}, {"min_stratum": 1}]
)
def test_a_scheme_that_cannot_work_is_refused(scheme):
    with pytest.raises(ValueError):
        Scheme(**scheme)
