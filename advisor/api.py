"""The functions of the Python API (`advisor.assess` and the rest), imported when first used so that
`import advisor` stays light. Every function takes the same keys and refuses the same mistakes."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime

from .engine import evaluate as _evaluate
from .errors import ArgumentError
from .fields import LANGS
from .models import Assessment, Case
from .parsing import MAX_DATE, MIN_DATE, build_case, by_field
from .render.record import cached_record
from .rulefiles import FileStats, file_stats, rule_files
from .ruleset import RuleSet, load_ruleset
from .tuples import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

# The built-in rule set, loaded once per process: (rule set, signature of its files, when last checked).
_default: list[Any] = []
RECHECK_SECONDS = 1.0  # how soon an edit to the built-in rule files is noticed


def default_ruleset() -> RuleSet:
    """The built-in rule set, reused across calls; loaded again when one of its files changes.

    Looking at the files costs more than assessing a case, so they are looked at once a second at most."""
    now = time.monotonic()
    if _default and now - _default[2] < RECHECK_SECONDS:
        rules: RuleSet = _default[0]
        return rules
    signature = _signature()
    if not _default or signature is None or _default[1] != signature:
        _default[:] = [load_ruleset(), signature, now]
    else:
        _default[2] = now
    rules = _default[0]
    return rules


def _signature() -> list[FileStats] | None:
    """The built-in rule files and their stats: a file added, removed, edited or replaced changes it."""
    from .ruleset import builtin_rules_dir  # looked up at each check: tests stand a copy of the rules in

    try:
        return file_stats(rule_files([builtin_rules_dir()]))
    except OSError:
        return None  # gone: the load that follows says so


def _language(lang: str) -> None:
    if lang not in LANGS:
        raise ArgumentError(f'lang must be one of {", ".join(LANGS)}, not {lang!r}')


def _day(as_of: object) -> date:
    """The day to judge on; today when not given. Refused plainly when it is not a date, or one outside
    the days any date answer may take (as `--as-of` is)."""
    if as_of is None:
        return date.today()
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    if not isinstance(as_of, date):
        raise ArgumentError(f"as_of must be a datetime.date, not {type(as_of).__name__} {as_of!r}")
    if not MIN_DATE <= as_of <= MAX_DATE:
        raise ArgumentError(f"as_of must be a date from {MIN_DATE} to {MAX_DATE}, not {as_of}")
    return as_of


def _rules(rules: object) -> RuleSet:
    """The rule set to use: the built-in one when not given; anything but a RuleSet refused plainly."""
    if rules is None:
        return default_ruleset()
    if not isinstance(rules, RuleSet):
        raise ArgumentError(f"rules must be a RuleSet from advisor.load_ruleset(…), not {type(rules).__name__} "
                            f"{rules!r:.60}")
    return rules


def _many(items: object, name: str) -> Iterable[Any]:
    """An iterable of mappings, as `assess_many` and `assess_household` take: one mapping, a string or
    something that is no iterable at all is a mistake to name, not something to iterate."""
    if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Iterable):
        raise ArgumentError(f"{name} must be an iterable of mappings (one per case), not {type(items).__name__}")
    return items


def parse_case(answers: Mapping[str, Any], rules: RuleSet | None = None, lang: str = "zh",
               as_of: date | None = None) -> Case:
    """Parse raw answers (the same forms the CLI accepts) into a Case; raises CaseError naming the field.

    Keys are field ids or the batch column names (逾期天数, 金额…), as for `assess_many`; a key that
    names no field is a CaseError. With `as_of`, the day the case will be judged on, a repayment after
    it is an error too."""
    _language(lang)
    return _parse(answers, _rules(rules), lang, None if as_of is None else _day(as_of))


def _parse(answers: Mapping[str, Any], rules: RuleSet, lang: str, as_of: date | None) -> Case:
    if not isinstance(answers, Mapping):
        raise ArgumentError(f"answers must be a mapping of field names to answers, not {type(answers).__name__}")
    values = by_field(answers, rules, lang)
    case_id = values.pop("id", None)
    return build_case(values, rules, lang, case_id=None if case_id is None else str(case_id), as_of=as_of)


def evaluate(case: Case, rules: RuleSet, as_of: date, *, trace: bool = False) -> Assessment:
    """The assessment of a parsed case; `trace=True` adds why each rule fired."""
    if as_of is None:
        raise ArgumentError("as_of must be a datetime.date, not None")
    if not isinstance(case, Case):
        raise ArgumentError(f"case must be a Case from advisor.parse_case(…), not {type(case).__name__}")
    return _evaluate(case, _rules(rules), _day(as_of), trace=trace)


def assess(
    answers: Mapping[str, Any],
    *,
    rules: RuleSet | None = None,
    as_of: date | None = None,
    lang: str = "zh",
    explain: bool = False,
) -> dict[str, Any]:
    """Assess one case given as a mapping of answers; returns the JSON record of CONTRACT §4."""
    rules = _rules(rules)
    _language(lang)
    as_of = _day(as_of)
    case = _parse(answers, rules, lang, as_of)
    return cached_record(_evaluate(case, rules, as_of, trace=explain), rules, lang, explain=explain)


def assess_many(
    rows: Iterable[Mapping[str, Any]],
    *,
    rules: RuleSet | None = None,
    as_of: date | None = None,
    lang: str = "zh",
) -> Iterator[dict[str, Any]]:
    """Assess many cases, lazily: one record per input mapping, in order, as `advisor batch` writes them.

    Keys are field ids or the batch column names (逾期天数, 金额…); an optional "id" is echoed. A row
    that cannot be assessed yields {"row": N, "id": …, "error": {"field": …, "message": …}} and the
    rest go on. NaN counts as an empty cell, so `df.to_dict("records")` from pandas works as it is.
    A key that names no field (a frame's other columns) is left out and named once, when first met, in
    an `advisor.errors.UnknownKeysWarning` (with the closest name); make it an error with
    `warnings.simplefilter("error", UnknownKeysWarning)`. `assess` and `parse_case` refuse such a key.
    """
    from .batch import assess_many as _assess_many

    _language(lang)
    as_of = _day(as_of)
    return _assess_many(_many(rows, "rows"), rules=_rules(rules), as_of=as_of, lang=lang)


def assess_household(
    debts: Iterable[Mapping[str, Any]],
    person: Mapping[str, Any] | None = None,
    *,
    rules: RuleSet | None = None,
    as_of: date | None = None,
    lang: str = "zh",
    household_id: str | None = None,
) -> dict[str, Any]:
    """Several debts of one person: the household record (README "Several debts"), with the order to
    deal with them, one plan that adds up and each debt's own record.

    `debts` holds each debt's answers (keys as for `assess`); `person` the answers about the person,
    given once (income, expenses, hardship, concerns…). A bad answer raises CaseError, its message
    naming the debt ("第2笔欠款：…") and its `debt` the debt's number from 1."""
    from .household import assess_household as _assess

    _many(debts, "debts")
    if person is not None and not isinstance(person, Mapping):
        raise ArgumentError(f"person must be a mapping of field names to answers, not {type(person).__name__}")
    if household_id is not None and not isinstance(household_id, str):
        raise ArgumentError(f"household_id must be a str, not {type(household_id).__name__}")
    _language(lang)
    return _assess(list(debts), person, rules=_rules(rules), as_of=_day(as_of), lang=lang,
                   household_id=household_id)
