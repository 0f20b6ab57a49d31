"""Joining the panel in a real browser: by a letter's code, with the keyboard, and axe on
every page of joining, consent and the officials' member pages."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.db import db
from mail.models import OutboxMail
from panel.models import Member
from recruitment.codes import code_hash, formatted, generate
from recruitment.models import RecruitmentBatch, RecruitmentCode
from tests.e2e.conftest import log_in, new_page
from tests.e2e.test_accessibility import assert_no_violations, check, check_pages
from villages.queries import village_by_name

pytestmark = pytest.mark.browser


def letter_code(village: str = "Orvelte") -> str:
    batch = RecruitmentBatch(
        village=village_by_name(village), size=1, expires_on=date.today() + timedelta(days=30)
    )
    code = generate()
    batch.codes.append(RecruitmentCode(code_hash=code_hash(code)))
    db.session.add(batch)
    db.session.commit()
    return formatted(code)


def latest_confirm_link(live_server: str) -> str:
    body = db.session.scalars(select(OutboxMail.body_text).order_by(OutboxMail.id.desc())).first()
    return live_server + re.search(r"http://naoberpanel\.test(/join/confirm/\S+)", body).group(1)


def test_sign_up_with_a_letter_code_by_keyboard(browser, live_server, seeded, privacy_statement):
    privacy_statement()
    code = letter_code("Orvelte")
    context, page = new_page(browser)
    try:
        page.goto(live_server + "/")
        page.get_by_role("button", name="English").click()
        page.get_by_role("link", name="I have a letter with a code").click()
        page.get_by_label("Code from your letter").fill(code.lower().replace("-", " "))
        page.keyboard.press("Enter")
        page.get_by_text("Your letter is for residents of Orvelte").wait_for()

        page.get_by_label("Email address").fill("geesje@example.nl")
        page.get_by_label("Year of birth").fill("1949")
        page.get_by_label("Female").check()
        page.get_by_label("I live alone").check()
        page.get_by_role("button", name="Join the panel").focus()
        page.keyboard.press("Enter")
        # The consent box was not ticked: an error, and what was typed is still there.
        page.get_by_role("alert").wait_for()
        assert page.get_by_label("Email address").input_value() == "geesje@example.nl"
        page.get_by_label("I have read the privacy statement and I agree to it").focus()
        page.keyboard.press("Space")
        page.get_by_role("button", name="Join the panel").focus()
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="Check your mail").wait_for()
        assert db.session.scalar(select(Member)) is None

        page.goto(latest_confirm_link(live_server))
        page.get_by_role("main").get_by_role("button", name="Confirm and join").click()
        page.get_by_text("Welcome to the panel!").wait_for()
        member = db.session.scalar(select(Member))
        assert member.village.name == "Orvelte" and member.birth_year == 1949
    finally:
        context.close()


PUBLIC_PAGES = {
    "join": lambda: "/join",
    "code": lambda: "/join/code",
    "bad code": lambda: "/join/code?code=K7Q2-M9XH-4TW",
    "join with code": lambda: f"/join/{letter_code()}",
    "privacy": lambda: "/privacy",
    "confirm link invalid": lambda: "/join/confirm/never-issued",
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_join_pages_have_no_wcag_violations(
    browser, live_server, seeded, privacy_statement, language
):
    privacy_statement()
    context, page = new_page(browser, bypass_csp=True)
    try:
        check_pages(page, live_server, PUBLIC_PAGES, language)
    finally:
        context.close()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_join_form_with_errors_and_mail_pages_have_no_wcag_violations(
    browser, live_server, seeded, privacy_statement, language
):
    privacy_statement()
    context, page = new_page(browser, bypass_csp=True)
    try:
        page.goto(live_server + "/")
        check(page, live_server + "/join", language)
        page.locator("form button[type=submit]").last.click()
        page.get_by_role("alert").wait_for()
        assert_no_violations(page)
        page.locator("#postcode").fill("9441 AB")
        page.locator("#find_village").click()
        page.get_by_role("status").wait_for()
        assert_no_violations(page)
        page.locator("#email").fill("nieuw@example.nl")
        page.locator("#birth_year").fill("1980")
        page.locator("#sex-0").check()
        page.locator("#household-0").check()
        page.locator("#agree").check()
        page.locator("form button[type=submit]").last.click()
        page.locator("h1").wait_for()
        assert_no_violations(page)
        page.goto(latest_confirm_link(live_server))
        assert_no_violations(page)
    finally:
        context.close()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_consent_page_has_no_wcag_violations(
    browser, live_server, seeded, privacy_statement, make_member, language
):
    privacy_statement()
    member = make_member("Orvelte", email="lid@example.nl")
    privacy_statement(changes_nl="De bewaartermijn is korter.")
    context, page = new_page(browser, bypass_csp=True)
    try:
        log_in(page, live_server, member.account.email)
        check(page, live_server + "/consent", language)
        page.locator("form button[type=submit]").last.click()
        page.get_by_role("alert").wait_for()
        assert_no_violations(page)
    finally:
        context.close()


OFFICIAL_PAGES = {
    "member search": lambda member: "/panel/members",
    "member reason": lambda member: f"/panel/members/{member.id}",
    "paper member": lambda member: "/panel/members/paper",
    "delete member": lambda member: f"/panel/members/{member.id}/delete",
    "privacy versions": lambda member: "/panel/privacy",
    "publish privacy": lambda member: "/panel/privacy/new",
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_member_pages_have_no_wcag_violations(
    browser, live_server, seeded, privacy_statement, make_member, make_account, language
):
    privacy_statement()
    member = make_member("Orvelte", channel="paper", name="Geesje", email=None)
    privacy_statement(changes_nl="Nieuw.")
    context, page = new_page(browser, bypass_csp=True)
    try:
        log_in(page, live_server, make_account("official").email)
        check_pages(page, live_server, OFFICIAL_PAGES, language, member)
        page.goto(f"{live_server}/panel/members/{member.id}")
        page.locator("main form button[type=submit]").click()
        page.locator("h1").wait_for()
        assert_no_violations(page)  # the member's details
    finally:
        context.close()
