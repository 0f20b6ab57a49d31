"""The header menu is built once per kind of reader, language and page (core.nav), and still
shows each reader their own links, in their language, with the current page marked."""

from __future__ import annotations

import re

from core.db import db

CURRENT = re.compile(r'<a class="app-nav__link" href="([^"]+)" aria-current="page">')


def test_the_menu_follows_roles_language_and_page_and_is_built_once(
    app, client, login_as, post_form, monkeypatch
):
    built = []
    get_template = app.jinja_env.get_template

    def counting(name, *args, **kwargs):
        if name == "_account_nav.html":
            built.append(name)
        return get_template(name, *args, **kwargs)

    monkeypatch.setattr(app.jinja_env, "get_template", counting)
    account = login_as("official")
    for _ in range(2):
        html = client.get("/results").text
        assert set(CURRENT.findall(html)) == {"/results"} and "Audit log" not in html
        assert "Auditlog" in html
    assert len(built) == 1
    assert set(CURRENT.findall(client.get("/surveys/").text)) == {"/surveys/"}
    post_form("/account", "/language", {"language": "en", "next": "/"})
    assert "Audit log" in client.get("/results").text
    account.grants.clear()
    db.session.commit()
    assert "Audit log" not in client.get("/account").text
