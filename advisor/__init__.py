"""advisor: what an overdue loan means for you, your credit report, and what to do now.

The Python API. Imports stay light: nothing here pulls in typer, rich or yaml.

    >>> import advisor
    >>> result = advisor.assess({"overdue_days": 45, "amount": "5000", "platform": "花呗", "negotiation": "none"})
    >>> result["stage"]
    'collection'
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from .models import Assessment, Case
    from .ruleset import RuleSet

__all__ = ["__version__", "assess", "assess_many", "evaluate", "load_ruleset", "parse_case"]


def load_ruleset(paths: list[Any] | None = None) -> RuleSet:
    from .ruleset import load_ruleset as _load

    return _load(paths)


def parse_case(answers: dict[str, Any], rules: RuleSet | None = None, lang: str = "zh",
               as_of: date | None = None) -> Case:
    """Parse raw answers (the same forms the CLI accepts) into a Case; raises CaseError naming the field.
    With `as_of`, the day the case will be judged on, a repayment after it is an error too."""
    from .parsing import build_case

    rules = rules or load_ruleset()
    case_id = answers.get("id")
    return build_case(answers, rules, lang, case_id=None if case_id is None else str(case_id), as_of=as_of)


def evaluate(case: Case, rules: RuleSet, as_of: date) -> Assessment:
    from .engine import evaluate as _evaluate

    return _evaluate(case, rules, as_of)


def assess(
    answers: dict[str, Any],
    *,
    rules: RuleSet | None = None,
    as_of: date | None = None,
    lang: str = "zh",
    explain: bool = False,
) -> dict[str, Any]:
    """Assess one case given as a mapping of answers; returns the JSON record of CONTRACT §4."""
    from .engine import evaluate as _evaluate
    from .render.record import to_record

    rules = rules or load_ruleset()
    as_of = as_of or date.today()
    case = parse_case(answers, rules, lang, as_of)
    return to_record(_evaluate(case, rules, as_of), rules, lang, explain=explain)


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
    """
    from .batch import assess_many as _assess_many

    return _assess_many(rows, rules=rules or load_ruleset(), as_of=as_of or date.today(), lang=lang)
