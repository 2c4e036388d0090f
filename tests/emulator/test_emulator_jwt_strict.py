"""The JWT bearer grant is at least as strict as the README says (issue 17, class 13): time claims
are finite numbers, no clock skew in the future, an assertion (its ``jti``) is exchanged once; and
what it remembers is bounded (class 14)."""

from __future__ import annotations

import json
import math
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import jwt
import pytest
import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from anypoint_pulumi.emulator import Emulator, jwtgrant, replay
from anypoint_pulumi.emulator.jwtgrant import MAX_ASSERTION_CHARS, MAX_LIFETIME_SECONDS, Refusal

TOKEN_PATH = "/accounts/api/v2/oauth2/token"
GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
AUDIENCE = "http://127.0.0.1:1" + TOKEN_PATH
NOW = 1_900_000_000.0
"""The emulator's clock in the tests that call :func:`jwtgrant.verify` directly."""

Post = Callable[..., requests.Response]
FIXTURE = HealthCheck.function_scoped_fixture


@pytest.fixture(scope="module")
def offline() -> Emulator:
    """An emulator that is never started: its store judges assertions in-process."""
    return Emulator()


def claims_for(emu: Emulator, now: float, **changes: Any) -> dict[str, Any]:
    demo = emu.demo
    claims: dict[str, Any] = {
        "iss": demo.jwt_client_id, "aud": AUDIENCE,
        "sub": f"v2|{demo.jwt_identity_provider_id}|{demo.jwt_username}",
        "iat": int(now), "exp": int(now) + 180, "jti": str(uuid.uuid4())}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not ...}


def sign(emu: Emulator, claims: dict[str, Any]) -> str:
    """Sign ``claims`` as they are, NaN and huge integers included (PyJWT writes them as JSON)."""
    return jwt.encode(claims, emu.jwt_private_key, algorithm="RS256")


def judge(emu: Emulator, claims: dict[str, Any], now: float = NOW) -> Any:
    with emu._store.lock:
        return jwtgrant.verify(emu._store, sign(emu, claims), AUDIENCE,
                               datetime.fromtimestamp(now, timezone.utc))


def refused(judged: Any, words: str) -> bool:
    return isinstance(judged, Refusal) and judged.status == 400 and words in judged.description


# Time claims are finite numbers -------------------------------------------------------------------

NOT_FINITE: list[Any] = [math.nan, math.inf, -math.inf, 10**400, "1900000100", True, None,
                         [NOW + 60], {"seconds": NOW + 60}]


@pytest.mark.parametrize("value", NOT_FINITE, ids=repr)
@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
def test_a_time_claim_that_is_not_a_finite_number_is_refused_naming_it(
        offline: Emulator, claim: str, value: Any) -> None:
    judged = judge(offline, claims_for(offline, NOW, **{claim: value}))

    assert refused(judged, f"assertion {claim} must be a finite number of seconds")


def test_exp_nan_is_refused_over_http_without_a_token(emu: Emulator, url: Callable[[str], str]
                                                     ) -> None:
    now = emu.now().timestamp()
    claims = claims_for(emu, now, aud=emu.base_url + TOKEN_PATH, exp=math.nan)
    assertion = sign(emu, claims)
    assert "NaN" in json.dumps(claims)  # what went over the wire

    response = requests.post(url(TOKEN_PATH), data={"grant_type": GRANT, "assertion": assertion},
                             timeout=5)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description":
                               "assertion exp must be a finite number of seconds since the epoch"}
    assert emu.tokens_issued() == 0


json_values = st.recursive(
    st.none() | st.booleans() | st.text(max_size=8)
    | st.floats(allow_nan=True, allow_infinity=True) | st.integers(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                               max_size=3),
    max_leaves=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[FIXTURE])
@given(exp=json_values)
@example(exp=math.nan)
@example(exp=NOW + MAX_LIFETIME_SECONDS + 30)
@example(exp=10**400)
@example(exp=NOW + 60)
def test_any_exp_is_accepted_only_when_it_is_a_finite_time_in_the_next_five_minutes(
        offline: Emulator, exp: Any) -> None:
    judged = judge(offline, claims_for(offline, NOW, exp=exp))

    number = isinstance(exp, (int, float)) and not isinstance(exp, bool)
    if number and NOW < exp <= NOW + MAX_LIFETIME_SECONDS:  # NaN compares False
        assert isinstance(judged, jwtgrant.Accepted)
    else:
        assert isinstance(judged, Refusal) and judged.status == 400


# No forward clock skew: the README says "iat/nbf not in the future", exp "at most five minutes" ---


@settings(max_examples=40, deadline=None, suppress_health_check=[FIXTURE])
@given(ahead=st.floats(min_value=-3600, max_value=3600, allow_nan=False),
       claim=st.sampled_from(["iat", "nbf"]))
def test_iat_and_nbf_are_accepted_up_to_now_and_refused_a_moment_later(
        offline: Emulator, ahead: float, claim: str) -> None:
    judged = judge(offline, claims_for(offline, NOW, **{claim: NOW + ahead}))

    if NOW + ahead > NOW:
        assert refused(judged, f"assertion {claim} is in the future")
    else:
        assert isinstance(judged, jwtgrant.Accepted)


