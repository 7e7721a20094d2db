"""The person's answers when several rows give them: a batch grouped by client has one row per debt,
and any of a client's rows may carry the answers about the person (income, expenses, hardship…).

The first row that gives an answer gives it for the household. A later row giving a different value
does not change it, but it is not passed over in silence: the household record's `notes` names that
row, the column (as the header wrote it) and both values, in the person's language; a value that cannot
be read is an error on any row, as on the first. Worries are the
exception: a worry named on any row is the person's worry, so the household answers all of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from .errors import CaseError
from .parsing import field_name, is_blank, parse_answer

if TYPE_CHECKING:
    from .ruleset import RuleSet

ADDED_UP = ("concerns",)  # answers whose values on several rows add up rather than differ


def merge_person(given: Sequence[tuple[int, Mapping[str, Any]]], rules: RuleSet, lang: str,
                 headers: Mapping[str, str], as_of: date | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The person's raw answers from (row number, that row's person answers) in row order, and a note
    for each later value that differs from the first. A value that cannot be read, on any row, is a
    CaseError with `row`."""
    person: dict[str, Any] = {}
    first: dict[str, tuple[int, Any, Any]] = {}  # field -> (row, raw value, parsed value)
    added: dict[str, list[str]] = {}
    notes: list[dict[str, Any]] = []
    for row, answers in given:
        for field, raw in answers.items():
            if is_blank(raw):
                continue
            try:
                value = parse_answer(field, raw, rules, lang, as_of)
            except CaseError as exc:
                # On any row, as on the first: a value that cannot be read is a mistake to show the person
                # (it may be the one they meant), not a difference to note while the first one is used.
                column = headers.get(field) or field_name(field, rules, lang)
                error = CaseError(field, f"{column}{'：' if lang == 'zh' else ': '}{exc.message}")
                error.row = row  # type: ignore[attr-defined]
                raise error from None
            if field in ADDED_UP:
                known = added.setdefault(field, [])
                known.extend(v for v in sorted(value) if v not in known)
                continue
            if field not in first:
                first[field] = (row, raw, value)
                person[field] = raw
            elif value != first[field][2]:
                notes.append(_note(field, row, raw, first[field], rules, lang, headers))
    for field, values in added.items():
        person[field] = values
    return person, notes


def _note(field: str, row: int, raw: Any, first: tuple[int, Any, Any], rules: RuleSet, lang: str,
          headers: Mapping[str, str]) -> dict[str, Any]:
    column = headers.get(field) or field_name(field, rules, lang)
    first_row, first_raw, _ = first
    text = rules.message("household_differs", lang, row=row, column=column, value=raw, first=first_raw,
                         first_row=first_row)
    return {"row": row, "column": column, "field": field, "value": _plain(raw), "first_row": first_row,
            "first": _plain(first_raw), "text": text}


def _plain(raw: Any) -> Any:
    return raw if raw is None or isinstance(raw, (str, int, float, bool)) else str(raw)
