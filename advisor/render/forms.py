"""The record's values as people write them, shared by the renderers: levels as marks, money with
thousands separators, citations as short titles with each law named once."""

from __future__ import annotations

import re

from ..tuples import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from ..ruleset import RuleSet

# Long forms people leave out when they cite a law: 《民法典》第十条.
_LONG_FORMS = r"中华人民共和国|（摘）| \(excerpt\)| of the PRC"  # compiled on first use, in re's cache
# A title's law (with the edition it names, if any) and its article: 《民法典》 + 第十条,
# 《仲裁法》（2017年修正） + 第九条, or "Civil Code" + "Art. 10".
_ARTICLE = r"^(《[^》]+》(?:（[^）]+）)?)(第.+)$|^(.+?), (Arts?\. .+)$"


def conditions_heading(item: dict[str, Any], rules: RuleSet, lang: str) -> str:
    """The heading an answer's conditions go under, by what they are (要点, 要同时具备, 前提是)."""
    return rules.text(f"conditions_{item['conditions_are']}", lang)


def run_on(parts: list[str], lang: str) -> str:
    """Conditions as one sentence: 甲；乙。 / the first; the second."""
    if lang == "zh":
        return "；".join(p.rstrip("。；") for p in parts) + "。"
    # Lower-case each condition's first word unless it is an abbreviation (PBOC) or a number.
    words = [p[0].lower() + p[1:] if p[:2].istitle() else p for p in (q.rstrip(".;") for q in parts)]
    return "; ".join(words) + "."


def short_titles(ids: list[str], record: dict[str, Any], lang: str, names: dict[str, str] | None = None) -> str:
    """Short titles, the articles of one law named once: 《民法典》第一百八十八条、第一百九十五条.

    `names` maps a law's full name to the shorter one the short report uses (the rule set's
    `report: law_names`)."""
    titles = {r["id"]: _shorten(re.sub(_LONG_FORMS, "", r["title"]), names or {}) for r in record["references"]}
    laws: dict[str, list[str]] = {}  # law (or a whole title that names no article) -> its articles
    for ref in ids:
        if ref not in titles:
            continue
        found = re.match(_ARTICLE, titles[ref])
        law, article = (found.group(1) or found.group(3), found.group(2) or found.group(4)) if found else (titles[ref], "")
        laws.setdefault(law, []).append(article)
    if lang == "zh":
        return "；".join(law + "、".join(a for a in arts if a) for law, arts in laws.items())
    return "; ".join(law + _articles_en([a for a in arts if a]) for law, arts in laws.items())


def _articles_en(arts: list[str]) -> str:
    """", Art. 16" or, for several, ", Arts. 16, 25" (each article once)."""
    if len(arts) > 1 and all(a.startswith("Art. ") for a in arts):
        return ", Arts. " + ", ".join(a[len("Art. "):] for a in arts)
    return ", " + ", ".join(arts) if arts else ""


def _shorten(title: str, names: dict[str, str]) -> str:
    for full, short in names.items():
        title = title.replace(full, short)
    return title


def meter(value: str, scale: tuple[str, ...]) -> str:
    """A level as filled and empty marks, so it reads the same without colour: ■■□□."""
    n = scale.index(value)
    return "■" * n + "□" * (len(scale) - 1 - n)


def money(amount: str) -> str:
    """An exact amount ("62000.00") with thousands separators: 62,000.00."""
    whole, _, cents = amount.partition(".")
    return f"{int(whole):,}.{cents or '00'}"


def stage_label(record: dict[str, Any], rules: Any, lang: str) -> str:
    """The stage as the report names it: a debt repaid in full says so, with the stage its days reached."""
    label = str(rules.label("stage", record["stage"], lang))
    return str(rules.message("stage_settled", lang, stage=label)) if record.get("settled") else label
