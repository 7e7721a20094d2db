"""Repeated texts: two texts a person would read in the same report that say the same thing.

The measure is simple and explainable: the Chinese text of each step, consequence and credit summary
is cut into its pairs of adjacent characters (punctuation and spaces left out), and two texts are
compared by the share of pairs they have in common (Jaccard: common pairs / all pairs of either).
Coverage then reports each similar pair that some situation shows together.
"""

from __future__ import annotations

import re
from itertools import combinations
from typing import TYPE_CHECKING, Any

from .tuples import NamedTuple

if TYPE_CHECKING:
    from .ruleset import RuleSet

# At or above this share of common character pairs two texts say the same thing. Texts that merely
# share the field's vocabulary (机构, 催收, 征信, 还款) stay below 0.15 on the built-in rules; a step
# that restates a consequence, or two near-copies, reach 0.2 and more.
REPEAT_SIMILARITY = 0.2

_NOT_TEXT = re.compile(r"[\W_]+")

Key = tuple[str, str]  # ("step" | "consequence" | "summary", id): a summary is named by its rule


class Repeat(NamedTuple):
    first: Key
    second: Key
    similarity: float
    where: tuple[str, str]  # "file:line" of each
    case: Any  # the first situation found that shows both (a Case)


def pairs(text: str) -> frozenset[str]:
    plain = _NOT_TEXT.sub("", text)
    return frozenset(plain[i:i + 2] for i in range(len(plain) - 1))


def similarity(a: str, b: str) -> float:
    x, y = pairs(a), pairs(b)
    return len(x & y) / len(x | y) if x or y else 0.0


def texts(rules: RuleSet) -> dict[Key, tuple[str, str]]:
    """Every text that can show in a report, with where it is written."""
    origin = rules.data.get("origin", {})
    out: dict[Key, tuple[str, str]] = {}
    for section, kind in (("steps", "step"), ("consequences", "consequence")):
        for eid, entry in rules.data[section].items():
            out[(kind, eid)] = (entry["text"]["zh"], origin.get(section, {}).get(eid) or f"({section})")
    for rule in rules.rules:
        if rule["summary"]:
            out[("summary", rule["id"])] = (rule["summary"]["zh"], f"{rule['file']}:{rule['line']}")
    return out


def similar(rules: RuleSet) -> list[tuple[Key, Key, float]]:
    """Every pair of texts at or above the threshold, wherever they show; a few thousand comparisons."""
    found = texts(rules)
    cut = {key: pairs(text) for key, (text, _) in found.items()}
    out = []
    for a, b in combinations(found, 2):
        x, y = cut[a], cut[b]
        score = len(x & y) / len(x | y) if x or y else 0.0
        if score >= REPEAT_SIMILARITY:
            out.append((a, b, round(score, 2)))
    return out


def shown(fired: list[dict[str, Any]], gone: set[str]) -> set[Key]:
    """The texts one situation shows: its steps, consequences and summaries, less what was dropped."""
    out: set[Key] = set()
    for rule in fired:
        out.update(("step", s) for s, _ in rule["steps"] if s not in gone)
        out.update(("consequence", c) for c in rule["consequences"] if c not in gone)
        if rule["summary"]:
            out.add(("summary", rule["id"]))
    return out
