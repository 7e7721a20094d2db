"""What a typed answer to a choice question means: one place for every door (prompt, flag, batch cell,
answers file, Python API).

The words come from the rule files: each choice's id, labels and aliases (fields), everyday phrases
(`phrases`), product and lender names (`products`) and the words that turn a phrase around
(`negations`). Each field's words are indexed once per rule set, so a known answer costs one
dictionary lookup; only an answer that is not a known word is searched for known words inside it.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import CaseError
from .tuples import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from difflib import SequenceMatcher

    from .ruleset import RuleSet


def fold(text: object) -> str:
    """An answer as it is compared: NFKC (full-width letters and digits), case folded, no spaces."""
    return "".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


class ProductChoice(str):
    """A platform choice id that keeps the product name it was read from, as the person typed it."""

    product: str

    def __new__(cls, choice: str, product: str) -> ProductChoice:
        self = super().__new__(cls, choice)
        self.product = product
        return self

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # to a batch worker process and back
        return ProductChoice, (str(self), self.product)


class ChoiceError(CaseError):
    """An answer that is not a choice; `guess` is a known word close to it, to ask about at the prompt."""

    def __init__(self, field: str, message: str, guess: str | None = None) -> None:
        super().__init__(field, message)
        self.guess = guess


class Crisis(ChoiceError):
    """An answer that says the person may harm themselves: its message is where to get help now."""


def _crisis_words(rules: RuleSet) -> list[tuple[str, dict[str, str]]]:
    """Each `crisis` word, folded, with its reply: once per rule set, kept beside the field indexes."""
    words: list[tuple[str, dict[str, str]]] | None = rules.matchers.get(" crisis")
    if words is None:
        words = rules.matchers[" crisis"] = [(fold(w), e["text"]) for e in rules.data.get("crisis", []) for w in e["words"]]
    return words


def crisis_text(raw: object, rules: RuleSet) -> dict[str, str] | None:
    """The reply to an answer that holds a `crisis` word, or None. A choice question asks it first
    (Index.match); a number or date question only of an answer it did not understand."""
    text = fold(raw)
    return next((said for word, said in _crisis_words(rules) if word in text), None)


class Match(NamedTuple):
    """The choices an answer names. `unsure`: it could mean any of them (ask which), `note` then what to
    know to say which, if the rules give it. None: not understood; `guess` is then a known word close to
    it, if any, and `outside` the text saying why, when the answer names something the rules are not
    written for (a mortgage) or something only said or threatened (hearsay: "催收说我被起诉了")."""

    choices: tuple[str, ...]
    product: bool = False  # a product or lender was named: keep the answer as the product name
    guess: str | None = None
    unsure: bool = False
    outside: dict[str, str] | None = None
    crisis: dict[str, str] | None = None  # the answer says the person may harm themselves: where to get help
    idle: bool = False  # a part of an answer that tells how things stand, naming no choice: let go
    note: dict[str, str] | None = None

    @property
    def ok(self) -> bool:
        return bool(self.choices) and not self.unsure


def _has_han(word: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in word)


class Index:
    """Every word of one choice field, ready to match."""

    def __init__(self, field: str, rules: RuleSet) -> None:
        phrases = rules.data.get("phrases", {}).get(field, {})
        self.known: dict[object, str] = {}  # answers as typed (exact str only) -> what they mean (read)
        self.exact: dict[str, tuple[str, bool]] = {}  # word -> (choice, names a product)
        self.numbers: set[str] = set()
        for n, c in enumerate(rules.choices(field), 1):
            self.numbers.add(str(n))
            for word in (c["id"], *c["label"].values(), *c["aliases"], str(n)):
                self.exact.setdefault(fold(word), (c["id"], False))
        for choice, words in phrases.get("choices", {}).items():
            for word in words:
                self.exact.setdefault(fold(word), (choice, False))
        self.weak = {fold(w) for w in phrases.get("weak", [])}
        self.decides = {fold(w) for w in phrases.get("decides", [])}
        self.ambiguous = {fold(w): tuple(a["choices"]) for a in phrases.get("ambiguous", []) for w in a["words"]}
        self.notes = {fold(w): a["text"] for a in phrases.get("ambiguous", []) if a.get("text") for w in a["words"]}
        if field == "platform":
            for product in rules.data.get("products", []):
                for word in product["names"]:
                    if product.get("also"):  # "招行" alone: its loan or its card
                        self.ambiguous[fold(word)] = (product["platform"], *product["also"])
                        continue
                    self.exact[fold(word)] = (product["platform"], True)  # a product name keeps the name
                    if product["institution"]:
                        self.weak.add(fold(word))
        self.alone = {fold(w) for w in phrases.get("alone", [])}
        self.doubts = tuple(fold(w) for w in phrases.get("doubts", []))
        self.asks = tuple(fold(w) for w in phrases.get("asks", []))
        self.idle = {fold(w) for w in phrases.get("idle", [])}
        self.outside = [(fold(w), entry["text"]) for entry in phrases.get("outside", []) for w in entry["words"]]
        self.hearsay = [(tuple(map(fold, e["words"])), tuple(map(fold, e.get("papers", []))), e["text"])
                        for e in phrases.get("hearsay", [])]
        self.crisis = _crisis_words(rules)
        self.pick: list[str] | None = phrases.get("pick")
        others = phrases.get("others") or {"words": [], "of": [], "choice": ""}
        self.others = (tuple(map(fold, others["words"])), frozenset(others["of"]), others["choice"])
        self.negations = tuple(fold(w) for w in rules.data.get("negations", []))
        self._inside: re.Pattern[str] | None | bool = False  # False: not compiled yet

    @property
    def inside(self) -> re.Pattern[str] | None:
        """Chinese words of two characters or more, looked for inside a longer answer, the longest first
        at each place; a single character or a Latin word would be found in too many others, and an
        `alone` word (没有, 个人) means its choice only as the whole answer. Words with two meanings are
        looked for too. Compiled on the first answer that is not a known word (tens of ms for the
        platform's product names): a batch or a prompt answered with known words never needs it. An
        `alone` word also listed as ambiguous is looked for as that ("银行": "中原银行" is its loan or its card)."""
        if self._inside is False:
            words = sorted((w for w in (*self.exact, *self.ambiguous) if len(w) >= 2 and _has_han(w)
                            and (w not in self.alone or w in self.ambiguous)), key=len, reverse=True)
            self._inside = re.compile("|".join(map(re.escape, words))) if words else None
        return self._inside if isinstance(self._inside, re.Pattern) else None

    def match(self, text: str, many: bool = False) -> Match:
        """`text` folded. With `many`, every choice found inside is meant (a multi-choice field)."""
        hit = self.exact.get(text)
        if hit is not None:
            return Match((hit[0],), hit[1])
        if text in self.ambiguous:
            return Match(self.ambiguous[text], unsure=True, note=self.notes.get(text))
        if many and text in self.idle:
            return Match((), idle=True)
        # Before anything else, and whatever denial is in it: "不想活了" holds 不.
        help_now = next((said for word, said in self.crisis if word in text), None)
        if help_now is not None:
            return Match((), crisis=help_now)
        # Found anywhere in the answer ("招行房贷" names a bank too), unless something denies it ("不是房贷";
        # "会不会影响我考公" asks).
        why = next((why for word, why in self.outside if word in text), None)
        if why is not None and not any(n in self.unasked(text) for n in self.negations):
            return Match((), outside=why)
        inside = self.inside
        spans = [m.span() for m in inside.finditer(text)] if inside else []
        found = [text[a:b] for a, b in spans]
        rest = inside.sub(" ", text) if found and inside else text
        said = next((why for words, papers, why in self.hearsay if _reported(text, spans, words, papers)), None)
        if said is not None:  # "催收说我被起诉了", "要起诉我": someone's words, not what a court did
            return Match((), outside=said)
        meant = _others(text, spans, self.exact, self.others)
        if found and any(d in rest for d in self.doubts):
            return Match(())  # a threat, a fear, a question or a fake ("说要起诉我"): not what it names
        # "会不会打电话给我爸妈" asks; its 不 denies nothing.
        if not found or any(n in self.unasked(rest) for n in self.negations):
            return Match((), guess=self.guess(text))
        meanings = [self.ambiguous[w] for w in found if w in self.ambiguous]
        if meanings:  # a word with two meanings: the other words found with it may settle which
            # Two such words mean what both may mean ("建行" a loan or a card, "个人消费贷" a bank's or a
            # finance company's loan: "建行个人消费贷" is a bank loan); a plain word names one of them ("建行信用卡").
            two = [c for c in meanings[0] if all(c in m for m in meanings[1:])] or [c for m in meanings for c in m]
            found_all, found = found, [w for w in found if w not in self.ambiguous]
            plain = [meant.get(w) or self.exact[w][0] for w in found]
            if not plain and len(two) == 1:
                return Match(tuple(two), True)
            if len(set(plain)) != 1 or plain[0] not in two:
                note = next((self.notes[w] for w in found_all if w in self.notes), None)
                return Match(tuple(dict.fromkeys([*two, *plain])), unsure=True, note=note)
        strong = [w for w in found if w not in self.weak] or found
        strong = [w for w in strong if w in self.decides] or strong  # "老婆用我的名字借的": the borrower's
        choices = tuple(dict.fromkeys(meant.get(w) or self.exact[w][0] for w in strong))
        # "没收到律师函": a denial and what it denies. Not among several things that happened, where a word
        # holds its own negation ("上门堵我不让走": held there, and a visit).
        if len(choices) > 1 and not many and any(n in w for w in strong for n in self.negations):
            return Match(choices, unsure=True)
        if len(choices) > 1 and not many and self.pick:
            choices = tuple(c for c in self.pick if c in choices)[:1] or choices
        return Match(choices, True, unsure=len(choices) > 1 and not many)

    def unasked(self, text: str) -> str:
        """The answer without the words that ask rather than deny (`asks`: 会不会)."""
        for word in self.asks:
            text = text.replace(word, " ")
        return text

    def guess(self, text: str) -> str | None:
        """The known word closest to a near miss (花贝 → 花呗), if one is close enough to ask about. Never
        one that adds or drops a negation: "有协商" is closest to "没有协商", its opposite; never one that
        starts otherwise than the answer: a shared ending is too often a common one ("房东" is no "京东",
        "发律师函" no "假律师函"); and never one that is no slip of the keys (see `_slip`)."""
        from difflib import SequenceMatcher  # only on a miss

        cutoff = 0.5 if len(text) <= 3 else 0.6
        best: tuple[float, bool] = (cutoff, False)
        found = None
        seq = SequenceMatcher(b=text, autojunk=False)
        denies = [n in text for n in self.negations]
        for word in self.exact:
            if (word in self.numbers or len(word) < 2 or word[0] != text[:1]
                    or [n in word for n in self.negations] != denies):
                continue
            seq.set_seq1(word)
            if seq.real_quick_ratio() < cutoff or seq.quick_ratio() < cutoff:
                continue
            # On a tie: a product name.
            score = (seq.ratio(), self.exact[word][1])
            if (score >= best and score[0] >= cutoff and (found is None or score > best)
                    and _slip(seq, word, text, self.negations)):
                best, found = score, word
        return found


def _slip(seq: SequenceMatcher[str], word: str, text: str, negations: tuple[str, ...]) -> bool:
    """Whether a known word and the answer (`seq` compares them) differ as a slip of the keys does: a
    character or so mistyped, left out or added. Not when what differs holds a negation ("协商成功又没还"
    is not "协商没成功", "没同意也没拒绝" not "没同意"); not when more than a quarter of the answer is not
    in the word ("法院发短信了" is not "法院判了", "会不会影响坐高铁" not "会不会坐牢"); not when more
    than a third of the word is not in the answer ("all" is not "jail"). One character is always a slip."""
    same = sum(block.size for block in seq.get_matching_blocks())
    if len(text) - same > max(1, len(text) // 4) or len(word) - same > max(1, len(word) // 3):
        return False
    return not any(n in word[i1:i2] or n in text[j1:j2] for tag, i1, i2, j1, j2 in seq.get_opcodes()
                   if tag != "equal" for n in negations)


_CLAUSE = re.compile(r"[,，.。;；!！?？、:：]")
_TRAILING = re.compile(r"[的了啊呢吧呀哦嘛,，.。;；!！?？、…]*")
_NEAR = 3  # characters a court's paper or line may stand before a word of hearsay and still be its speaker


def _reported(text: str, spans: list[tuple[int, int]], words: tuple[str, ...], papers: tuple[str, ...]) -> bool:
    """Whether a word found in `text` (at `spans`) is only reported by one of `words` (a 说, a threat): it
    comes after the word in the same clause ("催收说我被起诉了", "要起诉我"), or before a word that ends the
    answer ("被起诉了，催收说的"). Not when a court's paper or line stands just before the word, in its clause:
    then the paper says it ("判决书说已经生效", "12368发短信说我被起诉了")."""
    for word in words:
        at = text.find(word)
        while at != -1 and spans:
            clause = _CLAUSE.split(text[:at])[-1]
            if not any(paper in clause[-len(paper) - _NEAR:] for paper in papers):
                end = at + len(word)
                if _TRAILING.fullmatch(text, end):  # "…，催收说的": what came before
                    if any(a < at for a, _ in spans):
                        return True
                else:
                    stop = next((m.start() for m in _CLAUSE.finditer(text, end)), len(text))
                    if any(at <= a < stop or a < at < b for a, b in spans):
                        return True
            at = text.find(word, at + 1)
    return False


def _others(text: str, spans: list[tuple[int, int]], exact: dict[str, tuple[str, bool]],
            others: tuple[tuple[str, ...], frozenset[str], str]) -> dict[str, str]:
    """Words found in `text` (at `spans`) that are someone else's (`others`): "父母住院", "我爸得了癌症" are a
    parent's illness, read as the family's emergency. Not when the person speaks of themselves after naming
    the other, or in another clause: "孩子还小我生病了", "我生病了，孩子还小" are their own."""
    words, of, choice = others
    out: dict[str, str] = {}
    for a, b in spans if of else ():
        if exact.get(text[a:b], ("", False))[0] in of:
            clause = _CLAUSE.split(text[:a])[-1]
            named = [clause.rfind(w) + len(w) for w in words if w in clause]
            if named and "我" not in clause[max(named):]:
                out[text[a:b]] = choice
    return out


KNOWN_LIMIT = 100_000  # answers kept, as typed, with what they mean: a batch repeats the same few


def index(field: str, rules: RuleSet) -> Index:
    found = rules.matchers.get(field)
    if found is None:
        found = rules.matchers[field] = Index(field, rules)
    return found


def match(field: str, raw: object, rules: RuleSet, many: bool = False) -> Match:
    return index(field, rules).match(fold(raw), many)


def read(field: str, raw: object, rules: RuleSet) -> str | Match:
    """The choice a one-choice answer means, or the Match saying why it is not one. An answer seen
    before, as typed, costs one dictionary lookup."""
    idx = index(field, rules)
    typed = raw.__class__ is str  # faster than isinstance, and a str subclass is not memoised
    if typed:
        hit = idx.known.get(raw)
        if hit is not None:
            return hit
    found = idx.match(fold(raw))
    if not found.ok:
        return found
    value = understood(field, raw, found)
    if typed:
        if len(idx.known) >= KNOWN_LIMIT:
            idx.known.clear()
        idx.known[raw] = value
    return value


def understood(field: str, raw: object, found: Match) -> str:
    """The one choice of a match, keeping a platform's product name as typed."""
    choice = found.choices[0]
    if field == "platform" and found.product:
        return ProductChoice(choice, " ".join(str(raw).split()))
    return choice


def choice_list(field: str, rules: RuleSet, lang: str, only: tuple[str, ...] | None = None) -> str:
    """The numbered choices of a field (only those in `only`, when given), by name, the id in brackets:
    1 银行贷款（bank_loan）；2 …"""
    chosen = [(n, c) for n, c in enumerate(rules.choices(field), 1) if only is None or c["id"] in only]
    if lang == "zh":
        return "；".join(f"{n} {c['label']['zh']}（{c['id']}）" for n, c in chosen)
    return "; ".join(f"{n} {c['label'][lang]} ({c['id']})" for n, c in chosen)


def choice_error(field: str, raw: object, found: Match, rules: RuleSet, lang: str) -> ChoiceError:
    """Why an answer is not one choice: it may mean several, it is close to a known word, or it names
    no product or choice known (for a platform, with how to find out who lends)."""
    if found.choices:
        message = rules.message("choice_ambiguous", lang, value=raw, choices=choice_list(field, rules, lang, found.choices))
        return ChoiceError(field, f"{message}{'。' if lang == 'zh' else '. '}{found.note[lang]}" if found.note else message)
    if found.crisis is not None:
        return Crisis(field, found.crisis[lang])  # the help alone: no "not understood", no list
    if found.outside is not None:
        return ChoiceError(field, rules.message("choice_outside", lang, value=raw, why=found.outside[lang]))
    choices = choice_list(field, rules, lang)
    if found.guess is not None:
        meant = match(field, found.guess, rules).choices[0]
        message = rules.message("bad_choice_guess", lang, value=raw, guess=found.guess, choices=choices,
                                label=rules.label(field, meant, lang))
        return ChoiceError(field, message, found.guess)
    key = "product_unknown" if field == "platform" else "bad_choice"
    return ChoiceError(field, rules.message(key, lang, value=raw, choices=choices))
