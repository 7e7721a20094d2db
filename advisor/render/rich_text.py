"""The terminal report, drawn with Rich. Texts come resolved in the record; labels from the rule set.

Meaning is never carried by colour alone: levels also show as filled marks and words, so the
report reads the same with NO_COLOR or on paper.

Every text from the rule set enters the report through `_text` or one of the drawing classes,
which escape what could drive the terminal; texts are never read as Rich markup.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.segment import Segment
from rich.text import Text

from ..conditions import statement
from ..models import CREDIT_LEVELS, SEVERITIES, STAGES, URGENCIES
from ..safetext import printable
from .forms import conditions_heading, meter, money, run_on, short_titles, stage_label

if TYPE_CHECKING:
    from ..ruleset import RuleSet

# Wrapping a short label needs a console only to measure cells; this one never prints.
_MEASURE = Console(width=200, file=io.StringIO())

MIN_WIDTH = 40

_SEVERITY_STYLE = {"none": "green", "low": "green", "medium": "yellow", "high": "red", "critical": "bold red"}


def _text(text: str, style: str = "") -> Text:
    return Text(printable(text, lines=True), style=style)


def _timeline(stage: str, rules: RuleSet, lang: str, width: int) -> RenderableType:
    """The stages as a bar across the terminal, the current one marked ▲ and shown reversed."""
    current = STAGES.index(stage)
    cell = max(6, width // len(STAGES))
    bars, marks = Text(), Text()
    columns: list[list[Text]] = []
    for i, sid in enumerate(STAGES):
        here = i == current
        bars.append("━" * (cell - 1) + " ", style="bold" if i <= current else "dim")
        marks.append(("▲" if here else "●" if i < current else "○").center(cell), style="bold" if here else "")
        label = _text(rules.label("stage", sid, lang), style="reverse bold" if here else "" if i < current else "dim")
        columns.append(list(label.wrap(_MEASURE, cell, overflow="fold")))
    labels = []
    for row in range(max(len(c) for c in columns)):
        line = Text()
        for col in columns:
            part = col[row] if row < len(col) else Text("")
            pad = cell - cell_len(part.plain)
            line.append(" " * (pad // 2))
            line.append_text(part)
            line.append(" " * (pad - pad // 2))
        line.rstrip()
        labels.append(line)
    bars.rstrip()
    marks.rstrip()
    you = _text(f"▲ {rules.text('you_are_here', lang)}: {rules.label('stage', stage, lang)}", style="bold")
    parts: list[RenderableType] = [bars, marks, *labels, you]
    desc = next((s.get("description") for s in rules.stages if s["id"] == stage), None)
    if desc:
        parts.append(_text(desc[lang]))
    return Group(*parts)


# Punctuation that must not begin a line in Chinese typesetting (避头点).
_NO_LINE_START = set("，。、；：！？）》」』”’%…,.;:!?)")
_NO_LINE_END = set("（《「『“‘(")
# Chinese and full-width text breaks between characters. Ranges, not a regex: re took 1.7 ms to compile them.
_CJK = (("\u3000", "\u30ff"), ("\u4e00", "\u9fff"), ("\uff00", "\uffef"))
# Latin words and numbers stay whole, and so do a short law title and an article number (《民法典》,
# 第六百七十八条), so a citation never leaves 条 alone on a line; any other character may be a break point.
_TOKENS = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,%:/@_+'\-]*|《[^》\s]{1,12}》|第[零〇一二三四五六七八九十百千]+条|\s+|.")


def wrap_lines(text: str, width: int) -> list[str]:
    """Break text into lines of at most `width` cells, the way Chinese is set.

    Rich wraps at spaces only, so a Chinese sentence with one number in it breaks early at the space
    before the number. Here any Chinese character is a break point, Latin words and numbers stay whole
    (folded only if longer than a line), and closing punctuation never starts a line.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used, last = "", 0, ""
        for token in _TOKENS.findall(paragraph):
            size = cell_len(token)
            if token.isspace():
                if line and used + size <= width:
                    line, used = line + token, used + size
                continue
            while size > width:  # a run longer than a whole line: fold it
                room = width - used
                if room <= 0:
                    lines.append(line.rstrip())
                    line, used = "", 0
                    continue
                line += token[:room]
                lines.append(line.rstrip())
                token, line, used = token[room:], "", 0
                size = cell_len(token)
            if used + size > width and line.strip():
                carry = ""
                kept = line.rstrip()
                # The last token goes down with it (第十三条 whole, not 条 alone).
                tail = last if last and kept.endswith(last) else kept[-1]
                movable = (token[0] in _NO_LINE_START or kept[-1] in _NO_LINE_END) and len(kept) > len(tail)
                if movable and cell_len(tail) + size <= width:
                    carry, line = tail, kept[: -len(tail)]
                lines.append(line.rstrip())
                line, used = carry, cell_len(carry)
            line, used, last = line + token, used + size, token
        lines.append(line.rstrip())
    return lines


