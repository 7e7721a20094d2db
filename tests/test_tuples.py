"""advisor.tuples.NamedTuple behaves as typing.NamedTuple does for the records the package declares."""

from __future__ import annotations

import pickle

import pytest

from advisor.models import Assessment, FiredRule
from advisor.tuples import NamedTuple


class Point(NamedTuple):
    """A point."""

    x: int
    y: int = 0
    label: str | None = None

    def moved(self, dx: int) -> Point:
        return self._replace(x=self.x + dx)

    @property
    def far(self) -> bool:
        return abs(self.x) > 10


def test_fields_defaults_methods_and_docstring_are_kept():
    p = Point(3)
    assert p == (3, 0, None) and isinstance(p, tuple)
    assert Point._fields == ("x", "y", "label") and Point._field_defaults == {"y": 0, "label": None}
    assert p.moved(20) == Point(23) and p.moved(20).far and not p.far
    assert Point.__doc__ == "A point." and Point.__name__ == "Point"
    assert Point.__module__ == __name__ and Point.__qualname__ == "Point"
    assert Point(x=1, label="a")._asdict() == {"x": 1, "y": 0, "label": "a"}
    with pytest.raises(AttributeError):
        p.x = 5  # type: ignore[misc]


def test_records_pickle_as_the_batch_workers_send_them():
    assert pickle.loads(pickle.dumps(Point(1, 2, "b"))) == Point(1, 2, "b")
    fired = FiredRule("r1", ())
    assert pickle.loads(pickle.dumps(fired)) == fired
    assert Assessment.__module__ == "advisor.models"


def test_a_field_without_a_default_after_one_with_a_default_is_refused():
    with pytest.raises(TypeError, match="without a default"):
        class Bad(NamedTuple):  # noqa: F841 - only its definition is tested
            a: int = 0
            b: int


def test_what_a_namedtuple_may_not_redefine_is_refused():
    with pytest.raises(AttributeError, match="_replace"):
        class Bad(NamedTuple):  # noqa: F841
            a: int

            def _replace(self) -> None: ...
