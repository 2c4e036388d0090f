"""Serve a provider over gRPC as the engine talks to it, in this process or as the plugin
executable, and call it with wire values (camelCase ``PropertyValue``s, secrets marked)."""

from __future__ import annotations

import asyncio
import os
import select
import subprocess
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import struct_pb2
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from anypoint_pulumi.plugin.server import serve

__all__ = ["TOKEN_URN", "CallFailed", "InProcess", "PluginProcess", "Stub", "struct", "values"]

TOKEN_URN = "urn:pulumi:dev::proj::anypoint-auth:index:Token::tok"


class CallFailed(Exception):
    """A gRPC call ended with an error: ``code`` and ``details`` (what the user would see)."""

    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        self.code, self.details = code, details
        super().__init__(f"{code.name}: {details}")


def _pv(value: Any, secret: bool = False) -> PropertyValue:
    if isinstance(value, PropertyValue):
        return value
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return PropertyValue(value, is_secret=secret)
    if isinstance(value, (int, float)):
        return PropertyValue(float(value), is_secret=secret)
    if isinstance(value, Mapping):
        return PropertyValue({k: _pv(v) for k, v in value.items()}, is_secret=secret)
    return PropertyValue([_pv(v) for v in value], is_secret=secret)


def struct(props: Mapping[str, Any], secret: tuple[str, ...] = ()) -> struct_pb2.Struct:
    """Wire properties from plain values; the ``secret`` names marked secret."""
    return PropertyValue.marshal_map({k: _pv(v, k in secret) for k, v in props.items()})


def values(message: struct_pb2.Struct) -> dict[str, PropertyValue]:
    return PropertyValue.unmarshal_map(message)


class Stub:
    """The ResourceProvider client of one server."""

    def __init__(self, port: int) -> None:
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)

    def call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=60)
        except grpc.RpcError as exc:
            raise CallFailed(exc.code(), exc.details()) from None

    def close(self) -> None:
        self.channel.close()

    # The engine's calls, with wire properties

    def configure(self, args: Mapping[str, Any] = (), secret: tuple[str, ...] = (),
                  variables: Mapping[str, str] | None = None) -> Any:
        return self.call("Configure", provider_pb2.ConfigureRequest(
            args=struct(dict(args), secret), variables=dict(variables or {}),
            acceptSecrets=True, acceptResources=True))

    def check(self, news: Mapping[str, Any], secret: tuple[str, ...] = (),
              olds: Mapping[str, Any] | None = None, urn: str = TOKEN_URN) -> Any:
        return self.call("Check", provider_pb2.CheckRequest(
            urn=urn, olds=struct(olds or {}), news=struct(news, secret)))

    def diff(self, olds: Any, news: Any, urn: str = TOKEN_URN) -> Any:
        return self.call("Diff", provider_pb2.DiffRequest(
            urn=urn, id="id", olds=_as_struct(olds), news=_as_struct(news)))

    def create(self, props: Any, preview: bool = False, urn: str = TOKEN_URN) -> Any:
        return self.call("Create", provider_pb2.CreateRequest(
            urn=urn, properties=_as_struct(props), preview=preview))

    def read(self, resource_id: str, props: Any, inputs: Any, urn: str = TOKEN_URN) -> Any:
        return self.call("Read", provider_pb2.ReadRequest(
            urn=urn, id=resource_id, properties=_as_struct(props),
            inputs=_as_struct(inputs)))

    def update(self, olds: Any, news: Any, preview: bool = False, urn: str = TOKEN_URN) -> Any:
        return self.call("Update", provider_pb2.UpdateRequest(
            urn=urn, id="id", olds=_as_struct(olds), news=_as_struct(news), preview=preview))

    def delete(self, resource_id: str, props: Any, urn: str = TOKEN_URN) -> Any:
        return self.call("Delete", provider_pb2.DeleteRequest(
            urn=urn, id=resource_id, properties=_as_struct(props)))

    def invoke(self, tok: str, args: Mapping[str, Any], secret: tuple[str, ...] = ()) -> Any:
        return self.call("Invoke", provider_pb2.InvokeRequest(tok=tok, args=struct(args,
                                                                                    secret)))


def _as_struct(props: Any) -> struct_pb2.Struct:
    return props if isinstance(props, struct_pb2.Struct) else struct(props)


class InProcess:
    """A provider served by :func:`serve` on a loopback port, in a thread of this process."""

    def __init__(self, provider: Any) -> None:
        self.provider = provider
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._port: int | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def main() -> None:
            self._stop = asyncio.Event()

            def ready(port: int) -> None:
                self._port = port
                self._ready.set()

            await serve(self.provider, ready=ready, stop=self._stop)

        self._loop.run_until_complete(main())

    def __enter__(self) -> Stub:
        self._thread.start()
        if not self._ready.wait(30) or self._port is None:
            raise RuntimeError("the in-process provider server did not start within 30 s")
        self.stub = Stub(self._port)
        return self.stub

    def __exit__(self, *exc: object) -> None:
        self.stub.close()
        stop = self._stop
        if stop is not None:
            self._loop.call_soon_threadsafe(stop.set)
        self._thread.join(30)
        assert not self._thread.is_alive(), "the in-process server did not stop within 30 s"


class PluginProcess:
    """The plugin executable (``pulumi-resource-anypoint-auth``) as the engine starts it: its
    first stdout line is the port. ``stderr`` holds what it wrote (read after ``__exit__``)."""

    def __init__(self, executable: Path, env: Mapping[str, str] | None = None,
                 args: tuple[str, ...] = ()) -> None:
        self.executable = executable
        self.env = {**os.environ, **(env or {})}
        self.args = args
        self.started_in: float | None = None
        self.stderr = ""

    def __enter__(self) -> Stub:
        started = time.monotonic()
        self.process = subprocess.Popen([str(self.executable), *self.args],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        env=self.env, text=True)
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], 60)  # a deadline, no sleep
        line = self.process.stdout.readline() if ready else ""  # the port line, or "" at exit
        if not line.strip().isdigit():
            self.process.kill()
            _, err = self.process.communicate(timeout=30)
            raise RuntimeError(f"the plugin did not print its port: {line!r} {err[-2000:]}")
        self.started_in = time.monotonic() - started
        self.stub = Stub(int(line))
        return self.stub

    def __exit__(self, *exc: object) -> None:
        self.stub.close()
        self.process.terminate()
        _, err = self.process.communicate(timeout=30)
        self.stderr = err
