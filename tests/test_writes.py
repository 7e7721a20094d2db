"""Every file the tool writes, written one safe way: through the commands, on real files, FIFOs,
devices, descriptors, a full disk (a file size limit) and signals."""

from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-05-01"
CASE = ["-d", "45", "-a", "5000", "-p", "花呗", "-n", "none", "--as-of", AS_OF, "--no-input"]
OLD = "the old contents\n"


def advisor(args: list[str], limit: int | None = None, **kw) -> subprocess.CompletedProcess[bytes]:
    """Run the tool as a user does. With `limit`, files can grow to that many bytes only: writes past
    it fail with EFBIG, as on a full disk (SIGXFSZ ignored, so the write returns the error)."""

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        assert limit is not None
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = dict(os.environ, PYTHONPATH=str(ROOT), **kw.pop("env", {}))
    return subprocess.run([sys.executable, "-m", "advisor", *args], capture_output=True, env=env, timeout=60,
                          preexec_fn=small_files if limit is not None else None, check=False, **kw)


def batch_input(tmp_path: Path, rows: int = 50) -> Path:
    path = tmp_path / "cases.csv"
    path.write_text("id,overdue_days,amount,platform,negotiation\n" + "x,45,5000,花呗,none\n" * rows, encoding="utf-8")
    return path


# Each way to name a file, as (name of the target, the command writing it).
def _commands(tmp_path: Path, target: Path) -> dict[str, list[str]]:
    return {
        "batch -o": ["batch", str(batch_input(tmp_path)), "-o", str(target), "--output-format", "jsonl", "-q",
                     "--as-of", AS_OF],
        "--save": ["assess", *CASE, "-f", "json", "--save", str(target)],
        "--save-answers": ["assess", *CASE, "-f", "json", "--save-answers", str(target)],
        "letter -o": ["letter", *CASE, "-o", str(target)],
    }


COMMANDS = ["batch -o", "--save", "--save-answers", "letter -o"]
SUFFIX = {"batch -o": ".jsonl", "--save": ".html", "--save-answers": ".yaml", "letter -o": ".md"}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".part")))


@pytest.mark.parametrize("command", COMMANDS)
def test_a_symlink_at_the_target_is_replaced_not_followed(tmp_path, command):
    victim = tmp_path / "victim.txt"
    victim.write_text(OLD)
    target = tmp_path / f"out{SUFFIX[command]}"
    target.symlink_to(victim)
    result = advisor(_commands(tmp_path, target)[command])
    assert result.returncode == 0, result.stderr
    assert victim.read_text() == OLD  # what the link pointed at is untouched
    assert not target.is_symlink() and target.stat().st_size > 0
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_on_a_full_disk_the_old_file_stays_and_no_temp_file_remains(tmp_path, command):
    target = tmp_path / f"out{SUFFIX[command]}"
    target.write_text(OLD)
    result = advisor(_commands(tmp_path, target)[command], limit=40)
    assert result.returncode == 2, result.stderr
    err = result.stderr.decode()
    assert "Traceback" not in err and "internal" not in err.lower() and "内部" not in err
    assert str(target) in err and "File too large" in err  # names the file and the reason
    assert target.read_text() == OLD
    assert leftovers(tmp_path) == []


