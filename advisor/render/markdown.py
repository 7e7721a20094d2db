"""The report as Markdown: to keep, print, or send to a lawyer or counsellor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..conditions import statement
from ..models import URGENCIES
from ..safetext import printable
from .forms import conditions_heading, money, stage_label

if TYPE_CHECKING:
    from ..ruleset import RuleSet


def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.splitlines())


def _answers(record: dict[str, Any], rules: RuleSet, lang: str) -> list[str]:
    """The direct answer to each worry, first: verdict, what decides it, what it rests on."""
    if not record.get("answers"):
        return []
    titles = {r["id"]: r["title"] for r in record["references"]}
    colon = "：" if lang == "zh" else ": "
    out = ["", f"## {rules.text('your_concerns', lang)}"]
    for item in record["answers"]:
        out += ["", f"### {rules.label('concerns', item['concern'], lang)}", "", f"**{item['verdict']}**", "",
                item["text"], "", f"{conditions_heading(item, rules, lang)}{colon}", ""]
        out += [f"- {c}" for c in item["conditions"]]
        if item["references"]:
            sep = "；" if lang == "zh" else "; "
            out += ["", f"*{rules.text('based_on', lang)}{colon}"
                    f"{sep.join(titles[r] for r in item['references'] if r in titles)}*"]
    return out


def to_markdown(record: dict[str, Any], rules: RuleSet, lang: str) -> str:
    case = record["case"]
    credit = record["credit_impact"]
    out = [f"# {rules.text('app_title', lang)}", ""]
    out.append("**" + rules.message(
        "verdict", lang,
        severity=rules.label("severity", record["severity"], lang),
        stage=stage_label(record, rules, lang),
    ) + "**")
    out.append("")
    out.append(rules.message(
        "case_line", lang, days=case["overdue_days"], amount=money(case["amount"]),
        platform=rules.label("platform", case["platform"], lang),
        negotiation=rules.label("negotiation", case["negotiation"], lang),
    ))
    if record.get("headline"):
        out += ["", f"**{record['headline']}**"]
    out += _answers(record, rules, lang)
    out += ["", f"## {rules.text('credit_impact', lang)}", ""]
    out.append(f"- {rules.text('credit_level', lang)}: {rules.label('credit_level', credit['level'], lang)}")
    out.append(f"- {rules.text('reporting', lang)}: {rules.label('reporting', credit['reporting'], lang)}")
    if credit["summary"]:
        out += ["", credit["summary"]]
    for key in ("interest_check", "plan", "repayment_check"):
        if record.get(key):
            out += ["", f"## {rules.text(key, lang)}", "", record[key]["text"]]
    out += ["", f"## {rules.text('steps', lang)}", ""]
    n = 0
    for urgency in URGENCIES:
        group = [s for s in record["steps"] if s["urgency"] == urgency]
        if group:
            out += [f"### {rules.label('urgency', urgency, lang)}", ""]
            for step in group:
                n += 1
                out.append(f"{n}. {step['text']}")
            out.append("")
    out += [f"## {rules.text('consequences', lang)}", ""]
    out += [f"- {c['text']}" for c in record["consequences"]]
    out.append("")
    out += [f"## {rules.text('references', lang)}", ""]
    for ref in record["references"]:
        note = rules.text("verbatim_note" if ref["verbatim"] else "non_verbatim_note", lang)
        out += [f"**{ref['title']}** ({note})", "", _quote(ref["text"]), ""]
        if ref.get("translation"):
            out += [f"*{rules.text('translation', lang)}: {ref['translation']}*", ""]
    if record.get("explain") is not None:
        out += [f"## {rules.text('explain', lang)}", ""]
        for fired in record["explain"]:
            out.append(f"- `{fired['rule']}`" + (f" (− {', '.join(fired['drops'])})" if fired.get("drops") else ""))
            for c in fired["conditions"]:
                out.append(f"  - {statement(c)}")
        out.append("")
    out += ["---", "", f"*{record['disclaimer']}*", "", rules.message("as_of", lang, date=record["as_of"]), ""]
    return printable("\n".join(out), lines=True)
