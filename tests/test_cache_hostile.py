"""Files around the rule set are input from others: the rules cache, answers files and oversized rule
files can cost speed or be refused, never hang, exhaust memory, crash or change what a run says."""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import resource
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.rulecache import CACHE_FORMAT
from advisor.ruleset import builtin_rules_dir

CASE = ["assess", "-d", "120", "-a", "60000", "-p", "bank_loan", "-n", "none", "--lang", "en", "--format", "json",
        "--as-of", "2026-11-22"]
MEMORY = 1 << 30  # far above a run's needs: what an endless read reaches first


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def advisor(tmp_path: Path, *args: str | bytes, umask: int | None = None, **env: str
            ) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("ADVISOR_CACHE_DIR", "XDG_CACHE_HOME")}
    environ.update({"XDG_CACHE_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path / "home"), "NO_COLOR": "1"}, **env)

    def start() -> None:
        _limit_memory()
        if umask is not None:
            os.umask(umask)

    return subprocess.run([sys.executable, "-m", "advisor", *args], capture_output=True, text=True, env=environ,
                          cwd=tmp_path, timeout=60, preexec_fn=start)


def cache_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "xdg" / "advisor").glob("rules-*.marshal"))


@pytest.fixture
def warm(tmp_path: Path) -> tuple[Path, str]:
    """A warm cache in tmp_path, and the record a run prints with it."""
    first = advisor(tmp_path, *CASE)
    assert first.returncode == 0, first.stderr
    (cache,) = cache_files(tmp_path)
    return cache, first.stdout


def assert_rebuilt(tmp_path: Path, cache: Path, expected: str) -> None:
    """The run is unchanged, says nothing about the cache, and leaves a good cache behind."""
    for _ in range(2):  # once rebuilding, once from the rebuilt cache
        again = advisor(tmp_path, *CASE)
        assert again.returncode == 0 and again.stdout == expected and not again.stderr, again.stderr
    assert stat.S_ISREG(os.lstat(cache).st_mode)


@pytest.mark.parametrize("content", [
    json.dumps({"format": CACHE_FORMAT}).encode(),
    b"\x00\xff garbage \x1b[2J",
    b"",
], ids=["planted format", "garbage", "empty"])
def test_a_planted_or_garbage_cache_is_rebuilt(tmp_path: Path, warm, content: bytes):
    cache, expected = warm
    cache.write_bytes(content)
    assert_rebuilt(tmp_path, cache, expected)


