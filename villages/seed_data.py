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

#: name, villages, why these villages go together.
#: Default village clusters: a village with too few respondents is then published as part
#: of its cluster (disclosure rule 5), so every village gets figures of its own or of its
#: cluster. First the associations that already speak for several villages; then each
#: remaining small village or hamlet with the places it shares a postcode area or a road
#: with (villages.postcodes). No large village is in a cluster: each has respondents
#: enough. A village in a cluster still gets its own figures when the others in its
#: cluster together have enough respondents too; otherwise its cluster's figures stand in
#: for it. Officials change them on the clusters page; a wave keeps those it closed with.
#: Like the demo population figures, a first proposal for the village councils to check.
CLUSTERS: list[tuple[str, tuple[str, ...], str]] = [
    (
        "Broekstreek",
        ("Balinge", "Garminge", "Mantinge"),
        "The area of Plaatselijk Belang Broekstreek.",
    ),
    (
        "Hooghalen, Laaghalen en Laaghalerveen",
        ("Hooghalen", "Laaghalen", "Laaghalerveen"),
        "The area of their Dorpsbelangen; Laaghalen and Laaghalerveen alone are too small.",
    ),
    (
        "Elp en Zuidveld",
        ("Elp", "Zuidveld"),
        "The area of Dorpsbelangen Elp/Zuidveld (postcode area 9439).",
    ),
    (
        "Holthe, Lieving, Makkum en Eursinge",
        ("Eursinge", "Holthe", "Lieving", "Makkum"),
        "The hamlets of Buurtvereniging Holthe-Lieving-Makkum, with Eursinge, the other "
        "hamlet by Beilen in postcode area 9412.",
    ),
    (
        "Musselhorst en omgeving",
        ("Beilervaart", "Brunsting", "Klatering", "Smalbroek", "Terhorst"),
        "Smalbroek and Terhorst of Buurtvereniging Musselhorst, with the other hamlets of "
        "postcode areas 9444 and 9445, west of Beilen.",
    ),
    (
        "Orvelte en Zwiggelte",
        ("Orvelte", "Zwiggelte"),
        "Neighbouring villages east of Westerbork; Orvelte alone is too small, and "
        "Westerbork, a large village, needs no cluster.",
    ),
    (
        "Spier en Bruntinge",
        ("Bruntinge", "Spier"),
        "Bruntinge is a hamlet by Spier, in the same postcode area 9417.",
    ),
    (
        "Hijken, Hijkersmilde en Oranje",
        ("Hijken", "Hijkersmilde", "Oranje"),
        "Hijkersmilde (postcode area 9422) and Oranje (9416) are too small alone; grouped "
        "with Hijken, between Smilde and Hooghalen, so that Smilde, a large village, needs "
        "no cluster.",
    ),
]
