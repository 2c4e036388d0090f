"""The ``anypoint-auth`` provider: a thin adapter from the plugin protocol to the core.

Each method reads the wire format (camelCase ``PropertyValue``s), calls one function of
:mod:`anypoint_pulumi.core` with plain snake_case values, and writes the answer back in wire
format, secrets marked. Nothing about tokens is decided here. Blocking calls (logins, reads,
revokes) run in a worker thread: the server is one event loop. Errors are the core's
``AnypointError``s, whose text is the one line the user sees (:mod:`.server` sends it as is).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    GetSchemaRequest,
    GetSchemaResponse,
    InvokeRequest,
    InvokeResponse,
    PropertyDiff,
    PropertyDiffKind,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)

from ..access.errors import ConfigurationError
from ..core import UNKNOWN, Notice
from ..core import functions as data
from ..core import inputs as declared
from ..core import token as lifecycle
from ..core.sources import Setting, location, with_defaults
from . import schema
from .wire import Plain, from_wire, is_unknown, result_to_wire, to_wire

__all__ = ["AnypointAuthProvider", "ProviderConfig"]


@dataclass(frozen=True)
class ProviderConfig:
    """The provider's ``anypoint-auth:*`` configuration as the core reads config
    (``core.sources.ConfigSource``): camelCase key -> :class:`Setting`."""

    settings: Mapping[str, Setting]

    def get(self, key: str) -> Setting | None:
        return self.settings.get(key)


def _config_of(request: ConfigureRequest) -> ProviderConfig:
    """Configure's typed arguments (secrets marked), else its ``anypoint-auth:key`` variables."""
    settings: dict[str, Setting] = {}
    prefix = f"{schema.CONFIG_NAMESPACE}:"
    for name, text in request.variables.items():
        if name.startswith(prefix) and text:
            settings[name[len(prefix):]] = Setting(value=text, secret=False)
    for key, value in request.args.items():
        if isinstance(value.value, str) and value.value and not is_unknown(value):
            settings[key] = Setting(value=value.value, secret=value.contains_secret())
        elif isinstance(value.value, (bool, float)):  # typed by the schema: as config text
            text = str(value.value).lower() if isinstance(value.value, bool) else f"{value.value:g}"
            settings[key] = Setting(value=text, secret=value.contains_secret())
    return ProviderConfig(settings)


_CONFIG_TYPES: Mapping[type, tuple[type, ...]] = {str: (str,), float: (float, str),
                                                  bool: (bool, str)}
"""What a configuration value of each declared type may arrive as (text is read by the core)."""
_CONFIG_WORDS: Mapping[type, str] = {float: "a number", bool: "true or false"}


def _kind(value: object) -> str:
    return {bool: "true or false", float: "a number", str: "a string"}.get(
        type(value), "a list or map")


def _tell(notices: Iterable[Notice]) -> None:
    """The core's notices, to the user (``pulumi.log`` reaches the engine: see ``main``). A
    notice that cannot be delivered never fails the operation it belongs to."""
    for notice in notices:
        log = pulumi.log.warn if notice.level == "warning" else pulumi.log.info
        try:
            log(schema.camel_text(notice.message))
        except Exception as exc:  # the engine went away, say
            print(f"{schema.PACKAGE}: a {notice.level} could not reach the engine "
                  f"({type(exc).__name__})", file=sys.stderr, flush=True)


def _failure(field: str | None, reason: str) -> CheckFailure:
    return CheckFailure(schema.camel(field) if field else "", schema.camel_text(reason))


