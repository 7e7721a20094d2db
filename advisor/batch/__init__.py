"""Batch: many cases from a file, one output record per input row, in input order.

    source ─► rows (CSV / JSONL / JSON array) ─► the CLI's own parsers ─► band key ─► cached record text
                                                                                        │  + the row's echo
                                                                                        ▼
                                                         sink: JSONL / CSV / JSON array, stdout or -o FILE

The modules, each importing only those above it:

    rows       the columns that name each field, Row and RowError, the limits on a row
    csv_rows   the CSV header and records, and the damage that costs one row
    readers    one reader for every input format (`rows_from_file`), and KeyMap for mappings
    sinks      the output formats, the ordered writer, the output target, the progress bar
    records    one row in, one record out: the assessor and its caches; `process` pumps rows to a writer
    parallel   byte-range shards over worker processes
    sheets     .xlsx sheets and UTF-16 files, read as the UTF-8 CSV they hold
    caseload   counts for a caseload summary
    desk       the counsellor's run: labels, kept columns, the summary, a report and letter per client, .xlsx out
    inputs     the options, the opened input (format, encoding, spreadsheets), the CSV header
    run        one process or many, the counsellor's run or the plain one; `assess_many` for the Python API
    groups     rows sharing a client id as one household record each (`--group-by`)
    household_desk  the counsellor's outputs for households: summary by priority, reports, letters, CSV, .xlsx
"""

from .desk import DeskOptions
from .inputs import Options
from .records import Summary
from .rows import text
from .run import Totals, assess_many, run

__all__ = ["DeskOptions", "Options", "Summary", "Totals", "assess_many", "run", "text"]
