"""Importing paper questionnaires typed elsewhere: one row per sheet, one column per field.

A file is first checked as a whole (the dry run): every problem is listed with its row and
column before anything is stored. Each row is checked exactly as a volunteer's entry is
(`paper.checking.check_sheet`: printed box numbers, the codes "-" and "?", routing,
required questions) and its sheet id exactly as a volunteer's (`paper.accepting.find_sheet`).
A row whose sheet was entered already is skipped, not an error: importing the same file
again changes nothing. The real import checks the file again (sheets may have been entered
meanwhile), accepts every row in one transaction or none, and records a `PaperImport`.

Columns are found by their header (the question code, grid statement code or
`<code>_other`), in any order and in any case; the sheet id is in the `sheet` column.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from accounts.models import Account
from audit.services import record
from core.db import db
from core.input import single_line
from fieldwork.answering import questionnaire_of
from paper.accepting import SheetRefused, accept_many, find_sheets
from paper.checking import EntryField, SheetChecker
from paper.import_files import Table, UnreadableFile, column_letter, read_table
from paper.import_messages import file_message, header_message, row_message
from paper.import_report import (  # noqa: F401 - also offered from here to callers
    SHOWN_PROBLEMS,
    CheckSummary,
    ImportProblem,
    ImportRefused,
    ImportReport,
    ReadyRow,
    summary,
)
from paper.models import PaperImport, Sheet
from paper.sheet_ids import compact, display
from surveys.definition import Questionnaire
from surveys.models import QuestionnaireVersion, Survey, SurveyStatus

log = logging.getLogger(__name__)

#: Accepted names of the sheet id column (lower case); the template writes the first.
SHEET_HEADERS = ("sheet", "sheet id", "sheet_id", "formulier", "formuliernummer", "vel")
#: Sheets are looked up this many at a time.
LOOKUP_CHUNK = 500
#: Files with more rows are checked and imported in the background (`paper.import_jobs`):
#: checking takes about a millisecond per row, and a file may have 100,000 rows; a web
#: request must not run for minutes.
BACKGROUND_ROWS = 1_000
#: A background check reports its progress every so many rows.
PROGRESS_EVERY = 250


def is_large(data: bytes, filename: str) -> bool:
    """More rows than a web request can check in time: checked in the background."""
    try:
        return len(read_table(data, filename).rows) > BACKGROUND_ROWS
    except UnreadableFile:
        return False  # the dry run says why, at once


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the dry run -----------------------------------------------------------------------------


def dry_run(
    survey: Survey,
    data: bytes,
    filename: str,
    language: str = "nl",
    progress: Callable[[int, int | None], None] | None = None,
) -> ImportReport:
    """Check an uploaded file completely; stores nothing (sheets are only read). Messages
    in the request's language; `language` is that of questionnaire texts in them."""
    report = ImportReport(filename=filename, sha256=file_hash(data))
    try:
        table = read_table(data, filename)
    except UnreadableFile as unreadable:
        report.problems.append(ImportProblem(unreadable.kind, file_message(unreadable.kind)))
        return report
    report.format, report.encoding, report.rows = table.format, table.encoding, len(table.rows)
    if survey.status in (SurveyStatus.CLOSED, SurveyStatus.ARCHIVED):
        report.problems.append(ImportProblem("closed", file_message("closed")))
        return report
    if not table.rows:
        report.problems.append(ImportProblem("no_rows", file_message("no_rows")))
        return report
    _Checker(survey, table, report, language).run(progress)
    return report


