"""Choice matching speed, side by side in one run: every goal is a ratio.

    python benchmarks/matching.py [--cells 200000]

  lookup     what reading a choice cost before product names and phrases: NFKC, strip, casefold and
             one lookup in the field's table of ids, labels and aliases (RuleSet.choice_index);
  known      `parsing.parse_choice` on the same cells: an answer seen before, as typed, is one lookup;
  products   `parse_choice` on product names and longer answers (招商银行信用卡, 我用的是花呗);
  fresh      the same longer answers, each read as if never seen: normalised, then looked up, then
             searched for known words by the precomputed pattern.

A batch repeats the same few answers, so `known` is the rate that matters.
Goal: known >= 0.7x lookup; products and fresh are reported.
"""

from __future__ import annotations

import argparse
import random
import time
import unicodedata

from advisor.parsing import parse_choice
from advisor.ruleset import load_ruleset

KNOWN = ["花呗", "借呗", "网商贷", "微粒贷", "信用卡", "银行贷款", "招联", "京东白条", "小贷", "私人",
         "internet_platform", "credit_card", "1", "4", "Credit Card"]
LONGER = ["招商银行信用卡", "我用的是花呗", "中原银行信用卡", "支付宝借呗", "360借条", "建设银行快贷",
          "在浦发银行办的信用卡", "抖音月付", "某某消费金融"]


def rate(fn, cells: list[str]) -> float:
    best = 0.0
    for _ in range(3):
        start = time.process_time()
        for cell in cells:
            fn(cell)
        best = max(best, len(cells) / max(time.process_time() - start, 1e-9))
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=200_000)
    args = parser.parse_args()
    rules = load_ruleset()
    rng = random.Random(13)
    known = [rng.choice(KNOWN) for _ in range(args.cells)]
    longer = [rng.choice(LONGER) for _ in range(args.cells // 10)]
    table = rules.choice_index("platform")

    def lookup(cell: str) -> str | None:
        return table.get(unicodedata.normalize("NFKC", cell).strip().casefold())

    parse_choice("platform", "花呗", rules)  # build the index outside the timing
    base = rate(lookup, known)
    new = rate(lambda c: parse_choice("platform", c, rules), known)
    found = rate(lambda c: parse_choice("platform", c, rules), longer)
    idx = rules.matchers["platform"]
    fresh = rate(lambda c: (idx.known.clear(), parse_choice("platform", c, rules)), longer)
    print(f"lookup    {base:12,.0f} cells/s")
    print(f"known     {new:12,.0f} cells/s  {new / base:.2f}x lookup (goal >= 0.7x)")
    print(f"products  {found:12,.0f} cells/s  {found / base:.2f}x lookup")
    print(f"fresh     {fresh:12,.0f} cells/s  {fresh / base:.2f}x lookup")
    raise SystemExit(0 if new / base >= 0.7 else 1)


if __name__ == "__main__":
    main()
