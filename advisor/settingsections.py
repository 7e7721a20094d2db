"""Reading the sections that hold settings rather than content: `plan` (how a repayment plan is
proposed) and `report` (what the short terminal report shows of each kind of outcome).

Each reader checks its values and falls back to a working default, so a bad value is reported by
`rules check` without stopping a run.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .rulespec import META, MONTHS, PLAN_KEYS, REPORT_KEYS, as_decimal, conforms

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
    check.keys(file, value, PLAN_KEYS, "plan", '"plan"')
    share = as_decimal(value.get("share_of_margin"))
    if share is None or not 0 < share <= 1:
        check.add(file, value, "plan", "share_of_margin must be a number above 0 and at most 1", "share_of_margin")
        share = Decimal(1)
    months = value.get("max_months", {})
    if not isinstance(months, dict) or "default" not in months or not all(
        conforms(MONTHS, v) for k, v in months.items() if k not in META
    ):
        check.add(file, value, "plan", "max_months needs a `default` and whole numbers of months", "max_months")
        months = {"default": 60}
    texts = value.get("texts", {})
    if isinstance(texts, dict):
        from .render.record import PLAN_PLACEHOLDERS

        for key in texts:
            if key not in META:
                check.template(file, texts, key, "plan", PLAN_PLACEHOLDERS)
    m.data["plan"] = {
        "share_of_margin": str(share),
        "max_months": {k: v for k, v in months.items() if k not in META},
        "texts": {k: check.text(file, texts, k, "plan") for k in texts if k not in META}
        if isinstance(texts, dict) else {},
    }


def read_report(m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    check = m.check
    if not isinstance(value, dict):
        check.add(file, doc, "report", '"report" must be a mapping', "report")
        return
    check.keys(file, value, REPORT_KEYS, "report", '"report"')
    out = m.data["report"]
    for key in ("steps", "consequences", "conditions", "conditions_when_several"):
        if key not in value:
            continue
        n = value[key]
        if isinstance(n, int) and not isinstance(n, bool) and n >= 0:
            out[key] = n
        else:
            check.add(file, value, "report", f"{key} must be a whole number, 0 or more", key)
    names = value.get("law_names", {})
    if isinstance(names, dict) and all(isinstance(k, str) and isinstance(v, str) and v.strip()
                                       for k, v in names.items() if k not in META):
        out["law_names"] = {**out["law_names"], **{k: v for k, v in names.items() if k not in META}}
    else:
        check.add(file, value, "report", "law_names maps a law's full name to a shorter one", "law_names")
