"""Scrubbing: every byte a server sends passes here before anyone sees it.

:func:`redact` masks, in any text, the known secrets in every spelling a server or a library may
echo them in -- as is, in any case (an upper-cased token); percent-encoded (either case of hex
digit, any mix of encoded and plain characters, ``+`` for a space); JSON-escaped (``\\u00e9``,
``\\/``); HTML-escaped (named or numeric); base64 (also inside ``id:secret``, the form
of HTTP Basic auth, and URL-safe base64)
-- and the patterns that carry a credential whatever its value: ``Bearer``/``Basic`` values,
credential fields (``password=``, ``"access_token": ...``, also percent-encoded) and the user
information of URLs.

A secret of fewer than :data:`MIN_MASKED_CHARS` characters cannot be masked without giving it
away (the places of the masks would spell it), so a text that contains one, in any spelling, is
withheld whole.

:func:`excerpt` makes server text fit for a message: it reads a bounded window of it, so redacting
even a 200 MB body costs no more than redacting a few kilobytes, redacts it, replaces control and
formatting characters (terminal escapes, bidirectional overrides) and trims it. :func:`excerpt_url`
does the same for a URL and drops its query and fragment.
"""

from __future__ import annotations

import base64
import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from .limits import MIN_MASKED_CHARS, SHOWN_CHARS, SHOWN_WINDOW

__all__ = [
    "MIN_MASKED_CHARS",
    "REDACTED",
    "SHOWN_WINDOW",
    "WITHHELD",
    "excerpt",
    "excerpt_url",
    "masker",
    "redact",
    "without_userinfo",
]

REDACTED = "***"
WITHHELD = "[withheld: may hold a short secret]"
_ENCODED_PER_CHAR = 12
"""The longest spelling of one character: ``%F4%8F%BF%BF`` or ``\\uDBFF\\uDFFF``."""

_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")
_AUTHORIZATION = re.compile(
    r"(?i)\b(?:bearer\s+([A-Za-z0-9._~+/=-]+)|basic\s+([A-Za-z0-9+/_-]{6,}={0,2}))")
_FIELD_NAMES = (r"access_token|refresh_token|id_token|client_secret|password|passwd|"
                r"SAMLResponse|assertion|token")
_TOKEN_FIELDS = re.compile(
    rf"(?i)(?:[\"']|\\\"|&quot;)?(?:{_FIELD_NAMES})(?:[\"']|\\\"|&quot;)?\s*[:=]\s*"
    r"(?:[\"']|\\\"|&quot;)?([^\"'&\s,;}<]+)")
_BASE64_CHAR = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_")
_PERCENT = r"(?P<pct>(?:%[0-9A-Fa-f]{2})+)|(?P<plus>\+)"
_JSON = (r"\\u(?P<u>[0-9A-Fa-f]{4})(?:\\u(?P<low>[dD][c-fC-F][0-9A-Fa-f]{2}))?"
         r"|\\(?P<c>[\\/\"'bfnrt])")
_HTML = (r"&(?:#(?P<dec>[0-9]{1,7})|#[xX](?P<hex>[0-9A-Fa-f]{1,6})|(?P<name>amp|lt|gt|quot|apos))"
         r";?")
_VIEWS = (
    (re.compile(f"{_PERCENT}|{_JSON}|{_HTML}"), " "),
    (re.compile(f"{_PERCENT}|{_JSON}|{_HTML}"), "+"),
    (re.compile(_PERCENT), " "),
    (re.compile(_PERCENT), "+"),
    (re.compile(_JSON), "+"),
    (re.compile(_HTML), "+"),
)
"""How a text is decoded to look for secrets in it: every escape family at once, and each on its
own (a secret may itself hold what looks like another family's escape), ``+`` read both ways."""
_ESCAPE_MARKS = ("%", "\\", "&", "+")
"""What every escape of :data:`_VIEWS` starts with: a text without any is its only view."""
_JSON_CHARS = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


