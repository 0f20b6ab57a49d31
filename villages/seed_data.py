"""The villages and associations of Midden-Drenthe, from the municipality's village policy.

Only Beilen, Bovensmilde and Orvelte have figures given by the municipality. The other
figures are rounded, illustrative demo numbers (marked as such in the app) until an
official enters or imports the real ones.
"""

from villages.models import AssociationKind, VillageKind

LARGE, VILLAGE, HAMLET, PART = (
    VillageKind.LARGE_VILLAGE,
    VillageKind.VILLAGE,
    VillageKind.HAMLET,
    VillageKind.NEIGHBOURHOOD,
)

#: name, kind, population, population is a demo figure, part of
VILLAGES: list[tuple[str, VillageKind, int | None, bool, str | None]] = [
    ("Beilen", LARGE, 9950, False, None),
    ("Westerbork", LARGE, 4750, True, None),
    ("Smilde", LARGE, 4600, True, None),
    ("Bovensmilde", LARGE, 3175, False, None),
    ("Hoogersmilde", VILLAGE, 1700, True, None),
    ("Hooghalen", VILLAGE, 1500, True, None),
    ("Wijster", VILLAGE, 1100, True, None),
    ("Nieuw-Balinge", VILLAGE, 960, True, None),
    ("Hijken", VILLAGE, 660, True, None),
    ("Witteveen", VILLAGE, 600, True, None),
    ("Drijber", VILLAGE, 480, True, None),
    ("Zwiggelte", VILLAGE, 470, True, None),
    ("Elp", VILLAGE, 380, True, None),
    ("Mantinge", VILLAGE, 375, True, None),
    ("Spier", VILLAGE, 375, True, None),
    ("Laaghalen", VILLAGE, 110, True, None),
    ("Garminge", VILLAGE, 110, True, None),
    ("Balinge", VILLAGE, 100, True, None),
    ("Orvelte", VILLAGE, 97, False, None),
    ("Zuidveld", VILLAGE, 75, True, None),
    ("Laaghalerveen", VILLAGE, 35, True, None),
    ("Oranje", HAMLET, 150, True, None),
    ("Holthe", HAMLET, 130, True, None),
    ("Lieving", HAMLET, 110, True, None),
    ("Makkum", HAMLET, 100, True, None),
    ("Brunsting", HAMLET, 90, True, None),
    ("Eursinge", HAMLET, 60, True, None),
    ("Beilervaart", HAMLET, 45, True, None),
    ("Klatering", HAMLET, 40, True, None),
    ("Terhorst", HAMLET, 40, True, None),
    ("Smalbroek", HAMLET, 35, True, None),
    ("Bruntinge", HAMLET, 35, True, None),
    ("Hijkersmilde", HAMLET, 35, True, None),
    ("Beilen-West", PART, None, False, "Beilen"),
    ("Nagtegael", PART, None, False, "Beilen"),
]

VA, NA, PF = AssociationKind.VILLAGE, AssociationKind.NEIGHBOURHOOD, AssociationKind.PLATFORM

#: name, kind, villages represented
ASSOCIATIONS: list[tuple[str, AssociationKind, tuple[str, ...]]] = [
    ("Plaatselijk Belang Broekstreek", VA, ("Balinge", "Garminge", "Mantinge")),
    ("Plaatselijk Belang Drijber", VA, ("Drijber",)),
    ("Dorpsbelangen Elp/Zuidveld", VA, ("Elp", "Zuidveld")),
    (
        "Dorpsbelangen Hooghalen, Laaghalen en Laaghalerveen",
        VA,
        ("Hooghalen", "Laaghalen", "Laaghalerveen"),
    ),
    ("Dorpsbelangen Hoogersmilde", VA, ("Hoogersmilde",)),
    ("Dorpsbelangen Hijken", VA, ("Hijken",)),
    ("Plaatselijk Belang Nieuw Balinge", VA, ("Nieuw-Balinge",)),
    ("Algemeen Belang Orvelte", VA, ("Orvelte",)),
    ("Dorpsbelangen Spier", VA, ("Spier",)),
    ("Dorpsbelang Witteveen", VA, ("Witteveen",)),
    ("Dorpsbelangen Wijster", VA, ("Wijster",)),
    ("Dorpsbelangen Zwiggelte", VA, ("Zwiggelte",)),
    ("Buurtvereniging Bruntinge", NA, ("Bruntinge",)),
    ("Buurtvereniging Brunsting", NA, ("Brunsting",)),
    ("Buurtvereniging Beilervaart", NA, ("Beilervaart",)),
    ("Buurtvereniging Klatering", NA, ("Klatering",)),
    ("Buurtvereniging Musselhorst", NA, ("Smalbroek", "Terhorst")),
    ("Buurtvereniging Oranje", NA, ("Oranje",)),
    ("Buurtvereniging Eursinge", NA, ("Eursinge",)),
    ("Buurtvereniging Holthe-Lieving-Makkum", NA, ("Holthe", "Lieving", "Makkum")),
    ("Buurtvereniging Hijkersmilde", NA, ("Hijkersmilde",)),
    ("Belangenvereniging dorp Westerbork", PF, ("Westerbork",)),
    ("Platform Beilen-West", PF, ("Beilen-West",)),
    ("Platform Nagtegael", PF, ("Nagtegael",)),
    ("Bewonersplatform Smilde", PF, ("Smilde",)),
]
