"""Every answer is read in bounded memory and time: decompressed a bounded amount at a time and
refused past 4 MiB (compression bombs, huge bodies with or without a length), refused when
encoded in a way the client did not ask for, and refused as our own error when its JSON nests
or repeats beyond any real answer. Memory is measured in a fresh process."""

from __future__ import annotations

import gzip
import json
import time
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anypoint_pulumi.access.bodies import parse_json
from anypoint_pulumi.access.client import AccessManagementClient
from anypoint_pulumi.access.endpoints import ME, TOKEN_V2
from anypoint_pulumi.access.errors import (
    AnypointError,
    BadCredentialsError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
)
from anypoint_pulumi.access.limits import MAX_ANSWER_BYTES, MAX_JSON_DEPTH, MAX_JSON_VALUES
from tests.support.hostile import Act, HostileServer, measure

MEMORY_GOAL_MIB = 64
TOKEN = {"access_token": "a-token-of-the-hostile-server", "expires_in": 3600}


@pytest.fixture
def client(hostile: HostileServer) -> AccessManagementClient:
    return AccessManagementClient(base_url=hostile.base_url, retries=0, timeout_seconds=10.0)


def sign_in(client: AccessManagementClient) -> object:
    return client.client_credentials("0123456789abcdef", "secret-of-the-test")


def gzipped(obj: object) -> bytes:
    return gzip.compress(json.dumps(obj).encode())


# Size ---------------------------------------------------------------------------------------------


def test_a_gzip_answer_within_the_limit_is_read(hostile, client):
    hostile.route(TOKEN_V2, Act(body=gzipped(TOKEN), headers=(("Content-Encoding", "gzip"),)))

    assert sign_in(client).access_token == TOKEN["access_token"]


@pytest.mark.parametrize("deflate", [zlib.compress, lambda data: zlib.compress(data)[2:-4]],
                         ids=["zlib", "raw"])
def test_a_deflate_answer_within_the_limit_is_read(hostile, client, deflate):
    hostile.route(TOKEN_V2, Act(body=deflate(json.dumps(TOKEN).encode()),
                                headers=(("Content-Encoding", "deflate"),)))

    assert sign_in(client).access_token == TOKEN["access_token"]


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_compression_bomb_is_refused(hostile, client, encoding):
    hostile.route(TOKEN_V2, Act.compression_bomb(1024 ** 3, encoding=encoding))

    started = time.monotonic()
    with pytest.raises(UnexpectedResponseError) as caught:
        sign_in(client)

    assert "larger than 4 MiB" in caught.value.message
    assert time.monotonic() - started < 2.0


def test_a_compression_bomb_costs_bounded_memory(hostile):
    hostile.route(TOKEN_V2, Act.compression_bomb(1024 ** 3))

    figures = measure(hostile.base_url, "client_credentials")

    assert figures["outcome"].startswith("UnexpectedResponseError")
    assert figures["growth_mib"] <= MEMORY_GOAL_MIB


def test_a_huge_body_with_its_length_is_refused_before_it_is_read(hostile, client):
    hostile.route(TOKEN_V2, Act.huge(200 * 1024 * 1024))

    started = time.monotonic()
    with pytest.raises(UnexpectedResponseError, match="larger than 4 MiB"):
        sign_in(client)

    assert time.monotonic() - started < 1.0


def test_a_huge_body_without_a_length_stops_at_the_limit(hostile, client):
    hostile.route(TOKEN_V2, Act.huge(200 * 1024 * 1024, length=-1))

    with pytest.raises(UnexpectedResponseError, match="larger than 4 MiB"):
        sign_in(client)


def test_a_huge_body_costs_bounded_memory(hostile):
    hostile.route(TOKEN_V2, Act.huge(200 * 1024 * 1024, length=-1))

    figures = measure(hostile.base_url, "client_credentials")

    assert figures["growth_mib"] <= MEMORY_GOAL_MIB


def test_a_body_just_at_the_limit_is_read(hostile, client):
    padding = MAX_ANSWER_BYTES - len(json.dumps({**TOKEN, "pad": ""}))
    hostile.route(TOKEN_V2, Act.json({**TOKEN, "pad": " " * padding}))

    assert sign_in(client).access_token == TOKEN["access_token"]


def test_a_huge_error_body_is_shown_trimmed_and_at_once(hostile, client):
    hostile.route(ME, Act(status=500, body=b"x" * (3 * 1024 * 1024), headers=()))

    started = time.monotonic()
    with pytest.raises(ServerError) as caught:
        client.me("a-token")

    assert time.monotonic() - started < 1.0
    assert len(caught.value.message) < 300


@pytest.mark.parametrize("encoding", ["br", "gzip, gzip", "compress", "zstd"])
def test_an_encoding_the_client_did_not_ask_for_is_refused(hostile, client, encoding):
    hostile.route(TOKEN_V2, Act(body=b"\x00" * 32, headers=(("Content-Encoding", encoding),)))

    with pytest.raises(UnexpectedResponseError, match="did not ask for"):
        sign_in(client)


