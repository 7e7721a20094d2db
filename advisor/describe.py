"""Rules and questions described for people and scripts: `rules list`, `rules show`, `questions`."""

from __future__ import annotations

from typing import Any

from . import conditions
from .interview import FLAGS
from .models import CHOICE_FIELDS, CORE_FIELDS, FIELD_KINDS
from .parsing import MAX_AMOUNT, MAX_COUNT, MAX_DAYS, MAX_PERCENT
from .ruleset import RuleSet
from .safetext import printable


def rule_row(rule: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": rule["id"],
        "file": rule["file"],
        "line": rule["line"],
        "sets": dict(rule["set"]),
        "adds": {
            "consequences": list(rule["consequences"]),
            "steps": [s for s, _ in rule["steps"]],
            "references": list(rule["references"]),
        },
        "valid_from": rule.get("valid_from"),
        "valid_until": rule.get("valid_until"),
    }


def list_lines(rules: RuleSet) -> list[str]:
    rows: list[tuple[str, ...]] = []
    for rule in rules.rules:
        sets = " ".join(f"{k}={v}" for k, v in rule["set"].items()) or "-"
        dates = ""
        if rule.get("valid_from") or rule.get("valid_until"):
            dates = f"{rule.get('valid_from') or '…'}..{rule.get('valid_until') or '…'}"
        rows.append(tuple(map(printable, (rule["id"], f"{rule['file']}:{rule['line']}", sets, dates))))
    widths = [max(len(r[i]) for r in rows) for i in range(3)] if rows else [0, 0, 0]
    return [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:<{widths[2]}}  {d}".rstrip() for a, b, c, d in rows]


def show_lines(rule: dict[str, Any], rules: RuleSet, lang: str) -> list[str]:
    out = [rule["id"] + (f" — {rule['title'][lang]}" if rule.get("title") else ""),
           f"  file:        {rule['file']}:{rule['line']}",
           f"  when:        {conditions.describe(rules.when[rule['id']])}"]
    if rule["set"]:
        out.append("  sets:        " + ", ".join(f"{k} = {v}" for k, v in rule["set"].items()))
    if rule.get("valid_from") or rule.get("valid_until"):
        out.append(f"  in force:    {rule.get('valid_from') or '…'} to {rule.get('valid_until') or '…'}")
    if rule["summary"]:
        out.append(f"  summary:     {rule['summary'][lang]}")
    for cid in rule["consequences"]:
        out.append(f"  consequence: {cid}: {rules.consequences[cid]['text'][lang]}")
    for sid, urgency in rule["steps"]:
        step = rules.steps[sid]
        out.append(f"  step:        {sid} ({urgency or step['urgency']}): {step['text'][lang]}")
    for rid in rule["references"]:
        ref = rules.references[rid]
        out.append(f"  reference:   {rid}: {ref['title'][lang]}")
        out.extend(f"               {line}" for line in ref["text"]["zh" if ref["verbatim"] else lang].split("\n"))
    for ex in rule["examples"]:
        case = ", ".join(f"{k}={v}" for k, v in ex["case"].items())
        extra = f" as of {ex['as_of']}" if ex.get("as_of") else ""
        expect = ", ".join(f"{k}={v}" for k, v in ex["expect"].items())
        out.append(f"  example:     {case}{extra}" + (f" → expect {expect}" if expect else ""))
    return [printable(line) for line in out]


# What each kind of answer accepts, for forms and scripts (the parsers in parsing.py are the authority).
_KIND_SPEC: dict[str, dict[str, Any]] = {
    "days": {"type": "integer", "minimum": 0, "maximum": MAX_DAYS, "examples": ["45", "45天"]},
    "amount": {"type": "decimal", "minimum": "0.01", "maximum": str(MAX_AMOUNT), "decimal_places": 2,
               "examples": ["5000", "5,000", "5000元", "3万", "2.5万元", "8千"]},
    "money": {"type": "decimal", "minimum": "0", "maximum": str(MAX_AMOUNT), "decimal_places": 2,
              "examples": ["6000", "1.2万", "0"]},
    "percent": {"type": "percent", "minimum_exclusive": "0", "maximum": str(MAX_PERCENT),
                "examples": ["36", "36%", "年化23.9%"]},
    "date": {"type": "date", "examples": ["2024-03-01", "2024/3/1", "2024年3月1日"]},
    "count": {"type": "integer", "minimum": 0, "maximum": MAX_COUNT, "examples": ["2", "2笔"]},
    "choice": {"type": "choice"},
    "choices": {"type": "choices", "separators": [",", "，", "、", ";", " "]},
}


def questions(rules: RuleSet) -> list[dict[str, Any]]:
    """Every input field, so scripts and forms can discover what to ask and what is accepted.

    The four core answers are required; the others are optional (blank = unknown) and carry the
    condition under which the interview asks them.
    """
    out = []
    for name, kind in FIELD_KINDS.items():
        spec = rules.fields.get(name, {})
        entry: dict[str, Any] = {"id": name, "flag": FLAGS[name], "required": name in CORE_FIELDS,
                                 **_KIND_SPEC[kind]}
        for key in ("question", "why", "hint"):
            if spec.get(key):
                entry[key] = spec[key]
        if name in rules.ask_when:
            entry["asked_when"] = conditions.describe(rules.ask_when[name])
        if name in CHOICE_FIELDS:
            entry["choices"] = [
                {"number": n, "id": c["id"], "label": c["label"], "aliases": c["aliases"],
                 **({"note": c["note"]} if c.get("note") else {})}
                for n, c in enumerate(rules.choices(name), 1)
            ]
        out.append(entry)
    return out
