"""Extra seed data from a JSON document, applied on top of the demo organization.

Schema (every section optional; unknown keys are refused so typos surface)::

    {
      "organizations": [
        {"name": "Acme", "ref": "acme", "parent": "demo", "id": "<uuid>",
         "session_timeout_minutes": 30,
         "environments": [{"name": "QA", "type": "sandbox", "is_production": false}]}
      ],
      "environments": [{"organization": "acme", "name": "Prod", "type": "production"}],
      "identity_providers": [{"issuer": "https://idp.example.com", "organization": "acme",
                              "org_domain": "acme", "provider_id": "<uuid>"}],
      "users": [{"username": "ann", "password": "pw", "organization": "acme", "mfa": false,
                 "enabled": true, "first_name": "Ann", "last_name": "Lee",
                 "email": "ann@example.com", "id": "<uuid>",
                 "identity_provider": "https://idp.example.com"}],
      "connected_apps": [{"name": "ci", "organization": "acme",
                          "grant_types": ["client_credentials"],
                          "client_id": "<32 hex>", "client_secret": "<32 hex>",
                          "public_key_file": "jwt-app.crt"}],
      "api_responses": [{"path": "/apimanager/api/v1/organizations/{organization_id}/...",
                         "organization": "acme", "environment": "acme/QA",
                         "environment_header": false, "body": {"total": 0, "assets": []}}]
    }

References:

- an organization (``parent``, ``organization``) is ``"demo"`` (the demo root),
  ``"demo-business-group"``, the ``ref`` of an organization listed earlier, or an existing
  organization id. ``organization`` defaults to the demo root (in ``api_responses``: none, any
  token may read); ``parent`` defaults to none (a new root organization);
- an environment (``environment``) is ``"<organization reference>/<environment name>"``
  (``"demo/Sandbox"``) or an existing environment id;
- an identity provider (a user's ``identity_provider``, which makes the user federated: SAML and
  the JWT bearer grant, no password login) is its ``issuer``, its ``provider_id``, or ``"demo"``.

Connected apps with the ``jwt_bearer`` grant need ``public_key`` (PEM text of an RSA public key
or certificate) or ``public_key_file`` (its path, relative to the seed file). An
``api_responses`` entry makes the emulator answer ``GET``/``HEAD`` of ``path`` with ``body`` to
tokens of ``organization``'s tree; with ``environment_header`` the answer is for requests whose
``X-ANYPNT-ENV-ID`` names ``environment`` (CloudHub style). ``{organization_id}`` and
``{environment_id}`` in ``path`` and in the body's strings are filled in from ``organization``
and ``environment``. Sections are applied in the order above.

Limits (each refusal a :class:`SeedError` naming the file or entry): a seed file is at most
:data:`MAX_SEED_BYTES`, a ``public_key_file`` at most :data:`MAX_KEY_FILE_BYTES` of UTF-8 text,
the document nests at most :data:`MAX_SEED_DEPTH` levels (a body at most
:data:`~.apis.MAX_BODY_DEPTH`), and ``session_timeout_minutes`` is a whole number from 1 to
:data:`~.state.MAX_SESSION_TIMEOUT_MINUTES`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .apis import MAX_BODY_DEPTH, add_answer, check_body, fill, too_deep
from .demo import DemoCredentials
from .state import ApiAnswer, Store

_SECTIONS = {"organizations", "environments", "identity_providers", "users", "connected_apps",
             "api_responses"}
_ORG_KEYS = {"name", "ref", "parent", "id", "session_timeout_minutes", "environments"}
_ENV_KEYS = {"organization", "name", "type", "is_production", "id"}
_USER_KEYS = {
    "username", "password", "organization", "mfa", "enabled", "first_name", "last_name",
    "email", "id", "identity_provider",
}
_APP_KEYS = {"name", "organization", "grant_types", "client_id", "client_secret", "public_key",
             "public_key_file"}
_API_KEYS = {"path", "body", "organization", "environment", "environment_header"}
_IDP_KEYS = {"issuer", "organization", "org_domain", "provider_id"}


class SeedError(ValueError):
    """The seed document does not follow the schema; the message says where."""


MAX_SEED_BYTES = 16 * 1024 * 1024
"""A larger seed file is refused unread (``--seed /dev/zero`` included)."""
MAX_KEY_FILE_BYTES = 64 * 1024
"""A larger ``public_key_file`` is refused (a PEM certificate is a few kilobytes)."""
MAX_SEED_DEPTH = MAX_BODY_DEPTH + 3
"""How deep the seed document may nest: an ``api_responses`` body at its deepest."""

SEED_FOLDER = "__seed_folder__"
"""Where :func:`load_seed_file` notes the file's folder (``public_key_file`` is relative to it)."""


