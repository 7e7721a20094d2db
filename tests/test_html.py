"""The report as a web page: standalone (nothing fetched), complete, and laid out for a phone and a desk."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

CASE = ["assess", "-d", "95", "-a", "62000", "-p", "信用卡", "-n", "failed", "--legal-status", "demand_letter"]


def advisor(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "advisor", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "COLUMNS": "80"}, check=False)


class _Page(HTMLParser):
    """Collects what a browser would fetch or run, and the text a reader sees."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.fetches: list[str] = []
        self.meta: dict[str, str] = {}
        self.text: list[str] = []
        self.lang = ""
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.lang = a.get("lang") or ""
        if tag in ("script", "img", "link", "iframe", "object", "embed", "video", "audio", "source", "base", "form"):
            self.fetches.append(tag)
        for name in ("src", "href", "srcset", "action", "poster", "data"):
            if a.get(name):
                self.fetches.append(f"{tag}[{name}]")
        if tag == "meta":
            key = a.get("http-equiv") or a.get("name") or ("charset" if "charset" in a else "")
            self.meta[key.lower()] = a.get("content") or a.get("charset") or ""
        self._style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if self._style:
            if "url(" in data or "@import" in data:
                self.fetches.append("css")
        else:
            self.text.append(data)


def _page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def test_the_page_fetches_nothing_and_says_so_to_the_browser():
    out = advisor(*CASE, "--format", "html")
    assert out.returncode == 0, out.stderr
    page = _page(out.stdout)
    assert out.stdout.startswith("<!DOCTYPE html>")
    assert page.fetches == []
    assert "default-src 'none'" in page.meta["content-security-policy"]
    assert page.meta["charset"] == "utf-8" and "width=device-width" in page.meta["viewport"]
    assert page.lang == "zh-CN"
    assert {"main", "header", "section", "h1", "h2", "ol", "ul", "footer"} <= set(page.tags)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_holds_everything_the_json_record_holds(lang):
    record = json.loads(advisor(*CASE, "--lang", lang, "--format", "json").stdout)
    html = advisor(*CASE, "--lang", lang, "--format", "html").stdout
    text = "".join(_page(html).text)
    for item in record["steps"] + record["consequences"]:
        assert item["text"] in text, item["id"]
    for ref in record["references"]:
        assert ref["title"] in text
        assert all(line in text for line in ref["text"].splitlines()), ref["id"]
    assert record["credit_impact"]["summary"] in text and record["disclaimer"] in text


def test_save_writes_the_same_page(tmp_path):
    target = tmp_path / "报告.html"
    saved = advisor(*CASE, "--format", "json", "--save", str(target))
    assert saved.returncode == 0, saved.stderr
    assert target.read_text(encoding="utf-8") == advisor(*CASE, "--format", "html").stdout


def test_svg_is_withdrawn_with_a_pointer_to_the_page(tmp_path):
    out = advisor(*CASE, "--save", str(tmp_path / "r.svg"))
    assert out.returncode == 2
    assert "r.html" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "r.svg").exists()


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _browser(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    browser = _chromium()
    assert browser
    return subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.skipif(_chromium() is None, reason="no Chromium on this machine: the HTML checks above still run")
@pytest.mark.parametrize(("width", "height"), [(360, 740), (1024, 768)])
def test_a_browser_shows_the_page_without_sideways_scrolling(tmp_path, width, height):
    html = advisor(*CASE, "--format", "html").stdout
    # The page runs no script (its policy forbids it); this copy adds one that measures the layout.
    probe = html.replace('http-equiv="Content-Security-Policy"', 'name="policy-removed-for-the-probe"').replace(
        "</body>", "<script>document.body.dataset.overflow = String(document.documentElement.scrollWidth"
                   " - document.documentElement.clientWidth);</script></body>")
    page = tmp_path / "probe.html"
    page.write_text(probe, encoding="utf-8")
    dom = _browser(tmp_path, f"--window-size={width},{height}", "--dump-dom", page.as_uri())
    assert 'data-overflow="0"' in dom.stdout, dom.stdout[-500:] + dom.stderr[-500:]
    record = json.loads(advisor(*CASE, "--format", "json").stdout)
    assert record["steps"][0]["text"] in dom.stdout

    shot = tmp_path / "page.png"
    real = tmp_path / "page.html"
    real.write_text(html, encoding="utf-8")
    _browser(tmp_path, f"--window-size={width},{height}", f"--screenshot={shot}", real.as_uri())
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (width, height)


def test_rule_texts_are_page_text_never_markup(tmp_path):
    # A rule layer from someone else tries to put a script, an image and a stylesheet into the page.
    evil = '<script>alert(1)</script><img src="http://example.invalid/x.png"><link rel=stylesheet href=//x>'
    layer = tmp_path / "layer.yaml"
    text = json.dumps(evil)
    layer.write_text(f"steps:\n  - {{id: keep_records, override: true, text: {{zh: {text}, en: {text}}}}}\n",
                     encoding="utf-8")
    out = advisor(*CASE, "--rules", "builtin", "--rules", str(layer), "--format", "html")
    assert out.returncode == 0, out.stderr
    page = _page(out.stdout)
    assert page.fetches == []
    assert evil in "".join(page.text)  # shown to the reader as written