@dataclass(frozen=True)
class _Decoded:
    """A text with its escapes decoded, and where each decoded character came from."""

    text: str
    starts: list[int]
    """Decoded index where each piece begins (ascending)."""
    origins: list[tuple[int, int, bool]]
    """Per piece: its start and end in the original, and whether it maps character for
    character (a plain run) or as a whole (an escape)."""

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span that decoded characters ``start:end`` came from."""
        return self._at(start)[0], self._at(end - 1)[1]

    def _at(self, index: int) -> tuple[int, int]:
        piece = bisect.bisect_right(self.starts, index) - 1
        o_start, o_end, plain = self.origins[piece]
        if plain:
            at = o_start + index - self.starts[piece]
            return at, at + 1
        return o_start, o_end


def _unescape(match: re.Match[str], plus: str) -> str:
    group = match.lastgroup
    if group == "pct":
        raw = bytes.fromhex(match.group("pct").replace("%", ""))
        return raw.decode("utf-8", "surrogateescape")
    if group in ("u", "low"):
        high = int(match.group("u"), 16)
        low = match.group("low")
        if low is not None and 0xD800 <= high <= 0xDBFF:
            return chr(0x10000 + ((high - 0xD800) << 10) + (int(low, 16) - 0xDC00))
        return chr(high) + (chr(int(low, 16)) if low is not None else "")
    if group == "c":
        char = match.group("c")
        return _JSON_CHARS.get(char, char)
    if group in ("dec", "hex"):
        code = int(match.group("dec"), 10) if group == "dec" else int(match.group("hex"), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)
    if group == "name":
        return _ENTITIES[match.group("name").lower()]
    return plus


def _decode(text: str, escapes: re.Pattern[str], plus: str) -> _Decoded:
    """``text`` with the ``escapes`` decoded (``+``, when one of them, read as ``plus``)."""
    pieces: list[str] = []
    starts: list[int] = []
    origins: list[tuple[int, int, bool]] = []
    length = 0
    done = 0
    for match in escapes.finditer(text):
        if match.start() > done:
            starts.append(length)
            origins.append((done, match.start(), True))
            pieces.append(text[done:match.start()])
            length += match.start() - done
        value = _unescape(match, plus)
        if value:
            starts.append(length)
            origins.append((match.start(), match.end(), False))
            pieces.append(value)
            length += len(value)
        done = match.end()
    if done < len(text) or not starts:
        starts.append(length)
        origins.append((done, len(text), True))
        pieces.append(text[done:])
    return _Decoded("".join(pieces), starts, origins)


@lru_cache(maxsize=256)
def _base64_cores(secret: str) -> tuple[str, ...]:
    """The base64 characters that ``secret`` alone decides, wherever it starts in the encoded
    bytes (so ``base64("id:" + secret)`` contains one of them), in both alphabets."""
    raw = secret.encode("utf-8", "surrogatepass")
    cores = []
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + raw).decode("ascii")
        core = encoded[(8 * pad + 5) // 6: (8 * (pad + len(raw))) // 6]
        if len(core) >= MIN_MASKED_CHARS:
            cores += [core, core.translate(str.maketrans("+/", "-_"))]
    return tuple(dict.fromkeys(cores))


@lru_cache(maxsize=256)
def _any_case(secret: str) -> re.Pattern[str]:
    return re.compile(re.escape(secret), re.IGNORECASE)


def _find_any_case(haystack: str, needle: str) -> Iterable[tuple[int, int]]:
    """Where ``needle`` occurs in ``haystack`` in any case (overlapping occurrences too)."""
    pattern = _any_case(needle)
    at = 0
    while True:
        found = pattern.search(haystack, at)
        if found is None:
            return
        yield found.span()
        at = found.start() + 1


def _find_all(haystack: str, needle: str) -> Iterable[tuple[int, int]]:
    at = haystack.find(needle)
    while at >= 0:
        yield at, at + len(needle)
        at = haystack.find(needle, at + 1)


def _grow_base64(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a base64 match by the characters that share bits with the secret: up to two
    before it, up to two after it and the padding."""
    for _ in range(2):
        if start > 0 and text[start - 1] in _BASE64_CHAR:
            start -= 1
    for _ in range(4):
        if end < len(text) and (text[end] in _BASE64_CHAR or text[end] == "="):
            end += 1
    return start, end


def _masks(text: str, secrets: tuple[str, ...]) -> list[tuple[int, int]] | None:
    """Spans of ``text`` to mask, or ``None`` when a too-short secret appears in it."""
    escaped = any(mark in text for mark in _ESCAPE_MARKS)
    views = [_decode(text, escapes, plus) for escapes, plus in _VIEWS] if escaped else []
    spans: list[tuple[int, int]] = []
    for secret in secrets:
        short = len(secret) < MIN_MASKED_CHARS
        hits = [*_find_any_case(text, secret)]
        for view in views:
            hits += [view.span(*hit) for hit in _find_any_case(view.text, secret)]
        if hits and short:
            return None
        spans += hits
        if short:
            continue
        for core in _base64_cores(secret):
            found = [*_find_all(text, core)]
            for view in views:
                found += [view.span(*hit) for hit in _find_all(view.text, core)]
            spans += [_grow_base64(text, *hit) for hit in found]
    for pattern in (_AUTHORIZATION, _TOKEN_FIELDS):
        for match in pattern.finditer(text):
            group = next(g for g in range(1, (pattern.groups or 0) + 1) if match.group(g))
            spans.append(match.span(group))
        for view in views:
            for match in pattern.finditer(view.text):
                group = next(g for g in range(1, (pattern.groups or 0) + 1) if match.group(g))
                spans.append(view.span(*match.span(group)))
    spans += [(m.start(), m.end() - 1) for m in _USERINFO.finditer(text)]
    return spans


