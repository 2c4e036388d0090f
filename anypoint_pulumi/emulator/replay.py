"""Bounded memories for the emulator: what was already used once (SAML responses, JWT ``jti``)
and the last JWT assertions received.

Both hold a fixed number of entries whatever arrives, so a client (or an attacker on loopback)
cannot grow the emulator's memory without limit. :class:`SeenOnce` keeps a SHA-256 digest of each
key (never the key itself: a key may be large, and an assertion id is no business of a heap dump)
with the moment after which a replay would be refused anyway (the credential has expired).
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict, deque

MAX_SEEN = 10_000
"""How many used SAML responses (and, separately, JWT ``jti``) an emulator remembers."""
MAX_KEPT_ASSERTIONS = 256
"""How many of the last JWT bearer assertions :attr:`Store.jwt_assertions` keeps."""


def digest(*parts: str) -> str:
    """A fixed-size key for ``parts`` (joined unambiguously)."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


class SeenOnce:
    """A bounded set of used keys, each remembered until it expires or space runs out.

    :meth:`use` answers whether a key is new and remembers it. When full, entries whose expiry
    has passed go first (a replay of them is refused as expired anyway); if none has, the oldest
    entry goes, so a replay older than :attr:`capacity` uses is no longer detected (documented).
    The sweep for expired entries runs at most once per earliest expiry: bounded time per use.
    """

    def __init__(self, capacity: int | None = None) -> None:
        capacity = MAX_SEEN if capacity is None else capacity
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._until: OrderedDict[str, float] = OrderedDict()
        self._next_sweep = -math.inf

    def __len__(self) -> int:
        return len(self._until)

    def seen(self, *keys: str) -> bool:
        """Whether any of ``keys`` was used already."""
        return any(digest(key) in self._until for key in keys)

    def use(self, *keys: str, until: float, now: float) -> bool:
        """Remember ``keys`` as used until ``until`` (epoch seconds); ``False`` (and nothing
        remembered) when one of them was used already."""
        hashed = [digest(key) for key in keys]
        if any(h in self._until for h in hashed):
            return False
        until = math.inf if math.isnan(until) else until
        for h in hashed:
            if len(self._until) >= self.capacity:
                self._make_room(now)
            self._until[h] = until
        self._next_sweep = min(self._next_sweep, until)
        return True

    def _make_room(self, now: float) -> None:
        if now >= self._next_sweep:
            expired = [h for h, until in self._until.items() if until <= now]
            for h in expired:
                del self._until[h]
            self._next_sweep = min(self._until.values(), default=math.inf)
        if len(self._until) >= self.capacity:
            self._until.popitem(last=False)


def kept_assertions() -> deque[str]:
    """The bounded log of received JWT assertions (oldest dropped first)."""
    return deque(maxlen=MAX_KEPT_ASSERTIONS)
