"""The rule-file format, described once: the vocabulary, and the form of every section and entry.

The forms (Entry, ListOf, MapOf, Scalar, Ref, OneOf) say which keys each mapping takes and what each
value is: its type, enum, bounds, pattern or date, the id of what it names elsewhere (`ref`), and the
words a wrong value is told (`says`). The loader reads its keys from them and checks every plain value
with the one checker (specchecks), and `schema.py` builds the JSON Schema from them, so a new key or
section is declared here once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Union

from .models import CATALOGS, CHOICE_FIELDS, CORE_FIELDS, FIELD_KINDS, ORDERED_OUTPUTS, STAGES, URGENCIES
from .tuples import NamedTuple

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
    """A plain value, as its JSON Schema says: {"type": "string"}, {"enum": [...]}, {"format": "date"}, …
    `ref`: the value is the id of an entry elsewhere in the rule set (a key of REF_NOUNS), checked once
    every file is read. `says`: what a wrong value is told, with {key}, {value}, {values} (the enum),
    {noun} (what a ref names) and {suggest} filled in; without it, a wording that follows from the form."""

    schema: dict[str, Any]
    ref: str | None = None
    says: str | None = None


class ListOf(NamedTuple):
    item: Form
    min_items: int = 0
    says: str | None = None  # what a value that is no list, or too short a list, is told


class MapOf(NamedTuple):
    """A mapping of names the author chooses, each to a value of one form; `key`, the form of each name
    when the names are ids of something (a platform's choices, …)."""

    value: Form
    required: tuple[str, ...] = ()
    key: Scalar | None = None
    says: str | None = None  # what a value that is no mapping, or lacks a required name, is told


class Entry(NamedTuple):
    """A mapping of known keys, in the order the loader reads them; any other key is refused.
    `lenient` names the keys an `override: true` may leave out; `one_of`, keys of which exactly one is
    given; `needs`, (key, keys it needs beside it); `order`, (earlier, later): pairs of keys whose values,
    when both are given, must not run backwards (valid_from before valid_until)."""

    keys: dict[str, Form]
    required: tuple[str, ...] = ()
    lenient: tuple[str, ...] = ()
    one_of: tuple[str, ...] = ()
    needs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    order: tuple[tuple[str, str], ...] = ()


class OneOf(NamedTuple):
    forms: tuple[Form, ...]
    says: str | None = None  # what a value of none of the forms is told


Form = Union[Ref, Scalar, ListOf, MapOf, Entry, OneOf]

TEXT = Ref("text")
CONDITION = Ref("condition")
STRING = Scalar({"type": "string"})
ID = Scalar({"type": "string", "minLength": 1})
BOOL = Scalar({"type": "boolean"})
DATE = Scalar({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "format": "date"})
NUMBER = Scalar({"type": ["number", "string"]})
IDS = ListOf(STRING)
# A number, or a text that reads as one ("4.25"); bounds (minimum, exclusiveMinimum, maximum) hold for both.
DECIMAL_TEXT = r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$"
# What a `ref` may name: the entries of a section by id, a field's choices ("choices:platform"), or
# either of two ("steps+consequences"); and what a message calls one of them.
REF_NOUNS = {**ENTRY_NAMES, "steps+consequences": "step or consequence", "choices:platform": "platform",
             "choices:concerns": "concern"}


def enum(values: Iterable[str], says: str | None = None) -> Scalar:
    return Scalar({"enum": list(values)}, says=says)


def ref(target: str, says: str | None = None) -> Scalar:
    """The id of an entry elsewhere in the rule set: checked once every file is read."""
    return Scalar({"type": "string"}, ref=target, says=says)


def decimal(says: str | None = None, **bounds: int) -> Scalar:
    return Scalar({"type": ["number", "string"], "pattern": DECIMAL_TEXT, **bounds}, says=says)


ORDERED = Entry({key: enum(values, '{key} "{value}" is not one of {values}{suggest}')
                 for key, values in ORDERED_OUTPUTS.items()})
DAY = Scalar({"type": "integer", "minimum": 0})
MONTHS = Scalar({"type": "integer", "minimum": 1})
URGENCY = enum(URGENCIES)
STAGE_ID = enum(STAGES, 'unknown stage "{value}"{suggest}')
STAGE = Entry({"id": STAGE_ID, "days": Entry({"gte": DAY, "lte": DAY}, ("gte",)),
               "label": TEXT, "description": TEXT}, ("id", "label"))
WORD = Scalar({"type": ["string", "integer"], "pattern": r"\S"}, says='"{key}" must be a list of words')
WORDS = ListOf(WORD, 1, says='"{key}" must be a list of words')
CHOICE = Entry({"id": STRING, "label": TEXT, "note": TEXT,
                "aliases": ListOf(WORD._replace(schema={"type": ["string", "integer"]}),
                                  says='"{key}" must be a list of words')}, ("id",))  # a new choice needs a label
# A field restated with `override: true` changes only what it states: choices merge by id, aliases are added.
FIELD = Entry({"question": TEXT, "why": TEXT, "hint": TEXT, "choices": ListOf(CHOICE, 1), "ask_when": CONDITION,
               "override": BOOL}, ("question", "why"), ("question", "why"))


def field_form(name: str) -> Entry:
    """What a field's entry may hold: choices only for a choice, a condition only for an extra answer."""
    keys = {k: v for k, v in FIELD.keys.items()
            if (k != "choices" or name in CHOICE_FIELDS) and (k != "ask_when" or name not in CORE_FIELDS)}
    return FIELD._replace(keys=keys)


# Where a fact was read (a URL or a repository path) and when: a list when it rests on several sources.
SOURCE = OneOf((STRING, ListOf(STRING, 1)), '"{key}" must be a text or a list of texts')
FACT: dict[str, Form] = {"source": SOURCE, "checked": DATE}

CATALOG = {  # an entry of a catalog; an override may restate only what it changes
    # `first`: when a rule makes the step due now, it comes before the other steps due now (safety, a
    # deadline that runs out, a defence that paying would give up).
    "steps": Entry({"id": ID, **FACT, "urgency": URGENCY, "text": TEXT, "first": BOOL, "override": BOOL},
                   ("id", "text", "urgency"), ("text", "urgency")),
    "consequences": Entry({"id": ID, **FACT, "text": TEXT, "legal": BOOL, "override": BOOL}, ("id", "text"), ("text",)),
    "references": Entry({"id": ID, **FACT, "title": TEXT, "text": TEXT, "verbatim": BOOL, "confidence": STRING,
                         "override": BOOL}, ("id", "title", "text", "verbatim"), ("title", "text", "verbatim")),
}
RULE_STEP = Entry({"id": ref("steps"), "urgency": URGENCY}, ("id", "urgency"))
EXPECT = Entry({**{key: enum(values, 'expect {key} "{value}" is not one of {values}')
                   for key, values in ORDERED_OUTPUTS.items()}, "includes": IDS, "excludes": IDS})
EXAMPLE = Entry({"case": Scalar({"type": "object"}), "as_of": DATE, "expect": EXPECT}, ("case",))
# Steps or consequences (by id) that must not show when a rule fires, whichever rule adds them.
DROP = ListOf(ref("steps+consequences", '{key}: unknown step or consequence "{value}"{suggest}'))
RULE = Entry({
    # `set` raises an output to a value; `at_most` holds it down to one, whatever else fires (a record the
    # one-time repair no longer displays is not a serious one): both are order-free.
    "id": ID, **FACT, "title": TEXT, "when": CONDITION, "set": ORDERED, "at_most": ORDERED, "summary": TEXT,
    "consequences": ListOf(ref("consequences")), "steps": ListOf(OneOf((ref("steps"), RULE_STEP))),
    "references": ListOf(ref("references")),
    # `replaces` when this rule's own steps take their place, `removes` when nothing does.
    "replaces": DROP, "removes": DROP, "valid_from": DATE, "valid_until": DATE,
    "examples": ListOf(EXAMPLE, 1), "override": BOOL,
}, ("id", "when", "examples"), order=(("valid_from", "valid_until"),))
PARAGRAPH = Entry({"when": CONDITION, "text": TEXT}, ("text",))
LPR_SAYS = "each LPR entry needs `from: YYYY-MM-DD` and a positive `rate` in percent"
RATE = decimal(exclusiveMinimum=0)
# transition: contracts formed before this date follow a transitional rule, so no exact cap is computed
CAP = Entry({**FACT, "basis": Scalar({"type": "string"}, says="give a `basis` and either `rate` (percent) or "
                                     "`lpr_multiple`"),
             "rate": RATE, "lpr_multiple": RATE, "transition": DATE}, ("basis",), one_of=("rate", "lpr_multiple"))
INTEREST = Entry({
    **FACT,
    "lpr": ListOf(Entry({"from": DATE._replace(says=LPR_SAYS), "rate": RATE._replace(says=LPR_SAYS)},
                        ("from", "rate"))),
    "caps": MapOf(CAP, key=ref("choices:platform")),
    "bases": MapOf(TEXT),
    "notes": MapOf(TEXT),
})
MAX_MONTHS = "max_months needs a `default` and whole numbers of months"
LONGEST_MONTHS = "longest_months needs a `default` and whole numbers of months"
# `when`: the cases a plan is worked out for, tested on the answers alone (absent: every case that gives
# its income and costs). `received_when`: the cases whose plan counts what was received less what was
# repaid, when the person says what they received (finance.plan_amount); tested on the answers too.
# `max_months`: the usual longest plan, by lender; `longest_months`: how long a plan may still be shown
# as an offer beyond it (absent: no longer than `max_months`).
PLAN = Entry({"share_of_margin": decimal(exclusiveMinimum=0, maximum=1),
              "max_months": MapOf(MONTHS._replace(says=MAX_MONTHS), ("default",), says=MAX_MONTHS),
              "longest_months": MapOf(MONTHS._replace(says=LONGEST_MONTHS), ("default",), says=LONGEST_MONTHS),
              "when": CONDITION, "received_when": CONDITION, "texts": MapOf(TEXT)}, ("share_of_margin", "max_months"))
# What the short terminal report shows: at most `steps` steps of each urgency, `consequences`
# consequences, `conditions` conditions under a lone answer (`conditions_when_several` under each of
# several); `law_names` shortens a law's full name in its citations ("full name": "short name").
COUNT = Scalar({"type": "integer", "minimum": 0})
LAW_NAMES = "law_names maps a law's full name to a shorter one"
REPORT = Entry({"steps": COUNT, "consequences": COUNT, "conditions": COUNT, "conditions_when_several": COUNT,
                "law_names": MapOf(Scalar({"type": "string", "pattern": r"\S"}, says=LAW_NAMES),
                                   key=Scalar({"type": "string"}, says=LAW_NAMES), says=LAW_NAMES)})
# A direct answer to one worry (a `concerns` choice): per concern the first whose `when` holds is shown,
# so each concern ends with one that has no `when`.
CONCERN = ref("choices:concerns")
# What an answer's conditions are, which names their heading (the ui text `conditions_<kind>`): key
# points (the default), elements that must `all` hold, each of them shown however short the report, or
# what the verdict is `provided`.
CONDITIONS_ARE = ("points", "all", "provided")
ANSWER = Entry({"id": ID, **FACT, "concern": CONCERN, "when": CONDITION, "verdict": TEXT, "text": TEXT,
                "conditions": ListOf(TEXT), "conditions_are": enum(CONDITIONS_ARE),
                "references": ListOf(ref("references")), "override": BOOL},
               ("id", "concern", "verdict", "text"))
# The concerns answered when the person named none: the first entry whose `when` holds.
DEFAULT_CONCERNS = Entry({"when": CONDITION, "concerns": ListOf(CONCERN, 1)}, ("concerns",))
# The report's first sentence: the first entry whose stages hold the case's stage and whose `when` holds.
HEADLINE = Entry({**FACT, "stage": ListOf(STAGE_ID, 1), "when": CONDITION, "text": TEXT}, ("text",))
# A product or lender people name (matching.py): the `platform` choice it is, and who lends, when known.
# `institution`: the name of a bank or company alone, so a product word found with it decides; `also`:
# the other choices its name alone may mean (a bank's name: its loan or its card), asked which.
# A product that names its lender says where that was read.
LENDERS = ("bank", "consumer_finance", "microloan", "see_contract")
PRODUCT = Entry({"id": ID, **FACT, "names": WORDS, "platform": ref("choices:platform"), "lender": enum(LENDERS),
                 "lender_name": TEXT, "institution": BOOL, "also": ListOf(ref("choices:platform")), "note": TEXT,
                 "override": BOOL},
                ("id", "names", "platform", "lender"), needs=(("lender_name", ("source", "checked")),))
# Everyday phrases for a choice field: more words per choice, words with two meanings (asked again),
# words that decide only when nothing else does (`weak`), words that decide whatever else is found with
# them (`decides`: "用我的名字借的" is the borrower's, whoever took the money), the order to pick one of
# several (`pick`),
# words naming what the rules are not written for (`outside`: refused, with its `text` saying why),
# words that count only as the whole answer (`alone`), words that put a phrase found beside them in
# doubt (`doubts`: a threat, a fear, a question: asked again), words saying that what an answer names
# after them was only said or threatened (`hearsay`: "催收说我被起诉了", asked again with its `text`; a
# court's own paper or line just before one, in `papers`, says it instead: "判决书上说"), words naming
# someone else (`others`: "父母住院" is a parent's illness, so the family's emergency: a word `of` those
# choices after one, in its clause, is read as `choice`), a note said when an ambiguous word is asked
# about (its `text`), words that ask rather than deny
# (`asks`: 会不会, taken out before looking for a denial), and, in a field of several choices, a part of
# an answer that tells how things stand and names no choice (`idle`: "我欠了钱，怕家里人知道"), let go.


def phrases_form(field: str | None = None) -> Entry:
    """The phrases of one field, whose choices they name (checked once every file is read)."""
    choice = ref(f"choices:{field}", 'unknown choice "{value}"{suggest}') if field else STRING
    return Entry({"choices": MapOf(WORDS, key=choice if field else None,
                                   says='"{key}" must map choice ids to lists of words'),
                  "weak": ListOf(WORD, says=WORD.says), "decides": ListOf(WORD, says=WORD.says), "pick": ListOf(choice),
                  "alone": ListOf(WORD, says=WORD.says), "doubts": ListOf(WORD, says=WORD.says),
                  "asks": ListOf(WORD, says=WORD.says), "idle": ListOf(WORD, says=WORD.says),
                  "ambiguous": ListOf(Entry({"words": WORDS, "choices": ListOf(
                      choice, 2, says="an ambiguous word needs two or more choices"), "text": TEXT}, ("words", "choices"))),
                  "outside": ListOf(Entry({"words": WORDS, "text": TEXT}, ("words", "text"))),
                  "hearsay": ListOf(Entry({"words": WORDS, "papers": WORDS, "text": TEXT}, ("words", "text"))),
                  "others": Entry({"words": WORDS, "of": ListOf(choice), "choice": choice}, ("words", "of", "choice"))})


PHRASES = phrases_form()
# Words that say a person may harm themselves ("不想活了"), in any answer: never read as a choice, and
# answered with where to get help now (matching.py), whatever else the answer says, a denial included.
CRISIS = Entry({"id": ID, **FACT, "words": WORDS, "text": TEXT, "override": BOOL}, ("id", "words", "text"))
# A condition written once and named, for the conditions that use it to say `is: <name>` (rulecompiler).
NAMED_CONDITION = Entry({"id": ID, "when": CONDITION, "override": BOOL}, ("id", "when"))
# A class of debt in a household's order (priorityrules): a debt takes the first entry that holds.
# `label`: a few words naming the class, for the caseload summary's count of households by priority.
PRIORITY = Entry({"id": ID, **FACT, "when": CONDITION,
                  "reporting": ListOf(enum(ORDERED_OUTPUTS["reporting"],
                                           'unknown reporting level "{value}"; one of: {values}')),
                  "clearable": BOOL, "settled": BOOL, "label": TEXT, "reason": TEXT, "override": BOOL}, ("id", "reason"))
# A unit a batch header may name in brackets (逾期金额（万元）): `reads_as` is written after a bare number
# in that column, so the answer's own parser reads the cell as the same words typed at the prompt; a unit
# whose `fields` leave out the column's answer (美元 for an amount) stops the run, naming the header.
HEADER_UNIT = Entry({"id": ID, "words": WORDS, "reads_as": STRING,
                     "fields": ListOf(enum(FIELD_KINDS, 'unknown field "{value}"; one of: {values}')),
                     "override": BOOL}, ("id", "words"))
# A rule file: each section and its form, in the order the loader reads them.
FILE = Entry({
    "stages": ListOf(STAGE),
    "conditions": ListOf(NAMED_CONDITION),
    "labels": Entry({group: Entry(dict.fromkeys(ids, TEXT)) for group, ids in LABEL_GROUPS.items()}),
    "fields": Entry({name: field_form(name) for name in FIELD_KINDS}),
    **{section: ListOf(CATALOG[section]) for section in CATALOGS},
    "rules": ListOf(Ref("rule")),
    "ui": MapOf(TEXT),
    "disable": ListOf(ref("rules", 'cannot disable "{value}": no such rule{suggest}'),
                      says='"disable" must be a list of rule ids'),
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
    "negations": ListOf(WORD._replace(schema={"type": "string", "pattern": r"\S"}), says=WORD.says),
    "priorities": ListOf(PRIORITY),
    "crisis": ListOf(CRISIS),
    "header_units": ListOf(HEADER_UNIT),
})

# The keys of the file, of a rule and of each catalog entry, for readers outside the loader (the loader
# reads each form's keys when it checks, so a key declared above is accepted at once).
SECTIONS = tuple(FILE.keys)
RULE_KEYS = tuple(RULE.keys)
ENTRY_KEYS = {section: tuple(form.keys) for section, form in CATALOG.items()}
ASKABLE = tuple(FIELD_KINDS)
LINE = "__line__"
POS = "__pos__"  # {"": (line, column) of the mapping, key: (line, column) of that key}
META = frozenset((LINE, POS))




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
    description (type, enum, bounds, minLength, pattern, format) that `schema.py` writes into
    schema.json, with JSON Schema's meaning: a bound holds for numbers, a pattern for texts. Beyond
    what JSON Schema checks, a date must exist, and a text that reads as a number keeps the bounds."""
    if not isinstance(form, Scalar):
        raise TypeError(f"only a plain value's form is checked here, not {type(form).__name__}")
    schema = form.schema
    if isinstance(value, date):  # YAML reads 2026-03-31 as a date; a JSON reader sees the text
        value = value.isoformat()
    if "enum" in schema:
        return any(value == v and type(value) is type(v) for v in schema["enum"])
    kinds = schema.get("type", ())
    if not any(_JSON_TYPES[kind](value) for kind in ([kinds] if isinstance(kinds, str) else kinds)):
        return False
    number = value if _JSON_TYPES["number"](value) else None
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            return False
        if "pattern" in schema and re.search(schema["pattern"], value) is None:
            return False
        if schema.get("format") == "date" and as_date(value) is None:
            return False
        number = as_decimal(value) if "pattern" in schema else None
    return number is None or all(test(number, schema[bound]) for bound, test in _BOUNDS.items() if bound in schema)


_BOUNDS: dict[str, Callable[[Any, Any], bool]] = {
    "minimum": lambda v, b: v >= b, "exclusiveMinimum": lambda v, b: v > b, "maximum": lambda v, b: v <= b,
}


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

