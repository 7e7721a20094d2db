"""Compiling a rule set (the loader's second pass): rules, their conditions and examples, checked
against the whole merged set; the result is plain JSON-able data, which the rules cache holds.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from .answerrules import compile_answers
from .conditions import COMBINATORS, CONDITION_FIELDS, NAMED, OPERATORS, build, leaves
from .declared import compile_declared
from .errors import RuleSetError, suggest
from .models import CATALOGS, CHOICE_FIELDS, CORE_FIELDS, EXTENDED_FIELDS, STAGES
from .phraserules import compile_phrases
from .priorityrules import compile_priorities
from .rulefiles import Source, read_yaml
from .rulesections import Merge, add_file
from .rulespec import (
    DROPPABLE,
    DROPS,
    EXAMPLE,
    EXPECT,
    FILE,
    LABEL_GROUPS,
    LINE,
    META,
    ORDERED,
    PARAGRAPH,
    POS,
    RULE,
    RULE_STEP,
    ListOf,
    Scalar,
    as_date,
    strip_lines,
)
from .specchecks import check_value


def compile_sources(sources: list[tuple[str, Source]]) -> dict[str, Any]:
    """Read, merge and compile rule files. Raises RuleSetError listing every problem found."""
    merge = Merge()
    for label, source in sources:
        add_file(merge, label, read_yaml(label, source, merge.check.problems))
    data = _finish(merge)
    if merge.check.problems:
        raise RuleSetError(merge.check.problems)
    return data


def _finish(m: Merge) -> dict[str, Any]:
    """Everything that needs the whole set: disabled rules, what must be there, and each rule."""
    check = m.check
    data = m.data
    disable = FILE.keys["disable"]
    assert isinstance(disable, ListOf) and isinstance(disable.item, Scalar)
    for file, rid, doc, key in m.disabled:
        check_value(check, file, doc, "disable", disable.item, rid, rid, m.ids, at=key)
    gone = {rid for _, rid, _, _ in m.disabled}
    rules = [r for rid, r in m.rules.items() if rid not in gone]
    if not data["stages"]:
        check.add("(rule set)", None, None, '"stages" is missing: the day bands of each stage')
    for group in LABEL_GROUPS:
        missing = [v for v in LABEL_GROUPS[group] if v not in data["labels"].get(group, {})]
        if missing:
            check.add("(rule set)", None, None, f'labels "{group}" lacks {", ".join(missing)}')
    for name in CORE_FIELDS:
        if name not in data["fields"]:
            check.add("(rule set)", None, None, f'the question for field "{name}" is missing')
    _check_aliases(m)
    titles = " ".join(t for ref in data["references"].values() for t in (ref.get("title") or {}).values())
    for name in data["report"]["law_names"]:
        if name not in titles:  # a law renamed or withdrawn since
            check.add("(rule set)", None, "report", f'law_names: no reference title holds "{name}"')
    compile_phrases(m)
    for name in m.named:  # each checked once, here, whether or not anything uses it
        _named_tree(m, name)
    # Kept by name too, for the few places outside the rules that ask whether one holds (RuleSet.holds).
    data["conditions"] = {name: tree for name, tree in m.named_trees.items() if tree is not None}
    # Where each step and consequence is written, for checks that name two of them (repeated texts).
    data["origin"] = {section: {eid: m.origin.get((section, eid)) for eid in data[section]} for section in DROPPABLE}
    data["rules"] = [_compile_rule(m, r) for r in rules]
    for name, entry in data["fields"].items():
        if name in m.ask_when:
            file, node = m.ask_when[name]
            entry["ask_when"] = _condition(m, file, node, f"fields.{name}")
    for section, paragraphs in m.paragraphs.items():
        data[section] = [_paragraph(m, file, node, section) for file, node in paragraphs]
    for part, found in (("when", m.plan_when), ("received_when", m.plan_received)):
        if found is None:
            continue
        file, node = found
        data["plan"][part] = _condition(m, file, node, "plan")
        try:
            tested = {leaf.field for leaf in leaves(build(data["plan"][part]))}
        except ValueError:  # a comparison already reported as wrong
            tested = set()
        derived = sorted(tested - {*CORE_FIELDS, *EXTENDED_FIELDS})
        if derived:  # a plan is worked out before what the engine derives
            m.check.add(file, node, "plan", f'"{part}" of "plan" can test only answers, not {", ".join(derived)}')
    compile_answers(m, _condition)
    compile_priorities(m, _condition)
    compile_declared(m, _condition)
    return data


def _check_aliases(m: Merge) -> None:
    for field in CHOICE_FIELDS:
        seen: dict[str, str] = {}
        for c in m.data["fields"].get(field, {}).get("choices", []):
            words = [c["id"], *(c["label"] or {}).values(), *c["aliases"]]
            for w in words:
                k = w.strip().casefold()
                if seen.get(k, c["id"]) != c["id"]:
                    m.check.add("(rule set)", None, None,
                                   f'{field}: "{w}" names both "{seen[k]}" and "{c["id"]}"')
                seen[k] = c["id"]


def _compile_rule(m: Merge, r: dict[str, Any]) -> dict[str, Any]:
    node, file, rid, check = r["node"], r["file"], r["id"], m.check
    out: dict[str, Any] = {"id": rid, "file": file, "line": r["line"]}
    out["title"] = check.text(file, node, "title", rid, required=False)
    if not isinstance(node.get("when"), dict):
        check.add(file, node, rid, '"when" is missing: give the conditions as a mapping')
        out["when"] = ["all", []]
    else:
        out["when"] = _condition(m, file, node["when"], rid)
    for key in ("set", "at_most"):
        sets = node.get(key, {})
        out[key] = {}
        if not isinstance(sets, dict):
            check.add(file, node, rid, f'"{key}" must be a mapping')
        else:
            check.keys(file, sets, tuple(ORDERED.keys), rid, f'"{key}"')
            out[key] = m.values(file, sets, ORDERED, rid)
    out["summary"] = check.text(file, node, "summary", rid, required=False)
    good = m.values(file, node, RULE, rid)  # the ids it names, its dates and their order
    out["steps"] = _steps(m, file, node, rid)
    for section in ("consequences", "references"):
        out[section] = good.get(section, [])
    _drops(m, file, node, rid, out, good)
    for key in ("valid_from", "valid_until"):
        if key in node:
            out[key] = good.get(key)
    if not any(out[k] for k in ("set", "at_most", "summary", *CATALOGS, *DROPS)):
        check.add(file, node, rid, "the rule sets nothing: give set, at_most, summary, consequences, steps, "
                  "references, replaces or removes")
    out["examples"] = _examples(m, file, node, rid)
    return out


def _steps(m: Merge, file: str, node: dict[str, Any], rid: str) -> list[list[Any]]:
    """A rule's steps: ids of steps, or {id, urgency} to show one at another urgency."""
    steps = node.get("steps", [])
    if not isinstance(steps, list):
        m.check.add(file, node, rid, '"steps" must be a list', "steps")
        return []
    out = []
    for item in steps:
        if isinstance(item, dict):
            m.check.keys(file, item, RULE_STEP, rid, "a step")
            good = m.values(file, item, RULE_STEP, rid)
            if "id" in good:
                out.append([good["id"], good.get("urgency")])
        elif check_value(m.check, file, node, "steps", RULE_STEP.keys["id"], item, rid, m.ids):  # type: ignore[arg-type]
            out.append([item, None])
    return out


