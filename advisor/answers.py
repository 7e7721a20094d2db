"""Gathering one case's answers for `assess` and `letter`: from an answers file, flags and questions.

Precedence, highest first: flags, then the answers file, then questions asked on a terminal. Every
answer goes through the one parser of its field, whichever way it came.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import CaseError, UsageError
from .fields import FLAGS
from .models import FIELD_KINDS, Case, missing_fields
from .tuples import NamedTuple

if TYPE_CHECKING:
    from .ruleset import RuleSet

class Sources(NamedTuple):
    """Where answers come from, and what to do with them."""

    flags: dict[str, Any]  # raw values by field id, only the flags given
    answers_file: Path | None = None
    save_answers: Path | None = None
    quick: bool = False  # ask only the core questions
    interactive: bool = False  # a person can answer questions here
    ask: bool = False  # ask the follow-up questions even when every core answer was given


def as_of_day(text: str | None, rules: RuleSet, lang: str) -> date:
    """The day to judge on: `--as-of`, or today."""
    from .parsing import parse_date

    if text is None:
        return date.today()
    try:
        return parse_date(text, "as_of", rules, lang)
    except CaseError as exc:
        raise UsageError(f"--as-of: {exc.message}") from None


def gather(sources: Sources, rules: RuleSet, lang: str, as_of: date,
           read: Callable[[str], str], say: Callable[[str], None],
           household: list[dict[str, Any]] | None = None) -> Case:
    """The case from every source; a bad answer names its flag or file, a missing one its flag.

    With `household`, an interview goes on to ask about other debts, whose answers it receives."""
    from .parsing import named, parse_answer

    from_file = read_answers(sources.answers_file, rules, lang) if sources.answers_file else {}
    case_id = from_file.pop("id", None)  # not an answer: the case's own id, echoed as the API echoes it
    raw = {**from_file, **sources.flags}
    parsed: dict[str, Any] = {}
    bad = []
    for field, value in raw.items():
        try:
            parsed[field] = parse_answer(field, value, rules, lang, as_of)
        except CaseError as exc:
            if field in sources.flags:
                bad.append(f"{FLAGS[field]}: {exc.message}")
            else:
                bad.append(f"{sources.answers_file}: {named(field, exc.message, rules, lang)}")
    if bad:
        raise UsageError("\n  ".join(bad))
    missing = missing_fields(parsed)
    if missing and not sources.interactive:
        names = ", ".join(f"{FLAGS[f]} ({f})" for f in missing)
        raise UsageError(rules.message("missing_flags", lang, missing=names))
    # Flags mean "answer now": with every core answer given, nothing is asked unless the person asks.
    interview = sources.interactive and bool(missing or sources.ask)
    answered: list[str] = []
    if interview:  # only then: the questions and their wrapping are not imported for a run answered by flags
        from .interview import complete
        from .termwrap import terminal_width, wrapping

        width = terminal_width()

        def counted(prompt: str) -> str:
            answered.append(read(prompt))
            return answered[-1]

        # With the loop over other debts to come, their count is not asked: it follows from the loop.
        counted_later = {"other_debts"} if household is not None and not sources.quick else set()
        parsed = complete(parsed, rules, lang, counted, wrapping(say, width), as_of=as_of, quick=sources.quick,
                          given=frozenset(raw) | counted_later, width=width)
        if household is not None and not sources.quick:  # --quick: the four questions of one debt, no more
            from .household_interview import more_debts

            household += more_debts(parsed, rules, lang, counted, wrapping(say, width), as_of=as_of,
                                    quick=sources.quick, width=width)
    if case_id is not None and case_id != "" and not household:
        parsed["id"] = str(case_id)
    saved = parsed
    if household:
        from .household_interview import split

        found = split(parsed, household)
        saved = {**found.person, "debts": found.debts}
    if sources.save_answers is not None:
        write_answers(sources.save_answers, saved)
        say(rules.message("answers_saved", lang, path=sources.save_answers))
    elif answered:  # something was asked: the answers are worth keeping
        offer_to_save(saved, rules, lang, read, say, terminal_width())
    if answered:
        from .matching import crisis_text

        # Help for someone who said they might harm themselves was given at that question, which has
        # scrolled away by now: it is said once more, just above the report.
        help_now = next(filter(None, (crisis_text(a, rules) for a in answered)), None)
        if help_now is not None:
            wrapping(say, terminal_width())("\n" + help_now[lang] + "\n")
    return Case(**parsed)


def offer_to_save(answers: dict[str, Any], rules: RuleSet, lang: str, read: Callable[[str], str],
                  say: Callable[[str], None], width: int = 80) -> Path | None:
    """At the end of an interview: save the answers to a file the person names (Enter: don't), and
    say how to write the letter from them (the command on a line of its own, never broken)."""
    from .errors import WriteError
    from .interview import yes_or_no
    from .termwrap import wrapping

    command = say
    say = wrapping(say, width)
    say("")
    say(rules.text("prompt_save", lang))
    while True:
        try:
            name = read("> ").strip()
        except EOFError:  # input ended: the answer to an optional question is "no"
            return None
        said = yes_or_no(name, rules)
        if not name or said is False:  # 不用, no: the answers stay unsaved, never in a file named "不用"
            return None
        path = Path(name).expanduser()
        if said or path.suffix.lower() not in (".yaml", ".yml", ".json"):  # 好, 对: a file name is still to come
            say(rules.text("prompt_save_name", lang))
            continue
        try:
            write_answers(path, answers)
        except WriteError as exc:  # a folder that does not exist, no permission: say so, ask again
            say(rules.message("cannot_write", lang, path=exc.path, reason=exc.reason))
            continue
        say(rules.message("answers_saved", lang, path=path))
        if not answers.get("repaid_on"):  # a repaid debt has nothing to negotiate (letter_repaid)
            say(rules.text("prompt_letter_hint", lang))
            command(f"  advisor letter --answers {_quoted(str(path))}")
        return path


def _quoted(path: str) -> str:
    """The path as a shell reads it back: quoted only when it needs to be."""
    import shlex

    return shlex.quote(path)


def read_answers(path: Path, rules: RuleSet, lang: str) -> dict[str, Any]:
    """An answers file (YAML or JSON): its raw answers, keyed by field id. The file's keys may be any name
    an answer goes by (overdue_days, 逾期天数…), as for the API and batch, the case's `id` (or 编号), and
    `debts`."""
    from .parsing import KEYS, field_name, key_name, unknown_key
    from .rulefiles import MAX_DEPTH, Refused, deeper_than, read_limited, safe_data

    try:  # screened like a rule file: bounded in size, no YAML aliases, no deep nesting, no key twice
        text = read_limited(path, "an answers file").decode("utf-8")
        if path.suffix.lower() == ".json":
            import json

            data = json.loads(text, object_pairs_hook=_refuse_twice)
            if deeper_than(data, MAX_DEPTH):  # as a YAML file's nesting is bounded
                raise Refused(None, "deep")
        else:
            data = safe_data(text)
    except Exception as exc:  # yaml.YAMLError too, without importing yaml up front
        raise UsageError(rules.message("bad_answers_file", lang, path=path, reason=_unread(exc, rules, lang))) from None
    if not isinstance(data, dict):
        raise UsageError(rules.message("bad_answers_file", lang, path=path,
                                       reason=rules.message("answers_not_mapping", lang)))
    out: dict[str, Any] = {}
    for key, value in data.items():
        field = "debts" if key == "debts" else KEYS.get(key_name(key))  # debts: several (household_input)
        if field not in ("debts", "id") and field not in FIELD_KINDS:  # id, 编号: as a batch row gives it
            reason = unknown_key(key, rules, lang)
        elif field in out:
            reason = rules.message("batch_twice", lang, name=field_name(field, rules, lang))
        else:
            out[field] = value
            continue
        raise UsageError(rules.message("bad_answers_file", lang, path=path, reason=reason))
    return out


def _unread(exc: Exception, rules: RuleSet, lang: str) -> str:
    """Why an answers file could not be read, in the person's language (the parser's own words on what
    it expected, if any, as a detail in brackets), never Python's message about its own workings."""
    from .parsing import KEYS, field_name, key_name
    from .rulefiles import MAX_DEPTH, MAX_FILE_BYTES, GivenTwice, Refused, TooLarge

    def at(line: int | None, what: str, column: int | None = None) -> str:
        if not line:
            return what
        if column is None:
            return rules.message("batch_at_line", lang, line=line, what=what)
        return rules.message("batch_damaged", lang, line=line, column=column, what=what)

    if isinstance(exc, GivenTwice):  # the last value would win in silence, as batch never lets it
        field = KEYS.get(key_name(exc.key))
        return at(exc.line, rules.message("batch_twice", lang,
                                          name=field_name(field, rules, lang) if field else f"“{exc.key}”"))
    if isinstance(exc, UnicodeDecodeError):  # not Python's words: which byte failed means nothing to the person
        return rules.message("answers_not_utf8", lang)
    if isinstance(exc, TooLarge):
        return rules.message("answers_too_large", lang, limit=f"{MAX_FILE_BYTES:,}")
    if isinstance(exc, (Refused, RecursionError)):  # RecursionError: JSON nested past what its decoder follows
        what = "answers_anchors" if getattr(exc, "kind", "") == "anchors" else "batch_too_deep"
        return at(getattr(exc, "line", None), rules.message(what, lang, limit=MAX_DEPTH))
    if isinstance(exc, OSError):  # the system's words, without [Errno 21] and the path again
        return str(exc.strerror or exc)
    if hasattr(exc, "lineno") and hasattr(exc, "msg"):  # json.JSONDecodeError
        return at(exc.lineno, rules.message("batch_bad_json", lang, error=exc.msg), getattr(exc, "colno", None))
    if not hasattr(exc, "problem"):
        return str(exc)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)  # yaml.MarkedYAMLError
    return at(mark.line + 1 if mark else None, rules.message("answers_bad_yaml", lang, error=exc.problem or exc),
              mark.column + 1 if mark else None)


def _refuse_twice(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object of an answers file, found by batch's reader (json_object); a key given twice in it
    raises GivenTwice. JSON parsers do not say where a key is, so no line is named."""
    from .rulefiles import GivenTwice, json_object

    found = json_object(pairs)
    twice = getattr(found, "twice", None)
    if twice:
        raise GivenTwice(twice[0])
    return found


def write_answers(path: Path, answers: dict[str, Any]) -> None:
    """The user asked for this file: the only place the tool ever writes their answers."""
    from .fileio import write_file
    from .models import plain

    # A platform named by its product is saved as that name, so the file reads back the same case.
    data = {k: [{n: getattr(x, "product", None) or plain(x) for n, x in d.items()} for d in v] if k == "debts"
            else getattr(v, "product", None) or plain(v) for k, v in answers.items() if v is not None}
    if path.suffix.lower() == ".json":
        import json

        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        import yaml

        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    write_file(path, text)
