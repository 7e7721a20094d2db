"""Reading the sections that say how people name their answers: `products`, `phrases` and `negations`.

The first pass (the readers, called from rulesections) collects them: a product by its id, where a
second definition must say `override: true`; phrases field by field, a later file adding words to an
earlier one's. The second pass (`compile_phrases`, from rulecompiler) checks them against the whole
set: each choice named exists, and each word, once normalised as matching.py compares it, names one
choice only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .answerrules import read_entries
from .errors import suggest
from .matching import fold
from .models import CHOICE_FIELDS
from .rulespec import FILE, META, PHRASES, PRODUCT, Entry, ListOf, phrases_form

if TYPE_CHECKING:
    from .rulesections import Merge

READ = "__phrases__"  # where the readers keep what they collect in Merge.data until the second pass


def _collected(m: Merge) -> dict[str, Any]:
    found: dict[str, Any] = m.data.setdefault(READ, {"products": {}, "phrases": {}, "negations": []})
    return found


def read_products(m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    read_entries(m, file, value, doc, "products", "product", _collected(m)["products"], keys=PRODUCT)


def read_phrases(m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    if not isinstance(value, dict):
        m.check.add(file, doc, None, '"phrases" must be a mapping of field ids')
        return
    for field, node in value.items():
        if field in META:
            continue
        if field not in CHOICE_FIELDS:
            m.check.add(file, value, None, f'phrases: "{field}" is not a choice field'
                        f'{suggest(str(field), CHOICE_FIELDS)}', field)
            continue
        if not isinstance(node, dict):
            m.check.add(file, value, None, f'phrases "{field}" must be a mapping', field)
            continue
        m.check.keys(file, node, PHRASES, None, f'phrases "{field}"')
        _collected(m)["phrases"].setdefault(field, []).append((file, node))


def read_negations(m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    good = m.values(file, doc, Entry({"negations": FILE.keys["negations"]}), None)
    _collected(m)["negations"].extend(good.get("negations", []))


def _product(m: Merge, file: str, node: dict[str, Any]) -> dict[str, Any]:
    pid = node["id"]
    good = m.values(file, node, PRODUCT, pid)
    entry: dict[str, Any] = {"id": pid, "names": [str(w) for w in good.get("names", [])],
                             "platform": node.get("platform"), "lender": node.get("lender")}
    for key in ("lender_name", "note"):
        if key in node:
            entry[key] = m.check.text(file, node, key, pid)
    entry["institution"] = node.get("institution") is True
    entry["also"] = [str(c) for c in good.get("also", [])]
    entry.update((key, good[key]) for key in ("source", "checked") if key in good)
    return entry


def _phrases(m: Merge, field: str, nodes: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    form, where = phrases_form(field), f"phrases.{field}"
    ambiguous = form.keys["ambiguous"]
    assert isinstance(ambiguous, ListOf) and isinstance(ambiguous.item, Entry)
    outside, hearsay, others = form.keys["outside"], form.keys["hearsay"], form.keys["others"]
    assert isinstance(outside, ListOf) and isinstance(outside.item, Entry)
    assert isinstance(hearsay, ListOf) and isinstance(hearsay.item, Entry) and isinstance(others, Entry)
    out: dict[str, Any] = {"choices": {}, "weak": [], "decides": [], "pick": None, "ambiguous": [], "outside": [],
                           "hearsay": [], "others": None, "alone": [], "doubts": [], "asks": [], "idle": []}
    for file, node in nodes:
        good = m.values(file, node, form, where)
        for choice, words in good.get("choices", {}).items():
            out["choices"].setdefault(choice, []).extend(str(w) for w in words)
        for key in ("weak", "decides", "alone", "doubts", "asks", "idle"):
            out[key] += [str(w) for w in good.get(key, [])]
        if "pick" in good:
            out["pick"] = good["pick"]
        if isinstance(node.get("others"), dict):  # a later file's adds its words
            whose = m.values(file, node["others"], others, where)
            if {"words", "of", "choice"} <= set(whose):
                was = out["others"] or {"words": []}
                out["others"] = {"words": [*was["words"], *map(str, whose["words"])], "of": list(whose["of"]),
                                 "choice": whose["choice"]}
        elif "others" in node:
            m.check.add(file, node, where, '"others" must be a mapping with words, of and choice', "others")
        for item in _entries(m, file, node, where, "ambiguous", "words and choices"):
            meant = m.values(file, item, ambiguous.item, where)
            if len(meant.get("choices", [])) >= 2 and "words" in meant:
                note = m.check.text(file, item, "text", where) if "text" in item else None
                out["ambiguous"].append({"words": [str(w) for w in meant["words"]], "choices": meant["choices"],
                                         **({"text": note} if note is not None else {})})
        for key, entry in (("outside", outside.item), ("hearsay", hearsay.item)):
            for item in _entries(m, file, node, where, key, "words and text"):
                good, why = m.values(file, item, entry, where), m.check.text(file, item, "text", where)
                if "words" in good and why is not None:
                    out[key].append({"words": [str(w) for w in good["words"]], "text": why,
                                     **({"papers": [str(w) for w in good.get("papers", [])]} if key == "hearsay" else {})})
    return out


def _entries(m: Merge, file: str, node: dict[str, Any], where: str, key: str, needs: str) -> list[dict[str, Any]]:
    """The mappings listed under `key`, each other item a problem named at its file and line."""
    items = node.get(key, [])
    if not isinstance(items, list):
        m.check.add(file, node, where, f'"{key}" must be a list of mappings, each with {needs}', key)
        return []
    good = [item for item in items if isinstance(item, dict)]
    if len(good) < len(items):
        m.check.add(file, node, where, f"each {key} entry needs {needs}", key)
    return good


def compile_phrases(m: Merge) -> None:
    """The three sections, checked, into the rule set's data."""
    collected = m.data.pop(READ, None) or {"products": {}, "phrases": {}, "negations": []}
    m.data["products"] = [_product(m, file, node) for file, node in collected["products"].values()]
    m.data["phrases"] = {field: _phrases(m, field, nodes) for field, nodes in collected["phrases"].items()}
    m.data["negations"] = [str(w) for w in collected["negations"]]
    for field in CHOICE_FIELDS:
        _one_meaning(m, field)


