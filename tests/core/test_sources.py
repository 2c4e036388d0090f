"""Where inputs the program did not give come from (:mod:`anypoint_pulumi.core.sources`):
explicit inputs, then ``anypoint-auth:*`` config, then ``anypoint:*`` config, then ``ANYPOINT_*``
variables; each group whole from one place, never mixed."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anypoint_pulumi.core.inputs import INPUTS, Group
from anypoint_pulumi.core.sources import Setting, with_defaults


class Source:
    """One config namespace: plain values, and those set with ``--secret``."""

    def __init__(self, *, secret: tuple[str, ...] = (), **values: str) -> None:
        self.values, self.secret = values, secret

    def get(self, key: str) -> Setting | None:
        value = self.values.get(key)
        return None if value is None else Setting(value, key in self.secret)


def defaults(inputs: dict[str, Any], config: dict[str, Source] | None = None,
             environ: dict[str, str] | None = None) -> dict[str, Any]:
    return with_defaults(inputs, config or {}, environ or {})[0]


def notices(inputs: dict[str, Any], config: dict[str, Source]) -> list[str]:
    return [n.message for n in with_defaults(inputs, config, {})[1]]


CONFIG_CREDS = Source(clientId="cfg-id", clientSecret="cfg-secret", secret=("clientSecret",))
ENV_CREDS = {"ANYPOINT_CLIENT_ID": "env-id", "ANYPOINT_CLIENT_SECRET": "env-secret",
             "ANYPOINT_USERNAME": "env-user", "ANYPOINT_PASSWORD": "env-pw"}


def test_explicit_credentials_win_over_config_and_environment() -> None:
    got = defaults({"client_id": "in-id", "client_secret": "in-secret"},
                   {"anypoint-auth": CONFIG_CREDS}, ENV_CREDS)

    assert (got["client_id"], got["client_secret"]) == ("in-id", "in-secret")
    assert "username" not in got


@pytest.mark.parametrize("namespace", ["anypoint-auth", "anypoint"])
def test_config_credentials_win_over_the_environment(namespace: str) -> None:
    got = defaults({}, {namespace: CONFIG_CREDS}, ENV_CREDS)

    assert (got["client_id"], got["client_secret"]) == ("cfg-id", "cfg-secret")
    assert "username" not in got and "password" not in got  # the groups never mix


def test_environment_credentials_are_the_last_resort() -> None:
    got = defaults({}, {"anypoint-auth": Source(region="eu")}, ENV_CREDS)

    assert (got["client_id"], got["client_secret"], got["username"], got["password"]) == (
        "env-id", "env-secret", "env-user", "env-pw")


@pytest.mark.parametrize("explicit", [{"client_id": "in-id"}, {"username": "in-user"},
                                      {"saml_response": "PHNhbWw+"}])
def test_one_explicit_credential_keeps_config_and_environment_out(
        explicit: dict[str, str]) -> None:
    got = defaults(dict(explicit), {"anypoint-auth": CONFIG_CREDS}, ENV_CREDS)

    assert got == explicit


def test_empty_environment_variables_count_as_unset() -> None:
    got = defaults({}, None, {"ANYPOINT_CLIENT_ID": "env-id", "ANYPOINT_CLIENT_SECRET": ""})

    assert got == {"client_id": "env-id"}


# One namespace per group (a bridged Terraform provider's anypoint:* keys never mix in) -------


def test_our_connected_app_is_not_joined_by_the_bridged_providers_user() -> None:
    bridged = Source(username="tf-user", password="tf-pw", secret=("password",))

    got = defaults({}, {"anypoint-auth": CONFIG_CREDS, "anypoint": bridged})

    assert (got["client_id"], got["client_secret"]) == ("cfg-id", "cfg-secret")
    assert "username" not in got and "password" not in got


def test_a_complete_jwt_config_of_ours_takes_no_client_secret_of_the_bridge() -> None:
    ours = Source(clientId="app", privateKey="PEM", identityProviderId="idp", username="fed",
                  secret=("privateKey",))
    bridged = Source(clientSecret="tf-secret", secret=("clientSecret",))

    got = defaults({}, {"anypoint-auth": ours, "anypoint": bridged})

    assert "client_secret" not in got
    assert got["private_key"] == "PEM"


def test_the_bridged_namespace_serves_when_ours_sets_no_credential() -> None:
    got = defaults({}, {"anypoint-auth": Source(region="eu"), "anypoint": CONFIG_CREDS})

    assert (got["client_id"], got["region"]) == ("cfg-id", "eu")


def test_location_comes_whole_from_one_namespace() -> None:
    got = defaults({}, {"anypoint-auth": Source(baseUrl="https://pce.example.com"),
                        "anypoint": Source(region="eu")})

    assert got.get("base_url") == "https://pce.example.com"
    assert "region" not in got


_CREDENTIAL_KEYS = [s.config_key for s in INPUTS if s.group is Group.CREDENTIAL and s.config_key]


@given(ours=st.sets(st.sampled_from(_CREDENTIAL_KEYS), min_size=1),
       theirs=st.sets(st.sampled_from(_CREDENTIAL_KEYS)))
def test_property_credentials_come_from_our_namespace_only_when_it_sets_any(
        ours: set[str], theirs: set[str]) -> None:
    got = defaults({}, {"anypoint-auth": Source(**{k: f"ours-{k}" for k in ours}),
                        "anypoint": Source(**{k: f"theirs-{k}" for k in theirs})},
                   {"ANYPOINT_CLIENT_ID": "env-id"})

    assert all(str(value).startswith("ours-") for key, value in got.items())
    assert len(got) == len(ours)


# Plain secrets in config -----------------------------------------------------------------------


@pytest.mark.parametrize("key", ["clientSecret", "password", "privateKey"])
def test_a_secret_input_set_as_plain_config_is_used_with_a_warning(key: str) -> None:
    said = notices({}, {"anypoint-auth": Source(**{key: "value"})})

    assert len(said) == 1
    assert f"anypoint-auth:{key}" in said[0]
    assert "pulumi config set --secret" in said[0]
    assert "value" not in said[0].replace("values", "")


def test_a_secret_set_as_secret_config_says_nothing() -> None:
    assert notices({}, {"anypoint-auth": CONFIG_CREDS}) == []


# Location --------------------------------------------------------------------------------------


LOCATIONS = [
    ("explicit region", {"region": "gov"}, {"region": "gov"}),
    ("explicit base_url", {"base_url": "https://pce.example.com"},
     {"base_url": "https://pce.example.com"}),
    ("config region", {}, {"region": "eu"}),
    ("config baseUrl", {"config": {"baseUrl": "https://cfg.example.com"}},
     {"base_url": "https://cfg.example.com"}),
    ("ANYPOINT_BASE_URL", {"env": {"ANYPOINT_BASE_URL": "https://env.example.com",
                                   "ANYPOINT_HOST": "host.example.com",
                                   "ANYPOINT_CPLANE": "EU"}},
     {"base_url": "https://env.example.com"}),
    ("ANYPOINT_HOST", {"env": {"ANYPOINT_HOST": "host.example.com", "ANYPOINT_CPLANE": "EU"}},
     {"base_url": "https://host.example.com"}),
    ("ANYPOINT_HOST on loopback", {"env": {"ANYPOINT_HOST": "127.0.0.1:8081"}},
     {"base_url": "http://127.0.0.1:8081"}),
    ("ANYPOINT_CPLANE", {"env": {"ANYPOINT_CPLANE": "EU"}}, {"region": "eu"}),
    ("nothing (us)", {"env": {}}, {}),
]


@pytest.mark.parametrize("given_, expected", [c[1:] for c in LOCATIONS],
                         ids=[c[0] for c in LOCATIONS])
def test_location_comes_from_input_then_config_then_environment(
        given_: dict[str, Any], expected: dict[str, str]) -> None:
    inputs = {k: v for k, v in given_.items() if k in ("region", "base_url")}
    config = Source(**given_.get("config", {"region": "eu"}))
    if "env" in given_:
        config = Source(**given_.get("config", {}))
    environ = given_.get("env", {"ANYPOINT_BASE_URL": "https://env.example.com"})

    got = defaults({"client_id": "i", **inputs}, {"anypoint-auth": config}, environ)

    assert {k: got[k] for k in ("region", "base_url") if k in got} == expected


def test_location_and_credentials_resolve_independently() -> None:
    got = defaults({"client_id": "in-id", "client_secret": "s"},
                   {"anypoint": Source(region="jp")}, ENV_CREDS)

    assert (got["client_id"], got["region"]) == ("in-id", "jp")


@pytest.mark.parametrize("key, text, value", [("timeoutSeconds", "12", 12.0),
                                              ("verifyTls", "false", False),
                                              ("caBundle", "/etc/ca.pem", "/etc/ca.pem")])
def test_connection_settings_come_from_config_typed(key: str, text: str, value: Any) -> None:
    got = defaults({"client_id": "i"}, {"anypoint-auth": Source(**{key: text})})

    assert value in got.values() and type(value) in {type(v) for v in got.values()}


def test_a_config_setting_that_is_not_its_type_is_left_for_the_check_to_name() -> None:
    got = defaults({"client_id": "i"}, {"anypoint-auth": Source(timeoutSeconds="soon")})

    assert got["timeout_seconds"] == "soon"
