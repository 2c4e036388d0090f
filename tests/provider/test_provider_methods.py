"""The provider's methods called directly, as the provider process calls them, against the
emulator: every flow, the outputs, renewal in ``diff`` (with the provider clock moved), ``update``,
``read`` (refresh), ``delete``, login errors, and concurrent use of one instance.

Faults, the bad-input matrix, load and the secrets sweep live in ``tests/evidence``.
"""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from anypoint_pulumi.access.client import AccessManagementClient
from anypoint_pulumi.access.endpoints import LOGOUT, REVOKE
from anypoint_pulumi.access.errors import BadCredentialsError, MfaRequiredError
from anypoint_pulumi.access.settings import CONTROL_PLANES
from anypoint_pulumi.emulator import Emulator, Fault
from anypoint_pulumi.token.provider import TokenProvider

from .conftest import FLOWS, GRANT, OAUTH_FLOWS, SESSION_FLOWS, Clock, flow_inputs, login_path

RFC3339_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# Create ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("flow", FLOWS)
def test_create_signs_in_through_the_flows_endpoint(emu: Emulator, create: Any,
                                                    flow: str) -> None:
    created = create(flow)

    assert created.outs["grant_type"] == GRANT[flow]
    assert emu.count(login_path(emu, flow), method="POST", status=200) == 1
    assert emu.is_active(created.token)
    assert emu.token_grant(created.token) == GRANT[flow]


def test_saml_without_org_domain_does_not_use_the_org_specific_endpoint(emu: Emulator,
                                                                        create: Any) -> None:
    create("saml")

    assert emu.count(login_path(emu, "saml_org")) == 0


@pytest.mark.parametrize("flow", FLOWS)
def test_create_outputs_token_type_times_and_base_url(emu: Emulator, create: Any,
                                                      flow: str) -> None:
    before = datetime.now(timezone.utc).replace(microsecond=0)

    outs = create(flow).outs

    assert outs["token_type"].lower() == "bearer"
    assert outs["base_url"] == emu.base_url
    assert RFC3339_UTC.fullmatch(outs["issued_at"]), outs["issued_at"]
    assert RFC3339_UTC.fullmatch(outs["expires_at"]), outs["expires_at"]
    issued, expires = parse(outs["issued_at"]), parse(outs["expires_at"])
    assert before <= issued <= datetime.now(timezone.utc)
    assert expires - issued == timedelta(hours=1)  # OAuth expires_in, or the 60-min session


def test_session_token_lifetime_follows_the_organization_session_timeout(emu: Emulator,
                                                                         create: Any) -> None:
    emu.set_session_timeout(emu.demo.organization_id, 20)

    outs = create("login").outs

    assert parse(outs["expires_at"]) - parse(outs["issued_at"]) == timedelta(minutes=20)


def test_oauth_token_lifetime_follows_expires_in(emu: Emulator, create: Any) -> None:
    emu.token_lifetime_seconds = 900

    outs = create("client_credentials").outs

    assert parse(outs["expires_at"]) - parse(outs["issued_at"]) == timedelta(seconds=900)


@pytest.mark.parametrize("flow", ["client_credentials", "login"])
def test_create_warns_when_the_token_lives_no_longer_than_renew_before_seconds(
        emu: Emulator, create: Any, warned: list[str], flow: str) -> None:
    emu.token_lifetime_seconds = 300
    emu.set_session_timeout(emu.demo.organization_id, 5)

    create(flow)

    assert len(warned) == 1
    assert "every `pulumi up` will replace it" in warned[0]
    assert "renew_before_seconds below 300" in warned[0]


def test_create_does_not_warn_about_renewal_for_a_normal_lifetime(create: Any,
                                                                  warned: list[str]) -> None:
    for flow in FLOWS:
        create(flow)

    assert warned == []


def test_create_outputs_keep_the_inputs_and_defaults(create: Any) -> None:
    created = create("password", triggers={"rotation": "1"})

    for key, value in created.inputs.items():
        if key != "__provider":
            assert created.outs[key] == value, key
    assert created.outs["renew_before_seconds"] == 600
    assert created.outs["revoke_on_delete"] is True


