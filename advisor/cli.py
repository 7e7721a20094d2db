"""The command line: parse flags, call the core, render. The only module that imports typer.

Every AdvisorError becomes one line on stderr and its exit code here, and nowhere else.

The core is imported inside each command, not up here: `--help` and `--version` then load only the
registry of fields and the package's light modules (tests/test_startup.py holds each path to that).

No `from __future__ import annotations` here: Typer would then evaluate every option's annotation
from a string on each run, which costs more than evaluating them once at import.
"""

import inspect
import os
import signal
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional

import typer

from . import __version__
from .errors import AdvisorError, ExitCode, Interrupted, UsageError, WriteError, suggest
from .fields import FIELDS, LANGS, Field
from .render import write_json
from .streams import quiet_stdout, read_line, say, standard_streams, writing_stdout

if TYPE_CHECKING:
    from .ruleset import RuleSet

COVERAGE_LIMIT = 100_000  # situations: coverage tries a few thousand a second, so this is under a minute

# -h as well as --help, as most command-line tools take it.
_HELP = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    add_completion=True,  # --install-completion / --show-completion: Typer's own shell completion
    context_settings=_HELP,
    pretty_exceptions_enable=False,
    help="Overdue-situation advisor: what an overdue loan means for you and your credit report, "
    "and what to do now. Not legal advice.",
)
rules_app = typer.Typer(help="Work with rule sets.", add_completion=False, context_settings=_HELP,
                        pretty_exceptions_enable=False)
app.add_typer(rules_app, name="rules")


def stdin_is_tty() -> bool:
    """Whether a person can answer questions here. Prompts happen only then (CONTRACT §2)."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _stdout_is_tty() -> bool:
    """Whether a person reads stdout directly: the letter is then plain text, without Markdown marks."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _lang(value: str | None) -> str:
    env = os.environ.get("ADVISOR_LANG")
    lang = (value or env or "zh").strip().lower()
    if lang not in LANGS:
        # Named where it came from (the flag, or the environment variable when no flag was given), and
        # said in the language ADVISOR_LANG asks for when it is the flag that is wrong.
        other = (env or "").strip().lower() if value else ""
        from .ruleset import shown
        from .templates import fill

        raise UsageError(fill(_ui_text("bad_lang", other if other in LANGS else "zh"), {
            "source": "--lang" if value else "ADVISOR_LANG", "value": shown(value or env),
            "choices": ", ".join(LANGS)}))
    return lang


def _guard(lang: str, body: "Callable[[], int | None]") -> None:
    """The one error boundary: user mistakes and interrupts become a line and an exit code. A body may
    also return the exit code of a run that ended as it should (rows rejected, rule problems)."""
    from .templates import fill
    try:
        with writing_stdout():
            code = body()
    except WriteError as exc:
        say("advisor: " + fill(_ui_text("cannot_write", lang), {"path": exc.path, "reason": exc.reason}))
        _say_notes(exc)
        raise typer.Exit(int(exc.exit_code)) from None
    except AdvisorError as exc:
        say(_fit(f"advisor: {exc}"))
        _say_notes(exc)
        raise typer.Exit(int(exc.exit_code)) from None
    except BrokenPipeError as exc:
        quiet_stdout()
        _say_notes(exc)
        raise typer.Exit(int(ExitCode.BROKEN_PIPE)) from None
    except KeyboardInterrupt as exc:
        say("\n" + _ui_text(getattr(exc, "message_key", "interrupted"), lang))
        _say_notes(exc)
        raise typer.Exit(int(getattr(exc, "exit_code", ExitCode.INTERRUPTED))) from None
    except EOFError:
        say("\n" + _ui_text("input_ended", lang))
        raise typer.Exit(int(ExitCode.USAGE)) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:
        if os.environ.get("ADVISOR_DEBUG"):
            raise
        say("advisor: " + fill(_ui_text("internal_error", lang), {"error": f"{type(exc).__name__}: {exc}"}))
        _say_notes(exc)
        raise typer.Exit(int(ExitCode.INTERNAL)) from None
    if code:
        raise typer.Exit(code)


def _say_notes(exc: BaseException) -> None:
    """What the run left behind, said after its error (errors.add_notes)."""
    for note in getattr(exc, "advisor_notes", ()):
        say(_fit(note))


