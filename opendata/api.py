"""The open-data API's answers as JSON, and their OpenAPI 3.1 description.

The description is written once here, next to the code that makes the answers, and the
tests validate the answers against it (schemathesis)."""

from __future__ import annotations

from typing import Any

from opendata.services import (
    RELIABILITIES,
    Cell,
    Published,
    VillageTable,
    WaveInfo,
    reason_label,
    reliability_label,
)

LANGUAGES = ("nl", "en")
REASON_CODES = (
    "too_few_answers",
    "one_answer_weighs_too_heavily",
    "almost_everyone",
    "almost_no_one",
)


def wave_json(wave: WaveInfo | None) -> dict[str, Any] | None:
    if wave is None:
        return None
    return {
        "id": wave.id,
        "title": wave.title,
        "opens_on": wave.opens_on.isoformat() if wave.opens_on else None,
        "closes_on": wave.closes_on.isoformat() if wave.closes_on else None,
        "released_at": wave.released_at.isoformat(),
        "respondents": wave.respondents,
    }


def figure_json(cell: Cell) -> dict[str, Any]:
    interval = None
    if cell.low is not None and cell.high is not None:
        interval = {"low": cell.low, "high": cell.high}
    return {
        "indicator": cell.code,
        "label": cell.label,
        "unit": cell.unit,
        "wave": cell.wave,
        "area": cell.area,
        "area_kind": cell.area_kind,
        "estimate": cell.estimate,
        "interval": interval,
        "n": cell.n,
        "reliability": cell.reliability,
        "reliability_label": reliability_label(cell.reliability) if cell.reliability else None,
        "suppressed": cell.suppressed,
        "reason": cell.reason,
        "reason_label": reason_label(cell.reason) if cell.reason else None,
    }


def village_json(table: VillageTable, figures: bool = True) -> dict[str, Any]:
    found = {
        "slug": table.slug,
        "name": table.name,
        "state": table.state,
        "respondents": table.respondents,
    }
    if figures:
        found["figures"] = [figure_json(c) for c in table.cells]
    return found


def villages_json(data: Published, lang: str) -> dict[str, Any]:
    return {
        "language": lang,
        "wave": wave_json(data.wave),
        "villages": [village_json(v, figures=False) for v in data.villages],
    }


def mirror_json(data: Published, lang: str) -> dict[str, Any]:
    return {
        "language": lang,
        "wave": wave_json(data.wave),
        "indicators": [
            {"code": code, "label": label, "unit": unit} for code, label, unit in data.indicators
        ],
        "municipality": [figure_json(c) for c in data.municipality],
        "villages": [village_json(v) for v in data.villages],
    }


def village_mirror_json(data: Published, table: VillageTable, lang: str) -> dict[str, Any]:
    return {
        "language": lang,
        "wave": wave_json(data.wave),
        "municipality": [figure_json(c) for c in data.municipality],
        "village": village_json(table),
    }


# The description ------------------------------------------------------------------------


