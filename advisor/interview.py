"""The questions: which are missing, and asking for them one at a time on a terminal.

Input and output are passed in, so the same loop serves a real terminal and the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import CaseError
from .models import CHOICE_FIELDS, CORE_FIELDS
from .parsing import parse_answer

if TYPE_CHECKING:
    from .ruleset import RuleSet

# The flag that supplies each field (CONTRACT §1).
FLAGS = {"overdue_days": "--days", "amount": "--amount", "platform": "--platform", "negotiation": "--negotiation"}


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
    elif spec.get("hint"):
        lines.append(f"  ({spec['hint'][lang]})")
    return "\n".join(lines)


def ask(
    field: str,
    rules: RuleSet,
    lang: str,
    read: Callable[[str], str],
    say: Callable[[str], None],
) -> Any:
    """Ask until the answer parses. `read` raises EOFError or KeyboardInterrupt to stop."""
    say(question_text(field, rules, lang))
    while True:
        raw = read("> ")
        try:
            return parse_answer(field, raw, rules, lang)
        except CaseError as exc:
            say(f"{exc.message}。{rules.text('prompt_retry', lang)}" if lang == "zh"
                else f"{exc.message}. {rules.text('prompt_retry', lang)}")


def complete(
    answers: dict[str, Any],
    rules: RuleSet,
    lang: str,
    read: Callable[[str], str],
    say: Callable[[str], None],
) -> dict[str, Any]:
    """Ask for every missing answer, in the order of the contract."""
    todo = missing_fields(answers)
    if todo:
        say(rules.text("prompt_intro", lang))
    done = dict(answers)
    for field in todo:
        say("")
        done[field] = ask(field, rules, lang, read, say)
    return done
