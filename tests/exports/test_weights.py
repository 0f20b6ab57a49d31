"""The weights an export carries are the run's: `calibrated_weights` gives what `weigh`
gives, without the replicate weights (no app needed)."""

import numpy as np

from analysis.scheme import Respondent, Scheme, calibrated_weights, weigh

BANDS = ("18-34", "35-49", "50-64", "65-74", "75+")


def test_calibrated_weights_are_the_weights_of_weigh():
    rng = np.random.default_rng(3)
    villages = {"Beilen": 800, "Orvelte": 60, "Hooghalen": 200}
    respondents = [
        Respondent(
            str(rng.choice(list(villages))),
            str(rng.choice(BANDS)),
            str(rng.choice(["female", "male", "unknown"], p=[0.49, 0.49, 0.02])),
        )
        for _ in range(300)
    ]
    population = {
        (village, band, sex): people / 10
        for village, people in villages.items()
        for band in BANDS
        for sex in ("female", "male")
    }
    clusters = {"Zuid": ["Orvelte", "Hooghalen"]}
    expected = weigh(respondents, population, Scheme(), clusters).weights
    got = calibrated_weights(respondents, population, Scheme(), clusters)
    np.testing.assert_allclose(got, expected)
