"""The dynamic provider behind :class:`~anypoint_pulumi.AnypointToken`: what the engine runs.

The engine pickles one instance of :class:`TokenProvider` into each resource's ``__provider``
input and calls it from a separate process, up to four calls at once. The instance therefore
holds nothing (no session, no lock, no credential): it pickles as the reference
``anypoint_pulumi.PROVIDER``, 60 base64 characters that never change between releases. Keep that
name forever, or old stacks can no longer be refreshed or destroyed (the class itself may move).

It is a thin adapter over :mod:`anypoint_pulumi.core.token`: the engine's values in (its unknown
sentinel becomes :data:`~anypoint_pulumi.core.UNKNOWN`), the lifecycle function, the result out
(check failures as ``CheckFailure``, notices through ``pulumi.log``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.runtime import rpc

from ..access.errors import AnypointError
from ..core import token as lifecycle
from ..core.messages import UNKNOWN, Notice

__all__ = ["TOKEN_PROVIDER", "TokenProvider", "notify"]


def notify(notices: Iterable[Notice]) -> None:
    """Show notices in the Pulumi output."""
    for notice in notices:
        (pulumi.log.info if notice.level == "info" else pulumi.log.warn)(notice.message)


def _unknown_in(value: Any) -> Any:
    if isinstance(value, pulumi.output.Unknown) or (isinstance(value, str)
                                                     and value == rpc.UNKNOWN):
        return UNKNOWN
    if isinstance(value, dict):
        return {key: _unknown_in(item) for key, item in value.items()}
    return value


def _values(props: Mapping[str, Any]) -> dict[str, Any]:
    """The engine's values as the core takes them: ``__provider`` dropped, unknowns mapped."""
    return {key: _unknown_in(value) for key, value in props.items() if key != "__provider"}


def _unknown_out(value: Any) -> Any:
    if value is UNKNOWN:
        return rpc.UNKNOWN
    if isinstance(value, dict):
        return {key: _unknown_out(item) for key, item in value.items()}
    return value


def _wire(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values as the engine takes them back: :data:`UNKNOWN` as its sentinel."""
    return {key: _unknown_out(value) for key, value in values.items()}


class TokenProvider(ResourceProvider):
    """Logs in to Anypoint, keeps the token fresh, and ends it on delete."""

    serialize_as_secret_always = False

    def __reduce__(self) -> str:
        """Pickle as a reference to ``anypoint_pulumi.PROVIDER``: no credential, 60 base64
        characters in state, and the same bytes in every release of the package."""
        return "PROVIDER"

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checked = lifecycle.check(_values(news))
        notify(checked.notices)
        return CheckResult(_wire(checked.inputs),
                           [CheckFailure(p.field, p.reason) for p in checked.problems])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        found = lifecycle.diff(_values(olds), _values(news))
        notify(found.notices)
        return DiffResult(changes=found.changed, replaces=found.replaces,
                          delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        try:
            created = lifecycle.create(_values(props))
        except AnypointError as exc:
            failure = exc
        else:
            notify(created.notices)
            return CreateResult(created.id, created.outputs)
        # Raised here, without the frames below: the engine shows the SDK's traceback of it,
        # and the shorter it is, the sooner the user reads the one line that matters (its last).
        raise failure.with_traceback(None)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(lifecycle.update(_values(olds), _values(news)))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        refreshed = lifecycle.read(_values(props))
        notify(refreshed.notices)
        return ReadResult(id_, refreshed.outputs, refreshed.inputs)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        notify(lifecycle.delete(_values(props)))


TOKEN_PROVIDER = TokenProvider()
"""The one instance every resource uses. State refers to it as ``anypoint_pulumi.PROVIDER``: keep
that name for as long as stacks exist, or they cannot be read."""
TOKEN_PROVIDER.__module__ = "anypoint_pulumi"