class AnypointAuthProvider(Provider):
    """``anypoint-auth``: the ``Token`` resource and the data functions, over the core."""

    def __init__(self) -> None:
        self._config = ProviderConfig({})
        self._names = schema.token_names()
        self._inputs = {schema.camel(spec.name) for spec in schema.INPUTS}
        self._functions = {schema.FUNCTION_PREFIX + schema.camel(f.name): f
                           for f in schema.functions()}

    # The wire, both ways ---------------------------------------------------------------------

    def _read(self, props: Mapping[str, PropertyValue]) -> Plain:
        return from_wire(props, self._names, UNKNOWN)

    def _write(self, values: Mapping[str, Any], arrived_secret: Iterable[str] = ()
               ) -> dict[str, PropertyValue]:
        secret = {*declared.SECRET_INPUTS, *declared.SECRET_OUTPUTS, *arrived_secret}
        return to_wire(values, secret, UNKNOWN)

    # Schema and configuration ----------------------------------------------------------------

    async def get_schema(self, request: GetSchemaRequest) -> GetSchemaResponse:
        return GetSchemaResponse(schema=schema.schema_json())

    async def check_config(self, request: CheckRequest) -> CheckResponse:
        """Only the types: the values are judged where they are used (Check), with the rest."""
        config = {spec.config_key: spec for spec in schema.INPUTS if spec.config_key}
        failures = []
        for key, value in request.new_inputs.items():
            spec = config.get(key)
            if spec is None or value.value is None or is_unknown(value):
                continue  # "version" and the like are the engine's; unknowns pass
            wanted = _CONFIG_TYPES.get(spec.type, (str,))
            if not isinstance(value.value, wanted):
                failures.append(CheckFailure(key, (
                    f"{schema.CONFIG_NAMESPACE}:{key} must be "
                    f"{_CONFIG_WORDS.get(spec.type, 'a string')}, not {_kind(value.value)}")))
        return CheckResponse(inputs=dict(request.new_inputs), failures=failures)

    async def diff_config(self, request: DiffRequest) -> DiffResponse:
        # The SDK's own answer is wrong (pitfall 7): compare the settings, never replace.
        keys = (set(request.old_state) | set(request.new_inputs)) - {"version"}
        changed = sorted(key for key in keys
                         if request.old_state.get(key) != request.new_inputs.get(key))
        return DiffResponse(changes=bool(changed), diffs=changed)

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        self._config = _config_of(request)
        return ConfigureResponse(accept_secrets=True, supports_preview=True,
                                 accept_resources=False, accept_outputs=False)

    def _with_defaults(self, given: Mapping[str, Any]) -> tuple[dict[str, Any], list[Notice]]:
        return with_defaults(given, {schema.CONFIG_NAMESPACE: self._config}, os.environ)

    # The Token resource ----------------------------------------------------------------------

    async def check(self, request: CheckRequest) -> CheckResponse:
        news = self._read(request.new_inputs)
        failures = [CheckFailure(name, f"{name} is not a property of {schema.TOKEN}: use one of "
                                 f"{', '.join(sorted(self._inputs))}")
                    for name in news.unknown_names]
        inputs, notices = self._with_defaults(news.values)
        checked = lifecycle.check(inputs)
        failures += [_failure(problem.field, problem.reason) for problem in checked.problems]
        _tell([*notices, *checked.notices])
        return CheckResponse(inputs=self._write(checked.inputs, news.secret | self._secret_config(
            news.values)), failures=failures)

    def _secret_config(self, given: Mapping[str, Any]) -> set[str]:
        """The inputs the configuration may have filled from a value set with ``--secret``."""
        secret = set()
        for spec in schema.INPUTS:
            setting = self._config.get(spec.config_key) if spec.config_key else None
            if spec.name not in given and setting is not None and setting.secret:
                secret.add(spec.name)
        return secret

    async def diff(self, request: DiffRequest) -> DiffResponse:
        olds, news = self._read(request.old_state), self._read(request.new_inputs)
        found = lifecycle.diff(olds.values, news.values)
        _tell(found.notices)
        replaces = [schema.camel(name) for name in found.replaces]
        updates = [schema.camel(name) for name in found.updates]
        detailed = {name: PropertyDiff(PropertyDiffKind.UPDATE_REPLACE, name in self._inputs)
                    for name in replaces}
        detailed.update({name: PropertyDiff(PropertyDiffKind.UPDATE, True) for name in updates
                         if name not in detailed})
        return DiffResponse(changes=bool(detailed), replaces=replaces,
                            diffs=sorted(detailed), delete_before_replace=False,
                            detailed_diff=detailed)

    async def create(self, request: CreateRequest) -> CreateResponse:
        inputs = self._read(request.properties)
        if request.preview:  # never log in during a preview (pitfall 4)
            return CreateResponse(resource_id="", properties=self._write(
                lifecycle.preview_outputs(inputs.values), inputs.secret))
        created = await asyncio.to_thread(lifecycle.create, inputs.values)
        _tell(created.notices)
        return CreateResponse(resource_id=created.id,
                              properties=self._write(created.outputs, inputs.secret))

    async def read(self, request: ReadRequest) -> ReadResponse:
        state, given = self._read(request.properties), self._read(request.inputs)
        refreshed = await asyncio.to_thread(lifecycle.read, state.values)
        _tell(refreshed.notices)
        return ReadResponse(resource_id=request.resource_id,
                            properties=self._write(refreshed.outputs, state.secret),
                            inputs=self._write(refreshed.inputs, given.secret))

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        olds, news = self._read(request.olds), self._read(request.news)
        outputs = await asyncio.to_thread(lifecycle.update, olds.values, news.values)
        return UpdateResponse(properties=self._write(outputs, news.secret | olds.secret))

    async def delete(self, request: DeleteRequest) -> None:
        state = self._read(request.properties)
        _tell(await asyncio.to_thread(lifecycle.delete, state.values))

    # The data functions ----------------------------------------------------------------------

    async def invoke(self, request: InvokeRequest) -> InvokeResponse:
        function = self._functions.get(request.tok)
        if function is None:
            raise ConfigurationError(
                f"{request.tok} is not a function of {schema.PACKAGE}: use one of "
                f"{', '.join(sorted(self._functions))}")
        names = {schema.camel(arg.name): arg.name for arg in function.arguments}
        args = from_wire(request.args, names, UNKNOWN)
        failures = [CheckFailure(name, f"{name} is not an argument of {request.tok}: use one "
                                 f"of {', '.join(sorted(names))}")
                    for name in args.unknown_names]
        failures += [CheckFailure(schema.camel(name), f"{schema.camel(name)} is not known yet "
                                  "(it comes from a resource that is not created yet): call "
                                  "the function's output form, which waits for it")
                     for name, value in args.values.items() if value is UNKNOWN]
        if failures:
            return InvokeResponse(failures=failures)
        values, notices = self._arguments(function, args.values)
        if not function.logs_in and values.get("access_token") is None:
            return InvokeResponse(failures=[CheckFailure("accessToken", (
                "accessToken is required: pass a Token's accessToken output, or set "
                f"{data.ENV_TOKEN} in the environment pulumi runs in"))])
        try:
            result = await asyncio.to_thread(data.invoke, function, values, notices.append)
        except ConfigurationError as exc:
            if exc.field in names.values():
                return InvokeResponse(failures=[_failure(exc.field, str(exc))])
            raise
        finally:
            _tell(notices)
        secret = function.result_is_secret(values, args.secret)
        return InvokeResponse(return_value=result_to_wire(result, UNKNOWN, secret))

    def _arguments(self, function: data.Function, given: Mapping[str, Any]
                   ) -> tuple[dict[str, Any], list[Notice]]:
        """A function's arguments completed as a program's are: a login function's from the
        configuration and environment (as the Token's), a token-taking function's location
        likewise, and a pipeline's hand-over (``ANYPOINT_ACCESS_TOKEN``)."""
        config = {schema.CONFIG_NAMESPACE: self._config}
        if function.logs_in:
            return with_defaults(given, config, os.environ)
        placed = location(given.get("region"), given.get("base_url"), config, os.environ)
        values = {key: value for key, value in given.items()
                  if key not in ("region", "base_url")}
        return data.handed_over({**values, **placed}, function, os.environ), []
