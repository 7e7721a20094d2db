"""Interest rates as people write them: 24%, 年化24%, 日息万分之五, 万5, 月息2分, 1分5, 百分之二十四.

Pure functions on NFKC-normalised, stripped text, as in numerals.py, whose numbers they read; parsing.py
turns their answers into values or messages. A rate given per day or per month keeps that period, so a
message can say it back as the person wrote it.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .numerals import DIGITS, PERIODS_PER_YEAR, PLAIN_NUMBER, number

# Rates: the annual rate in percent, and when it was given per day or per month, that period and rate.
_FRACTION = {"百分之": Decimal(1), "千分之": Decimal("0.1"), "万分之": Decimal("0.01")}
_PER = (("day", ("日息", "日利率", "日利息", "每天", "一天", "每日", "日")),
        ("month", ("月息", "月利率", "月利息", "每月", "一个月", "月")),
        ("year", ("综合年化利率", "综合年化", "实际年化利率", "实际年化", "年化利率", "年化率", "年化", "年利率", "年息",
                  "apr", "irr", "年")))
_RATE_WORD = re.compile(r"^(?:利率|rate)[:：为是]?")  # 利率24%: a rate, its period unsaid, as in a bare 24%
_WAN = re.compile(r"万(\d+(?:\.\d+)?|[一二两三四五六七八九])")  # 万5: 万分之五, as lenders shorten it
_FEN = re.compile(r"(\d|[一二两三四五六七八九])分(\d|[一二两三四五六七八九])厘?")  # 1分5: 1.5分
# A fee rate (月费率, 分期手续费率) is charged on the first principal however much is repaid: no interest rate.
FEE_WORDS = ("费率", "手续费", "服务费")


def _percent(text: str, period: str) -> Decimal | None:
    """The rate per period, in percent: 18%, 18, 百分之十八, 万分之五, 万5, 1‰, 0.05%, and for a month 2分, 1分5."""
    text = text.strip().removesuffix("利息").removesuffix("利率").removesuffix("利").strip()
    for word, scale in _FRACTION.items():
        if text.startswith(word):
            value = number(text[len(word):].strip())
            return None if value is None else value * scale
    wan = _WAN.fullmatch(text)
    if wan or text.endswith("‰"):
        value = number(wan.group(1) if wan else text[:-1].strip())
        return None if value is None else value * (Decimal("0.01") if wan else Decimal("0.1"))
    fen = _FEN.fullmatch(text)
    if period == "month" and fen:  # 月息1分5: one and a half percent a month
        return Decimal(DIGITS.get(fen.group(1), fen.group(1))) + Decimal(DIGITS.get(fen.group(2), fen.group(2))) / 10
    if period == "month" and text.endswith("分"):  # 月息2分: two percent a month, as lenders say it
        value = number(text[:-1].strip())
        return value if value is not None and value <= 10 else None
    text = text.removesuffix("%").strip()
    return number(text) if text else None


def rate(text: str) -> tuple[Decimal, str, Decimal] | None:
    """(annual percent, period the person gave it per, the rate per that period) or None."""
    if PLAIN_NUMBER.fullmatch(text):
        return Decimal(text), "year", Decimal(text)
    text = _RATE_WORD.sub("", text)
    period, rest = "year", text
    for name, words in _PER:
        word = next((w for w in words if text.startswith(w)), None)
        if word:
            period, rest = name, text[len(word):].lstrip(":：为是 ")
            break
    else:
        if text.endswith("分利"):  # 2分利: two percent a month, as borrowers and lenders say it
            period = "month"
        elif needs_period(text):
            return None  # 万分之五 or 2分 with no period: per day? per month? ask
    per = _percent(rest, period)
    if per is None or per <= 0:
        return None
    if period == "year":
        return per, "year", per
    try:
        annual = (per * PERIODS_PER_YEAR[period]).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    except InvalidOperation:
        return None
    return Decimal(format(annual.normalize(), "f")), period, per


def names_period(text: str) -> bool:
    """Whether a rate says its period in words (年化, 日息, 月利率…)."""
    return any(text.startswith(w) for _, words in _PER for w in words)


def needs_period(text: str) -> bool:
    """万分之五, 万5, 2分, 1分5 or 1‰ with no 日/月: a rate that cannot be read until the period is known."""
    text = _RATE_WORD.sub("", text)
    return (any(text.startswith(w) for w, scale in _FRACTION.items() if scale < 1)  # 百分之 is a %: a year
            or (text.endswith("分") and number(text[:-1]) is not None)
            or bool(_WAN.fullmatch(text) or _FEN.fullmatch(text)) or text.endswith("‰"))


def per_day(text: str) -> tuple[Decimal, str, Decimal] | None:
    """万5 alone read as 日息万分之五, the only period lenders use it for; None for anything else."""
    return rate("日息" + text) if _WAN.fullmatch(text) else None
