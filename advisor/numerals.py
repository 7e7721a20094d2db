"""Numbers as people write them: 两万, 三千八, 一万二, 1.2w, ¥12,000.00, 十二天, 半个月 (rates: rates.py).

Pure functions on NFKC-normalised, stripped text; parsing.py turns their answers into values or messages.
Each returns None when it does not understand, `Vague` for an answer clear but not exact ("一个多月",
asked again with the nearest exact forms). What could be read two ways is not read: it is asked again.

The grammar here is the language's (digits, 十百千万亿, 三千八 = 3,800), not policy; the one convention,
a month of 30 days, is the lenders' and credit reports' ("three months overdue", M3 = 90 days).
"""

from __future__ import annotations

import re
from decimal import Decimal

DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
          "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
          "俩": 2, "仨": 3}  # 俩 and 仨 are 两个 and 三个: 俩月 is two months, never February
WITH_GE = ("俩", "仨")
UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG = (("亿", 10**8), ("万", 10**4))
ZERO = ("零", "〇")
DAYS_PER = {"day": 1, "week": 7, "month": 30, "year": 365}
HALF = {"week": 3, "month": 15, "year": 180}  # 半个月; 半年 is six months of 30 days
PERIODS_PER_YEAR = {"day": 365, "month": 12}

PLAIN_NUMBER = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_TWO_NUMBERS = re.compile(r"(?!\d{1,3}(?: \d{3})+(?:\.\d+)?$).*\d\s+\d")  # 3800 4200; 1 000 000 is one
_TOKEN = re.compile(r"\d+(?:\.\d+)?|.")
_CURRENCY_HEAD = re.compile(r"^(?:¥|￥|rmb|cny|人民币)\s*")
_CURRENCY_TAIL = re.compile(r"(?:\s*(?:元整|元钱|元|圆|块钱|块|rmb|cny|人民币|yuan))+$")  # 2万元人民币
# A note in brackets after a figure: 23000（含利息）, 60天（两个月）. Holding no figure, it is let be;
# holding one, that must say the same.
_BRACKETS = re.compile(r"(?P<main>[^()]+?)\s*\((?P<note>[^()]*)\)")
_FIGURE = re.compile(r"[\d.,零〇一二两俩仨三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟萬億wk]+")


class Vague(ValueError):
    """An answer that is clear but not exact. `suggestions`: the nearest exact values."""

    def __init__(self, suggestions: list[int]) -> None:
        super().__init__(suggestions)
        self.suggestions = suggestions


def _digit_count(unit: int) -> int:
    return len(str(unit)) - 1


def _section(text: str, implied: int = 0) -> Decimal | None:
    """A number below the next big unit: 三千八, 两千五百, 一百零五, 25, 2.5千, 3千800.

    `implied` is the unit before this section (万 for the 二 of 一万二): a lone digit at the start
    then counts in the next lower place, as speakers mean it."""
    tokens = _TOKEN.findall(text)
    if not tokens:
        return None
    total = Decimal(0)
    digit: Decimal | None = None
    digit_text = ""
    last_unit = implied or 10**9
    zero = False
    for n, token in enumerate(tokens):
        if len(token) > 1 and n + 1 < len(tokens) and (total or zero or (token.count(".") and n + 2 < len(tokens))):
            return None  # 1千25百, 2.5千3: a figure of several digits leads, and a fraction ends
        if token in ZERO:
            if digit is not None or zero:
                return None
            zero = True
        elif token in DIGITS or token[0].isdigit():
            if digit is not None:
                return None  # 一二, 3 5: two numbers side by side
            digit, digit_text = Decimal(DIGITS.get(token, token)), token
        elif token in UNITS:
            unit = UNITS[token]
            if unit >= last_unit:
                return None  # 百千, 五十百: places out of order
            if digit is None:
                if token not in ("十", "拾") or total or zero:
                    return None
                digit = Decimal(1)  # 十二 = 12
            total += digit * unit
            digit, digit_text, last_unit, zero = None, "", unit, False
        else:
            return None
    if digit is None:
        return None if zero else total
    if last_unit == 10**9 or zero:
        return total + digit  # a bare number, or one after 零 (一百零五)
    place = last_unit // 10
    if len(digit_text) == 1:
        return total + digit * place  # 三千八 = 3,800, 一万二 = 12,000
    if digit_text.isdigit() and len(digit_text) == _digit_count(last_unit) and digit < last_unit:
        return total + digit  # 3千800, 3万5000: every place written out
    return None  # 1万500: 10,500 or 15,000? ask