@pytest.mark.parametrize("flow", FLOWS)
def test_resource_id_is_not_the_token(create: Any, flow: str) -> None:
    created = create(flow)

    assert created.id != created.token
    assert created.token not in created.id
    assert uuid.UUID(created.id).version == 4


def test_each_create_gets_its_own_id_and_token(create: Any) -> None:
    first, second = create("client_credentials"), create("client_credentials")

    assert first.id != second.id
    assert first.token != second.token


# Region / base_url (check and diff only: no network) -------------------------------------------


@pytest.mark.parametrize("region", sorted(CONTROL_PLANES))
def test_region_resolves_to_its_public_url_without_network(provider: TokenProvider,
                                                           no_network: None,
                                                           region: str) -> None:
    news = provider.check({}, {"client_id": "id", "client_secret": "s",
                               "region": region.upper()}).inputs
    olds = {**news, "base_url": CONTROL_PLANES[region], "access_token": "t",
            "grant_type": "client_credentials",
            "expires_at": "2999-01-01T00:00:00Z"}

    assert news["region"] == region
    assert "base_url" not in news
    assert provider.diff("id", olds, news).changes is False


def test_no_region_and_no_base_url_means_the_us_control_plane(provider: TokenProvider,
                                                              no_network: None) -> None:
    news = provider.check({}, {"client_id": "id", "client_secret": "s"}).inputs
    olds = {**news, "base_url": CONTROL_PLANES["us"], "access_token": "t",
            "grant_type": "client_credentials",
            "expires_at": "2999-01-01T00:00:00Z"}

    assert provider.diff("id", olds, news).changes is False
    assert provider.diff("id", {**olds, "base_url": CONTROL_PLANES["eu"]},
                         news).replaces == ["base_url"]


def test_check_normalizes_a_custom_base_url(provider: TokenProvider, no_network: None) -> None:
    news = provider.check({}, {"client_id": "id", "client_secret": "s",
                               "base_url": " https://anypoint.example.com/prefix/ "}).inputs

    assert news["base_url"] == "https://anypoint.example.com/prefix"


# Diff --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("flow", FLOWS)
def test_diff_of_a_fresh_token_is_no_change_and_makes_no_request(
        emu: Emulator, provider: TokenProvider, create: Any, flow: str) -> None:
    created = create(flow)
    emu.clear_requests()

    diff = provider.diff(created.id, created.outs, created.inputs)

    assert diff.changes is False
    assert diff.replaces == []
    assert emu.count() == 0


CREDENTIAL_CHANGES = [
    ("client_credentials", "client_id", "0" * 32),
    ("client_credentials", "client_secret", "f" * 32),
    ("password", "username", "someone-else"),
    ("password", "password", "another-password"),
    ("login", "password", "another-password"),
    ("saml", "saml_response", "PHNhbWxwOlJlc3BvbnNlLz4="),
    ("saml_org", "saml_provider_id", "another-provider"),
]


@pytest.mark.parametrize("flow, key, value", CREDENTIAL_CHANGES,
                         ids=[f"{f}-{k}" for f, k, _ in CREDENTIAL_CHANGES])
def test_diff_replaces_when_a_credential_changes(provider: TokenProvider, create: Any,
                                                 flow: str, key: str, value: str) -> None:
    created = create(flow)

    diff = provider.diff(created.id, created.outs, {**created.inputs, key: value})

    assert diff.changes is True
    assert key in diff.replaces


def test_diff_replaces_when_the_flow_changes(provider: TokenProvider, create: Any,
                                             emu: Emulator) -> None:
    created = create("login")
    news = provider.check({}, flow_inputs(emu, "password")).inputs

    diff = provider.diff(created.id, created.outs, news)

    assert {"client_id", "client_secret"} <= set(diff.replaces)


@pytest.mark.parametrize("location", [{"region": "eu"}, {"base_url": "http://127.0.0.1:1"},
                                      {"base_url": None}])