def _fifo_reader(path: Path) -> tuple[threading.Thread, list[bytes]]:
    got: list[bytes] = []

    def read() -> None:
        with open(path, "rb") as fh:
            got.append(fh.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread, got


@pytest.mark.parametrize("command", COMMANDS)
def test_a_fifo_is_written_through_never_replaced(tmp_path, command):
    fifo = tmp_path / f"out{SUFFIX[command]}"
    os.mkfifo(fifo)
    thread, got = _fifo_reader(fifo)
    result = advisor(_commands(tmp_path, fifo)[command])
    thread.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got and len(got[0]) > 0
    assert leftovers(tmp_path) == []


def test_parallel_batch_streams_into_a_fifo(tmp_path):
    path = tmp_path / "big.csv"
    row = "x,45,5000,花呗,none," + "n" * 100 + "\n"
    path.write_text("id,overdue_days,amount,platform,negotiation,note\n" + row * 3000, encoding="utf-8")
    fifo = tmp_path / "out.jsonl"
    os.mkfifo(fifo)
    thread, got = _fifo_reader(fifo)
    result = advisor(["batch", str(path), "-j", "2", "-o", str(fifo), "-q", "--as-of", AS_OF])
    thread.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert len(got[0].splitlines()) == 3000


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
@pytest.mark.parametrize("command", ["batch -o", "--save-answers"])
def test_a_device_node_is_written_through_never_replaced(tmp_path, command):
    # Our own node with /dev/null's numbers: writes vanish, and the system's /dev/null is never touched.
    null = tmp_path / "null.yaml"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    result = advisor(_commands(tmp_path, null)[command])
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("command", ["batch -o", "letter -o"])
def test_a_descriptor_name_is_written_through(tmp_path, command):
    # What `-o >(gzip > x.gz)` passes: /dev/fd/N, a pipe this process was given.
    read_end, write_end = os.pipe()
    args = _commands(tmp_path, Path(f"/dev/fd/{write_end}"))[command]
    proc = subprocess.Popen([sys.executable, "-m", "advisor", *args], pass_fds=(write_end,),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        data = fh.read()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert len(data) > 100


def test_save_answers_into_a_folder_is_a_clear_error(tmp_path):
    folder = tmp_path / "answers"
    folder.mkdir()
    result = advisor(["assess", *CASE, "-f", "json", "--save-answers", str(folder), "--lang", "en"])
    assert result.returncode == 2
    err = result.stderr.decode()
    assert f"cannot write {folder}: Is a directory" in err and "Traceback" not in err
    assert leftovers(tmp_path) == [] and list(folder.iterdir()) == []


def test_the_rules_cache_on_a_full_disk_leaves_no_temp_file(tmp_path):
    cache = tmp_path / "cache"
    result = advisor(["rules", "list"], limit=1000, env={"ADVISOR_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stderr
    assert [p.name for p in cache.rglob("*") if p.is_file()] == []  # the cache could not be written: nothing


def _wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_and_sighup_clean_up_as_ctrl_c_does(tmp_path, sig, code):
    out = tmp_path / "out.jsonl"
    out.write_text(OLD)
    proc = subprocess.Popen(
        [sys.executable, "-m", "advisor", "batch", "-", "-o", str(out), "--as-of", AS_OF],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert proc.stdin is not None
    proc.stdin.write(b"id,overdue_days,amount,platform,negotiation\n" + b"x,45,5000,hb,none\n" * 2000)
    proc.stdin.flush()  # stdin stays open: the run waits for more rows
    parts = lambda: [p for p in tmp_path.iterdir() if p.name.endswith(".part")]  # noqa: E731
    _wait_for(lambda: bool(parts()) and parts()[0].stat().st_size > 0)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert b"Traceback" not in err
    assert out.read_text() == OLD and parts() == []


@pytest.fixture(scope="module")
def big_input(tmp_path_factory) -> Path:
    """Enough rows for a two-worker run to last a few seconds: time to signal it midway."""
    path = tmp_path_factory.mktemp("big") / "big.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("id,overdue_days,amount,platform,negotiation\n")
        fh.writelines(f"C{n},{n % 400},{n % 90000 + 1},{('花呗', '银行', '小贷')[n % 3]},none\n" for n in range(100_000))
    return path


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as fh:
        return [int(p) for p in fh.read().split()]


@pytest.mark.parametrize("whom", ["the whole group", "one worker", "one worker, SIGKILL"])
def test_sigterm_stops_parallel_workers_and_cleans_up(tmp_path, big_input, whom):
    """SIGTERM, or a worker killed by SIGKILL (the system short of memory: said so, not "Cancelled")."""
    out = tmp_path / "out.csv"
    out.write_text(OLD)
    proc = subprocess.Popen(
        [sys.executable, "-m", "advisor", "batch", str(big_input), "-j", "2", "-o", str(out), "--as-of", AS_OF],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ, PYTHONPATH=str(ROOT)),
        start_new_session=True,
    )
    try:
        parts = lambda: [p for p in tmp_path.iterdir() if p.name.endswith(".part")]  # noqa: E731
        _wait_for(lambda: len(_children(proc.pid)) >= 2 and bool(parts()) and parts()[0].stat().st_size > 200)
        workers = _children(proc.pid)
        if whom.startswith("one worker"):
            os.kill(workers[0], signal.SIGKILL if whom.endswith("SIGKILL") else signal.SIGTERM)
        else:
            os.killpg(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    killed = whom.endswith("SIGKILL")
    assert proc.returncode == (137 if killed else 143), err
    assert b"Traceback" not in err and b"internal" not in err
    assert ("内存不足" in err.decode()) is killed
    assert out.read_text() == OLD and parts() == []
    _wait_for(lambda: all(_state(w) == "Z" for w in workers))  # no worker is left running


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


# ---------------------------------------------------------------- the same promises, in process (CliRunner)


def cli_run(args: list[str]):
    from typer.testing import CliRunner

    from advisor import cli

    return CliRunner().invoke(cli.app, args, catch_exceptions=False)


@pytest.mark.parametrize("command", COMMANDS)
def test_in_process_writes_keep_permissions_follow_no_link_and_stream_into_fifos(tmp_path, command):
    kept = tmp_path / f"kept{SUFFIX[command]}"
    kept.write_text(OLD)
    kept.chmod(0o640)
    assert cli_run(_commands(tmp_path, kept)[command]).exit_code == 0
    assert kept.read_text() != OLD and stat.S_IMODE(kept.stat().st_mode) == 0o640  # replacing keeps the mode

    victim, link = tmp_path / "victim.txt", tmp_path / f"link{SUFFIX[command]}"
    victim.write_text(OLD)
    link.symlink_to(victim)
    assert cli_run(_commands(tmp_path, link)[command]).exit_code == 0
    assert victim.read_text() == OLD and not link.is_symlink()

    fifo = tmp_path / f"fifo{SUFFIX[command]}"
    os.mkfifo(fifo)
    thread, got = _fifo_reader(fifo)
    assert cli_run(_commands(tmp_path, fifo)[command]).exit_code == 0
    thread.join(timeout=30)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and got[0]
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_in_process_a_folder_or_a_full_disk_is_one_line_and_the_old_file_stays(tmp_path, command):
    folder = tmp_path / f"folder{SUFFIX[command]}"
    folder.mkdir()
    result = cli_run([*_commands(tmp_path, folder)[command], "--lang", "en"])
    assert result.exit_code == 2 and f"cannot write {folder}: Is a directory" in result.stderr

    target = tmp_path / f"out{SUFFIX[command]}"
    target.write_text(OLD)
    args = [*_commands(tmp_path, target)[command], "--lang", "en"]
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (40, hard))  # only the soft limit: it can be put back
    try:
        result = cli_run(args)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    assert result.exit_code == 2 and f"cannot write {target}: File too large" in result.stderr
    assert target.read_text() == OLD
    assert leftovers(tmp_path) == []
