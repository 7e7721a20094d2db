"""Coverage: does every situation get an answer, and does every rule matter?

Every condition compares an answer with a constant, so the constants cut each numeric answer into
bands inside which no rule can tell two values apart. One case per band of every answer, crossed
with every choice, therefore stands for the whole space of situations.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import product
from typing import Any

from .engine import RANK, day_stage, dropped, firing, highest, lookup, stage_band
from .errors import RuleProblem
from .fields import FIELDS, MAX_DAYS
from .models import EXTENDED_FIELDS, FIELD_KINDS, Case
from .parsing import MAX_AMOUNT, MAX_PERCENT
from .repeats import Repeat, shown, similar, texts
from .ruleset import RuleSet
from .tuples import NamedTuple

# Each numeric field: its domain and the smallest step between two values.
DOMAINS: dict[str, tuple[Any, ...]] = {
    f.id: tuple(map(int if f.condition == "int" else Decimal, f.domain)) for f in FIELDS if f.domain}


class Gap(NamedTuple):
    case: Case
    missing: tuple[str, ...]  # which of stage, severity, credit, steps nothing gave


class Coverage(NamedTuple):
    bands: dict[str, list[tuple[Any, Any]]]
    points: int
    gaps: list[Gap]
    never_fire: list[str]
    overruled: list[tuple[str, str, str]]  # (rule id, output, value) always beaten by a higher value
    severity_grid: dict[tuple[str, str, int], str]  # (platform, negotiation, day band) -> highest severity
    gap_cells: set[tuple[str, str, int]]
    repeats: list[Repeat]  # similar texts some situation shows together


def bands(rules: RuleSet, as_of: date | None = None) -> dict[str, list[tuple[Any, Any]]]:
    """For each numeric field, the intervals [low, high] that no condition can split: the engine's bands.

    On a given date, a condition on when the overdue began also cuts the days (began = as_of - days)."""
    edges = lookup(rules).partition.edges
    out = {}
    for field, (low, high, step) in DOMAINS.items():
        starts = edges[field].starts(low, high, step) if field in edges else [low]
        if field == "overdue_days" and as_of is not None and "overdue_start" in edges:
            began = edges["overdue_start"]
            # began >= e holds up to as_of - e days, began <= e from as_of - e days on
            cuts = {(as_of - e).days + 1 for e in began.lows} | {(as_of - e).days for e in began.highs}
            starts = sorted({*starts, *(c for c in cuts if low < c <= high)})
        out[field] = list(zip(starts, [s - step for s in starts[1:]] + [high]))
    return out


def _timeless(rules: RuleSet) -> RuleSet:
    """The same rules with their dates removed: can a rule fire at all, whenever it is in force?"""
    undated = [{k: v for k, v in r.items() if k not in ("valid_from", "valid_until")} for r in rules.rules]
    return RuleSet(dict(rules.data, rules=undated), rules.sources)


def variants(rules: RuleSet, space: dict[str, list[tuple[Any, Any]]]) -> list[dict[str, Any]]:
    """The extended answers to try on top of each core situation: none known, then one at a time.

    Each value of each choice, each band of each number, and for the derived checks one case on each
    side (a tiny and a huge rate with a contract date; no margin and a wide one; what was received
    repaid or not).
    """
    out: list[dict[str, Any]] = [{}]
    for field in EXTENDED_FIELDS:
        kind = FIELD_KINDS[field]
        if kind == "choice":
            out += [{field: c["id"]} for c in rules.choices(field)]
        elif kind == "choices":
            out += [{field: frozenset([c["id"]])} for c in rules.choices(field)]
        elif field in space and field != "apr":
            out += [{field: low} for low, _ in space[field]]
    table = rules.interest["lpr"]
    contract = date.fromisoformat(table[-1]["from"]) if table else None
    for low, _ in space["apr"] + [(MAX_PERCENT, None)]:
        out.append({"apr": low, "contract_date": contract})
    out.append({"monthly_income": Decimal(0), "monthly_expenses": Decimal(0)})
    out.append({"monthly_income": MAX_AMOUNT, "monthly_expenses": Decimal(0)})
    out += [{"received": Decimal(1000), "repaid_so_far": Decimal(repaid)} for repaid in (0, 1000)]
    paid = lookup(rules).partition.edges.get("repaid_on")
    days = paid.starts(date(1900, 1, 1), date(2199, 12, 31), timedelta(days=1)) if paid else []
    out += [{"repaid_on": day} for day in sorted({date(2026, 1, 1), *days})]
    return out


def cost(rules: RuleSet, as_of: date | None = None) -> int:
    """How many situations the check tries: known before it starts, so a huge one can be refused."""
    space = bands(rules, as_of)
    return (len(space["overdue_days"]) * len(space["amount"]) * len(rules.choices("platform"))
            * len(rules.choices("negotiation")) * len(variants(rules, space)))


def check_coverage(rules: RuleSet, as_of: date) -> Coverage:
    space = bands(rules, as_of)
    platforms = [c["id"] for c in rules.choices("platform")]
    negotiations = [c["id"] for c in rules.choices("negotiation")]
    timeless = _timeless(rules)
    dated = any(r.get("valid_from") or r.get("valid_until") for r in rules.rules)
    by_id = {r["id"]: r for r in rules.rules}
    fired_anywhere: set[str] = set()
    fired_count: dict[tuple[str, str], int] = {}
    beaten_count: dict[tuple[str, str], int] = {}
    gaps: list[Gap] = []
    grid: dict[tuple[str, str, int], str] = {}
    gap_cells: set[tuple[str, str, int]] = set()
    points = 0
    extra = variants(rules, space)
    severity_rank = RANK["severity"]
    # Similar pairs are found once over all texts; each situation only tests whether it shows a pair
    # not yet reported, so the cost stays that of firing the rules.
    unmet = similar(rules)
    repeats: list[Repeat] = []
    for (di, (days, _)), (amount, _), platform, negotiation, more in product(
        enumerate(space["overdue_days"]), space["amount"], platforms, negotiations, extra
    ):
        points += 1
        case = Case(overdue_days=days, amount=amount, platform=platform, negotiation=negotiation, **more)
        now = firing(case, rules, as_of)
        setters = {k for rule in now for k in rule["set"]}
        missing = []
        if stage_band(days, rules) is None:
            missing.append("stage")
        if "severity" not in setters:
            missing.append("severity")
        if not setters & {"credit_level", "reporting"}:
            missing.append("credit")
        gone = dropped(now)
        if not any(s not in gone for rule in now for s, _ in rule["steps"]):
            missing.append("steps")
        if unmet:
            showing = shown(now, gone)
            for pair in [p for p in unmet if p[0] in showing and p[1] in showing]:
                unmet.remove(pair)
                repeats.append(Repeat(pair[0], pair[1], pair[2], ("", ""), case))
        if missing:
            gaps.append(Gap(case, tuple(missing)))
            gap_cells.add((platform, negotiation, di))
        key = (platform, negotiation, di)
        stage = day_stage(days, rules)
        severity = highest(now, stage)["severity"]
        if not more and severity_rank[severity] >= severity_rank[grid.get(key, "none")]:
            grid[key] = severity
        ever = firing(case, timeless, as_of) if dated else now
        final = highest(ever, stage)
        for rule in ever:
            fired_anywhere.add(rule["id"])
            for out, value in rule["set"].items():
                fired_count[(rule["id"], out)] = fired_count.get((rule["id"], out), 0) + 1
                if RANK[out][final[out]] > RANK[out][value]:
                    beaten_count[(rule["id"], out)] = beaten_count.get((rule["id"], out), 0) + 1
    never = [r["id"] for r in rules.rules if r["id"] not in fired_anywhere]
    overruled = [
        (rid, out, by_id[rid]["set"][out])
        for (rid, out), n in fired_count.items()
        if beaten_count.get((rid, out), 0) == n
    ]
    where = texts(rules)
    repeats = [r._replace(where=(where[r.first][1], where[r.second][1])) for r in repeats]
    return Coverage(space, points, gaps, never, overruled, grid, gap_cells, repeats)


def problems(cov: Coverage) -> list[RuleProblem]:
    out = []
    for gap in cov.gaps[:50]:  # the first fifty say enough; the count says the rest
        answers = " ".join(f"{k}={v}" for k, v in gap.case.echo().items() if k != "id")
        out.append(RuleProblem("(coverage)", None, None, f"no {', '.join(gap.missing)} for {answers}"))
    if len(cov.gaps) > 50:
        out.append(RuleProblem("(coverage)", None, None, f"… and {len(cov.gaps) - 50} more gaps"))
    for rid in cov.never_fire:
        out.append(RuleProblem("(coverage)", None, rid, "can never fire: no situation meets its conditions"))
    for rid, key, value in cov.overruled:
        out.append(RuleProblem(
            "(coverage)", None, rid,
            f'its {key} "{value}" never shows: wherever it fires, another rule sets a higher {key}',
        ))
    for r in cov.repeats:
        answers = " ".join(f"{k}={v}" for k, v in r.case.echo().items() if k != "id")
        file, _, line = r.where[0].rpartition(":")
        out.append(RuleProblem(
            file or r.where[0], int(line) if line.isdigit() else None, r.first[1],
            f"{r.first[0]} {r.first[1]} and {r.second[0]} {r.second[1]} ({r.where[1]}) say the same thing "
            f"(similarity {r.similarity:.2f}) in one report, e.g. for {answers}: merge or reword one",
        ))
    return out


def band_label(low: Any, high: Any, top: Any) -> str:
    if low == high:
        return str(low)
    return f"{low}+" if high == top else f"{low}-{high}"


def matrix(cov: Coverage, rules: RuleSet) -> list[str]:
    """A compact text matrix: platform × negotiation rows, day-band columns, highest severity in each."""
    days = cov.bands["overdue_days"]
    labels = [band_label(lo, hi, MAX_DAYS) for lo, hi in days]
    width = max(5, *(len(label) for label in labels)) + 1
    lines = ["platform / negotiation".ljust(31) + "".join(label.rjust(width) for label in labels) + "  (days)"]
    for platform in (c["id"] for c in rules.choices("platform")):
        for negotiation in (c["id"] for c in rules.choices("negotiation")):
            cells = []
            for i in range(len(days)):
                mark = cov.severity_grid.get((platform, negotiation, i), "none")[0].upper()
                if (platform, negotiation, i) in cov.gap_cells:
                    mark = "!" + mark
                cells.append(mark.rjust(width))
            lines.append(f"{platform:>17} {negotiation:<12} " + "".join(cells))
    lines.append("cells: highest severity over all amount bands (N none, L low, M medium, H high, C critical); "
                 "! marks a gap")
    amounts = ", ".join(band_label(lo, hi, MAX_AMOUNT) for lo, hi in cov.bands["amount"])
    lines.append(f"amount bands: {amounts}")
    lines.append("cells show situations with no extra answers; the checks also try each extra answer in turn")
    lines.append(f"{cov.points} situations checked; {len(cov.gaps)} gaps; {len(cov.never_fire)} rules never fire; "
                 f"{len(cov.overruled)} values always overruled; {len(cov.repeats)} repeated texts")
    return lines

