"""The files to fill in for an import: the header row of one questionnaire version, as CSV
and as an Excel workbook whose second sheet explains each column."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from paper.checking import NO_ANSWER, UNCLEAR, EntryField, entry_fields
from paper.importing import SHEET_HEADERS
from surveys.answer_form import text_in
from surveys.definition import Questionnaire, QuestionType
from surveys.routing import other_key

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def header(fields: list[EntryField]) -> list[str]:
    return [SHEET_HEADERS[0]] + [entry.key for entry in fields]


def template_csv(questionnaire: Questionnaire, language: str = "nl") -> bytes:
    """The header row, separated by semicolons as Dutch Excel expects, in UTF-8 with the
    byte order mark that makes Excel read it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header(entry_fields(questionnaire, language)))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(questionnaire: Questionnaire, language: str = "nl") -> bytes:
    """A workbook: the sheet to fill in (every cell text, so "1 3" and "007" stay as typed),
    and a sheet listing each column's question and the numbers it takes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    fields = entry_fields(questionnaire, language)
    workbook = Workbook()
    answers = workbook.active
    answers.title = _("Answers")[:31]
    answers.append(header(fields))
    for cell in answers[1]:
        cell.font = Font(bold=True)
    for column in answers.iter_cols(min_row=1, max_row=1):
        letter = column[0].column_letter
        answers.column_dimensions[letter].width = 14
        answers.column_dimensions[letter].number_format = "@"
    answers.freeze_panes = "B2"

    legend = workbook.create_sheet(_("Columns")[:31])
    legend.append([_("Column"), _("Question"), _("Text"), _("What to type"), _("Required")])
    for cell in legend[1]:
        cell.font = Font(bold=True)
    example = _("As printed, e.g. K7M3-Q9PX-D")
    legend.append([SHEET_HEADERS[0], "", _("Sheet id"), example, _("yes")])
    numbers = _question_numbers(questionnaire)
    for entry in fields:
        legend.append(
            [
                entry.key,
                numbers.get(entry.question.code, ""),
                _field_text(entry, language),
                allowed(entry),
                _("yes") if _required(entry) else "",
            ]
        )
    for letter, width in zip("ABCDE", (18, 10, 60, 60, 10), strict=True):
        legend.column_dimensions[letter].width = width
    for row in legend.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _question_numbers(questionnaire: Questionnaire) -> dict[str, int]:
    """Questions are numbered on paper in order, texts between them not counted."""
    questions = [q for q in questionnaire.questions() if q.type is not QuestionType.INFO]
    return {question.code: number for number, question in enumerate(questions, 1)}


def _required(entry: EntryField) -> bool:
    """The text beside "other, namely" is never required by itself."""
    return entry.question.required and entry.key != other_key(entry.question.code)


def _field_text(entry: EntryField, language: str) -> str:
    question = entry.question
    text = text_in(question.text, language)
    item = next((item for item in question.items if item.code == entry.key), None)
    if item is not None:
        return f"{text} — {text_in(item.text, language)}"
    if entry.key == other_key(question.code):
        return f"{text} — {_('Other, namely')}"
    return text


def allowed(entry: EntryField) -> str:
    """What a cell of this column may hold, in words."""
    boxes = "; ".join(f"{box.number} = {box.label}" for box in entry.boxes)
    codes = _("%(none)s = no answer, %(unclear)s = unclear", none=NO_ANSWER, unclear=UNCLEAR)
    question = entry.question
    if entry.kind == "choice":
        text = _("One number: %(boxes)s", boxes=boxes)
    elif entry.kind == "choices":
        text = _("One or more numbers, separated by spaces: %(boxes)s", boxes=boxes)
    elif entry.kind == "ranking":
        text = _(
            "Up to %(count)s numbers in order of priority, separated by spaces: %(boxes)s",
            count=question.rank_count or len(entry.boxes),
            boxes=boxes,
        )
    elif entry.kind == "number":
        low, high = question.numeric_range()
        if low is not None and high is not None:
            text = _("A whole number from %(low)s to %(high)s", low=low, high=high)
        else:
            text = _("A whole number")
    else:
        text = _("The text as written")
    return f"{text}. {codes}."
