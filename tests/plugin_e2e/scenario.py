"""The one scenario every language walks (``test_scenario.py``): what a user buys the token for,
proven through the ``anypoint-auth`` plugin under the real engine, one stack walked step by step
(each step names itself in its failure).

1. preview makes 0 requests;
2. up creates a working token that is secret;
3. state and PULUMI_HOME hold only ciphertext;
4. a no-change preview and up make 0 requests;
5. renewal is create-before-delete, shown by the request order;
6. refresh after an out-of-band revoke recovers;
7. a failed renewal keeps the old token (and the next up renews);
8. getProfile returns the organization;
9. destroy revokes;
10. a wrong secret gives one line with no traceback and no secret.

No secret appears in any text the CLI printed, in any step (canary sweep at the end).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from anypoint_pulumi.emulator import Emulator, Fault
from anypoint_pulumi.testing.local import SECRET_SIG

from .runners import Project, Result

TOKEN_PATH = "/accounts/api/v2/oauth2/token"
REVOKE_PATH = "/accounts/api/v2/oauth2/revoke"
INTO_RENEWAL = 3600 - 600 + 60
"""Seconds that take a fresh one-hour token 60 s into the default 600 s renewal window."""
TOKEN_TYPE = "anypoint-auth:index:Token"
WRONG_SECRET = "wrong-secret-canary-5f2a9c"  # a canary: it must never be printed


def config_of(emulator: Emulator) -> dict[str, tuple[str, bool]]:
    """The scenario program's config: the demo app's credentials, the secret as a secret."""
    return {"clientId": (emulator.demo.client_id, False),
            "clientSecret": (emulator.demo.client_secret, True),
            "baseUrl": (emulator.base_url, False)}


@dataclass
class Walk:
    """One stack walked through the scenario."""

    stack: Project
    emulator: Emulator
    secrets: set[str] = field(default_factory=set)
    """Every secret seen so far (tokens, the client secret): swept for at the end."""

    def token(self) -> str:
        value = self.stack.outputs(show_secrets=True)["accessToken"]
        assert isinstance(value, str) and value
        self.secrets.add(value)
        return value

    def ok(self, result: Result, step: str) -> Result:
        assert result.ok, f"{step}: {self.scrub(result.text)[-3000:]}"
        return result

    def scrub(self, text: str) -> str:
        """``text`` without any known secret, for assertion messages."""
        for secret in self.secrets:
            text = text.replace(secret, "<secret>")
        return text


def walk(stack: Project, emulator: Emulator) -> Walk:
    """Run every step of the scenario on ``stack`` (created here)."""
    w = Walk(stack, emulator)
    w.secrets.add(emulator.demo.client_secret)
    stack.create(config_of(emulator))

    # 1. preview: no login
    emulator.clear_requests()
    preview = w.ok(stack.preview(), "preview")
    assert preview.changes.get("create") == 2, preview.changes  # the stack and the token
    assert emulator.requests == [], "preview made requests"

    # 2. up: a working token, secret
    up = w.ok(stack.up(), "up")
    assert up.changes.get("create") == 2, up.changes
    masked = stack.outputs()
    assert masked["accessToken"] == "[secret]", "the token output is not secret"
    assert masked["grantType"] == "client_credentials"
    first = w.token()
    assert emulator.is_active(first), "up did not create a working token"

    # 3. state and PULUMI_HOME hold only ciphertext
    [resource] = stack.tokens()
    for where, key in (("outputs", "accessToken"), ("outputs", "clientSecret"),
                       ("inputs", "clientSecret")):
        value = resource[where].get(key)
        assert isinstance(value, dict) and set(value) == {SECRET_SIG, "ciphertext"}, \
            f"{where}.{key} is not ciphertext in state"
    assert resource["id"] != first
    swept = {"backend and PULUMI_HOME": stack.backend_text(),
             "stack export": json.dumps(stack.export())}
    for place, text in swept.items():
        assert not [s for s in w.secrets if s in text], f"a secret in plain text in {place}"

    # 4. no-change preview and up: no request, no change
    emulator.clear_requests()
    again = w.ok(stack.preview(), "no-change preview")
    assert again.changes == {"same": 2}, again.changes
    same = w.ok(stack.up(), "no-change up")
    assert same.changes == {"same": 2}, same.changes
    assert emulator.requests == [], [r.path for r in emulator.requests]
    assert w.token() == first

    # 5. renewal: the new token first, then the old one revoked
    emulator.advance_clock(INTO_RENEWAL)
    stack.advance(INTO_RENEWAL)
    emulator.clear_requests()
    renewed = w.ok(stack.up(), "renewal up")
    assert renewed.changes.get("replace") == 1, renewed.changes
    second = w.token()
    assert second != first
    order = [(r.method, r.path) for r in emulator.requests]
    assert ("POST", TOKEN_PATH) in order and ("POST", REVOKE_PATH) in order, order
    assert order.index(("POST", TOKEN_PATH)) < order.index(("POST", REVOKE_PATH)), order
    assert emulator.is_active(second) and not emulator.is_active(first)

    # 6. refresh after an out-of-band revoke, then up: a new working token
    emulator.revoke(second)
    w.ok(stack.refresh(), "refresh after revoke")
    recovered = w.ok(stack.up(), "up after refresh")
    assert recovered.changes.get("create", 0) + recovered.changes.get("replace", 0) == 1, \
        recovered.changes
    third = w.token()
    assert third != second and emulator.is_active(third)

    # 7. a failed renewal keeps the old token; the next up renews
    emulator.advance_clock(INTO_RENEWAL)
    stack.advance(INTO_RENEWAL)
    emulator.inject(TOKEN_PATH, Fault.plain(401, "invalid_client"), times=10)
    failed = stack.up()
    emulator.clear_faults()
    assert not failed.ok, "an up whose login failed succeeded"
    assert "Traceback" not in failed.text
    assert w.token() == third, "a failed renewal lost the old token"
    assert emulator.is_active(third)
    w.ok(stack.up(), "up after the failed renewal")
    fourth = w.token()
    assert fourth != third and emulator.is_active(fourth) and not emulator.is_active(third)

    # 8. getProfile: the organization
    stack.enable_profile()
    profiled = w.ok(stack.up(), "up with getProfile")
    assert profiled.changes.get("replace", 0) == 0, profiled.changes
    # (secret: the result of a call given a secret token is)
    organization = stack.outputs(show_secrets=True).get("organizationId")
    assert organization == emulator.demo.organization_id, organization

    # 9. destroy revokes
    w.ok(stack.destroy(), "destroy")
    assert not emulator.is_active(fourth), "destroy left the token active"
    assert stack.tokens() == []

    # 10. a wrong secret: one clean line
    stack.set_config({"clientSecret": (WRONG_SECRET, True)})
    w.secrets.add(WRONG_SECRET)
    wrong = stack.up()
    assert not wrong.ok, "an up with a wrong secret succeeded"
    assert "Traceback" not in wrong.text and 'File "' not in wrong.text
    lines = error_lines(wrong.text)
    assert len(lines) == 1, w.scrub("\n".join(lines) or wrong.text[-3000:])
    assert "credentials" in lines[0], w.scrub(lines[0])

    # every text the CLI printed, in every step
    printed = "\n".join(stack.output)
    assert not [s for s in w.secrets if s in printed], "a secret in the CLI's output"
    assert not [s for s in w.secrets if s in stack.backend_text()], "a secret in the backend"
    return w


def error_lines(text: str) -> list[str]:
    """The lines of the Token's diagnostics block (``anypoint-auth:index:Token (ci):``)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(rf"\s*{re.escape(TOKEN_TYPE)} \(ci\):\s*$", line):
            block = []
            for follow in lines[i + 1:]:
                if not follow.strip():
                    break
                block.append(follow.strip())
            return block
    return []