def _fit(message: str) -> str:
    """A message wrapped to the terminal it goes to; as it is for a file or a pipe (a script)."""
    try:
        if not sys.stderr.isatty():
            return message
    except (AttributeError, ValueError):
        return message
    from .termwrap import fit_message, terminal_width

    return fit_message(message, terminal_width())


_UI_FALLBACK = {"interrupted": "Cancelled.", "worker_killed": "A worker process was killed (often: out of memory).",
                "input_ended": "Input ended.", "internal_error": "internal error ({error})",
                "cannot_write": "cannot write {path}: {reason}",
                "bad_lang": '{source}: "{value}" is not supported; choose one of: {choices}'}


def _ui_text(key: str, lang: str) -> str:
    try:
        from .ruleset import load_ruleset

        return load_ruleset().text(key, lang)
    except Exception:  # noqa: BLE001 - the message of last resort must not fail itself
        return _UI_FALLBACK[key]


def _load(paths: "list[str] | None") -> "RuleSet":
    from .ruleset import load_ruleset

    return load_ruleset(paths or None)


def _version(value: bool) -> None:
    def body() -> None:
        sys.stdout.write(f"advisor {__version__}\n")

    if value:
        _guard("en", body)
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = None,
) -> None:
    """With no command, start the assessment (questions are asked on a terminal)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(assess)


# Options shared by several commands, declared once.
AnswersOpt = Annotated[
    Optional[str], typer.Option("--answers", help="Read answers from a YAML or JSON file (flags win).")
]
SaveAnswersOpt = Annotated[
    Optional[str], typer.Option("--save-answers", help="Keep the answers in this YAML or JSON file for next time.")
]
QuickOpt = Annotated[bool, typer.Option("--quick", help="Ask only the four core questions.")]
AskOpt = Annotated[bool, typer.Option("--ask", help="On a terminal, also ask the follow-up questions that matter "
                                      "(with the four answers given as flags, nothing is asked otherwise).")]
LangOpt = Annotated[Optional[str], typer.Option("--lang", help="zh or en (default zh, or $ADVISOR_LANG).")]
RulesOpt = Annotated[
    Optional[list[str]], typer.Option("--rules", help="Rule file or folder replacing the built-in set; repeat to layer.")
]
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", help="Judge the rules on this date (YYYY-MM-DD; default today).")]
NoInputOpt = Annotated[bool, typer.Option("--no-input", help="Never ask; a missing answer is an error.")]
DebtOpt = Annotated[Optional[list[str]], typer.Option(
    "--debt", help='One of several debts, repeatable: "lender,amount,days,negotiation[,field=value…]", '
    'e.g. "花呗,3800,12天,未协商" (amounts without thousands commas).')]


def _path(value: str | None) -> Path | None:
    """File names stay text until used: Typer's own Path type fails on a NUL byte with a traceback."""
    return None if value is None else Path(value)


def _answer_parameter(field: Field) -> inspect.Parameter:
    names = (field.flag, field.short) if field.short else (field.flag,)
    kind = Optional[list[str]] if field.many else Optional[str]
    return inspect.Parameter(field.id, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None,
                             annotation=Annotated[kind, typer.Option(*names, help=field.help)])


def takes_answers(command: Callable[..., None]) -> Callable[..., None]:
    """A command whose first parameter, `flags`, receives the answer flags given, by field id.

    Its options for the answers are made here, one per field of the registry, in registry order."""
    own = inspect.signature(command)
    rest = [p for name, p in own.parameters.items() if name != "flags"]

    def with_answers(**options: Any) -> None:
        flags = {f.id: value for f in FIELDS if (value := options.pop(f.id, None)) is not None}
        command(flags, **options)

    with_answers.__name__ = command.__name__
    with_answers.__doc__ = command.__doc__
    with_answers.__signature__ = own.replace(  # type: ignore[attr-defined]  # read by Typer
        parameters=[_answer_parameter(f) for f in FIELDS] + rest)
    return with_answers


