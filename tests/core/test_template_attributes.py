"""No template reads a dict's own method where it meant a value: Jinja looks up `words.copy`
as the attribute first, so on a dict it finds the method and the page shows
"<built-in method copy of dict object at 0x…>" (the designer's copy button did)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, nodes

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
DICT_METHODS = {name for name in dir(dict) if not name.startswith("_")}
#: Attributes of objects that are no dicts, named like a dict's method.
NOT_DICTS = {
    ("surveys/_questions.html", "question.items"),  # surveys.definition.Question
    ("surveys/question.html", "form.items"),  # a field of surveys.forms.QuestionForm
}


def uncalled_dict_methods(source: str) -> list[str]:
    """`name.method` for every dict method name read but not called."""
    env = Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do", "jinja2.ext.loopcontrols"])
    tree = env.parse(source)
    called = {id(call.node) for call in tree.find_all(nodes.Call)}
    return [
        f"{getattr(node.node, 'name', '…')}.{node.attr}"
        for node in tree.find_all(nodes.Getattr)
        if node.attr in DICT_METHODS and id(node) not in called
    ]


def test_the_check_finds_the_copy_button_bug():
    assert uncalled_dict_methods("{{ post_button(url, words.copy) }}") == ["words.copy"]
    assert uncalled_dict_methods('{{ words["copy"] }} {{ text.get("nl") }}') == []


def test_no_template_reads_a_dict_method_as_a_value():
    found = [
        (str(path.relative_to(TEMPLATES)), expression)
        for path in sorted(TEMPLATES.rglob("*"))
        if path.suffix in (".html", ".txt")
        for expression in uncalled_dict_methods(path.read_text(encoding="utf-8"))
    ]
    assert [hit for hit in found if hit not in NOT_DICTS] == []
