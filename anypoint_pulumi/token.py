"""``AnypointToken``: a Pulumi resource that logs in to Anypoint and keeps a working token.

Inputs not given fall back, as a group, to Pulumi config in the ``anypoint`` namespace and then
to the environment variables the Terraform provider and the Anypoint CLI use (see
:func:`resolve_defaults`). Secret inputs are wrapped as secrets whatever the caller passed, and the
token is declared an additional secret output, so state never holds either in plaintext.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import pulumi
import pulumi.dynamic

from .provider import INPUTS, SECRET_INPUTS, TOKEN_OUTPUTS, TOKEN_PROVIDER

__all__ = ["AnypointToken", "AnypointTokenArgs"]

CONFIG_NAMESPACE = "anypoint"

_CREDENTIAL_SOURCES: tuple[tuple[str, str, str], ...] = (
    ("client_id", "clientId", "ANYPOINT_CLIENT_ID"),
    ("client_secret", "clientSecret", "ANYPOINT_CLIENT_SECRET"),
    ("username", "username", "ANYPOINT_USERNAME"),
    ("password", "password", "ANYPOINT_PASSWORD"),
)


@dataclass(kw_only=True)
class AnypointTokenArgs:
    """The inputs of an :class:`AnypointToken`.

    Credentials select the flow: ``client_id`` + ``client_secret`` (client credentials,
    recommended); ``username`` + ``password`` + ``client_id`` + ``client_secret`` (a connected app
    acting for a user, MFA-safe); ``username`` + ``password`` (legacy login); or
    ``saml_response``. Where: ``region`` (``us``, ``eu``, ``gov``, ``ca``, ``jp``) or ``base_url``.
    """

    client_id: pulumi.Input[str] | None = None
    """Connected app's client id."""
    client_secret: pulumi.Input[str] | None = None
    """Connected app's client secret (always stored as a secret)."""
    username: pulumi.Input[str] | None = None
    """Anypoint user name, for the password grant or the legacy login."""
    password: pulumi.Input[str] | None = None
    """The user's password (always stored as a secret)."""
    saml_response: pulumi.Input[str] | None = None
    """A base64 SAML response of an IdP-initiated login (single use; stored as a secret)."""
    saml_org_domain: pulumi.Input[str] | None = None
    """Organization domain for the org-specific SAML endpoint (with ``saml_provider_id``)."""
    saml_provider_id: pulumi.Input[str] | None = None
    """Identity provider id for the org-specific SAML endpoint (with ``saml_org_domain``)."""
    region: pulumi.Input[str] | None = None
    """Control plane: ``us`` (default), ``eu``, ``gov``, ``ca`` or ``jp``."""
    base_url: pulumi.Input[str] | None = None
    """Full base URL instead of ``region`` (Private Cloud Edition, the emulator)."""
    renew_before_seconds: pulumi.Input[float] | None = None
    """Renew once less than this much validity remains (default 600)."""
    triggers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None
    """Any change to this map forces a new token (like ``keepers`` in pulumi-random)."""
    revoke_on_delete: pulumi.Input[bool] | None = None
    """Revoke (or log out) the token when the resource is deleted or replaced (default true)."""
    timeout_seconds: pulumi.Input[float] | None = None
    """Seconds to wait for each Anypoint answer (default 30)."""
    ca_bundle: pulumi.Input[str] | None = None
    """Path of a PEM bundle of CAs to trust (TLS-inspecting proxies, Private Cloud Edition)."""
    verify_tls: pulumi.Input[bool] | None = None
    """Verify TLS certificates (default true); turn off only for a lab."""

    def to_inputs(self) -> dict[str, Any]:
        """The inputs as a plain dict, without the ones left unset."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) is not None}


def resolve_defaults(
    inputs: Mapping[str, Any],
    config: pulumi.Config | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Fill credentials and location the program did not give, each as a group.

    Credentials: the inputs if any credential input is given; else ``anypoint:clientId``,
    ``anypoint:clientSecret``, ``anypoint:username``, ``anypoint:password`` from Pulumi config if
    any is set; else ``ANYPOINT_CLIENT_ID``, ``ANYPOINT_CLIENT_SECRET``, ``ANYPOINT_USERNAME``,
    ``ANYPOINT_PASSWORD``. Location: ``region``/``base_url`` inputs; else ``anypoint:region`` /
    ``anypoint:baseUrl``; else ``ANYPOINT_BASE_URL``, ``ANYPOINT_HOST``, ``ANYPOINT_CPLANE``; else
    ``us``. Groups are never mixed, so a stray variable cannot turn one flow into another.
    """
    config = config if config is not None else pulumi.Config(CONFIG_NAMESPACE)
    environ = environ if environ is not None else os.environ
    resolved = dict(inputs)
    credential_keys = (*(key for key, _, _ in _CREDENTIAL_SOURCES), "saml_response")
    if not any(resolved.get(key) is not None for key in credential_keys):
        from_config = {key: _config_value(config, name, key) for key, name, _ in
                       _CREDENTIAL_SOURCES}
        if any(value is not None for value in from_config.values()):
            resolved.update({k: v for k, v in from_config.items() if v is not None})
        else:
            resolved.update({key: environ[var] for key, _, var in _CREDENTIAL_SOURCES
                             if environ.get(var)})
    if resolved.get("region") is None and resolved.get("base_url") is None:
        region, base_url = config.get("region"), config.get("baseUrl")
        if region or base_url:
            resolved.update({k: v for k, v in (("region", region), ("base_url", base_url)) if v})
        elif environ.get("ANYPOINT_BASE_URL"):
            resolved["base_url"] = environ["ANYPOINT_BASE_URL"]
        elif environ.get("ANYPOINT_HOST"):
            from .regions import host_base_url

            resolved["base_url"] = host_base_url(environ["ANYPOINT_HOST"])
        elif environ.get("ANYPOINT_CPLANE"):
            resolved["region"] = environ["ANYPOINT_CPLANE"].lower()
    return resolved