def _places(rule_set: "RuleSet", lang: str, rules: "list[str] | None", answers: str | None,
             writes: "list[tuple[str, str | None]]", stdout: bool) -> list[Any]:
    """The files this run reads and writes, refused (exit 2, both named) when two are one file, before
    any question is asked or anything written: fileio.check_places, the one check every command makes."""
    from .fileio import Place, check_places, stdout_place

    places = [Place("--answers", answers, reads=True)] if answers is not None else []
    places += [Place("--rules", path, reads=True) for path in rules or () if path != "builtin"]
    places += [Place(flag, path) for flag, path in writes if path is not None]
    if stdout:
        places.append(stdout_place(rule_set, lang))
    check_places(places, rule_set, lang)
    return places


def _gathered(flags: dict[str, Any], debts: "list[str] | None", answers: str | None, save_answers: str | None,
              quick: bool, no_input: bool, lang: str, rules: "RuleSet", as_of: date, ask: bool = False) -> Any:
    """One debt's Case, or a household_input.Household when several debts are given or asked about."""
    from .answers import Sources
    from .household_input import gather_any

    sources = Sources(flags, _path(answers), _path(save_answers), quick, interactive=not no_input and stdin_is_tty(),
                      ask=ask)
    read: Callable[[str], str] = read_line
    if sources.interactive:  # questions may come: with line editing where there is one
        from .interview import line_reader

        read = line_reader(read_line)
    return gather_any(sources, debts or [], rules, lang, as_of, read, say)


@app.command()
@takes_answers
def assess(
    flags: dict[str, Any],
    answers: AnswersOpt = None,
    save_answers: SaveAnswersOpt = None,
    quick: QuickOpt = False,
    ask: AskOpt = False,
    output_format: Annotated[str, typer.Option("--format", "-f", help="rich, json, markdown or html.")] = "rich",
    lang: LangOpt = None,
    rules: RulesOpt = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show every fired rule and its conditions.")] = False,
    full: Annotated[bool, typer.Option("--full", help="The whole report: every step, consequence and law text.")] = False,
    as_of: AsOfOpt = None,
    no_input: NoInputOpt = False,
    save: Annotated[Optional[str], typer.Option("--save", help="Also save the report as a web page, FILE.html.")] = None,
    debt: DebtOpt = None,
) -> None:
    """Assess one overdue situation. Missing answers are asked on a terminal; with all four given, it answers at once."""

    def body() -> None:
        from .answers import as_of_day
        from .render import REPORT_FORMATS, report

        language = _lang(lang)
        rule_set = _load(rules)
        if output_format not in REPORT_FORMATS:
            raise UsageError(rule_set.message("bad_format", language, value=output_format,
                                              choices=", ".join(REPORT_FORMATS)))
        save_to = _path(save)
        if save_to is not None and save_to.suffix.lower() == ".svg":
            # A terminal capture drew Chinese at half width and fetched its font online: the page replaces it.
            raise UsageError(rule_set.message("save_svg", language, path=save_to.with_suffix(".html")))
        if save_to is not None and save_to.suffix.lower() not in (".html", ".htm"):
            raise UsageError(rule_set.message("save_not_html", language, path=save))
        _places(rule_set, language, rules, answers, [("--save", save), ("--save-answers", save_answers)], True)
        when = as_of_day(as_of, rule_set, language)
        case = _gathered(flags, debt, answers, save_answers, quick, no_input, language, rule_set, when, ask)
        if hasattr(case, "overdue_days"):
            saved = report(case, rule_set, when, output_format, language, explain, save_to, full=full)
        else:  # several debts: one household report
            from .render.household import household_report

            saved = household_report(case, rule_set, when, output_format, language, save_to, full=full or explain)
        if saved is not None:
            say(rule_set.message("saved", language, path=saved))

    _guard(lang if lang in LANGS else "zh", body)


