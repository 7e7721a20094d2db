"""Several debts from the command line: `--debt` values, an answers file with a `debts:` list, and
the interview's "any other debts?" loop. What is gathered here goes to household.py as raw answers,
through the same parsers as one debt's answers.

`--debt` takes one compact value per debt: the four core answers in a fixed order, then any other
answer about that debt as field=value, separated by commas (, or ，):

    --debt "花呗,3800,12天,未协商"   --debt "信用卡,6万,40,none,collection=night_calls、threats"

Because the comma separates values, an amount is written without thousands separators (5000, 5千).
The field names are ids (legal_status), column names (逾期天数) or flag names (legal-status, apr).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from .errors import CaseError, UsageError
from .fields import FIELDS, PERSON_FIELDS
from .household_interview import Household, split
from .parsing import KEYS, key_name, unknown_key

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from .answers import Sources
    from .fileio import Place
    from .models import Case
    from .ruleset import RuleSet

# The four core answers of a --debt value, in the order they are written.
DEBT_POSITIONS = ("platform", "amount", "overdue_days", "negotiation")
_SEPARATOR = re.compile(r"[,，]")
_NAMES = KEYS | {key_name(f.flag.lstrip("-")): f.id for f in FIELDS}
FLAG_OF = {f.id: f.flag for f in FIELDS}


def parse_debt_flag(value: str, n: int, rules: RuleSet, lang: str) -> dict[str, Any]:
    """One --debt value as raw answers by field id; a value that is not of the form is a UsageError
    naming the debt. The answers themselves are parsed later, with every other answer."""
    parts = [p.strip() for p in _SEPARATOR.split(value)]
    positional = [p for p in parts if "=" not in p]
    named = [p for p in parts if "=" in p]
    if len(positional) != len(DEBT_POSITIONS) or parts[:len(DEBT_POSITIONS)] != positional:
        raise UsageError(rules.message("household_debt_error", lang, n=n,
                                       message=rules.message("household_debt_form", lang, value=value)))
    out: dict[str, Any] = dict(zip(DEBT_POSITIONS, positional))
    for part in named:
        key, _, raw = part.partition("=")
        field = _NAMES.get(key_name(key))
        if field is None:
            message = unknown_key(key.strip(), rules, lang)
            raise UsageError(rules.message("household_debt_error", lang, n=n, message=message))
        if field in PERSON_FIELDS:
            message = rules.message("household_person_field", lang, name=field)
            raise UsageError(rules.message("household_debt_error", lang, n=n, message=message))
        if field in out:
            message = rules.message("batch_twice", lang, name=field)
            raise UsageError(rules.message("household_debt_error", lang, n=n, message=message))
        out[field] = raw.strip()
    return out


def from_cli(flags: dict[str, Any], debt_flags: list[str], from_file: dict[str, Any], rules: RuleSet,
             lang: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The debts and the person's answers from --debt values (or the file's `debts:`), the answers
    file's other keys and the answer flags; flags win over the file, as for one debt."""
    if debt_flags:
        debts = [parse_debt_flag(v, n, rules, lang) for n, v in enumerate(debt_flags, 1)]
        stray = [f for f in flags if f not in PERSON_FIELDS]
        if stray:
            raise UsageError(rules.message("household_debt_flag", lang, flag=FLAG_OF[stray[0]], field=stray[0]))
    else:
        listed = from_file.get("debts")
        if not isinstance(listed, list) or not all(isinstance(d, dict) for d in listed):
            raise UsageError(rules.text("household_not_mapping", lang))
        shared = {k: v for k, v in from_file.items() if k != "debts" and k not in PERSON_FIELDS}
        debts = [{**shared, **d} for d in listed]  # a debt answer at the top applies to every debt
        stray = [f for f in flags if f not in PERSON_FIELDS]
        debts = [{**d, **{f: flags[f] for f in stray}} for d in debts]
    person = {k: v for k, v in {**from_file, **flags}.items() if k in PERSON_FIELDS}
    return debts, person


