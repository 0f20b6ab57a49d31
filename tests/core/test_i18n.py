import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale

ROOT = Path(__file__).resolve().parents[2]


def test_interface_is_dutch_by_default(client, seeded):
    html = client.get("/").text
    assert '<html lang="nl"' in html
    assert "Uw dorp, uw stem" in html
    assert "9.950 inwoners" in html


def test_visitor_can_switch_to_english_and_back(client, post_form, seeded):
    response = post_form("/", "/language", {"language": "en", "next": "/login?next=/account"})
    assert response.status_code == 302 and response.location == "/login?next=/account"
    html = client.get("/").text
    assert '<html lang="en"' in html
    assert "Your village, your voice" in html and "9,950 inhabitants" in html
    post_form("/", "/language", {"language": "nl", "next": "/"})
    assert "Uw dorp, uw stem" in client.get("/").text


def test_template_texts_translate_escape_and_format_as_jinja_does(app):
    """Templates get a cheaper `_()` (core.i18n.template_gettext): the same output as
    Jinja's i18n extension, in the language forced for a mail in the middle of a page."""
    template = app.jinja_env.from_string(
        '{{ _("Results") }}|{{ _("Hello %(name)s", name="<b>") }}|{{ _("100%%") }}|'
        '{{ _("Skip to main content") }}'
    )
    with app.test_request_context("/"):
        assert template.render() == "Uitkomsten|Hello &lt;b&gt;|100%|Direct naar de inhoud"
        with force_locale("en"):
            assert template.render().startswith("Results|")
        assert template.render().startswith("Uitkomsten|")


def test_pages_and_mails_rendered_by_flask_use_their_own_language(app):
    """`_()` finds its catalogue by the page's `current_language`: a mail rendered in
    another language in the middle of a page, and the page after it, each keep theirs."""
    source = '<html lang="{{ current_language }}">{{ _("Results") }}'
    with app.test_request_context("/"):
        assert render_template_string(source) == '<html lang="nl">Uitkomsten'
        with force_locale("en"):
            assert render_template_string(source) == '<html lang="en">Results'
        assert render_template_string(source) == '<html lang="nl">Uitkomsten'


def test_dates_are_formatted_once_per_language(app, monkeypatch):
    from babel import dates

    calls = []
    format_datetime = dates.format_datetime

    def counting(*args, **kwargs):
        calls.append(args)
        return format_datetime(*args, **kwargs)

    monkeypatch.setattr(dates, "format_datetime", counting)
    source = '{{ moment | datetimeformat("long") }}|{{ moment | dateformat("long") }}'
    moment = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # 2 March in Midden-Drenthe
    with app.test_request_context("/"):
        for _ in range(2):
            page = render_template_string(source, moment=moment)
            assert page == "2 maart 2026, 00:30:00 CET|2 maart 2026"
        with force_locale("en"):
            assert render_template_string(source, moment=moment).endswith("|March 2, 2026")
    assert len(calls) == 2


def test_unknown_language_and_foreign_next_are_ignored(client, post_form):
    response = post_form("/", "/language", {"language": "fy", "next": "https://evil.example/"})
    assert response.location == "/"
    assert '<html lang="nl"' in client.get("/").text


def test_every_interface_text_has_a_dutch_translation():
    with open(ROOT / "translations/nl/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle)
    untranslated = [
        m.id
        for m in catalog
        if m.id and (m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))
    ]
    assert untranslated == []


def test_catalogue_holds_every_text_in_the_code(tmp_path):
    """Fails when someone adds a text but forgets `make translations-update`."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            Path(sys.executable).parent / "pybabel",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "--ignore-dirs=.venv frontend tests node_modules",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(pot, "rb") as handle:
        in_code = {m.id for m in read_po(handle) if m.id}
    with open(ROOT / "translations/nl/LC_MESSAGES/messages.po", "rb") as handle:
        in_catalogue = {m.id for m in read_po(handle) if m.id}
    assert in_code - in_catalogue == set()


def dutch_texts() -> list[str]:
    with open(ROOT / "translations/nl/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle)
    texts = []
    for message in catalog:
        if message.id:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            texts.extend(" ".join(s.split()) for s in strings)
    return texts


@pytest.mark.parametrize(
    "slip",
    [
        "Antwoordt",  # "Answers" is a noun: "Antwoorden"
        "kunnen niet meer veranderen",  # answers don't change by themselves: "wijzigen"
        "kan niet meer veranderen",
        "kan daarna niet meer veranderen",
        "kan hij niet meer veranderen",
        "van Gemeente Midden-Drenthe",  # "van de gemeente Midden-Drenthe"
        "Goedendag,",  # mails greet with "Beste …,"
    ],
)
def test_dutch_texts_avoid_known_slips(slip):
    assert [text for text in dutch_texts() if slip in text] == []


def test_wtforms_texts_are_translated_from_a_catalogue_read_once_per_language(app, monkeypatch):
    """Flask-WTF read WTForms' catalogue from disk on every request with a form."""
    from babel import support
    from flask_wtf import FlaskForm
    from wtforms import IntegerField

    from core.i18n import wtforms_catalogue

    wtforms_catalogue.cache_clear()  # another test may have read them
    loads = []
    load = support.Translations.load
    monkeypatch.setattr(
        support.Translations, "load", lambda *args, **kw: loads.append(args) or load(*args, **kw)
    )

    class Number(FlaskForm):
        number = IntegerField()

        class Meta:
            csrf = False

    for language, message in (("nl", "Ongeldig getal."), ("en", "Not a valid integer value.")):
        for _ in range(2):
            with app.test_request_context("/", method="POST", data={"number": "x"}):
                with force_locale(language):
                    form = Number()
                    assert not form.validate()
                    assert form.number.errors == [message]
    assert len(loads) == 2
