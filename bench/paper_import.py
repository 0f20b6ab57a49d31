"""Paper import speed: a file of 10,000 typed questionnaires (the liveability survey, one row
per sheet, every field a column), checked (the dry run) and imported for real in one
transaction, as the confirmation does it (with the dry run's findings kept beside the file,
so only the sheets' states are checked again): seconds and peak memory of each. Goal:
under 10 s each.

The CPU seconds of this process are printed too: on a busy machine they say more than the
wall-clock seconds. Peak memory is the growth of the process's peak resident size during
the step (what it needed beyond what was there already), and with --tracemalloc the peak
of Python allocations (slower: the seconds then mean little).

Run: .venv/bin/python bench/paper_import.py [--rows 10000] [--database-url URL] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import resource
import sys
import time
import tracemalloc
from datetime import timedelta

from common import bench_app
from sqlalchemy import func, insert, select

from core.dates import local_today
from core.db import db, utcnow
from fieldwork.answering import questionnaire_of
from fieldwork.models import Response
from paper import importing
from paper.checking import entry_fields
from paper.models import BatchKind, PrintBatch, Sheet
from paper.numbering import number_for
from paper.sheet_ids import display, new_sheet_id
from surveys.conditions import evaluate
from surveys.definition import Question, Questionnaire, QuestionType
from surveys.routing import answers_on_route, other_key
from surveys.services import create_survey
from surveys.templates import load_template
from villages.models import Village


def typed_answers(questionnaire: Questionnaire, rng: random.Random) -> dict[str, str]:
    """What an office types for one resident: every question on the route answered, as
    the printed numbers; a few left blank ("-") where the resident skipped one."""
    answers: dict = {}
    for page in questionnaire.pages:
        if not evaluate(page.condition, answers):
            continue
        for question in page.questions:
            if evaluate(question.condition, answers):
                answers.update(_answer(question, rng))
    answers = answers_on_route(questionnaire, answers)
    typed = {}
    for key, value in answers.items():
        question = _question_of(questionnaire, key)
        if key == other_key(question.code) or question.type in (
            QuestionType.TEXT,
            QuestionType.LONG_TEXT,
            QuestionType.NUMBER,
        ):
            typed[key] = str(value)
        elif isinstance(value, list):
            typed[key] = " ".join(str(number_for(question, code)) for code in value)
        else:
            typed[key] = str(number_for(question, str(value)))
    return typed


_QUESTIONS: dict[str, Question] = {}


def _question_of(questionnaire: Questionnaire, key: str) -> Question:
    if not _QUESTIONS:
        for question in questionnaire.questions():
            for item in question.items:
                _QUESTIONS[item.code] = question
            _QUESTIONS[question.code] = _QUESTIONS[other_key(question.code)] = question
    return _QUESTIONS[key]


def _answer(question: Question, rng: random.Random) -> dict:
    kind = question.type
    if kind is QuestionType.INFO:
        return {}
    if kind is QuestionType.LIKERT_GRID:
        return {item.code: rng.choice(question.answer_codes()) for item in question.items}
    if kind is QuestionType.MARK:
        return {question.code: str(rng.randint(4, 10))}
    if kind is QuestionType.NUMBER:
        low, high = question.numeric_range()
        return {question.code: rng.randint(low or 0, min(high or 20, 20))}
    if kind in (QuestionType.TEXT, QuestionType.LONG_TEXT):
        return {question.code: rng.choice(["", "", "Meer bankjes bij de brink", "Prima zo"])}
    codes = [code for code in question.answer_codes() if code != "other"]
    if kind is QuestionType.MULTIPLE:
        return {question.code: sorted(rng.sample(codes, rng.randint(1, min(3, len(codes)))))}
    if kind is QuestionType.RANKING:
        return {question.code: rng.sample(codes, min(question.rank_count or 1, len(codes)))}
    return {question.code: rng.choice(codes)}


def make_file(survey, questionnaire: Questionnaire, sheet_ids: list[str], seed: int) -> bytes:
    rng = random.Random(seed)
    keys = [entry.key for entry in entry_fields(questionnaire)]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["sheet", *keys])
    for sheet_id in sheet_ids:
        typed = typed_answers(questionnaire, rng)
        writer.writerow([display(sheet_id), *(typed.get(key, "") for key in keys)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def print_sheets(survey, count: int) -> list[str]:
    """One village batch of `count` sheets, inserted in bulk."""
    village = db.session.scalars(select(Village).order_by(Village.id)).first()
    version = survey.live_version
    batch = PrintBatch(
        survey=survey, version=version, kind=BatchKind.VILLAGE, village=village, copies=count
    )
    db.session.add(batch)
    db.session.flush()
    ids = list({new_sheet_id() for _ in range(count)})
    rows = [
        {
            "id": sheet_id,
            "batch_id": batch.id,
            "survey_id": survey.id,
            "version_id": version.id,
            "position": position,
            "village_id": village.id,
        }
        for position, sheet_id in enumerate(ids, 1)
    ]
    db.session.execute(insert(Sheet), rows)
    db.session.commit()
    return ids


def peak_rss_mb() -> float:
    # Linux reports kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(label: str, action, trace: bool) -> object:
    before = peak_rss_mb()
    if trace:
        tracemalloc.start()
    start, cpu = time.perf_counter(), time.process_time()
    result = action()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    extra = ""
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        extra = f", Python allocations peak {peak / 2**20:6.1f} MB"
    growth = peak_rss_mb() - before
    goal = "ok" if seconds < 10 else "OVER the 10 s goal"
    print(
        f"{label:<22} {seconds:7.2f} s ({cpu:6.2f} s CPU)  peak RSS +{growth:6.1f} MB{extra}"
        f"  ({goal})"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    with bench_app(args.database_url) as app, app.test_request_context("/"):
        survey = create_survey(load_template("leefbaarheid"), by=None)
        today = local_today()
        survey.publish(today - timedelta(days=1), today + timedelta(days=30), utcnow())
        db.session.commit()
        questionnaire = questionnaire_of(survey.live_version)
        ids = print_sheets(survey, args.rows)
        data = make_file(survey, questionnaire, ids, seed=18)
        fields = len(entry_fields(questionnaire))
        print(f"{len(ids)} rows x {fields} fields, {len(data) / 2**20:.1f} MB CSV")

        report = measure(
            "dry run", lambda: importing.dry_run(survey, data, "bench.csv"), args.tracemalloc
        )
        db.session.rollback()
        if not report.ok:
            for problem in report.problems[:10]:
                print("  problem:", problem.row, problem.column, problem.kind, problem.message)
            sys.exit(1)
        print(f"{'':<22} {len(report.ready)} ready, {len(report.skipped)} skipped")
        checked = report.checked()  # kept with the file between dry run and confirmation
        del report

        def real_run():
            made = importing.run_import(survey, data, "bench.csv", None, utcnow(), checked=checked)
            db.session.commit()
            return made

        made = measure("real import + commit", real_run, args.tracemalloc)
        stored = db.session.scalar(select(func.count()).select_from(Response))
        print(f"{'':<22} {made.accepted} accepted, {stored} responses stored")
        again = measure(
            "same file again (dry)",
            lambda: importing.dry_run(survey, data, "bench.csv"),
            args.tracemalloc,
        )
        print(f"{'':<22} {len(again.ready)} ready, {len(again.skipped)} skipped")


if __name__ == "__main__":
    main()
