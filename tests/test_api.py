"""The Python API gives the same record the CLI prints."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

import advisor
from advisor.errors import CaseError


def test_assess_matches_the_cli_json():
    answers = {"overdue_days": "45天", "amount": "5,000", "platform": "花呗", "negotiation": "未协商"}
    api = advisor.assess(answers, as_of=date(2026, 11, 22))
    cli = subprocess.run(
        [sys.executable, "-m", "advisor", "assess", "-d", "45天", "-a", "5,000", "-p", "花呗", "-n", "未协商",
         "--format", "json", "--as-of", "2026-11-22"],
        capture_output=True, text=True, check=True,
    )
    assert api == json.loads(cli.stdout)


def test_assess_rejects_bad_answers_naming_the_field():
    with pytest.raises(CaseError) as err:
        advisor.assess({"overdue_days": 3, "amount": "lots", "platform": "花呗", "negotiation": "none"})
    assert err.value.field == "amount"


def test_case_id_is_echoed():
    out = advisor.assess({"id": "A-7", "overdue_days": 0, "amount": 100, "platform": 1, "negotiation": 1}, lang="en")
    assert out["case"]["id"] == "A-7" and out["language"] == "en"


def test_import_is_light():
    code = "import advisor, sys; print(sorted(m for m in ('typer', 'rich', 'yaml') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


CORE = {"overdue_days": 45, "amount": "5000", "platform": "花呗", "negotiation": "none"}
CHINESE = {"编号": "A1", "逾期天数": 45, "金额": "5000", "平台": "花呗", "协商情况": "未协商"}


def test_every_function_takes_the_same_keys():
    as_of = date(2026, 5, 1)
    one = advisor.assess(CHINESE, as_of=as_of)
    assert one == next(advisor.assess_many([CHINESE], as_of=as_of))
    assert one == advisor.assess({"id": "A1", **CORE}, as_of=as_of)
    assert advisor.parse_case(CHINESE).id == "A1"


@pytest.mark.parametrize("call", [advisor.assess, advisor.parse_case])
def test_an_unknown_key_is_an_error_naming_it(call):
    with pytest.raises(CaseError) as err:
        call({**CORE, "overdue_day": 3}, lang="en")
    assert err.value.field == "overdue_day"
    assert '"overdue_day"' in str(err.value) and 'did you mean "overdue_days"' in str(err.value)


def test_assess_many_names_unknown_keys_once_in_a_warning_and_assesses_every_row():
    import warnings

    from advisor.errors import UnknownKeysWarning

    rows = [{**CHINESE, "备注": "x"}, {**CHINESE, "备注": "y"}, {**CORE, "备注": "z", "overdue_day": 3}]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        records = list(advisor.assess_many(rows, as_of=date(2026, 5, 1), lang="en"))
    assert [r["stage"] for r in records] == ["collection"] * 3  # a frame's extra columns change nothing
    found = [w for w in caught if issubclass(w.category, UnknownKeysWarning)]
    # one warning per key first met, not one per row; it points at the caller's line
    assert [w.message.names for w in found] == [["备注"], ["overdue_day"]]
    assert 'did you mean "overdue_days"' in str(found[1].message)
    assert all(w.filename == __file__ for w in found)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnknownKeysWarning)  # a script that wants the strictness of `assess`
        with pytest.raises(UnknownKeysWarning):
            list(advisor.assess_many(rows, as_of=date(2026, 5, 1)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(list(advisor.assess_many([CHINESE, CORE], as_of=date(2026, 5, 1)))) == 2  # no warning


def test_a_field_given_twice_is_an_error():
    with pytest.raises(CaseError) as err:
        advisor.assess({**CORE, "逾期天数": 4}, lang="en")
    assert err.value.field == "overdue_days" and "twice" in str(err.value)


@pytest.mark.parametrize("call", [
    lambda: advisor.assess(CORE, lang="fr"),
    lambda: advisor.parse_case(CORE, lang="fr"),
    lambda: advisor.assess_many([CORE], lang="fr"),
    lambda: advisor.assess(CORE, as_of="2026-05-01"),
    lambda: advisor.parse_case(CORE, as_of="2026-05-01"),
    lambda: advisor.assess_many([CORE], as_of="2026-05-01"),
    lambda: advisor.evaluate(advisor.parse_case(CORE), advisor.load_ruleset(), "2026-05-01"),
    lambda: advisor.evaluate(advisor.parse_case(CORE), advisor.load_ruleset(), None),
    lambda: advisor.assess([("overdue_days", 45)]),
], ids=["assess-lang", "parse-lang", "many-lang", "assess-date", "parse-date", "many-date", "evaluate-date",
        "evaluate-none", "not-a-mapping"])
def test_bad_arguments_raise_the_documented_error(call):
    from advisor.errors import AdvisorError, ArgumentError

    with pytest.raises(ArgumentError) as err:
        call()
    assert isinstance(err.value, AdvisorError) and isinstance(err.value, ValueError)


def test_a_datetime_counts_as_its_day():
    from datetime import datetime

    assert advisor.assess(CORE, as_of=datetime(2026, 5, 1, 23, 59)) == advisor.assess(CORE, as_of=date(2026, 5, 1))


def test_the_package_is_typed():
    from pathlib import Path

    assert (Path(advisor.__file__).parent / "py.typed").is_file()
