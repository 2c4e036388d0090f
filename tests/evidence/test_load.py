"""Load (issue 6, bounded): 100 AnypointToken creations through ONE provider server (the SDK's
4 worker threads) against the emulator with 50 ms latency -- all succeed, tokens distinct, no
cross-talk, and at least 3x faster than one at a time -- and 200 concurrent requests to the
emulator without an error.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from anypoint_pulumi.access.endpoints import ME, TOKEN_V2
from anypoint_pulumi.emulator import Emulator

LATENCY = 0.05
CONCURRENT = 100
SEQUENTIAL = 20
APPS = 10



@pytest.fixture(scope="module")
def apps(emu: Emulator) -> list[tuple[str, str]]:
    return [emu.add_connected_app(f"load app {n}") for n in range(APPS)]


def _inputs(emu: Emulator, apps: list[tuple[str, str]], n: int) -> dict[str, Any]:
    client_id, client_secret = apps[n % APPS]
    return {"client_id": client_id, "client_secret": client_secret, "base_url": emu.base_url,
            "triggers": {"n": str(n)}, "timeout_seconds": 10}


def _create(server: Any, emu: Emulator, apps: list[tuple[str, str]], n: int,
            ) -> tuple[int, dict[str, Any], str, dict[str, Any], float]:
    inputs, failures = server.check(_inputs(emu, apps, n))
    assert failures == []
    started = time.perf_counter()
    id_, outs = server.create(inputs)
    return n, inputs, id_, outs, time.perf_counter() - started


def test_100_creations_through_one_provider_server(server: Any, clean: Emulator,
                                                   apps: list[tuple[str, str]],
                                                   evidence_note: Callable[[str], None]) -> None:
    emu = clean
    _create(server, emu, apps, -1)  # warm: the provider is unpickled and cached once
    emu.latency = LATENCY

    started = time.perf_counter()
    sequential = [_create(server, emu, apps, n) for n in range(SEQUENTIAL)]
    per_op_sequential = (time.perf_counter() - started) / SEQUENTIAL

    emu.clear_requests()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda n: _create(server, emu, apps, n),
                                range(SEQUENTIAL, SEQUENTIAL + CONCURRENT)))
    per_op_concurrent = (time.perf_counter() - started) / CONCURRENT
    emu.latency = 0.0

    assert len(results) == CONCURRENT
    assert emu.count(TOKEN_V2, method="POST") == CONCURRENT, "one token request per creation"
    tokens = [outs["access_token"] for _, _, _, outs, _ in results]
    ids = [id_ for _, _, id_, _, _ in results]
    assert len(set(tokens)) == CONCURRENT, "tokens are not distinct"
    assert len(set(ids)) == CONCURRENT, "resource ids are not distinct"
    with emu._store.lock:
        minted = dict(emu._store.tokens)
    for n, inputs, _, outs, _ in [*sequential, *results]:
        # No cross-talk: each resource's outputs are its own inputs, and its token was issued
        # to its own connected app.
        for key in ("client_id", "client_secret", "triggers", "base_url"):
            assert outs[key] == inputs[key], (n, key)
        assert outs["triggers"] == {"n": str(n)}
        assert minted[outs["access_token"]].client_id == inputs["client_id"], n
        assert emu.is_active(outs["access_token"])

    speedup = per_op_sequential / per_op_concurrent
    latencies = sorted(took for *_, took in results)
    evidence_note(
        f"load: {CONCURRENT} Creates through one provider server, emulator latency "
        f"{LATENCY * 1000:.0f} ms: sequential {per_op_sequential * 1000:.1f} ms/op "
        f"({SEQUENTIAL} ops), 4 workers {per_op_concurrent * 1000:.1f} ms/op: speed-up "
        f"{speedup:.2f}x (bar 3x); Create latency median "
        f"{statistics.median(latencies) * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms")
    assert speedup >= 3.0, (
        f"speed-up {speedup:.2f}x < 3x ({per_op_sequential * 1000:.1f} vs "
        f"{per_op_concurrent * 1000:.1f} ms/op)")


def test_200_concurrent_requests_to_the_emulator(clean: Emulator,
                                                 evidence_note: Callable[[str], None]) -> None:
    emu = clean
    demo = emu.demo
    token = requests.post(emu.base_url + TOKEN_V2, timeout=10, data={
        "grant_type": "client_credentials", "client_id": demo.client_id,
        "client_secret": demo.client_secret}).json()["access_token"]
    emu.clear_requests()
    gate = threading.Barrier(200, timeout=30)
    failures: list[str] = []

    def one(n: int) -> None:
        gate.wait()
        try:
            if n % 2:
                resp = requests.get(emu.base_url + ME, timeout=30,
                                    headers={"Authorization": f"Bearer {token}"})
                ok = resp.status_code == 200 and "client" in resp.json()
            else:
                resp = requests.post(emu.base_url + TOKEN_V2, timeout=30, data={
                    "grant_type": "client_credentials", "client_id": demo.client_id,
                    "client_secret": demo.client_secret})
                ok = resp.status_code == 200 and bool(resp.json().get("access_token"))
            if not ok:
                failures.append(f"{n}: HTTP {resp.status_code}")
        except requests.RequestException as exc:
            failures.append(f"{n}: {type(exc).__name__}")

    threads = [threading.Thread(target=one, args=(n,)) for n in range(200)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    took = time.perf_counter() - started
    assert not failures, failures[:10]
    assert emu.count() == 200
    assert emu.count(status=200) == 200
    evidence_note(f"load: 200 concurrent requests to the emulator (100 token, 100 /me): "
                  f"0 errors, all 200 OK in {took:.2f} s")
