"""What answers the person first: the headline, the concerns to answer and a direct answer to each.

All of it is rule data (rules/answers.yaml). It is worked out from the compiled conditions, after the
engine: the conditions test the same answers the rules do, and they cut the band cells too
(partition.py), so within a cell only the concerns a person names change it; records are reused on
that (render/record.py). What a person fears stays out of the engine's table, which holds exactly
what the rules decide.

Which concerns are answered: the ones the person named, in the order the `concerns` field lists its
choices (`concerns_source: given`); otherwise the first `default_concerns` entry that holds for the
case (`concerns_source: default`).
"""

from __future__ import annotations

from .conditions import DERIVED_CHECKS
from .engine import checks, day_stage, overdue_start
from .errors import RuleProblem
from .tuples import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from .models import Assessment
    from .ruleset import RuleSet


def facts(assessment: Assessment, rules: RuleSet) -> dict[str, Any]:
    """What the conditions of an answer can test: the answers and the engine's derived checks."""
    out = assessment.case._asdict()
    out["day_stage"] = day_stage(assessment.case.overdue_days, rules)
    out["overdue_start"] = overdue_start(assessment.case, assessment.as_of)
    out.update(zip(DERIVED_CHECKS, checks(assessment.case, assessment.interest_check, assessment.plan, assessment.as_of)))
    return out


def headline(assessment: Assessment, rules: RuleSet, known: dict[str, Any], lang: str) -> str | None:
    for entry, holds in rules.headlines:
        if ("stage" not in entry or assessment.stage in entry["stage"]) and (holds is None or holds(known)):
            return str(entry["text"][lang])
    return None


def chosen(assessment: Assessment, rules: RuleSet, known: dict[str, Any]) -> tuple[list[str], str]:
    """The concerns to answer, and whether the person gave them or the defaults picked them."""
    given = assessment.case.concerns
    if given:
        return [c["id"] for c in rules.choices("concerns") if c["id"] in given], "given"
    for entry, holds in rules.default_concerns:
        if holds is None or holds(known):
            return list(entry["concerns"]), "default"
    return [], "default"


def answer(concern: str, rules: RuleSet, known: dict[str, Any]) -> dict[str, Any] | None:
    """The first answer to a concern whose `when` holds for the case."""
    for entry, holds in rules.answers.get(concern, []):
        if holds is None or holds(known):
            return entry
    return None


def answer_fields(assessment: Assessment, rules: RuleSet, lang: str) -> dict[str, Any]:
    """The record's `headline`, `concerns`, `concerns_source` and `answers` (CONTRACT §4, additive)."""
    known = facts(assessment, rules)
    concerns, source = chosen(assessment, rules, known)
    answers = [item for item in (answer_item(c, rules, known, lang) for c in concerns) if item is not None]
    return {"headline": headline(assessment, rules, known, lang), "concerns": concerns,
            "concerns_source": source, "answers": answers}


def answer_item(concern: str, rules: RuleSet, known: dict[str, Any], lang: str) -> dict[str, Any] | None:
    """The answer to one concern as a record holds it (CONTRACT §4), None if none holds."""
    entry = answer(concern, rules, known)
    if entry is None:
        return None
    return {
        "concern": concern,
        "id": entry["id"],
        "verdict": entry["verdict"][lang],
        "text": entry["text"][lang],
        "conditions": [c[lang] for c in entry["conditions"]],
        "conditions_are": entry["conditions_are"],
        "references": list(entry["references"]),
    }


def problems(rules: RuleSet) -> list[RuleProblem]:
    """For `rules check`: every concern has a last answer that always holds, and the default concerns
    and the headlines each end with an entry that always holds, so nobody is left without an answer."""
    found = []
    for choice in rules.choices("concerns"):
        entries = rules.answers.get(choice["id"], [])
        if not entries or entries[-1][1] is not None:
            found.append(RuleProblem("(answers)", None, choice["id"], 'this concern needs a last answer '
                                     'without "when", so that every case gets an answer'))
    if rules.choices("concerns"):
        if not rules.default_concerns or rules.default_concerns[-1][1] is not None:
            found.append(RuleProblem("(default_concerns)", None, None, 'the last entry needs no "when"'))
        if not rules.headlines or rules.headlines[-1][1] is not None or "stage" in rules.headlines[-1][0]:
            found.append(RuleProblem("(headlines)", None, None, 'the last headline needs no "stage" and no "when"'))
    return found
