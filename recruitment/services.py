"""Recruitment codes: making a batch for letters, checking a typed code, redeeming it once.

Callers commit."""

from __future__ import annotations

import enum
import logging
from datetime import date

from sqlalchemy import delete, select, update

from accounts.models import Account
from audit.services import record
from core.dates import local_today
from core.db import db, utcnow
from jobs.services import enqueue
from recruitment.codes import MalformedCode, code_hash, generate, normalise
from recruitment.models import RecruitmentBatch, RecruitmentCode
from recruitment.queries import BatchOverview
from villages.models import Village

log = logging.getLogger(__name__)


class CodeProblem(enum.Enum):
    MALFORMED = "malformed"  #: a typo: the check character does not match
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


class CodeError(ValueError):
    def __init__(self, problem: CodeProblem):
        super().__init__(problem.value)
        self.problem = problem


def find_code(typed: str, today: date | None = None) -> RecruitmentCode:
    """The unused, unexpired code a person typed; raises CodeError saying what is wrong."""
    try:
        code = normalise(typed)
    except MalformedCode:
        raise CodeError(CodeProblem.MALFORMED) from None
    found = db.session.scalar(
        select(RecruitmentCode).where(RecruitmentCode.code_hash == code_hash(code))
    )
    if found is None:
        raise CodeError(CodeProblem.UNKNOWN)
    if found.redeemed_at is not None:
        raise CodeError(CodeProblem.USED)
    if (today or local_today()) > found.batch.expires_on:
        raise CodeError(CodeProblem.EXPIRED)
    return found


def redeem(code: RecruitmentCode) -> bool:
    """Mark a code used. The conditional UPDATE lets exactly one of two sign-ups win."""
    result = db.session.execute(
        update(RecruitmentCode)
        .where(RecruitmentCode.id == code.id, RecruitmentCode.redeemed_at.is_(None))
        .values(redeemed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.expire(code)
    return result.rowcount == 1


# --- batches of letters (officials) -----------------------------------------------------

MAX_BATCH_SIZE = 2000
LETTERS_JOB = "recruitment.render_letters"


def _new_codes(size: int) -> dict[str, str]:
    """`size` new plain codes keyed by their hash, none of them already stored."""
    codes: dict[str, str] = {}
    while len(codes) < size:
        fresh = {code_hash(c): c for c in (generate() for _ in range(size - len(codes)))}
        # A clash with a stored code is very unlikely (~49 random bits), but cheap to rule out.
        taken = set(
            db.session.scalars(
                select(RecruitmentCode.code_hash).where(RecruitmentCode.code_hash.in_(fresh))
            )
        )
        codes.update((h, c) for h, c in fresh.items() if h not in taken)
    return codes


def create_batch(
    village: Village,
    size: int,
    expires_on: date,
    note: str,
    by: Account | None,
    today: date | None = None,
) -> tuple[RecruitmentBatch, list[str]]:
    """Store `size` hashed codes for a village and queue the job that prints them."""
    if not 1 <= size <= MAX_BATCH_SIZE:
        raise ValueError(f"batch size {size} outside 1..{MAX_BATCH_SIZE}")
    if expires_on <= (today or local_today()):
        raise ValueError("codes must stay valid after today")
    batch = RecruitmentBatch(
        village=village,
        size=size,
        expires_on=expires_on,
        note=note,
        created_by_id=by.id if by else None,
    )
    db.session.add(batch)
    plain = _issue_codes(batch)
    record("recruitment.batch_created", batch, village=village.id, size=size)
    return batch, plain


def _issue_codes(batch: RecruitmentBatch) -> list[str]:
    """Store `batch.size` new hashed codes and queue the job that prints them as letters."""
    codes = _new_codes(batch.size)
    db.session.add_all(RecruitmentCode(batch=batch, code_hash=h) for h in codes)
    db.session.flush()
    plain = list(codes.values())
    # The plain codes travel only as private job parameters, erased once the job has ended.
    batch.letters_job_id = enqueue(LETTERS_JOB, batch_id=batch.id, codes=plain).id
    return plain


def replace_codes(overview: BatchOverview) -> list[str]:
    """New codes and letters for a batch whose letters failed: its codes exist nowhere.

    Refused (ValueError) once a code was used or the letters exist: those codes are out.
    """
    if not overview.codes_replaceable:
        raise ValueError(f"the codes of batch {overview.batch.id} cannot be replaced")
    batch = overview.batch
    db.session.execute(delete(RecruitmentCode).where(RecruitmentCode.batch_id == batch.id))
    db.session.expire(batch, ["codes"])
    plain = _issue_codes(batch)
    record("recruitment.codes_replaced", batch, size=batch.size)
    return plain


def store_letters(batch: RecruitmentBatch, pdf: bytes) -> None:
    """Keep the rendered letters until an official has printed them."""
    batch.letters_pdf, batch.letters_ready_at = pdf, utcnow()
    db.session.flush()


def letters_for_download(batch: RecruitmentBatch) -> bytes | None:
    """The letters PDF, audit-logged; None when it is not (or no longer) there."""
    pdf = batch.letters_pdf
    if pdf is not None:
        record("recruitment.letters_downloaded", batch, size=batch.size)
    return pdf


def delete_letters(batch: RecruitmentBatch) -> bool:
    """Delete the printed letters: the only copy of the plain codes. Codes keep working."""
    if batch.letters_pdf is None:
        return False
    batch.letters_pdf = None
    record("recruitment.letters_deleted", batch)
    db.session.flush()
    return True
