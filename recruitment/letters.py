"""The printed letters: one A4 page per code, in Dutch, with the code large and as a QR code."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from io import BytesIO

import segno
from flask import current_app, render_template
from flask_babel import force_locale, format_date
from pypdf import PdfReader, PdfWriter

from core.dates import local_today
from core.urls import external_url
from jobs.registry import Progress
from recruitment.codes import formatted
from recruitment.pdf_process import PdfRenderer

#: Letters go out in Dutch, the official language, whatever the official's own choice.
LETTER_LANGUAGE = "nl"
#: The municipality's general number (14 + area code), for those who answer on paper.
MUNICIPALITY_PHONE = "14 0593"
#: Letters per WeasyPrint document. WeasyPrint keeps every laid-out page in memory (about
#: 1 MB a letter), so a batch of 2,000 is rendered in chunks and the PDFs joined with pypdf.
#: Small chunks move the progress bar every second or so; each repeats the fonts (~1.4 KB a
#: letter more than one big document) and costs ~5% more time.
CHUNK = 10


def join_url(code: str) -> str:
    """Where the QR code leads: the sign-up page with the code filled in."""
    return external_url("panel.join_with_code", code=formatted(code))


def join_address() -> str:
    """The address to type for those without a camera: short, without `https://`."""
    base = current_app.config["BASE_URL"].rstrip("/")
    return base.split("://", 1)[-1] + "/join"


def qr_data_uri(url: str) -> str:
    """A QR code as an SVG data URI: one path, cheap for WeasyPrint to draw."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=4)


def letters_html(village: str, expires_on: date, codes: Sequence[str], today: date) -> str:
    """The HTML of one letter per code, in Dutch."""
    with force_locale(LETTER_LANGUAGE):
        return render_template(
            "recruitment/letters.html",
            letters=[{"code": formatted(c), "qr": qr_data_uri(join_url(c))} for c in codes],
            village=village,
            municipality=current_app.config["MUNICIPALITY_NAME"],
            letter_date=format_date(today, "long"),
            expires=format_date(expires_on, "long"),
            join_address=join_address(),
            phone=MUNICIPALITY_PHONE,
        )


def render_pdf(
    village: str,
    expires_on: date,
    codes: Sequence[str],
    progress: Progress,
    today: date | None = None,
) -> bytes:
    """One PDF with a letter per code; reports progress after every chunk of letters."""
    today, total, writer = today or local_today(), len(codes), PdfWriter()
    progress(0, total, village)
    with PdfRenderer() as renderer:  # WeasyPrint in a child process: see pdf_process
        for start in range(0, total, CHUNK):
            chunk = codes[start : start + CHUNK]
            pdf = renderer.pdf(letters_html(village, expires_on, chunk, today))
            writer.append(PdfReader(BytesIO(pdf)))
            progress(start + len(chunk), total, village)
    joined = BytesIO()
    writer.write(joined)
    return joined.getvalue()
