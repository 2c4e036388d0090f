"""Reading an answer, bounded in size, time and shape.

:func:`read_body` reads a body in chunks as they arrive (never more than one chunk per read, so
a server dripping bytes cannot keep a read busy) and checks the operation's deadline between
chunks. ``gzip`` and ``deflate`` are decompressed by urllib3 (2.6.3 and later), which decodes no
more than the amount asked per read and keeps the rest compressed: past
:data:`~anypoint_pulumi.access.limits.MAX_ANSWER_BYTES` of decompressed data reading stops, so a
compression bomb or a huge body costs at most that much memory (the hostile-server figures
measure it). :func:`parse_json` refuses JSON nested or repeated beyond what any Access Management
answer holds, and NaN or Infinity, which JSON does not allow.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn, Protocol

from urllib3.exceptions import DecodeError

from .deadline import Deadline
from .limits import CHUNK_BYTES, MAX_ANSWER_BYTES, MAX_JSON_DEPTH, MAX_JSON_VALUES

__all__ = ["BodyRefused", "DeadlinePassed", "MalformedJson", "parse_json",
           "read_body"]

class BodyRefused(Exception):
    """The body cannot be used: too large, or encoded in a way this client did not ask for."""


class DeadlinePassed(Exception):
    """The operation's deadline passed while the body was still arriving."""


class MalformedJson(Exception):
    """The body is not JSON this client can use; the text says why (never the body)."""


class _Raw(Protocol):
    """What :func:`read_body` needs of ``urllib3.HTTPResponse``."""

    @property
    def headers(self) -> Any: ...

    def read1(self, amt: int | None = None, decode_content: bool | None = None) -> bytes: ...


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB"


_ENCODINGS = frozenset({"", "identity", "gzip", "x-gzip", "deflate"})
"""What the client accepts (it sends ``Accept-Encoding: gzip, deflate``)."""


def read_body(raw: _Raw, deadline: Deadline, limit: int = MAX_ANSWER_BYTES) -> bytes:
    """The whole decoded body of ``raw``, at most ``limit`` bytes; :class:`BodyRefused` past it,
    :class:`DeadlinePassed` once the deadline is past. urllib3's own errors (timeouts, broken
    connections) pass through."""
    headers = raw.headers
    encoding = str(headers.get("Content-Encoding", "") or "").strip().lower()
    if encoding not in _ENCODINGS:
        raise BodyRefused(
            f"the answer is encoded as {encoding[:40]!r}, which this client did not ask for "
            "(it accepts gzip and deflate)")
    too_large = BodyRefused(f"the answer is larger than {_mib(limit)} (decompressed), more than "
                            "this client reads from one answer (no Access Management answer is "
                            "that large; page a request() to another API)")
    length = str(headers.get("Content-Length", "") or "")
    if encoding in ("", "identity") and length.strip().isdigit() and int(length) > limit:
        raise too_large
    body = bytearray()
    while True:
        if deadline.expired:
            raise DeadlinePassed
        try:  # decodes at most CHUNK_BYTES; what is left stays compressed in urllib3
            chunk = raw.read1(CHUNK_BYTES, decode_content=True)
        except DecodeError:
            _corrupt()
        if not chunk:
            return bytes(body)
        body += chunk
        if len(body) > limit:
            raise too_large


def _corrupt() -> NoReturn:
    raise BodyRefused("the answer's compressed data is corrupt") from None


def _depth(value: Any, limit: int) -> bool:
    """Whether ``value`` nests deeper than ``limit`` (iteratively: no recursion to exhaust)."""
    todo: list[tuple[Any, int]] = [(value, 1)]
    while todo:
        item, level = todo.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if level > limit:
            return True
        todo.extend((child, level + 1) for child in children
                    if isinstance(child, (dict, list)))
    return False


class _NotJson(Exception):
    pass


def _not_json(name: str) -> NoReturn:
    """``json``'s hook for ``NaN``, ``Infinity`` and ``-Infinity``: refused."""
    raise _NotJson(name)


def parse_json(body: bytes) -> Any:
    """The JSON value of ``body``; :class:`MalformedJson` saying why when it is not valid JSON,
    holds more than :data:`MAX_JSON_VALUES` values, nests deeper than
    :data:`MAX_JSON_DEPTH`, or holds NaN or Infinity."""
    if body.count(b",") + body.count(b"{") + body.count(b"[") > MAX_JSON_VALUES:
        raise MalformedJson(f"the answer holds more than {MAX_JSON_VALUES} JSON values, more than "
                            "this client reads from one answer (no Access Management answer "
                            "does; page a request() to another API)")
    problem = ""
    try:
        value = json.loads(body, parse_constant=_not_json)
    except _NotJson:
        problem = "the answer holds NaN or Infinity, which JSON does not allow"
    except RecursionError:
        problem = f"the answer's JSON is nested more than {MAX_JSON_DEPTH} levels deep"
    except (ValueError, UnicodeDecodeError):
        problem = "the answer is not valid JSON"
    if problem:
        raise MalformedJson(problem)
    if _depth(value, MAX_JSON_DEPTH):
        raise MalformedJson(f"the answer's JSON is nested more than {MAX_JSON_DEPTH} levels deep")
    return value
