"""The JSON Schema of a rule file, built from the loader's own vocabulary so the two cannot drift.

`advisor rules schema > rules/schema.json` writes it; a test checks the shipped file is current.
"""

from __future__ import annotations

from typing import Any

from .conditions import CONDITION_FIELDS, OPERATORS
from .models import CORE_FIELDS, CREDIT_LEVELS, FIELD_KINDS, REPORTING, SEVERITIES, STAGES, URGENCIES
from .rulespec import CHOICE_KEYS, ENTRY_KEYS, FIELD_KEYS, LABEL_GROUPS, RULE_KEYS, SECTIONS

_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_IDS = {"type": "array", "items": {"type": "string"}}
_ORDERED = {"stage": STAGES, "severity": SEVERITIES, "credit_level": CREDIT_LEVELS, "reporting": REPORTING}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{name}"}


def _value(kind: str) -> dict[str, Any]:
    forms: dict[str, dict[str, Any]] = {
        "int": {"type": "integer", "minimum": 0},
        "decimal": {"type": ["number", "string"]},
        "choice": {"type": "string"},
        "set": {"type": "string"},
        "stage": {"enum": list(STAGES)},
        "bool": {"type": "boolean"},
    }
    return forms[kind]


def _field_condition(kind: str) -> dict[str, Any]:
    value = _value(kind)
    ops: dict[str, Any] = {}
    for op in OPERATORS:
        if op in ("in", "not_in"):
            ops[op] = {"type": "array", "items": value, "minItems": 1}
        elif op in ("eq", "ne") or kind in ("int", "decimal"):
            ops[op] = value
    forms: list[dict[str, Any]] = [value, {"type": "array", "items": value, "minItems": 1}]
    forms.append({"type": "object", "properties": ops, "additionalProperties": False, "minProperties": 1})
    return {"oneOf": forms}


def _entry(props: dict[str, Any], section: str, required: list[str]) -> dict[str, Any]:
    assert set(props) | {"id", "override"} == set(ENTRY_KEYS[section]), section
    return {
        "type": "object",
        "required": ["id"],
        "additionalProperties": False,
        "properties": {"id": {"type": "string", "minLength": 1}, "override": {"type": "boolean"}, **props},
        # An override may restate only what it changes.
        "if": {"not": {"properties": {"override": {"const": True}}, "required": ["override"]}},
        "then": {"required": required},
    }