@app.command()
@takes_answers
def letter(
    flags: dict[str, Any],
    answers: AnswersOpt = None,
    save_answers: SaveAnswersOpt = None,
    quick: QuickOpt = False,
    ask: AskOpt = False,
    script: Annotated[bool, typer.Option("--script", help="A short phone script for the same call instead.")] = False,
    output_format: Annotated[
        Optional[str], typer.Option("--format", "-f", help="text or markdown (default: text on a terminal).")
    ] = None,
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", help="Write to this file instead of stdout (- is stdout).")] = None,
    lang: LangOpt = None,
    rules: RulesOpt = None,
    as_of: AsOfOpt = None,
    no_input: NoInputOpt = False,
    debt: DebtOpt = None,
) -> None:
    """Write a negotiation request (协商还款申请书) from your answers, or with --script a phone script."""

    def body() -> None:
        from .answers import as_of_day
        from .letter import compose

        language = _lang(lang)
        rule_set = _load(rules)
        target = _path(None if output == "-" else output)  # -: standard output, as batch takes it
        chosen = output_format or ("text" if target is None and _stdout_is_tty() else "markdown")
        if chosen not in ("markdown", "text"):
            raise UsageError(rule_set.message("bad_format", language, value=output_format, choices="markdown, text"))
        places = _places(rule_set, language, rules, answers,
                         [("--save-answers", save_answers), ("-o", None if target is None else output)], target is None)
        when = as_of_day(as_of, rule_set, language)
        case = _gathered(flags, debt, answers, save_answers, quick, no_input, language, rule_set, when, ask)
        if not hasattr(case, "overdue_days"):  # several debts: one letter each
            from .household_input import write_letters

            write_letters(case, rule_set, when, language, target, script=script, markdown=chosen == "markdown",
                          places=places)
            return
        text = compose(case, rule_set, when, language, script=script, markdown=chosen == "markdown")
        if target is None:
            sys.stdout.write(text)
            return
        from .fileio import write_file

        write_file(target, text)
        say(rule_set.message("letter_saved", language, path=output))

    _guard(lang if lang in LANGS else "zh", body)


RulePaths = Annotated[
    Optional[list[str]],
    typer.Argument(help="Rule files or folders, layered in order (default: the built-in set; `builtin` names it)."),
]


@rules_app.command("check")
def rules_check(
    paths: RulePaths = None,
    as_of: Annotated[Optional[str], typer.Option(
        "--as-of", help="Run examples without their own date, and judge how old each fact's check is, on this date.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="A machine-readable report on stdout.")] = False,
    coverage: Annotated[
        bool, typer.Option("--coverage", help="Also check every situation gets an answer and every rule matters.")
    ] = False,
    coverage_limit: Annotated[
        int, typer.Option("--coverage-limit", min=1, help="Refuse --coverage past this many situations.")
    ] = COVERAGE_LIMIT,
) -> None:
    """Validate a rule set, lint its content, check every fact names its source and run every rule's
    examples. Exit 0 when clean, 3 otherwise; facts checked over a year ago only warn."""

    def body() -> int:
        from .checks import load_failed, report
        from .errors import RuleSetError
        from .ruleset import load_ruleset

        today = date.today()
        if as_of:
            try:
                today = date.fromisoformat(as_of)
            except ValueError:
                raise UsageError(f'--as-of: "{as_of}" is not a date like 2026-03-31') from None
        try:
            rules = load_ruleset(paths or None, cache=False)
        except RuleSetError as exc:
            if not as_json:
                raise
            write_json(load_failed(exc.problems))
            return int(ExitCode.RULES)
        found = report(rules, today, coverage_limit if coverage else None, paths or None)
        for warning in found.warnings:
            say(f"warning: {warning}")
        if as_json:
            write_json(found.data)
            return int(ExitCode.RULES) if found.problems else int(ExitCode.OK)
        if found.matrix:
            from .safetext import printable

            sys.stdout.write(printable("\n".join(found.matrix), lines=True) + "\n")
        if found.problems:
            raise RuleSetError(found.problems)
        sys.stdout.write(rules.message("rules_ok", "en", rules=len(rules.rules), examples=found.examples) + "\n")
        return int(ExitCode.OK)

    _guard("en", body)


@rules_app.command("list")
def rules_list(
    paths: RulePaths = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array on stdout.")] = False,
    rule_paths: RulesOpt = None,
) -> None:
    """List the rules: id, where each is defined, what it sets, and when it is in force."""

    def body() -> None:
        from .describe import list_lines, rule_row

        rules = _load([*(paths or []), *(rule_paths or [])])
        if as_json:
            write_json([rule_row(r) for r in rules.rules])
        else:
            sys.stdout.write("\n".join(list_lines(rules)) + "\n")

    _guard("en", body)


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(metavar="ID", help="The rule to show.")],
    paths: RulePaths = None,
    lang: LangOpt = None,
    rule_paths: RulesOpt = None,
) -> None:
    """Show one rule: its conditions, what it sets and adds, its texts, references and examples."""

    def body() -> None:
        from .describe import show_lines

        language = _lang(lang)
        rules = _load([*(paths or []), *(rule_paths or [])])
        found = next((r for r in rules.rules if r["id"] == rule_id), None)
        if found is None:
            raise UsageError(f'no rule "{rule_id}"{suggest(rule_id, [r["id"] for r in rules.rules])}; '
                             "see `advisor rules list`")
        sys.stdout.write("\n".join(show_lines(found, rules, language)) + "\n")

    _guard("en", body)