def _nullable(kind: str, **more: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **more}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: dict[str, Any] = {
    "Wave": {
        "type": "object",
        "description": "The survey wave whose released figures these are.",
        "required": ["id", "title", "opens_on", "closes_on", "released_at", "respondents"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "opens_on": _nullable("string", format="date"),
            "closes_on": _nullable("string", format="date"),
            "released_at": {"type": "string", "format": "date-time"},
            "respondents": {
                "type": "integer",
                "minimum": 0,
                "description": "Respondents in the whole municipality, rounded to 5.",
            },
        },
    },
    "Figure": {
        "type": "object",
        "description": "One indicator for one area, exactly as the village mirror shows it. "
        "A figure the mirror does not show has no numbers, `suppressed` true and a reason.",
        "required": [
            "indicator",
            "label",
            "unit",
            "wave",
            "area",
            "area_kind",
            "estimate",
            "interval",
            "n",
            "reliability",
            "reliability_label",
            "suppressed",
            "reason",
            "reason_label",
        ],
        "additionalProperties": False,
        "properties": {
            "indicator": {"type": "string", "description": "Indicator code."},
            "label": {"type": "string", "description": "Indicator label, in the language."},
            "unit": {
                "enum": ["mean", "scale", "share"],
                "description": "mean: a mark 1-10; scale: a score 1-5; share: a percentage.",
            },
            "wave": {"type": "integer", "description": "The wave's id."},
            "area": {
                "type": "string",
                "description": "The area the figure is of: the village, the cluster that "
                "stands in for it, or the municipality.",
            },
            "area_kind": {"enum": ["municipality", "village", "cluster"]},
            "estimate": _nullable("number"),
            "interval": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["low", "high"],
                        "additionalProperties": False,
                        "properties": {"low": {"type": "number"}, "high": {"type": "number"}},
                    },
                ],
                "description": "The margin from chance alone (95%).",
            },
            "n": _nullable("integer", minimum=0, description="Answers, rounded to 5."),
            "reliability": {"enum": [*RELIABILITIES, None]},
            "reliability_label": _nullable("string"),
            "suppressed": {"type": "boolean"},
            "reason": {"enum": [*REASON_CODES, None]},
            "reason_label": _nullable("string"),
        },
    },
    "Village": {
        "type": "object",
        "required": ["slug", "name", "state", "respondents"],
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "state": {
                "enum": ["own", "cluster", "mixed", "none"],
                "description": "Figures of its own, of its cluster, both, or none.",
            },
            "respondents": _nullable("integer", minimum=0),
            "figures": {"type": "array", "items": _ref("Figure")},
        },
        "additionalProperties": False,
    },
    "Indicator": {
        "type": "object",
        "required": ["code", "label", "unit"],
        "additionalProperties": False,
        "properties": {
            "code": {"type": "string"},
            "label": {"type": "string"},
            "unit": {"enum": ["mean", "scale", "share"]},
        },
    },
    "Villages": {
        "type": "object",
        "required": ["language", "wave", "villages"],
        "additionalProperties": False,
        "properties": {
            "language": {"enum": list(LANGUAGES)},
            "wave": {"oneOf": [{"type": "null"}, _ref("Wave")]},
            "villages": {"type": "array", "items": _ref("Village")},
        },
    },
    "Mirror": {
        "type": "object",
        "required": ["language", "wave", "indicators", "municipality", "villages"],
        "additionalProperties": False,
        "properties": {
            "language": {"enum": list(LANGUAGES)},
            "wave": {"oneOf": [{"type": "null"}, _ref("Wave")]},
            "indicators": {"type": "array", "items": _ref("Indicator")},
            "municipality": {"type": "array", "items": _ref("Figure")},
            "villages": {"type": "array", "items": _ref("Village")},
        },
    },
    "VillageMirror": {
        "type": "object",
        "required": ["language", "wave", "municipality", "village"],
        "additionalProperties": False,
        "properties": {
            "language": {"enum": list(LANGUAGES)},
            "wave": {"oneOf": [{"type": "null"}, _ref("Wave")]},
            "municipality": {"type": "array", "items": _ref("Figure")},
            "village": _ref("Village"),
        },
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string"}},
    },
}

_CACHE_HEADERS = {
    "ETag": {"schema": {"type": "string"}, "required": True},
    "Last-Modified": {"schema": {"type": "string"}},
    "Access-Control-Allow-Origin": {"schema": {"const": "*"}, "required": True},
}

PARAMETERS = [
    {
        "name": "lang",
        "in": "query",
        "required": False,
        "description": "Language of the labels; default Dutch, or as Accept-Language asks.",
        "schema": {"enum": list(LANGUAGES)},
    },
    {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}},
    {
        "name": "If-Modified-Since",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
    },
]


def _operation(summary: str, schema: str, operation_id: str, slug: bool = False) -> dict:
    responses: dict[str, Any] = {
        "200": {
            "description": "The published figures.",
            "headers": _CACHE_HEADERS,
            "content": {"application/json": {"schema": _ref(schema)}},
        },
        "304": {"description": "Not changed since the ETag or date the client sent."},
        "400": {
            "description": "An unknown language.",
            "content": {"application/json": {"schema": _ref("Error")}},
        },
        "429": {"description": "Too many requests from this address; try again later."},
    }
    parameters = list(PARAMETERS)
    if slug:
        parameters.insert(
            0,
            {
                "name": "slug",
                "in": "path",
                "required": True,
                "description": "The village, as listed by /api/v1/villages.",
                "schema": {"type": "string", "pattern": "^[a-z0-9-]{1,80}$"},
            },
        )
        responses["404"] = {
            "description": "No such village.",
            "content": {"application/json": {"schema": _ref("Error")}},
        }
    return {
        "get": {
            "summary": summary,
            "operationId": operation_id,
            "parameters": parameters,
            "responses": responses,
        }
    }


def openapi(server: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of the API at `server` (its root URL)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Naoberpanel open data",
            "version": "1.0.0",
            "description": "The published figures of the village mirror (dorpsspiegel): "
            "released survey waves only, with the same numbers and the same suppression as "
            "the pages. Free to read, no login, CORS open.",
        },
        "servers": [{"url": server}],
        "paths": {
            "/api/v1/villages": _operation("The villages", "Villages", "listVillages"),
            "/api/v1/mirror": _operation(
                "Every village's published figures", "Mirror", "getMirror"
            ),
            "/api/v1/mirror/{slug}": _operation(
                "One village's published figures", "VillageMirror", "getVillageMirror", True
            ),
        },
        "components": {"schemas": SCHEMAS},
    }
