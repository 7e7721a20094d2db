"""Errors and exit codes. Core code raises these; only the CLI turns them into exits."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    REJECTED_OR_INTERNAL = 1  # a batch finished with rejected rows, or an internal error
    USAGE = 2
    RULES = 3
    INTERRUPTED = 130


class AdvisorError(Exception):
    exit_code = ExitCode.REJECTED_OR_INTERNAL


class UsageError(AdvisorError):
    exit_code = ExitCode.USAGE


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
