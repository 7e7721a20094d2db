"""The assessment as one JSON-able record (CONTRACT §4), texts resolved for one language."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..models import SCHEMA_VERSION, Assessment

if TYPE_CHECKING:
    from ..ruleset import RuleSet


def _reference(ref: dict[str, Any], lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {"id": ref["id"], "title": ref["title"][lang]}
    if ref["verbatim"]:
        # A statute is quoted in the language it was enacted in; English readers get a gloss beside it.
        out["text"] = ref["text"]["zh"]
        if lang != "zh":
            out["translation"] = ref["text"][lang]
    else:
        out["text"] = ref["text"][lang]
    out["verbatim"] = ref["verbatim"]
    return out


def summary_text(assessment: Assessment, rules: RuleSet, lang: str) -> str:
    by_id = {r["id"]: r for r in rules.rules}
    sep = "" if lang == "zh" else " "
    return sep.join(by_id[rid]["summary"][lang] for rid in assessment.summary_rules)


def to_record(assessment: Assessment, rules: RuleSet, lang: str, *, explain: bool = False) -> dict[str, Any]:
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "case": assessment.case.echo(),
        "stage": assessment.stage,
        "severity": assessment.severity,
        "credit_impact": {
            "level": assessment.credit_level,
            "reporting": assessment.reporting,
            "summary": summary_text(assessment, rules, lang),
        },
        "consequences": [
            {"id": c, "text": rules.consequences[c]["text"][lang]} for c in assessment.consequences
        ],
        "steps": [
            {"id": s.id, "urgency": s.urgency, "text": rules.steps[s.id]["text"][lang]} for s in assessment.steps
        ],
        "references": [_reference(rules.references[r], lang) for r in assessment.references],
        "rules_fired": assessment.rules_fired,
        "as_of": assessment.as_of.isoformat(),
        "language": lang,
        "disclaimer": rules.text("disclaimer", lang),
    }
    if explain:
        record["explain"] = [
            {
                "rule": f.id,
                "conditions": [
                    {"field": c.field, "op": c.op, "expected": _plain(c.expected),
                     "actual": _plain(c.actual), "result": c.result}
                    for c in f.conditions
                ],
            }
            for f in assessment.fired
        ]
    return record


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (int, str, bool)) or value is None:
        return value
    return str(value)  # Decimal amounts stay exact as strings