def _drops(m: Merge, file: str, node: dict[str, Any], rid: str, out: dict[str, Any], good: dict[str, Any]) -> None:
    """`replaces` and `removes`: ids of steps or consequences (their form checks that they exist) that
    the rule does not add itself; `replaces` only on a rule with steps or consequences of its own."""
    own = {s for s, _ in out["steps"]} | set(out["consequences"])
    for key in DROPS:
        ids = []
        for item in good.get(key, []):
            if item in own:
                m.check.add(file, node, rid, f'{key}: "{item}" is one of this rule\'s own outcomes', key)
            elif item not in ids:
                ids.append(item)
        out[key] = ids
    if out["replaces"] and not own:
        m.check.add(file, node, rid, '"replaces" needs steps or consequences of the rule\'s own to take their '
                    'place; to drop outcomes without a replacement, write "removes"', "replaces")


def _examples(m: Merge, file: str, node: dict[str, Any], rid: str) -> list[dict[str, Any]]:
    raw = node.get("examples")
    if not isinstance(raw, list) or not raw:
        m.check.add(file, node, rid, 'every rule needs "examples": at least one case it fires on')
        return []
    out = []
    for ex in raw:
        if not isinstance(ex, dict) or not isinstance(ex.get("case"), dict):
            m.check.add(file, ex if isinstance(ex, dict) else node, rid, 'an example needs a "case" mapping')
            continue
        m.check.keys(file, ex, EXAMPLE, rid, "the example")
        entry: dict[str, Any] = {"line": ex.get(LINE), "column": ex.get(POS, {}).get("", (0, None))[1],
                                 "case": strip_lines(ex["case"])}
        if "as_of" in ex:
            entry["as_of"] = m.values(file, ex, EXAMPLE, rid).get("as_of")
        expect = ex.get("expect", {})
        if not isinstance(expect, dict):
            m.check.add(file, ex, rid, '"expect" must be a mapping')
            expect = {}
        m.check.keys(file, expect, EXPECT, rid, '"expect"')
        m.values(file, expect, EXPECT, rid)
        entry["expect"] = strip_lines(expect)
        out.append(entry)
    return out


def _paragraph(m: Merge, file: str, node: Any, section: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"text": m.check.text(file, node, "text", section)}
    m.check.keys(file, node, PARAGRAPH, section, f"a {section} paragraph")
    if "when" in node:
        entry["when"] = _condition(m, file, node["when"], section)
    if entry["text"]:
        from .letter import PLACEHOLDERS

        m.check.template(file, node, "text", section, PLACEHOLDERS)
    return entry


