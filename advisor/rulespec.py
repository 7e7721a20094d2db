"""The rule-file vocabulary: its sections, the keys of each entry, and the checker that reports a
problem at its file, line and column.

The loader (rulesections, rulecompiler) and the JSON Schema (schema) both read these tables, so a new
key is added here once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import RuleProblem
from .models import FIELD_KINDS, ORDERED_OUTPUTS, URGENCIES

LANGS = ("zh", "en")
SECTIONS = (
    "stages", "labels", "fields", "steps", "consequences", "references", "rules", "ui", "disable",
    "interest", "plan", "letter", "script",
)
CATALOGS = ("steps", "consequences", "references")
LABEL_GROUPS = {
    "severity": ORDERED_OUTPUTS["severity"],
    "credit_level": ORDERED_OUTPUTS["credit_level"],
    "reporting": ORDERED_OUTPUTS["reporting"],
    "urgency": URGENCIES,
}
RULE_KEYS = (
    "id", "title", "when", "set", "summary", "consequences", "steps", "references",
    "valid_from", "valid_until", "examples", "override",
)
ENTRY_KEYS = {
    "steps": ("id", "urgency", "text", "override"),
    "consequences": ("id", "text", "legal", "override"),
    "references": ("id", "title", "text", "verbatim", "confidence", "override"),
}
STAGE_KEYS = ("id", "days", "label", "description")
FIELD_KEYS = ("question", "why", "hint", "choices", "ask_when")
CHOICE_KEYS = ("id", "label", "note", "aliases")
EXAMPLE_KEYS = ("case", "as_of", "expect")
EXPECT_KEYS = (*ORDERED_OUTPUTS, "includes", "excludes")
ASKABLE = tuple(FIELD_KINDS)
LINE = "__line__"
POS = "__pos__"  # {"": (line, column) of the mapping, key: (line, column) of that key}
META = frozenset((LINE, POS))

# The names each interface text that the program fills is given (what the callers of
# RuleSet.message pass); the other interface texts are shown as they are.
UI_PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "verdict": ("severity", "stage"),
    "case_line": ("days", "amount", "platform", "negotiation"),
    "as_of": ("date",),
    "retention": ("repaid_on", "until"),
    "interest_line": ("apr", "cap", "verdict"),
    "interest_unknown": ("apr",),
    **dict.fromkeys(("bad_days", "bad_amount", "amount_range", "money_range", "amount_cents", "bad_date",
                     "bad_percent", "bad_count", "unknown_field"), ("value",)),
    "days_range": ("value", "max"),
    "percent_range": ("value", "max"),
    "percent_places": ("value", "places"),
    "date_range": ("value", "min", "max"),
    "repaid_after_as_of": ("value", "as_of"),
    "too_long": ("value", "max"),
    "bad_choice": ("value", "choices"),
    "missing_value": (),
    "missing_flags": ("missing",),
    "bad_answers_file": ("path", "reason"),
    "cannot_write": ("path", "reason"),
    "saved": ("path",),
    "answers_saved": ("path",),
    "internal_error": ("error",),
    "rules_ok": ("rules", "examples"),
    "batch_summary": ("rows", "ok", "bad", "seconds", "rate"),
    "batch_unknown_columns": ("names",),
    "batch_stopped": ("row", "field", "message"),
    "batch_not_written": ("path",),
    "batch_bad_json": ("error",),
    "batch_not_object": ("type",),
    "batch_twice": ("name",),
    "batch_csv_error": ("error",),
    "batch_bad_bytes": (),
    "batch_width": ("count", "width"),
}



def suggest(word: str, choices: Iterable[str]) -> str:
    import difflib  # only needed when something is wrong

    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


class Checker:
    """Collects every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[RuleProblem] = []

    def add(self, file: str, node: Any, rule: str | None, message: str, key: Any = None) -> None:
        line = column = None
        if isinstance(node, dict) and POS in node:
            line, column = node[POS].get(key) or node[POS][""]
        self.problems.append(RuleProblem(file, line, rule, message, column))

    def keys(self, file: str, node: dict[str, Any], allowed: Sequence[str], rule: str | None, what: str) -> None:
        for key in node:
            if key not in META and key not in allowed:
                self.add(file, node, rule, f'unknown key "{key}" in {what}{suggest(str(key), allowed)}', key)

    def text(self, file: str, owner: dict[str, Any], key: str, rule: str | None, required: bool = True) -> Any:
        value = owner.get(key)
        if value is None:
            if required:
                self.add(file, owner, rule, f'"{key}" is missing: give a text in zh and en')
            return None
        if not isinstance(value, dict):
            self.add(file, owner, rule, f'"{key}" must be a mapping with zh and en texts')
            return None
        out = {}
        for lang in LANGS:
            t = value.get(lang)
            if not isinstance(t, str) or not t.strip():
                self.add(file, value, rule, f'"{key}" needs a non-empty "{lang}" text')
            else:
                out[lang] = t.strip()
        self.keys(file, value, LANGS, rule, f'"{key}"')
        return out if len(out) == len(LANGS) else None

    def template(self, file: str, owner: dict[str, Any], key: str, rule: str | None, names: Collection[str]) -> None:
        """Each placeholder of a text is a name it is filled with, in a form `templates.fill` fills."""
        from .templates import parse

        value = owner.get(key)
        if not isinstance(value, dict):
            return
        for lang in LANGS:
            text = value.get(lang)
            parts = parse(text) if isinstance(text, str) else []
            if parts is None:
                self.add(file, value, rule, f'{lang} text: a lone "{{" or "}}": write "{{{{" or "}}}}" for a brace', lang)
            for part in parts or []:
                if isinstance(part, str) or part.safe and part.name in names:
                    continue
                if not part.name.isidentifier():
                    problem = f'placeholder "{part}" is not a name; this text may use: {", ".join(names) or "none"}'
                elif part.name not in names:
                    problem = f'unknown placeholder "{part}"{suggest(part.name, names)}'
                else:
                    problem = f'placeholder "{part}" may carry only "," and a precision such as ".2f"'
                self.add(file, value, rule, f"{lang} text: {problem}", lang)

    def id_list(self, file: str, owner: dict[str, Any], key: str, rule: str | None) -> list[Any]:
        value = owner.get(key, [])
        if not isinstance(value, list):
            self.add(file, owner, rule, f'"{key}" must be a list')
            return []
        return value


def as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k not in META}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def as_date(value: Any) -> str | None:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            return None
    return None

