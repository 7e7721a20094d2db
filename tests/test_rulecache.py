"""The rules cache on a warm start: the rule files' stats find it without reading them, and no edit
goes unseen, whatever it keeps of a file's size and times."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

import advisor.rulecache as rulecache
import advisor.ruleset as ruleset
from advisor.ruleset import builtin_rules_dir, load_ruleset

DISCLAIMER = "disclaimer"


@pytest.fixture
def rules_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the built-in rules, a private cache folder, and files old enough to be vouched for by
    their stats at once (a copy just made would otherwise be hashed for its first seconds)."""
    copy = tmp_path / "rules"
    shutil.copytree(builtin_rules_dir(), copy)
    monkeypatch.setenv("ADVISOR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(rulecache, "SETTLED_SECONDS", 0.0)
    return copy


def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The rule files a load reads, by label."""
    seen: list[str] = []
    real = ruleset.read_source
    monkeypatch.setattr(ruleset, "read_source", lambda path, label: seen.append(label) or real(path, label))
    return seen


def ui_text(rules: ruleset.RuleSet) -> str:
    return rules.text(DISCLAIMER, "en")


def test_a_warm_load_reads_no_rule_file(rules_copy: Path, monkeypatch: pytest.MonkeyPatch):
    first = load_ruleset([rules_copy])
    seen = reads(monkeypatch)
    again = load_ruleset([rules_copy])
    assert seen == [] and again.data == first.data
    assert len(list((rules_copy.parent / "cache").glob("stamp-*"))) == 1


def test_an_edit_that_keeps_size_and_modification_time_is_seen(rules_copy: Path, monkeypatch: pytest.MonkeyPatch):
    # Only the change time, which no program can set back, tells this edit apart.
    before = ui_text(load_ruleset([rules_copy]))
    ui = rules_copy / "ui.yaml"
    text = ui.read_text(encoding="utf-8")
    assert "not legal advice" in text
    times = os.stat(ui)
    ui.write_text(text.replace("not legal advice", "NOT LEGAL ADVICE"), encoding="utf-8")
    os.utime(ui, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert os.stat(ui).st_size == times.st_size and os.stat(ui).st_mtime_ns == times.st_mtime_ns
    seen = reads(monkeypatch)
    after = ui_text(load_ruleset([rules_copy]))
    assert seen and "NOT LEGAL ADVICE" in after and after != before


def test_a_file_added_or_removed_is_seen(rules_copy: Path, monkeypatch: pytest.MonkeyPatch):
    count = len(load_ruleset([rules_copy]).rules)
    extra = rules_copy / "rules" / "zz-extra.yaml"
    shutil.copy(rules_copy / "rules" / "severity.yaml", extra)
    extra.write_text(extra.read_text(encoding="utf-8").replace("id: severity.", "id: extra.severity."),
                     encoding="utf-8")
    assert len(load_ruleset([rules_copy]).rules) > count
    extra.unlink()
    assert len(load_ruleset([rules_copy]).rules) == count


def test_files_changed_in_the_last_seconds_are_hashed_not_vouched_for(rules_copy: Path,
                                                                      monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(rulecache, "SETTLED_SECONDS", 3600.0)  # every file changed "just now"
    load_ruleset([rules_copy])
    cache = rules_copy.parent / "cache"
    assert list(cache.glob("rules-*.marshal")) and not list(cache.glob("stamp-*"))
    seen = reads(monkeypatch)
    load_ruleset([rules_copy])
    assert seen  # read and hashed again: the cache is found by content


def test_a_stamp_naming_another_rule_set_is_not_believed(rules_copy: Path, monkeypatch: pytest.MonkeyPatch):
    load_ruleset([rules_copy])
    cache = rules_copy.parent / "cache"
    (stamp,) = cache.glob("stamp-*")
    stamp.write_bytes(f"{rulecache.CACHE_FORMAT} {'0' * 64}".encode())  # no such cache: rebuilt by content
    rules = load_ruleset([rules_copy])
    assert "not legal advice" in ui_text(rules)
    stamp.write_bytes(b"\x1b[2J" * 40)
    assert ui_text(load_ruleset([rules_copy])) == ui_text(rules)


def test_old_caches_are_pruned_to_the_newest(rules_copy: Path):
    cache = rules_copy.parent / "cache"
    cache.mkdir(mode=0o700)
    past = time.time() - 86400
    for n in range(rulecache.KEEP_CACHES + 5):
        older_version = "json" if n < 3 else "marshal"  # caches of earlier versions go the same way
        for name in (f"rules-{n:064x}.{older_version}", f"stamp-{n:064x}"):
            (cache / name).write_bytes(b"old")
            os.utime(cache / name, (past + n, past + n))
    load_ruleset([rules_copy])
    assert len(list(cache.glob("rules-*"))) == rulecache.KEEP_CACHES and not list(cache.glob("rules-*.json"))
    assert len(list(cache.glob("stamp-*"))) == rulecache.KEEP_CACHES
    assert not (cache / f"rules-{0:064x}.marshal").exists()  # the oldest go first
    assert load_ruleset([rules_copy]).rules  # the rule set just written is among those kept
