"""The village-vision figures: weights against R's survey package and a hand computation,
the order of the priorities with their intervals, and disclosure per category."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.vision import (
    HIDDEN,
    Question,
    distribution,
    mean_and_interval,
    priorities,
    rake,
    ranks,
    secondary_suppression,
    unweighted,
)

#: 40 residents of one village: age band, sex, their top three of a-e ("-": none).
PEOPLE = [
    "65-74 m adb", "75+ m dca", "50-64 m cea", "65-74 m acd", "65-74 f -", "65-74 f dae",
    "65-74 f ac", "65-74 f de", "35-49 m ebd", "65-74 m -", "65-74 m dac", "18-34 m bd",
    "75+ f dac", "65-74 m eab", "50-64 f -", "75+ m dab", "65-74 m a", "65-74 f e",
    "35-49 m ace", "50-64 m dc", "50-64 m ecb", "18-34 m -", "35-49 f dce", "65-74 f bd",
    "50-64 m abe", "75+ f bca", "50-64 f bcd", "65-74 m aec", "35-49 f db", "50-64 f ade",
    "65-74 m cbe", "65-74 m dce", "50-64 f bed", "65-74 f bce", "50-64 f ca", "75+ m e",
    "65-74 f ed", "65-74 f dec", "50-64 f abc", "75+ f bae",
]  # fmt: skip
POPULATION = {
    ("18-34", "female"): 60, ("18-34", "male"): 55, ("35-49", "female"): 50,
    ("35-49", "male"): 52, ("50-64", "female"): 70, ("50-64", "male"): 68,
    ("65-74", "female"): 45, ("65-74", "male"): 47, ("75+", "female"): 30, ("75+", "male"): 22,
}  # fmt: skip
SEX = {"f": "female", "m": "male"}
#: R 4 with survey 4: d <- svydesign(ids = ~1, weights = ~dw) (dw = 499/40); cal <-
#: calibrate(d, ~age + sex, population = totals, calfun = "raking"); for each option
#: svymean(~rank_o, subset(cal, answered)) and confint(): mean, low, high.
R_MEAN_RANKS = {
    "a": (3.1727047600, 2.7015224455, 3.6438870746),
    "b": (2.7725993357, 2.1849336674, 3.3602650039),
    "c": (3.1739714247, 2.7259673840, 3.6219754655),
    "d": (2.6308832028, 2.1713100012, 3.0904564043),
    "e": (3.2498412768, 2.8614508987, 3.6382316550),
}
#: The same calibrated weights of the first five residents.
R_WEIGHTS = [3.75848702, 6.37308669, 9.63779818, 3.75848702, 6.46373520]


def people():
    return [(line.split()[0], SEX[line.split()[1]]) for line in PEOPLE]


def rankings():
    return [[] if line.split()[2] == "-" else list(line.split()[2]) for line in PEOPLE]


def test_the_raked_weights_are_rs_and_meet_the_village_margins():
    weighting = rake(people(), POPULATION)
    assert weighting.converged and weighting.weighted and weighting.by_sex
    np.testing.assert_allclose(weighting.weights[:5], R_WEIGHTS, rtol=1e-7)
    ages = np.array([age for age, _ in people()])
    assert weighting.weights[ages == "75+"].sum() == pytest.approx(52)
    sexes = np.array([sex for _, sex in people()])
    assert weighting.weights[sexes == "female"].sum() == pytest.approx(255)


def test_mean_ranks_and_their_intervals_are_rs_linearisation_on_the_calibrated_design():
    weighting = rake(people(), POPULATION)
    table = ranks(rankings(), list("abcde"))
    answered = ~np.isnan(table[:, 0])
    for j, option in enumerate("abcde"):
        got = mean_and_interval(np.nan_to_num(table[:, j]), answered, weighting)
        assert got == pytest.approx(R_MEAN_RANKS[option], abs=1e-8), option


def test_partial_rankings_put_the_unchosen_at_the_mean_of_the_places_left():
    table = ranks([["c", "a", "b"], ["d"], [], ["e", "e", "x"]], list("abcde"))
    assert table[0].tolist() == [2, 3, 1, 4.5, 4.5]  # top 3 of 5: the others share 4 and 5
    assert table[1].tolist() == [3.5, 3.5, 3.5, 1, 3.5]  # one chosen: 2 to 5 shared
    assert np.isnan(table[2]).all()  # nothing ranked: not in the figures
    assert table[3].tolist() == [3.5, 3.5, 3.5, 3.5, 1]  # doubles and unknown codes ignored
    assert table[~np.isnan(table[:, 0])].sum(axis=1).tolist() == [15, 15, 15]


def test_priorities_are_ordered_with_shared_places_and_their_intervals():
    shown = priorities(rankings(), list("abcde"), rake(people(), POPULATION), threshold=10)
    assert shown["status"] == "shown" and shown["n"] == 35  # 36 ranked, rounded to 5
    order = [(row["code"], row["place"], row["mean"]) for row in shown["ranked"]]
    assert order == [("d", 1, 2.6), ("b", 2, 2.8), ("a", 3, 3.2), ("c", 3, 3.2), ("e", 3, 3.2)]
    first = shown["ranked"][0]
    assert (first["low"], first["high"]) == (2.2, 3.1)


def test_an_option_chosen_by_fewer_than_three_gets_no_mean_rank():
    chosen = [["a", "b"]] * 6 + [["b", "a"]] * 5 + [["c"], ["d"]] * 2
    shown = priorities(chosen, list("abcd"), unweighted(15), threshold=10)
    assert [row["code"] for row in shown["ranked"]] == ["a", "b"]
    assert shown["few"] == ["c", "d"] and shown["hidden"] == []  # 4 chose c or d


def test_the_rest_is_hidden_until_three_chose_an_option_without_a_mean_rank():
    # The ranks of each respondent add up to 1 + 2 + 3 + 4: beside a's, b's and d's mean
    # rank, c's would be 10 minus theirs, and show where the 2 who chose c put it.
    chosen = [["a", "b"]] * 6 + [["b", "a"]] * 5 + [["d"]] * 3 + [["c"]] * 2
    shown = priorities(chosen, list("abcd"), unweighted(16), threshold=10)
    assert [row["code"] for row in shown["ranked"]] == ["a", "b"]
    assert shown["few"] == ["c"] and shown["hidden"] == ["d"]
    lone = [["a", "b"]] * 6 + [["b", "a"]] * 5 + [["c", "d"]] * 2  # c and d: the same 2
    shown = priorities(lone, list("abcd"), unweighted(13), threshold=10)
    assert shown["few"] == ["c", "d"] and shown["hidden"] == ["a"]  # a and b tie: a first


def test_priorities_of_too_few_respondents_are_not_shown():
    shown = priorities([["a", "b"]] * 9, list("abc"), unweighted(9), threshold=10)
    assert shown == {"status": "too_few", "n": None, "ranked": [], "few": [], "hidden": []}


def test_a_weighted_distribution_matches_the_hand_computation():
    # Young: 200 people, 4 respondents (weight 50); old: 100 people, 8 respondents (12.5).
    population = {("18-34", "female"): 100, ("18-34", "male"): 100}
    population |= {("65-74", "female"): 50, ("65-74", "male"): 50}
    cells = [("18-34", "female"), ("18-34", "male")] * 2 + [
        ("65-74", "female"),
        ("65-74", "male"),
    ] * 4
    weighting = rake(cells, population)
    np.testing.assert_allclose(weighting.weights, [50] * 4 + [12.5] * 8)
    answers = [["1"], ["1"], ["1"], ["2"]] + [["2"]] * 5 + [["3"]] * 3
    question = Question("Q", {"Q": answers}, ["1", "2", "3"], exclusive=True)
    [row] = distribution(question, weighting, threshold=10)["rows"]
    # "1": 150 / 300 = 50%; "2": (50 + 62.5) / 300 = 37.5% -> 38; "3": 37.5 / 300 = 12.5 -> 13.
    assert [(c["code"], c["percent"]) for c in row["categories"]] == [
        ("1", 50),
        ("2", 38),
        ("3", 13),
    ]
    assert row["n"] == 10  # 12 rounded to 5


def test_a_band_without_respondents_is_weighted_with_the_next_and_said():
    population = {("18-34", "female"): 10, ("35-49", "female"): 30, ("50-64", "female"): 60}
    weighting = rake([("35-49", "female"), ("50-64", "female")], population)
    assert weighting.merged_age_groups == [["18-34", "35-49"]]
    np.testing.assert_allclose(weighting.weights, [40, 60])


def test_respondents_of_unknown_sex_are_weighted_by_age_only():
    population = {("18-34", "female"): 50, ("18-34", "male"): 50}
    weighting = rake(
        [("18-34", "female")] * 3 + [("18-34", "male"), ("18-34", "unknown")], population
    )
    assert weighting.converged and weighting.weights.sum() == pytest.approx(100)
    w = weighting.weights
    assert w[:3].sum() == pytest.approx(w[3])  # women and men as in the village


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # One category of 2: 100% minus the rest would give it away: the smallest shown hides.
        ({"1": 10, "2": 5, "3": 2}, {"1": "publish", "2": HIDDEN, "3": "almost_no_one"}),
        # Two of 1 and 2: together 3, safe as they are.
        (
            {"1": 10, "2": 5, "3": 1, "4": 2},
            {"1": "publish", "2": "publish", "3": "almost_no_one", "4": "almost_no_one"},
        ),
        # None chose 3: "(almost) no one", and 100% minus the rest must not say "exactly none".
        ({"1": 5, "2": 5, "3": 0}, {"1": HIDDEN, "2": "publish", "3": "almost_no_one"}),
        ({"1": 6, "2": 6}, {"1": "publish", "2": "publish"}),
    ],
)  # fmt: skip
def test_secondary_suppression_keeps_three_on_each_side_of_the_hidden(counts, expected):
    from analysis.disclosure import share_outcome

    n = sum(counts.values())
    first = {c: share_outcome(k, n, False, 10).value for c, k in counts.items()}
    assert secondary_suppression(first, counts, n) == expected


def test_no_category_below_the_rules_gets_a_percentage():
    rng = np.random.default_rng(3)
    for _ in range(200):
        n = int(rng.integers(1, 30))
        answers = [[str(rng.choice(4, p=[0.6, 0.25, 0.1, 0.05]))] for _ in range(n)]
        question = Question("Q", {"Q": answers}, ["0", "1", "2", "3"], exclusive=True)
        [row] = distribution(question, unweighted(n), threshold=10)["rows"]
        counts = {c: sum(a == [c] for a in answers) for c in "0123"}
        if n < 10:
            assert row["status"] == "too_few" and row["categories"] == [] and row["n"] is None
            continue
        shown = [c for c in row["categories"] if c["percent"] is not None]
        assert all(3 <= counts[c["code"]] <= n - 3 for c in shown)
        hidden = sum(counts[c["code"]] for c in row["categories"] if c["percent"] is None)
        assert hidden == 0 and len(shown) == 4 or 3 <= hidden <= n - 3 or not shown


def test_a_question_one_respondent_dominates_is_not_shown():
    population = {("18-34", "female"): 1000, ("65-74", "female"): 10}
    cells = [("18-34", "female")] + [("65-74", "female")] * 11
    answers = [["1"]] * 6 + [["2"]] * 6
    question = Question("Q", {"Q": answers}, ["1", "2"], exclusive=True)
    [row] = distribution(question, rake(cells, population), threshold=10)["rows"]
    assert row["status"] == "dominated" and row["categories"] == []


def test_multiple_choice_options_are_shares_of_their_own_without_secondary_suppression():
    answers = [["a", "b"]] * 6 + [["a"]] * 3 + [["b", "c"]] * 2 + [["b"]]
    question = Question("M", {"M": answers}, ["a", "b", "c"], exclusive=False)
    [row] = distribution(question, unweighted(12), threshold=10)["rows"]
    assert [(c["outcome"], c["percent"]) for c in row["categories"]] == [
        ("publish", 75),
        ("publish", 75),
        ("almost_no_one", None),
    ]