def test_diff_replaces_when_the_control_plane_changes(provider: TokenProvider, create: Any,
                                                      location: dict[str, Any]) -> None:
    created = create("client_credentials")
    props = {k: v for k, v in created.inputs.items() if k != "base_url"}
    checked = provider.check({}, {**props, **location})
    assert checked.failures == []

    diff = provider.diff(created.id, created.outs, checked.inputs)

    assert diff.replaces == ["base_url"]


def test_diff_keeps_the_token_when_base_url_is_only_spelled_differently(
        provider: TokenProvider, create: Any, emu: Emulator) -> None:
    created = create("client_credentials")
    news = provider.check({}, {**created.inputs, "base_url": emu.base_url + "/"}).inputs

    assert provider.diff(created.id, created.outs, news).changes is False


@pytest.mark.parametrize("old, new", [(None, {"v": "1"}), ({"v": "1"}, {"v": "2"}),
                                      ({"v": "1"}, None), ({"v": "1"}, {"v": "1", "w": "1"})])
def test_diff_replaces_when_a_trigger_changes(provider: TokenProvider, create: Any,
                                              old: Any, new: Any) -> None:
    created = create("client_credentials", triggers=old)
    news = provider.check({}, {**created.inputs, "triggers": new}).inputs

    assert provider.diff(created.id, created.outs, news).replaces == ["triggers"]


def test_diff_does_not_replace_when_triggers_go_from_unset_to_empty(
        provider: TokenProvider, create: Any) -> None:
    created = create("client_credentials")

    assert provider.diff(created.id, created.outs,
                         {**created.inputs, "triggers": {}}).changes is False


def test_diff_replaces_once_less_than_renew_before_seconds_remain(
        provider: TokenProvider, create: Any, clock: Clock) -> None:
    created = create("client_credentials")
    expires = parse(created.outs["expires_at"])

    clock.at(expires - timedelta(seconds=601))
    assert provider.diff(created.id, created.outs, created.inputs).changes is False
    clock.at(expires - timedelta(seconds=599))
    diff = provider.diff(created.id, created.outs, created.inputs)

    assert diff.replaces == ["expires_at"]
    assert diff.delete_before_replace is False  # new token first, then the old one is revoked


def test_diff_replaces_a_token_past_its_expiry(provider: TokenProvider, create: Any,
                                               clock: Clock) -> None:
    created = create("login")
    clock.at(parse(created.outs["expires_at"]) + timedelta(days=3))

    assert provider.diff(created.id, created.outs, created.inputs).replaces == ["expires_at"]


def test_diff_uses_the_new_renew_before_seconds(provider: TokenProvider, create: Any,
                                                clock: Clock) -> None:
    created = create("client_credentials")
    clock.at(parse(created.outs["expires_at"]) - timedelta(minutes=20))
    news = {**created.inputs, "renew_before_seconds": 1800}

    assert provider.diff(created.id, created.outs, news).replaces == ["expires_at"]


def test_diff_of_a_settings_change_is_an_update_without_replace(
        provider: TokenProvider, create: Any) -> None:
    created = create("client_credentials")

    for key, value in (("timeout_seconds", 5), ("revoke_on_delete", False),
                       ("renew_before_seconds", 60), ("verify_tls", False)):
        diff = provider.diff(created.id, created.outs, {**created.inputs, key: value})
        assert (diff.changes, diff.replaces) == (True, []), key


def test_update_keeps_the_token_and_takes_the_new_settings(
        emu: Emulator, provider: TokenProvider, create: Any) -> None:
    created = create("password")
    emu.clear_requests()
    news = {**created.inputs, "timeout_seconds": 5, "revoke_on_delete": False}

    outs = provider.update(created.id, created.outs, news).outs or {}

    for key in ("access_token", "token_type", "grant_type", "issued_at", "expires_at",
                "base_url"):
        assert outs[key] == created.outs[key], key
    assert outs["timeout_seconds"] == 5
    assert outs["revoke_on_delete"] is False
    assert emu.count() == 0
    assert emu.is_active(created.token)


