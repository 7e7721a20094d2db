"""Build the wheel, install it in a fresh virtualenv away from the checkout, and run one assessment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import ROOT


@pytest.mark.slow
def test_wheel_installs_and_assesses(tmp_path: Path) -> None:
    # Build from a copy: setuptools leaves build/ beside the sources, never in the checkout.
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", ".coverage*"))
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(src)],
        check=True, capture_output=True, cwd=tmp_path,
    )
    wheel = next(dist.glob("advisor-*.whl"))
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("advisor/rules/") and n.endswith(".yaml") for n in names), names
    assert "advisor/py.typed" in names  # type checkers read the API's annotations (PEP 561)
    assert "advisor/rules/SOURCES.md" in names  # the rule files cite its notes as sources

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run([str(bindir / "python"), "-m", "pip", "install", "-q", str(wheel)],
                   check=True, capture_output=True, cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, ADVISOR_CACHE_DIR=str(tmp_path / "cache"))
    for cmd in ([str(bindir / "advisor")], [str(bindir / "python"), "-m", "advisor"]):
        out = subprocess.run(
            [*cmd, "assess", "-d", "45", "-a", "5000", "-p", "花呗", "-n", "none", "--format", "json"],
            capture_output=True, text=True, cwd=elsewhere, env=env, check=False,
        )
        assert out.returncode == 0, out.stderr
        data = json.loads(out.stdout)
        assert data["stage"] == "collection" and data["steps"]
    # Installed, the built-in set still checks clean: every source it cites can be found there too.
    out = subprocess.run([str(bindir / "advisor"), "rules", "check"],
                         capture_output=True, text=True, cwd=elsewhere, env=env, check=False)
    assert out.returncode == 0, out.stderr
