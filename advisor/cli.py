"""The command line: parse flags, call the core, render. The only module that imports typer.

Every AdvisorError becomes one line on stderr and its exit code here, and nowhere else.

No `from __future__ import annotations` here: Typer would then evaluate every option's annotation
from a string on each run, which costs more than evaluating them once at import.
"""

import codecs
import errno
import io
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional, TypeVar

import typer

from . import __version__
from .errors import AdvisorError, CaseError, ExitCode, Interrupted, UsageError, WriteError

if TYPE_CHECKING:
    from .ruleset import RuleSet

T = TypeVar("T")

FORMATS = ("rich", "json", "markdown")
LANGS = ("zh", "en")
COVERAGE_LIMIT = 100_000  # situations: coverage tries a few thousand a second, so this is under a minute

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Overdue-situation advisor: what an overdue loan means for you and your credit report, "
    "and what to do now. Not legal advice.",
)
rules_app = typer.Typer(help="Work with rule sets.", add_completion=False, pretty_exceptions_enable=False)
app.add_typer(rules_app, name="rules")


def _stderr(text: str, end: str = "\n") -> None:
    # With stderr closed (`2>&-`) or broken, messages are lost, but never the exit code they go with.
    from .safetext import printable  # messages quote file names, columns and rule texts

    try:
        sys.stderr.write(printable(text, lines=True) + end)
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):
        pass


@contextmanager
def _writing_stdout() -> Iterator[None]:
    """Writes to stdout inside this block that fail become one message naming the stream."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        raise  # the reader went away: not an error to report
    except OSError as exc:
        _quiet_stdout()
        reason = "it is closed" if exc.errno == errno.EBADF else exc.strerror or str(exc)
        raise WriteError("standard output", reason) from None


def _quiet_stdout() -> None:
    # stdout takes no more (its reader is gone, the disk is full): what is still buffered must go
    # nowhere, or Python reports the same failure again when it flushes at exit.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        pass


def stdin_is_tty() -> bool:
    """Whether a person can answer questions here. Prompts happen only then (CONTRACT §2)."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _lang(value: str | None) -> str:
    lang = (value or os.environ.get("ADVISOR_LANG") or "zh").strip().lower()
    if lang not in LANGS:
        raise UsageError(f'--lang: "{value or lang}" is not supported; choose one of: {", ".join(LANGS)}')
    return lang


def _guard(lang: str, body: Callable[[], T]) -> T:
    """The one error boundary: user mistakes and interrupts become a line and an exit code."""
    from .templates import fill
    try:
        with _writing_stdout():
            return body()
    except WriteError as exc:
        _stderr("advisor: " + fill(_ui_text("cannot_write", lang), {"path": exc.path, "reason": exc.reason}))
        raise typer.Exit(int(exc.exit_code)) from None
    except AdvisorError as exc:
        _stderr(f"advisor: {exc}")
        raise typer.Exit(int(exc.exit_code)) from None
    except BrokenPipeError:
        _quiet_stdout()
        raise typer.Exit(int(ExitCode.BROKEN_PIPE)) from None
    except KeyboardInterrupt as exc:
        _stderr("\n" + _ui_text("interrupted", lang))
        raise typer.Exit(int(getattr(exc, "exit_code", ExitCode.INTERRUPTED))) from None
    except EOFError:
        _stderr("\n" + _ui_text("input_ended", lang))
        raise typer.Exit(int(ExitCode.USAGE)) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:
        if os.environ.get("ADVISOR_DEBUG"):
            raise
        _stderr("advisor: " + fill(_ui_text("internal_error", lang), {"error": f"{type(exc).__name__}: {exc}"}))
        raise typer.Exit(int(ExitCode.INTERNAL)) from None


_UI_FALLBACK = {"interrupted": "Cancelled.", "input_ended": "Input ended.", "internal_error": "internal error ({error})",
                "cannot_write": "cannot write {path}: {reason}"}


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
    if value:
        _guard("en", lambda: sys.stdout.write(f"advisor {__version__}\n"))
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


