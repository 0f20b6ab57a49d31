import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.db import db
from demo.services import seed_villages
from tests.helpers import count
from villages import queries
from villages.models import Association, Village, VillageKind
from villages.services import set_population, upsert_village


def by_name(name: str) -> Village:
    return db.session.scalars(select(Village).where(Village.name == name)).one()


def test_seed_loads_the_35_villages_and_neighbourhoods(seeded):
    assert count(Village) == 35
    assert {v.name for v in db.session.scalars(select(Village)).all()} >= {
        "Beilen",
        "Westerbork",
        "Smilde",
        "Bovensmilde",
        "Orvelte",
        "Nieuw-Balinge",
        "Hijkersmilde",
    }
    large = {v.name for v in queries.all_villages() if v.kind is VillageKind.LARGE_VILLAGE}
    assert large == {"Beilen", "Westerbork", "Smilde", "Bovensmilde"}


@pytest.mark.parametrize(
    ("name", "population"), [("Beilen", 9950), ("Bovensmilde", 3175), ("Orvelte", 97)]
)
def test_given_figures_are_official_and_the_rest_marked_demo(seeded, name, population):
    village = by_name(name)
    assert (village.population, village.population_is_demo) == (population, False)
    assert by_name("Westerbork").population_is_demo is True


def test_associations_can_represent_several_villages(seeded):
    broekstreek = db.session.scalars(
        select(Association).where(Association.name == "Plaatselijk Belang Broekstreek")
    ).one()
    assert [v.name for v in broekstreek.villages] == ["Balinge", "Garminge", "Mantinge"]
    assert [a.name for a in by_name("Smalbroek").associations] == ["Buurtvereniging Musselhorst"]
    assert [a.name for a in by_name("Orvelte").associations] == ["Algemeen Belang Orvelte"]


def test_neighbourhoods_belong_to_their_village(seeded):
    assert [n.name for n in by_name("Beilen").neighbourhoods] == ["Beilen-West", "Nagtegael"]


def test_seeding_twice_changes_nothing_and_keeps_official_figures(seeded):
    set_population(by_name("Westerbork"), 4812)
    db.session.commit()
    seed_villages()
    db.session.commit()
    assert count(Village) == 35 and count(Association) == 25
    westerbork = by_name("Westerbork")
    assert (westerbork.population, westerbork.population_is_demo) == (4812, False)


def test_database_refuses_a_negative_population(app):
    db.session.add(Village(name="Nergens", slug="nergens", kind=VillageKind.VILLAGE, population=-1))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_database_refuses_a_neighbourhood_without_its_village(app):
    db.session.add(Village(name="Wijk", slug="wijk", kind=VillageKind.NEIGHBOURHOOD))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_set_population_refuses_negative_numbers(make_village):
    with pytest.raises(ValueError):
        set_population(make_village(), -5)


def test_cli_sets_an_official_population(app, seeded):
    result = app.test_cli_runner().invoke(args=["villages", "population", "Spier", "412"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    spier = by_name("Spier")
    assert (spier.population, spier.population_is_demo) == (412, False)
    assert spier.population_updated_at is not None


def test_cli_explains_an_unknown_village(app, seeded):
    result = app.test_cli_runner().invoke(args=["villages", "population", "Atlantis", "5"])
    assert result.exit_code != 0
    assert "no village called 'Atlantis'" in result.output


def test_cli_lists_villages_with_demo_marks(app, seeded):
    output = app.test_cli_runner().invoke(args=["villages", "list"]).output
    assert "Orvelte" in output and "97" in output and "(demo)" in output


def test_upsert_keeps_one_row_per_name(app):
    upsert_village("Orvelte", VillageKind.VILLAGE, 97)
    upsert_village("Orvelte", VillageKind.VILLAGE, 200)
    db.session.commit()
    assert count(Village) == 1 and by_name("Orvelte").population == 97


def test_the_database_refuses_a_recruitment_target_below_one(app, make_village):
    village = make_village("Orvelte")
    village.recruitment_target = 0
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
