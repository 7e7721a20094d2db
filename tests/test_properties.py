"""Invariants of the engine over random valid cases (Hypothesis)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.engine import evaluate
from advisor.models import CREDIT_LEVELS, SEVERITIES, STAGES, Case
from advisor.render.record import to_record
from advisor.ruleset import load_ruleset

RULES = load_ruleset()
PLATFORMS = [c["id"] for c in RULES.choices("platform")]
NEGOTIATIONS = [c["id"] for c in RULES.choices("negotiation")]
AS_OF = date(2026, 11, 22)

days = st.integers(min_value=0, max_value=36500)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10) ** 10, places=2, allow_nan=False)
dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
# This module's own settings: a profile loaded here would apply to every test collected after it.
PROPERTY = settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
# Hundreds of evaluations per test, on lines the other tests reach: without line tracing (conftest.untraced).
pytestmark = pytest.mark.untraced


def case(d: int, a: Decimal, p: str, n: str) -> Case:
    return Case(overdue_days=d, amount=a, platform=p, negotiation=n)


@PROPERTY
@given(days, amounts, st.sampled_from(PLATFORMS), st.sampled_from(NEGOTIATIONS), dates)
def test_every_valid_case_gets_a_full_answer(d, a, p, n, as_of):
    result = evaluate(case(d, a, p, n), RULES, as_of)
    assert result.steps and result.consequences and result.references
    assert result.summary_rules
    record = to_record(result, RULES, "zh")
    assert json.loads(json.dumps(record, ensure_ascii=False)) == record


@PROPERTY
@given(days, days, amounts, st.sampled_from(PLATFORMS), st.sampled_from(NEGOTIATIONS))
def test_more_days_never_lowers_stage_severity_or_credit(d1, d2, a, p, n):
    lo, hi = sorted((d1, d2))
    r1 = evaluate(case(lo, a, p, n), RULES, AS_OF)
    r2 = evaluate(case(hi, a, p, n), RULES, AS_OF)
    assert STAGES.index(r2.stage) >= STAGES.index(r1.stage)
    assert SEVERITIES.index(r2.severity) >= SEVERITIES.index(r1.severity)
    assert CREDIT_LEVELS.index(r2.credit_level) >= CREDIT_LEVELS.index(r1.credit_level)


@PROPERTY
@given(days, amounts, amounts, st.sampled_from(PLATFORMS), st.sampled_from(NEGOTIATIONS))
def test_larger_amount_never_lowers_severity(d, a1, a2, p, n):
    lo, hi = sorted((a1, a2))
    r1 = evaluate(case(d, lo, p, n), RULES, AS_OF)
    r2 = evaluate(case(d, hi, p, n), RULES, AS_OF)
    assert SEVERITIES.index(r2.severity) >= SEVERITIES.index(r1.severity)


@PROPERTY
@given(days, amounts, st.sampled_from(PLATFORMS), st.sampled_from(NEGOTIATIONS))
def test_evaluation_is_deterministic(d, a, p, n):
    c = case(d, a, p, n)
    assert evaluate(c, RULES, AS_OF) == evaluate(c, RULES, AS_OF)


# The batch reads plain amounts (5000, 1234.5, 12,345) without the general parser; it must give what the
# parser gives for every text it takes, and leave every other text to the parser.
plain_like = (st.from_regex(r"\A[0-9]{1,11}(\.[0-9]{0,3})?\Z")
              | st.from_regex(r"\A[0-9]{0,4}(,[0-9]{0,4}){1,4}(\.[0-9]{0,3})?\Z")
              | st.text(alphabet="0123456789.,+-e 万", max_size=14))


@PROPERTY
@given(plain_like)
def test_the_batch_reading_of_a_plain_amount_is_the_parsers(raw):
    from advisor.batch.records import plain_amount
    from advisor.errors import CaseError
    from advisor.parsing import parse_answer

    fast = plain_amount(raw)
    if fast is None:
        return
    try:
        slow = parse_answer("amount", raw, RULES, "en")
    except CaseError as exc:
        raise AssertionError(f"the batch took {raw!r} as {fast}, the parser refuses it: {exc}") from None
    assert fast == slow and str(fast) == str(slow)


@PROPERTY
@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10) ** 9, places=2, allow_nan=False))
def test_every_amount_in_range_written_plainly_is_read_by_both_alike(amount):
    from advisor.batch.records import plain_amount
    from advisor.parsing import parse_answer

    for raw in (f"{amount}", f"{amount:f}".rstrip("0").rstrip("."), str(int(amount)) if amount >= 1 else "1",
                f"{amount:,}", f"{int(amount):,}"):
        fast = plain_amount(raw)
        assert fast is None or str(fast) == str(parse_answer("amount", raw, RULES, "zh"))
    if 1 <= amount < 10**9:  # the fast path does take these, so the checks above compare something
        assert plain_amount(f"{amount}") is not None and plain_amount(f"{int(amount):,}") is not None
