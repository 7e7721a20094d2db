"""The rule-file format, described once: the vocabulary, and the form of every section and entry.

The forms (Entry, ListOf, MapOf, Scalar, Ref, OneOf) say which keys each mapping takes and what each
value is. The loader (rulesections, rulecompiler) reads its key lists from them and `schema.py` builds
the JSON Schema from them, so a new key is added here once, then checked where it is read. The
Checker collects every problem with its file, line and column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple, Union

from .errors import RuleProblem, suggest
from .models import CATALOGS, CHOICE_FIELDS, CORE_FIELDS, FIELD_KINDS, ORDERED_OUTPUTS, STAGES, URGENCIES

LANGS = ("zh", "en")
# The keys of a rule that take outcomes away, and the catalogs whose ids they may name.
DROPS = ("replaces", "removes")
DROPPABLE = ("steps", "consequences")
# One entry of each section whose entries have ids, as messages name it.
ENTRY_NAMES = {"steps": "step", "consequences": "consequence", "references": "reference", "rules": "rule"}
LABEL_GROUPS = {
    "severity": ORDERED_OUTPUTS["severity"],
    "credit_level": ORDERED_OUTPUTS["credit_level"],
    "reporting": ORDERED_OUTPUTS["reporting"],
    "urgency": URGENCIES,
}


# ---------------------------------------------------------------- the forms a value of a rule file takes


class Ref(NamedTuple):
    """A shared form: a text in every language, a condition, or a rule."""

    name: str


class Scalar(NamedTuple):
    """A plain value, as its JSON Schema says: {"type": "string"}, {"enum": [...]}, …"""

    schema: dict[str, Any]


class ListOf(NamedTuple):
    item: Form
    min_items: int = 0


class MapOf(NamedTuple):
    """A mapping of names the author chooses, each to a value of one form."""

    value: Form
    required: tuple[str, ...] = ()


class Entry(NamedTuple):
    """A mapping of known keys, in the order the loader reads them; any other key is refused.
    `lenient` names the keys an `override: true` may leave out."""

    keys: dict[str, Form]
    required: tuple[str, ...] = ()
    lenient: tuple[str, ...] = ()


class OneOf(NamedTuple):
    forms: tuple[Form, ...]


Form = Union[Ref, Scalar, ListOf, MapOf, Entry, OneOf]

TEXT = Ref("text")
CONDITION = Ref("condition")
STRING = Scalar({"type": "string"})
ID = Scalar({"type": "string", "minLength": 1})
BOOL = Scalar({"type": "boolean"})
DATE = Scalar({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"})
NUMBER = Scalar({"type": ["number", "string"]})
IDS = ListOf(STRING)


def enum(values: Iterable[str]) -> Scalar:
    return Scalar({"enum": list(values)})


ORDERED = Entry({key: enum(values) for key, values in ORDERED_OUTPUTS.items()})
DAY = Scalar({"type": "integer", "minimum": 0})
MONTHS = Scalar({"type": "integer", "minimum": 1})
URGENCY = enum(URGENCIES)
STAGE = Entry({"id": enum(STAGES), "days": Entry({"gte": DAY, "lte": DAY}, ("gte",)),
               "label": TEXT, "description": TEXT}, ("id", "label"))
CHOICE = Entry({"id": STRING, "label": TEXT, "note": TEXT,
                "aliases": ListOf(Scalar({"type": ["string", "integer"]}))}, ("id",))  # a new choice needs a label
# A field restated with `override: true` changes only what it states: choices merge by id, aliases are added.
FIELD = Entry({"question": TEXT, "why": TEXT, "hint": TEXT, "choices": ListOf(CHOICE, 1), "ask_when": CONDITION,
               "override": BOOL}, ("question", "why"), ("question", "why"))


def field_form(name: str) -> Entry:
    """What a field's entry may hold: choices only for a choice, a condition only for an extra answer."""
    keys = {k: v for k, v in FIELD.keys.items()
            if (k != "choices" or name in CHOICE_FIELDS) and (k != "ask_when" or name not in CORE_FIELDS)}
    return FIELD._replace(keys=keys)