# Options shared by `assess` and `letter`: the answers, and where they come from.
DaysOpt = Annotated[Optional[str], typer.Option("--days", "-d", help="Days overdue: 45 or 45天 (0 = not yet).")]
AmountOpt = Annotated[
    Optional[str], typer.Option("--amount", "-a", help="Overdue amount: 5000, 5,000, 5000元, 3万, 2.5万元, 8千.")
]
PlatformOpt = Annotated[
    Optional[str], typer.Option("--platform", "-p", help="Lender type: id, Chinese name, number or alias (花呗, 网商贷…).")
]
NegotiationOpt = Annotated[
    Optional[str],
    typer.Option("--negotiation", "-n", help="Negotiation so far: none, in_progress, agreed, breached, failed (or 未协商…)."),
]
LegalOpt = Annotated[
    Optional[str],
    typer.Option("--legal-status", help="Court action: none, demand_letter, sued, judgment, enforcement, dishonest_listed."),
]
CollectionOpt = Annotated[
    Optional[list[str]],
    typer.Option("--collection", help="How you are being collected (repeat or comma-separate): normal, night_calls, "
                 "contacts_third_parties, threats, fake_legal_documents, violence, extra_fees."),
]
HardshipOpt = Annotated[
    Optional[str],
    typer.Option("--hardship", help="none, illness, unemployment, income_drop, business_failure, family_emergency, disaster."),
]
AprOpt = Annotated[Optional[str], typer.Option("--apr", help="Annual rate in %, as the app or contract shows it.")]
ContractDateOpt = Annotated[Optional[str], typer.Option("--contract-date", help="Date of the loan contract, YYYY-MM-DD.")]
LprOpt = Annotated[Optional[str], typer.Option("--lpr", help="1-year LPR in % to use instead of the built-in table.")]
IncomeOpt = Annotated[Optional[str], typer.Option("--income", help="Monthly income (same forms as --amount; 0 allowed).")]
ExpensesOpt = Annotated[Optional[str], typer.Option("--expenses", help="Essential monthly costs (same forms as --amount).")]
RepaidOpt = Annotated[Optional[str], typer.Option("--repaid-on", help="Date the overdue was repaid in full, YYYY-MM-DD.")]
OtherDebtsOpt = Annotated[Optional[str], typer.Option("--other-debts", help="How many other debts you have.")]
AnswersOpt = Annotated[
    Optional[str], typer.Option("--answers", help="Read answers from a YAML or JSON file (flags win).")
]
SaveAnswersOpt = Annotated[
    Optional[str], typer.Option("--save-answers", help="Keep the answers in this YAML or JSON file for next time.")
]
QuickOpt = Annotated[bool, typer.Option("--quick", help="Ask only the four core questions.")]
LangOpt = Annotated[Optional[str], typer.Option("--lang", help="zh or en (default zh, or $ADVISOR_LANG).")]
RulesOpt = Annotated[
    Optional[list[str]], typer.Option("--rules", help="Rule file or folder replacing the built-in set; repeat to layer.")
]
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", help="Judge the rules on this date (YYYY-MM-DD; default today).")]
NoInputOpt = Annotated[bool, typer.Option("--no-input", help="Never ask; a missing answer is an error.")]


def _path(value: str | None) -> Path | None:
    """File names stay text until used: Typer's own Path type fails on a NUL byte with a traceback."""
    return None if value is None else Path(value)


# The parameter of `assess` and `letter` that carries each answer, where its name is not the field id.
_PARAMETER_FIELD = {"days": "overdue_days", "income": "monthly_income", "expenses": "monthly_expenses"}


def _flag_answers(params: dict[str, Any]) -> dict[str, Any]:
    """The answers given as flags, by field id; flags not given are left out."""
    from .models import FIELD_KINDS

    named = {_PARAMETER_FIELD.get(name, name): value for name, value in params.items()}
    return {field: value for field, value in named.items() if field in FIELD_KINDS and value is not None}


@app.command()
def assess(
    days: DaysOpt = None,
    amount: AmountOpt = None,
    platform: PlatformOpt = None,
    negotiation: NegotiationOpt = None,
    legal_status: LegalOpt = None,
    collection: CollectionOpt = None,
    hardship: HardshipOpt = None,
    apr: AprOpt = None,
    contract_date: ContractDateOpt = None,
    lpr: LprOpt = None,
    income: IncomeOpt = None,
    expenses: ExpensesOpt = None,
    repaid_on: RepaidOpt = None,
    other_debts: OtherDebtsOpt = None,
    answers: AnswersOpt = None,
    save_answers: SaveAnswersOpt = None,
    quick: QuickOpt = False,
    output_format: Annotated[str, typer.Option("--format", "-f", help="rich, json or markdown.")] = "rich",
    lang: LangOpt = None,
    rules: RulesOpt = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show every fired rule and its conditions.")] = False,
    as_of: AsOfOpt = None,
    no_input: NoInputOpt = False,
    save: Annotated[Optional[str], typer.Option("--save", help="Also save the report as FILE.html or FILE.svg.")] = None,
) -> None:
    """Assess one overdue situation. Missing answers are asked on a terminal."""
    flags = _flag_answers(locals())

    def body() -> None:
        language = _lang(lang)
        if output_format not in FORMATS:
            raise UsageError(f'--format: "{output_format}" is not one of: {", ".join(FORMATS)}')
        save_to = _path(save)
        if save_to is not None and save_to.suffix.lower() not in (".html", ".svg"):
            raise UsageError(f'--save: "{save}" must end in .html or .svg')
        rule_set, case, when = _gather(flags, _path(answers), _path(save_answers), quick, language, rules, as_of,
                                       no_input)
        _report(rule_set, case, when, output_format, language, explain, save_to)

    _guard(lang if lang in LANGS else "zh", body)


