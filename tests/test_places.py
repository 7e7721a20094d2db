"""The files one run reads and writes, through the commands on real files: no two of them may be one file
(refused, exit 2, before anything is written), letters go where -o says even when it is no plain file,
and a run that stops says which reports and letters it left."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor import cli

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-05-01"
CASE = ["-d", "45", "-a", "5000", "-p", "花呗", "-n", "none", "--as-of", AS_OF, "--no-input"]
ANSWERS = "逾期天数: 45\n金额: 5000\n平台: 花呗\n协商情况: 未协商\n"
DEBTS = ["--debt", "花呗,3800,12天,未协商", "--debt", "信用卡,6万,40,none", "--as-of", AS_OF, "--no-input"]
BASE = "编号,逾期天数,金额,平台,协商情况\nA1,45,5000,花呗,未协商\nA2,0,3万,网商贷,协商中\n"


def run(args: list[str]):
    return CliRunner().invoke(cli.app, args, catch_exceptions=False)


def child(args: list[str], **kw) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "advisor", *args], capture_output="stdout" not in kw,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120, check=False, **kw)


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ---------------------------------------------------------------- no two places are one file


@pytest.mark.parametrize("way", ["same name", "symlink", "hard link"])
def test_letter_refuses_to_write_over_its_answers_file(tmp_path, way):
    answers = tmp_path / "me.yaml"
    answers.write_text(ANSWERS, encoding="utf-8")
    target = {"same name": answers, "symlink": tmp_path / "link.yaml", "hard link": tmp_path / "hard.yaml"}[way]
    if way == "symlink":
        target.symlink_to(answers)
    elif way == "hard link":
        os.link(answers, target)
    result = run(["letter", "--answers", str(answers), "-o", str(target), "--lang", "en"])
    assert result.exit_code == 2
    assert "-o and --answers both name" in result.stderr and str(target) in result.stderr
    assert answers.read_text(encoding="utf-8") == ANSWERS


def test_assess_refuses_save_and_save_answers_naming_one_file(tmp_path):
    page = tmp_path / "s.html"
    result = run(["assess", *CASE, "-f", "json", "--save", str(page), "--save-answers", str(page), "--lang", "en"])
    assert result.exit_code == 2
    assert "--save and --save-answers both name" in result.stderr
    assert result.stdout == "" and not page.exists(), "refused before anything was written"


def test_save_answers_over_the_answers_read_is_refused_in_chinese_too(tmp_path):
    answers = tmp_path / "me.yaml"
    answers.write_text(ANSWERS, encoding="utf-8")
    result = run(["assess", "--answers", str(answers), "--save-answers", str(tmp_path / "." / "me.yaml"),
                  "--no-input", "-f", "json"])
    assert result.exit_code == 2 and "--save-answers 和 --answers 都指向" in result.stderr
    assert answers.read_text(encoding="utf-8") == ANSWERS


def test_a_letter_per_debt_never_replaces_the_answers_file(tmp_path):
    # -o x.md with two debts writes x-1.md and x-2.md: the second is the answers file here.
    answers = tmp_path / "x-2.md"
    answers.write_text("debts:\n  - {平台: 花呗, 金额: 3800, 逾期天数: 12, 协商情况: 未协商}\n"
                       "  - {平台: 信用卡, 金额: 6万, 逾期天数: 40, 协商情况: none}\n", encoding="utf-8")
    before = answers.read_text(encoding="utf-8")
    result = run(["letter", "--answers", str(answers), "-o", str(tmp_path / "x.md"), "--as-of", AS_OF,
                  "--no-input", "--lang", "en"])
    assert result.exit_code == 2 and "-o and --answers both name" in result.stderr
    assert answers.read_text(encoding="utf-8") == before
    assert names(tmp_path) == ["x-2.md"], "no letter written before the refusal"


def test_batch_output_inside_the_letters_folder_under_a_letter_name_is_refused(tmp_path):
    (tmp_path / "base.csv").write_text(BASE, encoding="utf-8")
    so = tmp_path / "so"
    so.mkdir()
    for flags in (["-o", str(so / "o.jsonl"), "--summary", str(so / "0001-A1.txt")], ["-o", str(so / "0001-A1.txt")]):
        result = run(["batch", str(tmp_path / "base.csv"), *flags, "--letters", str(so), "--lang", "en"])
        assert result.exit_code == 2, result.stderr
        assert f"is in the --letters folder {so}" in result.stderr
        assert names(so) == [], "refused before anything was written"
    # Reports in Markdown take .md: a Markdown summary there is refused, as a grouped run's is.
    grouped = tmp_path / "grouped.csv"
    grouped.write_text("客户编号," + BASE.replace("\nA", "\nK1,A"), encoding="utf-8")
    result = run(["batch", str(grouped), "--summary", str(so / "s.md"), "--reports", str(so),
                  "--reports-format", "markdown", "-q"])
    assert result.exit_code == 2 and "在 --reports 的文件夹" in result.stderr and names(so) == []


def test_batch_output_beside_the_letters_under_another_extension_is_fine(tmp_path):
    (tmp_path / "base.csv").write_text(BASE, encoding="utf-8")
    so = tmp_path / "so"
    so.mkdir()
    result = run(["batch", str(tmp_path / "base.csv"), "-o", str(so / "o.jsonl"), "--summary", str(so / "s.md"),
                  "--letters", str(so), "-q"])
    assert result.exit_code == 0, result.stderr
    assert names(so) == ["0001-A1.txt", "0002-A2.txt", "o.jsonl", "s.md"]
    assert (so / "0001-A1.txt").read_text(encoding="utf-8").startswith("协商还款申请书")


@pytest.mark.parametrize("grouped", [False, True])
def test_batch_with_stdout_appended_to_its_input_is_refused_before_reading(tmp_path, grouped):
    path = tmp_path / "cases.csv"
    if grouped:  # a client column: the grouped run, which read the input twice and then blamed the file
        content = "客户编号,编号,逾期天数,金额,平台,协商情况\n" + "".join(
            f"K{n // 3},C{n},45,5000,花呗,未协商\n" for n in range(3000))
    else:
        content = BASE
    path.write_text(content, encoding="utf-8")
    with open(path, "ab") as out:  # `advisor batch cases.csv >> cases.csv`
        done = child(["batch", str(path), "--lang", "en"], stdout=out, stderr=subprocess.PIPE)
    assert done.returncode == 2, done.stderr
    assert b"standard output is the input file" in done.stderr
    assert path.read_text(encoding="utf-8") == content
    with open(path, "rb") as stdin, open(path, "ab") as out:  # `advisor batch - < cases.csv >> cases.csv`
        done = child(["batch", "-"], stdin=stdin, stdout=out, stderr=subprocess.PIPE)
    assert done.returncode == 2 and "标准输出就是输入文件".encode() in done.stderr
    assert path.read_text(encoding="utf-8") == content


def test_stdout_to_another_file_is_still_fine(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(BASE, encoding="utf-8")
    with open(tmp_path / "out.jsonl", "wb") as out:
        done = child(["batch", str(path), "-q"], stdout=out, stderr=subprocess.PIPE)
    assert done.returncode == 0, done.stderr
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 2


def test_assess_with_stdout_appended_to_its_answers_file_is_refused(tmp_path):
    answers = tmp_path / "me.yaml"
    answers.write_text(ANSWERS, encoding="utf-8")
    with open(answers, "ab") as out:
        done = child(["assess", "--answers", str(answers), "--no-input", "--lang", "en"], stdout=out,
                     stderr=subprocess.PIPE)
    assert done.returncode == 2 and b"standard output and --answers both name" in done.stderr
    assert answers.read_text(encoding="utf-8") == ANSWERS


@pytest.mark.parametrize("kind", ["fifo", "file"])
def test_reports_into_something_not_a_folder_says_it_must_be_a_folder(tmp_path, kind):
    (tmp_path / "base.csv").write_text(BASE, encoding="utf-8")
    there = tmp_path / "not-a-folder"
    if kind == "fifo":  # stands for /dev/null: a device or FIFO, never opened here
        os.mkfifo(there)
    else:
        there.write_text("mine\n")
    for flag in ("--reports", "--letters"):
        result = run(["batch", str(tmp_path / "base.csv"), flag, str(there), "--lang", "en"])
        assert result.exit_code == 2
        assert f"{flag}: {there} is not a folder" in result.stderr and "File exists" not in result.stderr
    assert stat.S_ISFIFO(os.lstat(there).st_mode) if kind == "fifo" else there.read_text() == "mine\n"


# ---------------------------------------------------------------- letters where -o says


def _fifo_reader(fifo: Path) -> tuple[threading.Thread, list[bytes]]:
    got: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as fh:
            got.append(fh.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread, got


def test_letters_for_several_debts_stream_into_a_fifo_never_beside_it(tmp_path):
    fifo = tmp_path / "letters"
    os.mkfifo(fifo)
    thread, got = _fifo_reader(fifo)
    result = run(["letter", *DEBTS, "-o", str(fifo), "--lang", "en"])
    thread.join(timeout=30)
    assert result.exit_code == 0, result.stderr
    assert names(tmp_path) == ["letters"] and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    text = got[0].decode("utf-8")
    first, second = text.index("**Debt 1**"), text.index("**Debt 2**")
    assert first < second and "3800.00" in text[first:second] and "60000.00" in text[second:]


@pytest.mark.parametrize("debts", [True, False])
def test_letter_dash_o_dash_is_standard_output(tmp_path, monkeypatch, debts):
    monkeypatch.chdir(tmp_path)
    result = run(["letter", *(DEBTS if debts else CASE), "-o", "-", "--lang", "en"])
    assert result.exit_code == 0, result.stderr
    assert names(tmp_path) == [], "no file named - (or -1, -2)"
    assert ("**Debt 2**" in result.stdout) if debts else result.stdout.startswith("# ")


# ---------------------------------------------------------------- a stopped run says what it left


def _failing(tmp_path: Path, bad_at: int, grouped: bool = False) -> Path:
    path = tmp_path / "ff.csv"
    rows = [f"C{n},{'xx' if n == bad_at else 45},5000,花呗,未协商\n" for n in range(1, bad_at + 5)]
    if grouped:
        rows = [f"K{n},{row}" for n, row in enumerate(rows, 1)]
    path.write_text(("客户编号," if grouped else "") + "编号,逾期天数,金额,平台,协商情况\n" + "".join(rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("grouped", [False, True])
def test_fail_fast_says_how_many_reports_and_letters_it_left_and_where(tmp_path, grouped):
    path = _failing(tmp_path, 8, grouped)
    rep, let = tmp_path / "rep", tmp_path / "let"
    result = run(["batch", str(path), "-o", str(tmp_path / "out.csv"), "--summary", str(tmp_path / "s.md"),
                  "--reports", str(rep), "--letters", str(let), "--fail-fast", "--lang", "en"])
    assert result.exit_code == 1
    assert len(names(rep)) == 7 and len(names(let)) == 7
    assert f"7 reports were already written to {rep}" in result.stderr
    assert f"7 letters were already written to {let}" in result.stderr
    zh = run(["batch", str(path), "--reports", str(tmp_path / "rep2"), "--fail-fast", "-q"])
    assert f"已有 7 份报告写进了 {tmp_path / 'rep2'}" in zh.stderr


def test_a_finished_run_or_one_that_wrote_none_says_nothing_of_the_kind(tmp_path):
    path = _failing(tmp_path, 1)
    result = run(["batch", str(path), "--reports", str(tmp_path / "rep"), "--fail-fast", "--lang", "en"])
    assert result.exit_code == 1 and "already written" not in result.stderr
    (tmp_path / "ok.csv").write_text(BASE, encoding="utf-8")
    result = run(["batch", str(tmp_path / "ok.csv"), "--reports", str(tmp_path / "rep3"), "--lang", "en"])
    assert result.exit_code == 0 and "already written" not in result.stderr


def test_ctrl_c_during_reports_and_letters_says_how_many_were_left(tmp_path):
    folder = tmp_path / "docs"
    proc = subprocess.Popen(
        [sys.executable, "-m", "advisor", "batch", "-", "--reports", str(folder), "--letters", str(folder),
         "--as-of", AS_OF, "--lang", "en"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.stdin is not None
    proc.stdin.write(b"id,overdue_days,amount,platform,negotiation\n"
                     + "".join(f"x{n},45,5000,花呗,none\n" for n in range(12)).encode())
    proc.stdin.flush()  # stdin stays open: the run waits for more rows, its twelve clients done
    deadline = time.monotonic() + 60
    while not (folder.is_dir() and len([n for n in names(folder) if not n.startswith(".")]) == 24):
        assert time.monotonic() < deadline, "timed out"  # (a dot file: one being written)
        time.sleep(0.05)
    time.sleep(0.5)  # past the count that follows the last write: the run is waiting for rows
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    said = err.decode("utf-8")
    assert "Cancelled." in said and "Traceback" not in said
    assert f"12 reports were already written to {folder}" in said
    assert f"12 letters were already written to {folder}" in said
