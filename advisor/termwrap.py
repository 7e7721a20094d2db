"""Text for a terminal: its width, and messages and questions wrapped to it without splitting a word,
a Chinese phrase or a choice's name."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable


def terminal_width() -> int:
    """The width prompts are wrapped to: $COLUMNS, else the terminal the prompts go to, else 80."""
    try:
        return max(int(os.environ["COLUMNS"]), 20)
    except (KeyError, ValueError):
        pass
    try:
        return max(os.get_terminal_size(sys.stderr.fileno()).columns, 20)
    except (AttributeError, OSError, ValueError):
        return 80


# A run of Chinese between punctuation: in a list of choices or examples, a word or a label.
_CJK_RUN = re.compile(r"[\u4e00-\u9fff/（）0-9]+")


def _wrap(text: str, width: int, keep_words: bool, labels: tuple[str, ...] = ()) -> list[str]:
    """wrap_lines, but with keep_words no short run of Chinese (a label, an example) is split: each
    stands in as one Latin-like word of the same width while the line is broken."""
    from rich.cells import cell_len

    from .render.rich_text import wrap_lines

    if not keep_words:
        return wrap_lines(text, width)
    kept: dict[str, str] = {}

    def hold(match: re.Match[str]) -> str:
        run = match.group(0)
        if not re.search(r"[\u4e00-\u9fff]", run) or cell_len(run) > width // 2:
            return run
        token = f"Q{len(kept)}".ljust(cell_len(run), "q")
        kept[token] = run
        return token

    for label in labels:  # a choice's label, whole, as long as it fits on a line
        if label in text and cell_len(label) <= width:
            token = f"Q{len(kept)}".ljust(cell_len(label), "q")
            kept[token] = label
            text = text.replace(label, token)
    lines = wrap_lines(_CJK_RUN.sub(hold, text), width)
    out = []
    for line in lines:
        for token, run in sorted(kept.items(), key=lambda kv: -len(kv[0])):
            line = line.replace(token, run)
        out.append(line)
    return out


def wrapped(line: str, width: int, labels: tuple[str, ...] = ()) -> list[str]:
    """One prompt line wrapped with a hanging indent; a choice's label is never split."""
    from rich.cells import cell_len

    if cell_len(line) <= width:
        return [line]
    stripped = line.lstrip(" ")
    indent = " " * (len(line) - len(stripped))
    number, _, rest = stripped.partition(" ")
    if number[:-1].isdigit() and number.endswith("."):  # "3. label — note"
        hang = indent + " " * (len(number) + 1)
        room = max(width - len(hang), 10)
        label, dash, note = rest.partition(" — ")
        head = f"{indent}{number} {label} —"
        if dash and cell_len(head) <= width:  # the label whole on its line, the note below it
            return [head, *(hang + r for r in _wrap(note, room, False))]
        body = _wrap(rest, room, True, labels)
        return [f"{indent}{number} {body[0]}", *(hang + r for r in body[1:])]
    hang = indent + (" " if stripped.startswith("(") else "")
    if not indent and _PHRASE_END.search(stripped):  # a message: break between its phrases
        return _phrases(stripped, width)
    body = _wrap(stripped, max(width - len(hang), 10), bool(indent))
    return [indent + body[0], *(hang + r for r in body[1:])]


# Where a message may break: after a space or a Chinese phrase's punctuation. A choice such as
# 银行贷款（bank_loan） or a suggestion such as 30天 is one piece, never split across lines.
# Not after 、 or around " / ", which join the parts of one name (威胁、恐吓或辱骂, 小额贷款公司 / 网络小贷),
# nor after "3 ", a choice's number.
_PHRASE_END = re.compile(r"(?<=[；，。：;,！？])|(?<=[^\d/] )(?!/ )")


def _phrases(text: str, width: int, hang: str = "") -> list[str]:
    """`text` as lines of at most `width` cells, broken only between phrases (a piece longer than a
    line is cut where it must); lines after the first start with `hang`."""
    from rich.cells import cell_len

    lines: list[str] = []
    line = ""
    for piece in _PHRASE_END.split(text):
        room = width - (cell_len(hang) if lines else 0)
        if line and cell_len(line + piece.rstrip()) > room:
            lines.append(line.rstrip())
            line = ""
            room = width - cell_len(hang)
        while cell_len(piece.rstrip()) > room:  # one piece wider than a line: cut it
            cut = _cut(piece, room)
            lines.append(piece[:cut].rstrip())
            piece = piece[cut:]
        line += piece
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return [lines[0], *(hang + rest for rest in lines[1:])]


def _cut(piece: str, room: int) -> int:
    """Where to cut a piece wider than the line: after a choice's number, else after a space that is
    not part of a name's " / ", else before an opening bracket (a name and its id), else where it
    must, but never so that closing punctuation starts a line."""
    from rich.cells import cell_len

    fits = max([n for n in range(1, len(piece)) if cell_len(piece[:n]) <= room] or [1])
    numbers = [n for n in range(2, fits + 1) if piece[n - 1] == " " and piece[n - 2].isdigit()]
    spaces = [n for n in range(fits, 1, -1) if piece[n - 1] == " " and "/" not in (piece[n - 2], piece[n])]
    brackets = [n for n in range(fits, 1, -1) if piece[n] in "（("]
    if numbers or spaces or brackets:
        return (numbers or spaces or brackets)[0]
    while fits > 1 and piece[fits] in "；，。、：）)”":
        fits -= 1
    return fits


def fit_message(text: str, width: int) -> str:
    """An error message wrapped to the width with a hanging indent, no word or short name split."""
    out = []
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        indent = line[: len(line) - len(stripped)]
        out += [indent + row for row in _phrases(stripped, max(width - len(indent), 10), "  ")]
    return "\n".join(out)


def wrapping(say: Callable[[str], None], width: int) -> Callable[[str], None]:
    """`say`, with every line wrapped to the width: the greeting, refusals, the offer to save."""
    def said(text: str) -> None:
        say("\n".join(out for line in text.split("\n") for out in wrapped(line, width)))

    return said

