"""What `advisor rules check` checks beyond loading: every example, content lint, and coverage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from .engine import evaluate
from .errors import CaseError, RuleProblem
from .models import ORDERED_OUTPUTS, Assessment, Case
from .parsing import build_case
from .ruleset import RuleSet
from .safetext import describe
from .tuples import NamedTuple

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


def _unmet(result: Assessment, fired: set[str], rule: dict[str, Any], expect: dict[str, Any]) -> list[str]:
    """What one example expects of its situation's assessment and does not get."""
    found = []
    if rule["id"] not in fired:
        found.append(f"example does not fire the rule (as of {result.as_of})")
    for key in ORDERED_OUTPUTS:
        if key in expect and getattr(result, key) != expect[key]:
            found.append(f"expected {key} {expect[key]}, got {getattr(result, key)}")
    present = {*result.consequences, *(s.id for s in result.steps), *result.references}
    found += [f'expected "{w}" in the result; it is missing' for w in expect.get("includes", []) if w not in present]
    found += [f'expected no "{u}" in the result; it is there' for u in expect.get("excludes", []) if u in present]
    return found


def example_results(rules: RuleSet, today: date) -> list[ExampleResult]:
    """Every example's outcome, in rule order.

    Examples of the same situation on the same date share one evaluation: a large set is mostly
    variations on a few situations, so the cost follows rules times distinct situations, not rules
    times examples. Only one assessment is held at a time.
    """
    found: list[list[str]] = []
    where: list[tuple[dict[str, Any], dict[str, Any]]] = []
    situations: dict[tuple[Case, date], list[int]] = {}
    for rule in rules.rules:
        for ex in rule["examples"]:
            where.append((rule, ex))
            found.append([])
            try:
                case = build_case(ex["case"], rules, "en")
            except CaseError as exc:
                found[-1].append(f"example case: {exc.field}: {exc.message}")
                continue
            as_of = date.fromisoformat(ex["as_of"]) if ex.get("as_of") else today
            situations.setdefault((case, as_of), []).append(len(found) - 1)
    for (case, as_of), numbers in situations.items():
        result = evaluate(case, rules, as_of, trace=False)
        fired = set(result.rules_fired)
        for n in numbers:
            rule, ex = where[n]
            found[n] = _unmet(result, fired, rule, ex["expect"])
    return [ExampleResult(rule["id"], rule["file"], ex["line"], ex.get("column"), problems)
            for (rule, ex), problems in zip(where, found)]


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
    from .concerns import problems as answer_problems

    found += answer_problems(rules)
    legal = {cid for cid, c in rules.consequences.items() if c.get("legal")}
    for rule in rules.rules:
        stated = legal.intersection(rule["consequences"])
        if stated and not rule["references"]:
            found.append(RuleProblem(rule["file"], rule["line"], rule["id"],
                                     f"states a legal consequence ({', '.join(sorted(stated))}) "
                                     "without a reference: cite the law it rests on"))
    return found


class Report(NamedTuple):
    """The outcome of `rules check`: `data` is what `--json` prints."""

    data: dict[str, Any]
    problems: list[RuleProblem]
    examples: int
    matrix: list[str]  # the coverage matrix as text lines, when coverage was checked
    warnings: list[RuleProblem] = []  # facts checked over a year ago: shown, yet the set still passes


def load_failed(problems: list[RuleProblem]) -> dict[str, Any]:
    """What `rules check --json` prints for a rule set that does not load."""
    return {"ok": False, "rules": None, "examples": [], "problems": [p.to_dict() for p in problems]}


def report(rules: RuleSet, today: date, coverage_limit: int | None = None,
           paths: Sequence[str] | None = None) -> Report:
    """Examples, lint, the sources of the facts in the files at `paths` (the built-in set when None)
    and, with a `coverage_limit`, coverage (refused before it starts when it would have to try more
    situations than that)."""
    from .facts import check_sources

    results = example_results(rules, today)
    unsourced, warnings = check_sources(rules, paths, today)
    problems = lint(rules) + unsourced + example_problems(results)
    extra: dict[str, Any] = {}
    matrix: list[str] = []
    if coverage_limit is not None:
        from .coverage import check_coverage, cost
        from .coverage import matrix as coverage_matrix
        from .coverage import problems as coverage_problems
        from .errors import UsageError

        situations = cost(rules, today)
        if situations > coverage_limit:
            raise UsageError(f"--coverage: {situations:,} situations to check, more than the limit of "
                             f"{coverage_limit:,}; raise --coverage-limit to run it anyway")
        cov = check_coverage(rules, today)
        problems += coverage_problems(cov)
        matrix = coverage_matrix(cov, rules)
        extra["coverage"] = {
            "situations": cov.points,
            "gaps": [{"case": g.case.echo(), "missing": list(g.missing)} for g in cov.gaps],
            "never_fire": cov.never_fire,
            "overruled": [{"rule": r, "output": k, "value": v} for r, k, v in cov.overruled],
            "bands": {f: [[str(lo), str(hi)] for lo, hi in b] for f, b in cov.bands.items()},
            "repeats": [{"texts": [list(r.first), list(r.second)], "similarity": r.similarity,
                         "where": list(r.where), "case": r.case.echo()} for r in cov.repeats],
        }
    data = {"ok": not problems, "rules": len(rules.rules), "examples": [r.to_dict() for r in results],
            "problems": [p.to_dict() for p in problems], "warnings": [w.to_dict() for w in warnings], **extra}
    return Report(data, problems, len(results), matrix, warnings)
