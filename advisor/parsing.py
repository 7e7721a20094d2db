"""One parser per answer. Flags, prompts, batch rows, rule examples and the Python API all use these."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from . import fields
from .errors import CaseError
from .fields import FIELDS, ID_COLUMNS, MAX_COUNT, MAX_DAYS
from .matching import Crisis, choice_error, crisis_text
from .matching import match as match_choice
from .matching import read as read_choice
from .models import CORE_FIELDS, EXTENDED_FIELDS, FIELD_KINDS, Case
from .tuples import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from .ruleset import RuleSet

MAX_AMOUNT = Decimal(fields.MAX_AMOUNT)
CENT = Decimal("0.01")

# Fast paths for the spellings nearly every spreadsheet cell uses, tried on the raw text (ASCII digits
# only: anything else, full-width digits included, takes the full path through numerals.py).
_FAST_AMOUNT = re.compile(r"[¥￥]?([0-9]+(?:\.[0-9]*)?|[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?)([万千wWkK]?)(?:元|块钱|块)?")
_FAST_DAYS = re.compile(r"([0-9]{1,9}) ?(?:天|日|days?)?")
_FAST_PERCENT = re.compile(r"(?:年化|年利率)?([1-9][0-9]*(?:\.[0-9]+)?)%?")
_UNIT = {"": 1, "万": 10000, "w": 10000, "W": 10000, "千": 1000, "k": 1000, "K": 1000}
# Compiled on first use, in re's own cache: most runs need none, and compiling them cost a warm start.
# 5.000 is 5 yuan, or 5,000 where a dot groups thousands: asked, never read (12.345 has no cents reading, 0.500 no thousands one).
_DOT_GROUPED = r"[¥￥]?([1-9][0-9]{0,2}\.[0-9]{2}0)(?:元|块钱|块)?"
_COUNT = r"^(\S{1,8}?)\s*(?:笔|个|家|项|份)?$"
_DATE = fields.DATE_FORMS
_SPLIT = r"[,，、;；/\s]+"
_LIST = r"[,，、;；/]+"  # between answers; a space may be inside one ("night calls")
TAKE_HOME = ("monthly_income", "received")  # 到手5000: the pay or the loan money in hand
MAX_PERCENT = Decimal(fields.MAX_PERCENT)
# A bare figure below it (2, 1.5: no %, no period) is as likely 月息2分, 24% a year, as 2% a year: asked.
LOW_RATE = Decimal(5)
MAX_PERCENT_PLACES = 4  # 23.9999% is the finest any contract states; more is noise or an attack
MAX_TEXT = 100  # characters in one typed answer: far above any real one, and cheap to reject
MAX_INT = 10**18  # a whole number beyond this is no answer (and Python will not print one past 4,300 digits)
MIN_DATE = date(1900, 1, 1)  # dates: a loan contract, a repayment or the assessment day
MAX_DATE = date(2199, 12, 31)  # keeps five years of record retention far inside what a date can hold


def _normalise(raw: object) -> str:
    # NFKC folds full-width digits and punctuation (４５，０００) that Chinese input methods produce.
    return unicodedata.normalize("NFKC", str(raw)).strip()


class Rate(Decimal):
    """An annual rate in percent that the person gave per day or per month (日息万分之五): `given` is
    (period, rate per period), so the report can show the conversion. Equal to the plain Decimal."""

    given: tuple[str, Decimal]

    def __reduce__(self) -> tuple[Any, ...]:
        return _rate, (str(self), self.given)


def _rate(value: str, given: tuple[str, Decimal]) -> Rate:
    out = Rate(value)
    out.given = given
    return out


def _spreadsheet(raw: object) -> object:
    """A value as Python's own: numpy and pandas scalars unwrapped (np.float64(5000.0) is 5000.0),
    NaN, pd.NA and NaT blank (how pandas spells an empty cell), a datetime its date."""
    cls = raw.__class__
    if cls is str or cls is int:
        return raw
    if cls.__module__.startswith(("numpy", "pandas")):
        if cls.__name__ in ("NAType", "NaTType"):
            return None
        item = getattr(raw, "item", None)
        if callable(item) and getattr(raw, "ndim", 0) == 0:
            raw = item()
    if isinstance(raw, float) and raw != raw:
        return None
    if isinstance(raw, datetime):
        return raw.date()
    return raw


def _whole(raw: object) -> int | None:
    """A whole number given as a number: 45, 45.0, Decimal("45"); None for anything else."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, (float, Decimal)):
        value = Decimal(repr(raw)) if isinstance(raw, float) else raw
        return int(value) if value.is_finite() and value == value.to_integral_value() else None
    return None


