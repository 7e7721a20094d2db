"""A caseload at a glance: how many cases at each stage, severity, lender type, credit reporting and
concern, and the rejected rows grouped by column and reason, with their row and line numbers. A
batch grouped by client also counts its households, by the priority of the debt that comes first."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from ..safetext import json_safe, printable
from .rows import text

if TYPE_CHECKING:
    from ..ruleset import RuleSet

# What is counted, as (name in the summary, label group, where in a record).
COUNTS = (("stage", "stage"), ("severity", "severity"), ("platform", "platform"),
          ("reporting", "reporting"), ("concern", "concerns"))
MAX_ROWS_LISTED = 200  # row numbers kept per group of rejected rows; the count is always whole
_QUOTED = re.compile(r'“[^”]*”|"[^"]*"|「[^」]*」')  # the person's own value in a message: not part of the reason


class Caseload:
    """The counts, kept apart from the rules and the language they are shown in, so that worker
    processes can send theirs to the parent to be merged."""

    def __init__(self) -> None:
        self.rows = 0
        self.counts: dict[str, Counter[str]] = {name: Counter() for name, _ in COUNTS}
        self.rejected: dict[tuple[str, str], list[Any]] = {}  # (column, reason) -> [count, [(row, line)…]]
        self.households = self.households_rejected = 0  # in a batch grouped by client
        self.priority: Counter[str] = Counter()  # households by their first debt's `priorities` entry

    def add(self, record: dict[str, Any]) -> None:
        self.rows += 1
        self._debt(record)
        self._concerns(record)

    def _debt(self, record: dict[str, Any]) -> None:
        counts = self.counts
        counts["stage"][record["stage"]] += 1
        counts["severity"][record["severity"]] += 1
        counts["platform"][record["case"]["platform"]] += 1
        counts["reporting"][record["credit_impact"]["reporting"]] += 1

    def _concerns(self, record: dict[str, Any]) -> None:
        if record.get("concerns_source") == "given":  # what people said they fear, not the defaults
            self.counts["concern"].update(record["concerns"])

    def add_household(self, record: dict[str, Any]) -> None:
        """A household record: its rows, each debt by stage and the rest, the person's concerns once."""
        self.rows += len(record["rows"])
        self.households += 1
        self.priority[record["order"][0]["priority"] or ""] += 1
        for debt in record["debts"]:
            self._debt(debt)
        self._concerns(record)

    def reject(self, row: int, line: int, column: str, message: str) -> None:
        """A rejected row; row 0 where its number is not known yet (a worker's part): counted, not listed."""
        self.rows += 1
        group = self.rejected.setdefault((column, _QUOTED.sub("“…”", message)), [0, []])
        group[0] += 1
        if row and len(group[1]) < MAX_ROWS_LISTED:
            group[1].append((row, line))

    def merge(self, other: Caseload) -> None:
        self.rows += other.rows
        self.households += other.households
        self.households_rejected += other.households_rejected
        self.priority.update(other.priority)
        for name, counter in other.counts.items():
            self.counts[name].update(counter)
        for key, (count, rows) in other.rejected.items():
            group = self.rejected.setdefault(key, [0, []])
            group[0] += count
            group[1].extend(rows[:MAX_ROWS_LISTED - len(group[1])])

    @property
    def bad(self) -> int:
        return sum(count for count, _ in self.rejected.values())

    def shown(self, rules: RuleSet, lang: str) -> _Shown:
        return _Shown(self, rules, lang)


