"""Conventions people expect of a command-line tool: -h, and shell completion installed Typer's way."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

COMMANDS = [[], ["assess"], ["batch"], ["letter"], ["questions"], ["rules"], ["rules", "check"], ["rules", "list"]]


def advisor(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "advisor", *args], capture_output=True, text=True, check=False,
                          env={**os.environ, "COLUMNS": "100", **(env or {})})


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "advisor")
def test_dash_h_is_help(command):
    short, long = advisor(*command, "-h"), advisor(*command, "--help")
    assert short.returncode == long.returncode == 0, short.stderr
    assert short.stdout == long.stdout and "Usage" in short.stdout


def test_shell_completion_can_be_shown_and_completes_commands_and_options():
    # Typer finds the shell among the command's parent processes, as it would in a terminal: run it from bash
    # (`; exit` keeps bash from replacing itself with the command), whatever started the tests.
    script = subprocess.run(["bash", "-c", '"$0" -m advisor --show-completion bash; exit $?', sys.executable],
                            capture_output=True, text=True, check=False, env={**os.environ, "SHELL": "/bin/bash"})
    assert script.returncode == 0 and "complete" in script.stdout and "_ADVISOR_COMPLETE" in script.stdout
    commands = advisor(env={"_ADVISOR_COMPLETE": "complete_bash", "COMP_WORDS": "advisor as", "COMP_CWORD": "1"})
    assert commands.stdout.split() == ["assess"]
    options = advisor(env={"_ADVISOR_COMPLETE": "complete_bash", "COMP_WORDS": "advisor assess --for",
                           "COMP_CWORD": "2"})
    assert "--format" in options.stdout.split()