@pytest.mark.parametrize("claim", ["iat", "nbf"])
@pytest.mark.parametrize("ahead", [0.001, 1, 59, 60])
def test_no_skew_is_allowed_for_iat_or_nbf(offline: Emulator, claim: str, ahead: float) -> None:
    assert refused(judge(offline, claims_for(offline, NOW, **{claim: NOW + ahead})),
                   "is in the future")


@pytest.mark.parametrize("ahead, accepted", [(MAX_LIFETIME_SECONDS, True),
                                             (MAX_LIFETIME_SECONDS + 0.5, False),
                                             (MAX_LIFETIME_SECONDS + 1, False),
                                             (MAX_LIFETIME_SECONDS + 60, False)])
def test_exp_may_lie_five_minutes_ahead_and_not_a_second_more(
        offline: Emulator, ahead: float, accepted: bool) -> None:
    judged = judge(offline, claims_for(offline, NOW, exp=NOW + ahead))

    assert isinstance(judged, jwtgrant.Accepted) == accepted
    if not accepted:
        assert refused(judged, "too far ahead (at most 5 minutes)")


# A jti is exchanged once -----------------------------------------------------------------------


@pytest.fixture
def grant(url: Callable[[str], str]) -> Post:
    def send(assertion: str) -> requests.Response:
        return requests.post(url(TOKEN_PATH), data={"grant_type": GRANT, "assertion": assertion},
                             timeout=5)

    return send


def live_claims(emu: Emulator, **changes: Any) -> dict[str, Any]:
    return claims_for(emu, time.time(), aud=emu.base_url + TOKEN_PATH, **changes)


def test_the_same_assertion_twice_is_refused_the_second_time(emu: Emulator, grant: Post) -> None:
    assertion = sign(emu, live_claims(emu))

    first, second = grant(assertion), grant(assertion)

    assert first.status_code == 200
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    assert "assertion already used" in second.json()["error_description"]
    assert "new jti" in second.json()["error_description"]
    assert emu.tokens_issued() == 1


def test_a_new_assertion_reusing_a_jti_is_refused(emu: Emulator, grant: Post) -> None:
    claims = live_claims(emu)
    assert grant(sign(emu, claims)).status_code == 200

    again = grant(sign(emu, {**claims, "exp": claims["exp"] - 1}))

    assert again.status_code == 400 and "already used" in again.json()["error_description"]


def test_fresh_jtis_sign_in_every_time(emu: Emulator, grant: Post) -> None:
    answers = [grant(sign(emu, live_claims(emu))).status_code for _ in range(5)]

    assert answers == [200] * 5


def test_without_a_jti_the_same_assertion_is_still_refused_twice(emu: Emulator,
                                                                  grant: Post) -> None:
    assertion = sign(emu, live_claims(emu, jti=...))
    other = sign(emu, live_claims(emu, jti=..., exp=int(time.time()) + 170))

    assert [grant(assertion).status_code, grant(assertion).status_code,
            grant(other).status_code] == [200, 400, 200]


def test_a_refused_assertion_is_not_used_up(emu: Emulator, grant: Post) -> None:
    emu.add_user("paused", "unused", enabled=False,
                 identity_provider_id=emu.demo.jwt_identity_provider_id)
    claims = live_claims(emu)
    sub = f"v2|{emu.demo.jwt_identity_provider_id}|paused"

    assert grant(sign(emu, {**claims, "sub": sub})).status_code == 403
    assert grant(sign(emu, claims)).status_code == 200  # the same jti, now for a real login


def test_a_jti_is_remembered_per_app(emu: Emulator, grant: Post, second_rsa_key: Any) -> None:
    client_id, _ = emu.add_connected_app("second jwt app", grant_types=("jwt_bearer",),
                                         public_key=second_rsa_key.public_pem)
    claims = live_claims(emu)

    assert grant(sign(emu, claims)).status_code == 200
    other = jwt.encode({**claims, "iss": client_id}, second_rsa_key.private_pem,
                       algorithm="RS256")
    assert grant(other).status_code == 200


# Bounded memory ---------------------------------------------------------------------------------


def test_the_received_assertions_are_kept_in_a_bounded_log(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replay, "MAX_KEPT_ASSERTIONS", 5)
    with Emulator() as small:
        for n in range(12):
            requests.post(small.base_url + TOKEN_PATH, timeout=5,
                          data={"grant_type": GRANT, "assertion": f"a.b.{n}"})

        assert list(small._store.jwt_assertions) == [f"a.b.{n}" for n in range(7, 12)]


def test_an_oversized_assertion_is_refused_unread_and_not_kept(emu: Emulator,
                                                               grant: Post) -> None:
    huge = "e30." + "A" * MAX_ASSERTION_CHARS + ".c2ln"

    response = grant(huge)

    assert response.status_code == 400
    assert "assertion is too large" in response.json()["error_description"]
    assert huge not in emu._store.jwt_assertions


def test_used_jtis_are_remembered_in_bounded_memory(offline: Emulator) -> None:
    seen = offline._store.used_jwt_ids
    before = len(seen)
    for _ in range(3):
        judged = judge(offline, claims_for(offline, NOW, jti="x" * 10_000 + str(uuid.uuid4())))
        assert isinstance(judged, jwtgrant.Accepted)

    assert len(seen) == before + 3 and seen.capacity == replay.MAX_SEEN
    assert all(len(key) == 64 for key in seen._until)  # digests, not the (large) jti
