"""A rule set: load the built-in rules or the given files and folders, from the rules cache when it
is current, and the RuleSet the engine and the renderers read.

A rule set is one or more rule files or folders. Each file is a mapping of sections; sections are
merged across files (rulesections), checked and compiled (rulecompiler) into plain JSON-able data,
which is cached by content hash (rulecache) so that a warm start never imports yaml.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence
from pathlib import Path

from .conditions import Condition, build, tester
from .errors import RuleProblem, RuleSetError
from .models import CATALOGS
from .rulecache import cache_dir, content_key, indexed_key, read_cache, stamp, write_cache, write_index
from .rulefiles import Source, read_source, rule_files
from .tuples import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from .conditions import Tester
    from .engine import Lookup


_BUILTIN: list[Path] = []  # found once per process: resolving a path looks at each of its parts


def builtin_rules_dir() -> Path:
    if not _BUILTIN:
        here = Path(__file__).resolve().parent
        installed = here / "rules"  # inside a wheel the content ships as advisor/rules
        _BUILTIN.append(installed if installed.is_dir() else here.parent / "rules")
    return _BUILTIN[0]


class RuleSet:
    """A validated rule set. `data` is plain JSON-able data; lookups are built once here."""

    def __init__(self, data: dict[str, Any], sources: list[str]) -> None:
        self.data = data
        self.sources = sources
        self.rules: list[dict[str, Any]] = data["rules"]
        self.steps: dict[str, dict[str, Any]] = data["steps"]
        self.consequences: dict[str, dict[str, Any]] = data["consequences"]
        self.references: dict[str, dict[str, Any]] = data["references"]
        self.stages: list[dict[str, Any]] = data["stages"]
        self.labels: dict[str, dict[str, dict[str, str]]] = data["labels"]
        self.fields: dict[str, dict[str, Any]] = data["fields"]
        self.ui: dict[str, dict[str, str]] = data["ui"]
        self.interest: dict[str, Any] = data["interest"]
        self.plan: dict[str, Any] = data["plan"]
        self.plan_test = _when(self.plan)  # which cases get a plan (finance.plan), None: all of them
        # whose plan counts what was received (finance.plan_amount), None: none
        self.received_test = tester(build(self.plan["received_when"])) if "received_when" in self.plan else None
        self.report: dict[str, Any] = data["report"]  # what the short report shows of each kind
        self._choice_index: dict[str, dict[str, str]] = {}
        self.matchers: dict[str, Any] = {}  # each choice field's matching.Index and the word lists answers use, on first use
        # Order of each catalog as written: display order within equal urgency.
        self.order = {section: {eid: n for n, eid in enumerate(data[section])} for section in CATALOGS}
        # Each condition built from its data once, here, and each tester compiled once.
        self.conditions: list[tuple[dict[str, Any], Condition]] = [(rule, build(rule["when"])) for rule in self.rules]
        self.when = {rule["id"]: cond for rule, cond in self.conditions}
        self.ask_when = {name: build(spec["ask_when"]) for name, spec in self.fields.items() if "ask_when" in spec}
        self.ask_tests = {name: tester(cond) for name, cond in self.ask_when.items()}
        # What answers the person (concerns.py): each entry with the test of its `when`, None when it always
        # holds; the answers grouped by concern, in order, since the first that holds is the one shown.
        # Their condition trees too, so the partition's bands tell apart every case they answer differently.
        trees = {section: [build(e["when"]) if "when" in e else None for e in data[section]]
                 for section in ("answers", "default_concerns", "headlines")}
        self.answer_conditions = [tree for section in trees.values() for tree in section if tree is not None]
        tested = {section: [(e, None if tree is None else tester(tree)) for e, tree in zip(data[section], trees[section])]
                  for section in trees}
        self.answers: dict[str, list[tuple[dict[str, Any], Tester | None]]] = {}
        for entry, test in tested["answers"]:
            self.answers.setdefault(entry["concern"], []).append((entry, test))
        self.default_concerns = tested["default_concerns"]
        self.headlines = tested["headlines"]
        # The classes of debt in a household's order (household.py), first first.
        self.priorities = [(entry, _when(entry)) for entry in data.get("priorities", [])]
        self.in_force_cache: dict[int, Any] = {}  # epoch of as_of -> the rules in force, with their testers
        self.lookup: Lookup | None = None  # the engine's band table, built on first use
        # The letter's and the phone script's paragraphs with their conditions, built here so a damaged cache is
        # refused at load; their tests are compiled on first use (see paragraphs).
        self._paragraph_trees = {section: [(p, build(p["when"]) if "when" in p else None) for p in data[section]]
                                 for section in ("letter", "script")}
        self._paragraphs: dict[str, list[tuple[dict[str, Any], Tester | None]]] | None = None
        # The named conditions (rules/conditions.yaml), for what outside the rules asks of one (`holds`).
        self._named = {name: build(tree) for name, tree in data["conditions"].items()}
        self._named_tests: dict[str, Tester] = {}

    @property
    def paragraphs(self) -> dict[str, list[tuple[dict[str, Any], Tester | None]]]:
        """The paragraphs of the letter and of the phone script, each with the test of its `when`, if any:
        compiled on first use, since only `advisor letter` reads them and they hold almost half of the
        rule set's conditions."""
        built = self._paragraphs
        if built is None:
            built = self._paragraphs = {
                section: [(p, None if tree is None else tester(tree)) for p, tree in trees]
                for section, trees in self._paragraph_trees.items()
            }
        return built

    def holds(self, name: str, known: dict[str, Any]) -> bool:
        """Whether the named condition holds for these answers; False if this rule set names none so."""
        if name not in self._named:
            return False
        test = self._named_tests.get(name)
        if test is None:
            test = self._named_tests[name] = tester(self._named[name])
        return bool(test(known))

    def choices(self, field: str) -> list[dict[str, Any]]:
        return list(self.fields.get(field, {}).get("choices", []))

    def choice_index(self, field: str) -> dict[str, str]:
        index = self._choice_index.get(field)
        if index is None:
            index = {}
            for n, c in enumerate(self.choices(field), 1):
                for word in (c["id"], *c["label"].values(), *c["aliases"], str(n)):
                    index.setdefault(word.strip().casefold(), c["id"])
            self._choice_index[field] = index
        return index

    def text(self, key: str, lang: str) -> str:
        entry = self.ui.get(key)
        return entry[lang] if entry else key

    def message(self, key: str, lang: str, **params: Any) -> str:
        from .templates import fill

        if "value" in params:
            params["value"] = shown(params["value"])
        return fill(self.text(key, lang), params)

    def label(self, group: str, value: str, lang: str) -> str:
        if group == "stage":
            for s in self.stages:
                if s["id"] == value:
                    return str(s["label"][lang])
            return value
        if group in self.fields:
            for c in self.choices(group):
                if c["id"] == value:
                    return str(c["label"][lang])
            return value
        return self.labels.get(group, {}).get(value, {}).get(lang, value)


