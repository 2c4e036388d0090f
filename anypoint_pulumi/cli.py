"""``anypoint-token``: log in from the ``ANYPOINT_*`` environment and print the token, for the
shell steps of a pipeline.

It reads the same environment variables as ``AnypointToken``'s fallback, as one group each
(credentials: ``ANYPOINT_CLIENT_ID``, ``ANYPOINT_CLIENT_SECRET``, ``ANYPOINT_USERNAME``,
``ANYPOINT_PASSWORD``, ``ANYPOINT_PRIVATE_KEY``, ``ANYPOINT_IDENTITY_PROVIDER_ID``; location:
``ANYPOINT_BASE_URL``, ``ANYPOINT_HOST``, ``ANYPOINT_CPLANE``), checks them by the resource's
rules and logs in with the flow they select. It prints:

- ``--format token`` (default): the token alone, for ``TOKEN="$(anypoint-token)"``;
- ``--format env``: ``NAME=value`` lines (POSIX-shell quoted) -- ``ANYPOINT_ACCESS_TOKEN``,
  ``ANYPOINT_ORG`` (the token's organization id), ``ANYPOINT_HOST``, and with ``--environment``
  ``ANYPOINT_ENV`` (its name, as anypoint-cli-v4 takes it) and ``ANYPOINT_ENV_ID``;
- ``--format json``: the token and what is known about it, one JSON object.

Errors go to stderr as one line (exit 2: the input; exit 1: Anypoint or the network) and never
hold a secret. Nothing here needs a Pulumi program or stack.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from .access.errors import AnypointError, ConfigurationError

__all__ = ["main"]

PROG = "anypoint-token"


class _NoConfig:
    """Stands for Pulumi config outside a program: nothing is set, so the environment decides."""

    def get(self, key: str) -> None:
        return None

    get_secret = get


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Log in to Anypoint from the ANYPOINT_* environment variables and print the "
                    "access token (nothing else) for the next pipeline step.")
    parser.add_argument("--format", choices=("token", "env", "json"), default="token",
                        help="token (default): the token alone; env: NAME=value lines for eval "
                             "or a dotenv file; json: one object with the token and its details")
    parser.add_argument("--environment", metavar="NAME",
                        help="also look up this environment (by exact name) and print "
                             "ANYPOINT_ENV / ANYPOINT_ENV_ID (env) or environment_id (json)")
    parser.add_argument("--private-key-file", metavar="PATH",
                        help="read the JWT bearer grant's private key (PEM) from this file "
                             "instead of ANYPOINT_PRIVATE_KEY")
    parser.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="seconds to wait for each Anypoint answer (default 30)")
    return parser


def _inputs(args: argparse.Namespace, environ: Mapping[str, str]) -> dict[str, Any]:
    """The login inputs: the environment as ``AnypointToken``'s fallback reads it, checked."""
    from .token import schema

    given: dict[str, Any] = {}
    if args.private_key_file:
        try:
            given["private_key"] = Path(args.private_key_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigurationError(f"--private-key-file {args.private_key_file}: cannot read "
                                     f"it ({exc.strerror})", field="private_key") from None
        # The key selects the JWT bearer grant: the rest of its group comes from the environment
        # (and no other credential does: groups are never mixed).
        for name in ("client_id", "username", "identity_provider_id"):
            value = next((environ[var] for var in schema.BY_NAME[name].env_vars
                          if environ.get(var, "").strip()), None)
            if value:
                given[name] = value.strip()
    if args.timeout is not None:
        given["timeout_seconds"] = args.timeout
    resolved = schema.resolve_defaults(given, config=cast(Any, _NoConfig()), environ=environ)
    inputs, failures = schema.check(resolved)
    if failures:
        raise ConfigurationError("; ".join(failure.reason for failure in failures),
                                 field=failures[0].property)
    return inputs


def _login(args: argparse.Namespace, environ: Mapping[str, str]) -> dict[str, Any]:
    """Log in and gather what ``--format`` prints."""
    from .access.models import rfc3339
    from .token import schema
    from .token.provider import client_for, login

    inputs = _inputs(args, environ)
    flow = schema.flow_of(inputs)
    client = client_for(inputs)
    try:
        token = login(client, inputs)
    except AnypointError as exc:
        failure = exc.with_context(f"{flow.label if flow else 'login'} failed")
    else:
        found: dict[str, Any] = {
            "access_token": token.access_token, "token_type": token.token_type,
            "grant_type": token.grant_type.value, "issued_at": rfc3339(token.issued_at),
            "expires_at": rfc3339(token.expires_at), "base_url": token.base_url}
        if args.format != "token":
            found.update(_whereabouts(client, token.access_token, args.environment))
        return found
    raise failure


def _whereabouts(client: Any, token: str, environment: str | None) -> dict[str, Any]:
    """The token's organization id and, when asked, an environment's id (one request each)."""
    organization_id = client.me(token).organization_id
    found: dict[str, Any] = {"organization_id": organization_id}
    if environment is not None:
        matches = [env for env in client.environments(token, organization_id, name=environment)
                   if env.name == environment]
        if not matches:
            raise ConfigurationError(f"--environment {environment!r}: no environment of that "
                                     f"name (exact, case-sensitive) in organization "
                                     f"{organization_id}", field="environment")
        found.update(environment=environment, environment_id=matches[0].id)
    return found


def _where_to_set(field: str | None) -> str:
    """Which environment variable gives ``field`` (the CLI reads no Pulumi config)."""
    from .token.schema import BY_NAME

    spec = BY_NAME.get(field or "")
    if spec is None or not spec.env_vars:
        return ""
    return f" ({field} comes from {' or '.join(spec.env_vars)})"


def _render(found: Mapping[str, Any], form: str) -> str:
    if form == "token":
        return str(found["access_token"])
    if form == "json":
        return json.dumps(dict(found), indent=2)
    names = {"ANYPOINT_ACCESS_TOKEN": found["access_token"],
             "ANYPOINT_ORG": found["organization_id"],
             "ANYPOINT_HOST": urlsplit(found["base_url"]).netloc,
             "ANYPOINT_ENV": found.get("environment"),
             "ANYPOINT_ENV_ID": found.get("environment_id")}
    return "\n".join(f"{name}={shlex.quote(str(value))}" for name, value in names.items()
                     if value is not None)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Run ``anypoint-token``; returns the exit status (0 printed, 2 bad input, 1 failed)."""
    args = _parser().parse_args(argv)
    environ = os.environ if environ is None else environ
    try:
        found = _login(args, environ)
    except ConfigurationError as exc:
        print(f"{PROG}: {exc}{_where_to_set(exc.field)}", file=sys.stderr)
        return 2
    except AnypointError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    print(_render(found, args.format))
    return 0


if __name__ == "__main__":
    sys.exit(main())