def assess_from_cli(debts: list[dict[str, Any]], person: dict[str, Any], rules: RuleSet, as_of: date,
                    lang: str) -> dict[str, Any]:
    """The household record; a bad answer is a usage error naming its debt (or the person's answer)."""
    from .household import assess_household

    try:
        return assess_household(debts, person, rules=rules, as_of=as_of, lang=lang)
    except CaseError as exc:
        prefix = "" if getattr(exc, "debt", None) else f"{FLAG_OF.get(exc.field, exc.field)}: "
        raise UsageError(prefix + exc.message) from None


def gather_any(sources: Sources, debt_flags: list[str], rules: RuleSet, lang: str, as_of: date,
               read: Callable[[str], str], say: Callable[[str], None]) -> Case | Household:
    """One debt's Case, as `answers.gather` finds it; or a Household when there are several: from
    --debt, from an answers file with `debts:`, or from an interview that went on to more debts."""
    from .answers import gather, read_answers, write_answers

    from_file = read_answers(sources.answers_file, rules, lang) if sources.answers_file else {}
    if debt_flags or "debts" in from_file:
        debts, person = from_cli(sources.flags, debt_flags, from_file, rules, lang)
        if sources.save_answers is not None:
            write_answers(sources.save_answers, {**person, "debts": debts})
            say(rules.message("answers_saved", lang, path=sources.save_answers))
        return Household(debts, person)
    extra: list[dict[str, Any]] = []
    case = gather(sources, rules, lang, as_of, read, say, household=extra)
    if not extra:
        return case
    return split(case._asdict(), extra)


def from_record(record: dict[str, Any]) -> Household:
    """A household's answers from its record (what `advisor letter` takes): each debt's own answers, with
    the product as the person named it, and the person's once."""
    debts = []
    for debt in record["debts"]:
        case = debt["case"]
        own = {k: v for k, v in case.items() if k not in PERSON_FIELDS and k not in ("id", "product")}
        if case.get("product"):
            own["platform"] = case["product"]
        debts.append(own)
    return Household(debts, dict(record["person"]))


def letters(household: Household, rules: RuleSet, as_of: date, lang: str, *, script: bool,
            markdown: bool) -> list[str]:
    """One letter (or phone script) per debt, each with that debt's share of the household plan."""
    from .household import BUDGET_FIELDS, household_record, parse_household
    from .letter import compose

    try:
        person, cases = parse_household(household.debts, household.person, rules, lang, as_of)
    except CaseError as exc:
        prefix = "" if getattr(exc, "debt", None) else f"{FLAG_OF.get(exc.field, exc.field)}: "
        raise UsageError(prefix + exc.message) from None
    record = household_record(person, cases, rules, as_of, lang)
    budget = {k: person[k] for k in BUDGET_FIELDS if person.get(k) is not None}
    return [compose(case._replace(**budget), rules, as_of, lang, script=script, markdown=markdown, plan=debt["plan"])
            for case, debt in zip(cases, record["debts"])]


def write_letters(household: Household, rules: RuleSet, as_of: date, lang: str, target: Path | None, *,
                  script: bool, markdown: bool, places: Sequence[Place] = ()) -> None:
    """The letters one after another under a line naming the debt: on stdout, or into a target that is
    written in place (a device, a FIFO, /dev/stdout); with a target FILE, one file per debt beside it:
    FILE-1.md, FILE-2.md…, none of them one of the run's other `places` (checked before any is written)."""
    import sys

    from .fileio import Place, check_places, is_direct, write_file
    from .streams import say

    texts = letters(household, rules, as_of, lang, script=script, markdown=markdown)
    if target is None or is_direct(str(target)):
        parts = []
        for n, text in enumerate(texts, 1):
            label = rules.message("household_debt_label", lang, n=n)
            parts.append((f"---\n\n**{label}**\n\n" if markdown else f"==== {label} ====\n\n") + text)
        if target is None:
            sys.stdout.write("\n".join(parts))
            return
        write_file(target, "\n".join(parts))
        say(rules.message("letter_saved", lang, path=target))
        return
    paths = [target.with_name(f"{target.stem}-{n}{target.suffix}") for n in range(1, len(texts) + 1)]
    check_places([*places, *(Place("-o", str(path)) for path in paths)], rules, lang)
    for path, text in zip(paths, texts):
        write_file(path, text)
        say(rules.message("letter_saved", lang, path=path))
