"""What a check of an answers file found, and what importing it would do: the report a
dry run makes, and the summary of one kept as a background job's result."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from paper.models import Sheet

#: Problems shown on the page; a file with more is mostly one mistake repeated.
SHOWN_PROBLEMS = 500


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with the file; `row` is None for the file or its header as a whole."""

    kind: str
    message: str
    row: int | None = None
    #: The column's header as in the file (or the answer key), and its spreadsheet letter.
    column: str = ""
    letter: str = ""


@dataclass(frozen=True)
class ReadyRow:
    row: int
    sheet: Sheet
    answers: dict[str, Any]


@dataclass
class ImportReport:
    """What the file holds and what importing it would do."""

    filename: str
    sha256: str
    format: str = ""
    encoding: str = ""
    rows: int = 0
    ready: list[ReadyRow] = field(default_factory=list)
    #: (row, sheet id as shown) of sheets entered already: skipped.
    skipped: list[tuple[int, str]] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def has_work(self) -> bool:
        return self.ok and bool(self.ready)

    @property
    def ready_count(self) -> int:
        return len(self.ready)

    @property
    def skipped_count(self) -> int:
        return len(self.skipped)

    @property
    def problem_count(self) -> int:
        return len(self.problems)

    def checked(self) -> dict[str, Any]:
        """What the real import needs of a clean dry run, as JSON: the checked answers
        depend only on the file and the (frozen) questionnaire version, so they need not be
        worked out again; the sheets' states are checked again when they are accepted."""
        return {
            "sha256": self.sha256,
            "rows": self.rows,
            "ready": [[item.row, item.sheet.id, item.answers] for item in self.ready],
            "skipped": [list(item) for item in self.skipped],
            "problems": [asdict(problem) for problem in self.problems],
        }


class ImportRefused(Exception):
    """The real import found problems, or nothing to import: nothing may be stored."""

    def __init__(self, report: ImportReport):
        super().__init__(f"{len(report.problems)} problem(s)")
        self.report = report


@dataclass(frozen=True)
class CheckSummary:
    """What the page shows of a dry run done in the background (`paper.import_jobs`):
    the counts and the first problems, kept as the job's result."""

    filename: str
    sha256: str
    encoding: str
    rows: int
    ready_count: int
    skipped_count: int
    problem_count: int
    problems: list[ImportProblem]

    @property
    def ok(self) -> bool:
        return not self.problem_count

    @property
    def has_work(self) -> bool:
        return self.ok and bool(self.ready_count)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckSummary:
        problems = [ImportProblem(**problem) for problem in data["problems"]]
        return cls(**{**data, "problems": problems})


def summary(report: ImportReport, shown: int = SHOWN_PROBLEMS) -> dict[str, Any]:
    """A dry run as JSON for a job's result: counts, and the first `shown` problems."""
    return {
        "filename": report.filename,
        "sha256": report.sha256,
        "encoding": report.encoding,
        "rows": report.rows,
        "ready_count": report.ready_count,
        "skipped_count": report.skipped_count,
        "problem_count": report.problem_count,
        "problems": [asdict(problem) for problem in report.problems[:shown]],
    }
