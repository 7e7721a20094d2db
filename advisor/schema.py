"""The JSON Schema of a rule file, built from the loader's own description (rulespec's forms and the
condition vocabulary), so the two cannot drift.

`advisor rules schema > rules/schema.json` writes it; a test checks the shipped file is current.
"""

from __future__ import annotations

from typing import Any

from .conditions import CONDITION_FIELDS, NAMED, OPERATORS
from .fields import LANGS
from .models import STAGES
from .rulespec import CONDITION, FILE, REF_NOUNS, RULE, Form, ListOf, MapOf, OneOf, Ref, Scalar


def schema_of(form: Form) -> dict[str, Any]:
    """The JSON Schema of one form of rulespec."""
    if isinstance(form, Ref):
        return {"$ref": f"#/$defs/{form.name}"}
    if isinstance(form, Scalar):  # a reference to another section's id is checked by the loader alone
        noun = REF_NOUNS.get(form.ref or "", "choice")
        return {**form.schema, "description": f"the id of a {noun}"} if form.ref else dict(form.schema)
    if isinstance(form, OneOf):
        return {"oneOf": [schema_of(f) for f in form.forms]}
    if isinstance(form, ListOf):
        out: dict[str, Any] = {"type": "array", "items": schema_of(form.item)}
        if form.min_items:
            out["minItems"] = form.min_items
        return out
    if isinstance(form, MapOf):
        out = {"type": "object"}
        if form.required:
            out["required"] = list(form.required)
        if form.key is not None:
            out["propertyNames"] = schema_of(form.key)
        return {**out, "additionalProperties": schema_of(form.value)}
    out = {"type": "object"}
    required = [k for k in form.required if k not in form.lenient]
    if required:
        out["required"] = required
    out.update(additionalProperties=False, properties={k: schema_of(v) for k, v in form.keys.items()})
    if form.lenient:  # an override may restate only what it changes
        out["if"] = {"not": {"properties": {"override": {"const": True}}, "required": ["override"]}}
        out["then"] = {"required": list(form.lenient)}
    if form.one_of:
        out["oneOf"] = [{"required": [key]} for key in form.one_of]
    if form.needs:
        out["dependentRequired"] = {key: list(others) for key, others in form.needs}
    return out


def _value(kind: str) -> dict[str, Any]:
    forms: dict[str, dict[str, Any]] = {
        "int": {"type": "integer", "minimum": 0},
        "decimal": {"type": ["number", "string"]},
        "choice": {"type": "string"},
        "set": {"type": "string"},
        "date": {"type": "string", "format": "date"},
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
        elif op in ("eq", "ne") or kind in ("int", "decimal", "date"):
            ops[op] = value
    forms: list[dict[str, Any]] = [value, {"type": "array", "items": value, "minItems": 1}]
    forms.append({"type": "object", "properties": ops, "additionalProperties": False, "minProperties": 1})
    return {"oneOf": forms}


def build() -> dict[str, Any]:
    text = {
        "type": "object",
        "description": "A text in Chinese and English.",
        "properties": {lang: {"type": "string", "minLength": 1} for lang in LANGS},
        "required": list(LANGS),
        "additionalProperties": False,
    }
    condition = {
        "type": "object",
        "description": "All keys must hold. A value means equals, a list means in, a mapping gives operators; "
        "a comparison with an unknown answer is false.",
        "properties": {
            **{f: _field_condition(k) for f, k in CONDITION_FIELDS.items()},
            "all": {"type": "array", "items": schema_of(CONDITION), "minItems": 1},
            "any": {"type": "array", "items": schema_of(CONDITION), "minItems": 1},
            "not": schema_of(CONDITION),
            NAMED: {"description": 'A condition of the "conditions" section by its id, or a list of them (all hold).',
                    "oneOf": [{"type": "string", "minLength": 1},
                              {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}]},
        },
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "advisor rule file",
        "description": "One YAML file of an advisor rule set: any of these sections; sections merge across files.",
        "type": "object",
        "additionalProperties": False,
        "properties": schema_of(FILE)["properties"],
        "$defs": {"text": text, "condition": condition, "rule": schema_of(RULE)},
    }
