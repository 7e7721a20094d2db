"""Errors and exit codes. Core code raises these; only the CLI turns them into exits."""

from __future__ import annotations

from collections.abc import Iterable


class ExitCode:
    """Every exit code the tool uses, and what each means (README "Exit codes"). Plain ints: nothing
    needs an enum's names, and creating an IntEnum was a fiftieth of a warm start."""

    OK = 0
    REJECTED = 1  # a batch finished with rejected rows
    USAGE = 2  # a bad flag or value, a missing answer, or an output that cannot be written
    RULES = 3
    INTERNAL = 4  # a bug: never caused by input, a file or the environment
    HANGUP = 129  # 128 + the signal number, as a shell reports a process the signal ended
    INTERRUPTED = 130
    BROKEN_PIPE = 141  # the reader of stdout went away: end quietly, like any Unix filter
    TERMINATED = 143


def closest(word: object, choices: Iterable[str]) -> str | None:
    """The one of `choices` closest to `word`, if any is close."""
    import difflib  # only needed when something is wrong

    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def suggest(word: object, choices: Iterable[str]) -> str:
    """` (did you mean "x"?)` naming the closest of `choices`, or nothing: for the rule author's English
    messages; a person's messages say it in their language (parsing.unknown_key)."""
    close = closest(word, choices)
    return f' (did you mean "{close}"?)' if close else ""


class AdvisorError(Exception):
    exit_code = ExitCode.INTERNAL


class UsageError(AdvisorError):
    exit_code = ExitCode.USAGE


class ArgumentError(UsageError, ValueError):
    """A bad argument to the Python API, such as an unknown language or a date given as text.
    Also a ValueError, as Python's own bad arguments are."""


class WriteError(UsageError):
    """An output could not be written: a file, or "standard output"."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"cannot write {path}: {reason}")
        self.path = path
        self.reason = reason


class UnknownKeysWarning(UserWarning):
    """`assess_many` met keys that name no field (a frame's extra columns, or a misspelt one): they are
    left out, and named once in this warning, not once per row. `warnings.simplefilter("error",
    UnknownKeysWarning)` makes them an error; `"ignore"` silences them. `names` lists the keys."""

    def __init__(self, message: str, names: list[str]) -> None:
        super().__init__(message)
        self.names = names


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the signal lands so that the clean-up Ctrl-C gets runs too."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.exit_code = 128 + signum  # ExitCode.HANGUP, TERMINATED, or the like for a signal to a worker


class WorkerKilled(Interrupted):
    """A batch worker ended by SIGKILL, which no one sends by pressing a key: most often the system
    short of memory. The run stops as for a signal, saying so rather than "Cancelled"."""

    message_key = "worker_killed"


class CaseError(UsageError):
    """One answer could not be used. `field` is the case field id."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class RuleProblem:
    """One problem in a rule set, located as precisely as we can."""

    __slots__ = ("file", "line", "column", "rule", "message")

    def __init__(
        self, file: str, line: int | None, rule: str | None, message: str, column: int | None = None
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.rule = rule
        self.message = message

    def __str__(self) -> str:
        """`file:line:column: rule-id: message`, the shape editors and CI annotate from."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        return f"{where}: {self.rule or '-'}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "column": self.column, "rule": self.rule,
                "message": self.message}


class RuleSetError(AdvisorError):
    exit_code = ExitCode.RULES

    def __init__(self, problems: list[RuleProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def add_notes(exc: BaseException, notes: list[str]) -> None:
    """Lines the CLI says after the message of `exc` (or after "Cancelled"): what the run left behind."""
    if notes:
        exc.advisor_notes = [*getattr(exc, "advisor_notes", ()), *notes]  # type: ignore[attr-defined]
