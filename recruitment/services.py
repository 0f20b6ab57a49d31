"""Recruitment codes in use: checking a typed code and redeeming it once. Callers commit."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import select, update

from core.db import db, utcnow
from recruitment.codes import MalformedCode, code_hash, normalise
from recruitment.models import RecruitmentBatch, RecruitmentCode


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
    if (today or date.today()) > found.batch.expires_on:
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


def batch_of(code: RecruitmentCode) -> RecruitmentBatch:
    return code.batch