# Where a fact was read (a URL or a repository path) and when: a list when it rests on several sources.
SOURCE = OneOf((STRING, ListOf(STRING, 1)))
FACT: dict[str, Form] = {"source": SOURCE, "checked": DATE}

CATALOG = {  # an entry of a catalog; an override may restate only what it changes
    "steps": Entry({"id": ID, **FACT, "urgency": URGENCY, "text": TEXT, "override": BOOL},
                   ("id", "text", "urgency"), ("text", "urgency")),
    "consequences": Entry({"id": ID, **FACT, "text": TEXT, "legal": BOOL, "override": BOOL}, ("id", "text"), ("text",)),
    "references": Entry({"id": ID, **FACT, "title": TEXT, "text": TEXT, "verbatim": BOOL, "confidence": STRING,
                         "override": BOOL}, ("id", "title", "text", "verbatim"), ("title", "text", "verbatim")),
}
RULE_STEP = Entry({"id": STRING, "urgency": URGENCY}, ("id", "urgency"))
EXPECT = Entry({**ORDERED.keys, "includes": IDS, "excludes": IDS})
EXAMPLE = Entry({"case": Scalar({"type": "object"}), "as_of": DATE, "expect": EXPECT}, ("case",))
RULE = Entry({
    "id": ID, **FACT, "title": TEXT, "when": CONDITION, "set": ORDERED, "summary": TEXT, "consequences": IDS,
    "steps": ListOf(OneOf((STRING, RULE_STEP))), "references": IDS,
    # Steps or consequences (by id) that must not show when this rule fires, whichever rule adds them:
    # `replaces` when this rule's own steps take their place, `removes` when nothing does.
    "replaces": IDS, "removes": IDS, "valid_from": DATE, "valid_until": DATE,
    "examples": ListOf(EXAMPLE, 1), "override": BOOL,
}, ("id", "when", "examples"))
PARAGRAPH = Entry({"when": CONDITION, "text": TEXT}, ("text",))
INTEREST = Entry({
    **FACT,
    "lpr": ListOf(Entry({"from": DATE, "rate": NUMBER}, ("from", "rate"))),
    # transition: contracts formed before this date follow a transitional rule, so no exact cap is computed
    "caps": MapOf(Entry({**FACT, "basis": STRING, "rate": NUMBER, "lpr_multiple": NUMBER, "transition": DATE},
                        ("basis",))),
    "bases": MapOf(TEXT),
    "notes": MapOf(TEXT),
})
PLAN = Entry({"share_of_margin": NUMBER, "max_months": MapOf(MONTHS, ("default",)),
              "texts": MapOf(TEXT)})
# What the short terminal report shows: at most `steps` steps of each urgency, `consequences`
# consequences, `conditions` conditions under a lone answer (`conditions_when_several` under each of
# several); `law_names` shortens a law's full name in its citations ("full name": "short name").
COUNT = Scalar({"type": "integer", "minimum": 0})
REPORT = Entry({"steps": COUNT, "consequences": COUNT, "conditions": COUNT, "conditions_when_several": COUNT,
                "law_names": MapOf(STRING)})
# A direct answer to one worry (a `concerns` choice): per concern the first whose `when` holds is shown,
# so each concern ends with one that has no `when`.
ANSWER = Entry({"id": ID, **FACT, "concern": STRING, "when": CONDITION, "verdict": TEXT, "text": TEXT,
                "conditions": ListOf(TEXT), "references": IDS, "override": BOOL},
               ("id", "concern", "verdict", "text"))
