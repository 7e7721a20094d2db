"""Start-up budget: each path imports only what it needs (timings live in benchmarks/, not here)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = """
import runpy, sys
sys.argv = ["advisor", *sys.argv[1:]]
try:
    runpy.run_module("advisor", run_name="__main__")
except SystemExit:
    pass
sys.stderr.write("\\nMODULES " + " ".join(sorted(sys.modules)) + "\\n")
"""
CASE = ["assess", "-d", "45", "-a", "5000", "-p", "花呗", "-n", "none"]


def imported(args: list[str], cache: str) -> set[str]:
    env = dict(os.environ, ADVISOR_CACHE_DIR=cache, NO_COLOR="1")
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, check=True)
    line = out.stderr.rsplit("MODULES ", 1)[1]
    return set(line.split())


@pytest.fixture(scope="module")
def warm(tmp_path_factory) -> str:
    cache = str(tmp_path_factory.mktemp("warm"))
    imported([*CASE, "--format", "json"], cache)  # builds the rules cache once
    return cache


def top(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


@pytest.mark.parametrize(
    ("args", "forbidden"),
    [
        (["--version"], {"yaml", "rich", "decimal", "json", "advisor.ruleset", "advisor.engine"}),
        (["--help"], {"yaml", "advisor.ruleset", "advisor.engine"}),
        ([*CASE, "--format", "json"], {"yaml", "rich", "advisor.render.rich_text", "advisor.letter",
                                        "advisor.numerals", "advisor.interview", "advisor.termwrap",
                                        "advisor.duedate"}),  # its patterns are for days given in words
        ([*CASE, "--format", "markdown"], {"yaml", "rich"}),
        (CASE, {"yaml", "advisor.letter", "advisor.coverage"}),
        (["rules", "list"], {"yaml", "rich"}),
    ],
    ids=["version", "help", "json", "markdown", "rich", "rules-list"],
)
def test_each_path_imports_only_what_it_needs(warm, args, forbidden):
    modules = imported(args, warm)
    found = {m for m in forbidden if m in modules or m in top(modules)}
    assert not found, f"{args} imported {found}"


def test_pydantic_and_click_are_never_loaded(warm):
    assert not top(imported([*CASE, "--format", "json"], warm)) & {"pydantic", "click"}


def _advisor(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS="80", NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "advisor", *args], capture_output=True, text=True, env=env,
                          timeout=60)


def test_a_run_naming_its_command_builds_it_alone_and_every_other_run_sees_them_all():
    # Only the named command is built at start-up; what people see must not change with it.
    from typer.testing import CliRunner

    from advisor import cli

    whole = CliRunner().invoke(cli.app, ["assess", "--help"], env={"COLUMNS": "80", "NO_COLOR": "1"},
                               prog_name="advisor")
    alone = _advisor("assess", "--help")
    assert alone.returncode == 0 and alone.stdout == whole.output
    listing = _advisor("--help")
    assert all(name in listing.stdout for name in ("assess", "batch", "letter", "questions", "rules"))
    typo = _advisor("asess")
    assert typo.returncode == 2 and "assess" in typo.stderr
    assert _advisor("rules", "list").returncode == 0


API_PROBE = """
import sys
before = set(sys.modules)
import advisor
from advisor.ruleset import load_ruleset
load_ruleset()
advisor.assess({"overdue_days": 45, "amount": "5000", "platform": "花呗", "negotiation": "none"}, lang="en")
print(" ".join(sorted(set(sys.modules) - before)), "|", "typing" in before)
"""


def test_a_warm_rule_load_and_an_assessment_through_the_api_never_import_typing(warm):
    # typing and its NamedTuple were a third of a warm start (advisor/tuples.py says why).
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV_CORE")}  # coverage imports typing
    env["ADVISOR_CACHE_DIR"] = warm
    out = subprocess.run([sys.executable, "-c", API_PROBE], capture_output=True, text=True, env=env, check=True)
    new, _, preloaded = out.stdout.rpartition("|")
    if preloaded.strip() == "True":
        pytest.skip("this Python imports typing before any program runs")
    assert {"advisor.engine", "advisor.ruleset", "advisor.api"} <= set(new.split())
    assert "typing" not in new.split()
