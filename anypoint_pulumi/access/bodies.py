"""Reading an answer, bounded in size, time and shape.

:func:`read_body` reads a body in chunks as they arrive (never more than one chunk per read, so
a server dripping bytes cannot keep a read busy), checks the operation's deadline between chunks,
and decompresses ``gzip`` or ``deflate`` itself, a bounded amount at a time: past
:data:`~anypoint_pulumi.access.limits.MAX_ANSWER_BYTES` of decompressed data it stops, so a
compression bomb or a huge body costs at most that much memory. :func:`parse_json` refuses JSON
nested or repeated beyond what any Access Management answer holds, instead of letting the parser
or the models recurse without end.
"""

from __future__ import annotations

import json
import zlib
from typing import Any, Protocol

from .deadline import Deadline
from .limits import MAX_ANSWER_BYTES, MAX_JSON_DEPTH, MAX_JSON_VALUES

__all__ = ["CHUNK_BYTES", "BodyRefused", "DeadlinePassed", "MalformedJson", "parse_json",
           "read_body"]

CHUNK_BYTES = 64 * 1024
"""The most read from the network at once."""


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


class _Identity:
    def feed(self, data: bytes, room: int) -> bytes:
        return data[:room]

    def flush(self, room: int) -> bytes:
        return b""


class _Inflate:
    """gzip (members one after another) or zlib/raw deflate, never producing more than asked."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in ("gzip", "x-gzip")
        self._wbits = 31 if self._gzip else 15
        self._inflater = zlib.decompressobj(self._wbits)
        self._started = False

    def feed(self, data: bytes, room: int) -> bytes:
        if not self._started and not self._gzip:
            self._started = True
            try:
                return self._inflate(data, room)
            except zlib.error:  # "deflate" sent as raw deflate, without the zlib header
                self._wbits = -15
                self._inflater = zlib.decompressobj(self._wbits)
        self._started = True
        return self._inflate(data, room)

    def _inflate(self, data: bytes, room: int) -> bytes:
        out = self._inflater.decompress(data, room)
        while self._inflater.eof and self._inflater.unused_data and len(out) < room:
            rest = self._inflater.unused_data  # another gzip member follows
            self._inflater = zlib.decompressobj(self._wbits)
            out += self._inflater.decompress(rest, room - len(out))
        return out

    def flush(self, room: int) -> bytes:
        return self._inflater.flush(max(room, 1))[:room] if not self._inflater.eof else b""


def _decoder(encoding: str) -> _Identity | _Inflate:
    name = encoding.strip().lower()
    if name in ("", "identity"):
        return _Identity()
    if name in ("gzip", "x-gzip", "deflate"):
        return _Inflate(name)
    raise BodyRefused(
        f"the answer is encoded as {encoding[:40]!r}, which this client did not ask for "
        "(it accepts gzip and deflate)")


def read_body(raw: _Raw, deadline: Deadline, limit: int = MAX_ANSWER_BYTES) -> bytes:
    """The whole decoded body of ``raw`` (read with ``decode_content=False``), at most ``limit``
    bytes; :class:`BodyRefused` past it, :class:`DeadlinePassed` once the deadline is past.
    urllib3's own errors (timeouts, broken connections) pass through."""
    headers = raw.headers
    decoder = _decoder(headers.get("Content-Encoding", "") or "")
    too_large = BodyRefused(f"the answer is larger than {_mib(limit)} (decompressed), more than "
                            "this client reads from one answer (no Access Management answer is "
                            "that large; page a request() to another API)")
    length = headers.get("Content-Length", "")
    if isinstance(decoder, _Identity) and length.strip().isdigit() and int(length) > limit:
        raise too_large
    body = bytearray()
    while True:
        if deadline.expired:
            raise DeadlinePassed
        chunk = raw.read1(CHUNK_BYTES, decode_content=False)
        if not chunk:
            break
        try:
            body += decoder.feed(chunk, limit + 1 - len(body))
        except zlib.error:
            raise BodyRefused("the answer's compressed data is corrupt") from None
        if len(body) > limit:
            raise too_large
    try:
        body += decoder.flush(limit + 1 - len(body))
    except zlib.error:
        raise BodyRefused("the answer's compressed data is corrupt") from None
    if len(body) > limit:
        raise too_large
    return bytes(body)


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


def parse_json(body: bytes) -> Any:
    """The JSON value of ``body``; :class:`MalformedJson` saying why when it is not valid JSON,
    holds more than :data:`MAX_JSON_VALUES` values, or nests deeper than
    :data:`MAX_JSON_DEPTH`."""
    if body.count(b",") + body.count(b"{") + body.count(b"[") > MAX_JSON_VALUES:
        raise MalformedJson(f"the answer holds more than {MAX_JSON_VALUES} JSON values, more than "
                            "this client reads from one answer (no Access Management answer "
                            "does; page a request() to another API)")
    problem = ""
    try:
        value = json.loads(body)
    except RecursionError:
        problem = f"the answer's JSON is nested more than {MAX_JSON_DEPTH} levels deep"
    except (ValueError, UnicodeDecodeError):
        problem = "the answer is not valid JSON"
    if problem:
        raise MalformedJson(problem)
    if _depth(value, MAX_JSON_DEPTH):
        raise MalformedJson(f"the answer's JSON is nested more than {MAX_JSON_DEPTH} levels deep")
    return value
