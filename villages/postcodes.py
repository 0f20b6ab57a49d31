"""Postcode areas (the four digits) of Midden-Drenthe and the places in each.

Used only to *suggest* a village on the sign-up form; the resident always confirms it.
This is a first table written for the platform, not an extract of a register: like the
demo population figures it must be checked against the BAG (the national address register)
before anyone relies on it. Hamlets share the area of the village nearby; an area holding
several places suggests them all.
"""

from __future__ import annotations

import re

POSTCODE_AREAS: dict[str, tuple[str, ...]] = {
    "9411": ("Beilen",),
    "9412": ("Beilen", "Lieving", "Makkum", "Holthe", "Eursinge"),
    "9413": ("Beilen",),
    "9414": ("Hooghalen", "Laaghalen", "Laaghalerveen"),
    "9415": ("Hijken",),
    "9416": ("Hooghalen", "Oranje"),
    "9417": ("Spier", "Bruntinge"),
    "9418": ("Wijster", "Drijber"),
    "9419": ("Drijber",),
    "9421": ("Bovensmilde",),
    "9422": ("Smilde", "Hijkersmilde"),
    "9423": ("Hoogersmilde",),
    "9431": ("Westerbork",),
    "9432": ("Westerbork", "Zwiggelte", "Garminge"),
    "9433": ("Zwiggelte",),
    "9434": ("Witteveen",),
    "9435": ("Witteveen",),
    "9436": ("Witteveen",),
    "9437": ("Nieuw-Balinge", "Mantinge", "Balinge"),
    "9438": ("Nieuw-Balinge", "Mantinge", "Balinge"),
    "9439": ("Elp", "Zuidveld"),
    "9441": ("Orvelte",),
    "9442": ("Elp",),
    "9443": ("Elp",),
    "9444": ("Brunsting", "Terhorst"),
    "9445": ("Klatering", "Beilervaart", "Smalbroek"),
}

_POSTCODE = re.compile(r"^\s*(\d{4})\s*([A-Za-z]{2})?\s*$")


def is_postcode(text: str) -> bool:
    return bool(_POSTCODE.match(text or ""))


def places_for_postcode(text: str) -> tuple[str, ...] | None:
    """Names of the places in this postcode area; () when outside the municipality,
    None when `text` is not a Dutch postcode at all."""
    match = _POSTCODE.match(text or "")
    if match is None:
        return None
    return POSTCODE_AREAS.get(match.group(1), ())
