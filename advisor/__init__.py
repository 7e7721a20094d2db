"""advisor: what an overdue loan means for you, your credit report, and what to do now.

The Python API. Imports stay light: nothing here pulls in typer, rich or yaml.

    >>> import advisor
    >>> result = advisor.assess({"overdue_days": 45, "amount": "5000", "platform": "花呗", "negotiation": "none"})
    >>> result["stage"]
    'collection'
"""

from __future__ import annotations

from .tuples import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from typing import Any

    from .api import RECHECK_SECONDS as RECHECK_SECONDS
    from .api import assess as assess
    from .api import assess_household as assess_household
    from .api import assess_many as assess_many
    from .api import default_ruleset as default_ruleset
    from .api import evaluate as evaluate
    from .api import parse_case as parse_case
    from .fields import LANGS as LANGS
    from .ruleset import RuleSet

__all__ = ["__version__", "assess", "assess_household", "assess_many", "evaluate", "load_ruleset", "parse_case"]


def load_ruleset(paths: list[Any] | None = None) -> RuleSet:
    from .ruleset import load_ruleset as _load

    return _load(paths)


# Where the rest of the API lives: imported on first use, so that `import advisor` (and the CLI's
# `--version`) stays light, then kept here, so that a call made in a loop finds its function at once.
_LAZY = {"assess": "api", "assess_household": "api", "assess_many": "api", "evaluate": "api", "parse_case": "api",
         "default_ruleset": "api", "RECHECK_SECONDS": "api", "LANGS": "fields"}


def __getattr__(name: str) -> Any:
    home = _LAZY.get(name)
    if home is None:
        raise AttributeError(f"module 'advisor' has no attribute {name!r}")
    from importlib import import_module

    value = globals()[name] = getattr(import_module(f"{__name__}.{home}"), name)
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
