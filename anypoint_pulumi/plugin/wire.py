"""The plugin's wire format <-> the core's plain values, in one place.

On the wire (``pulumi.provider.experimental``): camelCase names, ``PropertyValue``s, numbers as
floats, a value not known yet as the engine's sentinel string, secrets as ``is_secret``. In the
core: snake_case names, plain Python values, ``core.UNKNOWN``. Names go through
:func:`~anypoint_pulumi.plugin.schema.camel` only.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.runtime.rpc import UNKNOWN as WIRE_UNKNOWN

from .schema import camel

__all__ = ["WIRE_UNKNOWN", "Plain", "from_wire", "is_unknown", "result_to_wire", "to_wire"]


class Plain:
    """Plain values read off the wire: ``values`` by snake_case name, which arrived secret, and
    the camelCase names no declaration knows (refused by Check)."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.secret: set[str] = set()
        self.unknown_names: list[str] = []


def is_unknown(value: PropertyValue) -> bool:
    """Whether a wire value is not known yet (the sentinel string, or ``Computed``)."""
    return isinstance(value.value, Computed) or value.value == WIRE_UNKNOWN


def _plain(value: PropertyValue, unknown: object) -> Any:
    if is_unknown(value):
        return unknown
    inner = value.value
    if isinstance(inner, Mapping):
        return {key: _plain(item, unknown) for key, item in inner.items()}
    if isinstance(inner, Sequence) and not isinstance(inner, str):
        return [_plain(item, unknown) for item in inner]
    if isinstance(inner, float) and inner.is_integer() and math.isfinite(inner):
        return int(inner)  # the wire has only floats; the core reads whole numbers as ints
    return inner


def from_wire(props: Mapping[str, PropertyValue], names: Mapping[str, str],
              unknown: object) -> Plain:
    """Wire properties as plain snake_case values (``names``: camelCase -> snake_case);
    internal keys (``__defaults``…) are dropped, and unknown values become ``unknown``."""
    plain = Plain()
    for key, value in props.items():
        if key.startswith("__"):
            continue
        name = names.get(key)
        if name is None:
            plain.unknown_names.append(key)
            continue
        if value.value is None and not value.is_secret:
            continue
        plain.values[name] = _plain(value, unknown)
        if value.contains_secret():
            plain.secret.add(name)
    return plain


def _wire(value: Any, unknown: object, secret: bool = False) -> PropertyValue:
    if value is unknown:
        return PropertyValue(WIRE_UNKNOWN, is_secret=secret)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return PropertyValue(value, is_secret=secret)
    if isinstance(value, (int, float)):
        return PropertyValue(float(value), is_secret=secret)  # the wire has only floats
    if isinstance(value, Mapping):
        return PropertyValue({str(key): _wire(item, unknown) for key, item in value.items()},
                             is_secret=secret)
    if isinstance(value, (list, tuple)):
        return PropertyValue([_wire(item, unknown) for item in value], is_secret=secret)
    raise TypeError(f"no wire form for a {type(value).__name__}")


def to_wire(values: Mapping[str, Any], secret: Iterable[str],
            unknown: object) -> dict[str, PropertyValue]:
    """Plain snake_case values as wire properties, the ``secret`` names marked secret; ``None``
    values are left out."""
    hidden = set(secret)
    return {camel(name): _wire(value, unknown, name in hidden)
            for name, value in values.items() if value is not None}


def result_to_wire(result: Any, unknown: object, secret: bool) -> dict[str, PropertyValue]:
    """A data function's result (a dataclass) as wire properties: field names in camelCase at
    every depth, unset (``None``) fields left out, the data it carries (an API's headers and
    body, JSON nulls included) as it is."""

    def convert(value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {camel(item.name): convert(getattr(value, item.name))
                    for item in dataclasses.fields(value)
                    if getattr(value, item.name) is not None}
        if isinstance(value, (list, tuple)):
            return [convert(item) for item in value]
        return value

    converted = convert(result)
    if not isinstance(converted, dict):
        raise TypeError(f"a data function returned a {type(result).__name__}, not a dataclass")
    return {key: _wire(value, unknown, secret) for key, value in converted.items()
            if value is not None}