@rules_app.command("schema")
def rules_schema() -> None:
    """Print the JSON Schema of rule files (the one shipped as rules/schema.json), for editors."""

    def body() -> None:
        from .schema import build

        write_json(build())

    _guard("en", body)


@app.command()
def questions(
    as_json: Annotated[bool, typer.Option("--json", help="Every field as JSON, for scripts and forms.")] = False,
    rules: RulesOpt = None,
    lang: LangOpt = None,
) -> None:
    """The questions asked: each field with its type, range, choices, labels and common names."""

    def body() -> None:
        from .describe import questions as describe
        from .describe import questions_text

        language = _lang(lang)
        rule_set = _load(rules)
        if as_json:
            write_json(describe(rule_set))
        else:
            sys.stdout.write(questions_text(rule_set, language))

    _guard("en", body)


@app.command()
def batch(
    input_path: Annotated[str, typer.Argument(metavar="INPUT", help="Cases as CSV, JSONL or a JSON array; - reads stdin.")],
    output: Annotated[
        Optional[str], typer.Option("--output", "-o", help="Write to FILE, put in place only when the run completes.")
    ] = None,
    output_format: Annotated[
        Optional[str],
        typer.Option("--output-format", help="jsonl (default), csv, json or xlsx (the excel extra); or from the -o name."),
    ] = None,
    input_format: Annotated[
        Optional[str], typer.Option("--input-format", help="csv, jsonl, json or xlsx (default: from the name, or sniffed).")
    ] = None,
    encoding: Annotated[
        Optional[str], typer.Option("--encoding", help="Input encoding, e.g. gb18030 (default UTF-8, BOM or not).")
    ] = None,
    excel: Annotated[bool, typer.Option("--excel", help="CSV output with a BOM, so Excel shows Chinese.")] = False,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", help="Processes to use (default: every core).")] = None,
    fail_fast: Annotated[bool, typer.Option("--fail-fast", help="Stop at the first row that cannot be assessed.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary on stderr.")] = False,
    summary_file: Annotated[
        Optional[str], typer.Option("--summary", help="Write a caseload summary: Markdown, or JSON for FILE.json.")
    ] = None,
    reports: Annotated[Optional[str], typer.Option("--reports", help="Write one report per row (or household) into DIR.")] = None,
    reports_format: Annotated[str, typer.Option("--reports-format", help="html (default) or markdown.")] = "html",
    letters: Annotated[Optional[str], typer.Option("--letters", help="Write one letter per row (or debt) into DIR.")] = None,
    labels: Annotated[bool, typer.Option("--labels", help="Labels and step texts instead of ids, for people.")] = False,
    keep: Annotated[
        Optional[list[str]], typer.Option("--keep", help="Carry this input column through (repeatable), e.g. 姓名.")
    ] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="The sheet of an .xlsx to read (default: the first).")
                     ] = None,
    lang: LangOpt = None,
    rules: RulesOpt = None,
    as_of: AsOfOpt = None,
    group_by: Annotated[Optional[str], typer.Option(
        "--group-by", help="Rows sharing this column's value are one person's debts: one household record "
        "each (default: a client or 客户编号 column, when the file has one; none: row by row).")] = None,
) -> None:
    """Assess every case in a file: one record per row, in input order. Exit 1 if any row was rejected."""

    def body() -> int:
        from .answers import as_of_day
        from .batch import DeskOptions, Options, run

        language = _lang(lang)
        rule_set = _load(rules)
        day = as_of_day(as_of, rule_set, language)
        for flag, named, example in (("--group-by", [group_by] if group_by is not None else [], "客户编号"),
                                     ("--keep", keep or [], "姓名")):
            if any(not name.strip() for name in named):  # not taken for no flag at all, nor for a blank column
                raise UsageError(rule_set.message("batch_blank_column", language, flag=flag, example=example))
        desk = DeskOptions(summary=summary_file, reports=reports, reports_format=reports_format.strip().lower(),
                           letters=letters, labels=labels, keep=tuple(dict.fromkeys(keep or ())), sheet=sheet)  # once each
        from .batch.household_desk import client_column, run_households

        options = Options(
            input=input_path, input_format=input_format, encoding=encoding, output=output,
            output_format=output_format, excel=excel, jobs=jobs, fail_fast=fail_fast, lang=language,
            rule_paths=[str(p) for p in rules] if rules else None, as_of=day, desk=desk,
        )
        # `--group-by none`: row by row, even where a client column is there.
        column = None if (group_by or "").strip().lower() == "none" else (
            group_by if group_by is not None else client_column(options, rule_set))
        try:
            terminal = not quiet and sys.stderr.isatty()
        except (AttributeError, ValueError):
            terminal = False
        if column is not None:  # several debts per client: one household record each
            totals = run_households(options, column, rule_set, warn=say)
        else:
            totals = run(options, rule_set, warn=say, progress=terminal)
        for line in totals.lines(rule_set, language, output, quiet, terminal=terminal, summary=summary_file):
            say(line)
        return int(ExitCode.REJECTED) if totals.rejected else int(ExitCode.OK)

    _guard(lang if lang in LANGS else "zh", body)