class _Shown:
    """A caseload in one language: the summary file, the sheet, the lines for stderr."""

    def __init__(self, caseload: Caseload, rules: RuleSet, lang: str) -> None:
        self.c, self.rules, self.lang = caseload, rules, lang
        self.rows, self.bad, self.counts, self.rejected = caseload.rows, caseload.bad, caseload.counts, caseload.rejected

    def label(self, group: str, value: str) -> str:
        if group == "priority":  # a class of debt from the rule set's `priorities`, by its own label
            found = next((e for e, _ in self.rules.priorities if e["id"] == value), None)
            if found is None:
                return value or self._say("priority_none")
            return str(found.get("label", {}).get(self.lang, value))
        return self.rules.label(group, value, self.lang)

    def _tables(self) -> list[tuple[str, str, list[tuple[str, int]]]]:
        """The counts as (name, label group, [(id, count)…]): households by priority first, when grouped."""
        tables = [("priority", "priority", self.c.priority.most_common())] if self.c.households else []
        return tables + [(name, group, self.counts[name].most_common()) for name, group in COUNTS]

    def _totals(self) -> list[str]:
        lines = [self._say("summary_totals", rows=self.rows, ok=self.rows - self.bad, bad=self.bad)]
        c = self.c
        if c.households or c.households_rejected:
            lines.append(self._say("summary_households", count=c.households + c.households_rejected,
                                   ok=c.households, bad=c.households_rejected))
        return lines

    def _say(self, key: str, **params: Any) -> str:
        return text(self.rules, key, self.lang, **params)

    def _groups(self) -> list[tuple[tuple[str, str], list[Any]]]:
        return sorted(self.rejected.items(), key=lambda item: -item[1][0])

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema_version": 1, "rows": self.rows, "assessed": self.rows - self.bad, "rejected": self.bad,
            "counts": {name: [{"id": k or None, "label": self.label(group, k), "count": n} for k, n in counted]
                       for name, group, counted in self._tables()},
            "rejected_rows": [{"column": column, "reason": reason, "count": count,
                               "rows": [{"row": r, "line": ln or None} for r, ln in rows]}
                              for (column, reason), (count, rows) in self._groups()],
        }
        c = self.c
        if c.households or c.households_rejected:  # grouped by client (additive)
            out["households"] = {"count": c.households + c.households_rejected, "assessed": c.households,
                                 "rejected": c.households_rejected}
        return out

    def table_rows(self) -> list[list[Any]]:
        """The summary as the rows of a sheet: titles, then (label, count) pairs; numbers stay numbers."""
        rows: list[list[Any]] = [[self._say("summary_title")], *([line] for line in self._totals())]
        for name, group, counted in self._tables():
            if counted:
                rows += [[], [self._say("summary_by_" + name), self._say("summary_count")]]
                rows += [[self.label(group, k), n] for k, n in counted]
        if self.rejected:
            rows += [[], [self._say("summary_rejected"), self._say("summary_reason"), self._say("summary_count"),
                          self._say("summary_rows")]]
            rows += [[column, reason, count, ", ".join(str(r) for r, _ in listed)]
                     for (column, reason), (count, listed) in self._groups()]
        return rows

    def to_markdown(self) -> str:
        out = [f"# {self._say('summary_title')}", ""]
        out += [line for total in self._totals() for line in (total, "")]
        for name, group, counted in self._tables():
            if not counted:
                continue
            out += [f"## {self._say('summary_by_' + name)}", "", f"| {self._say('summary_value')} | "
                    f"{self._say('summary_count')} |", "|---|---:|"]
            out += [f"| {_cell(self.label(group, k))} | {n:,} |" for k, n in counted]
            out.append("")
        if self.rejected:
            out += [f"## {self._say('summary_rejected')}", "",
                    f"| {self._say('summary_column')} | {self._say('summary_reason')} | "
                    f"{self._say('summary_count')} | {self._say('summary_rows')} |", "|---|---|---:|---|"]
            for (column, reason), (count, rows) in self._groups():
                where = ", ".join(f"{r} ({self._say('summary_line', line=ln)})" if ln else str(r) for r, ln in rows)
                more = "" if count <= len(rows) else " …"
                out.append(f"| {_cell(column or '—')} | {_cell(reason)} | {count:,} | {where}{more} |")
            out.append("")
        return "\n".join(out)

    def short(self) -> str:
        """A line or two for stderr at the end of a run."""
        comma = "，" if self.lang == "zh" else ", "
        lines = []
        if self.c.households:
            parts = [f"{self.label('priority', k)} {n:,}" for k, n in self.c.priority.most_common()]
            lines.append(self._say("summary_short_priority", counts=comma.join(parts)))
        parts = [f"{self.label('stage', k)} {n:,}" for k, n in self.counts["stage"].most_common()]
        lines.append(self._say("summary_short_stages", counts=comma.join(parts)))
        if self.rejected:
            top = [f"{column or '—'}: {reason} ({count:,})" for (column, reason), (count, _) in self._groups()[:3]]
            lines.append(self._say("summary_short_rejected", groups="; ".join(top)))
        return "\n".join(printable(line) for line in lines)

    def write(self, path: str) -> None:
        from ..fileio import write_file

        if path.lower().endswith(".json"):
            data = json_safe(json.dumps(self.to_json(), ensure_ascii=False, indent=2)) + "\n"
        else:
            data = self.to_markdown() + "\n"
        if path == "-":  # standard output, free when the records went to -o FILE (checked before the run)
            import sys

            sys.stdout.write(data)
            sys.stdout.flush()
            return
        write_file(path, data)


def _cell(value: str) -> str:
    """Outside text in a Markdown table cell: one line, no pipe to split it, nothing that drives a terminal."""
    return printable(value).replace("|", "\\|")
