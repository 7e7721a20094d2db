"""Parsing speed per cell: today's parsers against the ones they replaced, measured in the same run.

    python benchmarks/parsing.py [--cells 20000] [--rounds 7]

A batch spends its parsing time on amounts, nearly all distinct ("12345.67"), so the parse cache does
not help them; day counts and rates repeat and are cached. This times `parsing.parse_answer` (what
every door calls, uncached) against a copy of the regular-expression parsers of before the Chinese
numerals came (kept below as the baseline), on the same cells, interleaved round by round, best
round of each. Goal (README): plain cells at least as fast as before, ratio >= 1.0.

The new forms (两万, 三千八, 日息万分之五) have no baseline: the old parsers refused them. Their cost
is reported in microseconds per cell.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from advisor import load_ruleset  # noqa: E402
from advisor.models import CORE_FIELDS, FIELD_KINDS  # noqa: E402
from advisor.parsing import parse_answer  # noqa: E402

# The baseline: the parsers as they were, regular expressions only (errors shortened to ValueError).
_DAYS_RE = re.compile(r"^\+?(\d{1,9})\s*(?:天|日|days?|d)?$", re.IGNORECASE)
_AMOUNT_RE = re.compile(
    r"^(?:¥|￥|rmb|cny)?\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(万|千|w|k)?\s*(?:元|块钱|块|rmb|cny)?$",
    re.IGNORECASE,
)
_MULTIPLIERS = {"万": 10000, "w": 10000, "千": 1000, "k": 1000}
_PERCENT_RE = re.compile(r"^(?:年化|年利率|apr)?\s*(\d+(?:\.\d+)?|\.\d+)\s*%?$", re.IGNORECASE)
MAX_AMOUNT = Decimal("10000000000")
CENT = Decimal("0.01")


def _normalise(raw: object) -> str:
    return unicodedata.normalize("NFKC", str(raw)).strip()


def old_days(raw: object) -> int:
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int):
        return raw
    match = _DAYS_RE.match(_normalise(raw))
    if not match:
        raise ValueError(raw)
    days = int(match.group(1))
    if not 0 <= days <= 36500:
        raise ValueError(raw)
    return days


def old_amount(raw: object) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, float):
        raw = repr(raw)
    if isinstance(raw, (int, Decimal)):
        value = Decimal(raw)
    else:
        text = _normalise(raw).replace(",", "").replace(" ", "")
        match = _AMOUNT_RE.match(text)
        if not match:
            raise ValueError(raw)
        value = Decimal(match.group(1))
        unit = (match.group(2) or "").lower()
        if unit:
            value *= _MULTIPLIERS[unit]
    if not value.is_finite() or value <= 0 or value > MAX_AMOUNT or value != value.quantize(CENT):
        raise ValueError(raw)
    return value.quantize(CENT)


def old_percent(raw: object) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError(raw)
    text = repr(raw) if isinstance(raw, float) else _normalise(raw).replace(" ", "")
    match = _PERCENT_RE.match(text)
    if not match:
        raise ValueError(raw)
    value = Decimal(match.group(1))
    if -value.as_tuple().exponent > 4:  # type: ignore[operator]
        raise ValueError(raw)
    if not 0 < value <= 10000:
        raise ValueError(raw)
    return value


def old_is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or (
        isinstance(raw, (list, tuple, set, frozenset)) and not raw)


def old_answer(field: str, raw: object) -> object:
    """The old `parse_answer` around them, as it was: kind, blank, length and size checks, dispatch."""
    kind = FIELD_KINDS.get(field)
    if kind is None:
        raise ValueError(field)
    if old_is_blank(raw):
        if field in CORE_FIELDS:
            raise ValueError(raw)
        return None
    if isinstance(raw, str) and len(raw) > 100:
        raise ValueError(raw)
    if isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) > 10**18:
        raise ValueError(raw)
    if kind == "days":
        return old_days(raw)
    if kind == "amount":
        return old_amount(raw)
    return old_percent(raw)


def cells(n: int, seed: int = 7) -> dict[str, list[str]]:
    """Cells as spreadsheets hold them, each kind on its own."""
    rng = random.Random(seed)
    return {
        "amount 12345.67": [f"{rng.randrange(100, 200_000)}.{rng.randrange(100):02d}" for _ in range(n)],
        "amount 12345": [str(rng.randrange(100, 200_000)) for _ in range(n)],
        "amount 5,000": [f"{rng.randrange(1000, 200_000):,}" for _ in range(n)],
        "amount 3万": [f"{rng.randrange(1, 30) / 2:g}万" for _ in range(n)],
        "days 45": [str(rng.randrange(0, 400)) for _ in range(n)],
        "days 45天": [f"{rng.randrange(0, 400)}天" for _ in range(n)],
        "apr 36%": [f"{rng.randrange(1, 40)}%" for _ in range(n)],
    }


NEW_FORMS = {"amount": ["两万", "三千八", "一万二", "十万零五百", "¥12,000.00", "两千五百块钱"],
             "overdue_days": ["十二天", "两周", "半个月", "三个月"], "apr": ["日息万分之五", "月息2分"]}


def best(fn: Callable[[object], object], values: list[str], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for v in values:
            fn(v)
        times.append(time.perf_counter() - start)
    return min(times) / len(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    rules = load_ruleset()
    field_of = {"amount": "amount", "days": "overdue_days", "apr": "apr"}
    print(f"{'cells':18} {'before µs':>10} {'now µs':>10} {'ratio':>7}")
    worst = float("inf")
    for name, values in cells(args.cells).items():
        field = field_of[name.split()[0]]
        for v in values[:200]:  # both sides read the same value
            assert parse_answer(field, v, rules) == old_answer(field, v), v
        old_t = new_t = float("inf")
        for _ in range(args.rounds):  # interleaved, so a busy machine slows both alike
            old_t = min(old_t, best(lambda v, f=field: old_answer(f, v), values, 1))
            new_t = min(new_t, best(lambda v, f=field: parse_answer(f, v, rules), values, 1))
        ratio = old_t / new_t
        worst = min(worst, ratio)
        print(f"{name:18} {old_t * 1e6:10.2f} {new_t * 1e6:10.2f} {ratio:6.2f}x")
    for field, forms in NEW_FORMS.items():
        per = best(lambda v, f=field: parse_answer(f, v, rules), forms * 500, args.rounds)
        print(f"new {field:14} {'-':>10} {per * 1e6:10.2f}   (no baseline: refused before)")
    print(f"slowest plain kind: {worst:.2f}x the old parser's speed (goal >= 1.0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
