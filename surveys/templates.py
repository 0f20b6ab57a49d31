"""The questionnaires shipped with the platform, in surveys/templates/*.json (schema 1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TEMPLATE_DIR = Path(__file__).parent / "templates"
#: name -> what it is for
TEMPLATES = {
    "leefbaarheid": "Liveability survey: every question feeds a village-mirror indicator",
    "dorpsvisie": "Village-vision survey, for a village association to start from",
}


def load_template(name: str) -> dict[str, Any]:
    if name not in TEMPLATES:
        raise LookupError(f"no questionnaire template called {name!r}")
    return json.loads((TEMPLATE_DIR / f"{name}.json").read_text(encoding="utf-8"))