def _apply(text: str, spans: list[tuple[int, int]], limit: int) -> str:
    """``text[:limit]`` with each span (merged where they touch) replaced by the mask."""
    out: list[str] = []
    done = 0
    for start, end in sorted(spans):
        if start >= limit:
            break
        if start < done:  # overlaps the previous mask: extend it
            done = max(done, min(end, limit))
            continue
        out += [text[done:start], REDACTED]
        done = min(end, limit)
    out.append(text[done:limit])
    return "".join(out)


def _known(secrets: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(sorted({s for s in secrets if isinstance(s, str) and s}, key=len,
                        reverse=True))


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every known secret (in any spelling), bearer and basic credentials,
    credential fields and URL user information masked; :data:`WITHHELD` instead when a secret
    shorter than :data:`MIN_MASKED_CHARS` appears in it. Linear in the length of ``text``."""
    return masker(secrets)(text)


def masker(secrets: Iterable[str | None] = ()) -> Callable[[str], str]:
    """:func:`redact` for these ``secrets``, prepared once for many texts (every string of an
    answer)."""
    known = _known(secrets)
    suspect = _suspect(known).search

    def mask(text: str) -> str:
        if not suspect(text.casefold()):  # nothing in it could be masked: the common case
            return text
        spans = _masks(text, known)
        return WITHHELD if spans is None else _apply(text, spans, len(text))

    return mask


@lru_cache(maxsize=64)
def _suspect(secrets: tuple[str, ...]) -> re.Pattern[str]:
    """What a case-folded text must hold for :func:`_masks` to find anything in it: a secret or
    one of its base64 cores, an escape mark (the decoded views exist only then), or what a
    credential pattern starts with. A text without any is returned as it is, in one search
    (an answer of 200,000 strings is masked in a fraction of a second, not in seconds)."""
    needles = [*secrets, *(core for secret in secrets for core in _base64_cores(secret)),
               *_ESCAPE_MARKS, "://", "bearer", "basic", *_FIELD_NAMES.split("|")]
    # Case-folded on both sides (faster than IGNORECASE, and it folds at least as much).
    return re.compile("|".join(re.escape(needle.casefold()) for needle in needles))


def _printable(text: str) -> str:
    """Control, formatting and unassigned characters (terminal escapes, bidi overrides) as
    spaces, then runs of white space as one space."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def excerpt(text: str, secrets: Iterable[str | None] = (), limit: int = SHOWN_CHARS) -> str:
    """Server text fit for a message: at most :data:`SHOWN_WINDOW` characters read, redacted
    (as :func:`redact`), control characters replaced, white space collapsed, trimmed to
    ``limit`` characters (an ellipsis marks a cut). Bounded in time whatever the text's size."""
    known = _known(secrets)
    reach = SHOWN_WINDOW + _ENCODED_PER_CHAR * max((len(s) for s in known), default=0)
    window = text[:reach]
    spans = _masks(window, known)
    if spans is None:
        return WITHHELD[:limit]
    # Redact before collapsing white space: a secret may itself hold spaces or line breaks.
    cleaned = _printable(_apply(window, spans, min(len(window), SHOWN_WINDOW)))
    cut = len(text) > SHOWN_WINDOW
    if len(cleaned) > limit or cut:
        cleaned = cleaned[: limit - 1].rstrip() + "…"
    return cleaned


def without_userinfo(url: str) -> str:
    """``url`` with its user information (``user:password@``) masked, however malformed the URL.
    With ``scheme://``, whatever comes before the last ``@`` of the authority (up to the first
    ``/``, ``\\``, ``?`` or ``#``); without it (``https//…``, ``user:pw@host``), whatever comes
    before the last ``@`` ahead of any ``?`` or ``#``: more is masked than needed rather than
    a password shown."""
    scheme = url.find("://")
    start, stops = (0, "?#") if scheme < 0 else (scheme + 3, "/\\?#")
    end = len(url)
    for stop in stops:
        at = url.find(stop, start)
        if 0 <= at < end:
            end = at
    at = url.rfind("@", start, end)
    return url if at < 0 else url[:start] + REDACTED + url[at:]


def excerpt_url(url: str, secrets: Iterable[str | None] = (), limit: int = SHOWN_CHARS) -> str:
    """A URL a server sent (a redirect's ``Location``), fit for a message: without user
    information, query or fragment, then as :func:`excerpt`."""
    url = without_userinfo(url[:SHOWN_WINDOW])  # also where urlsplit sees no authority
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        netloc = f"[{host}]" if ":" in host else host
        if parts.port is not None:
            netloc += f":{parts.port}"
        bare = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
        if parts.query or parts.fragment:
            bare += "?…" if parts.query else "#…"
    except ValueError:
        bare = url
    return excerpt(bare, secrets, limit)