# The concerns answered when the person named none: the first entry whose `when` holds.
DEFAULT_CONCERNS = Entry({"when": CONDITION, "concerns": ListOf(STRING, 1)}, ("concerns",))
# The report's first sentence: the first entry whose stages hold the case's stage and whose `when` holds.
HEADLINE = Entry({**FACT, "stage": ListOf(enum(STAGES), 1), "when": CONDITION, "text": TEXT}, ("text",))
# A product or lender people name (matching.py): the `platform` choice it is, and who lends, when known.
# `institution`: the name of a bank or company alone, so a product word found with it decides.
LENDERS = ("bank", "consumer_finance", "microloan", "see_contract")
PRODUCT = Entry({"id": ID, **FACT, "names": ListOf(STRING, 1), "platform": STRING, "lender": enum(LENDERS),
                 "lender_name": TEXT, "institution": BOOL, "note": TEXT, "override": BOOL},
                ("id", "names", "platform", "lender"))
# Everyday phrases for a choice field: more words per choice, words with two meanings (asked again),
# words that decide only when nothing else does (`weak`), and the order to pick one of several (`pick`).
PHRASES = Entry({"choices": MapOf(ListOf(STRING, 1)), "weak": ListOf(STRING), "pick": ListOf(STRING),
                 "ambiguous": ListOf(Entry({"words": ListOf(STRING, 1), "choices": ListOf(STRING, 2)},
                                           ("words", "choices")))})
# A class of debt in a household's order (priorityrules): a debt takes the first entry that holds.
# `label`: a few words naming the class, for the caseload summary's count of households by priority.
PRIORITY = Entry({"id": ID, **FACT, "when": CONDITION, "reporting": ListOf(enum(ORDERED_OUTPUTS["reporting"])),
                  "clearable": BOOL, "label": TEXT, "reason": TEXT, "override": BOOL}, ("id", "reason"))
# A rule file: each section and its form, in the order the loader reads them.
FILE = Entry({
    "stages": ListOf(STAGE),
    "labels": Entry({group: Entry(dict.fromkeys(ids, TEXT)) for group, ids in LABEL_GROUPS.items()}),
    "fields": Entry({name: field_form(name) for name in FIELD_KINDS}),
    **{section: ListOf(CATALOG[section]) for section in CATALOGS},
    "rules": ListOf(Ref("rule")),
    "ui": MapOf(TEXT),
    "disable": ListOf(STRING),
    "interest": INTEREST,
    "plan": PLAN,
    "report": REPORT,
    "letter": ListOf(PARAGRAPH),
    "script": ListOf(PARAGRAPH),
    "answers": ListOf(ANSWER),
    "default_concerns": ListOf(DEFAULT_CONCERNS),
    "headlines": ListOf(HEADLINE),
    "products": ListOf(PRODUCT),
    "phrases": MapOf(PHRASES),
    # Words that turn a found phrase around (没, 不…): an answer holding one is asked again.
    "negations": ListOf(STRING),
    "priorities": ListOf(PRIORITY),
})

# The keys the loader accepts, read from the forms above.
SECTIONS = tuple(FILE.keys)
RULE_KEYS = tuple(RULE.keys)
ENTRY_KEYS = {section: tuple(form.keys) for section, form in CATALOG.items()}
STAGE_KEYS = tuple(STAGE.keys)
FIELD_KEYS = tuple(FIELD.keys)
CHOICE_KEYS = tuple(CHOICE.keys)
EXAMPLE_KEYS = tuple(EXAMPLE.keys)
EXPECT_KEYS = tuple(EXPECT.keys)
RULE_STEP_KEYS = tuple(RULE_STEP.keys)
PARAGRAPH_KEYS = tuple(PARAGRAPH.keys)
INTEREST_KEYS = tuple(INTEREST.keys)
PLAN_KEYS = tuple(PLAN.keys)
REPORT_KEYS = tuple(REPORT.keys)
ANSWER_KEYS = tuple(ANSWER.keys)
DEFAULT_CONCERNS_KEYS = tuple(DEFAULT_CONCERNS.keys)
HEADLINE_KEYS = tuple(HEADLINE.keys)
PRODUCT_KEYS = tuple(PRODUCT.keys)
PHRASES_KEYS = tuple(PHRASES.keys)
PRIORITY_KEYS = tuple(PRIORITY.keys)
ASKABLE = tuple(FIELD_KINDS)
LINE = "__line__"
POS = "__pos__"  # {"": (line, column) of the mapping, key: (line, column) of that key}
META = frozenset((LINE, POS))




