"""The printed questionnaire: an A4 PDF of numbered copies, with a cover letter for named members.

Every page of a copy carries its sheet id as text and as a QR code holding
`NP1|<sheet id>|<survey id>|<version number>|<page>/<pages>`, with the survey, version and page
number as text too, so a page can never be put with another form. The QR code differs per
page, which CSS running elements cannot do; so the questionnaire is laid out once to count its
pages, and each page of each copy then gets its own `@page :nth(k)` rule (the body does not
depend on the copy, so every copy breaks into the same pages). Each questionnaire has an even
number of pages (a blank one is added) and each letter a blank back, so a batch printed
double-sided never puts two forms on one sheet of paper.

WeasyPrint runs in a child process (recruitment.pdf_process), in chunks of copies joined with
pypdf, as the recruitment letters do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO

import segno
from flask import current_app, render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from pypdf import PdfReader, PdfWriter

from core.dates import local_today
from jobs.registry import Progress
from paper.layout import printed_questions
from paper.sheet_ids import display
from recruitment.letters import MUNICIPALITY_PHONE
from recruitment.pdf_process import PdfRenderer, RenderingFailed
from surveys.answer_form import text_in
from surveys.definition import Questionnaire

#: Questionnaires go out in Dutch, the official language.
LANGUAGE = "nl"
QR_PREFIX = "NP1"
#: Copies per WeasyPrint document (see recruitment.letters.CHUNK).
CHUNK = 10
#: Pages of a cover letter: the letter and its blank back.
LETTER_PAGES = 2


@dataclass(frozen=True)
class Addressee:
    name: str
    address: str
    postcode: str
    town: str


@dataclass(frozen=True)
class Copy:
    """One printed copy: its sheet id and, for a named member, who the letter goes to."""

    sheet_id: str
    addressee: Addressee | None = None


@dataclass(frozen=True)
class Form:
    """What every copy of a print order shares."""

    survey_id: int
    version_number: int
    questionnaire: Questionnaire
    closes_on: date | None
    anonymous: bool
    #: The cover letter is a reminder: the first copy has not come back.
    reminder: bool = False


@dataclass(frozen=True)
class RenderedPdf:
    pdf: bytes
    #: Pages of one questionnaire (even).
    form_pages: int
    pages: int


def qr_payload(sheet_id: str, form: Form, page: int, pages: int) -> str:
    """What the QR code on a page holds; a scanner at data entry reads the sheet id from it."""
    return f"{QR_PREFIX}|{sheet_id}|{form.survey_id}|{form.version_number}|{page}/{pages}"


def parse_qr(text: str) -> dict[str, str] | None:
    """The parts of a QR payload, or None when it is not one of ours."""
    parts = text.split("|")
    if len(parts) != 5 or parts[0] != QR_PREFIX or "/" not in parts[4]:
        return None
    page, pages = parts[4].split("/", 1)
    return {"sheet": parts[1], "survey": parts[2], "version": parts[3], "page": page, "of": pages}


def _qr(payload: str) -> str:
    # 0.8 mm modules: a version-2 code is about 23 mm wide, read easily by a phone or scanner.
    return segno.make(payload, error="m").svg_data_uri(scale=0.8, border=2, unit="mm")


def _css_string(text: str) -> str:
    """`text` as a CSS string: quotes and backslashes escaped, newlines as line breaks,
    and no `<` (this CSS sits in a <style> element)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    return '"' + escaped.replace("\n", "\\A ") + '"'


def _page_rules(form: Form, copy: Copy, first: int, pages: int) -> list[dict[str, str]]:
    """The margin contents of each questionnaire page of one copy (global page `first`...)."""
    title = text_in(form.questionnaire.title, LANGUAGE)
    rules = []
    for page in range(1, pages + 1):
        head = "\n".join(
            [
                title,
                _("Version %(number)s", number=form.version_number),
                _("Questionnaire number %(sheet)s", sheet=display(copy.sheet_id)),
            ]
        )
        foot = _("Page %(page)s of %(pages)s", page=page, pages=pages)
        rules.append(
            {
                "nth": first + page - 1,
                "qr": _qr(qr_payload(copy.sheet_id, form, page, pages)),
                "head": _css_string(head),
                "foot": _css_string(f"{foot}  ·  {display(copy.sheet_id)}"),
            }
        )
    return rules


def document_html(form: Form, copies: Sequence[Copy], laid_out: int | None, today: date) -> str:
    """The HTML of `copies` (letters included), in Dutch. `laid_out`: the pages one
    questionnaire takes, or None in the run that counts them (no page rules then)."""
    form_pages = None if laid_out is None else laid_out + laid_out % 2
    with force_locale(LANGUAGE):
        questions = printed_questions(form.questionnaire, LANGUAGE)
        rules, page = [], 1
        for copy in copies:
            page += LETTER_PAGES if copy.addressee else 0
            if form_pages is not None:
                rules += _page_rules(form, copy, page, form_pages)
                page += form_pages
        return render_template(
            "paper/print/questionnaire.html",
            form=form,
            title=text_in(form.questionnaire.title, LANGUAGE),
            introduction=text_in(form.questionnaire.introduction, LANGUAGE),
            questions=questions,
            copies=[{"sheet": display(c.sheet_id), "addressee": c.addressee} for c in copies],
            rules=rules,
            pad=laid_out is not None and laid_out % 2 == 1,
            municipality=current_app.config["MUNICIPALITY_NAME"],
            phone=MUNICIPALITY_PHONE,
            letter_date=format_date(today, "long"),
            closes_on=format_date(form.closes_on, "long") if form.closes_on else None,
        )


def count_pages(renderer: PdfRenderer, form: Form, today: date) -> int:
    """Pages one questionnaire takes, before a blank one makes them even."""
    sample = document_html(form, [Copy("X" * 9)], None, today)
    return len(PdfReader(BytesIO(renderer.pdf(sample))).pages)


def render_pdf(
    form: Form,
    copies: Sequence[Copy],
    progress: Progress,
    today: date | None = None,
    detail: str = "",
) -> RenderedPdf:
    """One PDF with every copy (and its letter); reports progress after each chunk."""
    today, total, writer = today or local_today(), len(copies), PdfWriter()
    progress(0, total, detail)
    with PdfRenderer() as renderer:  # WeasyPrint in a child process: see pdf_process
        laid_out = count_pages(renderer, form, today)
        form_pages = laid_out + laid_out % 2
        for start in range(0, total, CHUNK):
            chunk = copies[start : start + CHUNK]
            pdf = PdfReader(BytesIO(renderer.pdf(document_html(form, chunk, laid_out, today))))
            expected = sum(form_pages + (LETTER_PAGES if c.addressee else 0) for c in chunk)
            if len(pdf.pages) != expected:
                # A page's QR code would name the wrong page: never print that.
                raise RenderingFailed(f"{len(pdf.pages)} pages laid out, {expected} expected")
            writer.append(pdf)
            progress(start + len(chunk), total, detail)
    joined = BytesIO()
    writer.write(joined)
    return RenderedPdf(joined.getvalue(), form_pages, len(writer.pages))
