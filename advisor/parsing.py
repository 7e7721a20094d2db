"""One parser per answer. Flags, prompts, batch rows, rule examples and the Python API all use these."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from . import fields
from .errors import CaseError
from .fields import FIELDS, ID_COLUMNS, MAX_COUNT, MAX_DAYS
from .matching import ChoiceError, Match
from .matching import match as match_choice
from .matching import read as read_choice
from .models import CORE_FIELDS, EXTENDED_FIELDS, FIELD_KINDS, Case

if TYPE_CHECKING:
    from .ruleset import RuleSet

MAX_AMOUNT = Decimal(fields.MAX_AMOUNT)
CENT = Decimal("0.01")

_DAYS_RE = re.compile(r"^\+?(\d{1,9})\s*(?:天|日|days?|d)?$", re.IGNORECASE)
_AMOUNT_RE = re.compile(
    r"^(?:¥|￥|rmb|cny)?\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(万|千|w|k)?\s*(?:元|块钱|块|rmb|cny)?$",
    re.IGNORECASE,
)
_MULTIPLIERS = {"万": 10000, "w": 10000, "千": 1000, "k": 1000}
_PERCENT_RE = re.compile(r"^(?:年化|年利率|apr)?\s*(\d+(?:\.\d+)?|\.\d+)\s*%?$", re.IGNORECASE)
_COUNT_RE = re.compile(r"^(\d{1,4})\s*(?:笔|个|家|项|份)?$")
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_SPLIT_RE = re.compile(r"[,，、;；/\s]+")
MAX_PERCENT = Decimal(fields.MAX_PERCENT)
MAX_PERCENT_PLACES = 4  # 23.9999% is the finest any contract states; more is noise or an attack
MAX_TEXT = 100  # characters in one typed answer: far above any real one, and cheap to reject
MAX_INT = 10**18  # a whole number beyond this is no answer (and Python will not print one past 4,300 digits)
# Dates: a loan contract, a repayment or the assessment day. The upper end keeps five years of
# record retention far inside what a date can hold.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)


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


def parse_amount(raw: object, rules: RuleSet, lang: str = "zh", field: str = "amount", zero_ok: bool = False) -> Decimal:
    if isinstance(raw, bool):
        raise CaseError(field, rules.message("bad_amount", lang, value=raw))
    if isinstance(raw, float):
        raw = repr(raw)  # a float from JSON: read its shortest decimal spelling, never its binary value
    if isinstance(raw, (int, Decimal)):
        value = Decimal(raw)
    else:
        text = _normalise(raw).replace(",", "").replace(" ", "")
        match = _AMOUNT_RE.match(text)
        if not match:
            raise CaseError(field, rules.message("bad_amount", lang, value=raw))
        try:
            value = Decimal(match.group(1))
        except InvalidOperation:
            raise CaseError(field, rules.message("bad_amount", lang, value=raw)) from None
        unit = (match.group(2) or "").lower()
        if unit:
            value *= _MULTIPLIERS[unit]
    if not value.is_finite():
        raise CaseError(field, rules.message("bad_amount", lang, value=raw))
    if value < 0 or (value == 0 and not zero_ok) or value > MAX_AMOUNT:
        raise CaseError(field, rules.message("money_range" if zero_ok else "amount_range", lang, value=raw))
    if value != value.quantize(CENT):
        raise CaseError(field, rules.message("amount_cents", lang, value=raw))
    return value.quantize(CENT)


def choice_list(field: str, rules: RuleSet, lang: str, only: tuple[str, ...] | None = None) -> str:
    """The choices of a field as an error message lists them (only those in `only`, when given)."""
    return "; ".join(
        f"{n} {c['id']} {c['label'][lang]}" for n, c in enumerate(rules.choices(field), 1)
        if only is None or c["id"] in only
    )


def choice_error(field: str, raw: object, found: Match, rules: RuleSet, lang: str) -> ChoiceError:
    """Why an answer is not one choice: it may mean several, it is close to a known word, or it names
    no product or choice known (for a platform, with how to find out who lends)."""
    if found.choices:
        return ChoiceError(field, rules.message("choice_ambiguous", lang, value=raw,
                                                choices=choice_list(field, rules, lang, found.choices)))
    choices = choice_list(field, rules, lang)
    if found.guess is not None:
        meant = match_choice(field, found.guess, rules).choices[0]
        message = rules.message("bad_choice_guess", lang, value=raw, guess=found.guess, choices=choices,
                                label=rules.label(field, meant, lang))
        return ChoiceError(field, message, found.guess)
    key = "product_unknown" if field == "platform" else "bad_choice"
    return ChoiceError(field, rules.message(key, lang, value=raw, choices=choices))


def parse_choice(field: str, raw: object, rules: RuleSet, lang: str = "zh") -> str:
    found = read_choice(field, raw, rules)
    if isinstance(found, str):
        return found
    raise choice_error(field, raw, found, rules, lang)


def parse_date(raw: object, what: str, rules: RuleSet, lang: str = "zh", as_of: date | None = None) -> date:
    """A date in MIN_DATE..MAX_DATE; with `as_of`, a repayment date may not come after it."""
    if isinstance(raw, date):
        day = raw
    else:
        match = _DATE_RE.match(_normalise(raw))
        try:
            if not match:
                raise ValueError
            day = date(*(int(g) for g in match.groups()))
        except ValueError:
            raise CaseError(what, rules.message("bad_date", lang, value=raw)) from None
    if not MIN_DATE <= day <= MAX_DATE:
        raise CaseError(what, rules.message("date_range", lang, value=raw, min=MIN_DATE, max=MAX_DATE))
    if what == "repaid_on" and as_of is not None and day > as_of:
        raise CaseError(what, rules.message("repaid_after_as_of", lang, value=raw, as_of=as_of))
    return day


def parse_percent(raw: object, field: str, rules: RuleSet, lang: str = "zh") -> Decimal:
    """An annual rate in percent, as an app or contract shows it: 36, 36%, 年化36%, 23.99%."""
    if isinstance(raw, bool):
        raise CaseError(field, rules.message("bad_percent", lang, value=raw))
    text = repr(raw) if isinstance(raw, float) else _normalise(raw).replace(" ", "")
    match = _PERCENT_RE.match(text)
    if not match:
        raise CaseError(field, rules.message("bad_percent", lang, value=raw))
    value = Decimal(match.group(1))
    if -value.as_tuple().exponent > MAX_PERCENT_PLACES:  # type: ignore[operator] # finite: from the regex
        raise CaseError(field, rules.message("percent_places", lang, value=raw, places=MAX_PERCENT_PLACES))
    if not 0 < value <= MAX_PERCENT:
        raise CaseError(field, rules.message("percent_range", lang, value=raw, max=MAX_PERCENT))
    return value


def parse_count(raw: object, field: str, rules: RuleSet, lang: str = "zh") -> int:
    if isinstance(raw, bool):
        raise CaseError(field, rules.message("bad_count", lang, value=raw))
    match = None if isinstance(raw, int) else _COUNT_RE.match(_normalise(raw))
    if not isinstance(raw, int) and not match:
        raise CaseError(field, rules.message("bad_count", lang, value=raw))
    count = raw if isinstance(raw, int) else int(match.group(1))  # type: ignore[union-attr]
    if not 0 <= count <= MAX_COUNT:
        raise CaseError(field, rules.message("bad_count", lang, value=raw))
    return count


def parse_choices(field: str, raw: object, rules: RuleSet, lang: str = "zh") -> frozenset[str]:
    """Several choices at once: a list, or words separated by commas, 、 or spaces."""
    items = list(raw) if isinstance(raw, (list, tuple, set, frozenset)) else [raw]
    words = [w for item in items for w in _SPLIT_RE.split(_normalise(item)) if w]
    if not words:
        raise CaseError(field, rules.message("missing_value", lang))
    chosen: set[str] = set()
    for word in words:  # a phrase may name several ("打我同事电话还半夜打"): each one counts
        found = match_choice(field, word, rules, many=True)
        if not found.ok:
            raise choice_error(field, word, found, rules, lang)
        chosen.update(found.choices)
    return frozenset(chosen)


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or (
        isinstance(raw, (list, tuple, set, frozenset)) and not raw)


def parse_answer(field: str, raw: object, rules: RuleSet, lang: str = "zh", as_of: date | None = None) -> Any:
    """The one parser of each field. A blank extended answer is None: unknown. `as_of` is the day the
    case is judged on, when known: a repayment cannot come after it."""
    kind = FIELD_KINDS.get(field)
    if kind is None:
        raise CaseError(field, rules.message("unknown_field", lang, value=field))
    if is_blank(raw):
        if field in CORE_FIELDS:
            raise CaseError(field, rules.message("missing_value", lang))
        return None
    if isinstance(raw, str) and len(raw) > MAX_TEXT:
        raise CaseError(field, rules.message("too_long", lang, value=raw, max=MAX_TEXT))
    if isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) > MAX_INT:
        raise CaseError(field, rules.message("too_long", lang, value=f"{Decimal(raw):.3e}", max=MAX_TEXT))
    if kind == "days":
        return parse_days(raw, rules, lang)
    if kind == "amount":
        return parse_amount(raw, rules, lang)
    if kind == "money":
        return parse_amount(raw, rules, lang, field=field, zero_ok=True)
    if kind == "choice":
        return parse_choice(field, raw, rules, lang)
    if kind == "choices":
        return parse_choices(field, raw, rules, lang)
    if kind == "percent":
        return parse_percent(raw, field, rules, lang)
    if kind == "count":
        return parse_count(raw, field, rules, lang)
    return parse_date(raw, field, rules, lang, as_of)


def key_name(name: object) -> str:
    """A column or key name as it is compared: NFKC, stripped, casefolded, `-` read as `_`."""
    return unicodedata.normalize("NFKC", str(name)).strip().casefold().replace("-", "_")


# Every name an answer may be given under: field ids, their column names (逾期天数…) and the case id.
KEYS = {key_name(name): f.id for f in FIELDS for name in (f.id, *f.columns)} | {key_name(n): "id" for n in ID_COLUMNS}


def by_field(answers: Mapping[Any, Any], rules: RuleSet, lang: str = "zh") -> dict[str, Any]:
    """The answers keyed by field id, from any of the names a field goes by. A key that names no field,
    or a field named twice, is a CaseError naming it (with the closest name, if one is close)."""
    from .errors import suggest

    out: dict[str, Any] = {}
    for key, value in answers.items():
        field = KEYS.get(key_name(key))
        if field is None:
            raise CaseError(str(key), rules.message("unknown_field", lang, value=key) + suggest(key_name(key), KEYS))
        if field in out:
            raise CaseError(field, rules.message("batch_twice", lang, name=field))
        out[field] = value
    return out


def build_case(answers: dict[str, Any], rules: RuleSet, lang: str = "zh", case_id: str | None = None,
               as_of: date | None = None) -> Case:
    """Parse a mapping of raw answers into a Case. Raises CaseError for the first bad or missing field."""
    values = {name: parse_answer(name, answers.get(name), rules, lang, as_of) for name in CORE_FIELDS}
    for name in EXTENDED_FIELDS:
        if name in answers:
            values[name] = parse_answer(name, answers[name], rules, lang, as_of)
    return Case(id=case_id, **values)