def test_corrupt_compressed_data_is_refused(hostile, client):
    hostile.route(TOKEN_V2, Act(body=b"\x1f\x8b\x08\x00garbage-not-gzip",
                                headers=(("Content-Encoding", "gzip"),)))

    with pytest.raises(UnexpectedResponseError, match="corrupt"):
        sign_in(client)


def test_the_client_asks_only_for_the_encodings_it_decodes(hostile, client):
    hostile.route(TOKEN_V2, Act.json(TOKEN))

    sign_in(client)

    assert hostile.seen[-1].headers["accept-encoding"] == "gzip, deflate"


def test_a_body_shorter_than_its_length_is_a_transport_error(hostile, client):
    hostile.route(TOKEN_V2, Act.lying_length())

    with pytest.raises(TransportError, match="IncompleteRead"):
        sign_in(client)


# Shape --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1000, 100_000])
def test_json_nested_deeper_than_the_limit_is_an_unexpected_response(hostile, client, depth):
    hostile.route(TOKEN_V2, Act.nested(depth))

    with pytest.raises(UnexpectedResponseError, match="nested more than 64 levels"):
        sign_in(client)


def test_json_nested_to_the_limit_is_read(hostile, client):
    nested: object = "deep"
    for _ in range(MAX_JSON_DEPTH - 1):
        nested = [nested]
    hostile.route(TOKEN_V2, Act.json({**TOKEN, "extra": nested}))

    assert sign_in(client).access_token == TOKEN["access_token"]


def test_deep_nesting_in_an_error_body_is_still_our_error(hostile, client):
    hostile.route(TOKEN_V2, Act.nested(100_000, status=401))

    with pytest.raises(BadCredentialsError):
        sign_in(client)


def test_deep_nesting_in_a_read_is_our_error(hostile, client):
    hostile.route(ME, Act.nested(50_000))

    with pytest.raises(UnexpectedResponseError):
        client.me("a-token")


def test_json_with_more_values_than_any_answer_is_refused(hostile, client):
    hostile.route(TOKEN_V2, Act(body=b'{"data": [' + b"1," * MAX_JSON_VALUES + b'1]}'))

    with pytest.raises(UnexpectedResponseError, match="more than 250000 JSON values"):
        sign_in(client)


def test_the_depth_check_never_recurses():
    value = parse_json(b"[" * 60 + b"]" * 60)

    assert isinstance(value, list)
    with pytest.raises(Exception, match="nested"):
        parse_json(b"[" * 5000 + b"]" * 5000)


# Property: any body, any declared encoding: a token or our error ----------------------------------

_bodies = st.one_of(st.binary(max_size=300),
                    st.builds(lambda obj: json.dumps(obj).encode(),
                              st.recursive(st.none() | st.integers() | st.text(max_size=10),
                                           lambda inner: st.lists(inner, max_size=3)
                                           | st.dictionaries(st.text(max_size=5), inner,
                                                             max_size=3), max_leaves=10)),
                    st.just(json.dumps(TOKEN).encode()))
_encodings = st.sampled_from(["", "identity", "gzip", "deflate", "x-gzip", "br", "gzip, deflate"])


@settings(max_examples=120, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=_bodies, encoding=_encodings, compress=st.booleans(),
       status=st.sampled_from([200, 400, 401, 404, 500, 503]))
def test_property_any_body_and_encoding_is_a_token_or_our_error(hostile, client, body, encoding,
                                                                compress, status):
    if compress and encoding in ("gzip", "x-gzip"):
        body = gzip.compress(body)
    elif compress and encoding == "deflate":
        body = zlib.compress(body)
    hostile.route(TOKEN_V2, Act(status=status, body=body,
                                headers=(("Content-Encoding", encoding),) if encoding else ()))

    try:
        token = sign_in(client)
    except AnypointError as exc:
        assert str(exc) and exc.host
    else:
        assert token.access_token


# Other APIs through request(): the same bounds ----------------------------------------------------

API = "/apimanager/api/v1/organizations/org/environments/env/apis"


def test_an_api_answer_nested_past_the_limit_is_our_error(hostile, client):
    hostile.route(API, Act.nested(100_000))

    with pytest.raises(UnexpectedResponseError, match="nested more than 64 levels"):
        client.request("GET", API, token="a-token")


def test_an_api_answer_past_the_size_limit_is_refused(hostile, client):
    hostile.route(API, Act.compression_bomb(1024 ** 3))

    with pytest.raises(UnexpectedResponseError, match="larger than 4 MiB"):
        client.request("GET", API, token="a-token")


def test_an_api_answer_within_the_limits_is_returned(hostile, client):
    hostile.route(API, Act(body=gzipped([{"id": n} for n in range(1000)]),
                           headers=(("Content-Type", "application/json"),
                                    ("Content-Encoding", "gzip"))))

    assert len(client.request("GET", API, token="a-token").body) == 1000
