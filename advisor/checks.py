"""What `advisor rules check` checks beyond loading: every example, content lint, and coverage."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from .engine import evaluate
from .errors import CaseError, RuleProblem
from .models import ORDERED_OUTPUTS
from .parsing import build_case
from .ruleset import RuleSet
from .safetext import describe

# A step is read on a phone-sized terminal: about two lines of 80 columns at most.
STEP_MAX_CHARS = {"zh": 64, "en": 200}


class ExampleResult(NamedTuple):
    rule: str
    file: str
    line: int | None
    column: int | None
    problems: list[str]

    @property
    def passed(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "file": self.file, "line": self.line, "passed": self.passed,
                "problems": self.problems}


def _check_example(rules: RuleSet, rule: dict[str, Any], ex: dict[str, Any], today: date) -> list[str]:
    try:
        case = build_case(ex["case"], rules, "en")
    except CaseError as exc:
        return [f"example case: {exc.field}: {exc.message}"]
    as_of = date.fromisoformat(ex["as_of"]) if ex.get("as_of") else today
    result = evaluate(case, rules, as_of)
    found = []
    if rule["id"] not in result.rules_fired:
        found.append(f"example does not fire the rule (as of {as_of})")
    expect = ex["expect"]
    for key in ORDERED_OUTPUTS:
        if key in expect and getattr(result, key) != expect[key]:
            found.append(f"expected {key} {expect[key]}, got {getattr(result, key)}")
    present = {*result.consequences, *(s.id for s in result.steps), *result.references}
    found += [f'expected "{w}" in the result; it is missing' for w in expect.get("includes", []) if w not in present]
    found += [f'expected no "{u}" in the result; it is there' for u in expect.get("excludes", []) if u in present]
    return found


def example_results(rules: RuleSet, today: date) -> list[ExampleResult]:
    return [
        ExampleResult(rule["id"], rule["file"], ex["line"], ex.get("column"), _check_example(rules, rule, ex, today))
        for rule in rules.rules
        for ex in rule["examples"]
    ]


def run_examples(rules: RuleSet, today: date) -> tuple[int, list[RuleProblem]]:
    """How many examples ran, and a problem for each expectation not met."""
    results = example_results(rules, today)
    return len(results), example_problems(results)


def example_problems(results: list[ExampleResult]) -> list[RuleProblem]:
    return [RuleProblem(r.file, r.line, r.rule, msg, r.column) for r in results for msg in r.problems]


def lint(rules: RuleSet) -> list[RuleProblem]:
    """Content rules the loader cannot see: no text that could drive a terminal, readable steps, and no
    legal consequence without its law."""
    found = [RuleProblem(file, line, None, f"character {describe(char)} could drive the terminal or disguise "
                         "the text: remove it", column)
             for file, line, column, char in rules.data["unsafe_text"]]
    for step in rules.steps.values():
        for lang, limit in STEP_MAX_CHARS.items():
            if len(step["text"][lang]) > limit:
                found.append(RuleProblem("(steps)", None, step["id"],
                                         f"{lang} text has {len(step['text'][lang])} characters; keep steps "
                                         f"within {limit} to read on a narrow terminal"))
    for ref in rules.references.values():
        if not ref.get("title") or not ref.get("text"):
            found.append(RuleProblem("(references)", None, ref["id"], "a reference needs a title and a text"))
    legal = {cid for cid, c in rules.consequences.items() if c.get("legal")}
    for rule in rules.rules:
        stated = legal.intersection(rule["consequences"])
        if stated and not rule["references"]:
            found.append(RuleProblem(rule["file"], rule["line"], rule["id"],
                                     f"states a legal consequence ({', '.join(sorted(stated))}) "
                                     "without a reference: cite the law it rests on"))
    return found
