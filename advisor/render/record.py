"""The assessment as one JSON-able record (CONTRACT §4), texts resolved for one language."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from ..concerns import answer_fields
from ..finance import repayment_check
from ..models import SCHEMA_VERSION, Assessment, plain
from ..templates import fill
from ..tuples import TYPE_CHECKING
from .forms import money

if TYPE_CHECKING:
    from typing import Any

    from ..ruleset import RuleSet


def _reference(ref: dict[str, Any], lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {"id": ref["id"], "title": ref["title"][lang]}
    if ref["verbatim"]:
        # A statute is quoted in the language it was enacted in; English readers get a gloss beside it.
        out["text"] = ref["text"]["zh"]
        if lang != "zh":
            out["translation"] = ref["text"][lang]
    else:
        out["text"] = ref["text"][lang]
    out["verbatim"] = ref["verbatim"]
    return out


def summary_text(assessment: Assessment, rules: RuleSet, lang: str) -> str:
    by_id = {r["id"]: r for r in rules.rules}
    sep = "" if lang == "zh" else " "
    return sep.join(by_id[rid]["summary"][lang] for rid in assessment.summary_rules)


def priorities(steps: Any, limit: int) -> list[int | None]:
    """Each step's place in the short report (1-based, most urgent first), None for steps only --full shows.

    The short report (the default terminal report) shows at most `limit` steps of each urgency (the rule
    set's `report: steps`); `--full`, Markdown, HTML and JSON show them all.
    """
    out: list[int | None] = []
    shown = 0
    seen: dict[str, int] = {}
    for step in steps:
        seen[step.urgency] = seen.get(step.urgency, 0) + 1
        if seen[step.urgency] <= limit:
            shown += 1
            out.append(shown)
        else:
            out.append(None)
    return out


def to_record(assessment: Assessment, rules: RuleSet, lang: str, *, explain: bool = False) -> dict[str, Any]:
    answers = answer_fields(assessment, rules, lang)
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "case": assessment.case.echo(),
        "headline": answers["headline"],
        "concerns": answers["concerns"],
        "concerns_source": answers["concerns_source"],
        "answers": answers["answers"],
        "stage": assessment.stage,
        "severity": assessment.severity,
        # Repaid in full, by the answers: `stage` keeps what the days reached (CONTRACT §5).
        "settled": assessment.case.repaid_on is not None,
        "credit_impact": _credit(assessment, rules, lang),
        "consequences": [
            {"id": c, "text": rules.consequences[c]["text"][lang]} for c in assessment.consequences
        ],
        "steps": [
            {"id": s.id, "urgency": s.urgency, "text": rules.steps[s.id]["text"][lang], "priority": p}
            for s, p in zip(assessment.steps, priorities(assessment.steps, rules.report["steps"]))
        ],
        "references": [_reference(rules.references[r], lang) for r in _references(assessment, answers, rules)],
        "interest_check": _interest(assessment, rules, lang),
        "plan": _plan(assessment, rules, lang),
        "repayment_check": _repayment(assessment, rules, lang),
        "rules_fired": assessment.rules_fired,
        "as_of": assessment.as_of.isoformat(),
        "language": lang,
        "disclaimer": rules.text("disclaimer", lang),
    }
    if explain:
        drops = {r["id"]: [*r.get("replaces", ()), *r.get("removes", ())] for r in rules.rules}
        record["explain"] = [
            {
                "rule": f.id,
                "drops": drops.get(f.id, []),  # the steps and consequences this rule keeps out
                "conditions": [
                    {"field": c.field, "op": c.op, "expected": _plain(c.expected),
                     "actual": _plain(c.actual), "result": c.result}
                    for c in f.conditions
                ],
            }
            for f in assessment.fired
        ]
    return record


def _references(assessment: Assessment, answers: dict[str, Any], rules: RuleSet) -> list[str]:
    """The fired rules' references and those the answers cite, each once, in catalog order."""
    ids = set(assessment.references).union(*(a["references"] for a in answers["answers"]))
    return sorted(ids, key=rules.order["references"].__getitem__)


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return plain(value)


def _credit(assessment: Assessment, rules: RuleSet, lang: str) -> dict[str, Any]:
    summary = summary_text(assessment, rules, lang)
    # An overdue that never reaches the credit database (a loan between people) is kept there for no time.
    until = assessment.retention_until if assessment.reporting != "none" else None
    if until is not None:
        from ..concerns import facts
        from ..finance import retention_over

        # Five years after repayment the record is gone (the rules' retention_over, which also lowers the
        # level: credit.retention-over); within the one-time repair it is kept but not shown.
        key = ("retention_over" if retention_over(assessment.case, assessment.as_of)
               else "retention_hidden" if rules.holds("one_time_repair_applies", facts(assessment, rules))
               else "retention")
        sentence = rules.message(key, lang, repaid_on=assessment.case.repaid_on, until=until)
        summary = f"{sentence}{'' if lang == 'zh' else ' '}{summary}" if summary else sentence
    return {
        "level": assessment.credit_level,
        "reporting": assessment.reporting,
        "summary": summary,
        "retention_until": until and until.isoformat(),
    }


# The names the interest and plan texts of a rule set may use: what _interest and _plan fill in.
INTEREST_PLACEHOLDERS = {"bases": ("cap",), "notes": ("lpr", "lpr_from", "cap")}
PLAN_PLACEHOLDERS = ("amount", "monthly_payment", "last_payment", "months", "margin", "max_months", "longest_months")


def _interest(assessment: Assessment, rules: RuleSet, lang: str) -> dict[str, Any] | None:
    check = assessment.interest_check
    if check is None:
        return None
    values = {k: v for k, v in check.items() if v is not None}
    parts = []
    given = getattr(assessment.case.apr, "given", None)  # a rate given per day or month: show the sum
    if given:
        parts.append(rules.message(f"rate_converted_{given[0]}", lang, rate=given[1], apr=check["apr"]))
    if check["cap"] is not None:
        verdict = rules.text("interest_exceeds" if check["exceeds"] else "interest_within", lang)
        parts.append(rules.message("interest_line", lang, apr=check["apr"], cap=check["cap"], verdict=verdict))
    else:
        parts.append(rules.message("interest_unknown", lang, apr=check["apr"]))
    basis = rules.interest["bases"].get(check["basis"])
    if basis and not check.get("bound"):  # a bound states its own basis
        parts.append(fill(basis[lang], {"cap": check["cap"] or ""}))
    notes = rules.interest["notes"]
    note = check["note"] or ("lpr_used" if check["lpr"] else None)
    # A cap known only as the highest the table allows says so, instead of asking for the contract date.
    if check.get("bound"):
        note = None if note == "contract_date_needed" else note
    for key in ("cap_bound", note) if check.get("bound") else (note,):
        if key and key in notes:
            parts.append(fill(notes[key][lang], {k: values.get(k, "") for k in ("lpr", "lpr_from", "cap")}))
    apr_given = {"per": given[0], "rate": str(given[1])} if given else None
    return {**check, "apr_given": apr_given, "text": ("" if lang == "zh" else " ").join(parts)}


def _plan(assessment: Assessment, rules: RuleSet, lang: str) -> dict[str, Any] | None:
    proposal = assessment.plan
    if proposal is None:
        return None
    key = "affordable" if proposal["affordable"] else "unaffordable"
    uneven = proposal["affordable"] and proposal["last_payment"] != proposal["monthly_payment"]
    texts = rules.plan["texts"]
    # What was received, not the amount owed (finance.plan_amount): said so, where the rule set has the words.
    basis = "_received" if proposal["basis"] == "received" else ""
    template = ((uneven and (texts.get(f"affordable_uneven{basis}") or texts.get("affordable_uneven")))
                or texts.get(f"{key}{basis}") or texts.get(key))
    parts = [fill(template[lang], proposal)] if template else []
    # A plan longer than usual is an offer the other side may refuse; under enforcement it is offered
    # as an enforcement settlement (民事诉讼法 第二百四十一条). Each where the rule set has the words.
    extra = ["long"] if proposal.get("long") else []
    if proposal["affordable"]:
        from ..concerns import facts

        if rules.holds("in_enforcement", facts(assessment, rules)):
            extra.append("enforcement")
    parts += [fill(texts[key][lang], proposal) for key in extra if key in texts]
    return {**proposal, "text": ("" if lang == "zh" else " ").join(parts)}


def _repayment(assessment: Assessment, rules: RuleSet, lang: str) -> dict[str, Any] | None:
    """What was repaid against what was received, in plain numbers and words."""
    check = repayment_check(assessment.case)
    if check is None:
        return None
    over = check["repaid_over"]
    key = "repayment_outstanding" if not check["covered"] else "repayment_covered" if over != "0.00" else "repayment_even"
    if assessment.stage == "enforcement":  # a judgment in force: what is owed is the judgment's, not this sum
        key = "repayment_judged"
    basis = rules.interest["caps"].get(assessment.case.platform, {}).get("basis")  # the line this lender is held to
    line = rules.ui.get(f"repayment_line_{basis}", {}).get(lang, "")
    text = rules.message(key, lang, received=money(check["received"]), repaid=money(check["repaid_so_far"]),
                         left=money(check["outstanding"]), over=money(over), line=line)
    return {**check, "text": text}


# Records repeat: every case in a band cell gets the same record apart from its echo. Kept per rule
# set and language, a few thousand at most; past the limit the memory starts again.
RECORD_CACHE_LIMIT = 4_000
_bodies: WeakKeyDictionary[RuleSet, dict[tuple[Any, ...], tuple[Any, dict[str, Any]]]] = WeakKeyDictionary()


def cached_record(assessment: Assessment, rules: RuleSet, lang: str, *, explain: bool = False) -> dict[str, Any]:
    """`to_record`, reusing the record of an earlier case in the same band cell; always a fresh copy."""
    if explain or assessment.interest_check or assessment.plan or assessment.retention_until:
        return to_record(assessment, rules, lang, explain=explain)  # figures of this case alone
    bodies = _bodies.get(rules)
    if bodies is None:
        bodies = _bodies[rules] = {}
    # The fired rules and the starting stage decide every output. The engine hands every case of a
    # cell the same `fired` tuple, so its identity names the cell without hashing some sixty strings;
    # the entry holds the tuple, so its id cannot be reused while the entry lives. The conditions of
    # the headline and of the answers cut the cells too (partition.py), so within a cell only the
    # concerns the person named change what answers them.
    fired = assessment.fired
    key = (lang, assessment.as_of, assessment.stage, id(fired), assessment.case.concerns)
    entry = bodies.get(key)
    if entry is None or entry[0] is not fired:
        if len(bodies) >= RECORD_CACHE_LIMIT:
            bodies.clear()
        entry = bodies[key] = (fired, to_record(assessment, rules, lang))
    body = entry[1]
    out = body.copy()
    out["case"] = assessment.case.echo()
    # The case's own figures: what was received is not part of a cell.
    out["repayment_check"] = None if assessment.case.received is None else _repayment(assessment, rules, lang)
    # The caller owns what it gets: copy every list and mapping, share only the strings.
    out["concerns"] = body["concerns"].copy()
    out["answers"] = [{**item, "conditions": item["conditions"].copy(), "references": item["references"].copy()}
                      for item in body["answers"]]
    out["credit_impact"] = body["credit_impact"].copy()
    out["consequences"] = [item.copy() for item in body["consequences"]]
    out["steps"] = [item.copy() for item in body["steps"]]
    out["references"] = [item.copy() for item in body["references"]]
    out["rules_fired"] = body["rules_fired"].copy()
    return out
