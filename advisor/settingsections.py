"""Reading the sections that hold settings rather than content: `plan` (how a repayment plan is
proposed) and `report` (what the short terminal report shows of each kind of outcome).

Each reader checks its values and falls back to a working default, so a bad value is reported by
`rules check` without stopping a run.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .rulespec import META, PLAN, REPORT, as_decimal

if TYPE_CHECKING:
    from .rulesections import Merge

# What the short report shows when no rule file says otherwise (rules/report.yaml sets them).
REPORT_DEFAULTS: dict[str, Any] = {"steps": 3, "consequences": 5, "conditions": 3, "conditions_when_several": 2,
                                   "law_names": {}}


def read_plan(m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    check = m.check
    if not isinstance(value, dict):
        check.add(file, doc, "plan", '"plan" must be a mapping', "plan")
        return
    check.keys(file, value, PLAN, "plan", '"plan"')
    good = m.values(file, value, PLAN, "plan")
    share = as_decimal(good.get("share_of_margin")) or Decimal(1)
    months = good.get("max_months", {})
    if "default" not in months:
        months = {"default": 60}
    longest = good.get("longest_months", {})
    if "default" not in longest:  # absent (or bad): a plan is never longer than `max_months`
        longest = months
    # A layer's plan replaces the one before, `when` included; compiled with the rules' conditions, later.
    m.plan_when = (file, value["when"]) if "when" in value else None
    m.plan_received = (file, value["received_when"]) if "received_when" in value else None
    texts = value.get("texts", {})
    if isinstance(texts, dict):
        from .render.record import PLAN_PLACEHOLDERS

        for key in texts:
            if key not in META:
                check.template(file, texts, key, "plan", PLAN_PLACEHOLDERS)
    m.data["plan"] = {
        "share_of_margin": str(share),
        "max_months": months,
        "longest_months": longest,
        "texts": {k: check.text(file, texts, k, "plan") for k in texts if k not in META}
        if isinstance(texts, dict) else {},
    }


def read_report(m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    check = m.check
    if not isinstance(value, dict):
        check.add(file, doc, "report", '"report" must be a mapping', "report")
        return
    check.keys(file, value, REPORT, "report", '"report"')
    good = m.values(file, value, REPORT, "report")
    names = good.pop("law_names", {})
    m.data["report"] = {**m.data["report"], **good, "law_names": {**m.data["report"]["law_names"], **names}}
