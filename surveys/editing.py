"""The designer's edits, as pure functions on a questionnaire's JSON (surveys.format).

Each returns a changed copy and never touches the input, so a refused save leaves the stored
questionnaire as it was. Whether the result is valid is for surveys.checks to say.
"""

from __future__ import annotations

import copy
from typing import Any

Definition = dict[str, Any]


class NotFound(LookupError):
    """No question or page with that code."""


def locate(definition: Definition, code: str) -> tuple[int, int]:
    """(page index, question index) of the question with this code."""
    for p, page in enumerate(definition["pages"]):
        for q, question in enumerate(page["questions"]):
            if question["code"] == code:
                return p, q
    raise NotFound(code)


def question(definition: Definition, code: str) -> dict[str, Any]:
    p, q = locate(definition, code)
    return definition["pages"][p]["questions"][q]


def has_question(definition: Definition, wanted: dict[str, Any]) -> bool:
    """Whether this exact question is already in the questionnaire."""
    return any(wanted in page["questions"] for page in definition["pages"])


def page_index(definition: Definition, code: str) -> int:
    for p, page in enumerate(definition["pages"]):
        if page["code"] == code:
            return p
    raise NotFound(code)


def all_codes(definition: Definition) -> set[str]:
    """Every code in use: pages, questions and grid items."""
    codes = set()
    for page in definition["pages"]:
        codes.add(page["code"])
        for q in page["questions"]:
            codes.add(q["code"])
            codes.update(item["code"] for item in q.get("items", []))
    return codes


def unused_code(taken: set[str], base: str) -> str:
    """`base` with the lowest free number: LEEF_01 → LEEF_01_2, LEEF_01_3…"""
    number = 2
    while f"{base}_{number}" in taken:
        number += 1
    return f"{base}_{number}"


def replace_question(definition: Definition, code: str, new: dict[str, Any]) -> Definition:
    result = copy.deepcopy(definition)
    p, q = locate(result, code)
    result["pages"][p]["questions"][q] = new
    return result


def add_question(
    definition: Definition, page_code: str, new: dict[str, Any], after: str | None = None
) -> Definition:
    """Add a question at the end of a page, or right after the question `after`."""
    result = copy.deepcopy(definition)
    if after is not None:
        p, q = locate(result, after)
        result["pages"][p]["questions"].insert(q + 1, new)
    else:
        result["pages"][page_index(result, page_code)]["questions"].append(new)
    return result


def remove_question(definition: Definition, code: str) -> Definition:
    result = copy.deepcopy(definition)
    p, q = locate(result, code)
    del result["pages"][p]["questions"][q]
    return result


def duplicate_question(definition: Definition, code: str) -> tuple[Definition, str]:
    """A copy right after the original, with free codes for it and its grid items."""
    original = question(definition, code)
    twin = copy.deepcopy(original)
    taken = all_codes(definition)
    for entry in [twin, *twin.get("items", [])]:
        entry["code"] = unused_code(taken, entry["code"])
        taken.add(entry["code"])
    return add_question(definition, "", twin, after=code), twin["code"]


def move_question(definition: Definition, code: str, step: int) -> Definition:
    """One place up (-1) or down (+1); at the edge of a page it moves onto the next page."""
    result = copy.deepcopy(definition)
    pages = result["pages"]
    p, q = locate(result, code)
    questions = pages[p]["questions"]
    moving = questions.pop(q)
    if 0 <= q + step <= len(questions):
        questions.insert(q + step, moving)
    elif step < 0 and p > 0:
        pages[p - 1]["questions"].append(moving)
    elif step > 0 and p + 1 < len(pages):
        pages[p + 1]["questions"].insert(0, moving)
    else:
        questions.insert(q, moving)  # already the first or last of all
    return result


def add_page(definition: Definition, new: dict[str, Any]) -> Definition:
    result = copy.deepcopy(definition)
    result["pages"].append(new)
    return result


def replace_page(definition: Definition, code: str, new: dict[str, Any]) -> Definition:
    """Change a page's code, title or condition; its questions stay."""
    result = copy.deepcopy(definition)
    p = page_index(result, code)
    result["pages"][p] = dict(new, questions=result["pages"][p]["questions"])
    return result


def remove_page(definition: Definition, code: str) -> Definition:
    """Remove a page with its questions."""
    result = copy.deepcopy(definition)
    del result["pages"][page_index(result, code)]
    return result


def move_page(definition: Definition, code: str, step: int) -> Definition:
    result = copy.deepcopy(definition)
    pages = result["pages"]
    p = page_index(result, code)
    target = p + step
    if 0 <= target < len(pages):
        pages.insert(target, pages.pop(p))
    return result


def replace_texts(definition: Definition, title: dict, introduction: dict) -> Definition:
    result = copy.deepcopy(definition)
    result["title"], result["introduction"] = title, introduction
    return result


def blank(title: str) -> Definition:
    """A new questionnaire: one empty page to add questions to."""
    return {
        "schema_version": 1,
        "title": {"nl": title},
        "introduction": {},
        "pages": [{"code": "P1", "title": {"nl": "Pagina 1"}, "questions": []}],
    }


def codes_before(definition: Definition, page: int, question: int | None = None) -> list[str]:
    """Codes a condition at this place may use: answerable questions (and grid items) on
    earlier pages, and on the same page before `question` (None: before the page itself)."""
    codes = []
    for p, entry in enumerate(definition["pages"]):
        for q, found in enumerate(entry["questions"]):
            if p > page or (p == page and (question is None or q >= question)):
                return codes
            if found["type"] != "info":
                codes.append(found["code"])
                codes.extend(item["code"] for item in found.get("items", []))
    return codes


def numeric_codes(definition: Definition) -> set[str]:
    """Codes of mark and number questions: conditions compare their answers as numbers."""
    return {
        q["code"]
        for page in definition["pages"]
        for q in page["questions"]
        if q["type"] in ("mark", "number")
    }