def _days_list(days: list[int], rules: RuleSet, lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(rules.message("days_n", lang, n=n) for n in days)


def _says_none(field: str, text: str, rules: RuleSet) -> bool:
    """没有, 无, 还没逾期: an answer meaning 0, in the words rules/ui.yaml lists (both bared: 快到期了 is 快到期)."""
    from .numerals import bare

    key = f" zero {field}"
    words: frozenset[str] | None = rules.matchers.get(key)
    if words is None:
        listed = rules.ui.get(f"answer_zero_{field}") or {}
        words = rules.matchers[key] = frozenset(
            bare(w.strip().casefold()) for lang in fields.LANGS if lang in listed for w in re.split(_LIST, listed[lang]))
    return bare(text) in words


def parse_days(raw: object, rules: RuleSet, lang: str = "zh", as_of: date | None = None) -> int:
    """Days overdue: 45, 45天, 十二天, 两周, 半个月, 一年; a vague one (一个多月) is offered the nearest, never guessed."""
    found: int | None
    if raw.__class__ is str and raw.isascii() and raw.isdigit() and len(raw) < 10:
        found = int(raw)
    elif raw.__class__ is str and (fast := _FAST_DAYS.fullmatch(raw)):
        found = int(fast.group(1))
    elif isinstance(raw, (bool, int, float, Decimal)):
        found = _whole(raw)
    else:
        from . import numerals  # only for numbers in words (十二天): its patterns take milliseconds to build
        from .duedate import due_date_hint  # only for words too (上个月15号)

        text = _normalise(raw).lower()
        words = 0 if _says_none("overdue_days", text, rules) else numerals.days(text)
        if not isinstance(words, int) and (hint := due_date_hint(raw, rules, lang, as_of, parse_date)):  # due day?
            raise hint
        if isinstance(words, numerals.Bucket):  # M2: a lender's bracket of days, never a figure
            low, high = words.suggestions
            raise CaseError("overdue_days", rules.message("days_bucket", lang, value=raw, low=low, high=high))
        if isinstance(words, numerals.Vague):
            if not words.suggestions:
                raise CaseError("overdue_days", rules.message("vague_days_none", lang, value=raw))
            raise CaseError("overdue_days", rules.message(
                "vague_days", lang, value=raw, choices=_days_list(words.suggestions, rules, lang)))
        found = words
    if found is None:
        raise CaseError("overdue_days", rules.message("bad_days", lang, value=raw))
    if not 0 <= found <= MAX_DAYS:
        raise CaseError("overdue_days", rules.message("days_range", lang, value=raw, max=MAX_DAYS))
    return found


def parse_amount(raw: object, rules: RuleSet, lang: str = "zh", field: str = "amount", zero_ok: bool = False) -> Decimal:
    """Money: 5000, 5,000, ¥12,000.00, 3万, 1.2w, 5k, 两万块, 三千八, 一万二, 十万零五百."""
    if isinstance(raw, bool):
        raise CaseError(field, rules.message("bad_amount", lang, value=raw))
    value: Decimal | None
    if isinstance(raw, float):  # from JSON or a frame: its shortest decimal spelling, as a number (1e308 too large)
        value = Decimal(raw := repr(raw))
    elif raw.__class__ is str and ("." in raw or "．" in raw) and (dotted := re.fullmatch(_DOT_GROUPED, _normalise(raw))):
        small = Decimal(dotted.group(1))
        raise CaseError(field, rules.message("amount_dot", lang, value=raw, small=f"{small:.2f}",
                                             large=f"{small * 1000:.0f}"))
    elif fast := (_FAST_AMOUNT.fullmatch(raw) if raw.__class__ is str else None):
        value = Decimal(fast.group(1).replace(",", "")) * _UNIT[fast.group(2)]
    elif isinstance(raw, (int, Decimal)):
        value = Decimal(raw)
    else:
        text = _normalise(raw).lower()
        sign = text[:1] if text[:1] in "+-" else ""
        from . import numerals  # only for numbers in words (两万块)

        per_month = field != "amount"  # income and costs are monthly figures; the amount owed is a total
        value = Decimal(0) if zero_ok and _says_none(field, text, rules) else numerals.amount(
            text[len(sign):].lstrip(), per_month, take_home=field in TAKE_HOME) if text else None
        if value is None:
            # 每月5000 for the amount owed: a monthly payment, not the total. 几千, 两三万: vague.
            key = ("amount_monthly" if not per_month and numerals.monthly(text) else
                   "vague_amount" if numerals.is_vague(text) else "bad_amount")
            raise CaseError(field, rules.message(key, lang, value=raw))
        if sign == "-":
            value = -value
    if not value.is_finite():
        raise CaseError(field, rules.message("bad_amount", lang, value=raw))
    if value < 0 or (value == 0 and not zero_ok) or value > MAX_AMOUNT:
        raise CaseError(field, rules.message("money_range" if zero_ok else "amount_range", lang, value=raw))
    cents = value.quantize(CENT)
    if value != cents:
        raise CaseError(field, rules.message("amount_cents", lang, value=raw))
    return cents


def field_name(field: str, rules: RuleSet, lang: str) -> str:
    """An answer as a message names it: in Chinese its Chinese name with the id in brackets for
    scripts (催收方式（collection）), never a bare English id mid-sentence; in English the id."""
    name = rules.ui.get(f"field_{field}")
    return f"{name['zh']}（{field}）" if lang == "zh" and name else field


def named(field: str | None, message: str, rules: RuleSet, lang: str) -> str:
    """`message` after the name of the answer it concerns: 逾期金额（amount）：… / amount: …"""
    if not field:
        return message
    return field_name(field, rules, lang) + ("：" if lang == "zh" else ": ") + message


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
        match = re.match(_DATE, _normalise(raw))
        try:
            if not match:
                raise ValueError
            day = date(int(match.group(1)), int(match.group(2)), int(match.group(3) or 1))
        except ValueError:
            raise CaseError(what, rules.message("bad_date", lang, value=raw)) from None
        if match.group(3) is None:  # 2026年3月: the day forgotten; any day of that month will do
            raise CaseError(what, rules.message("date_month_only", lang, value=raw, first=day))
    if not MIN_DATE <= day <= MAX_DATE:
        raise CaseError(what, rules.message("date_range", lang, value=raw, min=MIN_DATE, max=MAX_DATE))
    if what in ("repaid_on", "contract_date") and as_of is not None and day > as_of:  # neither can be yet
        raise CaseError(what, rules.message(f"{what.split('_')[0]}_after_as_of", lang, value=raw, as_of=as_of))
    return day


def parse_percent(raw: object, field: str, rules: RuleSet, lang: str = "zh") -> Decimal:
    """An annual rate in percent, as an app or contract shows it: 36, 36%, 年化36%, 23.99%; or per day
    or month (日息万分之五, 日利率0.05%: x365; 月息2分, 月利率2%: x12), read as the annual rate."""
    if isinstance(raw, bool):
        raise CaseError(field, rules.message("bad_percent", lang, value=raw))
    fast = _FAST_PERCENT.fullmatch(raw) if raw.__class__ is str else None
    found: tuple[Decimal, str, Decimal] | None
    from . import numerals, rates  # a rate is a rare answer, and often in words (日息万分之五)

    if fast:
        number = Decimal(fast.group(1))
        text, found = fast.group(0), (number, "year", number)
    else:
        text = repr(raw) if isinstance(raw, float) else _normalise(raw).lower().replace(" ", "")
        if any(word in text for word in rates.FEE_WORDS):  # 月费率1.5%: its real annual rate is far above 18%
            raise CaseError(field, rules.message("rate_fee", lang, value=raw))
        found = rates.rate(text)
    if found is None:
        daily = rates.per_day(text)  # 万5: surely 日息万分之五, yet asked, offering it
        key = "rate_wan" if daily else "rate_period" if rates.needs_period(text) else "bad_percent"
        raise CaseError(field, rules.message(key, lang, value=raw, n=text[1:], apr=daily and daily[0]))
    value, period, per = found
    if period == "year" and value < 1 and not rates.names_period(text):
        raise CaseError(field, rules.message("rate_period", lang, value=raw))  # 0.05%: surely not a year
    if value < 1 and not any(sign in text for sign in ("%", "分", "厘", "‰", "万")):
        raise CaseError(field, rules.message("rate_fraction", lang, value=raw))  # 年化0.24: 24% or 0.24%?
    if field == "apr" and period == "year" and value < LOW_RATE and "%" not in text and not rates.names_period(text):
        monthly = format((value * numerals.PERIODS_PER_YEAR["month"]).normalize(), "f")  # 2: 2% a year or 月息2分?
        raise CaseError(field, rules.message("rate_small", lang, value=raw, n=value, apr=monthly))
    if -value.as_tuple().exponent > MAX_PERCENT_PLACES:  # type: ignore[operator] # finite: from the regex
        raise CaseError(field, rules.message("percent_places", lang, value=raw, places=MAX_PERCENT_PLACES))
    if not 0 < value <= MAX_PERCENT:
        raise CaseError(field, rules.message("percent_range", lang, value=raw, max=MAX_PERCENT))
    return value if period == "year" else _rate(str(value), (period, per))


def parse_count(raw: object, field: str, rules: RuleSet, lang: str = "zh") -> int:
    if isinstance(raw, bool):
        raise CaseError(field, rules.message("bad_count", lang, value=raw))
    count = _whole(raw)
    if count is None:
        match = re.match(_COUNT, _normalise(raw))
        from . import numerals

        value = numerals.number(match.group(1)) if match else None  # 2, 2笔, 两笔, 三个
        value = Decimal(0) if value is None and _says_none(field, _normalise(raw).lower(), rules) else value
        if value is None or value != value.to_integral_value():
            raise CaseError(field, rules.message("bad_count", lang, value=raw))
        count = int(value)
    if not 0 <= count <= MAX_COUNT:
        raise CaseError(field, rules.message("bad_count", lang, value=raw))
    return count


def parse_choices(field: str, raw: object, rules: RuleSet, lang: str = "zh") -> frozenset[str]:
    """Several choices at once: a list, or words separated by commas, 、 or spaces."""
    items = list(raw) if isinstance(raw, (list, tuple, set, frozenset)) else [raw]
    chosen: set[str] = set()
    words = []
    for piece in (p.strip() for item in items for p in re.split(_LIST, _normalise(item))):
        whole = match_choice(field, piece, rules, many=True) if " " in piece else None
        if whole is not None and (whole.ok or whole.crisis):  # "night calls", "I want to die": one answer
            if not whole.ok:
                raise choice_error(field, piece, whole, rules, lang)
            chosen.update(whole.choices)
        else:
            words += [w for w in re.split(_SPLIT, piece) if w]
    if not words and not chosen:
        raise CaseError(field, rules.message("missing_value", lang))
    for word in words:  # each part counts ("打我同事电话还半夜打"), one naming none ("我欠了钱") goes beside others
        found = match_choice(field, word, rules, many=True)
        if not found.ok and not (found.idle and not all(match_choice(field, w, rules, True).idle for w in words)):
            raise choice_error(field, "，".join(words) if found.idle else word, found, rules, lang)
        chosen.update(found.choices)
    return frozenset(chosen)


def is_blank(raw: object) -> bool:
    if raw.__class__ is str:  # nearly every answer: decided at once
        return not raw.strip()
    return raw is None or (isinstance(raw, float) and raw != raw) or (isinstance(raw, str) and not raw.strip()) or (
        isinstance(raw, (list, tuple, set, frozenset)) and not raw)


def parse_answer(field: str, raw: object, rules: RuleSet, lang: str = "zh", as_of: date | None = None) -> Any:
    """The one parser of each field. A blank extended answer is None: unknown. `as_of` is the day the
    case is judged on, when known: a repayment cannot come after it."""
    kind = FIELD_KINDS.get(field)
    if kind is None:
        raise CaseError(field, rules.message("unknown_field", lang, value=field))
    if raw.__class__ is not str:
        raw = _spreadsheet(raw)
    if is_blank(raw):
        if field in CORE_FIELDS:
            raise CaseError(field, rules.message("missing_value", lang))
        return None
    if isinstance(raw, str) and len(raw) > MAX_TEXT:
        raise CaseError(field, rules.message("too_long", lang, value=raw, max=MAX_TEXT))
    if isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) > MAX_INT:
        raise CaseError(field, rules.message("too_long", lang, value=f"{Decimal(raw):.3e}", max=MAX_TEXT))
    if kind == "choice" and isinstance(raw, (list, tuple, set, frozenset, Mapping)):  # ["花呗"]: one answer is asked
        raise CaseError(field, rules.message("one_choice", lang, value=raw))
    if kind in ("choice", "choices"):
        return (parse_choice if kind == "choice" else parse_choices)(field, raw, rules, lang)
    try:
        if kind == "days":
            return parse_days(raw, rules, lang, as_of)
        if kind == "amount":
            return parse_amount(raw, rules, lang)
        if kind == "money":
            return parse_amount(raw, rules, lang, field=field, zero_ok=True)
        if kind == "percent":
            return parse_percent(raw, field, rules, lang)
        if kind == "count":
            return parse_count(raw, field, rules, lang)
        return parse_date(raw, field, rules, lang, as_of)
    except CaseError:
        said = crisis_text(raw, rules) if isinstance(raw, str) else None  # "不想活了" to "how many days?"
        if said is None:
            raise
        raise Crisis(field, said[lang]) from None


