"""NamedTuple: typing.NamedTuple's class syntax, without typing at run time.

A warm start has little else to do than import the package and read the cached rules, and two
costs of typing.NamedTuple were a third of it: importing typing, and compiling every string
annotation of every record class into a ForwardRef no one reads. Here the annotations only give
the field names and their order, and collections.namedtuple builds the class, as typing does.
Type checkers see typing.NamedTuple itself, so a record is checked exactly as before.

Modules on the warm path (the rule load and the engine) also keep their typing imports under
`if TYPE_CHECKING:`, with TYPE_CHECKING a plain False that mypy reads as true.
"""

from __future__ import annotations

from collections import namedtuple

TYPE_CHECKING = False

# What typing.NamedTuple forbids a record class to define, and what it does not copy onto the tuple.
_PROHIBITED = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults",
                         "_make", "_replace", "_asdict", "_source"})
_SPECIAL = frozenset({"__module__", "__name__", "__annotations__", "__qualname__"})


class _NamedTupleMeta(type):
    def __new__(mcls, name: str, bases: tuple[type, ...], ns: dict[str, object]) -> type:
        if not bases:  # NamedTuple itself
            return super().__new__(mcls, name, bases, ns)
        names = list(ns.get("__annotations__", {}))  # type: ignore[call-overload]
        defaults = [ns[n] for n in names if n in ns]
        if any(n not in ns for n in names[len(names) - len(defaults):]):
            raise TypeError(f"{name}: a field without a default follows one with a default")
        record: type = namedtuple(name, names, defaults=defaults, module=str(ns["__module__"]))  # type: ignore[misc]
        record.__qualname__ = str(ns.get("__qualname__", name))
        for key, value in ns.items():
            if key in _PROHIBITED:
                raise AttributeError(f"{name}: cannot overwrite NamedTuple attribute {key}")
            if key not in _SPECIAL and key not in names:
                setattr(record, key, value)
        return record


if TYPE_CHECKING:
    from typing import NamedTuple
else:
    NamedTuple = _NamedTupleMeta("NamedTuple", (), {"__module__": __name__})

__all__ = ["TYPE_CHECKING", "NamedTuple"]