class Checker:
    """Collects every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[RuleProblem] = []

    def add(self, file: str, node: Any, rule: str | None, message: str, key: Any = None) -> None:
        line = column = None
        if isinstance(node, dict) and POS in node:
            line, column = node[POS].get(key) or node[POS][""]
        self.problems.append(RuleProblem(file, line, rule, message, column))

    def keys(self, file: str, node: dict[str, Any], allowed: Sequence[str], rule: str | None, what: str) -> None:
        for key in node:
            if key not in META and key not in allowed:
                self.add(file, node, rule, f'unknown key "{key}" in {what}{suggest(str(key), allowed)}', key)

    def text(self, file: str, owner: dict[str, Any], key: str, rule: str | None, required: bool = True) -> Any:
        value = owner.get(key)
        if value is None:
            if required:
                self.add(file, owner, rule, f'"{key}" is missing: give a text in zh and en')
            return None
        if not isinstance(value, dict):
            self.add(file, owner, rule, f'"{key}" must be a mapping with zh and en texts')
            return None
        out = {}
        for lang in LANGS:
            t = value.get(lang)
            if not isinstance(t, str) or not t.strip():
                self.add(file, value, rule, f'"{key}" needs a non-empty "{lang}" text')
            else:
                out[lang] = t.strip()
        self.keys(file, value, LANGS, rule, f'"{key}"')
        return out if len(out) == len(LANGS) else None

    def template(self, file: str, owner: dict[str, Any], key: str, rule: str | None, names: Collection[str]) -> None:
        """Each placeholder of a text is a name it is filled with, in a form `templates.fill` fills."""
        from .templates import parse

        value = owner.get(key)
        if not isinstance(value, dict):
            return
        for lang in LANGS:
            text = value.get(lang)
            parts = parse(text) if isinstance(text, str) else []
            if parts is None:
                self.add(file, value, rule, f'{lang} text: a lone "{{" or "}}": write "{{{{" or "}}}}" for a brace', lang)
            for part in parts or []:
                if isinstance(part, str) or part.safe and part.name in names:
                    continue
                if not part.name.isidentifier():
                    problem = f'placeholder "{part}" is not a name; this text may use: {", ".join(names) or "none"}'
                elif part.name not in names:
                    problem = f'unknown placeholder "{part}"{suggest(part.name, names)}'
                else:
                    problem = f'placeholder "{part}" may carry only "," and a precision such as ".2f"'
                self.add(file, value, rule, f"{lang} text: {problem}", lang)

    def id_list(self, file: str, owner: dict[str, Any], key: str, rule: str | None) -> list[Any]:
        value = owner.get(key, [])
        if not isinstance(value, list):
            self.add(file, owner, rule, f'"{key}" must be a list')
            return []
        return value


_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


def conforms(form: Form, value: Any) -> bool:
    """Whether a value has the form a Scalar describes: the loader's value checks read the same
    description (type, enum, minimum, minLength, pattern) that `schema.py` writes into schema.json."""
    if not isinstance(form, Scalar):
        raise TypeError(f"only a plain value's form is checked here, not {type(form).__name__}")
    schema = form.schema
    if "enum" in schema:
        return any(value == v and type(value) is type(v) for v in schema["enum"])
    kinds = schema.get("type", ())
    if not any(_JSON_TYPES[kind](value) for kind in ([kinds] if isinstance(kinds, str) else kinds)):
        return False
    if "minimum" in schema and not value >= schema["minimum"]:
        return False
    if "minLength" in schema and len(value) < schema["minLength"]:
        return False
    return "pattern" not in schema or re.search(schema["pattern"], value) is not None


def as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k not in META}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def as_date(value: Any) -> str | None:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            return None
    return None

