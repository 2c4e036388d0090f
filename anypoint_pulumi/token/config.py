"""The stack's config as the core reads it, in a Pulumi program (the resource and the data
functions): each namespace a :class:`~anypoint_pulumi.core.sources.ConfigSource` that knows
whether a value was set with ``--secret``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.runtime import config as runtime_config

from ..core.sources import NAMESPACES, Setting, location, with_defaults
from .provider import notify

__all__ = ["StackConfig", "program_defaults", "program_location"]


class StackConfig:
    """One config namespace of the running stack."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def get(self, key: str) -> Setting | None:
        full = f"{self.namespace}:{key}"
        value = runtime_config.get_config(full)
        if value is None:
            return None
        return Setting(value, runtime_config.is_config_secret(full))


def _sources() -> dict[str, StackConfig]:
    return {namespace: StackConfig(namespace) for namespace in NAMESPACES}


def program_location(region: Any, base_url: Any) -> dict[str, Any]:
    """``region``/``base_url`` as given, else from the stack's config, else the environment."""
    return location(region, base_url, _sources())


def program_defaults(given: Mapping[str, Any]) -> dict[str, Any]:
    """``given`` completed from the stack's config and the environment (the core's rule); its
    warnings go to the Pulumi output."""
    resolved, notices = with_defaults(given, _sources())
    notify(notices)
    return resolved
