"""``AnypointToken``: a Pulumi resource that logs in to Anypoint and keeps a working token.

Its inputs are declared once, in :mod:`anypoint_pulumi.core.inputs`; the typed signatures here
(``AnypointTokenArgs`` and the keyword form of ``AnypointToken``) are spelled out for editors and
type checkers, and a test holds them to the declaration. Inputs not given fall back, as a group, to
Pulumi config and then to the environment (:mod:`anypoint_pulumi.core.sources`).
Secret inputs are wrapped as secrets whatever the caller passed, and the token and the secret
inputs are declared additional secret outputs, so state never holds them in plaintext.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypedDict, overload

import pulumi
import pulumi.dynamic
from typing_extensions import Unpack

from ..core import inputs as schema
from .config import program_defaults
from .provider import TOKEN_PROVIDER

__all__ = ["TOKEN_TYPE", "AnypointToken", "AnypointTokenArgs", "AnypointTokenInputs", "LoginInputs"]

MODULE, NAME = "anypoint", "AnypointToken"
TOKEN_TYPE = f"pulumi-python:dynamic/{MODULE}:{NAME}"
"""The type token of an ``AnypointToken`` (what the engine and ``Mocks.new_resource`` see)."""



class LoginInputs(TypedDict, total=False):
    """What one login takes (``AnypointToken``'s login inputs, ``get_access_token``'s
    arguments): credentials that select the flow, the control plane, the connection settings.
    Unset credentials and location come from config, then ``ANYPOINT_*`` variables, each group
    whole from one place."""

    client_id: pulumi.Input[str] | None
    client_secret: pulumi.Input[str] | None
    username: pulumi.Input[str] | None
    password: pulumi.Input[str] | None
    saml_response: pulumi.Input[str] | None
    saml_org_domain: pulumi.Input[str] | None
    saml_provider_id: pulumi.Input[str] | None
    private_key: pulumi.Input[str] | None
    identity_provider_id: pulumi.Input[str] | None
    base_url: pulumi.Input[str] | None
    region: pulumi.Input[str] | None
    timeout_seconds: pulumi.Input[float] | None
    ca_bundle: pulumi.Input[str] | None
    verify_tls: pulumi.Input[bool] | None

class AnypointTokenInputs(LoginInputs, total=False):
    """``AnypointToken``'s keyword inputs: a login's, and what a token kept in state adds."""

    renew_before_seconds: pulumi.Input[float] | None
    triggers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None
    revoke_on_delete: pulumi.Input[bool] | None



@dataclass(kw_only=True)
class AnypointTokenArgs:
    """The inputs of an :class:`AnypointToken` (each a ``pulumi.Input``; unset ones are left out).

    Credentials select the flow: ``client_id`` + ``client_secret`` (client credentials,
    recommended); ``username`` + ``password`` + ``client_id`` + ``client_secret`` (a connected app
    acting for a user, MFA-safe); ``private_key`` + ``identity_provider_id`` + ``username`` +
    ``client_id`` (JWT bearer grant, for federated users: SSO/MFA-safe); ``username`` +
    ``password`` (legacy login); or ``saml_response``. Where: ``region`` or ``base_url``.
    """

    client_id: pulumi.Input[str] | None = None
    client_secret: pulumi.Input[str] | None = field(default=None, repr=False)
    username: pulumi.Input[str] | None = None
    password: pulumi.Input[str] | None = field(default=None, repr=False)
    saml_response: pulumi.Input[str] | None = field(default=None, repr=False)
    saml_org_domain: pulumi.Input[str] | None = None
    saml_provider_id: pulumi.Input[str] | None = None
    private_key: pulumi.Input[str] | None = field(default=None, repr=False)
    identity_provider_id: pulumi.Input[str] | None = None
    base_url: pulumi.Input[str] | None = None
    region: pulumi.Input[str] | None = None
    renew_before_seconds: pulumi.Input[float] | None = None
    triggers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None
    revoke_on_delete: pulumi.Input[bool] | None = None
    timeout_seconds: pulumi.Input[float] | None = None
    ca_bundle: pulumi.Input[str] | None = None
    verify_tls: pulumi.Input[bool] | None = None

    def to_inputs(self) -> dict[str, Any]:
        """The inputs as a plain dict, without the ones left unset."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) is not None}