def _when(entry: dict[str, Any]) -> Tester | None:
    return tester(build(entry["when"])) if "when" in entry else None


def shown(value: Any, limit: int = 60) -> str:
    """What the user typed, safe to quote: control characters made visible, a huge value cut short."""
    from .safetext import printable

    text = str(value)
    out = printable(text[: limit + 1])
    return out[:limit] + "…" if len(text) > limit else out


def _compile(sources: list[tuple[str, Source]]) -> dict[str, Any]:
    from .rulecompiler import compile_sources  # only on a cold cache: a warm start skips the checks (start-up)

    return compile_sources(sources)


def compile_files(files: list[tuple[Path, str]]) -> dict[str, Any]:
    """Read and validate rule files. Raises RuleSetError listing every problem found."""
    return _compile([(label, read_source(path, label)) for path, label in files])


def rule_roots(paths: Sequence[str | os.PathLike[str]] | None) -> list[Path]:
    """The files and folders of a rule set: the built-in folder when none are given."""
    builtin = builtin_rules_dir()
    # `builtin` names the shipped set, so a layer can go on top of it from any install.
    return [builtin if str(p) == "builtin" and not Path(p).exists() else Path(p) for p in paths or [builtin]]


def load_ruleset(paths: Sequence[str | os.PathLike[str]] | None = None, *, cache: bool = True) -> RuleSet:
    """Load the built-in rule set, or the given files and folders layered in order.

    The interface texts (`ui`) of the built-in set are always the base layer, so a replacement
    rule set need only carry rules and catalogs. One path alone (a str or a Path) is that one layer.
    """
    if isinstance(paths, (str, os.PathLike)):  # not the letters of a name, each taken for a file
        paths = [paths]
    try:
        return _load(paths, cache)
    except RuleSetError as exc:
        if not paths or any(_is_builtin(p) for p in paths):
            raise
        hint = _builtin_hint(paths, exc)
        if hint is None:
            raise
        raise hint from None


