"""Emulator-only endpoints under ``/emulator/``: samples a shell user needs but cannot make.

``GET /emulator/saml-response`` answers, as ``text/plain``, a fresh base64 SAML response that the
emulator's own ``/accounts/login/receive-id`` accepts, so the SAML example runs from the shell::

    pulumi config set --secret samlResponse "$(curl -sf "$BASE_URL/emulator/saml-response")"

Query: ``username`` (default the demo federated user; a federated user: SAML signs in no other),
``issuer`` (default the user's identity provider), ``valid_seconds`` (1-3600, default 300). Each
answer is a new response (new IDs): a response signs in once. No real control plane has
these paths; they answer on the emulator only, without a token (it is a local test fake).
"""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from .saml import build_response
from .state import Store

SAML_SAMPLE_PATH = "/emulator/saml-response"
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
