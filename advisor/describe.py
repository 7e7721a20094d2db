"""Rules and questions described for people and scripts: `rules list`, `rules show`, `questions`."""

from __future__ import annotations

from typing import Any

from . import conditions
from .fields import FIELDS, KINDS
from .interview import question_text
from .models import CHOICE_FIELDS
from .ruleset import RuleSet
from .safetext import printable


def rule_row(rule: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": rule["id"],
        "file": rule["file"],
        "line": rule["line"],
        "sets": dict(rule["set"]),
        "at_most": dict(rule.get("at_most", {})),
        "adds": {
            "consequences": list(rule["consequences"]),
            "steps": [s for s, _ in rule["steps"]],
            "references": list(rule["references"]),
        },
        "replaces": list(rule.get("replaces", ())),
        "removes": list(rule.get("removes", ())),
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
    if rule.get("at_most"):
        out.append("  at most:     " + ", ".join(f"{k} = {v}" for k, v in rule["at_most"].items()))
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
    for key in ("replaces", "removes"):
        if rule.get(key):
            out.append(f"  {key + ':':<13}{', '.join(rule[key])} (not shown when this rule fires)")
    for ex in rule["examples"]:
        case = ", ".join(f"{k}={v}" for k, v in ex["case"].items())
        extra = f" as of {ex['as_of']}" if ex.get("as_of") else ""
        expect = ", ".join(f"{k}={v}" for k, v in ex["expect"].items())
        out.append(f"  example:     {case}{extra}" + (f" → expect {expect}" if expect else ""))
    return [printable(line) for line in out]


def questions(rules: RuleSet) -> list[dict[str, Any]]:
    """Every input field, so scripts and forms can discover what to ask and what is accepted.

    The four core answers are required; the others are optional (blank = unknown) and carry the
    condition under which the interview asks them. `scope`: "debt" for an answer about one debt,
    "person" for one given once for all of a person's debts.
    """
    out = []
    for field in FIELDS:
        name = field.id
        spec = rules.fields.get(name, {})
        entry: dict[str, Any] = {"id": name, "flag": field.flag, "required": field.required, "scope": field.scope,
                                 **KINDS[field.kind]}
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


def questions_text(rules: RuleSet, lang: str) -> str:
    """`advisor questions`: each field's flag, its question as the interview asks it, and when."""
    out = []
    for field in questions(rules):
        out.append(f"{field['flag']} ({field['id']})\n")
        if field["id"] in rules.fields:
            out.append(printable(question_text(field["id"], rules, lang), lines=True) + "\n")
        if field.get("asked_when"):
            out.append(f"  asked when: {field['asked_when']}\n")
        out.append("\n")
    return "".join(out)
