"""The household report (several debts): the same blocks for the terminal, Markdown and the web page.

`blocks` lays the record out once, in the order the person needs it: the headline, the answers to
their worries, which debt first and why, the one plan, what to do (steps merged across the debts),
then each debt in short. Each format only dresses the blocks.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from ..models import URGENCIES
from ..safetext import printable
from .forms import conditions_heading, money, run_on, stage_label

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

    from ..household_interview import Household
    from ..ruleset import RuleSet

Block = tuple[str, str, str]  # (kind: title, strong, heading, text, item, sub, note; mark; text)


def _debt_name(n: int, record: dict[str, Any], rules: RuleSet, lang: str) -> str:
    case = record["case"]
    label = rules.message("household_debt_label", lang, n=n)
    platform = rules.label("platform", case["platform"], lang)
    return f"{label}（{platform} · {money(case['amount'])}元）" if lang == "zh" else \
        f"{label} ({platform}, {money(case['amount'])} yuan)"


def _split_concerns(answers: list[dict[str, Any]]) -> set[str]:
    """The worries that get more than one answer (different debts, different answers)."""
    seen: set[str] = set()
    split: set[str] = set()
    for item in answers:
        (split if item["concern"] in seen else seen).add(item["concern"])
    return split


def blocks(record: dict[str, Any], rules: RuleSet, lang: str, *, full: bool = True) -> list[Block]:
    colon = "：" if lang == "zh" else ": "
    debts = record["debts"]
    out: list[Block] = [("title", "", rules.text("household_title", lang)), ("strong", "", record["headline"])]
    hidden = 0
    if record["answers"]:
        out.append(("heading", "", rules.text("your_concerns", lang)))
        split = _split_concerns(record["answers"])
        # Short or full, every different answer is shown (the debts that share one named together, the
        # most serious first: household.household_answers); the short report leaves out only the text
        # under each verdict. Before, the short report answered each worry for one debt only.
        for item in record["answers"]:
            concern = rules.label("concerns", item["concern"], lang)
            if item["concern"] in split:  # the debts get different answers to this worry: say which is whose
                names = ("、" if lang == "zh" else ", ").join(
                    rules.message("household_debt_label", lang, n=n) for n in item.get("debts", ()))
                concern = f"{concern} · {names}"
            out.append(("item", "•", f"{concern}{colon}{item['verdict']}"))
            if full:
                out.append(("sub", "", item["text"]))
            if item["conditions"] and (full or item["conditions_are"] == "all"):
                # Elements that must all hold (the card crime's) are shown in the short report too, as
                # in one debt's: without them "一般不会" would read as a plain no.
                out.append(("sub", "", f"{conditions_heading(item, rules, lang)}{colon}{run_on(item['conditions'], lang)}"))
    out.append(("heading", "", rules.text("household_order", lang)))
    for entry in record["order"]:
        out.append(("item", f"{entry['place']}.", _debt_name(entry["debt"], debts[entry["debt"] - 1], rules, lang)))
        out.append(("sub", "", entry["reason"]))
    plan = record["plan"]
    if plan is not None:
        out.append(("heading", "", rules.text("plan", lang)))
        out.append(("text", "", plan["text"]))
        for share in plan["allocations"]:
            label = rules.message("household_debt_label", lang, n=share["debt"])
            out.append(("item", "•", f"{label}{colon}{share['text']}"))
    out.append(("heading", "", rules.text("short_steps", lang)))
    number = 0
    for urgency in URGENCIES:
        group = [s for s in record["steps"] if s["urgency"] == urgency]
        shown = group if full else group[:rules.report["steps"]]  # the rule set's short-report limit
        hidden += len(group) - len(shown)
        if shown:
            out.append(("sub_heading", "", rules.label("urgency", urgency, lang)))
        for step in shown:
            number += 1
            out.append(("item", f"{number}.", step["text"]))
    out.append(("heading", "", rules.text("household_debts", lang)))
    for n, debt in enumerate(debts, 1):
        case = debt["case"]
        line = rules.message(
            "household_debt_line", lang, platform=rules.label("platform", case["platform"], lang),
            amount=money(case["amount"]), days=case["overdue_days"], stage=stage_label(debt, rules, lang),
            severity=rules.label("severity", debt["severity"], lang),
            reporting=rules.label("reporting", debt["credit_impact"]["reporting"], lang))
        out.append(("item", f"{rules.message('household_debt_label', lang, n=n)}", line))
        if full:  # short: the lines go to every debt's answers above; each debt's stage is in its line
            out.append(("sub", "", debt["headline"]))
    if hidden:
        out.append(("note", "", rules.message("more_in_full", lang, count=hidden)))
    out.append(("strong", "", f"{rules.text('disclaimer_title', lang)}{colon}{record['disclaimer']}"))
    out.append(("note", "", rules.message("as_of", lang, date=record["as_of"])))
    return out


def print_household(record: dict[str, Any], rules: RuleSet, lang: str, *, full: bool = False) -> None:
    """The terminal report: short unless `full` (every step, and each worry's whole answer)."""
    from rich.cells import cell_len
    from rich.console import Group
    from rich.text import Text

    from .rich_text import MIN_WIDTH, _Console, _heading, _Wrapped

    console = _Console(highlight=False, soft_wrap=False)
    if console.width < MIN_WIDTH:
        console.width = MIN_WIDTH
    width = min(console.width, 100)
    parts: list[Any] = []
    for kind, mark, text in blocks(record, rules, lang, full=full):
        if kind == "heading":
            parts += [Text(""), _heading(text)]
        elif kind == "title":
            parts.append(Text(printable(text), style="bold"))
        elif kind == "strong":
            parts.append(_Wrapped(text, style="bold"))
        elif kind == "sub_heading":
            parts.append(Text(printable(text), style="bold underline"))
        elif kind == "item":
            # 1. and • hang their text at 4, as the one-debt report does; 第1笔 gets room for its width.
            narrow = mark.isascii() or cell_len(mark) == 1
            parts.append(_Wrapped(text, mark, indent=max(4, cell_len(mark) + 2) if narrow else 4 + cell_len(mark)))
        elif kind == "sub":
            parts.append(_Wrapped(text, indent=4, style="dim" if not full else ""))
        elif kind == "note":
            parts.append(_Wrapped(text, style="italic"))
        else:
            parts.append(_Wrapped(text))
    console.print(Group(*parts), width=width)


def to_markdown(record: dict[str, Any], rules: RuleSet, lang: str) -> str:
    out: list[str] = []
    for kind, mark, text in blocks(record, rules, lang):
        text = printable(text, lines=True)
        if kind == "title":
            out += [f"# {text}", ""]
        elif kind == "heading":
            out += ["", f"## {text}", ""]
        elif kind == "sub_heading":
            out += ["", f"### {text}", ""]
        elif kind == "strong":
            out += ["", f"**{text}**", ""]
        elif kind == "item":
            out.append(f"{mark} {text}" if mark[:-1].isdigit() else f"- {'' if mark == '•' else f'**{mark}** '}{text}")
        elif kind == "sub":
            out.append(f"  {text}")
        else:
            out += ["", f"*{text}*" if kind == "note" else text]
    return "\n".join(out).replace("\n\n\n", "\n\n") + "\n"


def to_html(record: dict[str, Any], rules: RuleSet, lang: str) -> str:
    from .html import _CSP, _STYLE

    def t(text: str) -> str:
        return escape(printable(text, lines=True), quote=True)

    out = ["<!DOCTYPE html>", f'<html lang="{"zh-CN" if lang == "zh" else "en"}">', "<head>", '<meta charset="utf-8">',
           f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<meta name="referrer" content="no-referrer">',
           f"<title>{t(rules.text('household_title', lang))}</title>", f"<style>{_STYLE}</style>", "</head>",
           "<body>", "<main>"]
    in_list = False
    for kind, mark, text in blocks(record, rules, lang):
        if kind not in ("item", "sub") and in_list:
            out.append("</ul>")
            in_list = False
        if kind == "title":
            out.append(f"<h1>{t(text)}</h1>")
        elif kind == "heading":
            out.append(f"<h2>{t(text)}</h2>")
        elif kind == "sub_heading":
            out.append(f"<h3>{t(text)}</h3>")
        elif kind == "strong":
            out.append(f"<p><strong>{t(text)}</strong></p>")
        elif kind == "item":
            if not in_list:
                out.append("<ul>")
                in_list = True
            label = "" if mark == "•" else f"<b>{t(mark)}</b> "
            out.append(f"<li>{label}{t(text)}</li>")
        elif kind == "sub":
            out.append(f'<li class="reason">{t(text)}</li>')
        else:
            out.append(f"<p>{t(text)}</p>")
    if in_list:
        out.append("</ul>")
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def household_report(household: Household, rules: RuleSet, as_of: date, output_format: str, lang: str,
                     save: Path | None, *, full: bool = False) -> Path | None:
    """Assess the household and write its report on stdout; with `save`, also as a web page there."""
    import sys

    from ..household_input import assess_from_cli

    record = assess_from_cli(household.debts, household.person, rules, as_of, lang)
    text = render(record, rules, output_format, lang, full=full)
    if text is not None:
        sys.stdout.write(text)
    if save is None:
        return None
    from ..fileio import write_file

    write_file(save, to_html(record, rules, lang))
    return save


def render(record: dict[str, Any], rules: RuleSet, output_format: str, lang: str, *, full: bool = False) -> str | None:
    """The household report in `output_format` (rich prints itself and returns None)."""
    import json

    from ..safetext import json_safe

    if output_format == "rich":
        print_household(record, rules, lang, full=full)
        return None
    if output_format == "json":
        return json_safe(json.dumps(record, ensure_ascii=False, indent=2)) + "\n"
    if output_format == "markdown":
        return to_markdown(record, rules, lang)
    return to_html(record, rules, lang)
