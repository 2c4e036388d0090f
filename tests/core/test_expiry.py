"""The renewal rule counts every second of the time left, days included (issue 17, "what the
suite misses": ``timedelta.seconds`` instead of ``total_seconds()`` survived a test that moved the
clock exactly 3 days, where both give the same answer).

``AccessToken.needs_renewal`` directly, and through ``core.token.diff`` as the provider runs it:
a token 3 days and 5 minutes from its end with a 10-minute margin is kept; a margin that crosses
the day boundary, and a token already expired, are judged by the total; hypothesis checks the
rule against plain arithmetic over days of either sign.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import anypoint_pulumi.core.token as lifecycle
from anypoint_pulumi.access.models import AccessToken, GrantType, rfc3339

NOW = datetime(2030, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
DAY = 86_400
BASE_URL = "https://anypoint.mulesoft.com"

CASES = [
    # (seconds left, margin, renew?)
    (3 * DAY + 300, 600, False),        # 3 days 5 min left, 10 min margin: .seconds says 300
    (3 * DAY + 900, 600, False),
    (DAY + 3600, DAY, False),           # 1 day 1 h left, 1 day margin: .seconds says 3600
    (DAY + 3600, DAY + 7200, True),     # the margin crosses the day boundary the other way
    (23 * 3600, DAY, True),
    (2 * DAY, 2 * DAY, False),          # exactly the margin left: not less than it
    (2 * DAY - 1, 2 * DAY, True),
    (-60, 600, True),                   # expired a minute ago: .seconds says 86340
    (-3 * DAY, 600, True),
    (300, 600, True),
]


def token(left: float) -> AccessToken:
    return AccessToken("a-token", "bearer", GrantType.CLIENT_CREDENTIALS,
                       NOW - timedelta(hours=1), NOW + timedelta(seconds=left), BASE_URL)


@pytest.mark.parametrize("left, margin, renew", CASES)
def test_needs_renewal_counts_whole_days(left: int, margin: int, renew: bool) -> None:
    assert token(left).needs_renewal(margin, NOW) is renew
    assert token(left).seconds_left(NOW) == left


@given(left=st.integers(-30 * DAY, 30 * DAY), margin=st.integers(0, 10 * DAY))
def test_property_needs_renewal_is_less_than_margin_left(left: int, margin: int) -> None:
    assert token(left).needs_renewal(margin, NOW) is (left < margin)


def stored(left: int, margin: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The stored outputs of a client-credentials token with ``left`` seconds to go, and the
    same inputs again (nothing but time has changed)."""
    inputs = {"client_id": "an-id", "client_secret": "a-secret", "base_url": BASE_URL,
              "renew_before_seconds": margin}
    olds = {**inputs, "access_token": "a-token", "token_type": "bearer",
            "grant_type": "client_credentials", "issued_at": rfc3339(NOW - timedelta(hours=1)),
            "expires_at": rfc3339(NOW + timedelta(seconds=left))}
    return olds, dict(inputs)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lifecycle, "utcnow", lambda: NOW)


@pytest.mark.parametrize("left, margin, renew", CASES)
def test_diff_replaces_by_the_total_time_left(frozen: None, left: int, margin: int,
                                              renew: bool) -> None:
    olds, news = stored(left, margin)

    found = lifecycle.diff(olds, news)

    assert found.replaces == (["expires_at"] if renew else [])
    assert found.updates == []
    if renew:
        [notice] = found.notices
        assert ("has expired" if left <= 0 else f"expires in {left // 60} min") in notice.message


@given(left=st.integers(-10 * DAY, 10 * DAY), margin=st.integers(0, 5 * DAY))
def test_property_diff_renews_exactly_when_less_than_the_margin_is_left(left: int,
                                                                        margin: int) -> None:
    olds, news = stored(left, margin)
    with pytest.MonkeyPatch.context() as patch:  # per example: hypothesis takes no fixture
        patch.setattr(lifecycle, "utcnow", lambda: NOW)
        found = lifecycle.diff(olds, news)

    assert ("expires_at" in found.replaces) is (left < margin)
