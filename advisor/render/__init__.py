"""Renderers, picked by name from one registry. `record` builds the language-resolved dict every
format starts from.

The renderer modules are imported only when their format is asked for (start-up: rich alone costs
more than the rest of a run).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from ..tuples import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from ..models import Case
    from ..ruleset import RuleSet

# Many assessments (`batch --output-format`), written by batch's own byte-level writers for speed.
BATCH_FORMATS = ("jsonl", "csv", "json")


def write_json(data: Any) -> None:
    """JSON on stdout, indented, with text that cannot move a terminal's cursor."""
    import json

    from ..safetext import json_safe

    sys.stdout.write(json_safe(json.dumps(data, ensure_ascii=False, indent=2)) + "\n")


def _json(record: dict[str, Any], rules: RuleSet, lang: str, explain: bool) -> None:
    write_json(record)


def _markdown(record: dict[str, Any], rules: RuleSet, lang: str, explain: bool) -> None:
    from .markdown import to_markdown

    sys.stdout.write(to_markdown(record, rules, lang))


def _rich(record: dict[str, Any], rules: RuleSet, lang: str, explain: bool, full: bool = False) -> None:
    from .rich_text import print_report

    print_report(record, rules, lang, explain=explain, full=full)


def _html(record: dict[str, Any], rules: RuleSet, lang: str, explain: bool) -> None:
    from .html import to_html

    sys.stdout.write(to_html(record, rules, lang))


RENDERERS: dict[str, Callable[[dict[str, Any], RuleSet, str, bool], None]] = {
    "rich": _rich, "json": _json, "markdown": _markdown, "html": _html}
REPORT_FORMATS = tuple(RENDERERS)  # one assessment on stdout (`assess --format`)


def report(case: Case, rules: RuleSet, as_of: date, output_format: str, lang: str, explain: bool,
           save: Path | None, *, full: bool = False) -> Path | None:
    """Assess the case and write it on stdout in `output_format`; with `save`, also as a web page
    there. Returns the path saved to, if any."""
    from ..engine import evaluate
    from .record import to_record

    record = to_record(evaluate(case, rules, as_of, trace=explain), rules, lang, explain=explain)
    if output_format == "rich":  # the other formats always hold everything
        _rich(record, rules, lang, explain, full)
    else:
        RENDERERS[output_format](record, rules, lang, explain)
    if save is None:
        return None
    from ..fileio import write_file
    from .html import to_html

    write_file(save, to_html(record, rules, lang))
    return save
