from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FACTS = ROOT.parent / "shared" / "domain" / "FACTS.md"


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    # Tests never touch the user's cache folder.
    os.environ["ADVISOR_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    os.environ.pop("ADVISOR_LANG", None)


@pytest.fixture(scope="session")
def rules():
    from advisor.ruleset import load_ruleset

    return load_ruleset()


@pytest.fixture(scope="session")
def mini():
    from advisor.ruleset import load_ruleset

    return load_ruleset([FIXTURES / "mini"])
