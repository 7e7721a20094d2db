"""The report as a standalone web page: to keep, print, read on a phone, or send to a counsellor.

One file with its styles inside and no reference to anything outside it (no font, script, image or
link to fetch), so opening it never goes online; the Content-Security-Policy says so to the browser
as well. Chinese is set in the fonts the reader's own system has.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from ..conditions import statement
from ..models import CREDIT_LEVELS, SEVERITIES, STAGES, URGENCIES
from ..safetext import printable
from .forms import conditions_heading, meter, money, stage_label

if TYPE_CHECKING:
    from ..ruleset import RuleSet

_STYLE = """
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5f6368; --line: #d9dce1; --accent: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
       font-family: system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei",
                    "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif;
       line-height: 1.7; font-size: 16px; overflow-wrap: anywhere; }
main { max-width: 46rem; margin: 0 auto; padding: 1.25rem 1rem 3rem; }
h1 { font-size: 1.5rem; margin: 0 0 .75rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; padding-bottom: .25rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 1.25rem 0 .25rem; }
.verdict { font-size: 1.1rem; font-weight: 600; margin: 0 0 .25rem; }
.case { color: var(--muted); margin: 0 0 1rem; }
.meter { letter-spacing: .1em; }
.stages { display: flex; flex-wrap: wrap; gap: .25rem; list-style: none; padding: 0; margin: .5rem 0; }
.stages li { border: 1px solid var(--line); border-radius: .25rem; padding: .1rem .5rem; color: var(--muted); }
.stages li[aria-current] { border-color: var(--ink); color: var(--ink); font-weight: 700; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: .5rem 0; }
dt { color: var(--muted); }
dd { margin: 0; }
ol, ul { padding-left: 1.5rem; }
li { margin: .25rem 0; }
blockquote { margin: .25rem 0 1rem; padding: .25rem .75rem; border-left: 3px solid var(--line);
             white-space: pre-line; color: var(--ink); }
.note { color: var(--muted); font-size: .9rem; }
footer { margin-top: 2.5rem; padding-top: .75rem; border-top: 1px solid var(--line); color: var(--muted);
         font-size: .9rem; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; }
