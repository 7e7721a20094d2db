"""Records: one row in, one record out, with the CLI's parsers and a cache of serialised records.

Why it is fast without orjson: two cases that fall in the same band of every rule condition get the
same assessment apart from the echo of the case, so each band's record is serialised once and the
echo is spliced in per row (the bands are the engine's: `partition.Partition`). Parsing goes through
`parsing.parse_answer` like every other door, memoised per raw value, so a batch accepts and rejects
exactly what `assess` does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from .. import fields
from ..engine import evaluate, lookup
from ..errors import CaseError
from ..matching import Crisis
from ..models import CORE_FIELDS, FIELD_KINDS, NO_EXTENDED, Case, plain
from ..parsing import parse_answer
from ..render.record import to_record
from ..tuples import NamedTuple
from .caseload import Caseload
from .rows import ALL_FIELDS, BrokenInput, Row, RowError
from .sinks import Format, Writer, csv_cell, csv_id, csv_text, dumps

if TYPE_CHECKING:
    from ..ruleset import RuleSet

# Answers of these kinds feed arithmetic (interest check, repayment plan, how long a record stays)
# whose exact figures are in the record: a row with any of them is keyed by its whole case.
BY_VALUE_KINDS = ("money", "percent", "date")
# Distinct raw values remembered per field, about 350 bytes each. Money, rates and dates are mostly
# distinct, so each such column fills its memo: eight memos of 20,000 took 50 MB, of 4,096 about 11.
PARSE_CACHE_LIMIT = 4_096
RESULT_CACHE_LIMIT = 10_000  # distinct band keys remembered
RESULT_CACHE_BYTES = 24 << 20  # and their records' bytes: a large rule set makes every record large


# A plain amount as spreadsheets write it (5000, 1234.5, 12,345): most amounts in a caseload are
# distinct, so the memo misses and each would take the general parser's walk (NFKC, units). For these
# the parser's value is the number itself, to the cent; tests/test_properties.py checks that the two
# agree on every such text, and anything else goes to the parser.
_PLAIN_AMOUNT = re.compile(r"(?:[1-9][0-9]{0,8}|[1-9][0-9]{0,2}(?:,[0-9]{3}){1,2})(?:\.[0-9]{1,2})?\Z")
_AMOUNT = ALL_FIELDS.index("amount")
_MAX_AMOUNT = Decimal(fields.MAX_AMOUNT)
_CENT = Decimal("0.01")


def plain_amount(raw: str) -> Decimal | None:
    """The amount a plain decimal text stands for, or None when it is not one (or out of range)."""
    if raw.isdigit() and raw.isascii() and len(raw) < 10 and raw[0] != "0":
        return Decimal(raw + ".00")  # whole yuan, the most common: written with its two places at once
    if _PLAIN_AMOUNT.match(raw) is None:
        return None
    value = Decimal(raw.replace(",", "") if "," in raw else raw).quantize(_CENT)
    return value if value <= _MAX_AMOUNT else None


class Parsed(NamedTuple):
    """One answer, parsed: its piece of the case echo, its band in the rule set, and its value."""

    echo: bytes  # e.g. b',"amount":"5000.00"'; b"" for a blank extended answer
    key: Any  # the band (partition.Partition.part)
    value: Any  # None: unknown


@dataclass(frozen=True)
class Result:
    """One assessment, serialised once: the record text after the case echo, and the CSV columns."""

    jsonl_tail: bytes  # ',"stage":…}\n' : everything after the "case" object, to the line end
    csv_tail: bytes  # ',stage,severity,…,references,' + line end : everything after the id column
    stage: str = ""  # counted for the lines on stderr at the end of a run

    @property
    def json_tail(self) -> memoryview:
        """The JSONL tail without its line end (a JSON array's element): a view, never a second copy."""
        return memoryview(self.jsonl_tail)[:-1]

    @property
    def size(self) -> int:
        return len(self.jsonl_tail) + len(self.csv_tail)


class Stop(NamedTuple):
    """Where --fail-fast stopped a run: the row, and why it was rejected."""

    row: int
    field: str | None
    message: str


@dataclass
class Summary:
    """What a run (or a part of one) came to."""

    rows: int = 0
    rejected: int = 0
    seconds: float = 0.0
    unknown: list[str] = field(default_factory=list)
    stopped: Stop | None = None
    written: bool = True
    caseload: Any = None  # the counts of a counsellor's run (batch.caseload.Caseload), when one was made
    notes: int = 0  # grouped by client: person answers that differ between a client's rows
    below: int = 0  # the CSV header's line, when a title above it was passed over

    @property
    def assessed(self) -> int:
        return self.rows - self.rejected


class Assessor:
    """Turns a row's raw answers into record pieces, with the CLI's parsers and the band-key cache."""

    def __init__(self, rules: RuleSet, as_of: date, lang: str) -> None:
        self.rules, self.as_of, self.lang = rules, as_of, lang
        self.partition = lookup(rules).partition
        self._caches = tuple(_Memo(n, self._parse) for n in range(len(ALL_FIELDS)))
        self._core_caches = self._caches[:4]
        self._amount_band = self.partition.parts["amount"]  # amount is a core answer: rules always test it
        self._results: dict[tuple[Any, ...], Result] = {}
        self._results_bytes = 0
        self._by_value = tuple(FIELD_KINDS[name] in BY_VALUE_KINDS for name in ALL_FIELDS)
        self.head = b""
        self.fast = self._check_splice()

    # The record is '{"schema_version":1,"case":' + echo + tail. Find the head from a real record, and
    # check that echoes assembled from per-field pieces match Case.echo() byte for byte, with and
    # without extended answers; if the record or the echo ever change shape, serialise every row.
    def _check_splice(self) -> bool:
        raws: dict[str, Any] = {"overdue_days": 45, "amount": "5000.5", "apr": "36%", "contract_date": "2024-03-01",
                                "lpr": "3.45", "monthly_income": "8000", "monthly_expenses": "5000",
                                "repaid_on": "2025-02-29", "other_debts": "2",
                                "received": "7000", "repaid_so_far": "3000"}
        for name in ALL_FIELDS:
            if FIELD_KINDS[name] in ("choice", "choices") and self.rules.choices(name):
                raws[name] = self.rules.choices(name)[-1]["id"]
        raws["repaid_on"] = "2000-02-29"  # a leap day, before any --as-of a run is likely to use
        samples = [{k: raws[k] for k in CORE_FIELDS}, raws]
        for sample in samples:
            parsed: list[tuple[str, Parsed]] = []
            for n, name in enumerate(ALL_FIELDS):
                if name in sample:
                    p = self._parse(n, sample[name])
                    if isinstance(p, CaseError):
                        return False
                    parsed.append((name, p))
            case = Case(id='A"1', **{name: p.value for name, p in parsed})
            record = self._record(case)
            record["case"] = "\0echo\0"
            parts = dumps(record).split(dumps("\0echo\0"))
            if len(parts) != 2:
                return False
            self.head = parts[0].encode()
            spliced = b'{"id":' + _id_json('A"1') + b"".join(p.echo for _, p in parsed) + b"}"
            if spliced != dumps(case.echo()).encode():
                return False
        return True

    def _record(self, case: Case) -> dict[str, Any]:
        return to_record(evaluate(case, self.rules, self.as_of, trace=False), self.rules, self.lang)

    def _parse(self, n: int, raw: Any) -> Parsed | CaseError:
        """Field number n's raw answer parsed, or the CaseError saying why it cannot be."""
        name = ALL_FIELDS[n]
        if n == _AMOUNT and raw.__class__ is str:
            value = plain_amount(raw)
            if value is not None:  # the common miss: one call each for the value, its echo and its band
                return _new_tuple(Parsed, (_piece(name, value), self._amount_band(value), value))
        try:
            value = parse_answer(name, raw, self.rules, self.lang, self.as_of)
        except CaseError as exc:
            return exc
        if value is None:  # a blank extended answer: unknown, as if the column were not there
            return Parsed(b"", None, None)
        key = self.partition.part(name, value)
        if name == "overdue_days" and self.partition.start is not None:  # when it began, for time-bound rules
            key = (key, self.partition.start(self.as_of - timedelta(days=value)))
        return Parsed(_piece(name, value), key, value)

    def _memo(self, n: int, raw: Any) -> Parsed | CaseError:
        """Field number n's raw answer parsed, memoised per raw value."""
        # 1, 1.0 and True are equal dict keys, yet parse differently: key non-strings by their type too; and
        # -0.0 and 0.0, or Decimal 5 and 5.00, are equal yet shown differently in a message: those by spelling.
        cls = raw.__class__
        try:
            return self._caches[n][raw if cls is str else (cls, raw, repr(raw)) if cls is float or cls is Decimal
                                   else (cls, raw)]
        except TypeError:  # an unhashable value from JSON (a list, an object): parse, do not cache
            return self._parse(n, raw)

    def _answer(self, n: int, raw: Any, case_id: str | None) -> Parsed:
        """Field number n's raw answer parsed, memoised per raw value; raises RowError when it cannot be."""
        found = self._memo(n, raw)
        if isinstance(found, CaseError):
            raise RowError(found.field, found.message, case_id)
        return found

    def assess(self, row: Row) -> tuple[bytes, Result]:
        """The case echo and the assessment for one row; raises RowError naming the first bad field."""
        core, known = self.parsed(row)
        echo_parts = core[0].echo + core[1].echo + core[2].echo + core[3].echo
        if known:
            echo_parts += b"".join(p.echo for _, p in known)
        case_id = row.case_id
        echo = b'{"id":' + (b"null" if case_id is None else _id_json(case_id)) + echo_parts + b"}"
        if not self.fast:
            return echo, serialise(self._record(self.case(core, known)))
        if not known:
            key: tuple[Any, ...] = (core[0].key, core[1].key, core[2].key, core[3].key)
        elif any(self._by_value[n] for n, _ in known):
            # A rate given per day or month equals its annual value but shows its conversion: key by both.
            key = (core[0].value, core[1].value, core[2].value, core[3].value,
                   *((n, p.value, getattr(p.value, "given", None)) for n, p in known))
        else:
            key = (core[0].key, core[1].key, core[2].key, core[3].key, *((n, p.value) for n, p in known))
        result = self._results.get(key)
        if result is None:
            result = serialise(self._record(self.case(core, known)))
            if len(self._results) >= RESULT_CACHE_LIMIT or self._results_bytes + result.size > RESULT_CACHE_BYTES:
                self._results.clear()
                self._results_bytes = 0
            self._results[key] = result
            self._results_bytes += result.size
        return echo, result

    def parsed(self, row: Row) -> tuple[list[Parsed], list[tuple[int, Parsed]]]:
        """The parsed core answers, and the extended answers given (field number, parsed); raises
        RowError naming the first bad field."""
        raws, case_id = row.core, row.case_id
        try:
            if raws[0].__class__ is raws[1].__class__ is raws[2].__class__ is raws[3].__class__ is str:
                # CSV cells, the common case: four dictionary lookups, a miss parsed by _Memo.__missing__.
                c0, c1, c2, c3 = self._core_caches
                found = [c0[raws[0]], c1[raws[1]], c2[raws[2]], c3[raws[3]]]
                for p in found:
                    if p.__class__ is not Parsed:  # a CaseError (or its subclass): the row is rejected
                        raise _rejected(p, case_id)
                core = cast("list[Parsed]", found)  # as text: no type object built per row
            else:
                core = [self._answer(n, raw, case_id) for n, raw in enumerate(raws)]
            if not row.extra:
                return core, []
            known = [(n, self._answer(n, raw, case_id)) for n, raw in row.extra]
        except RowError as error:
            raise _crisis_first(self._memo, row, error) from None
        return core, [(n, p) for n, p in known if p.value is not None]

    @staticmethod
    def case(core: list[Parsed], known: list[tuple[int, Parsed]], case_id: str | None = None) -> Case:
        if not known:  # the core answers alone: the common case, built without keyword handling
            return _new_tuple(Case, (core[0].value, core[1].value, core[2].value, core[3].value, case_id, *NO_EXTENDED))
        values = {name: p.value for name, p in zip(CORE_FIELDS, core)}
        values.update((ALL_FIELDS[n], p.value) for n, p in known)
        return Case(id=case_id, **values)


_new_tuple = tuple.__new__  # a NamedTuple's tuple built without its argument handling: the per-row path


def _crisis_first(parsed: Callable[[int, Any], Parsed | CaseError], row: Row, error: RowError) -> RowError:
    """Why a row is rejected: words saying the person may harm themselves, in any of its answers, come
    before its first bad field, so the help line is never hidden behind a mistyped figure. Looked for
    only once a row has failed (`parsed`: the memoised parse), so a good row pays nothing."""
    for n, raw in (*enumerate(row.core), *row.extra):
        if raw is not None:
            found = parsed(n, raw)
            if isinstance(found, Crisis):
                return RowError(found.field, found.message, row.case_id)
    return error


def _rejected(error: Any, case_id: str | None) -> RowError:
    return RowError(error.field, error.message, case_id)


class _Memo(dict[Any, "Parsed | CaseError"]):
    """One field's parsed answers by raw value (a non-string keyed as (type, value)); a miss parses."""

    def __init__(self, n: int, parse: Callable[[int, Any], Parsed | CaseError]) -> None:
        super().__init__()
        self._n, self._parse = n, parse

    def __missing__(self, key: Any) -> Parsed | CaseError:
        found = self._parse(self._n, key if key.__class__ is str else key[1])
        if len(self) >= PARSE_CACHE_LIMIT:
            self.clear()  # flat memory beats a perfect hit rate
        self[key] = found
        return found


def serialise(record: dict[str, Any]) -> Result:
    """A record's text after its case echo, as JSON and as CSV cells."""
    record = dict(record)
    record["case"] = "\0echo\0"
    text = dumps(record)
    json_tail = text[text.index(dumps("\0echo\0")) + len(dumps("\0echo\0")):]
    impact = record["credit_impact"]
    plan, interest = record.get("plan") or {}, record.get("interest_check") or {}
    exceeds = interest.get("exceeds")
    texts = [record["stage"], record["severity"], impact["level"], impact["reporting"],
             ";".join(c["id"] for c in record["consequences"]),
             ";".join(s["id"] for s in record["steps"]),
             ";".join(r["id"] for r in record["references"]), ""]
    numbers = [str(plan.get("months") or ""), plan.get("monthly_payment") or "",
               impact.get("retention_until") or "", "" if exceeds is None else str(exceeds).lower()]
    cells = [csv_text(c) for c in texts] + [csv_cell(c) for c in numbers]
    return Result((json_tail + "\n").encode(), ("," + ",".join(cells) + "\r\n").encode(), record["stage"])


def _piece(name: str, value: Any) -> bytes:
    """One field of the case echo as JSON, e.g. b',"amount":"5000.00"'. (Checked against Case.echo().)"""
    if name == "overdue_days":
        return b',"overdue_days":%d' % value
    if name == "amount":
        return b',"amount":"' + str(value).encode() + b'"'  # parsed amounts carry exactly two places
    piece = b"," + dumps({name: plain(value)})[1:-1].encode()
    product = getattr(value, "product", None)  # a platform named by its product (matching.ProductChoice)
    return piece if product is None else piece + b"," + dumps({"product": product})[1:-1].encode()


_PLAIN_ID = re.compile(r'[ !#-\[\]-~]*\Z')  # printable ASCII but " and \: JSON as it is


def _id_json(case_id: str) -> bytes:
    if _PLAIN_ID.match(case_id):
        return b'"' + case_id.encode() + b'"'
    return dumps(case_id).encode()


def process(rows: Iterable[Row | RowError], assessor: Assessor, fmt: Format, writer: Writer, fail_fast: bool,
            tick: Callable[[int], None] | None = None, numbered_rows: bool = True) -> Summary:
    """Assess rows into the writer: the rows read and rejected, and the row --fail-fast stopped at,
    numbered from this part's first row. The summary's caseload counts stages and why rows were
    rejected (listing their numbers only when `numbered_rows`: a worker's part does not know them)."""
    count = rejected = 0
    assess, line, numbered, head, kind = assessor.assess, writer.line, writer.numbered, assessor.head, fmt.name
    json_head = b",\n" + head
    caseload = Caseload()
    stages = caseload.counts["stage"]
    try:
        for item in rows:
            count += 1
            try:
                if isinstance(item, RowError):
                    raise item
                echo, result = assess(item)
                stages[result.stage] += 1
                if kind == "jsonl":
                    line(head + echo, result.jsonl_tail)
                elif kind == "csv":
                    numbered(b"", count, b"," + csv_id(item.case_id), result.csv_tail)
                else:
                    line(json_head + echo, result.json_tail)
            except RowError as exc:
                rejected += 1
                before, after = fmt.error_line(count, exc.case_id, exc.field, exc.message)
                numbered(before, count, after)
                caseload.reject(count if numbered_rows else 0, exc.line, fmt.headers.get(exc.field or "", exc.field or ""),
                                exc.reason)
                if fail_fast:
                    return Summary(count, rejected, stopped=Stop(count, exc.field, exc.message), caseload=caseload)
            if tick is not None and not count & 1023:
                tick(count)
    except UnicodeDecodeError as exc:
        raise BrokenInput(exc, count - 1) from exc
    caseload.rows = count
    return Summary(count, rejected, caseload=caseload)