def _on_signal(signum: int, frame: object) -> None:
    # Once is enough: a second signal must not cut the clean-up the first one started.
    for other in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(other, signal.SIG_IGN)
    raise Interrupted(signum)


def _stdout_identity() -> tuple[int, int] | None:
    try:
        info = os.fstat(1)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _stdout_was_silenced(before: tuple[int, int] | None) -> bool:
    """Whether fd 1 now is the null device though it was not when the run began."""
    try:
        null = os.stat(os.devnull)
    except OSError:
        return False
    now = _stdout_identity()
    return before != now and now == (null.st_dev, null.st_ino)


def _build_only(first: list[str]) -> None:
    """Typer builds the options of every command at start-up, a few milliseconds of each run. A run
    that names its command first needs that one alone; any other (no command, --help, a typo) gets
    them all, so that listings, suggestions and errors are unchanged."""
    commands = {c.name or (c.callback.__name__ if c.callback else ""): c for c in app.registered_commands}
    groups = {g.name: g for g in app.registered_groups}
    if first and first[0] in commands:
        app.registered_commands, app.registered_groups = [commands[first[0]]], []
    elif first and first[0] in groups:
        app.registered_commands, app.registered_groups = [], [groups[first[0]]]


def main() -> NoReturn:
    """Console-script entry point."""
    standard_streams()
    # SIGTERM (kill, systemd) and SIGHUP (the terminal closed) stop the run as Ctrl-C does, with the
    # same clean-up: no part file is left behind.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _on_signal)
    code: Any = 0
    before = _stdout_identity()
    _build_only(sys.argv[1:2])
    try:
        with writing_stdout():  # also what Click itself prints: --help, its usage errors
            try:
                app(prog_name="advisor")  # the same name, and completion, however it was started
            except SystemExit as exc:
                code = exc.code
                if code == 1 and _stdout_was_silenced(before):
                    # Rich, printing --help, met a closed pipe (`--help | head`): it pointed stdout at
                    # the null device and said exit 1. That is the same quiet end as any closed pipe.
                    code = int(ExitCode.BROKEN_PIPE)
    except WriteError as exc:
        say(f"advisor: {exc}")
        code = int(exc.exit_code)
    except BrokenPipeError:
        quiet_stdout()
        code = int(ExitCode.BROKEN_PIPE)
    except KeyboardInterrupt as exc:
        say("\nCancelled.")
        code = int(getattr(exc, "exit_code", ExitCode.INTERRUPTED))
    sys.exit(code)
