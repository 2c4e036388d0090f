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
from typing_extensions import Unpack

from ..core import functions as core
from ..core.results import AccessTokenResult, AwaitableAccessTokenResult
from ..token.resource import LoginInputs
from .invoke import DataFunction

__all__ = ["get_access_token", "get_access_token_output"]


ACCESS_TOKEN = DataFunction(core.ACCESS_TOKEN, AwaitableAccessTokenResult)


def get_access_token(
    *,
    opts: pulumi.InvokeOptions | None = None,
    **inputs: Unpack[LoginInputs],
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
    opts: pulumi.InvokeOutputOptions | None = None,
    **inputs: Unpack[LoginInputs],
) -> pulumi.Output[AccessTokenResult]:
    """A token logged in for on this run, as a **secret** ``Output`` (``.access_token``,
    ``.expires_at``… are secret too: ``pulumi.Output.unsecret(t.expires_at)`` for a plain one).

    Arguments as :func:`get_access_token`, as ``pulumi.Input``; ``opts.depends_on`` makes the
    login wait for those resources. Unknown while an input is (then no login happens).
    """
    return ACCESS_TOKEN.output(locals())

