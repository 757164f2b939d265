"""Records: small classes whose equality, hash and repr come from their fields.

``@dataclass`` writes each class's methods as source text and compiles them when the module
is imported: about 1 ms a class here, half of what ``import labkit`` cost before the classes
on ``labkit.start()``'s path became records (issue 17). A record writes its own ``__init__``,
whose parameters are its fields, in order, and lists the same names in ``__slots__`` (checked
when the class is made); the rest comes from here, once, and behaves as a dataclass's:

- ``repr``: ``Name(field=value, ...)`` in ``__init__``'s order;
- ``==``: same class and equal fields; a ``Record`` is then unhashable, as a dataclass with
  ``eq=True`` is;
- ``FrozenRecord``: assigning or deleting a field raises ``dataclasses.FrozenInstanceError``
  (its ``__init__`` sets fields with ``object.__setattr__``); hashable by its fields;
- ``replace(record, field=value)``: a copy with those fields changed, through ``__init__``;
- copies and pickles (``copy.copy``, the exercise runner's pipe) rebuild through ``__init__``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:  # for type checkers only: typing_extensions costs milliseconds to import
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: object) -> Any:
        return lambda cls: cls


R = TypeVar("R", bound="Record")


class Record:
    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls) -> None:
        if "__init__" not in cls.__dict__:  # FrozenRecord: a base without fields of its own
            return
        code = cls.__init__.__code__
        cls._fields = code.co_varnames[1 : code.co_argcount]
        if sorted(cls._fields) != sorted(cls.__dict__.get("__slots__", ())):
            raise TypeError(f"{cls.__qualname__}: __slots__ must name __init__'s parameters")

    def _values(self) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in self._fields])

    def __repr__(self) -> str:
        fields = ", ".join([f"{name}={getattr(self, name)!r}" for name in self._fields])
        return f"{type(self).__qualname__}({fields})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._values() == other._values()

    def __reduce__(self) -> tuple[type[Record], tuple[Any, ...]]:
        return type(self), self._values()


@dataclass_transform(frozen_default=True)  # so that mypy, too, refuses an assignment
class FrozenRecord(Record):
    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise frozen(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise frozen(f"cannot delete field {name!r}")

    def __hash__(self) -> int:
        return hash(self._values())


def frozen(message: str) -> Exception:
    """``dataclasses.FrozenInstanceError(message)``, what assigning to a frozen field raises.

    ``dataclasses`` is imported by the first such mistake, not by every lab's import: nothing
    else on a lab's path uses it, and importing it ran 1.85 M instructions of each lab process."""
    from dataclasses import FrozenInstanceError

    return FrozenInstanceError(message)


def replace(record: R, **changes: Any) -> R:
    """A new record like ``record`` with ``changes`` (as ``dataclasses.replace``)."""
    unknown = set(changes) - set(record._fields)
    if unknown:
        raise TypeError(f"{type(record).__qualname__} has no field {sorted(unknown)[0]!r}")
    make: Any = type(record)
    new: R = make(*[changes.get(name, getattr(record, name)) for name in record._fields])
    return new
