"""Our own gRPC servicer and loop for the provider, instead of the SDK's.

The SDK's server (``pulumi.provider.experimental.server``) turns every exception into
``Exception(message + traceback)``: users would see a Python traceback. Here an
``AnypointError`` ends the call with its own text, on one line, scrubbed once more of every
secret the request carried; anything else with one line naming the operation (its traceback,
without its message, goes to the plugin's stderr, which the engine shows only with
``--logtostderr -v=9``). No exception reaches the loop: the plugin never crashes on a bad
request. ``DiffConfig`` answers with the provider's own diff (the SDK's drops it).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import traceback
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

import grpc
import grpc.aio
from google.protobuf import empty_pb2, struct_pb2
from pulumi.provider.experimental import provider as api
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime import proto
from pulumi.runtime.proto import provider_pb2_grpc

from .._version import __version__
from ..access.errors import AnypointError
from ..access.redaction import redact
from . import schema

__all__ = ["AnypointAuthServicer", "serve"]

T = TypeVar("T")

_KINDS = {
    api.PropertyDiffKind.ADD: proto.PropertyDiff.ADD,
    api.PropertyDiffKind.ADD_REPLACE: proto.PropertyDiff.ADD_REPLACE,
    api.PropertyDiffKind.DELETE: proto.PropertyDiff.DELETE,
    api.PropertyDiffKind.DELETE_REPLACE: proto.PropertyDiff.DELETE_REPLACE,
    api.PropertyDiffKind.UPDATE: proto.PropertyDiff.UPDATE,
    api.PropertyDiffKind.UPDATE_REPLACE: proto.PropertyDiff.UPDATE_REPLACE,
}


def _secrets_of(values: Iterable[PropertyValue], declared: bool = False) -> list[str]:
    """Every string inside secret values (or inside all of ``values`` when ``declared``)."""
    found: list[str] = []
    for value in values:
        inner = value.value
        secret = declared or value.is_secret
        if isinstance(inner, str):
            if secret and inner:
                found.append(inner)
        elif isinstance(inner, Mapping):
            found += _secrets_of(inner.values(), secret)
        elif isinstance(inner, (list, tuple)):
            found += _secrets_of(inner, secret)
    return found


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _Call:
    """One request: its properties unmarshalled, and the secrets they carry (for scrubbing)."""

    SECRET_NAMES = frozenset(schema.camel(spec.name) for spec in schema.INPUTS if spec.secret) | {
        "accessToken"}

    def __init__(self) -> None:
        self.secrets: list[str] = []

    def props(self, struct: struct_pb2.Struct) -> dict[str, PropertyValue]:
        values = PropertyValue.unmarshal_map(struct)
        self.secrets += _secrets_of(values.values())
        self.secrets += _secrets_of(
            [value for key, value in values.items() if key in self.SECRET_NAMES], True)
        return values


def _failures(failures: Iterable[api.CheckFailure] | None) -> list[proto.CheckFailure]:
    return [proto.CheckFailure(property=f.property, reason=f.reason) for f in failures or ()]


def _changes(changes: bool | None) -> Any:
    if changes is None:
        return proto.DiffResponse.DIFF_UNKNOWN
    return proto.DiffResponse.DIFF_SOME if changes else proto.DiffResponse.DIFF_NONE


def _diff(resp: api.DiffResponse) -> proto.DiffResponse:
    return proto.DiffResponse(
        replaces=resp.replaces, stables=resp.stables,
        deleteBeforeReplace=resp.delete_before_replace, changes=_changes(resp.changes),
        diffs=resp.diffs, hasDetailedDiff=True,
        detailedDiff={key: proto.PropertyDiff(kind=_KINDS[diff.kind], inputDiff=diff.input_diff)
                      for key, diff in resp.detailed_diff.items()})


class AnypointAuthServicer(provider_pb2_grpc.ResourceProviderServicer):
    """The ``ResourceProvider`` service over an experimental ``Provider``, errors kept clean."""

    def __init__(self, provider: api.Provider, version: str = __version__) -> None:
        self._provider = provider
        self._version = version

    async def _guard(self, context: grpc.aio.ServicerContext, operation: str, call: _Call,
                     run: Callable[[], Awaitable[T]]) -> T:
        try:
            return await run()
        except AnypointError as exc:
            message = _one_line(schema.camel_text(redact(str(exc), call.secrets)))
        except Exception as exc:
            frames = "".join(traceback.format_tb(exc.__traceback__))
            print(f"anypoint-auth: {operation} failed with {type(exc).__name__}:\n{frames}",
                  file=sys.stderr, flush=True)
            message = (f"{schema.PACKAGE} {operation} failed unexpectedly "
                       f"({type(exc).__name__}): a bug in anypoint-pulumi "
                       f"{self._version}; please report it with the output of the same "
                       "command run with --logtostderr -v=9")
        await context.abort(grpc.StatusCode.UNKNOWN, message)
        raise AssertionError("abort returns only by raising")  # pragma: no cover

    async def GetPluginInfo(self, request: Any, context: Any) -> Any:
        return proto.PluginInfo(version=self._version)

    async def Cancel(self, request: Any, context: Any) -> Any:
        return empty_pb2.Empty()

    async def GetSchema(self, request: Any, context: Any) -> Any:
        async def run() -> Any:
            resp = await self._provider.get_schema(api.GetSchemaRequest(request.version))
            return proto.GetSchemaResponse(schema=resp.schema or "")
        return await self._guard(context, "GetSchema", _Call(), run)

    async def _check(self, request: Any, context: Any, operation: str,
                     check: Callable[[api.CheckRequest], Awaitable[api.CheckResponse]]) -> Any:
        call = _Call()

        async def run() -> Any:
            if operation == "Check":
                self._own_type(request.urn)
            resp = await check(api.CheckRequest(request.urn, call.props(request.olds),
                                                call.props(request.news), request.randomSeed))
            return proto.CheckResponse(
                inputs=PropertyValue.marshal_map(resp.inputs) if resp.inputs is not None
                else None, failures=_failures(resp.failures))
        return await self._guard(context, operation, call, run)

    async def _diff(self, request: Any, context: Any, operation: str,
                    diff: Callable[[api.DiffRequest], Awaitable[api.DiffResponse]]) -> Any:
        call = _Call()

        async def run() -> Any:
            if operation == "Diff":
                self._own_type(request.urn)
            return _diff(await diff(api.DiffRequest(
                request.urn, request.id, call.props(request.olds), call.props(request.news),
                list(request.ignoreChanges))))
        return await self._guard(context, operation, call, run)

    async def CheckConfig(self, request: Any, context: Any) -> Any:
        return await self._check(request, context, "CheckConfig", self._provider.check_config)

    async def DiffConfig(self, request: Any, context: Any) -> Any:
        return await self._diff(request, context, "DiffConfig", self._provider.diff_config)

    async def Configure(self, request: Any, context: Any) -> Any:
        call = _Call()

        async def run() -> Any:
            resp = await self._provider.configure(api.ConfigureRequest(
                dict(request.variables), call.props(request.args), request.acceptSecrets,
                request.acceptResources))
            return proto.ConfigureResponse(
                acceptSecrets=resp.accept_secrets, acceptResources=resp.accept_resources,
                acceptOutputs=resp.accept_outputs, supportsPreview=resp.supports_preview)
        call.secrets += [value for key, value in request.variables.items()
                         if key.rsplit(":", 1)[-1] in _Call.SECRET_NAMES]
        return await self._guard(context, "Configure", call, run)

    def _own_type(self, urn: str) -> None:
        kind = api._extract_type(urn)
        if kind != schema.TOKEN:
            raise AnypointError(f"{schema.PACKAGE} has no resource type {kind!r}: its only "
                                f"resource is {schema.TOKEN}")

    async def Check(self, request: Any, context: Any) -> Any:
        return await self._check(request, context, "Check", self._provider.check)

    async def Diff(self, request: Any, context: Any) -> Any:
        return await self._diff(request, context, "Diff", self._provider.diff)

    async def Create(self, request: Any, context: Any) -> Any:
        call = _Call()

        async def run() -> Any:
            self._own_type(request.urn)
            resp = await self._provider.create(api.CreateRequest(
                request.urn, call.props(request.properties), request.timeout, request.preview))
            return proto.CreateResponse(id=resp.resource_id or "",
                                        properties=PropertyValue.marshal_map(resp.properties))
        return await self._guard(context, "Create", call, run)

    async def Read(self, request: Any, context: Any) -> Any:
        call = _Call()

        async def run() -> Any:
            self._own_type(request.urn)
            resp = await self._provider.read(api.ReadRequest(
                request.urn, request.id, call.props(request.properties),
                call.props(request.inputs)))
            return proto.ReadResponse(id=resp.resource_id or "",
                                      properties=PropertyValue.marshal_map(resp.properties),
                                      inputs=PropertyValue.marshal_map(resp.inputs))
        return await self._guard(context, "Read", call, run)

    async def Update(self, request: Any, context: Any) -> Any:
        call = _Call()

        async def run() -> Any:
            self._own_type(request.urn)
            resp = await self._provider.update(api.UpdateRequest(
                request.urn, request.id, call.props(request.olds), call.props(request.news),
                timeout=request.timeout, ignore_changes=list(request.ignoreChanges),
                preview=request.preview))
            return proto.UpdateResponse(properties=PropertyValue.marshal_map(resp.properties))
        return await self._guard(context, "Update", call, run)

    async def Delete(self, request: Any, context: Any) -> Any:
        call = _Call()

        async def run() -> Any:
            self._own_type(request.urn)
            await self._provider.delete(api.DeleteRequest(
                request.urn, request.id, call.props(request.properties),
                timeout=request.timeout))
            return empty_pb2.Empty()
        return await self._guard(context, "Delete", call, run)

    async def Invoke(self, request: Any, context: Any) -> Any:
        call = _Call()

        async def run() -> Any:
            resp = await self._provider.invoke(api.InvokeRequest(request.tok,
                                                                 call.props(request.args)))
            fields: dict[str, Any] = {"failures": _failures(resp.failures)}
            if resp.return_value is not None:
                fields["return"] = PropertyValue.marshal_map(resp.return_value)
            return proto.InvokeResponse(**fields)
        return await self._guard(context, "Invoke", call, run)


async def serve(provider: api.Provider, *, ready: Callable[[int], None] | None = None,
                stop: asyncio.Event | None = None) -> None:
    """Serve ``provider`` on a loopback port until ``stop`` is set (or forever): the port goes to
    ``ready``, else to stdout as the engine expects."""
    from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS

    server = grpc.aio.server(options=_GRPC_CHANNEL_OPTIONS)
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(AnypointAuthServicer(provider),
                                                             server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    if ready is not None:
        ready(port)
    else:
        sys.stdout.write(f"{port}\n")
        sys.stdout.flush()
    try:
        if stop is None:
            await server.wait_for_termination()
        else:
            await stop.wait()
    finally:
        await server.stop(grace=None)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The engine starts a plugin as ``<plugin> [flags] <engine address>``."""
    parser = argparse.ArgumentParser(prog=f"pulumi-resource-{schema.PACKAGE}",
                                     description=f"The {schema.PACKAGE} Pulumi provider plugin "
                                     "(started by the Pulumi engine).")
    parser.add_argument("engine", nargs="?", help="the engine's gRPC address")
    parser.add_argument("--logflow", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--logtostderr", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tracing", help=argparse.SUPPRESS)
    parser.add_argument("-v", dest="verbosity", help=argparse.SUPPRESS)
    parser.add_argument("--version", action="version", version=__version__)
    known, _ = parser.parse_known_args(argv)
    return known
