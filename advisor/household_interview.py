"""The interview's "any other debts?" loop, and the answers it gathers as a Household.

Kept apart from household_input, which reads --debt and answers files, so that answers.py (which runs
the interview) and household_input (which calls answers.gather) do not import each other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from .fields import PERSON_FIELDS
from .tuples import NamedTuple

if TYPE_CHECKING:
    from .ruleset import RuleSet


class Household(NamedTuple):
    """Several debts as raw answers: each debt's own, and the person's once."""

    debts: list[dict[str, Any]]
    person: dict[str, Any]


def more_debts(first: dict[str, Any], rules: RuleSet, lang: str, read: Callable[[str], str],
               say: Callable[[str], None], *, as_of: date, quick: bool, width: int) -> list[dict[str, Any]]:
    """After the first debt's questions: "any other debts?", and the questions about each one (the
    answers about the person are not asked again). Returns the other debts' answers."""
    from .household import MAX_DEBTS
    from .interview import ask_yes_no, complete

    person = {k: v for k, v in first.items() if k in PERSON_FIELDS and v is not None}
    extra: list[dict[str, Any]] = []
    while len(extra) + 1 < MAX_DEBTS:
        say("")
        try:
            more = ask_yes_no(rules.text("household_more_debts", lang), rules, lang, read, say)
        except EOFError:  # input ended: the answer to an optional question is "no"
            break
        if not more:
            break
        say(rules.message("household_next_debt", lang, n=len(extra) + 2))
        answers = complete(dict(person), rules, lang, read, say, as_of=as_of, quick=quick,
                           given=frozenset(PERSON_FIELDS), width=width)
        extra.append({k: v for k, v in answers.items() if k not in PERSON_FIELDS and v is not None})
    return extra


def split(first: dict[str, Any], extra: list[dict[str, Any]]) -> Household:
    """The interview's answers (parsed) as a Household of raw answers, which the parsers read back."""
    from .models import plain

    # A platform named by its product goes back as that name, so the debt keeps it (case.product).
    person = {k: plain(v) for k, v in first.items() if k in PERSON_FIELDS and v is not None}
    debts = [{k: getattr(v, "product", None) or plain(v) for k, v in d.items() if k not in PERSON_FIELDS
              and v is not None} for d in [first, *extra]]
    return Household(debts, person)


