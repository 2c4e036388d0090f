"""Where inputs the program did not give come from: Pulumi config, then the environment.

The rule, the same for the token resource, the data functions, the provider plugin and the
``anypoint-token`` command (which has no config):

- **Credentials** are one group: if the program gives any credential that selects a flow, none
  comes from elsewhere. Otherwise the group is taken whole from the first place that sets any of
  its keys: ``anypoint-auth:*`` config, then ``anypoint:*`` config (the namespace a
  Terraform-bridged ``anypoint`` provider shares), then the ``ANYPOINT_*`` variables. Keys are
  never mixed across places, so a stray variable or a bridged provider's user cannot turn one
  flow into another.
- **Location** (``region``/``base_url``) is one group, by the same rule; the variables are
  alternatives (the first of ``ANYPOINT_BASE_URL``, ``ANYPOINT_HOST``, ``ANYPOINT_CPLANE`` set).
- **Connection settings** (``timeout_seconds``, ``ca_bundle``, ``verify_tls``) are read one by one
  from config (they select nothing).

A secret credential read from config that was set without ``--secret`` is used, with a warning:
Pulumi keeps it in plaintext in the stack's config file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..access.settings import host_base_url
from .inputs import CONFIG_NAMESPACE, INPUTS, Group, Input, given
from .messages import Notice

__all__ = ["NAMESPACES", "ConfigSource", "Setting", "location", "with_defaults"]

NAMESPACES = (CONFIG_NAMESPACE, "anypoint")
"""Config namespaces read, first wins (each group whole from one of them)."""

_ENV_READERS: Mapping[str, Callable[[str], str]] = {
    "ANYPOINT_HOST": host_base_url,
    "ANYPOINT_CPLANE": str.lower,
}
"""Environment variables whose value is not the input's value as is."""


@dataclass(frozen=True)
class Setting:
    """One config value, and whether it was set as a secret."""

    value: str
    secret: bool


class ConfigSource(Protocol):
    """One config namespace, however the front end reads it (stack config in a program, the
    provider's configuration in the plugin)."""

    def get(self, key: str) -> Setting | None:
        """The value of ``key`` (the camelCase config key), or ``None`` when unset."""


def _group(group: Group) -> list[Input]:
    return [spec for spec in INPUTS if spec.group is group and spec.config_key]


def _typed(spec: Input, text: str) -> Any:
    """A config string as the input's type; left as text when it is not one (the check then
    names the input and what it must be)."""
    if spec.type is float:
        try:
            return float(text)
        except ValueError:
            return text
    if spec.type is bool:
        return {"true": True, "false": False}.get(text.strip().lower(), text)
    return text


def _from_config(specs: list[Input], namespace: str, source: ConfigSource,
                 notices: list[Notice]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for spec in specs:
        setting = source.get(spec.config_key or "")
        if setting is None or setting.value == "":
            continue
        found[spec.name] = _typed(spec, setting.value)
        if spec.secret and not setting.secret:
            key = f"{namespace}:{spec.config_key}"
            notices.append(Notice("warning", (
                f"{key} is set as plain config, so Pulumi keeps it in plaintext in the stack's "
                f"config file (and in state): set it again with `pulumi config set --secret "
                f"{key}`.")))
    return found


def _from_environment(specs: list[Input], environ: Mapping[str, str],
                      first_only: bool) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for spec in specs:
        for var in spec.env_vars:
            if environ.get(var, "").strip() and spec.name not in found:
                found[spec.name] = _ENV_READERS.get(var, str.strip)(environ[var])
                if first_only:  # alternatives: the first one set wins
                    return found
    return found


def _fallback(group: Group, config: Mapping[str, ConfigSource], environ: Mapping[str, str],
              notices: list[Notice]) -> dict[str, Any]:
    specs = _group(group)
    for namespace in NAMESPACES:
        source = config.get(namespace)
        if source is None:
            continue
        found = _from_config(specs, namespace, source, notices)
        if found:
            return found
    return _from_environment([s for s in INPUTS if s.group is group], environ,
                             first_only=group is Group.LOCATION)


def with_defaults(
    given_inputs: Mapping[str, Any],
    config: Mapping[str, ConfigSource],
    environ: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], list[Notice]]:
    """``given_inputs`` completed from ``config`` (namespace → source) and ``environ`` by the
    rule above, and the warnings to show."""
    environ = os.environ if environ is None else environ
    resolved = dict(given_inputs)
    notices: list[Notice] = []
    if not any(given(resolved, spec.name) for spec in INPUTS if spec.selects_flow):
        resolved.update(_fallback(Group.CREDENTIAL, config, environ, notices))
    if not (given(resolved, "region") or given(resolved, "base_url")):
        resolved.update(_fallback(Group.LOCATION, config, environ, notices))
    for spec in INPUTS:
        if spec.group is Group.SETTING and spec.config_key and resolved.get(spec.name) is None:
            for namespace in NAMESPACES:
                source = config.get(namespace)
                found = _from_config([spec], namespace, source, notices) if source else {}
                if found:
                    resolved.update(found)
                    break
    return resolved, notices


def location(region: Any, base_url: Any, config: Mapping[str, ConfigSource],
             environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``region``/``base_url`` as given (the ones given); when neither is, from config, else the
    environment (what a data function given a bare ``access_token`` uses)."""
    if region is not None or base_url is not None:
        return {key: value for key, value in (("region", region), ("base_url", base_url))
                if value is not None}
    environ = os.environ if environ is None else environ
    return _fallback(Group.LOCATION, config, environ, [])
