"""Disclosure control: which figures may leave the server, and how they are rounded.

The rules (docs of the analysis issue):
1. A figure is published only when at least `threshold` respondents (default 10, never
   below 5) answered it.
2. A share of x out of n is published only when x ≥ 3 and n − x ≥ 3. Otherwise a harmless
   item reads "(almost) everyone" or "(almost) no one"; a sensitive one is suppressed.
3. Secondary suppression within a margin (the cells that add up to a published total): a
   single suppressed cell could be recovered from the total and the others, so then the
   next smallest cell is suppressed too. A subgroup is shown only when its complement
   within the parent also passes rule 1.
4. Counts rounded to 5, percentages whole, marks to one decimal.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

MINIMUM_THRESHOLD = 5
DEFAULT_THRESHOLD = 10
#: Rule 2: at least this many on both sides of a share.
MINIMUM_EACH_SIDE = 3


class ShareOutcome(enum.Enum):
    PUBLISH = "publish"
    ALMOST_EVERYONE = "almost_everyone"
    ALMOST_NO_ONE = "almost_no_one"
    SUPPRESSED = "suppressed"


def threshold_of(configured: int) -> int:
    """The configured threshold, but never below the floor of 5."""
    return max(configured, MINIMUM_THRESHOLD)


def enough_respondents(n: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """Rule 1."""
    return n >= threshold_of(threshold)


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


def suppress_margin(
    counts: Mapping[Hashable, int], threshold: int = DEFAULT_THRESHOLD
) -> set[Hashable]:
    """Rules 1 and 3 for the cells of one margin (e.g. the villages of the municipality):
    the cells to suppress. Never exactly one: then the next smallest goes too, so no cell
    can be recovered from the published total by subtraction."""
    hidden = {key for key, n in counts.items() if not enough_respondents(n, threshold)}
    if len(hidden) == 1 and len(counts) > 1:
        shown = sorted((n, repr(key), key) for key, n in counts.items() if key not in hidden)
        hidden.add(shown[0][2])
    return hidden


def subgroup_shown(n_subgroup: int, n_parent: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """Rule 3 for a subgroup (e.g. the 65+ of a village): it and its complement pass rule 1."""
    return enough_respondents(n_subgroup, threshold) and enough_respondents(
        n_parent - n_subgroup, threshold
    )


def rounded_count(n: int) -> int:
    """Rule 4: counts to the nearest 5 (halves up)."""
    return 5 * ((n + 2) // 5)


def whole_percentage(share: float) -> int:
    """Rule 4: a share as a whole percentage (halves up, not to even)."""
    return int(share * 100 + 0.5)


def one_decimal(mark: float) -> float:
    """Rule 4: marks to one decimal (halves up)."""
    return int(mark * 10 + 0.5) / 10


@dataclass(frozen=True)
class PublishedCell:
    """One cell of a published margin: its rounded count, or None when suppressed."""

    key: Hashable
    count: int | None


def publish_margin(
    counts: Mapping[Hashable, int], threshold: int = DEFAULT_THRESHOLD
) -> tuple[list[PublishedCell], int]:
    """A margin as it may be published: suppressed cells as None, the rest rounded, and
    the rounded total."""
    hidden = suppress_margin(counts, threshold)
    cells = [
        PublishedCell(key, None if key in hidden else rounded_count(n)) for key, n in counts.items()
    ]
    return cells, rounded_count(sum(counts.values()))