def _config_value(config: pulumi.Config, name: str, key: str) -> Any:
    if key in SECRET_INPUTS:
        return config.get_secret(name)
    return config.get(name)


class AnypointToken(pulumi.dynamic.Resource, module="anypoint", name="AnypointToken"):
    """An Anypoint access token that every ``pulumi up`` keeps working.

    Created by logging in with the flow the credentials select; replaced (create-before-delete:
    new token first, dependents moved, old token revoked) when a credential, the control plane or
    a trigger changes, or when less than ``renew_before_seconds`` of validity remain.
    """

    def __init__(
        self,
        resource_name: str,
        args: AnypointTokenArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        if args is not None and kwargs:
            raise TypeError("pass inputs either as an AnypointTokenArgs or as keyword arguments")
        args = args if args is not None else AnypointTokenArgs(**kwargs)
        props = resolve_defaults(args.to_inputs())
        for key in SECRET_INPUTS:
            if props.get(key) is not None:
                props[key] = pulumi.Output.secret(props[key])
        for key in (*INPUTS, *TOKEN_OUTPUTS):
            props.setdefault(key, None)
        secret_opts = pulumi.ResourceOptions(
            additional_secret_outputs=["access_token", *SECRET_INPUTS]
        )
        super().__init__(
            TOKEN_PROVIDER, resource_name, props, pulumi.ResourceOptions.merge(secret_opts, opts)
        )

    @property
    @pulumi.getter
    def access_token(self) -> pulumi.Output[str]:
        """The bearer token for ``Authorization: Bearer …`` (secret)."""
        return pulumi.get(self, "access_token")  # type: ignore[no-any-return]

    @property
    @pulumi.getter
    def token_type(self) -> pulumi.Output[str]:
        """The token type Anypoint reported (``bearer``)."""
        return pulumi.get(self, "token_type")  # type: ignore[no-any-return]

    @property
    @pulumi.getter
    def grant_type(self) -> pulumi.Output[str]:
        """The flow that produced the token: ``client_credentials``, ``password``, ``login``,
        ``saml``."""
        return pulumi.get(self, "grant_type")  # type: ignore[no-any-return]

    @property
    @pulumi.getter
    def issued_at(self) -> pulumi.Output[str]:
        """When the token was issued (RFC 3339, UTC)."""
        return pulumi.get(self, "issued_at")  # type: ignore[no-any-return]

    @property
    @pulumi.getter
    def expires_at(self) -> pulumi.Output[str]:
        """When the token stops working (RFC 3339, UTC)."""
        return pulumi.get(self, "expires_at")  # type: ignore[no-any-return]

    @property
    @pulumi.getter
    def base_url(self) -> pulumi.Output[str]:
        """The control plane the token belongs to (resolved from ``region`` when given)."""
        return pulumi.get(self, "base_url")  # type: ignore[no-any-return]

    @property
    @pulumi.getter
    def region(self) -> pulumi.Output[str | None]:
        """The region input, if given."""
        return pulumi.get(self, "region")  # type: ignore[no-any-return]

    @property
    @pulumi.getter
    def client_id(self) -> pulumi.Output[str | None]:
        """The connected app's client id, if one was used."""
        return pulumi.get(self, "client_id")  # type: ignore[no-any-return]

    @property
    @pulumi.getter
    def username(self) -> pulumi.Output[str | None]:
        """The user name, if a user flow was used."""
        return pulumi.get(self, "username")  # type: ignore[no-any-return]

    @property
    @pulumi.getter
    def renew_before_seconds(self) -> pulumi.Output[float]:
        """Renewal margin in seconds."""
        return pulumi.get(self, "renew_before_seconds")  # type: ignore[no-any-return]

    @property
    @pulumi.getter
    def triggers(self) -> pulumi.Output[Mapping[str, str] | None]:
        """The triggers map."""
        return pulumi.get(self, "triggers")  # type: ignore[no-any-return]

    @property
    @pulumi.getter
    def revoke_on_delete(self) -> pulumi.Output[bool]:
        """Whether the token is revoked when the resource goes away."""
        return pulumi.get(self, "revoke_on_delete")  # type: ignore[no-any-return]