def _is_builtin(path: str | os.PathLike[str]) -> bool:
    try:
        return str(path) == "builtin" or Path(path).resolve() == builtin_rules_dir()
    except (OSError, ValueError, RuntimeError):  # a NUL byte, a symlink loop: not the built-in set
        return False


# What a layer meant for the built-in set runs into alone: ids and values only that set defines.
_LEANS_ON_BUILTIN = ("unknown step", "unknown consequence", "unknown reference", "unknown value", "no such rule",
                     "is missing")


def _builtin_hint(paths: Sequence[str | os.PathLike[str]], failed: RuleSetError) -> RuleSetError | None:
    """A layer written to go on top of the built-in set, given alone, fails on everything it leaves to
    that set: if putting `builtin` first leaves fewer problems, say that once, with only those."""
    if not any(p.file == "(rule set)" or any(sign in p.message for sign in _LEANS_ON_BUILTIN)
               for p in failed.problems):
        return None  # nothing missing that the built-in set has: no second, slower load to find out
    try:
        _load(["builtin", *paths], False)
        left: list[RuleProblem] = []
    except RuleSetError as stacked:
        left = stacked.problems
    if len(left) >= len(failed.problems):
        return None
    names = " ".join(f"--rules {Path(p).name}" for p in paths)
    hint = RuleProblem(Path(paths[0]).name, None, None, "this layer builds on the built-in rules: add `builtin` "
                       f"before it (--rules builtin {names}; `rules check builtin …`)")
    return RuleSetError([hint, *left])


def _load(paths: Sequence[str | os.PathLike[str]] | None, cache: bool) -> RuleSet:
    builtin = builtin_rules_dir()
    roots = rule_roots(paths)
    for root in roots:
        try:
            found = root.exists()
        except (OSError, ValueError) as exc:  # a name too long, or with a NUL byte in it
            raise RuleSetError([RuleProblem(str(root)[:80], None, None, f"cannot read: {exc}")]) from None
        if not found:
            raise RuleSetError([RuleProblem(str(root), None, None, "no such file or folder")])
    try:
        files = rule_files(roots)
    except OSError as exc:
        raise RuleSetError([RuleProblem(str(roots[0]), None, None, f"cannot read: {exc}")]) from None
    if paths:
        files = [(p, "builtin/" + label) for p, label in rule_files([builtin]) if p.name == "ui.yaml"] + files
    if not any(True for _ in files):
        raise RuleSetError([RuleProblem(str(roots[0]), None, None, "no rule files (*.yaml) found")])
    labels = [label for _, label in files]
    folder = cache_dir()
    # The stats are taken before the files are read: a file changed in between gets new stats, so the
    # index can only ever send these stats to the content read after them.
    files_stamp = stamp(files) if cache else None
    if files_stamp is not None:
        known = indexed_key(folder, files_stamp)
        loaded = _cached(folder, known, labels) if known else None
        if loaded is not None:
            return loaded
    # Each file is read once: what is hashed is what is compiled, even if a file changes meanwhile.
    sources = [(label, read_source(path, label)) for path, label in files]
    readable = [(label, s) for label, s in sources if isinstance(s, bytes)]
    if not cache or len(readable) < len(sources):
        return RuleSet(_compile(sources), labels)
    key = content_key(readable)
    loaded = _cached(folder, key, labels)
    cached = loaded is not None
    if loaded is None:
        data = _compile(sources)
        cached = write_cache(folder / f"rules-{key}.marshal", key, data)
        loaded = RuleSet(data, labels)
    if files_stamp is not None and cached:
        write_index(folder, files_stamp, key)
    return loaded


def _cached(folder: Path, key: str, labels: list[str]) -> RuleSet | None:
    # Reading a cache makes some hundred thousand objects that live as long as the process: the
    # collector, paused meanwhile, would walk them again and again for nothing (a fifth of the time).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        data = read_cache(folder / f"rules-{key}.marshal", key)
        return None if data is None else RuleSet(data, labels)
    except (LookupError, TypeError, ValueError, ArithmeticError, AttributeError, RecursionError):
        return None  # well formed, yet not a rule set this version can use: rebuild it
    finally:
        if was_enabled:
            gc.enable()
