"""A stand-in for ``anypoint_pulumi.core`` with the API of core-api.md, recording its calls:
the adapter's wire handling is tested against it without the network."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from anypoint_pulumi.plugin.schema import INPUTS, OUTPUTS, functions

UNKNOWN = object()
SECRET_INPUTS = tuple(s.name for s in INPUTS if s.secret)
SECRET_OUTPUTS = tuple(o.name for o in OUTPUTS if o.secret) + SECRET_INPUTS
FUNCTIONS = functions()
calls: list[tuple[str, Any]] = []


@dataclass(frozen=True)
class Setting:
    value: str
    secret: bool


@dataclass(frozen=True)
class Problem:
    field: str
    reason: str


@dataclass(frozen=True)
class Notice:
    level: Literal["info", "warning"]
    message: str


@dataclass(frozen=True)
class Checked:
    inputs: dict[str, Any]
    problems: list[Problem]
    notices: list[Notice] = field(default_factory=list)


@dataclass(frozen=True)
class Diff:
    replaces: list[str]
    updates: list[str]
    notices: list[Notice] = field(default_factory=list)


@dataclass(frozen=True)
class Created:
    id: str
    outputs: dict[str, Any]
    notices: list[Notice] = field(default_factory=list)


@dataclass(frozen=True)
class Refreshed:
    outputs: dict[str, Any]
    inputs: dict[str, Any]
    notices: list[Notice] = field(default_factory=list)


def with_defaults(given: Mapping[str, Any], config: Mapping[str, Any],
                  environ: Mapping[str, str] | None = None) -> tuple[dict[str, Any], list[Notice]]:
    calls.append(("with_defaults", dict(given)))
    filled = dict(given)
    if "client_id" not in filled and "username" not in filled:
        for key, name in (("clientId", "client_id"), ("clientSecret", "client_secret")):
            setting = config["anypoint-auth"].get(key)
            if setting is not None:
                filled[name] = setting.value
    return filled, []


def check(news: Mapping[str, Any]) -> Checked:
    calls.append(("check", dict(news)))
    inputs = {"renew_before_seconds": 600, "verify_tls": True, **news}
    problems = []
    value = inputs.get("client_id")
    if value is not UNKNOWN and value is not None and not isinstance(value, str):
        problems.append(Problem("client_id", f"client_id must be a string, not "
                                f"{type(value).__name__}"))
    if "client_id" in inputs and "client_secret" not in inputs:
        problems.append(Problem("client_secret", "client_secret is required with client_id"))
    notices = [Notice("warning", "verify_tls is false")] if inputs["verify_tls"] is False else []
    return Checked(inputs, problems, notices)


def diff(olds: Mapping[str, Any], news: Mapping[str, Any]) -> Diff:
    calls.append(("diff", (dict(olds), dict(news))))
    replaces = [k for k in ("client_id", "client_secret", "triggers") if olds.get(k) != news.get(k)]
    updates = [k for k in ("timeout_seconds",) if olds.get(k) != news.get(k)]
    return Diff(replaces, updates)


def _token(inputs: Mapping[str, Any], token: Any) -> dict[str, Any]:
    return {**inputs, "access_token": token, "token_type": "bearer",
            "grant_type": "client_credentials", "issued_at": token, "expires_at": token,
            "base_url": "http://127.0.0.1:1"}


def create(inputs: Mapping[str, Any]) -> Created:
    calls.append(("create", dict(inputs)))
    return Created("tok-1", _token(inputs, "the-token"))


def preview_outputs(inputs: Mapping[str, Any]) -> dict[str, Any]:
    calls.append(("preview_outputs", dict(inputs)))
    return _token(inputs, UNKNOWN)


def update(olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
    calls.append(("update", (dict(olds), dict(news))))
    return {**olds, **news}


def read(state: Mapping[str, Any]) -> Refreshed:
    calls.append(("read", dict(state)))
    inputs = {k: v for k, v in state.items() if k in {s.name for s in INPUTS}}
    return Refreshed(dict(state), inputs)


def delete(state: Mapping[str, Any]) -> list[Notice]:
    calls.append(("delete", dict(state)))
    return [Notice("info", "revoked")]


def invoke(function: Any, arguments: Mapping[str, Any]) -> Any:
    calls.append(("invoke", (function.name, dict(arguments))))
    return function.result(**RESULTS[function.name])


def result_is_secret(function: Any, secret_arguments: set[str]) -> bool:
    return bool(function.logs_in)


RESULTS: dict[str, dict[str, Any]] = {}