class _Checker:
    """Walks the rows of one table for one survey, collecting ready rows and problems."""

    def __init__(self, survey: Survey, table: Table, report: ImportReport, language: str):
        self.survey, self.table, self.report = survey, table, report
        self.language = language
        self.versions = _versions(survey)
        self.questionnaires: dict[int, Questionnaire] = {
            version.id: questionnaire_of(version) for version in self.versions
        }
        #: One checker per version for all rows: it makes the fields and page forms once.
        self.checkers: dict[int, SheetChecker] = {
            version_id: SheetChecker(questionnaire, language)
            for version_id, questionnaire in self.questionnaires.items()
        }
        self.fields: dict[int, list[EntryField]] = {
            version_id: list(checker.fields.values())
            for version_id, checker in self.checkers.items()
        }
        self.header = table.header
        #: column index -> answer key, and back
        self.keys: dict[int, str] = {}
        self.columns: dict[str, int] = {}
        self.sheet_column: int | None = None
        #: typed sheet id -> its sheet, or why it cannot be entered
        self.sheets: dict[str, Sheet | SheetRefused] = {}
        #: version id -> the keys of its fields without a column (reported once)
        self.missing: dict[int, set[str]] = {}
        #: version id -> the keys of its fields
        self.own: dict[int, set[str]] = {}

    def problem(self, kind: str, message: str, row: int | None = None, index: int | None = None):
        column = ""
        if index is not None:
            column = self.header[index] if index < len(self.header) else ""
        letter = column_letter(index) if index is not None else ""
        self.report.problems.append(ImportProblem(kind, message, row, column, letter))

    def run(self, progress: Callable[[int, int | None], None] | None = None) -> None:
        self.map_header()
        if self.sheet_column is None:
            return
        self.sheets = self.find_sheets()
        seen: dict[str, int] = {}
        unnamed_reported: set[int] = set()
        total = len(self.table.rows)
        for done, (row, cells) in enumerate(self.table.rows):
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, total)
            self.check_unnamed(row, cells, unnamed_reported)
            typed = cells[self.sheet_column] if self.sheet_column < len(cells) else ""
            if not typed:
                if any(cells):
                    self.problem("no_sheet_id", row_message("no_sheet_id"), row, self.sheet_column)
                continue
            sheet_id = compact(typed)
            if sheet_id in seen:
                message = row_message("duplicate_sheet", id=typed, other=seen[sheet_id])
                self.problem("duplicate_sheet", message, row, self.sheet_column)
                continue
            seen[sheet_id] = row
            self.check_row(row, cells, typed)

    # --- the header ---

    def map_header(self) -> None:
        known = {
            entry.key.casefold(): entry.key for fields in self.fields.values() for entry in fields
        }
        taken: set[str] = set()
        for index, name in enumerate(self.header):
            if not name:
                continue  # a column without a name: an error only where it holds something
            key = "" if name.casefold() in SHEET_HEADERS else known.get(name.casefold())
            if key is None:
                self.header_problem("unknown_column", name, index)
            elif key in taken:
                self.header_problem("duplicate_column", name, index)
            elif not key:
                self.sheet_column = index
            else:
                self.keys[index] = key
            taken.add(key or "")
        self.columns = {key: index for index, key in self.keys.items()}
        if self.sheet_column is None:
            self.header_problem("no_sheet_column", "")

    def header_problem(self, kind: str, name: str, index: int | None = None) -> None:
        self.problem(kind, header_message(kind, name), None, index)

    def missing_columns(self, version_id: int) -> set[str]:
        """Fields of this version without a column: reported once, not on every row."""
        if version_id not in self.missing:
            reported = set().union(*self.missing.values())
            present = set(self.keys.values())
            missing = {entry.key for entry in self.fields[version_id]} - present
            for key in [entry.key for entry in self.fields[version_id]]:
                if key in missing and key not in reported:
                    message = header_message("missing_column", key)
                    self.report.problems.append(ImportProblem("missing_column", message, None, key))
            self.missing[version_id] = missing
        return self.missing[version_id]

    def check_unnamed(self, row: int, cells: list[str], reported: set[int]) -> None:
        """A value in a column without a header: nobody can tell what it answers."""
        for index, value in enumerate(cells):
            named = index < len(self.header) and self.header[index]
            if value and not named and index not in reported:
                reported.add(index)
                self.problem("unnamed_column", row_message("unnamed_column"), row, index)

    # --- the rows ---

    def find_sheets(self) -> dict[str, Sheet | SheetRefused]:
        """Every sheet the file names, in a few queries instead of one per row."""
        column = self.sheet_column
        return find_sheets(
            (cells[column] for _, cells in self.table.rows if column < len(cells)), self.survey.id
        )

    def check_row(self, row: int, cells: list[str], typed: str) -> None:
        sheet = self.sheets[typed]
        if isinstance(sheet, SheetRefused):
            if sheet.reason == "entered":
                self.report.skipped.append((row, typed))
            else:
                self.problem(sheet.reason, sheet.message, row, self.sheet_column)
            return
        version_id = sheet.version_id
        if version_id not in self.fields:  # a version without printed sheets until now
            self.add_version(version_id)
        missing = self.missing_columns(version_id)
        own = self.own_keys(version_id)
        values: dict[str, str] = {}
        for index, key in self.keys.items():
            value = cells[index] if index < len(cells) else ""
            if key in own:
                values[key] = value
            elif value:
                message = row_message("other_version", id=display(sheet.id))
                self.problem("other_version", message, row, index)
        checked = self.checkers[version_id].check(values)
        for problem in checked.problems:
            if problem.key in missing:
                continue  # the missing column is reported once, above
            index = self.columns.get(problem.key)
            if index is None:
                self.report.problems.append(
                    ImportProblem(problem.kind, problem.message, row, problem.key)
                )
            else:
                self.problem(problem.kind, problem.message, row, index)
        if checked.answers is not None:
            self.report.ready.append(ReadyRow(row, sheet, checked.answers))

    def own_keys(self, version_id: int) -> set[str]:
        if version_id not in self.own:
            self.own[version_id] = {entry.key for entry in self.fields[version_id]}
        return self.own[version_id]

    def add_version(self, version_id: int) -> None:
        version = db.session.get(QuestionnaireVersion, version_id)
        self.questionnaires[version_id] = questionnaire_of(version)
        self.checkers[version_id] = SheetChecker(self.questionnaires[version_id], self.language)
        self.fields[version_id] = list(self.checkers[version_id].fields.values())