def read_limited(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path``, or ``None`` when it holds more than ``limit`` (never reading more
    than one byte past it: a device or a huge file costs nothing). Raises :class:`OSError`."""
    with path.open("rb") as stream:
        data = stream.read(limit + 1)
    return data if len(data) <= limit else None


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit // 1024} KiB"


def load_seed_file(path: str | Path) -> dict[str, Any]:
    """Read a seed JSON file; raises :class:`SeedError` when it is unreadable, too large, too
    deeply nested or not an object."""
    try:
        raw = read_limited(Path(path), MAX_SEED_BYTES)
    except OSError as exc:
        raise SeedError(f"cannot read seed file {path}: {exc.strerror or exc}") from None
    if raw is None:
        raise SeedError(f"seed file {path} is larger than {_size(MAX_SEED_BYTES)}: give a JSON "
                        "document of that size at most")
    try:
        data = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise SeedError(f"seed file {path}: the JSON nests more than {MAX_SEED_DEPTH} levels "
                        "deep") from None
    except UnicodeDecodeError:
        raise SeedError(f"seed file {path} is not UTF-8 text: give a JSON document") from None
    except ValueError as exc:
        raise SeedError(f"seed file {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise SeedError(f"seed file {path}: the top level must be a JSON object")
    return {**data, SEED_FOLDER: str(Path(path).resolve().parent)}


def _entries(data: Mapping[str, Any], section: str) -> list[Mapping[str, Any]]:
    items = data.get(section, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise SeedError(f"{section} must be a list of objects")
    return items


def _check_keys(where: str, entry: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise SeedError(f"{where}: unknown key(s) {', '.join(unknown)}")


def _typed(where: str, entry: Mapping[str, Any], key: str, kind: type, default: Any) -> Any:
    value = entry.get(key, default)
    if value is not default and (not isinstance(value, kind)
                                 or (kind is int and isinstance(value, bool))):
        name = "whole number" if kind is int else kind.__name__
        raise SeedError(f"{where}.{key} must be a {name}")
    return value


def _text(where: str, entry: Mapping[str, Any], key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise SeedError(f"{where}.{key} is required and must be a non-empty string")
    return value


def apply_seed(store: Store, data: Mapping[str, Any], demo: DemoCredentials | None) -> None:
    """Add the organizations, environments, users, apps and identity providers in ``data``."""
    deep = too_deep(data, MAX_SEED_DEPTH)
    if deep is not None:
        raise SeedError(f"the seed nests more than {MAX_SEED_DEPTH} levels deep (at "
                        f"seed{deep}): an api_responses body may nest {MAX_BODY_DEPTH} levels "
                        "at most")
    folder = Path(data.get(SEED_FOLDER, "."))
    unknown = sorted(set(data) - _SECTIONS - {SEED_FOLDER})
    if unknown:
        raise SeedError(f"unknown section(s) {', '.join(unknown)}")
    refs: dict[str, str] = {}
    if demo is not None:
        refs = {"demo": demo.organization_id, "demo-business-group": demo.business_group_id}

    def org_ref(where: str, entry: Mapping[str, Any], key: str, default: str | None) -> str | None:
        value = entry.get(key, default)
        if value is None:
            return None
        if not isinstance(value, str):
            raise SeedError(f"{where}.{key} must be a string")
        org_id = refs.get(value, value)
        if org_id not in store.organizations:
            raise SeedError(f"{where}.{key}: no organization {value!r}")
        return org_id

    default_org = refs.get("demo")

    def owning_org(where: str, entry: Mapping[str, Any]) -> str:
        org_id = org_ref(where, entry, "organization", default_org)
        if org_id is None:
            raise SeedError(f"{where}.organization is required (there is no demo organization)")
        return org_id

    def add_environment(where: str, org_id: str, entry: Mapping[str, Any]) -> None:
        _check_keys(where, entry, _ENV_KEYS)
        store.add_environment(
            org_id,
            _text(where, entry, "name"),
            type=_typed(where, entry, "type", str, "sandbox"),
            is_production=_typed(where, entry, "is_production", bool, None),
            environment_id=_typed(where, entry, "id", str, None),
        )

    def provider_ref(where: str, entry: Mapping[str, Any]) -> str | None:
        value: str | None = _typed(where, entry, "identity_provider", str, None)
        if value is None:
            return None
        if value == "demo" and demo is not None:
            return demo.saml_provider_id
        found = store.identity_providers.get(value) or store.identity_provider_by_issuer(value)
        if found is None:
            raise SeedError(f"{where}.identity_provider: no identity provider {value!r} (give "
                            "its issuer or provider_id, listed in identity_providers, or 'demo')")
        return found.id

    def environment_ref(where: str, entry: Mapping[str, Any]) -> str | None:
        value: str | None = _typed(where, entry, "environment", str, None)
        if value is None or value in store.environments:
            return value
        org, _, name = value.rpartition("/")
        org_id = refs.get(org, org)
        matches = [env.id for env in store.environments.values()
                   if env.organization_id == org_id and env.name == name]
        if len(matches) != 1:
            raise SeedError(f"{where}.environment: no environment {value!r} (give "
                            "'<organization reference>/<environment name>', e.g. "
                            "'demo/Sandbox', or an environment id)")
        return matches[0]

    def public_key(where: str, entry: Mapping[str, Any]) -> str | None:
        text: str | None = _typed(where, entry, "public_key", str, None)
        file: str | None = _typed(where, entry, "public_key_file", str, None)
        if text is not None and file is not None:
            raise SeedError(f"{where}: give public_key or public_key_file, not both")
        if file is None:
            return text
        try:
            raw = read_limited(folder / file, MAX_KEY_FILE_BYTES)
        except OSError as exc:
            raise SeedError(f"{where}.public_key_file: cannot read {file}: "
                            f"{exc.strerror or exc}") from None
        if raw is None:
            raise SeedError(f"{where}.public_key_file: {file} is larger than "
                            f"{_size(MAX_KEY_FILE_BYTES)}: give the PEM file of an RSA public "
                            "key or certificate")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise SeedError(f"{where}.public_key_file: {file} is not UTF-8 text: give the PEM "
                            "file of an RSA public key or certificate (not DER)") from None

    where = "seed"
    try:
        for i, entry in enumerate(_entries(data, "organizations")):
            where = f"organizations[{i}]"
            _check_keys(where, entry, _ORG_KEYS)
            org_id = store.add_organization(
                _text(where, entry, "name"),
                parent_id=org_ref(where, entry, "parent", None),
                session_timeout_minutes=_typed(where, entry, "session_timeout_minutes", int, 60),
                organization_id=_typed(where, entry, "id", str, None),
            )
            ref = _typed(where, entry, "ref", str, None)
            if ref:
                refs[ref] = org_id
            envs = _typed(where, entry, "environments", list, [])
            for j, env in enumerate(envs):
                if not isinstance(env, dict):
                    raise SeedError(f"{where}.environments[{j}] must be an object")
                add_environment(f"{where}.environments[{j}]", org_id, {**env})
        for i, entry in enumerate(_entries(data, "environments")):
            where = f"environments[{i}]"
            add_environment(where, owning_org(where, entry), entry)
        for i, entry in enumerate(_entries(data, "identity_providers")):
            where = f"identity_providers[{i}]"
            _check_keys(where, entry, _IDP_KEYS)
            store.add_identity_provider(
                _text(where, entry, "issuer"),
                org_id=owning_org(where, entry),
                org_domain=_typed(where, entry, "org_domain", str, None),
                provider_id=_typed(where, entry, "provider_id", str, None),
            )
        for i, entry in enumerate(_entries(data, "users")):
            where = f"users[{i}]"
            _check_keys(where, entry, _USER_KEYS)
            store.add_user(
                _text(where, entry, "username"),
                _text(where, entry, "password"),
                org_id=owning_org(where, entry),
                mfa=_typed(where, entry, "mfa", bool, False),
                enabled=_typed(where, entry, "enabled", bool, True),
                first_name=_typed(where, entry, "first_name", str, ""),
                last_name=_typed(where, entry, "last_name", str, ""),
                email=_typed(where, entry, "email", str, None),
                user_id=_typed(where, entry, "id", str, None),
                identity_provider_id=provider_ref(where, entry),
            )
        for i, entry in enumerate(_entries(data, "connected_apps")):
            where = f"connected_apps[{i}]"
            _check_keys(where, entry, _APP_KEYS)
            grants = _typed(where, entry, "grant_types", list, ["client_credentials"])
            if not all(isinstance(g, str) for g in grants):
                raise SeedError(f"{where}.grant_types must be a list of strings")
            store.add_connected_app(
                _text(where, entry, "name"),
                org_id=owning_org(where, entry),
                grant_types=grants,
                client_id=_typed(where, entry, "client_id", str, None),
                client_secret=_typed(where, entry, "client_secret", str, None),
                public_key=public_key(where, entry),
            )
        for i, entry in enumerate(_entries(data, "api_responses")):
            where = f"api_responses[{i}]"
            _check_keys(where, entry, _API_KEYS)
            if "body" not in entry:
                raise SeedError(f"{where}.body is required (the JSON the path answers)")
            check_body(entry["body"])
            owner = org_ref(where, entry, "organization", None)
            env_id = environment_ref(where, entry)
            add_answer(store, ApiAnswer(
                fill(_text(where, entry, "path"), owner, env_id),
                fill(entry["body"], owner, env_id), organization_id=owner,
                environment_id=env_id,
                environment_header=_typed(where, entry, "environment_header", bool, False)))
    except SeedError:
        raise
    except (KeyError, ValueError) as exc:
        reason = exc.args[0] if exc.args else exc
        raise SeedError(f"{where}: {reason}") from None