def key_name(name: object) -> str:
    """A column or key name as it is compared: NFKC, stripped, casefolded, `-` read as `_`."""
    return unicodedata.normalize("NFKC", str(name)).strip().casefold().replace("-", "_")


# Every name an answer may be given under: field ids, their column names (逾期天数…) and the case id.
KEYS = {key_name(name): f.id for f in FIELDS for name in (f.id, *f.columns)} | {key_name(n): "id" for n in ID_COLUMNS}


def unknown_key(key: object, rules: RuleSet, lang: str) -> str:
    """The message for a key that names no answer, with the closest name a key may take, if one is close."""
    from .errors import closest  # only when something is wrong

    guess = closest(key_name(key), KEYS)
    if guess is None:
        return rules.message("unknown_field", lang, value=key)
    return rules.message("unknown_field_guess", lang, value=key, guess=guess)


def by_field(answers: Mapping[Any, Any], rules: RuleSet, lang: str = "zh") -> dict[str, Any]:
    """The answers keyed by field id, from any of the names a field goes by. A key that names no field,
    or a field named twice, is a CaseError naming it (with the closest name, if one is close)."""
    out: dict[str, Any] = {}
    for key, value in answers.items():
        field = KEYS.get(key) or KEYS.get(key_name(key))  # a field id is its own key name: no need to normalise
        if field is None:
            raise CaseError(str(key), unknown_key(key, rules, lang))
        if field in out:
            raise CaseError(field, rules.message("batch_twice", lang, name=field_name(field, rules, lang)))
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
