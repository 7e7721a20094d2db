"""The questions: which are missing, which extra ones matter, and asking them one at a time.

Input and output are passed in, so the same loop serves a real terminal and the tests.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .errors import CaseError
from .fields import FIELDS
from .models import CHOICE_FIELDS, CORE_FIELDS, EXTENDED_FIELDS, FIELD_KINDS, Case
from .parsing import parse_answer

if TYPE_CHECKING:
    from .ruleset import RuleSet

# The flag that supplies each field.
FLAGS = {f.id: f.flag for f in FIELDS}
_DOMAINS = {f.id: f.domain for f in FIELDS if f.domain}
# Answers that reach the rules only through a check the engine works out from them.
_FEEDS = {"apr": "interest_exceeds", "contract_date": "interest_exceeds", "lpr": "interest_exceeds",
          "monthly_income": "plan_affordable", "monthly_expenses": "plan_affordable"}


def missing_fields(answers: dict[str, Any]) -> list[str]:
    return [f for f in CORE_FIELDS if answers.get(f) is None]


def terminal_width() -> int:
    """The width prompts are wrapped to: $COLUMNS, else the terminal the prompts go to, else 80."""
    try:
        return max(int(os.environ["COLUMNS"]), 20)
    except (KeyError, ValueError):
        pass
    try:
        return max(os.get_terminal_size(sys.stderr.fileno()).columns, 20)
    except (AttributeError, OSError, ValueError):
        return 80


# A run of Chinese between punctuation: in a list of choices or examples, a word or a label.
_CJK_RUN = re.compile(r"[\u4e00-\u9fff/（）0-9]+")


def _wrap(text: str, width: int, keep_words: bool, labels: tuple[str, ...] = ()) -> list[str]:
    """wrap_lines, but with keep_words no short run of Chinese (a label, an example) is split: each
    stands in as one Latin-like word of the same width while the line is broken."""
    from rich.cells import cell_len

    from .render.rich_text import wrap_lines

    if not keep_words:
        return wrap_lines(text, width)
    kept: dict[str, str] = {}

    def hold(match: re.Match[str]) -> str:
        run = match.group(0)
        if not re.search(r"[\u4e00-\u9fff]", run) or cell_len(run) > width // 2:
            return run
        token = f"Q{len(kept)}".ljust(cell_len(run), "q")
        kept[token] = run
        return token

    for label in labels:  # a choice's label, whole, as long as it fits on a line
        if label in text and cell_len(label) <= width:
            token = f"Q{len(kept)}".ljust(cell_len(label), "q")
            kept[token] = label
            text = text.replace(label, token)
    lines = wrap_lines(_CJK_RUN.sub(hold, text), width)
    out = []
    for line in lines:
        for token, run in sorted(kept.items(), key=lambda kv: -len(kv[0])):
            line = line.replace(token, run)
        out.append(line)
    return out


def _wrapped(line: str, width: int, labels: tuple[str, ...] = ()) -> list[str]:
    """One prompt line wrapped with a hanging indent; a choice's label is never split."""
    from rich.cells import cell_len

    if cell_len(line) <= width:
        return [line]
    stripped = line.lstrip(" ")
    indent = " " * (len(line) - len(stripped))
    number, _, rest = stripped.partition(" ")
    if number[:-1].isdigit() and number.endswith("."):  # "3. label — note"
        hang = indent + " " * (len(number) + 1)
        room = max(width - len(hang), 10)
        label, dash, note = rest.partition(" — ")
        head = f"{indent}{number} {label} —"
        if dash and cell_len(head) <= width:  # the label whole on its line, the note below it
            return [head, *(hang + r for r in _wrap(note, room, False))]
        body = _wrap(rest, room, True, labels)
        return [f"{indent}{number} {body[0]}", *(hang + r for r in body[1:])]
    hang = indent + (" " if stripped.startswith("(") else "")
    if not indent and _PHRASE_END.search(stripped):  # a message: break between its phrases
        return _phrases(stripped, width)
    body = _wrap(stripped, max(width - len(hang), 10), bool(indent))
    return [indent + body[0], *(hang + r for r in body[1:])]