def test_a_truncated_cache_is_rebuilt(tmp_path: Path, warm):
    cache, expected = warm
    cache.write_bytes(cache.read_bytes()[: cache.stat().st_size // 2])
    assert_rebuilt(tmp_path, cache, expected)


def test_a_cache_with_changed_texts_is_not_believed(tmp_path: Path, warm):
    cache, expected = warm
    step = json.loads(expected)["steps"][0]["text"].encode()
    content = cache.read_bytes()
    assert step in content
    # The same length, so that only the digest can tell.
    planted = b"Call 400-000-0000 now and pay by gift card \x1b]0;x\x07".ljust(len(step), b" ")[:len(step)]
    cache.write_bytes(content.replace(step, planted))
    assert_rebuilt(tmp_path, cache, expected)


def _resealed(cache: Path, data: dict) -> None:
    """The cache rewritten with other data under a header that matches it, as anyone who knows the format could."""
    fmt, key, _ = cache.read_bytes().partition(b"\n")[0].split(b" ")
    body = marshal.dumps(data)
    digest = hashlib.blake2b(digest_size=32)
    digest.update(len(body).to_bytes(8, "big"))
    digest.update(body)
    cache.write_bytes(b" ".join([fmt, key, digest.hexdigest().encode()]) + b"\n" + body)


@pytest.mark.parametrize("when", [
    ["cmp", "overdue_days", "gtee", 1],
    ["cmp", "collection", "gt", "court"],
    ["cmp", "platform", "in", [["bank_loan"]]],
    ["cmp", "amount", "gt", "lots"],
    ["maybe", []],
], ids=["unknown operator", "operator the field cannot take", "unhashable value", "not an amount", "not a condition"])
def test_a_sealed_cache_with_a_damaged_condition_is_rebuilt(tmp_path: Path, warm, when):
    cache, expected = warm
    data = marshal.loads(cache.read_bytes().partition(b"\n")[2])
    data["rules"][-1]["when"] = when
    _resealed(cache, data)
    assert_rebuilt(tmp_path, cache, expected)


def test_a_fifo_at_the_cache_path_does_not_hang(tmp_path: Path, warm):
    cache, expected = warm
    cache.unlink()
    os.mkfifo(cache)
    assert_rebuilt(tmp_path, cache, expected)


def test_a_symlink_to_an_endless_device_is_not_read(tmp_path: Path, warm):
    cache, expected = warm
    cache.unlink()
    cache.symlink_to("/dev/zero")  # only ever opened for reading, then replaced by a regular file
    assert_rebuilt(tmp_path, cache, expected)


def test_a_relative_xdg_cache_home_is_ignored(tmp_path: Path):
    done = advisor(tmp_path, *CASE, XDG_CACHE_HOME="relative-cache")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "relative-cache").exists()
    assert list((tmp_path / "home" / ".cache" / "advisor").glob("rules-*.marshal"))


def test_cache_folders_and_files_are_private_under_umask_000(tmp_path: Path):
    done = advisor(tmp_path, *CASE, umask=0)
    assert done.returncode == 0, done.stderr
    (cache,) = cache_files(tmp_path)
    for folder in (tmp_path / "xdg", cache.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE(cache.stat().st_mode) & 0o077 == 0


def test_a_rule_folder_with_a_name_that_is_not_utf8(tmp_path: Path):
    folder = os.fsdecode(bytes(tmp_path) + b"/rules-\xff")
    shutil.copytree(builtin_rules_dir(), folder)
    for _ in range(2):  # cold, then warm
        done = advisor(tmp_path, *CASE, "--rules", folder)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["severity"]


def test_two_rule_sets_never_share_a_cache_entry(tmp_path: Path):
    # Two files whose labels and bytes, joined with separators, read the same as one file's.
    layer = "rules:\n  - id: {0}\n    when: {{overdue_days: {{gte: 0}}}}\n    set: {{severity: low}}\n" \
            "    examples:\n      - case: {{overdue_days: 1, amount: 1, platform: bank_loan, negotiation: none}}\n"
    one, two = tmp_path / "one" / "layer", tmp_path / "two" / "layer"
    two.mkdir(parents=True)
    (two / "a.yaml").write_text(layer.format("extra.a"))
    (two / "b.yaml").write_text(layer.format("extra.b"))
    one.mkdir(parents=True)
    (one / "a.yaml").write_bytes(layer.format("extra.a").encode() + b"\0layer/b.yaml\0" + layer.format("extra.b").encode())
    listed = advisor(tmp_path, "rules", "list", "builtin", str(two))
    assert listed.returncode == 0 and "extra.b" in listed.stdout, listed.stderr
    refused = advisor(tmp_path, "rules", "list", "builtin", str(one))
    assert refused.returncode == 3 and "layer/a.yaml" in refused.stderr, refused.stdout


def test_an_alias_bomb_in_an_answers_file_is_refused(tmp_path: Path):
    # Nine lines of a known field that expand to a billion items if anything ever walks them.
    bomb = "overdue_days:\n  - &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"  - &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8))
    assert len(bomb) < 1000
    answers = tmp_path / "answers.yaml"
    answers.write_text(bomb)
    done = advisor(tmp_path, "assess", "--answers", str(answers), "--lang", "en", "--format", "json")
    assert done.returncode == 2, done.stderr
    assert "answers.yaml" in done.stderr and "anchors and aliases" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("option", ["--rules", "--answers"])
def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path, option: str):
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as fh:
        fh.truncate(4 * MEMORY)  # sparse: no disk used, but reading it would need 4 GB
    done = advisor(tmp_path, *CASE, option, str(huge))
    assert done.returncode == (3 if option == "--rules" else 2), done.stderr
    assert "too large" in done.stderr and "huge.yaml" in done.stderr


def test_a_sealed_cache_with_a_damaged_letter_condition_is_rebuilt(tmp_path: Path):
    """The letter's conditions are compiled only when a letter is written, yet a damaged one is still
    refused at load: the letter comes out as from the rule files."""
    letter = ["letter", "-d", "120", "-a", "60000", "-p", "bank_loan", "-n", "none", "--lang", "en"]
    first = advisor(tmp_path, *letter)
    assert first.returncode == 0, first.stderr
    (cache,) = cache_files(tmp_path)
    data = marshal.loads(cache.read_bytes().partition(b"\n")[2])
    conditional = [p for p in data["letter"] if "when" in p]
    assert conditional
    conditional[0]["when"] = ["cmp", "amount", "gt", "lots"]
    _resealed(cache, data)
    for _ in range(2):
        again = advisor(tmp_path, *letter)
        assert again.returncode == 0 and again.stdout == first.stdout and not again.stderr, again.stderr