def number(text: str) -> Decimal | None:
    """A quantity: 12345.67, 12,000, 1.2万, 1.2w, 5k, 两万, 一万二, 十万零五百, 3万5000, 一点五万."""
    if PLAIN_NUMBER.fullmatch(text):
        return Decimal(text)
    if text in ZERO:
        return Decimal(0)  # 零 alone: zero, where 零 elsewhere only holds a place (一百零五)
    if _TWO_NUMBERS.match(text) or ("," in text and not _GROUPED.fullmatch(text)):
        return None  # 3800 4200 (two bills?), 50,00, 1,2,3: not one number written out, so not read
    if "," in text:
        return Decimal(text.replace(",", ""))
    text = text.replace(" ", "").replace("w", "万").replace("k", "千").replace("萬", "万").replace("億", "亿")
    if "点" in text:  # 一点五万: a Chinese decimal point, then at most a big unit
        head, _, tail = text.partition("点")
        big = tail[-1:] if tail[-1:] in ("万", "亿") else ""
        whole = _section(head)
        frac = tail[: len(tail) - len(big)]
        if whole is None or not frac or any(c not in DIGITS for c in frac):
            return None
        value = Decimal(f"{whole}.{''.join(str(DIGITS[c]) for c in frac)}")
        return value * dict(BIG)[big] if big else value
    total = Decimal(0)
    implied = 0
    for name, unit in BIG:
        if text.count(name) > 1:
            return None
        head, found, rest = text.partition(name)
        if not found:
            continue
        part = _section(head, 0) if head else None
        if part is None or (implied and part >= implied // unit) or (rest and part != part.to_integral_value()):
            return None  # 1.2万5: a fraction of 万 with more after it
        total += part * unit
        text, implied = rest, unit
    if not text:
        return total if implied else None
    rest_value = _section(text, implied)
    if rest_value is None or (implied and rest_value >= implied):
        return None
    return total + rest_value


_AMOUNT_HEAD = re.compile(r"^(?:一共|总共|共|还|已经|已)?(?:欠了|欠款|欠|借了|借|逾期了?|应还|待还|剩下|剩余|剩|本金)?"
                          r"(?:金额|总额)?(?:是|为|:)?\s*")
_UNPAID_TAIL = re.compile(r"(?:没还|没有还|未还|还没还)$")  # 还剩5000没还
_MONTHLY_HEAD = re.compile(r"^(?:每个?月|一个月)?(?:月薪|工资|收入|月入)?\s*")
# A figure per month (a payment, an income): an answer to another question than the total owed.
_MONTHLY = re.compile(r"^(?:一共|总共|共|还)?(?:每个?月|一个月|月供|月还|月薪|工资|收入|月入)")


def amount(text: str, monthly: bool = False, take_home: bool = False) -> Decimal | None:
    """Money: a number with 元/块/¥ around it, or 欠了两万 (lower-cased). `monthly`: a figure per month (月入8千,
    每月5000); `take_home`: 到手5000 too."""
    if PLAIN_NUMBER.fullmatch(text):  # the fast path: nearly every spreadsheet cell
        return Decimal(text)
    noted = _BRACKETS.fullmatch(text)
    if noted:
        main = amount(noted.group("main").strip(), monthly, take_home)
        said = noted.group("note").strip()
        if not _FIGURE.search(said):
            return main
        return main if main is not None and main == amount(said, monthly, take_home) else None
    text = _AMOUNT_HEAD.sub("", text)
    if monthly:
        text = _MONTHLY_HEAD.sub("", text)
        text = text.removeprefix("到手") if take_home else text
    text = _FILLER_TAIL.sub("", _UNPAID_TAIL.sub("", text)).strip()
    text = _CURRENCY_TAIL.sub("", _CURRENCY_HEAD.sub("", text)).strip()
    if len(text) == 2 and text[0] == "万" and text[1] in DIGITS:  # 万八 is 一万八
        text = "一" + text
    return number(text)


def monthly(text: str) -> bool:
    """每月5000, 月供2000, 月薪8千: a figure given per month."""
    return bool(_MONTHLY.match(text))


def is_vague(text: str) -> bool:
    """几千, 一万多, 两三万, 5000左右: a figure given as a range, not a number; 本金两万利息三千: two figures,
    never added up nor one picked."""
    return bool(_VAGUE.search(text) or _RUN_OF_TWO.search(text) or "几" in text or len(_FIGURE.findall(text)) > 1)


# Durations. The count may be a numeral (三, 3), 半 or carry a vague word; the unit decides the days.
_UNIT_WORDS = {"天": "day", "日": "day", "day": "day", "days": "day", "d": "day", "周": "week", "星期": "week",
               "礼拜": "week", "week": "week", "weeks": "week", "月": "month", "month": "month",
               "months": "month", "年": "year", "year": "year", "years": "year"}
_DURATION = re.compile(
    r"(?P<n>[^天日周星礼月年a-z]*?)\s*(?P<ge>个)?\s*(?P<half>半)?\s*"
    r"(?P<unit>天|日|周|星期|礼拜|月|年|days?|d|weeks?|months?|years?)(?P<tail>半|多)?")
_VAGUE = re.compile(r"多|几|来|把|出头|左右|上下|大概|大约|差不多|约|将近|接近|快|不到|超过|以上|以下|~|到|至|或")
_UNDER = re.compile(r"快|将近|接近|不到")  # words that put the answer just under the figure
_AROUND = re.compile(r"左右|上下|大概|大约|差不多|约")  # and those that put it either side
_RUN_OF_TWO = re.compile(r"([一二两三四五六七八九])([一二两三四五六七八九])")
_FILLER_HEAD = re.compile(r"^(?:已经|已|刚刚?|才|逾期了?|都|有|是|整整)+")
_FILLER_TAIL = re.compile(r"(?:了|啦|吧|呢|啊|的样子|整)+$")  # 三个月整, 1万整
_PUNCTUATION_TAIL = re.compile(r"[\s?!.,;:。、…]+$")
_SIGNED = re.compile(r"[+-]?\d+(?:\.\d+)?")
# Not overdue yet, said by the time left (3天后到期, 还有5天到期): however long is left, 0 days overdue.
_DUE_IN = re.compile(r"(?:还有|离到期还有|距离?到期还有)(?P<left>.+?)才?(?:到期|还款)?"
                     r"|(?P<until>.+?)(?:后|以后|之后)才?(?:到期|还款)")
_BUCKET = re.compile(r"m([1-9])")  # lenders' overdue brackets of 30 days: M1 is 1-30 days, M2 31-60…
_RANGE = re.compile(r"(?P<low>[^~到至或-]+?)\s*(?:~|到|至|或|-)\s*(?P<high>[^~到至或-]+)")
_BETWEEN_PARTS = re.compile(r"[\s,]*(?:零|又|and)?[\s,]*")
_BIG_UNIT = re.compile(r"[万亿萬億]")


class Bucket(Vague):
    """A lender's overdue bracket (M2): `suggestions` are its first and last day."""


def bare(text: str) -> str:
    """The answer without what ends a typed sentence: 45天？ 45天。 还没逾期呢."""
    return _FILLER_TAIL.sub("", _PUNCTUATION_TAIL.sub("", text)).strip()


def days(text: str) -> int | Vague | None:
    """A number of days: 45, 45.0, 四十五, 十二天, 两周, 半个月, 一个半月, 三个月, 一年, 2 weeks, 一年三个月,
    第45天; 0 for 3天后到期. A range (45~60天), a bracket (M2) or 第三个月 is Vague with its ends."""
    if text.isdigit():  # the fast path
        return int(text)
    if _SIGNED.fullmatch(text):
        value = Decimal(text)
        return int(value) if value == value.to_integral_value() else None
    text = bare(text)
    noted = _BRACKETS.fullmatch(text)
    if noted:  # 60天（两个月）: both say the same, or both are offered
        both = [days(noted.group("main").strip()), days(noted.group("note").strip())]
        if both[0] == both[1] and isinstance(both[0], int):
            return both[0]
        return Vague(sorted({d for d in both if isinstance(d, int)}))
    due = _DUE_IN.fullmatch(text)
    if due and _duration(due.group("left") or due.group("until")) is not None:
        return 0
    text = _FILLER_HEAD.sub("", text).strip()
    if _BIG_UNIT.search(text):  # 1万, 两万天: how an amount is written, as 1w is; never 20,000 days
        return None
    bucket = _BUCKET.fullmatch(text)
    if bucket:
        last = int(bucket.group(1)) * DAYS_PER["month"]
        return Bucket([last - DAYS_PER["month"] + 1, last])
    if text.startswith("第"):
        return _ordinal(text[1:])
    found: int | Vague | None = _range(text)
    if found is None and _DURATION.fullmatch(text) is None:
        found = _compound(text)
    return _duration(text) if found is None else found


def _ordinal(text: str) -> int | Vague | None:
    """第45天 is 45 days overdue; 第三个月 is some day of the third month: its first and last offered."""
    value = _duration(text)
    unit = _DURATION.fullmatch(text)
    per = DAYS_PER[_UNIT_WORDS[unit.group("unit")]] if unit else 1
    if not isinstance(value, int) or per == 1:
        return value
    return Vague([value - per + 1, value])


def _range(text: str) -> Vague | None:
    """45~60天, 45到60天, 两到三个月, 45或60天: a range, offered by its ends; None if it is no range of durations."""
    found = _RANGE.fullmatch(text)
    if found is None:
        return None
    unit = _DURATION.fullmatch(found.group("high"))
    low = found.group("low")
    if unit and not _DURATION.fullmatch(low):
        low += (unit.group("ge") or "") + unit.group("unit")  # 两到三个月: the low end in the same unit
    first, last = _duration(low), _duration(found.group("high"))
    if not isinstance(first, int) or not isinstance(last, int) or first >= last:
        return None
    return Vague([first, last])


def _compound(text: str) -> int | Vague | None:
    """一年三个月, 1个月10天, 一个月零五天: parts from the largest unit down, added up. None for one part."""
    total, last, parts, pos = 0, DAYS_PER["year"] + 1, 0, 0
    while pos < len(text):
        part = _DURATION.match(text, pos)
        if part is None:
            return None
        value = _duration(part.group(0).strip())
        per = DAYS_PER[_UNIT_WORDS[part.group("unit")]]
        if value is None or per >= last:
            return None
        if isinstance(value, Vague):
            return Vague([])  # 一个多月零五天: asked, with no exact guess
        total, last, parts = total + value, per, parts + 1
        pos = _BETWEEN_PARTS.match(text, part.end()).end()  # type: ignore[union-attr] # matches ""
    return total if parts > 1 else None


def _duration(text: str) -> int | Vague | None:
    """One count and its unit (十二天, 一个半月, 三个月), or a bare count of days."""
    match = _DURATION.fullmatch(text)
    if match is None:
        if _VAGUE.search(text):  # 一个月左右, 45天上下: the vague word after the unit
            inner = _DURATION.fullmatch(_VAGUE.sub("", text).strip())
            if inner and (inner.group("half") or inner.group("tail") == "半"):  # 半年左右
                return _vague_half(inner.group("n"), _UNIT_WORDS[inner.group("unit")], text)
            if inner is None:
                return _vague(text, "day")
            return _vague(inner.group("n").strip(), _UNIT_WORDS[inner.group("unit")], under=bool(_UNDER.search(text)))
        if "w" in text or "k" in text:  # 1w is 一万 in an amount, a week to some: never 10,000 days
            return None
        count = number(text)
        if count is None or count != count.to_integral_value():
            return None
        return int(count)
    core, unit = match.group("n").strip(), _UNIT_WORDS[match.group("unit")]
    if _VAGUE.search(core) or match.group("tail") == "多":
        half = match.group("half") or match.group("tail") == "半" or "半" in core
        return _vague_half(core, unit, text) if half else _vague(core, unit)
    half = match.group("half") or match.group("tail") == "半"
    half_days = HALF.get(unit) if unit != "week" else None
    if core == "" and match.group("ge") and half:
        core = "一"  # 个半月 is 一个半月: the 一 is often dropped
    if core == "半" or (core == "" and match.group("half")):
        if unit == "week" and match.group("tail") is None:
            return Vague([3, 4])  # half a week: 3 or 4 days
        return half_days if half_days and match.group("tail") is None else None
    count = number(core) if core else None
    if count is None:
        return _vague(core, unit) if _RUN_OF_TWO.fullmatch(core) else None
    if unit in HALF and unit != "week" and count % 1 == Decimal("0.5"):
        count, half, half_days = count - Decimal("0.5"), True, HALF[unit]  # 1.5年 is 一年半: 545 days
    total = count * DAYS_PER[unit]
    if half:
        if unit == "week":
            return Vague([int(total) + 3, int(total) + 4])  # 一周半: 10 or 11 days
        if half_days is None:
            return None
        total += half_days  # 一个半月, 一年半
    if total != total.to_integral_value():  # 1.5周: 10 or 11 days
        return Vague([int(total), int(total) + 1])
    if unit == "month" and not match.group("ge") and not match.group("unit").startswith("m") and core not in WITH_GE:
        return Vague([int(total)])  # 三月 is also March: ask, offering the days
    return int(total)


def _vague_half(core: str, unit: str, said: str) -> Vague:
    """A vague count with a half in it (快半年, 半年多, 半个多月, 快一年半, 半年左右), offered in steps of the next
    unit down: 快半年 -> 165, 175; 半年多 -> 180, 195, 210; 半个多月 -> 15, 20; 半年左右 -> 165, 180, 195."""
    count = number(_VAGUE.sub("", core).replace("个", "").replace("半", "").strip() or "0")
    half = HALF.get(unit)
    if count is None or half is None:
        return Vague([])
    total, step = int(count * DAYS_PER[unit]) + half, {"year": HALF["month"], "month": 5}.get(unit, 1)
    if _UNDER.search(said):
        days = [total - step, total - 5] if step > 5 else [total - step, total - 1]
    elif _AROUND.search(said):
        days = [total - step, total, total + step]
    else:
        days = [total, total + step, total + 2 * step] if step > 5 else [total, total + step]
    return Vague(sorted({d for d in days if d > 0}))


def _vague(core: str, unit: str, under: bool = False) -> Vague:
    """The exact answers nearest a vague one: 一个多月 -> 30, 45, 60; 两三个月 -> 60, 90; 十几天 -> 10, 15."""
    per = DAYS_PER[unit]
    pair = _RUN_OF_TWO.fullmatch(core)
    if pair:
        return Vague([DIGITS[pair.group(1)] * per, DIGITS[pair.group(2)] * per])
    rest = _VAGUE.sub(" ", core).replace("个", "").strip()
    if " " in rest:
        return Vague([])  # 45或60: two figures, never the one they would make side by side
    base = Decimal("0.5") if rest == "半" else number(rest) if rest else None
    if base is None or base <= 0:
        return Vague([])
    low = int(base * per)
    if under or _UNDER.search(core):  # 快两个月 (一个月不到) is under: 45 or 55 days, never 60, 75, 90
        return Vague([d for d in ([low - HALF[unit], low - 5] if per > 7 else [low - 5, low - 1]) if d > 0] or [low])
    if unit == "day":
        return Vague([low, low + 5] if low >= 10 and re.search("多|几", core) else [low])
    return Vague([low, low + HALF[unit], low + per])
