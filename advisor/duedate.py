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
# 上个月15号, 这个月3号, 10月15日, 15号, 上个月底, 10月底; then what people add: 到期, 到期的, 应还, 还款日, 的, 那天.
_DAY_OF_MONTH = re.compile(
    rf"(?:(?P<last>上个?月)|(?P<this>这个?月|本月)|(?P<month>{_NUMBER})月份?)?\s*(?:(?P<day>{_NUMBER})\s*[号日]|(?P<end>[底末]))"
    r"(?:到期|应还|该还|还款日?|的|那天|就?逾期了?)*")
# A due day still to come, whatever the day the case is judged on: 下周到期, 下周三到期, 下个月到期, 下个月15号,
# 月底到期 (this month's end: today at the latest), 年底到期.
_AHEAD = re.compile(rf"(?:下个?(?:周|星期|礼拜)[一二三四五六日天1-7]?|下个?月(?:初|中|底|末|(?:{_NUMBER})\s*[号日])?"
                    r"|(?:这个?|本)?月[底末]|(?:今年|本年|这一?年)?年?年[底末])\s*(?:才|就)?"
                    r"(?:到期|该还|应还|还款日?|逾期)?(?:的|了|啦)*")
# 昨天到期, 上周到期: the due day said by how long ago it was.
_AGO = re.compile(r"(?:(?P<day>大前天|前天|昨天)|(?P<week>上个?(?:周|星期|礼拜)))\s*就?(?:到期|该还|应还|还款日?|逾期)?"
                  r"(?:的|了|啦)*")
_DAYS_AGO = {"昨天": 1, "前天": 2, "大前天": 3}
# A date without its year or month read as the next such day when that is at most NEAR days away (about
# two months) and the last one more than FAR days ago (half a year); when both are near, both are offered.
NEAR, FAR = 62, 183


def due_date_hint(raw: object, rules: RuleSet, lang: str, as_of: date | None,
                  parse_date: Callable[..., date]) -> CaseError | None:
    """The error that offers the days since the date given, or None when `raw` is no date (or the day the
    case is judged on is not known). `parse_date` is parsing's, passed in: parsing calls this."""
    ago = _AGO.fullmatch(raw.strip()) if isinstance(raw, str) else None
    if ago is not None:
        return _ago(str(raw), ago, rules, lang, as_of)
    if isinstance(raw, str) and _AHEAD.fullmatch(raw.strip()):
        return CaseError("overdue_days", rules.message("days_due_ahead", lang, value=raw))
    if as_of is None:
        return None
    upcoming = None
    try:
        day = parse_date(raw, "overdue_days", rules, lang)
    except CaseError:
        found = _day_of_month(raw, as_of) if isinstance(raw, str) else None
        if found is None:
            return None
        day, upcoming = found
    if day >= as_of:  # not due yet, or due today: not overdue
        return CaseError("overdue_days", rules.message("days_date_ahead", lang, value=raw, as_of=as_of))
    days = (as_of - day).days
    if upcoming is not None and (upcoming - as_of).days <= NEAR:
        if days > FAR:  # 12月5号 on 30 November: due in 5 days, not 360 days overdue
            return CaseError("overdue_days", rules.message("days_date_next", lang, value=raw, due=upcoming))
        return CaseError("overdue_days", rules.message("days_date_either", lang, value=raw, as_of=as_of, days=days,
                                                       past=day, due=upcoming))
    return CaseError("overdue_days", rules.message("days_from_date", lang, value=raw, as_of=as_of, days=days))


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


def _day_of_month(text: str, as_of: date) -> tuple[date, date | None] | None:
    """上个月15号 or 10月15号 or 15号: the latest such day not after `as_of` (this month's or last month's 15th,
    this year's or last year's 15 October), and, when the words leave it open (no 上个月 or 这个月), the next
    such day after `as_of` (None if the calendar has none). None for anything else, or a day no calendar has."""
    found = _DAY_OF_MONTH.fullmatch(text.strip())
    if found is None:
        return None
    from .numerals import number

    month_number = number(found.group("month") or "")
    if found.group("end"):  # 上个月底, 10月底: the month's last day (月底 alone is _AHEAD's)
        if not (found.group("last") or found.group("this") or month_number is not None):
            return None
        day = 31
    else:
        day_number = number(found.group("day"))
        if day_number is None:
            return None
        day = int(day_number)
    year, month = as_of.year, as_of.month
    last_month = (year, month - 1) if month > 1 else (year - 1, 12)
    next_month = (year, month + 1) if month < 12 else (year + 1, 1)
    upcoming: tuple[int, int] | None = None
    if found.group("last"):
        year, month = last_month  # 上个月15号
    elif found.group("this"):
        pass  # 这个月20号: this month's, past or not
    elif month_number is None:  # 15号: this month's or last month's 15th, and the one after it
        upcoming = next_month if day <= as_of.day else (year, month)
        if day > as_of.day:
            year, month = last_month
    else:
        month = int(month_number)
        if found.group("end") and 1 <= month <= 12:  # 11月底: compared by its real last day
            from calendar import monthrange

            day = monthrange(year, month)[1]
        upcoming = (year + 1, month) if (month, day) <= (as_of.month, as_of.day) else (year, month)
        if (month, day) > (as_of.month, as_of.day):  # 12月15号 asked in November: last December
            year -= 1
    past = _day(year, month, day, found.group("end") is not None)
    if past is None:
        return None
    after = _day(*upcoming, day, found.group("end") is not None) if upcoming else None
    if after is None and upcoming and month_number is None:  # 31号 on 30 November: 31 December
        year, month = upcoming
        after = _day(year + month // 12, month % 12 + 1, day, False)
    return past, after


def _day(year: int, month: int, day: int, end: bool) -> date | None:
    """That day, or None if the month has none; with `end`, the month's last day."""
    from datetime import date, timedelta

    try:
        if end:
            return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1) if 1 <= month <= 12 else None
        return date(year, month, day)
    except (TypeError, ValueError):
        return None
