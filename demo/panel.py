"""A demo panel: a few hundred synthetic members spread over the villages.

Every member made here has `synthetic=True`, email addresses on the reserved `.example`
domain and a made-up name, so no real person can be reached or mistaken for one.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select

from accounts.models import Account
from accounts.services import get_or_create_account
from core.dates import local_today
from core.db import db, utcnow
from panel.models import (
    AgeBand,
    Channel,
    ContactDetails,
    Household,
    Member,
    MemberStatus,
    PrivacyStatement,
    Sex,
)
from panel.services import (
    Profile,
    current_statement,
    default_statement_text,
    member_for,
    publish_statement,
    register_member,
)
from surveys.models import Survey, SurveyKind
from surveys.services import create_survey, submit_proposal
from surveys.templates import TEMPLATES, load_template
from villages.models import Village
from villages.queries import panel_villages

#: Members per square root of a village's inhabitants (see `members_for`).
MEMBERS_PER_ROOT = 1.6
#: Fixed, so the demo panel is the same on every machine.
DEMO_SEED = 2026
#: Rural Drenthe is older than the country: more members born before 1960.
BIRTH_YEARS = [(1940, 1950, 0.14), (1951, 1960, 0.24), (1961, 1975, 0.28), (1976, 2006, 0.34)]
HOUSEHOLDS = [
    (Household.SINGLE, 0.22),
    (Household.COUPLE, 0.38),
    (Household.COUPLE_WITH_CHILDREN, 0.28),
    (Household.SINGLE_PARENT, 0.06),
    (Household.OTHER, 0.06),
]


def seed_privacy_statement() -> PrivacyStatement:
    """Version 1 of the privacy statement, when none is published yet."""
    return current_statement() or publish_statement(
        default_statement_text("nl"),
        default_statement_text("en"),
        "Eerste versie.",
        "First version.",
        by=None,
    )


def seed_demo_residents(emails: list[str]) -> None:
    """Make the demo resident accounts panel members of the village their role names."""
    statement = seed_privacy_statement()
    for email in emails:
        account = db.session.scalar(select(Account).where(Account.email == email))
        if account is None or member_for(account) is not None:
            continue
        village_id = next(g.village_id for g in account.grants if g.village_id)
        profile = Profile(village_id, Sex.FEMALE, Household.COUPLE, birth_year=1958)
        register_member(profile, Channel.WEB, account=account, statement=statement)


def seed_panel(size: int | None = None) -> int:
    """Add the demo panel unless there are synthetic members already; how many were added.

    Without `size`, each village gets `members_for(population)` members (about 1,150 in
    all); with it, `size` members spread over the villages in the same proportions."""
    if db.session.scalar(select(func.count()).where(Member.synthetic.is_(True))):
        return 0
    rng = random.Random(DEMO_SEED)
    statement = seed_privacy_statement()
    villages = panel_villages()
    wanted = [members_for(v.population) for v in villages]
    if size is None:
        chosen = [
            village for village, count in zip(villages, wanted, strict=True) for _ in range(count)
        ]
    else:
        chosen = rng.choices(villages, wanted, k=size)
    rng.shuffle(chosen)
    for number, village in enumerate(chosen, start=1):
        member = _synthetic_member(rng, number, village, statement)
        _vary_status(rng, member)
    db.session.flush()
    return len(chosen)


def members_for(population: int | None) -> int:
    """Members recruited in a village: more per inhabitant in small villages (about the
    square root), as a municipality recruits to give each village a voice; at most a
    quarter of its adults."""
    people = population or 50
    return max(3, min(round(MEMBERS_PER_ROOT * people**0.5), round(people * 0.8 / 4)))


def _synthetic_member(rng, number: int, village: Village, statement) -> Member:
    low, high, _ = rng.choices(BIRTH_YEARS, [w for *_, w in BIRTH_YEARS])[0]
    birth_year = rng.randint(low, high)
    profile = Profile(
        village_id=village.id,
        sex=rng.choices([Sex.FEMALE, Sex.MALE, Sex.OTHER], [0.52, 0.46, 0.02])[0],
        household=rng.choices([h for h, _ in HOUSEHOLDS], [w for _, w in HOUSEHOLDS])[0],
        # One in ten prefers to give an age group rather than a year.
        birth_year=None if rng.random() < 0.1 else birth_year,
        age_band=AgeBand.for_age(local_today().year - birth_year),
        association_member=rng.choice([True, False, None]),
    )
    on_paper = birth_year < 1950 and rng.random() < 0.5
    name = f"Demo-inwoner {number:03d}"
    if on_paper:
        contact = ContactDetails(
            name=name, address=f"Demostraat {number}", postcode="9999 XX", town=village.name
        )
        return register_member(
            profile, Channel.PAPER, contact=contact, statement=statement, synthetic=True
        )
    account = get_or_create_account(f"lid{number:03d}@panel.example", name)
    return register_member(
        profile,
        Channel.WEB,
        account=account,
        statement=statement,
        association_contact=rng.random() < 0.2,
        synthetic=True,
    )


def _vary_status(rng, member: Member) -> None:
    # Most joined before the first demo wave (about 14 months ago); some were recruited since.
    days = rng.randint(450, 900) if rng.random() < 0.88 else rng.randint(1, 400)
    member.joined_at = utcnow() - timedelta(days=days)
    roll = rng.random()
    if roll < 0.05:
        member.status, member.left_at = MemberStatus.LEFT, utcnow()
    elif roll < 0.10:
        member.paused_until = local_today() + timedelta(days=rng.randint(10, 120))


def seed_template_surveys() -> int:
    """A draft survey from each shipped questionnaire template, once."""
    added = 0
    for name in TEMPLATES:
        definition = load_template(name)
        title = definition["title"]["nl"]
        if db.session.scalar(select(Survey.id).where(Survey.title == title)) is None:
            create_survey(definition, by=None)
            added += 1
    return added + seed_village_vision_proposal()


DEMO_PROPOSAL_TITLE = "Dorpsvisie Orvelte 2027"


def seed_village_vision_proposal() -> int:
    """Orvelte's association has submitted a village-vision survey for review, once."""
    if db.session.scalar(select(Survey.id).where(Survey.title == DEMO_PROPOSAL_TITLE)):
        return 0
    board = db.session.scalar(select(Account).where(Account.email == "bestuur@orvelte.example"))
    orvelte = db.session.scalar(select(Village).where(Village.name == "Orvelte"))
    if board is None or orvelte is None:
        return 0
    definition = load_template("dorpsvisie")
    definition["title"] = {"nl": DEMO_PROPOSAL_TITLE}
    proposal = create_survey(definition, board, kind=SurveyKind.VILLAGE_VISION, villages=[orvelte])
    submit_proposal(proposal, board, comment="Graag voor de ledenvergadering in maart.")
    return 1