class _Wrapped:
    """Text wrapped for Chinese or English, with a mark on the first line and a hanging indent."""

    def __init__(self, text: str, mark: str = "", indent: int = 0, style: str = "") -> None:
        self.text = printable(text, lines=True)
        self.mark = mark
        self.indent = indent
        self.style = style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        # The mark's width in cells (第1笔 takes five): a line with a mark wider than the indent would run
        # past the edge, and the terminal would cut its last characters off.
        indent = max(self.indent, cell_len(self.mark) + 1) if self.mark else self.indent
        width = max(options.max_width - indent, 10)
        if not self.text.isascii() and any(low <= c <= high for c in self.text for low, high in _CJK):
            lines = wrap_lines(self.text, width)
        else:  # English: Rich's own word wrapping
            lines = [line.plain.rstrip() for line in Text(self.text).wrap(console, width, overflow="fold")]
        style = console.get_style(self.style) if self.style else None
        # Finished lines go out as segments: wrapping them again as Text would double the work.
        for n, line in enumerate(lines):
            prefix = " " * (indent - 1 - cell_len(self.mark)) + self.mark + " " if n == 0 and self.mark else " " * indent
            yield Segment(prefix + line, style)
            yield Segment.line()


def _item(mark: str, text: str) -> _Wrapped:
    return _Wrapped(text, mark, indent=4)


class _Heading:
    """`Title ─────────` across the width."""

    def __init__(self, title: str) -> None:
        self.title = printable(title)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        yield Segment(self.title, console.get_style("bold"))
        yield Segment(" " + "─" * max(options.max_width - cell_len(self.title) - 1, 0))
        yield Segment.line()


class _Box:
    """A rounded box with a title in its top edge, drawn directly: the report has three or four of
    them, and Rich's Panel (with its imports) costs more than the whole rest of the layout."""

    def __init__(self, title: str, *body: RenderableType) -> None:
        self.title = printable(title)
        self.body = body

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        width = options.max_width
        inner = width - 4
        bold = console.get_style("bold")
        top = "─" * max(width - cell_len(self.title) - 5, 0)
        yield from (Segment("╭─ "), Segment(self.title, bold), Segment(" " + top + "╮"), Segment.line())
        for line in console.render_lines(Group(*self.body), options.update_width(inner), pad=True):
            yield Segment("│ ")
            yield from line
            yield Segment(" │")
            yield Segment.line()
        yield Segment("╰" + "─" * (width - 2) + "╯")
        yield Segment.line()


def _heading(title: str) -> _Heading:
    return _Heading(title)