def _gather(
    flags: dict[str, Any],
    answers_file: Path | None,
    save_answers: Path | None,
    quick: bool,
    lang: str,
    rule_paths: list[str] | None,
    as_of_text: str | None,
    no_input: bool,
) -> tuple["RuleSet", Any, date]:
    """Answers from a file, then flags, then questions: parsed by the one parser of each field."""
    from .interview import FLAGS, complete, missing_fields
    from .models import Case
    from .parsing import parse_answer, parse_date

    rules = _load(rule_paths)
    as_of = date.today()
    if as_of_text is not None:
        try:
            as_of = parse_date(as_of_text, "as_of", rules, lang)
        except CaseError as exc:
            raise UsageError(f"--as-of: {exc.message}") from None
    raw = {**(_read_answers(answers_file, rules, lang) if answers_file else {}), **flags}
    parsed: dict[str, Any] = {}
    bad = []
    for field, value in raw.items():
        try:
            parsed[field] = parse_answer(field, value, rules, lang, as_of)
        except CaseError as exc:
            source = FLAGS[field] if field in flags else f"{answers_file}: {field}"
            bad.append(f"{source}: {exc.message}")
    if bad:
        raise UsageError("\n  ".join(bad))
    missing = missing_fields(parsed)
    interactive = not no_input and stdin_is_tty()
    if missing and not interactive:
        names = ", ".join(f"{FLAGS[f]} ({f})" for f in missing)
        raise UsageError(rules.message("missing_flags", lang, missing=names))
    if interactive:
        parsed = complete(parsed, rules, lang, _read_line, _stderr, as_of=as_of, quick=quick, given=frozenset(raw))
    if save_answers is not None:
        _write_answers(save_answers, parsed, rules, lang)
    return rules, Case(**parsed), as_of