def build() -> dict[str, Any]:
    text = {
        "type": "object",
        "description": "A text in Chinese and English.",
        "properties": {"zh": {"type": "string", "minLength": 1}, "en": {"type": "string", "minLength": 1}},
        "required": ["zh", "en"],
        "additionalProperties": False,
    }
    condition = {
        "type": "object",
        "description": "All keys must hold. A value means equals, a list means in, a mapping gives operators; "
        "a comparison with an unknown answer is false.",
        "properties": {
            **{f: _field_condition(k) for f, k in CONDITION_FIELDS.items()},
            "all": {"type": "array", "items": _ref("condition"), "minItems": 1},
            "any": {"type": "array", "items": _ref("condition"), "minItems": 1},
            "not": _ref("condition"),
        },
        "additionalProperties": False,
    }
    rule_props: dict[str, Any] = {
        "id": {"type": "string", "minLength": 1},
        "title": _ref("text"),
        "when": _ref("condition"),
        "set": {"type": "object", "additionalProperties": False,
                "properties": {k: {"enum": list(v)} for k, v in _ORDERED.items()}},
        "summary": _ref("text"),
        "consequences": _IDS,
        "references": _IDS,
        "steps": {"type": "array", "items": {"oneOf": [
            {"type": "string"},
            {"type": "object", "required": ["id", "urgency"], "additionalProperties": False,
             "properties": {"id": {"type": "string"}, "urgency": {"enum": list(URGENCIES)}}},
        ]}},
        "valid_from": _DATE,
        "valid_until": _DATE,
        "examples": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["case"], "additionalProperties": False,
            "properties": {
                "case": {"type": "object"},
                "as_of": _DATE,
                "expect": {"type": "object", "additionalProperties": False, "properties": {
                    **{k: {"enum": list(v)} for k, v in _ORDERED.items()}, "includes": _IDS, "excludes": _IDS}},
            }}},
        "override": {"type": "boolean"},
    }
    assert set(rule_props) == set(RULE_KEYS)
    choice_props: dict[str, Any] = {"id": {"type": "string"}, "label": _ref("text"), "note": _ref("text"),
                                    "aliases": {"type": "array", "items": {"type": ["string", "integer"]}}}
    assert set(choice_props) == set(CHOICE_KEYS)
    choice = {"type": "object", "required": ["id", "label"], "additionalProperties": False, "properties": choice_props}

    def field(name: str) -> dict[str, Any]:
        props: dict[str, Any] = {"question": _ref("text"), "why": _ref("text"), "hint": _ref("text")}
        if FIELD_KINDS[name] in ("choice", "choices"):
            props["choices"] = {"type": "array", "items": choice, "minItems": 1}
        if name not in CORE_FIELDS:
            props["ask_when"] = _ref("condition")
        assert set(props) <= set(FIELD_KEYS)
        return {"type": "object", "required": ["question", "why"], "additionalProperties": False, "properties": props}

    paragraph = {"type": "array", "items": {"type": "object", "required": ["text"], "additionalProperties": False,
                                            "properties": {"when": _ref("condition"), "text": _ref("text")}}}
    number = {"type": ["number", "string"]}
    sections: dict[str, Any] = {
        "stages": {"type": "array", "items": {
            "type": "object", "required": ["id", "label"], "additionalProperties": False,
            "properties": {"id": {"enum": list(STAGES)}, "label": _ref("text"), "description": _ref("text"),
                           "days": {"type": "object", "required": ["gte"], "additionalProperties": False,
                                    "properties": {"gte": {"type": "integer", "minimum": 0},
                                                   "lte": {"type": "integer", "minimum": 0}}}}}},
        "labels": {"type": "object", "additionalProperties": False, "properties": {
            group: {"type": "object", "additionalProperties": False, "properties": {v: _ref("text") for v in ids}}
            for group, ids in LABEL_GROUPS.items()}},
        "fields": {"type": "object", "additionalProperties": False,
                   "properties": {name: field(name) for name in FIELD_KINDS}},
        "steps": {"type": "array", "items": _entry(
            {"urgency": {"enum": list(URGENCIES)}, "text": _ref("text")}, "steps", ["text", "urgency"])},
        "consequences": {"type": "array", "items": _entry(
            {"text": _ref("text"), "legal": {"type": "boolean"}}, "consequences", ["text"])},
        "references": {"type": "array", "items": _entry(
            {"title": _ref("text"), "text": _ref("text"), "verbatim": {"type": "boolean"},
             "confidence": {"type": "string"}}, "references", ["title", "text", "verbatim"])},
        "rules": {"type": "array", "items": _ref("rule")},
        "ui": {"type": "object", "additionalProperties": _ref("text")},
        "disable": {"type": "array", "items": {"type": "string"}},
        "interest": {"type": "object", "additionalProperties": False, "properties": {
            "lpr": {"type": "array", "items": {"type": "object", "required": ["from", "rate"],
                                               "additionalProperties": False,
                                               "properties": {"from": _DATE, "rate": number}}},
            "caps": {"type": "object", "additionalProperties": {
                "type": "object", "required": ["basis"], "additionalProperties": False,
                "properties": {"basis": {"type": "string"}, "rate": number, "lpr_multiple": number}}},
            "bases": {"type": "object", "additionalProperties": _ref("text")},
            "notes": {"type": "object", "additionalProperties": _ref("text")}}},
        "plan": {"type": "object", "additionalProperties": False, "properties": {
            "share_of_margin": number,
            "max_months": {"type": "object", "required": ["default"],
                           "additionalProperties": {"type": "integer", "minimum": 1}},
            "texts": {"type": "object", "additionalProperties": _ref("text")}}},
        "letter": paragraph,
        "script": paragraph,
    }
    assert set(sections) == set(SECTIONS)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "advisor rule file",
        "description": "One YAML file of an advisor rule set: any of these sections; sections merge across files.",
        "type": "object",
        "additionalProperties": False,
        "properties": sections,
        "$defs": {"text": text, "condition": condition, "rule": {
            "type": "object", "required": ["id", "when", "examples"], "additionalProperties": False,
            "properties": rule_props}},
    }