def _renderables(record: dict[str, Any], rules: RuleSet, lang: str, width: int, explain: bool,
                 full: bool = True) -> Iterator[RenderableType]:
    case = record["case"]
    severity = record["severity"]
    verdict = Text()
    verdict.append(f"{meter(severity, SEVERITIES)} ", style=_SEVERITY_STYLE[severity])
    verdict.append_text(_text(
        rules.message(
            "verdict", lang,
            severity=rules.label("severity", severity, lang),
            stage=stage_label(record, rules, lang),
        ),
        style=f"bold {_SEVERITY_STYLE[severity]}",
    ))
    yield _text(rules.text("app_title", lang), style="bold")
    yield verdict
    yield _text(
        rules.message(
            "case_line", lang,
            days=case["overdue_days"], amount=money(case["amount"]),
            platform=rules.label("platform", case["platform"], lang),
            negotiation=rules.label("negotiation", case["negotiation"], lang),
        ),
        style="dim",
    )
    if record.get("headline"):
        yield _Wrapped(record["headline"], style="bold")
    yield Text("")
    yield from _answers(record, rules, lang)
    if not full:
        yield from _short(record, rules, lang)
        yield _text(rules.message("as_of", lang, date=record["as_of"]), style="dim")
        return
    if record.get("answers"):
        yield Text("")
    yield _heading(rules.text("timeline", lang))
    yield _timeline(record["stage"], rules, lang, width)
    yield Text("")

    credit = record["credit_impact"]
    body = Text.assemble(
        _text(rules.text("credit_level", lang) + ": ", "bold"),
        _text(f"{meter(credit['level'], CREDIT_LEVELS)} {rules.label('credit_level', credit['level'], lang)}\n"),
        _text(rules.text("reporting", lang) + ": ", "bold"),
        _text(rules.label("reporting", credit["reporting"], lang)),
    )
    yield _Box(rules.text("credit_impact", lang), *((body, Text(""), _Wrapped(credit["summary"]))
                                                     if credit["summary"] else (body,)))
    yield Text("")

    for key in ("interest_check", "plan", "repayment_check"):
        if record.get(key):
            yield _Box(rules.text(key, lang), _Wrapped(record[key]["text"]))
            yield Text("")

    yield _heading(rules.text("steps", lang))
    n = 0
    for urgency in URGENCIES:
        group = [s for s in record["steps"] if s["urgency"] == urgency]
        if not group:
            continue
        yield _text(rules.label("urgency", urgency, lang), style="bold underline")
        for step in group:
            n += 1
            yield _item(f"{n}.", step["text"])
    yield Text("")

    yield _heading(rules.text("consequences", lang))
    for item in record["consequences"]:
        yield _item("•", item["text"])
    yield Text("")

    yield _heading(rules.text("references", lang))
    for ref in record["references"]:
        note = rules.text("verbatim_note" if ref["verbatim"] else "non_verbatim_note", lang)
        yield Text.assemble(_text(ref["title"], "bold"), _text(f"  ({note})"))
        yield _Wrapped(ref["text"], indent=2)
        if ref.get("translation"):
            yield _Wrapped(f"{rules.text('translation', lang)}: {ref['translation']}", indent=2, style="italic")
    yield Text("")

    if explain:
        yield _heading(rules.text("explain", lang))
        if not record.get("explain"):
            yield _text(rules.text("explain_none", lang))
        for fired in record.get("explain", []):
            yield _text(fired["rule"], style="bold")
            if fired.get("drops"):
                yield _Wrapped(f"− {', '.join(fired['drops'])}", indent=2)
            for c in fired["conditions"]:  # what decided the rule, each a true statement
                yield _Wrapped(statement(c), indent=2)
        yield Text("")

    yield _Box(rules.text("disclaimer_title", lang), _Wrapped(record["disclaimer"]))
    yield _text(rules.message("as_of", lang, date=record["as_of"]), style="dim")


def _answers(record: dict[str, Any], rules: RuleSet, lang: str) -> Iterator[RenderableType]:
    """The direct answer to each worry: its verdict, what decides it for this case, what it rests on."""
    if not record.get("answers"):
        return
    yield _heading(rules.text("your_concerns", lang))
    several = len(record["answers"]) > 1  # two answers, each kept to its verdict and what decides it
    conditions = rules.report["conditions_when_several" if several else "conditions"]
    colon = "：" if lang == "zh" else ": "
    for item in record["answers"]:
        yield _text(rules.label("concerns", item["concern"], lang), style="bold underline")
        yield _Wrapped(item["verdict"], style="bold")
        if not several:
            yield _Wrapped(item["text"], indent=2)
        shown = item["conditions"][:None if item["conditions_are"] == "all" else conditions]
        based = item["references"] and (f"{rules.text('based_on', lang)}{colon}"
                                        f"{short_titles(item['references'], record, lang, rules.report['law_names'])}")
        if shown and several:  # conditions and citation run on, so that both answers fit the first screen
            yield _Wrapped(f"{conditions_heading(item, rules, lang)}{colon}{run_on(shown, lang)}"
                           + (f"{'' if lang == 'zh' else ' '}{based}" if based else ""), indent=2)
            continue
        if shown:
            yield _text(f"  {conditions_heading(item, rules, lang)}{colon.rstrip()}")
            for condition in shown:
                yield _item("•", condition)
        if based:
            yield _Wrapped(based, indent=2, style="dim")