@pytest.mark.parametrize("flow", ["saml", "saml_org"])
def test_saml_token_near_expiry_is_kept_with_a_warning_to_supply_a_fresh_response(
        provider: TokenProvider, create: Any, clock: Clock, warned: list[str],
        flow: str) -> None:
    created = create(flow)
    clock.at(parse(created.outs["expires_at"]) - timedelta(minutes=5))

    diff = provider.diff(created.id, created.outs, created.inputs)

    assert diff.changes is False
    assert len(warned) == 1
    assert "fresh saml_response" in warned[0]
    assert "expires in 5 min" in warned[0]


def test_expired_saml_token_is_kept_with_a_warning(provider: TokenProvider, create: Any,
                                                   clock: Clock, warned: list[str]) -> None:
    created = create("saml")
    clock.at(parse(created.outs["expires_at"]) + timedelta(minutes=1))

    assert provider.diff(created.id, created.outs, created.inputs).changes is False
    assert "expired" in warned[0]


def test_saml_token_is_replaced_once_a_fresh_response_is_given(
        emu: Emulator, provider: TokenProvider, create: Any, clock: Clock,
        warned: list[str]) -> None:
    created = create("saml")
    clock.at(parse(created.outs["expires_at"]) - timedelta(minutes=5))
    news = {**created.inputs, "saml_response": emu.saml_response(emu.demo.saml_username)}

    assert provider.diff(created.id, created.outs, news).replaces == ["saml_response"]
    assert warned == []


# Read (refresh) ----------------------------------------------------------------------------------


@pytest.mark.parametrize("flow", FLOWS)
def test_read_of_a_valid_token_returns_the_state_unchanged(
        emu: Emulator, provider: TokenProvider, create: Any, flow: str) -> None:
    created = create(flow)
    emu.clear_requests()

    read = provider.read(created.id, {**created.outs, "__provider": "p"})

    assert read.id == created.id
    assert read.outs == created.outs
    assert read.inputs == {k: v for k, v in created.inputs.items() if k != "__provider"}
    assert emu.count("/accounts/api/me", status=200) == 1


def test_read_of_a_revoked_token_records_it_expired_so_the_next_diff_replaces(
        emu: Emulator, provider: TokenProvider, create: Any, clock: Clock,
        warned: list[str]) -> None:
    created = create("client_credentials")
    emu.revoke(created.token)

    read = provider.read(created.id, created.outs)

    assert read.outs["expires_at"] == clock.now.isoformat().replace("+00:00", "Z")
    assert read.outs["access_token"] == created.token
    assert "recorded as expired" in warned[0]
    assert provider.diff(read.id, read.outs, read.inputs or {}).replaces == ["expires_at"]


def test_read_of_an_expired_session_token_records_it_expired(
        emu: Emulator, provider: TokenProvider, create: Any, clock: Clock,
        warned: list[str]) -> None:
    created = create("login")
    emu.advance_clock(3601)

    read = provider.read(created.id, created.outs)

    assert parse(read.outs["expires_at"]) == clock.now


def test_read_when_anypoint_is_unreachable_keeps_the_state_and_warns(
        provider: TokenProvider, create: Any, fast_clients: None, closed_port_url: str,
        warned: list[str]) -> None:
    created = create("client_credentials")
    outs = {**created.outs, "base_url": closed_port_url}

    read = provider.read(created.id, outs)

    assert read.outs == outs
    assert len(warned) == 1
    assert "keeping it" in warned[0]
    assert created.token not in warned[0]


def test_read_of_a_region_token_leaves_base_url_out_of_the_inputs(
        provider: TokenProvider, monkeypatch: pytest.MonkeyPatch, warned: list[str]) -> None:
    class Accepting:
        def __enter__(self) -> Accepting:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def me(self, token: str) -> dict[str, Any]:
            return {"client": {}}

    import anypoint_pulumi.core.token as provider_module

    monkeypatch.setattr(provider_module, "client_for", lambda settings: Accepting())
    inputs = provider.check({}, {"client_id": "i", "client_secret": "s", "region": "eu"}).inputs
    outs = {**inputs, "access_token": "t", "base_url": CONTROL_PLANES["eu"],
            "expires_at": "2999-01-01T00:00:00Z"}

    read = provider.read("id", outs)

    assert read.inputs is not None
    assert "base_url" not in read.inputs
    assert read.inputs["region"] == "eu"
    assert warned == []  # the accepting client answered: read asked through client_for


