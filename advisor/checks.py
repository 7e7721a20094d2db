"""Run every rule's embedded examples: each must fire its rule and meet what it expects."""

from __future__ import annotations

from datetime import date

from .engine import evaluate
from .errors import CaseError, RuleProblem
from .models import ORDERED_OUTPUTS
from .parsing import build_case
from .ruleset import RuleSet


def run_examples(rules: RuleSet, today: date) -> tuple[int, list[RuleProblem]]:
    """Returns how many examples ran and the problems found (empty when all pass)."""
    problems: list[RuleProblem] = []
    count = 0
    for rule in rules.rules:
        for ex in rule["examples"]:
            count += 1
            where = (rule["file"], ex["line"], rule["id"])
            col = {"column": ex.get("column")}
            try:
                case = build_case(ex["case"], rules, "en")
            except CaseError as exc:
                problems.append(RuleProblem(*where, f"example case: {exc.field}: {exc.message}", **col))
                continue
            as_of = date.fromisoformat(ex["as_of"]) if ex.get("as_of") else today
            result = evaluate(case, rules, as_of)
            if rule["id"] not in result.rules_fired:
                problems.append(RuleProblem(*where, f"example does not fire the rule (as of {as_of})", **col))
            expect = ex["expect"]
            for key in ORDERED_OUTPUTS:
                if key in expect and getattr(result, key) != expect[key]:
                    problems.append(RuleProblem(
                        *where, f"expected {key} {expect[key]}, got {getattr(result, key)}", **col))
            present = {*result.consequences, *(s.id for s in result.steps), *result.references}
            for wanted in expect.get("includes", []):
                if wanted not in present:
                    problems.append(RuleProblem(*where, f'expected "{wanted}" in the result; it is missing', **col))
            for unwanted in expect.get("excludes", []):
                if unwanted in present:
                    problems.append(RuleProblem(*where, f'expected no "{unwanted}" in the result; it is there', **col))
    return count, problems
