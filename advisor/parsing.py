"""One parser per answer. Flags, prompts, batch rows, rule examples and the Python API all use these."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from .errors import CaseError
from .models import CHOICE_FIELDS, CORE_FIELDS, Case

if TYPE_CHECKING:
    from .ruleset import RuleSet

MAX_DAYS = 36500
MAX_AMOUNT = Decimal(10) ** 10
CENT = Decimal("0.01")

_DAYS_RE = re.compile(r"^\+?(\d{1,9})\s*(?:天|日|days?|d)?$", re.IGNORECASE)
_AMOUNT_RE = re.compile(
    r"^(?:¥|￥|rmb|cny)?\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(万|千|w|k)?\s*(?:元|块钱|块|rmb|cny)?$",
    re.IGNORECASE,
)
_MULTIPLIERS = {"万": 10000, "w": 10000, "千": 1000, "k": 1000}


def _normalise(raw: object) -> str:
    # NFKC folds full-width digits and punctuation (４５，０００) that Chinese input methods produce.
    return unicodedata.normalize("NFKC", str(raw)).strip()


def parse_days(raw: object, rules: RuleSet, lang: str = "zh") -> int:
    if isinstance(raw, bool):
        raise CaseError("overdue_days", rules.message("bad_days", lang, value=raw))
    if isinstance(raw, int):
        days = raw
    else:
        match = _DAYS_RE.match(_normalise(raw))
        if not match:
            raise CaseError("overdue_days", rules.message("bad_days", lang, value=raw))
        days = int(match.group(1))
    if not 0 <= days <= MAX_DAYS:
        raise CaseError("overdue_days", rules.message("days_range", lang, value=raw, max=MAX_DAYS))
    return days


def parse_amount(raw: object, rules: RuleSet, lang: str = "zh") -> Decimal:
    if isinstance(raw, bool):
        raise CaseError("amount", rules.message("bad_amount", lang, value=raw))
    if isinstance(raw, float):
        raw = repr(raw)  # a float from JSON: read its shortest decimal spelling, never its binary value
    if isinstance(raw, (int, Decimal)):
        value = Decimal(raw)
    else:
        text = _normalise(raw).replace(",", "").replace(" ", "")
        match = _AMOUNT_RE.match(text)
        if not match:
            raise CaseError("amount", rules.message("bad_amount", lang, value=raw))
        try:
            value = Decimal(match.group(1))
        except InvalidOperation:
            raise CaseError("amount", rules.message("bad_amount", lang, value=raw)) from None
        unit = (match.group(2) or "").lower()
        if unit:
            value *= _MULTIPLIERS[unit]
    if not value.is_finite():
        raise CaseError("amount", rules.message("bad_amount", lang, value=raw))
    if value <= 0 or value > MAX_AMOUNT:
        raise CaseError("amount", rules.message("amount_range", lang, value=raw))
    if value != value.quantize(CENT):
        raise CaseError("amount", rules.message("amount_cents", lang, value=raw))
    return value.quantize(CENT)


def parse_choice(field: str, raw: object, rules: RuleSet, lang: str = "zh") -> str:
    text = _normalise(raw).casefold()
    found = rules.choice_index(field).get(text)
    if found is None:
        choices = "; ".join(
            f"{n} {c['id']} {c['label'][lang]}" for n, c in enumerate(rules.choices(field), 1)
        )
        raise CaseError(field, rules.message("bad_choice", lang, value=raw, choices=choices))
    return found


def parse_date(raw: object, what: str, rules: RuleSet, lang: str = "zh") -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(_normalise(raw))
    except ValueError:
        raise CaseError(what, rules.message("bad_date", lang, value=raw)) from None


def parse_answer(field: str, raw: object, rules: RuleSet, lang: str = "zh") -> Any:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise CaseError(field, rules.message("missing_value", lang))
    if field == "overdue_days":
        return parse_days(raw, rules, lang)
    if field == "amount":
        return parse_amount(raw, rules, lang)
    if field in CHOICE_FIELDS:
        return parse_choice(field, raw, rules, lang)
    raise CaseError(field, rules.message("unknown_field", lang, value=field))


def build_case(answers: dict[str, Any], rules: RuleSet, lang: str = "zh", case_id: str | None = None) -> Case:
    """Parse a mapping of raw answers into a Case. Raises CaseError for the first bad or missing field."""
    values = {}
    for name in CORE_FIELDS:
        values[name] = parse_answer(name, answers.get(name), rules, lang)
    return Case(id=case_id, **values)
