"""Drive the SDK's own dynamic provider server over gRPC, as the Pulumi engine does.

The one gRPC harness of the tests and the benchmark. Starts ``python -u -m pulumi.dynamic`` (the
process the CLI's ``pulumi-resource-pulumi-python`` runs), reads its port from the first stdout
line, keeps draining stdout and stderr (for the secrets checks), and calls Configure / Check / Diff
/ Create / Update / Read / Delete with plain dicts turned into ``Struct`` properties that carry
``__provider``, as the engine sends them: plaintext (the dynamic provider refuses secrets),
unknowns as :data:`UNKNOWN`."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from typing import Any

import grpc
from google.protobuf import json_format, struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc
from pulumi.runtime.rpc import UNKNOWN

from anypoint_pulumi.token.provider import TOKEN_PROVIDER
from anypoint_pulumi.token.resource import TOKEN_TYPE as TYPE

__all__ = ["DIFF_NONE", "DIFF_SOME", "PROVIDER", "TYPE", "UNKNOWN", "ProviderError",
           "ProviderServer"]

PROVIDER = serialize_provider(TOKEN_PROVIDER)
"""The ``__provider`` input, as ``AnypointToken`` serializes it."""

DIFF_NONE = provider_pb2.DiffResponse.DIFF_NONE
DIFF_SOME = provider_pb2.DiffResponse.DIFF_SOME


class ProviderError(Exception):
    """A gRPC call failed: ``code`` and ``details`` (the provider's traceback, for UNKNOWN)."""

    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        self.code, self.details = code, details
        super().__init__(f"{code.name}: {details}")


def _struct(props: dict[str, Any], provider: str = PROVIDER) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update({**props, "__provider": provider})
    return struct


def _plain(struct: struct_pb2.Struct) -> dict[str, Any]:
    return json_format.MessageToDict(struct)  # type: ignore[no-any-return]


class ProviderServer:
    """One provider process; ``with ProviderServer() as server: server.create({...})``."""

    def __init__(self, *, env: dict[str, str] | None = None, project: str = "evidence") -> None:
        self.project = project
        self._env = {**os.environ, "PULUMI_PROJECT": project, **(env or {})}
        self._out: list[str] = []
        self._err: list[str] = []
        self._printed = threading.Condition()
        self._proc: subprocess.Popen[str] | None = None
        self._channel: grpc.Channel | None = None
        self.stub: Any = None

    def __enter__(self) -> ProviderServer:
        proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=self._env,
        )
        self._proc = proc
        assert proc.stdout is not None and proc.stderr is not None
        port = proc.stdout.readline().strip()
        if not port.isdigit():
            proc.kill()
            raise RuntimeError(f"provider server did not start: {port!r} {proc.stderr.read()}")
        for stream, sink in ((proc.stdout, self._out), (proc.stderr, self._err)):
            threading.Thread(target=self._drain, args=(stream, sink), daemon=True).start()
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(self._channel).result(timeout=30)
        self.stub = provider_pb2_grpc.ResourceProviderStub(self._channel)
        self.configure({})
        return self

    def __exit__(self, *exc: object) -> None:
        if self._channel is not None:
            self._channel.close()
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(10)

    def _drain(self, stream: Any, sink: list[str]) -> None:
        for line in stream:
            with self._printed:
                sink.append(line)
                self._printed.notify_all()

    def output(self) -> str:
        """Everything the provider process printed so far (stdout and stderr)."""
        with self._printed:
            return "".join(self._out) + "".join(self._err)

    def wait_for_output(self, text: str, since: int = 0, timeout: float = 10.0) -> str:
        """What the process printed after ``since`` once it holds ``text`` (printing is read
        by a background thread, so a warning may arrive just after the call that caused it);
        :class:`TimeoutError` after ``timeout`` seconds."""
        with self._printed:
            if not self._printed.wait_for(lambda: text in self.output()[since:], timeout):
                raise TimeoutError(f"the provider process did not print {text!r} within "
                                   f"{timeout:g} s; it printed: {self.output()[since:]!r}")
            return self.output()[since:]

    def settled_output(self, timeout: float = 10.0) -> str:
        """Everything the provider process printed up to now, once all of it has been read: a
        ``Check`` with ``verify_tls`` off over HTTPS makes the provider print a warning, and when
        that warning has arrived, so has everything printed before it. For checks that something
        was *not* printed, which must not pass only because it had not been read yet."""
        mark = self.output_mark()
        self.check({"client_id": "settle", "client_secret": "settle-secret",
                    "base_url": "https://127.0.0.1:9", "verify_tls": False})
        self.wait_for_output("verify_tls is false", since=mark, timeout=timeout)
        return self.output()

    def output_mark(self) -> int:
        """A position in :meth:`output`, for :meth:`output_since`."""
        return len(self.output())

    def output_since(self, mark: int) -> str:
        """What the provider process printed after :meth:`output_mark` returned ``mark``."""
        return self.output()[mark:]

    def _call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=120)
        except grpc.RpcError as exc:
            raise ProviderError(exc.code(), exc.details() or "") from None

    def configure(self, config: dict[str, Any]) -> bool:
        """Send the stack config (``{"anypoint:region": "eu"}``); returns ``acceptSecrets``."""
        args = struct_pb2.Struct()
        args.update(config)
        resp = self._call("Configure", provider_pb2.ConfigureRequest(args=args,
                                                                     acceptSecrets=True))
        return bool(resp.acceptSecrets)

    def check(self, news: dict[str, Any], olds: dict[str, Any] | None = None, *,
              provider: str = PROVIDER) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """``(inputs, [(property, reason), ...])``."""
        resp = self._call("Check", provider_pb2.CheckRequest(
            urn=self.urn(), olds=_struct(olds or {}), news=_struct(news, provider),
            type=TYPE))
        return _plain(resp.inputs), [(f.property, f.reason) for f in resp.failures]

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        """The raw ``DiffResponse`` (``changes``, ``replaces``, ``deleteBeforeReplace``)."""
        return self._call("Diff", provider_pb2.DiffRequest(
            id=id_, urn=self.urn(), olds=_struct(olds), news=_struct(news), type=TYPE))

    def create(self, props: dict[str, Any], *,
               provider: str = PROVIDER) -> tuple[str, dict[str, Any]]:
        """``(id, outputs)``."""
        resp = self._call("Create", provider_pb2.CreateRequest(
            urn=self.urn(), properties=_struct(props, provider), type=TYPE))
        return resp.id, _plain(resp.properties)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        """The new outputs."""
        resp = self._call("Update", provider_pb2.UpdateRequest(
            id=id_, urn=self.urn(), olds=_struct(olds), news=_struct(news), type=TYPE))
        return _plain(resp.properties)

    def read(self, id_: str, props: dict[str, Any], *, inputs: dict[str, Any] | None = None,
             ) -> tuple[str, dict[str, Any], dict[str, Any]]:
        """``(id, outputs, inputs)`` as a refresh sees them; ``inputs`` are the old inputs the
        engine sends along (``props`` empty plays a ``get``, which sends only inputs)."""
        request = provider_pb2.ReadRequest(id=id_, urn=self.urn(), type=TYPE)
        if props or inputs is None:
            request.properties.CopyFrom(_struct(props))
        if inputs is not None:
            request.inputs.CopyFrom(_struct(inputs))
        resp = self._call("Read", request)
        return resp.id, _plain(resp.properties), _plain(resp.inputs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        self._call("Delete", provider_pb2.DeleteRequest(
            id=id_, urn=self.urn(), properties=_struct(props), type=TYPE))

    def urn(self, name: str = "token") -> str:
        return f"urn:pulumi:stack::{self.project}::{TYPE}::{name}"
