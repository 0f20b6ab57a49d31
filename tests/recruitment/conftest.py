from datetime import date, timedelta

import pytest

from core.db import db
from recruitment.codes import code_hash, generate
from recruitment.models import RecruitmentBatch, RecruitmentCode
from villages.queries import village_by_name


@pytest.fixture
def english(client):
    """Show the test client's pages in English."""
    with client.session_transaction() as session:
        session["language"] = "en"


@pytest.fixture
def make_batch(app, make_village):
    """A batch stored directly (no letters job), with its PDF unless `pdf=None`."""

    def make(village="Orvelte", size=3, pdf=b"%PDF-1.7 letters", redeemed=0, expires_in=30):
        place = village_by_name(village) or make_village(village)
        codes = [RecruitmentCode(code_hash=code_hash(generate())) for _ in range(size)]
        for code in codes[:redeemed]:
            code.redeemed_at = db.func.now()
        batch = RecruitmentBatch(
            village=place,
            size=size,
            expires_on=date.today() + timedelta(days=expires_in),
            codes=codes,
            letters_pdf=pdf,
        )
        if pdf is not None:
            batch.letters_ready_at = db.func.now()
        db.session.add(batch)
        db.session.commit()
        return batch

    return make
