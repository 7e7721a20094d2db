"""The questions: which are missing, which extra ones matter, and asking them one at a time.

Input and output are passed in, so the same loop serves a real terminal and the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from .errors import CaseError
from .fields import FIELDS
from .models import CHOICE_FIELDS, CORE_FIELDS, EXTENDED_FIELDS, FIELD_KINDS, Case
from .parsing import parse_answer

if TYPE_CHECKING:
    from .ruleset import RuleSet

# The flag that supplies each field.
FLAGS = {f.id: f.flag for f in FIELDS}


def missing_fields(answers: dict[str, Any]) -> list[str]:
    return [f for f in CORE_FIELDS if answers.get(f) is None]


def question_text(field: str, rules: RuleSet, lang: str) -> str:
    """The question, why it is asked, and for choices the numbered list with labels."""
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
    return "\n".join(lines)


def ask(
    field: str,
    rules: RuleSet,
    lang: str,
    read: Callable[[str], str],
    say: Callable[[str], None],
    as_of: date | None = None,
) -> Any:
    """Ask until the answer parses (a blank extra answer is "unknown"). `read` raises to stop."""
    say(question_text(field, rules, lang))
    while True:
        raw = read("> ")
        try:
            return parse_answer(field, raw, rules, lang, as_of)
        except CaseError as exc:
            say(f"{exc.message}。{rules.text('prompt_retry', lang)}" if lang == "zh"
                else f"{exc.message}. {rules.text('prompt_retry', lang)}")


def worth_asking(field: str, answers: dict[str, Any], rules: RuleSet, as_of: date) -> bool:
    """An extra question is asked only when its rule-set condition says the answer can matter."""
    from .engine import facts  # the engine is needed only once the core answers are in

    holds = rules.ask_tests.get(field)
    if holds is None:
        return False
    case = Case(**{k: v for k, v in answers.items() if k in FIELD_KINDS})
    return holds(facts(case, rules, as_of))


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
) -> dict[str, Any]:
    """Ask for every missing core answer, then (unless quick) the extra ones that matter here.

    `given` names the answers already supplied, even as "unknown", so they are never asked again.
    """
    done = dict(answers)
    todo = missing_fields(done)
    if todo:
        say(rules.text("prompt_intro", lang))
    # What the person fears comes first: the report opens with the answers to it.
    if todo and not quick and "concerns" in rules.fields and "concerns" not in given and done.get("concerns") is None:
        say("")
        done["concerns"] = ask("concerns", rules, lang, read, say, as_of)
    for field in todo:
        say("")
        done[field] = ask(field, rules, lang, read, say, as_of)
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
        done[field] = ask(field, rules, lang, read, say, as_of)
    return done