def _one_meaning(m: Merge, field: str) -> None:
    """Each word, as matching compares it, names one choice; a word with two meanings is no plain word."""
    seen: dict[str, str] = {}
    for c in m.data["fields"].get(field, {}).get("choices", []):
        for w in (c["id"], *(c["label"] or {}).values(), *c["aliases"]):
            seen.setdefault(fold(w), c["id"])
    phrases = m.data["phrases"].get(field, {})
    words = [(w, choice) for choice, ws in phrases.get("choices", {}).items() for w in ws]
    if field == "platform":
        words += [(w, p["platform"]) for p in m.data["products"] for w in p["names"]]
    for word, choice in words:
        key = fold(word)
        if seen.setdefault(key, choice) != choice:
            m.check.add("(rule set)", None, None, f'{field}: "{word}" names both "{seen[key]}" and "{choice}"')
    alone = {fold(w) for w in phrases.get("alone", [])}  # alone, a word may mean one choice; inside, two
    for item in phrases.get("ambiguous", []):
        for word in item["words"]:
            if fold(word) in seen and fold(word) not in alone:
                m.check.add("(rule set)", None, None,
                            f'{field}: "{word}" is listed as having two meanings, yet also names "{seen[fold(word)]}"')
    for key in ("alone", "decides"):
        for word in phrases.get(key, []):
            if fold(word) not in seen:
                m.check.add("(rule set)", None, None, f'{field}: "{word}" is listed as {key}, yet names no choice')
    for item in phrases.get("hearsay", []):  # a choice's own word holding one would be asked inside any answer
        for word in item["words"]:
            held = next((w for w in seen if fold(word) in w), None)
            if held is not None:
                m.check.add("(rule set)", None, None, f'{field}: hearsay word "{word}" is inside "{held}", '
                            f'which names "{seen[held]}"')
