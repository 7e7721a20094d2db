"""A batch grouped by client honours --fail-fast as a row-by-row run does (it stops at the first
household in error, names its row, leaves no partial file or summary), and says that --jobs is not used."""

from __future__ import annotations

import json
import os
from pathlib import Path

from typer.testing import CliRunner

from advisor.cli import app

CLIENTS = ("client,逾期天数,逾期金额,平台,协商情况\n"
           "K1,12,3800,花呗,未协商\n"
           "K2,12,很多,花呗,未协商\n"
           "K1,40,6万,信用卡,未协商\n"
           "K3,5,100,花呗,未协商\n")


def _batch(tmp_path: Path, *args: str):
    path = tmp_path / "clients.csv"
    path.write_text(CLIENTS, encoding="utf-8")
    before = os.getcwd()
    os.chdir(tmp_path)
    try:
        return CliRunner().invoke(app, ["batch", str(path), "--as-of", "2026-11-29", "--lang", "en", *args])
    finally:
        os.chdir(before)


def test_fail_fast_stops_at_the_first_household_in_error(tmp_path: Path) -> None:
    result = _batch(tmp_path)
    assert result.exit_code == 1 and len(result.stdout.splitlines()) == 3  # K1, K2 in error, K3: all answered
    result = _batch(tmp_path, "--fail-fast")
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["client"] for r in records] == ["K1"]  # to standard output, what came before the stop
    assert "stopped at row 2 (--fail-fast)" in result.stderr and '"很多"' in result.stderr
    assert "3 rows: 2 assessed, 1 rejected" in result.stderr  # K3's row was never answered


def test_fail_fast_leaves_no_partial_file_and_no_summary(tmp_path: Path) -> None:
    for output in ("out.jsonl", "out.csv"):
        result = _batch(tmp_path, "--fail-fast", "-o", output, "--summary", "summary.json")
        assert result.exit_code == 1
        assert f"{output} was not written" in result.stderr
        assert not (tmp_path / output).exists() and not (tmp_path / "summary.json").exists()


def test_jobs_is_said_to_be_unused_when_grouped(tmp_path: Path) -> None:
    result = _batch(tmp_path, "--jobs", "2", "-o", "out.jsonl")
    assert "runs in one process" in result.stderr and "--jobs is not used" in result.stderr
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 3
