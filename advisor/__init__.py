"""advisor: what an overdue loan means for you, your credit report, and what to do now.

The Python API. Imports stay light: nothing here pulls in typer, rich or yaml.

    >>> import advisor
    >>> result = advisor.assess({"overdue_days": 45, "amount": "5000", "platform": "花呗", "negotiation": "none"})
    >>> result["stage"]
    'collection'
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
LANGS = ("zh", "en")  # every text comes in these; zh is the default

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from .models import Assessment, Case
    from .ruleset import RuleSet

__all__ = ["__version__", "assess", "assess_household", "assess_many", "evaluate", "load_ruleset", "parse_case"]


def load_ruleset(paths: list[Any] | None = None) -> RuleSet:
    from .ruleset import load_ruleset as _load

    return _load(paths)


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
    from .ruleset import builtin_rules_dir

    signature = _signature(str(builtin_rules_dir()))
    if not _default or _default[1] != signature:
        _default[:] = [load_ruleset(), signature, now]
    else:
        _default[2] = now
    rules = _default[0]
    return rules


def _signature(root: str) -> list[tuple[str, int, int, int]]:
    """Every folder and file under the rule folder with its change time, size and inode: a file added,
    removed, edited or replaced changes it."""
    out = []
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
            info = os.stat(folder)
        except OSError:
            continue  # gone: the load that follows says so
        out.append((folder, info.st_mtime_ns, info.st_size, info.st_ino))
        for entry in entries:
            if entry.is_dir():
                folders.append(entry.path)
            else:
                try:
                    info = entry.stat()
                except OSError:
                    continue
                out.append((entry.path, info.st_mtime_ns, info.st_size, info.st_ino))
    return out


def _language(lang: str) -> None:
    from .errors import ArgumentError

    if lang not in LANGS:
        raise ArgumentError(f'lang must be one of {", ".join(LANGS)}, not {lang!r}')


def _day(as_of: object) -> date:
    """The day to judge on; today when not given. Refused plainly when it is not a date."""
    from .errors import ArgumentError

    if as_of is None:
        return date.today()
    if isinstance(as_of, datetime):
        return as_of.date()
    if not isinstance(as_of, date):
        raise ArgumentError(f"as_of must be a datetime.date, not {type(as_of).__name__} {as_of!r}")
    return as_of


def parse_case(answers: Mapping[str, Any], rules: RuleSet | None = None, lang: str = "zh",
               as_of: date | None = None) -> Case:
    """Parse raw answers (the same forms the CLI accepts) into a Case; raises CaseError naming the field.

    Keys are field ids or the batch column names (逾期天数, 金额…), as for `assess_many`; a key that
    names no field is a CaseError. With `as_of`, the day the case will be judged on, a repayment after
    it is an error too."""
    from .errors import ArgumentError
    from .parsing import build_case, by_field

    if not isinstance(answers, Mapping):
        raise ArgumentError(f"answers must be a mapping of field names to answers, not {type(answers).__name__}")
    _language(lang)
    when = None if as_of is None else _day(as_of)
    rules = rules or default_ruleset()
    values = by_field(answers, rules, lang)
    case_id = values.pop("id", None)
    return build_case(values, rules, lang, case_id=None if case_id is None else str(case_id), as_of=when)


def evaluate(case: Case, rules: RuleSet, as_of: date, *, trace: bool = False) -> Assessment:
    """The assessment of a parsed case; `trace=True` adds why each rule fired."""
    from .engine import evaluate as _evaluate

    if as_of is None:
        from .errors import ArgumentError

        raise ArgumentError("as_of must be a datetime.date, not None")
    return _evaluate(case, rules, _day(as_of), trace=trace)


def assess(
    answers: Mapping[str, Any],
    *,
    rules: RuleSet | None = None,
    as_of: date | None = None,
    lang: str = "zh",
    explain: bool = False,
) -> dict[str, Any]:
    """Assess one case given as a mapping of answers; returns the JSON record of CONTRACT §4."""
    from .engine import evaluate as _evaluate
    from .render.record import cached_record

    rules = rules or default_ruleset()
    _language(lang)
    as_of = _day(as_of)
    case = parse_case(answers, rules, lang, as_of)
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
    return _assess_many(rows, rules=rules or default_ruleset(), as_of=as_of, lang=lang)


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
    from .errors import ArgumentError
    from .household import assess_household as _assess

    if isinstance(debts, (str, bytes, Mapping)):
        raise ArgumentError(f"debts must be a list of mappings, not {type(debts).__name__}")
    if person is not None and not isinstance(person, Mapping):
        raise ArgumentError(f"person must be a mapping of field names to answers, not {type(person).__name__}")
    _language(lang)
    return _assess(list(debts), person, rules=rules or default_ruleset(), as_of=_day(as_of), lang=lang,
                   household_id=household_id)
