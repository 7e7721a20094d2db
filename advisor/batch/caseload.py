"""A caseload at a glance: how many cases at each stage, severity, lender type, credit reporting and
concern, and the rejected rows grouped by column and reason, with their row and line numbers."""

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

    def add(self, record: dict[str, Any]) -> None:
        self.rows += 1
        counts = self.counts
        counts["stage"][record["stage"]] += 1
        counts["severity"][record["severity"]] += 1
        counts["platform"][record["case"]["platform"]] += 1
        counts["reporting"][record["credit_impact"]["reporting"]] += 1
        if record.get("concerns_source") == "given":  # what people said they fear, not the defaults
            counts["concern"].update(record["concerns"])

    def reject(self, row: int, line: int, column: str, message: str) -> None:
        """A rejected row; row 0 where its number is not known yet (a worker's part): counted, not listed."""
        self.rows += 1
        group = self.rejected.setdefault((column, _QUOTED.sub("“…”", message)), [0, []])
        group[0] += 1
        if row and len(group[1]) < MAX_ROWS_LISTED:
            group[1].append((row, line))

    def merge(self, other: Caseload) -> None:
        self.rows += other.rows
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
        return self.rules.label(group, value, self.lang)

    def _say(self, key: str, **params: Any) -> str:
        return text(self.rules, key, self.lang, **params)

    def _groups(self) -> list[tuple[tuple[str, str], list[Any]]]:
        return sorted(self.rejected.items(), key=lambda item: -item[1][0])

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": 1, "rows": self.rows, "assessed": self.rows - self.bad, "rejected": self.bad,
            "counts": {name: [{"id": k, "label": self.label(group, k), "count": n}
                              for k, n in self.counts[name].most_common()] for name, group in COUNTS},
            "rejected_rows": [{"column": column, "reason": reason, "count": count,
                               "rows": [{"row": r, "line": ln or None} for r, ln in rows]}
                              for (column, reason), (count, rows) in self._groups()],
        }

    def table_rows(self) -> list[list[Any]]:
        """The summary as the rows of a sheet: titles, then (label, count) pairs; numbers stay numbers."""
        rows: list[list[Any]] = [[self._say("summary_title")],
                                 [self._say("summary_totals", rows=self.rows, ok=self.rows - self.bad, bad=self.bad)]]
        for name, group in COUNTS:
            if self.counts[name]:
                rows += [[], [self._say("summary_by_" + name), self._say("summary_count")]]
                rows += [[self.label(group, k), n] for k, n in self.counts[name].most_common()]
        if self.rejected:
            rows += [[], [self._say("summary_rejected"), self._say("summary_reason"), self._say("summary_count"),
                          self._say("summary_rows")]]
            rows += [[column, reason, count, ", ".join(str(r) for r, _ in listed)]
                     for (column, reason), (count, listed) in self._groups()]
        return rows

    def to_markdown(self) -> str:
        out = [f"# {self._say('summary_title')}", "",
               self._say("summary_totals", rows=self.rows, ok=self.rows - self.bad, bad=self.bad), ""]
        for name, group in COUNTS:
            if not self.counts[name]:
                continue
            out += [f"## {self._say('summary_by_' + name)}", "", f"| {self._say('summary_value')} | "
                    f"{self._say('summary_count')} |", "|---|---:|"]
            out += [f"| {_cell(self.label(group, k))} | {n:,} |" for k, n in self.counts[name].most_common()]
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
        parts = [f"{self.label('stage', k)} {n:,}" for k, n in self.counts["stage"].most_common()]
        lines = [self._say("summary_short_stages", counts="，".join(parts) if self.lang == "zh" else ", ".join(parts))]
        if self.rejected:
            top = [f"{column or '—'}: {reason} ({count:,})" for (column, reason), (count, _) in self._groups()[:3]]
            lines.append(self._say("summary_short_rejected", groups="; ".join(top)))
        return "\n".join(printable(line) for line in lines)

    def write(self, path: str) -> None:
        from ..fileio import write_file

        if path.lower().endswith(".json"):
            write_file(path, json_safe(json.dumps(self.to_json(), ensure_ascii=False, indent=2)) + "\n")
        else:
            write_file(path, self.to_markdown() + "\n")


def _cell(value: str) -> str:
    """Outside text in a Markdown table cell: one line, no pipe to split it, nothing that drives a terminal."""
    return printable(value).replace("|", "\\|")
