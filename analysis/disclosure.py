"""Disclosure control: which figures may leave the server, and how they are rounded.

The rules (docs of the analysis issue):
1. A figure is published only when at least `threshold` respondents (default 10, never
   below 5) answered it.
2. A share of x out of n is published only when x ≥ 3 and n − x ≥ 3. Otherwise a harmless
   item reads "(almost) everyone" or "(almost) no one"; a sensitive one is suppressed.
3. Secondary suppression within a margin (the cells that add up to a published total):
   analysis.publication, over all margins of a table at once (and rule 5, clusters).
4. Counts rounded to 5, percentages whole, marks to one decimal.
5. Clusters of small villages (analysis.publication).
Dominance (a p%-rule in spirit): a figure is published only when no single respondent
carries more than `dominance` (default 25%) of its total weight. Otherwise weights that
are far apart (made-up margins, a village weighted many times over) let one answer set the
figure: it would show that answer.
"""

from __future__ import annotations

import enum

MINIMUM_THRESHOLD = 5
DEFAULT_THRESHOLD = 10
#: Rule 2: at least this many on both sides of a share.
MINIMUM_EACH_SIDE = 3
#: Dominance: the largest share of a figure's weight one respondent may carry.
DEFAULT_DOMINANCE = 0.25


class ShareOutcome(enum.Enum):
    PUBLISH = "publish"
    ALMOST_EVERYONE = "almost_everyone"
    ALMOST_NO_ONE = "almost_no_one"
    SUPPRESSED = "suppressed"
    #: Hidden because one respondent carries too much of the figure's weight.
    DOMINATED = "dominated"


def threshold_of(configured: int) -> int:
    """The configured threshold, but never below the floor of 5."""
    return max(configured, MINIMUM_THRESHOLD)


def enough_respondents(n: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """Rule 1."""
    return n >= threshold_of(threshold)


def dominated(largest: float, total: float, dominance: float = DEFAULT_DOMINANCE) -> bool:
    """The dominance rule: one respondent's weight (`largest`) is more than `dominance` of
    the figure's total weight."""
    return total > 0 and largest > dominance * total


def share_outcome(
    hits: int, n: int, sensitive: bool, threshold: int = DEFAULT_THRESHOLD
) -> ShareOutcome:
    """Rules 1 and 2 for a share of `hits` out of `n` respondents."""
    if not enough_respondents(n, threshold):
        return ShareOutcome.SUPPRESSED
    if hits >= MINIMUM_EACH_SIDE and n - hits >= MINIMUM_EACH_SIDE:
        return ShareOutcome.PUBLISH
    if sensitive:
        return ShareOutcome.SUPPRESSED
    return ShareOutcome.ALMOST_NO_ONE if hits < MINIMUM_EACH_SIDE else ShareOutcome.ALMOST_EVERYONE


def rounded_count(n: int) -> int:
    """Rule 4: counts to the nearest 5 (halves up)."""
    return 5 * ((n + 2) // 5)


def whole_percentage(share: float) -> int:
    """Rule 4: a share as a whole percentage (halves up, not to even)."""
    return int(share * 100 + 0.5)


def one_decimal(mark: float) -> float:
    """Rule 4: marks to one decimal (halves up)."""
    return int(mark * 10 + 0.5) / 10
