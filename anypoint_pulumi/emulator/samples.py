"""Emulator-only endpoints under ``/emulator/``: what a shell user needs but cannot make or do.

``GET /emulator/saml-response`` answers, as ``text/plain``, a fresh base64 SAML response that the
emulator's own ``/accounts/login/receive-id`` accepts, so the SAML example runs from the shell::

    pulumi config set --secret samlResponse "$(curl -sf "$BASE_URL/emulator/saml-response")"

Query: ``username`` (default the demo federated user; a federated user: SAML signs in no other),
``issuer`` (default the user's identity provider), ``valid_seconds`` (1-3600, default 300). Each
answer is a new response (new IDs): a response signs in once.

``GET /emulator/clock`` answers the emulator's clock as JSON: ``now`` (RFC 3339, UTC),
``epoch_seconds`` and ``offset_seconds`` (how far it runs ahead of real time).
``POST /emulator/clock?seconds=N`` (or a form or JSON body ``seconds``) moves it ``N`` seconds
forward (a finite number, 0 or more; at most a century from real time in all) and answers the
same JSON, so tokens, sessions, SAML responses and JWT assertions expire from the shell::

    curl -s -X POST "$BASE_URL/emulator/clock?seconds=3600"    # an hour later: tokens expired

The clock answers loopback peers only (403 otherwise, even with ``--allow-remote``).

No real control plane has these paths; they answer on the emulator only, without a token (it is
a local test fake).
"""

from __future__ import annotations

import ipaddress
import json
import math

from werkzeug.wrappers import Request, Response

from .saml import build_response
from .shapes import iso
from .state import MAX_CLOCK_OFFSET_SECONDS, Store

SAML_SAMPLE_PATH = "/emulator/saml-response"
CLOCK_PATH = "/emulator/clock"
MAX_VALID_SECONDS = 3600


def _plain(status: int, text: str) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain")


def saml_sample(store: Store, request: Request) -> Response:
    """A SAML response for ``username`` (who must exist), or a plain-text error saying why not."""
    username = request.args.get("username") or store.demo_saml_username
    if not username:
        return _plain(400, "give ?username=<a user of the emulator>")
    person = store.user_by_username(username)
    if person is None:
        return _plain(404, f"no user {username!r}: add it with --seed or add_user first")
    if person.identity_provider_id is None:
        return _plain(400, f"user {username!r} is not federated: SAML signs in only users an "
                           "identity provider federates (give one, or seed the user with "
                           "identity_provider)")
    issuer = (request.args.get("issuer")
              or store.identity_providers[person.identity_provider_id].issuer)
    try:
        seconds = float(request.args.get("valid_seconds", "300"))
    except ValueError:
        seconds = -1.0
    if not 1 <= seconds <= MAX_VALID_SECONDS:
        return _plain(400, f"valid_seconds must be a number from 1 to {MAX_VALID_SECONDS}")
    return _plain(200, build_response(issuer=issuer, name_id=username, now=store.now(),
                                      not_on_or_after_seconds=seconds))


def _loopback_peer(address: str | None) -> bool:
    """Whether the peer's address is this machine (an IPv4-mapped loopback included)."""
    try:
        ip = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or (mapped is not None and mapped.is_loopback)


def _clock_json(store: Store) -> Response:
    now = store.now()
    body = {"now": iso(now), "epoch_seconds": now.timestamp(),
            "offset_seconds": store.clock.offset.total_seconds()}
    return Response(json.dumps(body), mimetype="application/json")


def _error(status: int, message: str) -> Response:
    return Response(json.dumps({"status": status, "message": message}), status=status,
                    mimetype="application/json")


def _seconds_given(request: Request) -> str | int | float | None:
    """``seconds`` from the query, a form body or a JSON object body (a number or a string)."""
    if "seconds" in request.args:
        return request.args["seconds"]
    if request.mimetype == "application/x-www-form-urlencoded":
        return request.form.get("seconds")
    data = request.get_data(cache=True)
    if not data.strip():
        return None
    try:
        parsed = json.loads(data)
    except (ValueError, RecursionError):
        raise ValueError("the body must be a JSON object like {\"seconds\": 60}") from None
    value = parsed.get("seconds") if isinstance(parsed, dict) else None
    if value is None or (isinstance(value, (str, int, float)) and not isinstance(value, bool)):
        return value
    raise ValueError("seconds must be a number")


def clock(store: Store, request: Request) -> Response:
    """``GET``/``POST /emulator/clock``: read the emulator's clock, or move it forward."""
    if not _loopback_peer(request.remote_addr):
        return _error(403, "the emulator's clock answers this machine only (loopback peers)")
    if request.method != "POST":
        return _clock_json(store)
    usage = ("give seconds=<how many seconds to move the clock forward>, e.g. "
             f"POST {CLOCK_PATH}?seconds=3600")
    try:
        given = _seconds_given(request)
    except ValueError as exc:
        return _error(400, f"{exc}: {usage}")
    if given is None:
        return _error(400, usage)
    try:
        seconds = float(given)
    except ValueError:
        seconds = math.nan
    except OverflowError:  # an integer too large for a float
        seconds = math.inf
    if not math.isfinite(seconds) or seconds < 0:
        return _error(400, f"seconds must be a finite number, 0 or more (the clock only moves "
                           f"forward; at most {MAX_CLOCK_OFFSET_SECONDS} s from real time in "
                           f"all), not {str(given)[:40]!r}")
    try:
        store.clock.advance(seconds)
    except ValueError as exc:
        return _error(400, str(exc))
    return _clock_json(store)
