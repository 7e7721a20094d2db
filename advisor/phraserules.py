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
from .rulespec import LENDERS, META, PHRASES_KEYS, PRODUCT_KEYS, strip_lines

if TYPE_CHECKING:
    from .rulesections import Merge

READ = "__phrases__"  # where the readers keep what they collect in Merge.data until the second pass


def _collected(m: Merge) -> dict[str, Any]:
    found: dict[str, Any] = m.data.setdefault(READ, {"products": {}, "phrases": {}, "negations": []})
    return found


def read_products(m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    read_entries(m, file, value, doc, "products", "product", _collected(m)["products"], keys=PRODUCT_KEYS)


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
        m.check.keys(file, node, PHRASES_KEYS, None, f'phrases "{field}"')
        _collected(m)["phrases"].setdefault(field, []).append((file, node))


def read_negations(m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        m.check.add(file, doc, None, '"negations" must be a list of words')
        return
    _collected(m)["negations"].extend(value)


def _words(m: Merge, file: str, node: dict[str, Any], key: str, where: str) -> list[str]:
    value = node.get(key, [])
    if not isinstance(value, list) or not all(isinstance(w, (str, int)) and str(w).strip() for w in value):
        m.check.add(file, node, where, f'"{key}" must be a list of words', key)
        return []
    return [str(w) for w in value]


def _product(m: Merge, file: str, node: dict[str, Any], platforms: list[str]) -> dict[str, Any]:
    pid = node["id"]
    entry: dict[str, Any] = {"id": pid, "names": _words(m, file, node, "names", pid)}
    if not entry["names"]:
        m.check.add(file, node, pid, 'a product needs "names"', "names")
    entry["platform"] = node.get("platform")
    if platforms and entry["platform"] not in platforms:
        m.check.add(file, node, pid, f'unknown platform "{entry["platform"]}"'
                    f'{suggest(str(entry["platform"]), platforms)}', "platform")
    entry["lender"] = node.get("lender")
    if entry["lender"] not in LENDERS:
        m.check.add(file, node, pid, f'lender must be one of {", ".join(LENDERS)}', "lender")
    for key in ("lender_name", "note"):
        if key in node:
            entry[key] = m.check.text(file, node, key, pid)
    if "lender_name" in node and not ("source" in node and "checked" in node):
        m.check.add(file, node, pid, 'a product that names its lender needs "source" and "checked"', "lender_name")
    entry["institution"] = node.get("institution") is True
    for key in ("source", "checked"):
        if key in node:
            entry[key] = strip_lines(node[key])
    return entry


def _phrases(m: Merge, field: str, nodes: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    ids = [c["id"] for c in m.data["fields"].get(field, {}).get("choices", [])]
    out: dict[str, Any] = {"choices": {}, "weak": [], "pick": None, "ambiguous": []}

    def known(file: str, node: dict[str, Any], choice: Any, key: str) -> bool:
        if choice in ids:
            return True
        m.check.add(file, node, f"phrases.{field}", f'unknown choice "{choice}"{suggest(str(choice), ids)}', key)
        return False

    for file, node in nodes:
        where = f"phrases.{field}"
        choices = node.get("choices", {})
        if not isinstance(choices, dict):
            m.check.add(file, node, where, '"choices" must map choice ids to lists of words', "choices")
            choices = {}
        for choice in choices:
            if choice not in META and known(file, node, choice, "choices"):
                out["choices"].setdefault(choice, []).extend(_words(m, file, choices, choice, where))
        out["weak"] += _words(m, file, node, "weak", where)
        if "pick" in node:
            out["pick"] = [c for c in _words(m, file, node, "pick", where) if known(file, node, c, "pick")]
        if not isinstance(node.get("ambiguous", []), list):
            m.check.add(file, node, where, '"ambiguous" must be a list of {words, choices}', "ambiguous")
        for item in node.get("ambiguous", []) if isinstance(node.get("ambiguous"), list) else []:
            if not isinstance(item, dict):
                m.check.add(file, node, where, "each ambiguous entry needs words and choices", "ambiguous")
                continue
            meant = [c for c in _words(m, file, item, "choices", where) if known(file, item, c, "choices")]
            if len(meant) >= 2:
                out["ambiguous"].append({"words": _words(m, file, item, "words", where), "choices": meant})
            else:
                m.check.add(file, item, where, "an ambiguous word needs two or more choices", "choices")
    return out


def compile_phrases(m: Merge) -> None:
    """The three sections, checked, into the rule set's data."""
    collected = m.data.pop(READ, None) or {"products": {}, "phrases": {}, "negations": []}
    platforms = [c["id"] for c in m.data["fields"].get("platform", {}).get("choices", [])]
    m.data["products"] = [_product(m, file, node, platforms) for file, node in collected["products"].values()]
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
    for item in phrases.get("ambiguous", []):
        for word in item["words"]:
            if fold(word) in seen:
                m.check.add("(rule set)", None, None,
                            f'{field}: "{word}" is listed as having two meanings, yet also names "{seen[fold(word)]}"')
