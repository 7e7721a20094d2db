"""The shape of the code: imports inside `advisor/` point one way, and no module or class outgrows a read.

Every import counts, at the top of a module or inside a function (a function-level import still runs,
so it can still close a cycle); only imports under `if TYPE_CHECKING:` are left out, as they never run.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "advisor"
MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 150
# Past the limits, each with its reason in the README's "Architecture" section.
ALLOWED = {
    "advisor/cli.py": "module",
}
# Cycles that exist today and are being taken apart; none may be added.
KNOWN_CYCLES: list[list[str]] = []


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name: advisor.engine, advisor.render.record, …"""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import that runs, wherever it stands."""
    out: list[ast.Import | ast.ImportFrom] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                out.append(child)
            elif _type_checking_only(child):
                todo.extend(child.orelse)  # the `else:` of `if TYPE_CHECKING:` does run
            else:
                todo.append(child)
    return out


def graph() -> dict[str, set[str]]:
    """Which modules of the package each module imports."""
    known = modules()
    edges: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = package.rsplit(".", node.level - 1)[0] if node.level else ""
                stem = ".".join(p for p in (base, node.module) if p)
                # `from . import x` names a module when there is one, else a name in the package.
                targets = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in known else stem for a in node.names]
            edges[name].update(t for t in targets if t in known and t != name)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One path around each group of modules that import each other (Tarjan's strongly connected parts)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_import_graph_sees_function_level_imports():
    edges = graph()
    assert "advisor.conditions" in edges["advisor.engine"]  # `from . import conditions`
    assert "advisor.rulecompiler" in edges["advisor.ruleset"]  # imported inside a function
    assert "advisor.engine" not in edges["advisor.ruleset"]  # only under TYPE_CHECKING there
    assert "advisor.render.record" in edges["advisor.rulesections"]


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_inside_the_package():
    found = cycles(graph())
    new = [c for c in found if c not in KNOWN_CYCLES]
    assert not new, f"modules that import each other: make the imports point one way: {new}"
    gone = [c for c in KNOWN_CYCLES if c not in found]
    assert not gone, f"no longer a cycle: take it off KNOWN_CYCLES: {gone}"


def _sizes() -> dict[str, tuple[str, int]]:
    """Every module and class past its limit: path (and class) -> (what, lines)."""
    over = {}
    for path in modules().values():
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT).as_posix()
        if len(text.splitlines()) > MAX_MODULE_LINES:
            over[where] = ("module", len(text.splitlines()))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > MAX_CLASS_LINES:
                over[f"{where}:{node.name}"] = ("class", node.end_lineno - node.lineno + 1)
    return over


def test_no_module_or_class_past_its_size_unless_the_readme_says_why():
    over = _sizes()
    unexplained = {k: v for k, v in over.items() if k not in ALLOWED}
    assert not unexplained, (f"past {MAX_MODULE_LINES} lines a module, {MAX_CLASS_LINES} a class: split it, or add "
                             f"it to ALLOWED with its reason in the README's Architecture section: {unexplained}")
    stale = sorted(set(ALLOWED) - set(over))
    assert not stale, f"within the limits now: take them off ALLOWED and the README: {stale}"


def test_each_size_exception_is_explained_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"^## Architecture\n(.*?)(?=^## )", readme, re.M | re.S)
    assert found, "the README needs an Architecture section"
    for where in ALLOWED:
        assert f"`{where}`" in found.group(1), f"the README's Architecture section should say why {where} is so long"


def test_every_module_has_its_line_in_the_readme():
    """A newcomer finds the room for a change from the Architecture section: every module is named there,
    by its file name (`engine.py`, `rows.py`) or its path in the package (`batch/groups.py`); a
    subpackage's `__init__.py` by its folder (`batch/`)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Architecture\n(.*?)(?=^## )", readme, re.M | re.S)
    assert section, "the README needs an Architecture section"
    unnamed = []
    for path in modules().values():
        inner = path.relative_to(PACKAGE)
        names = {f"`{inner.as_posix()}`", f"`{inner.name}`"}
        if inner.name == "__init__.py" and inner.parent.parts:
            names = {f"`{inner.parent.as_posix()}/`"}
        if not any(name in section.group(1) for name in names):
            unnamed.append(inner.as_posix())
    assert not unnamed, f"say in a line of the README's Architecture section what these modules do: {unnamed}"