def _read_answers(path: Path, rules: "RuleSet", lang: str) -> dict[str, Any]:
    from .models import FIELD_KINDS
    from .rulefiles import read_limited, safe_data

    try:  # screened like a rule file: bounded in size, no YAML aliases, no deep nesting
        text = read_limited(path, "an answers file").decode("utf-8")
        if path.suffix.lower() == ".json":
            import json

            data = json.loads(text)
        else:
            data = safe_data(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UsageError(rules.message("bad_answers_file", lang, path=path, reason=exc)) from None
    except Exception as exc:  # yaml.YAMLError, without importing yaml up front
        raise UsageError(rules.message("bad_answers_file", lang, path=path, reason=exc)) from None
    if not isinstance(data, dict):
        raise UsageError(rules.message("bad_answers_file", lang, path=path, reason="not a mapping of answers"))
    unknown = [k for k in data if k not in FIELD_KINDS]
    if unknown:
        raise UsageError(rules.message("bad_answers_file", lang, path=path,
                                       reason=f"unknown fields: {', '.join(map(str, unknown))}"))
    return data


def _write_answers(path: Path, answers: dict[str, Any], rules: "RuleSet", lang: str) -> None:
    """The user asked for this file: the only place the tool ever writes their answers."""
    from .fileio import write_file
    from .models import plain

    data = {k: plain(v) for k, v in answers.items() if v is not None}
    if path.suffix.lower() == ".json":
        import json

        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        import yaml

        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    write_file(path, text)
    _stderr(rules.message("answers_saved", lang, path=path))


def _report(
    rules: "RuleSet", case: Any, as_of: date, output_format: str, lang: str, explain: bool, save: Path | None
) -> None:
    from .engine import evaluate
    from .render.record import to_record

    assessment = evaluate(case, rules, as_of, trace=explain)
    record = to_record(assessment, rules, lang, explain=explain)
    if output_format == "json":
        _write_json(record)
    elif output_format == "markdown":
        from .render.markdown import to_markdown

        sys.stdout.write(to_markdown(record, rules, lang))
    else:
        from .render.rich_text import print_report

        print_report(record, rules, lang, explain=explain)
    if save is not None:
        from .render.rich_text import save_report

        save_report(record, rules, lang, save, explain=explain)
        _stderr(rules.message("saved", lang, path=save))


@app.command()
def letter(
    days: DaysOpt = None,
    amount: AmountOpt = None,
    platform: PlatformOpt = None,
    negotiation: NegotiationOpt = None,
    legal_status: LegalOpt = None,
    collection: CollectionOpt = None,
    hardship: HardshipOpt = None,
    apr: AprOpt = None,
    contract_date: ContractDateOpt = None,
    lpr: LprOpt = None,
    income: IncomeOpt = None,
    expenses: ExpensesOpt = None,
    repaid_on: RepaidOpt = None,
    other_debts: OtherDebtsOpt = None,
    answers: AnswersOpt = None,
    save_answers: SaveAnswersOpt = None,
    quick: QuickOpt = False,
    script: Annotated[bool, typer.Option("--script", help="A short phone script for the same call instead.")] = False,
    output_format: Annotated[str, typer.Option("--format", "-f", help="markdown or text.")] = "markdown",
    output: Annotated[Optional[str], typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
    lang: LangOpt = None,
    rules: RulesOpt = None,
    as_of: AsOfOpt = None,
    no_input: NoInputOpt = False,
) -> None:
    """Write a negotiation request (协商还款申请书) from your answers, or with --script a phone script."""
    flags = _flag_answers(locals())

    def body() -> None:
        from .letter import compose

        language = _lang(lang)
        if output_format not in ("markdown", "text"):
            raise UsageError(f'--format: "{output_format}" is not one of: markdown, text')
        rule_set, case, when = _gather(flags, _path(answers), _path(save_answers), quick, language, rules, as_of,
                                       no_input)
        text = compose(case, rule_set, when, language, script=script, markdown=output_format == "markdown")
        target = _path(output)
        if target is None:
            sys.stdout.write(text)
            return
        from .fileio import write_file

        write_file(target, text)
        _stderr(rule_set.message("saved", language, path=output))

    _guard(lang if lang in LANGS else "zh", body)


def _read_line(prompt: str) -> str:
    _stderr(prompt, end="")
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\r\n")


RulePaths = Annotated[
    Optional[list[str]],
    typer.Argument(help="Rule files or folders, layered in order (default: the built-in set; `builtin` names it)."),
]


def _write_json(data: Any) -> None:
    import json

    from .safetext import json_safe

    sys.stdout.write(json_safe(json.dumps(data, ensure_ascii=False, indent=2)) + "\n")


@rules_app.command("check")
def rules_check(
    paths: RulePaths = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Run examples without their own date on this date.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="A machine-readable report on stdout.")] = False,
    coverage: Annotated[
        bool, typer.Option("--coverage", help="Also check every situation gets an answer and every rule matters.")
    ] = False,
    coverage_limit: Annotated[
        int, typer.Option("--coverage-limit", min=1, help="Refuse --coverage past this many situations.")
    ] = COVERAGE_LIMIT,
) -> None:
    """Validate a rule set, lint its content and run every rule's examples. Exit 0 when clean, 3 otherwise."""

    def body() -> None:
        from .checks import example_problems, example_results, lint
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
            _write_json({"ok": False, "rules": None, "examples": [], "problems": [p.to_dict() for p in exc.problems]})
            raise typer.Exit(int(ExitCode.RULES)) from None
        results = example_results(rules, today)
        problems = lint(rules)
        problems += example_problems(results)
        report: dict[str, Any] = {}
        if coverage:
            from .coverage import check_coverage, cost, matrix
            from .coverage import problems as coverage_problems

            situations = cost(rules)
            if situations > coverage_limit:  # said before it starts, not after minutes of work
                raise UsageError(f"--coverage: {situations:,} situations to check, more than the limit of "
                                 f"{coverage_limit:,}; raise --coverage-limit to run it anyway")
            cov = check_coverage(rules, today)
            problems += coverage_problems(cov)
            report["coverage"] = {
                "situations": cov.points,
                "gaps": [{"case": g.case.echo(), "missing": list(g.missing)} for g in cov.gaps],
                "never_fire": cov.never_fire,
                "overruled": [{"rule": r, "output": k, "value": v} for r, k, v in cov.overruled],
                "bands": {f: [[str(lo), str(hi)] for lo, hi in b] for f, b in cov.bands.items()},
            }
        if as_json:
            _write_json({"ok": not problems, "rules": len(rules.rules),
                         "examples": [r.to_dict() for r in results],
                         "problems": [p.to_dict() for p in problems], **report})
        else:
            if coverage:
                from .safetext import printable

                sys.stdout.write(printable("\n".join(matrix(cov, rules)), lines=True) + "\n")
            if not problems:
                sys.stdout.write(rules.message("rules_ok", "en", rules=len(rules.rules), examples=len(results)) + "\n")
        if problems:
            if as_json:
                raise typer.Exit(int(ExitCode.RULES))
            raise RuleSetError(problems)

    _guard("en", body)


