"""Load demo data. Idempotent: running it twice changes nothing the second time."""

from __future__ import annotations

from accounts import services as accounts
from accounts.models import Role
from results.clusters import add_default_clusters, all_clusters
from villages import services as villages
from villages.queries import village_by_name
from villages.seed_data import ASSOCIATIONS, CLUSTERS, VILLAGES


def seed_villages() -> int:
    """Load the villages, neighbourhoods and associations of Midden-Drenthe."""
    by_name = {}
    for name, kind, population, is_demo, part_of in VILLAGES:
        by_name[name] = villages.upsert_village(
            name, kind, population, is_demo, part_of=by_name.get(part_of) if part_of else None
        )
    for name, kind, members in ASSOCIATIONS:
        villages.upsert_association(name, kind, [by_name[m] for m in members])
    return len(by_name)


def seed_clusters() -> int:
    """The default village clusters, when there are no clusters yet: how many were made."""
    if all_clusters():
        return 0
    made, _ = add_default_clusters(CLUSTERS)
    return len(made)


#: email, name, role, village: one demo account for each role (addresses in the reserved
#: `.example` domain, so no mail can ever reach a real person).
DEMO_ACCOUNTS = [
    ("ambtenaar@middendrenthe.example", "Demo Ambtenaar", Role.OFFICIAL, None),
    ("bestuur@orvelte.example", "Demo Algemeen Belang Orvelte", Role.ASSOCIATION, "Orvelte"),
    ("vrijwilliger@middendrenthe.example", "Demo Vrijwilliger", Role.VOLUNTEER, None),
    ("inwoner.beilen@example.nl", "Demo Inwoner Beilen", Role.RESIDENT, "Beilen"),
    ("inwoner.orvelte@example.nl", "Demo Inwoner Orvelte", Role.RESIDENT, "Orvelte"),
    ("inwoner.smilde@example.nl", "Demo Inwoner Smilde", Role.RESIDENT, "Smilde"),
]


def seed_accounts() -> list[tuple[str, Role]]:
    """One demo account per role; needs the villages."""
    for email, name, role, village_name in DEMO_ACCOUNTS:
        account = accounts.get_or_create_account(email, name)
        village = village_by_name(village_name) if village_name else None
        accounts.grant_role(account, role, village)
    return [(email, role) for email, _, role, _ in DEMO_ACCOUNTS]
