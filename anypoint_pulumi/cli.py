"""``anypoint-token``: log in from the ``ANYPOINT_*`` environment and print the token, for the
shell steps of a pipeline.

It reads the same environment variables as ``AnypointToken``'s fallback, as one group each
(credentials: ``ANYPOINT_CLIENT_ID``, ``ANYPOINT_CLIENT_SECRET``, ``ANYPOINT_USERNAME``,
``ANYPOINT_PASSWORD``, ``ANYPOINT_PRIVATE_KEY``, ``ANYPOINT_IDENTITY_PROVIDER_ID``; location:
``ANYPOINT_BASE_URL``, ``ANYPOINT_HOST``, ``ANYPOINT_CPLANE``), checks them by the resource's
rules and logs in with the flow they select. It prints:

- ``--format token`` (default): the token alone, for ``TOKEN="$(anypoint-token)"``;
- ``--format env``: ``export NAME=value`` lines (POSIX-shell quoted), for
  ``eval "$(anypoint-token --format env)"``: ``ANYPOINT_ACCESS_TOKEN``, ``ANYPOINT_ORG`` (the
  token's organization id), ``ANYPOINT_HOST``, and with ``--environment`` ``ANYPOINT_ENV`` (its
  name, as anypoint-cli-v4 takes it) and ``ANYPOINT_ENV_ID``;
- ``--format dotenv``: the same as ``NAME=value`` lines, unquoted, for a dotenv file or a CI's
  environment file (``>> "$GITHUB_ENV"``);
- ``--format json``: the token and what is known about it, one JSON object.

A value that would break a line (a server's organization id holding a line break, say) is
refused, never printed. Errors go to stderr as one line (exit 2: the input; exit 1: Anypoint or
the network) and never hold a secret. Nothing here needs Pulumi: it does not load it.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .access.errors import AnypointError, ConfigurationError, UnexpectedResponseError

__all__ = ["main"]

PROG = "anypoint-token"
MAX_KEY_FILE_BYTES = 64 * 1024
"""The largest ``--private-key-file`` read (an RSA-4096 PEM key is about 3.3 KB)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Log in to Anypoint from the ANYPOINT_* environment variables and print the "
                    "access token (nothing else) for the next pipeline step.")
    parser.add_argument("--format", choices=("token", "env", "dotenv", "json"), default="token",
                        help="token (default): the token alone; env: `export NAME=value` lines "
                             "for eval \"$(anypoint-token --format env)\"; dotenv: NAME=value "
                             "lines for a dotenv or CI environment file; json: one object with "
                             "the token and its details")
    parser.add_argument("--environment", metavar="NAME",
                        help="also look up this environment (by exact name) and print "
                             "ANYPOINT_ENV / ANYPOINT_ENV_ID (env, dotenv) or environment_id "
                             "(json)")
    parser.add_argument("--private-key-file", metavar="PATH",
                        help="read the JWT bearer grant's private key (PEM) from this file "
                             "instead of ANYPOINT_PRIVATE_KEY")
    parser.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="time budget of the whole login and lookups, retries and waits "
                             "included (default 30)")
    return parser


def _read_key(path: str) -> str:
    """The PEM text of ``--private-key-file``, bounded in size, as UTF-8."""
    try:
        with Path(path).open("rb") as file:
            data = file.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigurationError(f"--private-key-file {path}: cannot read it ({exc.strerror})",
                                 field="private_key") from None
    if len(data) > MAX_KEY_FILE_BYTES:
        raise ConfigurationError(
            f"--private-key-file {path} is larger than {MAX_KEY_FILE_BYTES // 1024} KiB: give "
            "the PEM file of the connected app's private key", field="private_key")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigurationError(
            f"--private-key-file {path} is not UTF-8 text: give the PEM file of the private key "
            "(a DER key converts with `openssl pkey -inform DER -in key.der -out key.pem`)",
            field="private_key") from None


def _spec(args: argparse.Namespace, environ: Mapping[str, str]) -> Any:
    """The login spec: the environment as ``AnypointToken``'s fallback reads it, checked."""
    from .core.inputs import checked_login
    from .core.sources import with_defaults

    given: dict[str, Any] = {}
    if args.private_key_file:
        given["private_key"] = _read_key(args.private_key_file)
        # The key selects the JWT bearer grant: the rest of its group comes from the environment
        # (and no other credential does: groups are never mixed).
        others, _ = with_defaults({}, {}, environ)
        given.update({name: others[name] for name in ("client_id", "username",
                                                      "identity_provider_id") if name in others})
    if args.timeout is not None:
        given["timeout_seconds"] = args.timeout
    resolved, _ = with_defaults(given, {}, environ)
    return checked_login(resolved, environment_only=True)


def _login(args: argparse.Namespace, environ: Mapping[str, str]) -> dict[str, Any]:
    """Log in and gather what ``--format`` prints."""
    from .access.deadline import operation
    from .access.login import log_in
    from .core.token import token_outputs

    spec = _spec(args, environ)
    with operation(spec.settings.retry.budget_seconds):  # the login and the lookups
        client = spec.client()
        token = log_in(spec, client)
        found = token_outputs(token)
        if args.format != "token":
            found.update(_whereabouts(client, token.access_token, args.environment))
    return found


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
    from .core.inputs import BY_NAME

    spec = BY_NAME.get(field or "")
    if spec is None or not spec.env_vars:
        return ""
    return f" ({field} comes from {' or '.join(spec.env_vars)})"


def _variables(found: Mapping[str, Any]) -> dict[str, str]:
    """The variables ``env`` and ``dotenv`` print; a value that would break a line is refused."""
    names = {"ANYPOINT_ACCESS_TOKEN": found["access_token"],
             "ANYPOINT_ORG": found["organization_id"],
             "ANYPOINT_HOST": urlsplit(found["base_url"]).netloc,
             "ANYPOINT_ENV": found.get("environment"),
             "ANYPOINT_ENV_ID": found.get("environment_id")}
    shown = {name: str(value) for name, value in names.items() if value is not None}
    for name, value in shown.items():
        if not value.isprintable():
            raise UnexpectedResponseError(
                f"Unexpected answer from Anypoint: the value of {name} holds a line break or "
                "another control character, which would break the line it is printed on (and "
                "could add variables to an environment file)",
                hint="Check base_url points at an Anypoint control plane; nothing was printed")
    return shown


def _render(found: Mapping[str, Any], form: str) -> str:
    if form == "token":
        return str(found["access_token"])
    if form == "json":
        return json.dumps(dict(found), indent=2)
    variables = _variables(found)
    if form == "dotenv":
        return "\n".join(f"{name}={value}" for name, value in variables.items())
    return "\n".join(f"export {name}={shlex.quote(value)}" for name, value in variables.items())


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Run ``anypoint-token``; returns the exit status (0 printed, 2 bad input, 1 failed)."""
    args = _parser().parse_args(argv)
    environ = os.environ if environ is None else environ
    try:
        text = _render(_login(args, environ), args.format)
    except ConfigurationError as exc:
        print(f"{PROG}: {exc}{_where_to_set(exc.field)}", file=sys.stderr)
        return 2
    except AnypointError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