@rules_app.command("list")
def rules_list(
    paths: RulePaths = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array on stdout.")] = False,
) -> None:
    """List the rules: id, where each is defined, what it sets, and when it is in force."""

    def body() -> None:
        from .describe import list_lines, rule_row

        rules = _load(paths)
        if as_json:
            _write_json([rule_row(r) for r in rules.rules])
        else:
            sys.stdout.write("\n".join(list_lines(rules)) + "\n")

    _guard("en", body)


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(metavar="ID", help="The rule to show.")],
    paths: RulePaths = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="zh or en (default zh, or $ADVISOR_LANG).")] = None,
) -> None:
    """Show one rule: its conditions, what it sets and adds, its texts, references and examples."""

    def body() -> None:
        from .describe import show_lines
        from .rulespec import suggest

        language = _lang(lang)
        rules = _load(paths)
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

        _write_json(build())

    _guard("en", body)


@app.command()
def questions(
    as_json: Annotated[bool, typer.Option("--json", help="Every field as JSON, for scripts and forms.")] = False,
    rules: Annotated[
        Optional[list[str]], typer.Option("--rules", help="Rule file or folder replacing the built-in set; repeat to layer.")
    ] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="zh or en (default zh, or $ADVISOR_LANG).")] = None,
) -> None:
    """The questions asked: each field with its type, range, choices, labels and common names."""

    def body() -> None:
        from .describe import questions as describe
        from .interview import question_text

        language = _lang(lang)
        rule_set = _load(rules)
        if as_json:
            _write_json(describe(rule_set))
            return
        for field in describe(rule_set):
            sys.stdout.write(f"{field['flag']} ({field['id']})\n")
            if field["id"] in rule_set.fields:
                from .safetext import printable

                sys.stdout.write(printable(question_text(field["id"], rule_set, language), lines=True) + "\n")
            if field.get("asked_when"):
                sys.stdout.write(f"  asked when: {field['asked_when']}\n")
            sys.stdout.write("\n")

    _guard("en", body)


