"""The bounded memory of used SAML responses and JWT ids (:class:`SeenOnce`): never more than its
capacity, a key refused while remembered, expired keys forgotten before live ones."""

from __future__ import annotations

import math
from collections import OrderedDict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anypoint_pulumi.emulator.replay import SeenOnce, digest


def test_a_key_is_used_once() -> None:
    seen = SeenOnce(capacity=3)

    assert seen.use("a", until=10, now=0)
    assert not seen.use("a", until=10, now=1)
    assert seen.seen("a") and not seen.seen("b")


def test_one_used_key_among_several_refuses_them_all_and_remembers_none_of_the_new() -> None:
    seen = SeenOnce(capacity=10)
    seen.use("response-1", until=10, now=0)

    assert not seen.use("response-2", "response-1", until=10, now=0)
    assert not seen.seen("response-2")


def test_when_full_expired_keys_go_before_live_ones() -> None:
    seen = SeenOnce(capacity=3)
    seen.use("old-live", until=math.inf, now=0)
    seen.use("expired-1", until=5, now=0)
    seen.use("expired-2", until=6, now=0)

    assert seen.use("new", until=100, now=10)
    assert seen.use("newer", until=100, now=10)

    assert seen.seen("old-live", "new", "newer")
    assert not seen.seen("expired-1") and not seen.seen("expired-2")


def test_when_full_of_live_keys_the_oldest_goes() -> None:
    seen = SeenOnce(capacity=2)
    for key in ("a", "b", "c"):
        seen.use(key, until=math.inf, now=0)

    assert len(seen) == 2
    assert not seen.seen("a") and seen.seen("b") and seen.seen("c")


def test_keys_are_kept_as_fixed_size_digests() -> None:
    seen = SeenOnce(capacity=2)
    seen.use("x" * 1_000_000, until=1, now=0)

    assert list(seen._until) == [digest("x" * 1_000_000)]
    assert digest("ab", "c") != digest("a", "bc")


def test_a_capacity_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="capacity"):
        SeenOnce(capacity=0)


operations = st.lists(st.tuples(st.sampled_from("abcdefghij"),
                                st.floats(min_value=0, max_value=50) | st.just(math.nan)),
                      max_size=60)


@settings(max_examples=200, deadline=None)
@given(capacity=st.integers(min_value=1, max_value=6), ops=operations)
def test_it_behaves_like_a_bounded_model(capacity: int, ops: list[tuple[str, float]]) -> None:
    """Against a plain model: the time moves forward one step per use; a key is refused exactly
    while the model remembers it; the size never passes the capacity."""
    seen = SeenOnce(capacity=capacity)
    model: OrderedDict[str, float] = OrderedDict()
    for now, (key, until) in enumerate(ops):
        until = math.inf if math.isnan(until) else until
        fresh = key not in model
        assert seen.use(key, until=until, now=now) == fresh
        if fresh:
            if len(model) >= capacity:
                for old in [k for k, u in model.items() if u <= now]:
                    del model[old]
            if len(model) >= capacity:
                model.popitem(last=False)
            model[key] = until
        assert len(seen) <= capacity
        assert all(seen.seen(k) for k in model)
        assert set(seen._until) == {digest(k) for k in model}