class AnypointToken(pulumi.dynamic.Resource, module=MODULE, name=NAME):
    """An Anypoint access token that every ``pulumi up`` keeps working.

    Created by logging in with the flow the credentials select; replaced (create-before-delete:
    new token first, dependents moved, old token revoked) when a credential, the control plane or
    a trigger changes, or when less than ``renew_before_seconds`` of validity remain.
    ``AnypointToken(name, AnypointTokenArgs(...), opts)`` or ``AnypointToken(name, opts=opts,
    client_id=..., ...)``.
    """

    access_token: pulumi.Output[str]
    token_type: pulumi.Output[str]
    grant_type: pulumi.Output[str]
    issued_at: pulumi.Output[str]
    expires_at: pulumi.Output[str]
    base_url: pulumi.Output[str]
    region: pulumi.Output[str | None]
    client_id: pulumi.Output[str | None]
    username: pulumi.Output[str | None]
    identity_provider_id: pulumi.Output[str | None]
    renew_before_seconds: pulumi.Output[float]
    triggers: pulumi.Output[Mapping[str, str] | None]
    revoke_on_delete: pulumi.Output[bool]
    timeout_seconds: pulumi.Output[float]
    ca_bundle: pulumi.Output[str | None]
    verify_tls: pulumi.Output[bool]

    @overload
    def __init__(
        self,
        resource_name: str,
        args: AnypointTokenArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self,
        resource_name: str,
        args: None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Unpack[AnypointTokenInputs],
    ) -> None: ...

    def __init__(
        self,
        resource_name: str,
        args: AnypointTokenArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        if args is not None and kwargs:
            raise TypeError("pass inputs either as an AnypointTokenArgs or as keyword arguments")
        if opts is not None and opts.import_ is not None:
            raise TypeError(
                f"AnypointToken {resource_name!r} cannot be imported (import_={opts.import_!r}): "
                "a token exists only by logging in, and Pulumi's dynamic resources cannot be "
                "imported. Remove import_ and let `pulumi up` create it.")
        args = args if args is not None else AnypointTokenArgs(**kwargs)
        props = program_defaults(args.to_inputs())
        for key in schema.SECRET_INPUTS:
            if props.get(key) is not None:
                props[key] = pulumi.Output.secret(props[key])
        for key in (*schema.NAMES, *schema.TOKEN_OUTPUTS):
            props.setdefault(key, None)
        secret_opts = pulumi.ResourceOptions(additional_secret_outputs=list(schema.SECRET_OUTPUTS))
        super().__init__(
            TOKEN_PROVIDER, resource_name, props, pulumi.ResourceOptions.merge(secret_opts, opts)
        )
        self._connection_settings: dict[str, Any] = {key: props[key]
                                                     for key in schema.CONNECTION_NAMES}

    @property
    def connection_settings(self) -> Mapping[str, Any]:
        """The connection settings the program gave this token (``timeout_seconds``,
        ``ca_bundle``, ``verify_tls``, as inputs): what data functions given ``token=`` use."""
        return dict(self._connection_settings)


def _outputs_text() -> str:
    return "\n".join(f"    {out.name}: {out.doc}{' [secret]' if out.secret else ''}"
                     for out in schema.OUTPUTS)


AnypointToken.__doc__ = (f"{AnypointToken.__doc__}\n    Inputs (config and environment fallbacks "
                         f"in brackets):\n\n{schema.describe_inputs()}\n\n    Outputs, besides "
                         f"the inputs:\n\n{_outputs_text()}\n")
AnypointTokenArgs.__doc__ = f"{AnypointTokenArgs.__doc__}\n{schema.describe_inputs()}\n"
