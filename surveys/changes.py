"""What changed between two questionnaire definitions (the JSON of surveys.format).

Used three ways: the history a village association sees of every change the municipality
made to its proposal, the audit entry of a typo correction, and the rule that a published
version may only have its texts corrected: its structure (codes, types, options, routing,
limits) must stay exactly the same.
"""

from __future__ import annotations

from typing import Any

#: Keys holding {"nl": ..., "en": ...} texts; everything else is structure.
TEXT_KEYS = frozenset({"title", "introduction", "text", "help", "label"})


def structure(definition: Any) -> Any:
    """The definition with every text left out: what codes, routing and analysis rely on."""
    if isinstance(definition, dict):
        return {k: structure(v) for k, v in definition.items() if k not in TEXT_KEYS}
    if isinstance(definition, list):
        return [structure(v) for v in definition]
    return definition


def same_structure(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return structure(old) == structure(new)


def describe(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """The changes from `old` to `new`, each {"what": kind, "code": question or page code},
    plus "old"/"new" texts where a text changed; in questionnaire order."""
    changes: list[dict[str, Any]] = []
    for key in ("title", "introduction"):
        if old.get(key, {}) != new.get(key, {}):
            changes.append(_text_change(key, "", old.get(key, {}), new.get(key, {})))
    old_pages, new_pages = _by_code(old.get("pages", [])), _by_code(new.get("pages", []))
    changes += _added_and_removed("page", old_pages, new_pages)
    if [c for c in old_pages if c in new_pages] != [c for c in new_pages if c in old_pages]:
        changes.append({"what": "pages_reordered", "code": ""})
    for code, page in new_pages.items():
        if code in old_pages:
            changes += _page_changes(old_pages[code], page)
    old_questions = _questions(old)
    new_questions = _questions(new)
    changes += _added_and_removed("question", old_questions, new_questions)
    for code, question in new_questions.items():
        if code in old_questions:
            changes += _question_changes(old_questions[code], question)
    return changes


def _by_code(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {entry.get("code", ""): entry for entry in entries}


def _questions(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every question by code, with the code of the page it is on."""
    found = {}
    for page in definition.get("pages", []):
        for question in page.get("questions", []):
            found[question.get("code", "")] = dict(question, page=page.get("code"))
    return found


def _added_and_removed(kind: str, old: dict, new: dict) -> list[dict[str, Any]]:
    added = [{"what": f"{kind}_added", "code": code} for code in new if code not in old]
    removed = [{"what": f"{kind}_removed", "code": code} for code in old if code not in new]
    return added + removed


def _text_change(what: str, code: str, old: dict, new: dict) -> dict[str, Any]:
    return {"what": f"{what}_changed", "code": code, "old": old, "new": new}


def _page_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    code = new.get("code", "")
    changes = []
    if old.get("title", {}) != new.get("title", {}):
        changes.append(_text_change("page_title", code, old.get("title", {}), new["title"]))
    if old.get("condition") != new.get("condition"):
        changes.append({"what": "page_condition_changed", "code": code})
    old_order = [q.get("code") for q in old.get("questions", [])]
    new_order = [q.get("code") for q in new.get("questions", [])]
    common = set(old_order) & set(new_order)
    if [c for c in old_order if c in common] != [c for c in new_order if c in common]:
        changes.append({"what": "questions_reordered", "code": code})
    return changes


def _question_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    code = new.get("code", "")
    changes = []
    for key in ("text", "help"):
        if old.get(key, {}) != new.get(key, {}):
            changes.append(
                _text_change(f"question_{key}", code, old.get(key, {}), new.get(key, {}))
            )
    if old.get("page") != new.get("page"):
        changes.append({"what": "question_moved", "code": code, "page": new.get("page")})
    for key in ("type", "required", "condition", "indicator"):
        if old.get(key) != new.get(key):
            changes.append({"what": f"question_{key}_changed", "code": code})
    for key in ("options", "items"):
        if structure(old.get(key)) != structure(new.get(key)):
            changes.append({"what": f"question_{key}_changed", "code": code})
        elif old.get(key) != new.get(key):
            changes.append({"what": f"question_{key[:-1]}_texts_changed", "code": code})
    if old.get("other") != new.get("other"):
        changes.append({"what": "question_options_changed", "code": code})
    limits = ("minimum", "maximum", "rank_count")
    if any(old.get(key) != new.get(key) for key in limits):
        changes.append({"what": "question_limits_changed", "code": code})
    return changes
