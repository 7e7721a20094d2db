from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# Every property test's default: no per-example deadline (a loaded CI host is slow, not wrong); a test
# that wants more examples says so in its own @settings.
settings.register_profile("project", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("project")

# The Ctrl-C tests send SIGINT to the programs they start. A test run started in the background by a
# non-interactive shell (`pytest &` in a script) has SIGINT ignored, as POSIX asks, and the programs it
# starts would inherit that and rightly ignore the Ctrl-C: a handler here is reset to the default in them.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FACTS = ROOT.parent / "shared" / "domain" / "FACTS.md"


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    # Tests never touch the user's cache folder.
    os.environ["ADVISOR_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    os.environ.pop("ADVISOR_LANG", None)


@pytest.fixture(scope="session")
def rules():
    from advisor.ruleset import load_ruleset

    return load_ruleset()


@pytest.fixture(scope="session")
def mini():
    from advisor.ruleset import load_ruleset

    return load_ruleset([FIXTURES / "mini"])


@contextmanager
def untraced() -> Iterator[None]:
    """Pause coverage's line tracing, which makes Python code about four times slower.

    For tests whose cost is the same code run tens of thousands of times (every situation of the
    built-in rules, ten thousand rules, hundreds of Hypothesis examples): the lines they run are
    reached by the quicker tests too, so the coverage report and its floor are the same without
    them (compared when this was introduced). Their assertions run as before.
    """
    try:
        import coverage
    except ImportError:  # pragma: no cover - coverage is in the test extra
        yield
        return
    cov = coverage.Coverage.current()
    if cov is None:  # --no-cov
        yield
        return
    cov.stop()
    try:
        yield
    finally:
        cov.start()


@pytest.fixture(autouse=True)
def _untraced_marker(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("untraced") is None:
        yield
    else:
        with untraced():
            yield


def assess_json(*args: str, as_of: str = "2026-11-29") -> dict[str, Any]:
    """`advisor assess … --format json --no-input` run in this process (so coverage sees it): its record.
    The language is the default (zh) unless the arguments give `--lang`."""
    import json

    from typer.testing import CliRunner

    from advisor import cli

    result = CliRunner().invoke(cli.app, ["assess", *args, "--format", "json", "--no-input", "--as-of", as_of])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def advisor_in(*args: str, cwd: Path, stdin: bytes | None = None) -> Any:
    """The command as a person runs it, in `cwd`, from this checkout: the CompletedProcess, as text."""
    import subprocess

    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run([sys.executable, "-m", "advisor", *args], cwd=cwd, capture_output=True, env=environment,
                          input=stdin, check=False)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


def jsonl(stdout: str) -> list[dict[str, Any]]:
    """The records of JSONL output."""
    import json

    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def layer(tmp_path: Path, text: str, name: str = "layer.yaml") -> str:
    """A rule file of `text` in tmp_path, as a layer given with --rules: its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def shown_ids(record: dict[str, Any]) -> set[str]:
    """Every consequence, step and reference a record shows, by id."""
    return {item["id"] for key in ("consequences", "steps", "references") for item in record[key]}


def answer_prompts(args: Sequence[str], steps: Sequence[tuple[Sequence[str], str]]) -> str:
    """`advisor` on a real pseudo-terminal, in Chinese at 80 columns: at each step, wait for each text
    in turn and the prompt, then type the answer; at the end, keep no file of the answers. Returns
    what it printed after that (the report)."""
    pexpect = pytest.importorskip("pexpect")
    env = dict(os.environ, NO_COLOR="1", COLUMNS="80", LINES="40", ADVISOR_LANG="zh")
    child = pexpect.spawn(sys.executable, ["-m", "advisor", *args], env=env, encoding="utf-8", timeout=20,
                          dimensions=(40, 80))
    for waits, typed in [*steps, (["要把这些回答保存到文件吗"], "")]:
        for text in waits:
            child.expect_exact(text)
        child.expect_exact("> ")
        child.sendline(typed)
    child.expect(pexpect.EOF)
    return str(child.before)
