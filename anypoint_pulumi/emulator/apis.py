"""Read-only answers of Anypoint APIs other than Access Management (API Manager, Exchange, Runtime
Manager…), served from the seed so that calls through ``AccessManagementClient.request`` and
``get_api_response`` are tested end to end.

Each :class:`ApiAnswer` is one path and the JSON it answers to ``GET`` (and ``HEAD``), with the
rules the real APIs apply: a valid bearer token is required (401 ``Unauthorized`` otherwise); an
answer that belongs to an organization is readable only by tokens of that organization's tree
(403 otherwise); one that belongs to an environment by header (CloudHub style) needs
``X-ANYPNT-ENV-ID`` (400 without it) and answers per environment. Other methods get 405: these
paths are read-only in the emulator. The demo organization has three (see :func:`seed_demo_apis`);
a seed file adds more (``api_responses``), as :meth:`Emulator.add_api_response` does.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .state import ApiAnswer, Store, Token

if TYPE_CHECKING:  # werkzeug loads with the server: importing this module needs no extra
    from werkzeug.wrappers import Request, Response

ORG_HEADER = "X-ANYPNT-ORG-ID"
ENV_HEADER = "X-ANYPNT-ENV-ID"
READ_METHODS = ("GET", "HEAD")

MAX_BODY_DEPTH = 64
"""How deep an answer's body may nest: as deep as the client reads (``MAX_JSON_DEPTH`` of
``anypoint_pulumi.access.bounds``); deeper would only serve an answer no client takes."""

DEMO_ASSET_ID = "demo-orders-api"
DEMO_API_INSTANCE_ID = 18470001
DEMO_APPLICATION = "demo-orders"


def _step(key: Any) -> str:
    text = str(key)
    text = text if len(text) <= 24 else text[:24] + "…"
    return f"[{key}]" if isinstance(key, int) else f".{text}"


def too_deep(value: Any, limit: int) -> str | None:
    """Where ``value`` (JSON-like) nests deeper than ``limit`` levels, as a path (``.a[0]…``,
    ``""`` for the top level), or ``None`` when it does not. Iterative, so no recursion limit is
    reached, and a structure that contains itself counts as too deep."""
    todo: list[tuple[Any, int, str]] = [(value, 1, "")]
    while todo:
        item, level, path = todo.pop()
        if isinstance(item, dict):
            children: list[tuple[Any, Any]] = list(item.items())
        elif isinstance(item, (list, tuple)):
            children = list(enumerate(item))
        else:
            continue
        if level > limit:
            return path if len(path) <= 48 else path[:48] + "…"
        todo.extend((child, level + 1, path + _step(key)) for key, child in children
                    if isinstance(child, (dict, list, tuple)))
    return None


def check_body(body: Any) -> None:
    """Raise :class:`ValueError` naming where ``body`` nests past :data:`MAX_BODY_DEPTH`."""
    deep = too_deep(body, MAX_BODY_DEPTH)
    if deep is not None:
        raise ValueError(f"the body nests more than {MAX_BODY_DEPTH} levels deep (at "
                         f"body{deep}): no client reads an answer that deep; flatten it")


def fill(value: Any, organization_id: str | None, environment_id: str | None) -> Any:
    """``value`` (JSON) with ``{organization_id}``/``{environment_id}`` in its strings filled
    (recursive: give it a value :func:`check_body` accepted)."""
    if isinstance(value, str):
        return (value.replace("{organization_id}", organization_id or "")
                .replace("{environment_id}", environment_id or ""))
    if isinstance(value, list):
        return [fill(item, organization_id, environment_id) for item in value]
    if isinstance(value, dict):
        return {fill(key, organization_id, environment_id): fill(item, organization_id,
                                                                  environment_id)
                for key, item in value.items()}
    return value


def add_answer(store: Store, answer: ApiAnswer) -> None:
    """Register ``answer`` (replacing one for the same path and header environment)."""
    if not answer.path.startswith("/") or "?" in answer.path:
        raise ValueError(f"an API path must start with '/' and carry no query: {answer.path!r}")
    if answer.path.rstrip("/").startswith(("/accounts", "/emulator")):
        raise ValueError(f"{answer.path!r} is an Access Management (or emulator) path: the "
                         "emulator answers those itself")
    check_body(answer.body)
    if answer.environment_header and answer.environment_id is None:
        raise ValueError("environment_header needs environment_id: the environment the "
                         "X-ANYPNT-ENV-ID header must name")
    with store.lock:
        if answer.organization_id is not None:
            store.organization(answer.organization_id)
        if answer.environment_id is not None and answer.environment_id not in store.environments:
            raise ValueError(f"unknown environment {answer.environment_id}")
        key = (answer.path.rstrip("/") or "/",
               answer.environment_id if answer.environment_header else None)
        store.api_answers[key] = answer


def serve(store: Store, request: Request, bearer: Callable[[Request], Token | None],
          readable: Callable[[Token, str], bool]) -> Response | None:
    """The answer for ``request`` when its path is a registered API path, else ``None`` (call with
    the store lock held)."""
    path = request.path.rstrip("/") or "/"
    wanted = request.headers.get(ENV_HEADER, "").strip() or None
    found = store.api_answers.get((path, wanted)) or store.api_answers.get((path, None))
    by_header = any(key[0] == path and key[1] is not None for key in store.api_answers)
    if found is None and not by_header:
        return None
    from werkzeug.wrappers import Response

    if request.method not in READ_METHODS:
        response = _message(405, "Method not allowed: this path is read-only in the emulator")
        response.headers["Allow"] = ", ".join(READ_METHODS)
        return response
    token = bearer(request)
    if token is None:
        return Response("Unauthorized", status=401, mimetype="text/plain")
    org_header = request.headers.get(ORG_HEADER, "").strip()
    if org_header and not readable(token, org_header):
        return _message(403, "You do not have access to this organization")
    if found is None:
        return (_message(400, f"{ENV_HEADER} header is required") if wanted is None
                else _message(404, "Environment not found"))
    if found.organization_id is not None and not readable(token, found.organization_id):
        return _message(403, "You do not have access to this organization")
    return _json(copy.deepcopy(found.body))


def _json(body: Any, status: int = 200) -> Response:
    import json

    from werkzeug.wrappers import Response

    return Response(json.dumps(body), status=status, mimetype="application/json")


def _message(status: int, message: str) -> Response:
    return _json({"status": status, "message": message}, status)


def seed_demo_apis(store: Store, organization_id: str, sandbox_id: str) -> None:
    """The demo organization's API answers: an API Manager instance in Sandbox, its Exchange
    asset, and a CloudHub application in Sandbox (shapes as those APIs answer, trimmed)."""
    org, env = organization_id, sandbox_id
    add_answer(store, ApiAnswer(
        f"/apimanager/api/v1/organizations/{org}/environments/{env}/apis",
        {"total": 1, "assets": [{
            "id": 1001, "name": "Demo Orders API", "exchangeAssetName": "Demo Orders API",
            "groupId": org, "assetId": DEMO_ASSET_ID, "organizationId": org,
            "apis": [{"id": DEMO_API_INSTANCE_ID, "environmentId": env,
                      "instanceLabel": "orders-sandbox", "assetId": DEMO_ASSET_ID,
                      "assetVersion": "1.0.0", "productVersion": "v1", "status": "active",
                      "technology": "mule4",
                      "autodiscoveryInstanceName": f"v1:{DEMO_API_INSTANCE_ID}"}]}]},
        organization_id=org, environment_id=env))
    add_answer(store, ApiAnswer(
        f"/exchange/api/v2/assets/{org}/{DEMO_ASSET_ID}",
        {"groupId": org, "assetId": DEMO_ASSET_ID, "version": "1.0.0",
         "name": "Demo Orders API", "type": "rest-api", "status": "published",
         "organizationId": org},
        organization_id=org))
    add_answer(store, ApiAnswer(
        "/cloudhub/api/v2/applications",
        [{"domain": DEMO_APPLICATION, "fullDomain": f"{DEMO_APPLICATION}.us-e2.cloudhub.io",
          "status": "STARTED", "region": "us-east-2", "muleVersion": {"version": "4.6.0"},
          "workers": {"amount": 1, "type": {"name": "Micro"}}}],
        organization_id=org, environment_id=env, environment_header=True))
