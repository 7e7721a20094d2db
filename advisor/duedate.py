"""A date typed where the days overdue were asked (2026-10-15): most often the day the payment fell due.
It is not read as days; the person is told how many days that date makes, to give them or correct it."""

from __future__ import annotations

from .errors import CaseError
from .tuples import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    from .ruleset import RuleSet


def due_date_hint(raw: object, rules: RuleSet, lang: str, as_of: date | None,
                  parse_date: Callable[..., date]) -> CaseError | None:
    """The error that offers the days since the date given, or None when `raw` is no date (or the day the
    case is judged on is not known). `parse_date` is parsing's, passed in: parsing calls this."""
    if as_of is None:
        return None
    try:
        day = parse_date(raw, "overdue_days", rules, lang)
    except CaseError:
        return None
    if day >= as_of:  # not due yet, or due today: not overdue
        return CaseError("overdue_days", rules.message("days_date_ahead", lang, value=raw, as_of=as_of))
    return CaseError("overdue_days", rules.message("days_from_date", lang, value=raw, as_of=as_of,
                                                   days=(as_of - day).days))
