"""``get_access_token``: a token fetched when the program runs, never kept in state by itself.

Pulumi has no ephemeral resources (Terraform's ``ephemeral`` blocks); a data function plays the
part. It logs in on **every** program run -- ``pulumi preview`` included, and ``pulumi up`` runs
the program twice (its preview, then the update) unless given ``--skip-preview`` -- with the same
credential, location and connection inputs as ``AnypointToken``, defaulted from the same
``anypoint:*`` config and ``ANYPOINT_*`` variables, and checked by the same rules. The inputs
that only mean something for a token kept in state (``renew_before_seconds``, ``triggers``,
``revoke_on_delete``) are not taken: nothing is renewed or revoked, and each token simply expires.

Invoke results are not written to state: the token lands there only if the program exports it
or passes it to a resource's input (then as ciphertext, since the ``_output`` result is secret).
"""

from __future__ import annotations

import pulumi

from ..core import functions as core
from ..core.results import AccessTokenResult, AwaitableAccessTokenResult
from .invoke import DataFunction

__all__ = ["AccessTokenResult", "AwaitableAccessTokenResult", "get_access_token",
           "get_access_token_output"]


ACCESS_TOKEN = DataFunction(core.ACCESS_TOKEN, AwaitableAccessTokenResult)


def get_access_token(
    *,
    client_id: str | None = None,
    client_secret: str | None = None,
    username: str | None = None,
    password: str | None = None,
    saml_response: str | None = None,
    saml_org_domain: str | None = None,
    saml_provider_id: str | None = None,
    private_key: str | None = None,
    identity_provider_id: str | None = None,
    base_url: str | None = None,
    region: str | None = None,
    timeout_seconds: float | None = None,
    ca_bundle: str | None = None,
    verify_tls: bool | None = None,
    opts: pulumi.InvokeOptions | None = None,
) -> AwaitableAccessTokenResult:
    """Log in now and return the token (plain values; ``await`` works too).

    Takes ``AnypointToken``'s credential (the flow they select), location and connection inputs;
    unset credentials and location come from ``anypoint:*`` config, then ``ANYPOINT_*``
    environment variables, each as a group, as for the resource. Logs in on every call, preview
    included. The result holds the token in plain text: prefer :func:`get_access_token_output`
    in a program, whose result is secret.
    """
    return ACCESS_TOKEN.plain(locals())


def get_access_token_output(
    *,
    client_id: pulumi.Input[str] | None = None,
    client_secret: pulumi.Input[str] | None = None,
    username: pulumi.Input[str] | None = None,
    password: pulumi.Input[str] | None = None,
    saml_response: pulumi.Input[str] | None = None,
    saml_org_domain: pulumi.Input[str] | None = None,
    saml_provider_id: pulumi.Input[str] | None = None,
    private_key: pulumi.Input[str] | None = None,
    identity_provider_id: pulumi.Input[str] | None = None,
    base_url: pulumi.Input[str] | None = None,
    region: pulumi.Input[str] | None = None,
    timeout_seconds: pulumi.Input[float] | None = None,
    ca_bundle: pulumi.Input[str] | None = None,
    verify_tls: pulumi.Input[bool] | None = None,
    opts: pulumi.InvokeOutputOptions | None = None,
) -> pulumi.Output[AccessTokenResult]:
    """A token logged in for on this run, as a **secret** ``Output`` (``.access_token``,
    ``.expires_at``… are secret too: ``pulumi.Output.unsecret(t.expires_at)`` for a plain one).

    Arguments as :func:`get_access_token`, as ``pulumi.Input``; ``opts.depends_on`` makes the
    login wait for those resources. Unknown while an input is (then no login happens).
    """
    return ACCESS_TOKEN.output(locals())