def _condition(m: Merge, file: str, node: Any, rid: str) -> list[Any]:
    """Normalise a condition to ["all"|"any", [...]], ["not", c] or ["cmp", field, op, value]."""
    if not isinstance(node, dict):
        m.check.add(file, None, rid, f"a condition must be a mapping, not {node!r}")
        return ["all", []]
    parts: list[Any] = []
    for key, value in node.items():
        if key in META:
            continue
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                m.check.add(file, node, rid, f'"{key}" must be a non-empty list of conditions')
                continue
            parts.append([key, [_condition(m, file, v, rid) for v in value]])
        elif key == "not":
            parts.append(["not", _condition(m, file, value, rid)])
        elif key in CONDITION_FIELDS:
            parts.extend(_comparisons(m, file, node, key, value, rid))
        elif key == NAMED:
            parts.extend(_named(m, file, node, value, rid))
        else:
            m.check.add(file, node, rid, f'unknown condition "{key}"'
                           f'{suggest(str(key), [*CONDITION_FIELDS, *COMBINATORS, NAMED])}', key)
    return parts[0] if len(parts) == 1 and parts[0][0] != "cmp" else ["all", parts]


def _named(m: Merge, file: str, node: dict[str, Any], value: Any, rid: str) -> list[Any]:
    """The parts of the named conditions `is` gives (a name or a list of names, all of which must hold),
    each tree put in place as if written here: the same data, so the same bands, as before it had a name."""
    names = value if isinstance(value, list) else [value]
    if not names or not all(isinstance(name, str) for name in names):
        m.check.add(file, node, rid, f'"{NAMED}" gives the name of a condition in "conditions", or a list of them',
                    NAMED)
        return []
    parts: list[Any] = []
    for name in names:
        if name not in m.named:
            m.check.add(file, node, rid, f'unknown condition name "{name}"{suggest(name, list(m.named))}', NAMED)
            continue
        tree = _named_tree(m, name)
        if tree is not None:
            parts.extend(tree[1] if tree[0] == "all" else [tree])
    return parts


def _named_tree(m: Merge, name: str) -> list[Any] | None:
    if name in m.named_trees:
        return m.named_trees[name]
    file, node = m.named[name]
    if name in m.naming:
        loop = " → ".join([*m.naming[m.naming.index(name):], name])
        m.check.add(file, node, name, f'condition "{name}" leads back to itself through "{NAMED}": {loop}', "when")
        return None
    if "when" not in node:
        m.check.add(file, node, name, f'condition "{name}" needs a "when": the condition its name stands for')
        m.named_trees[name] = None  # told once, however many conditions use it
        return None
    m.naming.append(name)
    tree = m.named_trees[name] = _condition(m, file, node["when"], name)
    m.naming.pop()
    return tree


def _comparisons(m: Merge, file: str, node: dict[str, Any], field: str, value: Any, rid: str) -> list[Any]:
    if isinstance(value, dict):
        ops = [(op, v) for op, v in value.items() if op not in META]
        for op, _ in ops:
            if op not in OPERATORS:
                m.check.add(file, value, rid, f'unknown operator "{op}" for {field}{suggest(str(op), OPERATORS)}',
                               op)
        ops = [(op, v) for op, v in ops if op in OPERATORS]
        if not ops:
            m.check.add(file, node, rid, f"{field}: give at least one operator ({', '.join(OPERATORS)})")
    elif isinstance(value, list):
        ops = [("in", value)]
    else:
        ops = [("eq", value)]
    out = []
    for op, v in ops:
        typed = _typed(m, file, node, field, op, v, rid)
        if typed is not None:
            out.append(["cmp", field, op, typed])
    return out


def _typed(m: Merge, file: str, node: dict[str, Any], field: str, op: str, value: Any, rid: str) -> Any:
    kind = CONDITION_FIELDS[field]
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            m.check.add(file, node, rid, f"{field} {op}: give a non-empty list")
            return None
        items = [_typed(m, file, node, field, "eq", v, rid) for v in value]
        return None if any(i is None for i in items) else items
    if kind == "bool":
        if op in ("eq", "ne") and isinstance(value, bool):
            return value
        m.check.add(file, node, rid, f"{field} is true or false: write `{field}: true` or `{field}: false`")
        return None
    if op in ("gt", "gte", "lt", "lte") and kind not in ("int", "decimal", "date"):
        m.check.add(file, node, rid, f"{field} cannot be compared with {op}; use a value or a list")
        return None
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        m.check.add(file, node, rid, f"{field}: {value!r} is not a whole number")
        return None
    if kind == "date":
        day = as_date(value)
        if day is None:
            m.check.add(file, node, rid, f"{field}: {value!r} is not a date (YYYY-MM-DD)")
        return day
    if kind == "decimal":
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            d = Decimal(str(value))
            if not d.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            m.check.add(file, node, rid, f"{field}: {value!r} is not an amount")
            return None
        return str(d)
    valid = STAGES if kind == "stage" else [c["id"] for c in m.data["fields"].get(field, {}).get("choices", [])]
    if value not in valid:
        m.check.add(file, node, rid, f'{field}: unknown value "{value}"{suggest(str(value), valid)}')
        return None
    return value