# Delete ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("flow", OAUTH_FLOWS)
def test_delete_revokes_an_oauth_token(emu: Emulator, provider: TokenProvider, create: Any,
                                       flow: str) -> None:
    created = create(flow)

    provider.delete(created.id, created.outs)

    assert emu.count(REVOKE, status=200) == 1
    assert emu.count(LOGOUT) == 0
    assert not emu.is_active(created.token)


@pytest.mark.parametrize("flow", SESSION_FLOWS)
def test_delete_logs_out_a_session_token(emu: Emulator, provider: TokenProvider, create: Any,
                                         flow: str) -> None:
    created = create(flow)

    provider.delete(created.id, created.outs)

    assert emu.count(LOGOUT, status=200) == 1
    assert emu.count(REVOKE) == 0
    assert not emu.is_active(created.token)


def test_delete_leaves_other_tokens_alone(emu: Emulator, provider: TokenProvider,
                                          create: Any) -> None:
    old, new = create("client_credentials"), create("client_credentials")

    provider.delete(old.id, old.outs)

    assert emu.is_active(new.token)


@pytest.mark.parametrize("fault", [Fault.plain(400, "invalid_request"), Fault.html(500)],
                         ids=["400", "500"])
def test_failed_revoke_only_warns(emu: Emulator, provider: TokenProvider, create: Any,
                                  warned: list[str], fault: Fault) -> None:
    created = create("client_credentials")
    emu.inject(REVOKE, fault)

    provider.delete(created.id, created.outs)

    assert len(warned) == 1
    assert "Could not revoke" in warned[0]
    assert created.outs["expires_at"] in warned[0]
    assert created.token not in warned[0]


def test_unreachable_control_plane_on_delete_only_warns(
        provider: TokenProvider, create: Any, fast_clients: None, closed_port_url: str,
        warned: list[str]) -> None:
    created = create("login")

    provider.delete(created.id, {**created.outs, "base_url": closed_port_url})

    assert "Could not revoke" in warned[0]


@pytest.mark.parametrize("flow", ["client_credentials", "login", "saml"])
def test_delete_of_a_token_past_its_expiry_makes_no_request_and_no_warning(
        emu: Emulator, provider: TokenProvider, create: Any, clock: Clock, warned: list[str],
        flow: str) -> None:
    created = create(flow)
    emu.clear_requests()
    clock.at(parse(created.outs["expires_at"]) + timedelta(seconds=1))

    provider.delete(created.id, created.outs)

    assert emu.count() == 0
    assert warned == []


def test_delete_after_a_refresh_found_the_token_revoked_makes_no_request(
        emu: Emulator, provider: TokenProvider, create: Any, clock: Clock,
        warned: list[str]) -> None:
    created = create("login")
    emu.revoke(created.token)
    read = provider.read(created.id, created.outs)
    emu.clear_requests()

    provider.delete(read.id, read.outs)

    assert emu.count() == 0
    assert len(warned) == 1  # the refresh's own "recorded as expired"


@pytest.mark.parametrize("flow", SESSION_FLOWS)
def test_delete_of_a_session_that_already_ended_does_not_warn(
        emu: Emulator, provider: TokenProvider, create: Any, warned: list[str],
        flow: str) -> None:
    created = create(flow)
    emu.revoke(created.token)  # e.g. the user signed out in the browser

    provider.delete(created.id, created.outs)

    assert emu.count(LOGOUT, status=401) == 1
    assert warned == []


@pytest.mark.parametrize("flow", ["client_credentials", "login"])
def test_revoke_on_delete_false_makes_no_request(emu: Emulator, provider: TokenProvider,
                                                 create: Any, flow: str) -> None:
    created = create(flow, revoke_on_delete=False)
    emu.clear_requests()

    provider.delete(created.id, created.outs)

    assert emu.count() == 0
    assert emu.is_active(created.token)


