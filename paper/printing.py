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
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
)

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


def _html(form: Form, today: date, **context) -> str:
    with force_locale(LANGUAGE):
        return render_template(
            "paper/print/questionnaire.html",
            form=form,
            title=text_in(form.questionnaire.title, LANGUAGE),
            municipality=current_app.config["MUNICIPALITY_NAME"],
            phone=MUNICIPALITY_PHONE,
            letter_date=format_date(today, "long"),
            closes_on=format_date(form.closes_on, "long") if form.closes_on else None,
            **context,
        )


def body_html(form: Form, today: date, pad: bool = False) -> str:
    """The questionnaire itself, the same for every copy (no margins: see `stamps_html`);
    `pad` adds a blank last page."""
    with force_locale(LANGUAGE):
        questions = printed_questions(form.questionnaire, LANGUAGE)
    return _html(
        form,
        today,
        body=True,
        questions=questions,
        introduction=text_in(form.questionnaire.introduction, LANGUAGE),
        pad=pad,
    )


def stamps_html(form: Form, copies: Sequence[Copy], form_pages: int, today: date) -> str:
    """For each copy its cover letter (if named) and `form_pages` pages with only the margins:
    sheet id, survey, version, page number and QR code. The questionnaire is laid under them."""
    with force_locale(LANGUAGE):
        rules, page = [], 1
        for copy in copies:
            page += LETTER_PAGES if copy.addressee else 0
            rules += _page_rules(form, copy, page, form_pages)
            page += form_pages
    return _html(
        form,
        today,
        body=False,
        copies=[{"sheet": display(c.sheet_id), "addressee": c.addressee} for c in copies],
        rules=rules,
        form_pages=form_pages,
    )


class _Body:
    """The questionnaire's pages, laid out once and drawn under every copy's margins as
    form XObjects: a page costs a few bytes and no layout, instead of WeasyPrint laying
    out every copy again (about 0.1 s a page)."""

    def __init__(self, pdf: bytes, writer: PdfWriter) -> None:
        self.pages = PdfReader(BytesIO(pdf)).pages
        self.writer = writer
        self.forms: dict[int, IndirectObject] = {}

    def form(self, index: int) -> IndirectObject:
        if index not in self.forms:
            page = self.pages[index]
            xobject = DecodedStreamObject()
            xobject.set_data(page.get_contents().get_data())
            xobject[NameObject("/Type")] = NameObject("/XObject")
            xobject[NameObject("/Subtype")] = NameObject("/Form")
            xobject[NameObject("/BBox")] = ArrayObject(page.mediabox)
            xobject[NameObject("/Resources")] = page["/Resources"].clone(self.writer)
            self.forms[index] = self.writer._add_object(xobject)
        return self.forms[index]

    def draw_under(self, page, index: int) -> None:
        """Draw questionnaire page `index` under `page` (a page of the writer). A name per
        page: WeasyPrint's pages may share one resource dictionary."""
        name = NameObject(f"/NaoberpanelForm{index + 1}")
        resources = page.setdefault(NameObject("/Resources"), DictionaryObject())
        xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject())
        xobjects[name] = self.form(index)
        content = DecodedStreamObject()
        content.set_data(f"q {name} Do Q\n".encode() + page.get_contents().get_data())
        page.replace_contents(content)


def _laid_out_body(renderer: PdfRenderer, form: Form, today: date) -> bytes:
    """The questionnaire's PDF, with a blank page added when its pages are odd."""
    pdf = renderer.pdf(body_html(form, today))
    if len(PdfReader(BytesIO(pdf)).pages) % 2:
        pdf = renderer.pdf(body_html(form, today, pad=True))
    return pdf


class Printer:
    """One WeasyPrint child for several PDFs (a job prints a batch per village), with the
    questionnaire laid out once per form."""

    def __enter__(self) -> Printer:
        self.renderer = PdfRenderer().__enter__()  # WeasyPrint in a child: see pdf_process
        self.bodies: dict[tuple, bytes] = {}
        return self

    def __exit__(self, *exc_info) -> None:
        self.renderer.__exit__(*exc_info)

    def _body(self, form: Form, today: date) -> bytes:
        key = (form.survey_id, form.version_number, form.closes_on, form.anonymous)
        if key not in self.bodies:
            self.bodies[key] = _laid_out_body(self.renderer, form, today)
        return self.bodies[key]

    def pdf(
        self, form: Form, copies: Sequence[Copy], progress: Progress, today: date, detail: str = ""
    ) -> RenderedPdf:
        """One PDF with every copy (and its letter); reports progress after each chunk."""
        total, writer = len(copies), PdfWriter()
        progress(0, total, detail)
        body = _Body(self._body(form, today), writer)
        form_pages = len(body.pages)
        for start in range(0, total, CHUNK):
            chunk = copies[start : start + CHUNK]
            html = stamps_html(form, chunk, form_pages, today)
            _lay_under(writer, PdfReader(BytesIO(self.renderer.pdf(html))), chunk, body)
            progress(start + len(chunk), total, detail)
        joined = BytesIO()
        writer.write(joined)
        return RenderedPdf(joined.getvalue(), form_pages, len(writer.pages))


def render_pdf(
    form: Form,
    copies: Sequence[Copy],
    progress: Progress,
    today: date | None = None,
    detail: str = "",
) -> RenderedPdf:
    """One PDF with every copy (and its letter)."""
    with Printer() as printer:
        return printer.pdf(form, copies, progress, today or local_today(), detail)


def _lay_under(writer: PdfWriter, stamps: PdfReader, copies: Sequence[Copy], body: _Body) -> None:
    """Add the chunk's pages to `writer`, each questionnaire page over its margins."""
    expected = sum(len(body.pages) + (LETTER_PAGES if c.addressee else 0) for c in copies)
    if len(stamps.pages) != expected:
        # A page's QR code would name the wrong page: never print that.
        raise RenderingFailed(f"{len(stamps.pages)} pages laid out, {expected} expected")
    index = 0
    for copy in copies:
        for _letter in range(LETTER_PAGES if copy.addressee else 0):
            writer.add_page(stamps.pages[index])
            index += 1
        for form_page in range(len(body.pages)):
            body.draw_under(writer.add_page(stamps.pages[index]), form_page)
            index += 1