@app.command()
def batch(
    input_path: Annotated[str, typer.Argument(metavar="INPUT", help="Cases as CSV, JSONL or a JSON array; - reads stdin.")],
    output: Annotated[
        Optional[str], typer.Option("--output", "-o", help="Write to FILE, put in place only when the run completes.")
    ] = None,
    output_format: Annotated[
        Optional[str], typer.Option("--output-format", help="jsonl (default), csv or json; or from the -o name.")
    ] = None,
    input_format: Annotated[
        Optional[str], typer.Option("--input-format", help="csv, jsonl or json (default: from the name, or sniffed).")
    ] = None,
    encoding: Annotated[
        Optional[str], typer.Option("--encoding", help="Input encoding, e.g. gb18030 (default UTF-8, BOM or not).")
    ] = None,
    excel: Annotated[bool, typer.Option("--excel", help="CSV output with a BOM, so Excel shows Chinese.")] = False,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", help="Processes to use (default: every core).")] = None,
    fail_fast: Annotated[bool, typer.Option("--fail-fast", help="Stop at the first row that cannot be assessed.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary on stderr.")] = False,
    lang: Annotated[Optional[str], typer.Option("--lang", help="zh or en (default zh, or $ADVISOR_LANG).")] = None,
    rules: Annotated[
        Optional[list[str]], typer.Option("--rules", help="Rule file or folder replacing the built-in set; repeat to layer.")
    ] = None,
    as_of: Annotated[
        Optional[str], typer.Option("--as-of", help="Judge the rules on this date (YYYY-MM-DD; default today).")
    ] = None,
) -> None:
    """Assess every case in a file: one record per row, in input order. Exit 1 if any row was rejected."""

    def body() -> int:
        from .batch import Options, run, text
        from .parsing import parse_date

        language = _lang(lang)
        rule_set = _load(rules)
        day = date.today()
        if as_of is not None:
            try:
                day = parse_date(as_of, "as_of", rule_set, language)
            except CaseError as exc:
                raise UsageError(f"--as-of: {exc.message}") from None
        options = Options(
            input=input_path, input_format=input_format, encoding=encoding, output=output,
            output_format=output_format, excel=excel, jobs=jobs, fail_fast=fail_fast, lang=language,
            rule_paths=[str(p) for p in rules] if rules else None, as_of=day,
        )
        try:
            show_progress = not quiet and sys.stderr.isatty()
        except (AttributeError, ValueError):
            show_progress = False
        summary = run(options, rule_set, warn=_stderr, progress=show_progress)
        if summary.stopped is not None:
            row, field, message = summary.stopped
            _stderr(text(rule_set, "stopped", language, row=row, field=f"{field}: " if field else "", message=message))
            if output not in (None, "-"):
                _stderr(text(rule_set, "not_written", language, path=output))
        if not quiet:
            rate = summary.rows / summary.seconds if summary.seconds > 0 else 0.0
            _stderr(text(rule_set, "summary", language, rows=summary.rows, ok=summary.assessed, bad=summary.rejected,
                         seconds=summary.seconds, rate=rate))
        return int(ExitCode.REJECTED) if summary.rejected else int(ExitCode.OK)

    code = _guard(lang if lang in LANGS else "zh", body)
    if code:
        raise typer.Exit(code)


def _escape_unshowable(exc: UnicodeError) -> tuple[str, int]:
    """stdout's encoding cannot show a character (PYTHONIOENCODING=ascii, a latin-1 terminal): write
    it as a \\u escape (as JSON spells it, so JSON output stays the same data), and say so once."""
    global _ESCAPED
    if not _ESCAPED:
        _ESCAPED = True
        _stderr(f"advisor: this output's encoding ({sys.stdout.encoding}) cannot show some characters, such as "
                "Chinese; they are written as \\u escapes. A UTF-8 locale (LANG=C.UTF-8) shows them.")
    assert isinstance(exc, UnicodeEncodeError)
    escaped = []
    for char in exc.object[exc.start:exc.end]:
        code = ord(char)
        if code > 0xFFFF:  # beyond the BMP: a surrogate pair, as JSON spells it
            code -= 0x10000
            escaped.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            escaped.append(f"\\u{code:04x}")
    return "".join(escaped), exc.end


_ESCAPED = False


def _standard_streams() -> None:
    """Make the three standard streams safe to use however the caller left them.

    A closed descriptor (`>&-`) is taken by /dev/null, read-only, so no file the tool opens can land
    on it and writes to it fail plainly ("standard output: it is closed") instead of vanishing.
    """
    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            if name == "stdin":
                sys.stdin = open(fd, encoding="utf-8", closefd=False)  # noqa: SIM115 - lives with the process
            elif name == "stdout":
                sys.stdout = open(fd, "w", encoding="utf-8", closefd=False)  # noqa: SIM115 - likewise
    codecs.register_error("advisor-escape", _escape_unshowable)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="advisor-escape")


def _on_signal(signum: int, frame: object) -> None:
    # Once is enough: a second signal must not cut the clean-up the first one started.
    for other in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(other, signal.SIG_IGN)
    raise Interrupted(signum)


def main() -> NoReturn:
    """Console-script entry point."""
    _standard_streams()
    # SIGTERM (kill, systemd) and SIGHUP (the terminal closed) stop the run as Ctrl-C does, with the
    # same clean-up: no part file is left behind.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _on_signal)
    code: Any = 0
    try:
        with _writing_stdout():  # also what Click itself prints: --help, its usage errors
            try:
                app()
            except SystemExit as exc:
                code = exc.code
    except WriteError as exc:
        _stderr(f"advisor: {exc}")
        code = int(exc.exit_code)
    except BrokenPipeError:
        _quiet_stdout()
        code = int(ExitCode.BROKEN_PIPE)
    except KeyboardInterrupt as exc:
        _stderr("\nCancelled.")
        code = int(getattr(exc, "exit_code", ExitCode.INTERRUPTED))
    sys.exit(code)