# Failed logins -----------------------------------------------------------------------------------


WRONG = [
    ("client_credentials", {"client_secret": "0" * 32}, "client-credentials login", 401),
    ("password", {"password": "wrong-password"}, "password-grant login", 400),
    ("login", {"password": "wrong-password"}, "username/password login", 401),
]


@pytest.mark.parametrize("flow, override, name, status", WRONG, ids=[w[0] for w in WRONG])
def test_failed_login_names_the_flow_host_answer_and_next_step(
        emu: Emulator, provider: TokenProvider, flow: str, override: dict[str, str],
        name: str, status: int) -> None:
    inputs = provider.check({}, {**flow_inputs(emu, flow), **override}).inputs

    with pytest.raises(BadCredentialsError) as caught:
        provider.create(inputs)

    text = str(caught.value)
    assert text.startswith(name)
    assert " failed: Login refused" in text
    assert emu.base_url.split("//")[1] in text  # the host
    assert f"[HTTP {status}]" in text
    assert "Anypoint said" in text
    assert "Check the credentials" in text
    assert override[next(iter(override))] not in text


def test_failed_saml_login_names_the_flow(emu: Emulator, provider: TokenProvider) -> None:
    stale = emu.saml_response(emu.demo.saml_username, not_on_or_after_seconds=-60)
    inputs = provider.check({}, {"saml_response": stale, "base_url": emu.base_url}).inputs

    with pytest.raises(BadCredentialsError, match=r"^SAML login failed: Login refused") as caught:
        provider.create(inputs)
    assert stale not in str(caught.value)


def test_mfa_user_login_error_says_to_use_a_connected_app(emu: Emulator,
                                                          provider: TokenProvider) -> None:
    inputs = provider.check({}, {"username": emu.demo.mfa_username,
                                 "password": emu.demo.mfa_password,
                                 "base_url": emu.base_url}).inputs

    with pytest.raises(MfaRequiredError) as caught:
        provider.create(inputs)

    text = str(caught.value)
    assert text.startswith("username/password login failed")
    assert "multi-factor" in text
    assert "connected app" in text
    assert emu.demo.mfa_password not in text


def test_mfa_user_signs_in_through_a_connected_app(emu: Emulator, create: Any) -> None:
    created = create("password", username=emu.demo.mfa_username,
                     password=emu.demo.mfa_password)

    assert emu.token_grant(created.token) == "password"


# One instance, four threads ----------------------------------------------------------------------


def test_four_threads_creating_on_one_provider_do_not_cross_talk(
        emu: Emulator, provider: TokenProvider) -> None:
    users = {f"user-{n}": f"pw-{n}-{uuid.uuid4().hex}" for n in range(4)}
    for name, password in users.items():
        emu.add_user(name, password)
    apps = [emu.add_connected_app(f"app-{n}") for n in range(4)]
    jobs: list[tuple[str, dict[str, Any]]] = []
    for n in range(6):
        name = f"user-{n % 4}"
        jobs.append((f"user:{name}", {"username": name, "password": users[name],
                                      "base_url": emu.base_url}))
        client_id, secret = apps[n % 4]
        jobs.append((f"client:{client_id}", {"client_id": client_id, "client_secret": secret,
                                             "base_url": emu.base_url}))

    def run(job: tuple[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
        who, props = job
        return who, dict(provider.create(provider.check({}, props).inputs).outs or {})

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, jobs))

    tokens = [outs["access_token"] for _, outs in results]
    assert len(set(tokens)) == len(jobs)
    with AccessManagementClient(base_url=emu.base_url) as client:
        for who, outs in results:
            me = client.me(outs["access_token"])
            kind, name = who.split(":", 1)
            if kind == "user":
                assert outs["grant_type"] == "login"
                assert me.user.username == name
                assert outs["username"] == name
            else:
                assert outs["grant_type"] == "client_credentials"
                assert me.client.client_id == name
                assert me.user is None