def _short(record: dict[str, Any], rules: RuleSet, lang: str) -> Iterator[RenderableType]:
    """The rest of the short report: the steps the record gives a priority, grouped today / this week /
    keep doing; the first consequences; the credit impact in brief; the citations as titles. No blank lines
    between the sections: each heading's rule divides them, and the lines go to the answers."""
    hidden = 0
    yield _heading(rules.text("short_steps", lang))
    for urgency in URGENCIES:
        group = [s for s in record["steps"] if s["urgency"] == urgency]
        shown = [s for s in group if s.get("priority")]
        hidden += len(group) - len(shown)
        if shown:
            yield _text(rules.label("urgency", urgency, lang), style="bold underline")
            for step in shown:
                yield _item(f"{step['priority']}.", step["text"])
    limit = rules.report["consequences"]
    hidden += max(len(record["consequences"]) - limit, 0)
    if record["consequences"][:limit]:
        yield _heading(rules.text("consequences", lang))
        for item in record["consequences"][:limit]:  # the gist; --full has the whole text
            yield _item("•", _first_sentence(item["text"], clause=True))
    credit = record["credit_impact"]
    yield _heading(rules.text("credit_impact", lang))
    yield Text.assemble(
        _text(f"{meter(credit['level'], CREDIT_LEVELS)} {rules.label('credit_level', credit['level'], lang)}"),
        _text(f" · {rules.text('reporting', lang)}{'：' if lang == 'zh' else ': '}"
              f"{rules.label('reporting', credit['reporting'], lang)}"),
    )
    answered = any(a["concern"] == "credit" for a in record.get("answers", []))  # said already, above
    if credit["summary"] and (credit["retention_until"] or not answered):
        # its first clause: the retention date when repaid, else how reporting works
        yield _Wrapped(_first_sentence(credit["summary"], clause=True))
    yield Text("")
    for key in ("interest_check", "plan", "repayment_check"):
        if record.get(key):
            yield _Box(rules.text(key, lang), _Wrapped(record[key]["text"]))
    cited = {r for a in record.get("answers", []) for r in a["references"]}
    rest = [r["id"] for r in record["references"] if r["id"] not in cited]
    colon = "：" if lang == "zh" else ": "
    if rest:
        titles = short_titles(rest, record, lang, rules.report["law_names"])
        yield _Wrapped(f"{rules.text('references', lang)}{colon}{titles}", style="dim")
    if hidden:
        yield _text(rules.message("more_in_full", lang, count=hidden), style="italic")
    yield _Wrapped(f"{rules.text('disclaimer_title', lang)}{colon}{record['disclaimer']}", style="bold")


def _first_sentence(text: str, clause: bool = False) -> str:
    """Up to the first full stop (with `clause`, the first semicolon too), ended with a full stop."""
    found = re.search(r"。|；|\. |; " if clause else r"。|\. ", text)
    if not found:
        return text
    head = text[: found.start()].rstrip()
    return head + ("。" if found.group().strip() in "。；" else ".")




class _Console(Console):
    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError  # Rich would exit 1 itself; the CLI ends a closed pipe its documented way


def print_report(record: dict[str, Any], rules: RuleSet, lang: str, *, explain: bool = False,
                 full: bool = False, console: Console | None = None) -> None:
    """The short report, answers first; `full` (also implied by `explain`) keeps everything."""
    console = console or _Console(highlight=False, soft_wrap=False)
    if console.width < MIN_WIDTH:
        console.width = MIN_WIDTH  # COLUMNS=0 or a sliver of a window: a readable report all the same
    width = min(console.width, 100)
    # One print of one group: Rich measures the terminal once instead of once per item.
    console.print(Group(*_renderables(record, rules, lang, width, explain, full or explain)), width=width)
