"""A questionnaire definition: pages of questions with codes, options and routing conditions.

Plain frozen dataclasses, no database and no Flask: the single source for the web form, the
paper form, data entry and analysis. `surveys.format` reads and writes it as JSON
(docs/questionnaire-format.md); `surveys.checks` finds what is wrong with one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class QuestionType(enum.Enum):
    SINGLE = "single"  #: one option (radio buttons)
    MULTIPLE = "multiple"  #: any options, optionally "other, namely"
    LIKERT = "likert"  #: agree/disagree on five points, plus "don't know"
    LIKERT_GRID = "likert_grid"  #: several items sharing the Likert scale
    MARK = "mark"  #: the Dutch report mark, 1 to 10
    NUMBER = "number"  #: a whole number between min and max
    TEXT = "text"  #: short open text
    LONG_TEXT = "long_text"  #: long open text
    RANKING = "ranking"  #: the top N of the options, in order
    INFO = "info"  #: text between questions; no answer

    @property
    def has_options(self) -> bool:
        return self in (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.RANKING)

    @property
    def is_closed(self) -> bool:
        """Answered with codes from a fixed list, so a condition can name impossible codes."""
        return self.has_options or self in (QuestionType.LIKERT, QuestionType.LIKERT_GRID)

    @property
    def is_numeric(self) -> bool:
        return self in (QuestionType.MARK, QuestionType.NUMBER)


#: Text in Dutch (required) and English (optional): {"nl": "...", "en": "..."}.
Text = dict[str, str]

#: The shared Likert scale: codes 1-5 from "strongly disagree" to "strongly agree", 9 = don't know.
LIKERT_CODES = ("1", "2", "3", "4", "5", "9")
DONT_KNOW = "9"
MARK_RANGE = (1, 10)


@dataclass(frozen=True)
class Option:
    code: str
    label: Text


@dataclass(frozen=True)
class Item:
    """One statement of a Likert grid; its answer is stored under the item's own code."""

    code: str
    text: Text


@dataclass(frozen=True)
class Question:
    code: str
    type: QuestionType
    text: Text
    help: Text = field(default_factory=dict)
    required: bool = False
    options: tuple[Option, ...] = ()
    items: tuple[Item, ...] = ()
    #: MULTIPLE: offer "other, namely" with a text box (answer code "other").
    other: bool = False
    minimum: int | None = None
    maximum: int | None = None
    #: RANKING: how many priorities are ranked.
    rank_count: int | None = None
    #: Shown only when this condition on earlier answers holds (see surveys.conditions).
    condition: dict[str, Any] | None = None
    #: The village-mirror indicator this question feeds (used by the analysis).
    indicator: str | None = None

    def answer_codes(self) -> tuple[str, ...]:
        """The codes a closed question's answer can hold."""
        if self.type in (QuestionType.LIKERT, QuestionType.LIKERT_GRID):
            return LIKERT_CODES
        codes = tuple(option.code for option in self.options)
        return codes + ("other",) if self.other else codes

    def dont_know_codes(self) -> tuple[str, ...]:
        """The codes of the scale's own "don't know": the Likert scale has one. A mark or a
        number has none (a 9 is a mark); an option list marks its own in the indicator
        definitions, checked against the options (`results.services.survey_indicators`)."""
        if self.type in (QuestionType.LIKERT, QuestionType.LIKERT_GRID):
            return (DONT_KNOW,)
        return ()

    def numeric_range(self) -> tuple[int | None, int | None]:
        if self.type is QuestionType.MARK:
            return MARK_RANGE
        return self.minimum, self.maximum


@dataclass(frozen=True)
class Page:
    code: str
    title: Text = field(default_factory=dict)
    questions: tuple[Question, ...] = ()
    condition: dict[str, Any] | None = None


@dataclass(frozen=True)
class Questionnaire:
    title: Text
    pages: tuple[Page, ...]
    introduction: Text = field(default_factory=dict)

    def questions(self) -> list[Question]:
        """Every question in the order a resident meets them."""
        return [question for page in self.pages for question in page.questions]

    def question(self, code: str) -> Question | None:
        return next((q for q in self.questions() if q.code == code), None)
