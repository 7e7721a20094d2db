"""The questions: which are missing, which extra ones matter, and asking them one at a time.

Input and output are passed in, so the same loop serves a real terminal and the tests.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .errors import CaseError
from .fields import FIELDS
from .matching import Crisis
from .models import CHOICE_FIELDS, CORE_FIELDS, EXTENDED_FIELDS, FIELD_KINDS, Case, missing_fields
from .parsing import parse_answer
from .termwrap import wrapped

if TYPE_CHECKING:
    from .ruleset import RuleSet

# The flag that supplies each field.
_DOMAINS = {f.id: f.domain for f in FIELDS if f.domain}
# Answers that reach the rules only through a check the engine works out from them.
_FEEDS = {"apr": "interest_exceeds", "contract_date": "interest_exceeds", "lpr": "interest_exceeds",
          "monthly_income": "plan_affordable", "monthly_expenses": "plan_affordable"}


def question_text(field: str, rules: RuleSet, lang: str, width: int | None = None) -> str:
    """The question, why it is asked, and for choices the numbered list with labels.

    With a width, every line is wrapped to it (Chinese at any character, Latin words whole)."""
    spec = rules.fields[field]
    lines = [f"{spec['question'][lang]}（{spec['why'][lang]}）" if lang == "zh"
             else f"{spec['question'][lang]} ({spec['why'][lang]})"]
    if field in CHOICE_FIELDS:
        for n, choice in enumerate(rules.choices(field), 1):
            label = choice["label"]["zh"]
            if lang != "zh":
                label = f"{choice['label'][lang]} · {label}"
            note = choice.get("note")
            lines.append(f"  {n}. {label}" + (f" — {note[lang]}" if note else ""))
        lines.append(f"  ({rules.text('prompt_choice_hint', lang)})")
    if spec.get("hint"):
        lines.append(f"  ({spec['hint'][lang]})")
    if field not in CORE_FIELDS:
        lines.append(f"  ({rules.text('prompt_optional', lang)})")
    if width is None:
        return "\n".join(lines)
    labels = tuple(c["label"]["zh"] for c in rules.choices(field)) if field in CHOICE_FIELDS else ()
    return "\n".join(out for line in lines for out in wrapped(line, width, labels))


def _retry(message: str, rules: RuleSet, lang: str) -> str:
    return (f"{message}。{rules.text('prompt_retry', lang)}" if lang == "zh"
            else f"{message}. {rules.text('prompt_retry', lang)}")


def ask(
    field: str,
    rules: RuleSet,
    lang: str,
    read: Callable[[str], str],
    say: Callable[[str], None],
    as_of: date | None = None,
    width: int | None = None,
) -> Any:
    """Ask until the answer parses (a blank extra answer is "unknown"). `read` raises to stop."""
    say(question_text(field, rules, lang, width))
    while True:
        raw = read("> ")
        try:
            return parse_answer(field, raw, rules, lang, as_of)
        except CaseError as exc:
            guess = getattr(exc, "guess", None)  # a near miss of a one-choice answer: ask if it was meant
            if guess is not None and FIELD_KINDS[field] == "choice":
                label = rules.label(field, parse_answer(field, guess, rules, lang), lang)
                if ask_yes_no(rules.message("choice_guess", lang, guess=guess, label=label), rules, lang, read, say):
                    return parse_answer(field, guess, rules, lang, as_of)
            if isinstance(exc, Crisis):  # not a wrong answer: the help, then the question once more
                say(exc.message)
                say(question_text(field, rules, lang, width))
                continue
            say(_retry(exc.message, rules, lang))


def ask_yes_no(question: str, rules: RuleSet, lang: str, read: Callable[[str], str],
               say: Callable[[str], None]) -> bool | None:
    """A yes/no question: True, False, or None for a blank answer (not sure)."""
    say(question)
    say("  " + rules.text("prompt_yes_no", lang))
    while True:
        raw = read("> ").strip()
        if not raw:
            return None
        said = yes_or_no(raw, rules)
        if said is not None:
            return said
        say(rules.text("prompt_yes_no_retry", lang))


def yes_or_no(raw: str, rules: RuleSet) -> bool | None:
    """True for a yes word, False for a no word (either language), None for anything else."""
    word = raw.strip().casefold()
    for answer, means in (("yes", True), ("no", False)):
        if word in {w.casefold() for lng in ("zh", "en") for w in rules.text(f"answer_{answer}", lng).split()}:
            return means
    return None


def _fired(known: dict[str, Any], rules: RuleSet, as_of: date) -> tuple[Any, ...]:
    """What decides the report for these facts: the rules that fire and the derived checks."""
    from .conditions import DERIVED_CHECKS
    from .engine import rules_in_force

    ids = frozenset(rule["id"] for rule, _, holds in rules_in_force(rules, as_of) if holds(known))
    return ids, *(known[name] for name in DERIVED_CHECKS)


def _values(field: str, rules: RuleSet) -> list[Any]:
    """One answer from every band of the field the rules can tell apart (the partition's bands)."""
    from .conditions import CONDITION_FIELDS
    from .engine import lookup

    partition = lookup(rules).partition
    kind = CONDITION_FIELDS.get(field)
    values: list[Any] = []
    if kind == "choice":
        values = [c["id"] for c in rules.choices(field)]
    elif kind == "set" and field in partition.parts:
        mentioned: frozenset[Any] = getattr(partition.parts[field], "mentioned", frozenset())
        values = [frozenset((m,)) for m in sorted(mentioned, key=str)] + [frozenset(mentioned)]
    elif kind in ("int", "decimal") and field in partition.edges:
        low, high, step = (Decimal(str(v)) if kind == "decimal" else v for v in _DOMAINS[field])
        values = partition.edges[field].starts(low, high, step)
    elif kind == "date" and field in partition.edges:
        values = partition.edges[field].starts(date(1900, 1, 1), date(2199, 12, 31), timedelta(days=1))
    return values


def can_change(field: str, case: Case, rules: RuleSet, as_of: date) -> bool | None:
    """Whether some answer to `field` changes this case's outcome from leaving it unknown.

    None when no rule reads the answer, directly or through a check, or for a date no rule needs
    here: then only `ask_when` decides (the repayment date also sets how long the record is kept)."""
    from .conditions import CONDITION_FIELDS
    from .engine import facts

    feeds = _FEEDS.get(field)
    if field not in CONDITION_FIELDS and feeds is None:
        return None
    known = facts(case, rules, as_of)
    before = _fired(known, rules, as_of)
    for value in _values(field, rules):
        if _fired(facts(case._replace(**{field: value}), rules, as_of), rules, as_of) != before:
            return True
    if CONDITION_FIELDS.get(field) == "date":
        return None
    if feeds is None or known[feeds] is not None:
        return False
    # The check cannot be worked out yet; it can be once this answer (and the next) is in.
    check = known["interest_check"]
    if feeds == "interest_exceeds" and (
        rules.interest["caps"].get(case.platform) is None
        or (field != "apr" and (check is None or check["note"] != "contract_date_needed"))
    ):
        return False
    if field == "monthly_expenses" and case.monthly_income is None:
        return False
    return any(_fired({**known, feeds: outcome}, rules, as_of) != before for outcome in (True, False))


def worth_asking(field: str, answers: dict[str, Any], rules: RuleSet, as_of: date) -> bool:
    """An extra question is asked when its rule-set condition (`ask_when`) allows it and the
    partition shows that some answer to it changes the outcome for this case."""
    from .engine import facts

    holds = rules.ask_tests.get(field)
    if holds is None:
        return False
    case = Case(**{k: v for k, v in answers.items() if k in FIELD_KINDS})
    if not holds(facts(case, rules, as_of)):
        return False
    return can_change(field, case, rules, as_of) is not False


def complete(
    answers: dict[str, Any],
    rules: RuleSet,
    lang: str,
    read: Callable[[str], str],
    say: Callable[[str], None],
    *,
    as_of: date,
    quick: bool = False,
    given: frozenset[str] = frozenset(),
    width: int | None = None,
) -> dict[str, Any]:
    """Ask for every missing core answer, then (unless quick) the extra ones that matter here, in
    registry order.

    `given` names the answers already supplied, even as "unknown", so they are never asked again.
    """
    done = dict(answers)
    todo = missing_fields(done)
    # What the person fears comes first: the report opens with the answers to it.
    if todo and not quick and "concerns" in rules.fields and "concerns" not in given and done.get("concerns") is None:
        todo = ["concerns", *todo]
    if todo:
        key = "prompt_intro_only" if quick else "prompt_intro"
        say(rules.message(key, lang, count=len(todo)))
    for field in todo:
        say("")
        done[field] = ask(field, rules, lang, read, say, as_of, width)
    if quick:
        return done
    introduced = False
    for field in EXTENDED_FIELDS:
        if field in given or done.get(field) is not None or not worth_asking(field, done, rules, as_of):
            continue
        if not introduced:
            say("")
            say(rules.text("prompt_more", lang))
            introduced = True
        say("")
        if field == "repaid_on" and not ask_yes_no(rules.text("prompt_repaid", lang), rules, lang, read, say):
            continue  # not repaid, or not sure: there is no date to ask for
        done[field] = ask(field, rules, lang, read, say, as_of, width)
        if field == "repaid_on" and done[field] is None:  # repaid, yet no date: without one it reads as unpaid
            say(rules.text("prompt_repaid_no_date", lang))
            done[field] = ask(field, rules, lang, read, say, as_of, width)
    return done


def line_reader(plain: Callable[[str], str]) -> Callable[[str], str]:
    """A reader with line editing (arrow keys, history, wide characters) where the standard
    library's readline is available and a person types at a terminal; `plain` otherwise."""
    try:
        if not (sys.stdin.isatty() and sys.stderr.isatty()):
            return plain
        import readline  # noqa: F401 - importing it is what gives input() its line editing
    except (ImportError, AttributeError, ValueError):
        return plain

    def read(prompt: str) -> str:
        with _prompt_to_terminal():
            return input(prompt)

    return read


@contextmanager
def _prompt_to_terminal() -> Iterator[None]:
    """input() edits the line only when stdout is the terminal too, and writes the prompt there.
    When stdout goes to a file or a pipe, it is pointed at the terminal (stderr) for the question,
    so neither the prompt nor the typing lands in the report."""
    sys.stdout.flush()
    try:
        redirect = not sys.stdout.isatty()
    except (AttributeError, ValueError):
        redirect = False
    saved = None
    if redirect:
        saved = os.dup(1)
        os.dup2(2, 1)
    try:
        yield
    finally:
        if saved is not None:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
