"""A date typed where the days overdue were asked (2026-10-15, 上个月15号, 10月15号到期): most often the day
the payment fell due. It is not read as days; the person is told how many days that date makes, to give
them or correct it. A date without its year or month is the latest such day not after the assessment date;
one said by how long ago it was (昨天到期, 上周到期) is offered its days too."""

from __future__ import annotations

import re

from .errors import CaseError
from .tuples import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    from .ruleset import RuleSet

_NUMBER = r"\d{1,2}|[一二三四五六七八九十]{1,3}"
# 上个月15号, 这个月3号, 10月15日, 15号; then what people add: 到期, 到期的, 应还, 还款日, 的, 那天.
_DAY_OF_MONTH = re.compile(
    rf"(?:(?P<last>上个?月)|(?P<this>这个?月|本月)|(?P<month>{_NUMBER})月份?)?\s*(?P<day>{_NUMBER})\s*[号日]"
    r"(?:到期|应还|该还|还款日?|的|那天|就?逾期了?)*")
# 昨天到期, 上周到期: the due day said by how long ago it was.
_AGO = re.compile(r"(?:(?P<day>大前天|前天|昨天)|(?P<week>上个?(?:周|星期|礼拜)))\s*就?(?:到期|该还|应还|还款日?|逾期)?"
                  r"(?:的|了|啦)*")
_DAYS_AGO = {"昨天": 1, "前天": 2, "大前天": 3}


def due_date_hint(raw: object, rules: RuleSet, lang: str, as_of: date | None,
                  parse_date: Callable[..., date]) -> CaseError | None:
    """The error that offers the days since the date given, or None when `raw` is no date (or the day the
    case is judged on is not known). `parse_date` is parsing's, passed in: parsing calls this."""
    ago = _AGO.fullmatch(raw.strip()) if isinstance(raw, str) else None
    if ago is not None:
        return _ago(str(raw), ago, rules, lang, as_of)
    if as_of is None:
        return None
    try:
        day = parse_date(raw, "overdue_days", rules, lang)
    except CaseError:
        found = _day_of_month(raw, as_of) if isinstance(raw, str) else None
        if found is None:
            return None
        day = found
    if day >= as_of:  # not due yet, or due today: not overdue
        return CaseError("overdue_days", rules.message("days_date_ahead", lang, value=raw, as_of=as_of))
    return CaseError("overdue_days", rules.message("days_from_date", lang, value=raw, as_of=as_of,
                                                   days=(as_of - day).days))


def _ago(raw: str, found: re.Match[str], rules: RuleSet, lang: str, as_of: date | None) -> CaseError:
    """昨天到期 is 1 day overdue, offered as a date's days are; 上周到期 is offered last week's first and
    last day (by the day the case is judged on: last Sunday to last Monday), or a week."""
    if found.group("day"):
        days = [_DAYS_AGO[found.group("day")]]
        if as_of is not None:
            return CaseError("overdue_days", rules.message("days_from_date", lang, value=raw, as_of=as_of, days=days[0]))
    else:
        days = [as_of.weekday() + 1, as_of.weekday() + 7] if as_of is not None else [7]
    choices = ("、" if lang == "zh" else ", ").join(rules.message("days_n", lang, n=n) for n in days)
    return CaseError("overdue_days", rules.message("vague_days", lang, value=raw, choices=choices))


def _day_of_month(text: str, as_of: date) -> date | None:
    """上个月15号 or 10月15号 or 15号: the latest such day not after `as_of` (this month's or last month's 15th,
    this year's or last year's 15 October); None for anything else, or a day no calendar has."""
    found = _DAY_OF_MONTH.fullmatch(text.strip())
    if found is None:
        return None
    from .numerals import number

    day_number, month_number = number(found.group("day")), number(found.group("month") or "")
    if day_number is None:
        return None
    day, year, month = int(day_number), as_of.year, as_of.month
    last_month = (year, month - 1) if month > 1 else (year - 1, 12)
    if found.group("last") or (not found.group("this") and month_number is None and day > as_of.day):
        year, month = last_month  # 上个月15号; 15号 when this month's 15th is still to come
    elif month_number is not None:
        month = int(month_number)
        if (month, day) > (as_of.month, as_of.day):  # 12月15号 asked in November: last December
            year -= 1
    try:
        return as_of.replace(year=year, month=month, day=day)
    except (TypeError, ValueError):
        return None