@media print { body { font-size: 11pt; } main { max-width: none; padding: 0; } h2 { break-after: avoid; } }
"""

# Nothing may be fetched: no default source, styles only from this page.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; base-uri 'none'"


def _t(text: Any) -> str:
    """Outside text as page text: never markup, and nothing that could drive a terminal if it is viewed there."""
    return escape(printable(str(text), lines=True), quote=True)



def _answers(record: dict[str, Any], rules: RuleSet, lang: str) -> list[str]:
    """The headline and the direct answer to each worry, before everything else."""
    out = [f'<p class="headline"><strong>{_t(record["headline"])}</strong></p>'] if record.get("headline") else []
    if not record.get("answers"):
        return out
    titles = {r["id"]: r["title"] for r in record["references"]}
    colon = "：" if lang == "zh" else ": "
    out.append(f"<section><h2>{_t(rules.text('your_concerns', lang))}</h2>")
    for item in record["answers"]:
        out += [f"<h3>{_t(rules.label('concerns', item['concern'], lang))}</h3>",
                f"<p><strong>{_t(item['verdict'])}</strong></p>", f"<p>{_t(item['text'])}</p>",
                f"<p>{_t(conditions_heading(item, rules, lang) + colon)}</p>", "<ul>",
                *[f"<li>{_t(c)}</li>" for c in item["conditions"]], "</ul>"]
        if item["references"]:
            cited = ("；" if lang == "zh" else "; ").join(titles[r] for r in item["references"] if r in titles)
            out.append(f"<p><small>{_t(rules.text('based_on', lang) + colon + cited)}</small></p>")
    out.append("</section>")
    return out


def to_html(record: dict[str, Any], rules: RuleSet, lang: str) -> str:
    case = record["case"]
    credit = record["credit_impact"]
    label = rules.label
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{_t(rules.text('app_title', lang))}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<header>",
        f"<h1>{_t(rules.text('app_title', lang))}</h1>",
        '<p class="verdict">' + _t(rules.message(
            "verdict", lang,
            severity=label("severity", record["severity"], lang),
            stage=stage_label(record, rules, lang),
        )) + f' <span class="meter" aria-hidden="true">{meter(record["severity"], SEVERITIES)}</span></p>',
        '<p class="case">' + _t(rules.message(
            "case_line", lang, days=case["overdue_days"], amount=money(case["amount"]),
            platform=label("platform", case["platform"], lang),
            negotiation=label("negotiation", case["negotiation"], lang),
        )) + "</p>",
        f'<ol class="stages" aria-label="{_t(rules.text("you_are_here", lang))}">',
    ]
    for sid in STAGES:
        current = ' aria-current="step"' if sid == record["stage"] else ""
        out.append(f"<li{current}>{_t(label('stage', sid, lang))}</li>")
    out += ["</ol>", "</header>"]
    out += _answers(record, rules, lang)

    out += [f"<section><h2>{_t(rules.text('credit_impact', lang))}</h2>", "<dl>",
            f"<dt>{_t(rules.text('credit_level', lang))}</dt>"
            f"<dd>{_t(label('credit_level', credit['level'], lang))} "
            f'<span class="meter" aria-hidden="true">{meter(credit["level"], CREDIT_LEVELS)}</span></dd>',
            f"<dt>{_t(rules.text('reporting', lang))}</dt><dd>{_t(label('reporting', credit['reporting'], lang))}</dd>",
            "</dl>"]
    if credit.get("summary"):
        out.append(f"<p>{_t(credit['summary'])}</p>")
    out.append("</section>")

    for key in ("interest_check", "plan", "repayment_check"):
        if record.get(key):
            out.append(f"<section><h2>{_t(rules.text(key, lang))}</h2><p>{_t(record[key]['text'])}</p></section>")

    out.append(f"<section><h2>{_t(rules.text('steps', lang))}</h2>")
    n = 0
    for urgency in URGENCIES:
        group = [s for s in record["steps"] if s["urgency"] == urgency]
        if group:
            out.append(f"<h3>{_t(label('urgency', urgency, lang))}</h3>")
            out.append(f'<ol start="{n + 1}">')
            out += [f"<li>{_t(step['text'])}</li>" for step in group]
            out.append("</ol>")
            n += len(group)
    out.append("</section>")

    out.append(f"<section><h2>{_t(rules.text('consequences', lang))}</h2><ul>")
    out += [f"<li>{_t(c['text'])}</li>" for c in record["consequences"]]
    out.append("</ul></section>")

    out.append(f"<section><h2>{_t(rules.text('references', lang))}</h2>")
    for ref in record["references"]:
        note = rules.text("verbatim_note" if ref["verbatim"] else "non_verbatim_note", lang)
        out.append(f'<h3>{_t(ref["title"])} <span class="note">({_t(note)})</span></h3>')
        out.append(f"<blockquote>{_t(ref['text'])}</blockquote>")
        if ref.get("translation"):
            out.append(f'<p class="note">{_t(rules.text("translation", lang))}: {_t(ref["translation"])}</p>')
    out.append("</section>")

    if record.get("explain") is not None:
        out.append(f"<section><h2>{_t(rules.text('explain', lang))}</h2><ul>")
        for fired in record["explain"]:
            out.append(f"<li><code>{_t(fired['rule'])}</code><ul>")
            for c in fired["conditions"]:
                out.append(f"<li>{_t(statement(c))}</li>")
            out.append("</ul></li>")
        out.append("</ul></section>")

    out += ["<footer>", f"<p>{_t(record['disclaimer'])}</p>",
            f"<p>{_t(rules.message('as_of', lang, date=record['as_of']))}</p>", "</footer>",
            "</main>", "</body>", "</html>", ""]
    return "\n".join(out)