# Where a message may break: after a space or a Chinese phrase's punctuation. A choice such as
# 银行贷款（bank_loan） or a suggestion such as 30天 is one piece, never split across lines.
# Not after 、 or around " / ", which join the parts of one name (威胁、恐吓或辱骂, 小额贷款公司 / 网络小贷),
# nor after "3 ", a choice's number.
_PHRASE_END = re.compile(r"(?<=[；，。：;,！？])|(?<=[^\d/] )(?!/ )")


def _phrases(text: str, width: int, hang: str = "") -> list[str]:
    """`text` as lines of at most `width` cells, broken only between phrases (a piece longer than a
    line is cut where it must); lines after the first start with `hang`."""
    from rich.cells import cell_len

    lines: list[str] = []
    line = ""
    for piece in _PHRASE_END.split(text):
        room = width - (cell_len(hang) if lines else 0)
        if line and cell_len(line + piece.rstrip()) > room:
            lines.append(line.rstrip())
            line = ""
            room = width - cell_len(hang)
        while cell_len(piece.rstrip()) > room:  # one piece wider than a line: cut it
            cut = _cut(piece, room)
            lines.append(piece[:cut].rstrip())
            piece = piece[cut:]
        line += piece
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return [lines[0], *(hang + rest for rest in lines[1:])]


def _cut(piece: str, room: int) -> int:
    """Where to cut a piece wider than the line: after a choice's number, else after a space that is
    not part of a name's " / ", else before an opening bracket (a name and its id), else where it
    must, but never so that closing punctuation starts a line."""
    from rich.cells import cell_len

    fits = max([n for n in range(1, len(piece)) if cell_len(piece[:n]) <= room] or [1])
    numbers = [n for n in range(2, fits + 1) if piece[n - 1] == " " and piece[n - 2].isdigit()]
    spaces = [n for n in range(fits, 1, -1) if piece[n - 1] == " " and "/" not in (piece[n - 2], piece[n])]
    brackets = [n for n in range(fits, 1, -1) if piece[n] in "（("]
    if numbers or spaces or brackets:
        return (numbers or spaces or brackets)[0]
    while fits > 1 and piece[fits] in "；，。、：）)”":
        fits -= 1
    return fits


def fit_message(text: str, width: int) -> str:
    """An error message wrapped to the width with a hanging indent, no word or short name split."""
    out = []
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        indent = line[: len(line) - len(stripped)]
        out += [indent + row for row in _phrases(stripped, max(width - len(indent), 10), "  ")]
    return "\n".join(out)


def wrapping(say: Callable[[str], None], width: int) -> Callable[[str], None]:
    """`say`, with every line wrapped to the width: the greeting, refusals, the offer to save."""
    def wrapped(text: str) -> None:
        say("\n".join(out for line in text.split("\n") for out in _wrapped(line, width)))

    return wrapped


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
    return "\n".join(out for line in lines for out in _wrapped(line, width, labels))


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
            say(_retry(exc.message, rules, lang))


def ask_yes_no(question: str, rules: RuleSet, lang: str, read: Callable[[str], str],
               say: Callable[[str], None]) -> bool | None:
    """A yes/no question: True, False, or None for a blank answer (not sure)."""
    say(question)
    say("  " + rules.text("prompt_yes_no", lang))
    words = {answer: {w.casefold() for lng in ("zh", "en") for w in rules.text(f"answer_{answer}", lng).split()}
             for answer in ("yes", "no")}
    while True:
        raw = read("> ").strip().casefold()
        if not raw:
            return None
        if raw in words["yes"]:
            return True
        if raw in words["no"]:
            return False
        say(rules.text("prompt_yes_no_retry", lang))


def _fired(known: dict[str, Any], rules: RuleSet, as_of: date) -> tuple[Any, ...]:
    """What decides the report for these facts: the rules that fire and the two derived checks."""
    from .engine import rules_in_force

    ids = frozenset(rule["id"] for rule, _, holds in rules_in_force(rules, as_of) if holds(known))
    return ids, known["interest_exceeds"], known["plan_affordable"]


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