def _versions(survey: Survey) -> list[QuestionnaireVersion]:
    """The versions printed on paper; the one answered now when none was printed yet."""
    printed = set(
        db.session.scalars(select(Sheet.version_id).where(Sheet.survey_id == survey.id).distinct())
    )
    versions = [version for version in survey.versions if version.id in printed]
    if not versions:
        versions = [survey.live_version or survey.current_version]
    return versions


# --- the real import -------------------------------------------------------------------------


def run_import(
    survey: Survey,
    data: bytes,
    filename: str,
    by: Account | None,
    now: datetime,
    language: str = "nl",
    checked: dict[str, Any] | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> PaperImport:
    """Accept every ready row of the file, all or nothing. ImportRefused (and the caller
    rolls back) when there is a problem or nothing left to import. `checked` is the dry
    run's `ImportReport.checked()` of this very file; without it the file is checked again."""
    sha256 = file_hash(data)
    if checked is None or checked.get("sha256") != sha256:
        checked = dry_run(survey, data, filename, language, progress).checked()
    report = _locked_and_looked_up(survey, filename, checked)
    if not report.has_work:
        raise ImportRefused(report)
    if progress is not None:
        progress(0, report.ready_count)
    try:
        accept_many([(item.sheet, item.answers) for item in report.ready], now)
    except SheetRefused as refused:  # changed after the check and the locks above
        report.problems.append(ImportProblem(refused.reason, refused.message))
        raise ImportRefused(report) from None
    paper_import = PaperImport(
        survey_id=survey.id,
        filename=single_line(filename)[:255],
        sha256=sha256,
        rows=report.rows,
        accepted=report.ready_count,
        skipped=report.skipped_count,
        imported_at=now,
        imported_by_id=by.id if by else None,
    )
    db.session.add(paper_import)
    db.session.flush()
    record(
        "paper.imported",
        paper_import,
        actor_id=by.id if by else None,
        survey=survey.id,
        rows=report.rows,
        accepted=report.ready_count,
        skipped=report.skipped_count,
        sha256=sha256,
    )
    log.info(
        "Paper import %s for survey %s: %s sheets", paper_import.id, survey.id, report.ready_count
    )
    return paper_import


def _locked_and_looked_up(survey: Survey, filename: str, checked: dict[str, Any]) -> ImportReport:
    """The checked rows, their sheets locked and then looked up again as they are now: one
    entered meanwhile (by a volunteer, another import) is skipped, not imported twice."""
    report = ImportReport(
        filename=filename,
        sha256=checked["sha256"],
        rows=checked["rows"],
        skipped=[tuple(item) for item in checked.get("skipped", [])],
        problems=[ImportProblem(**problem) for problem in checked.get("problems", [])],
    )
    ready = checked["ready"]
    ids = [sheet_id for _, sheet_id, _ in ready]
    for start in range(0, len(ids), LOOKUP_CHUNK):
        db.session.scalars(
            select(Sheet)
            .where(Sheet.id.in_(ids[start : start + LOOKUP_CHUNK]))
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
    sheets = find_sheets(ids, survey.id)
    for row, sheet_id, answers in ready:
        sheet = sheets[sheet_id]
        if isinstance(sheet, SheetRefused):
            if sheet.reason == "entered":
                report.skipped.append((row, display(sheet_id)))
            else:
                report.problems.append(ImportProblem(sheet.reason, sheet.message, row))
        else:
            report.ready.append(ReadyRow(row, sheet, answers))
    return report
