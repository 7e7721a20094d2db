"""The README tells the truth: its sessions are re-run and compared, its quick start is what CI runs.

Regenerate the sessions after changing the rules or the output:  python tests/test_readme.py --update
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"```console\n\$ (?P<cmd>[^\n]*)\n(?P<out>.*?)```", re.S)


def _run(cmd: str) -> str:
    bindir = os.path.dirname(sys.executable)
    env = dict(os.environ, COLUMNS="80", NO_COLOR="1", PATH=bindir + os.pathsep + os.environ["PATH"])
    env.pop("ADVISOR_LANG", None)
    done = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, env=env, check=False)
    return done.stdout + done.stderr


def sessions() -> list[tuple[str, str]]:
    return [(m["cmd"], m["out"]) for m in BLOCK.finditer(README.read_text(encoding="utf-8"))]


@pytest.mark.parametrize(("cmd", "expected"), sessions(), ids=[c[:50] for c, _ in sessions()])
def test_readme_session_is_real(cmd, expected):
    assert _run(cmd) == expected


def test_quick_start_has_exactly_two_commands_and_ci_runs_the_second():
    text = README.read_text(encoding="utf-8")
    quick = text.split("## Quick start", 1)[1]
    block = re.search(r"```sh\n(.*?)```", quick, re.S).group(1)
    commands = [line for line in block.splitlines() if line.strip()]
    assert len(commands) == 2
    assert "advisor assess" in commands[0] and "--days" in commands[0]
    assert "pytest" in commands[1]
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci


def _update() -> None:
    text = README.read_text(encoding="utf-8")
    text = BLOCK.sub(lambda m: f"```console\n$ {m['cmd']}\n{_run(m['cmd'])}```", text)
    if "advisor: command not found" in text:  # run by a Python without advisor installed: write nothing
        sys.exit("advisor is not installed beside this Python: activate the environment that has it")
    README.write_text(text, encoding="utf-8")


if __name__ == "__main__" and "--update" in sys.argv:
    _update()
