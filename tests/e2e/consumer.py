"""A resource that consumes a token, as a user's API client would (shared by the e2e tests)."""

from __future__ import annotations

import hashlib
from typing import Any

import pulumi
import pulumi.dynamic


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def consumer_provider() -> pulumi.dynamic.ResourceProvider:
    """A resource that consumes the token, as a user's API client would: it keeps only a
    fingerprint of the token it was given (defined in a function, so it pickles by value)."""

    class Consumer(pulumi.dynamic.ResourceProvider):
        def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
            import hashlib

            seen = hashlib.sha256(props["token"].encode()).hexdigest()[:16]
            return pulumi.dynamic.CreateResult("consumer", {"seen": seen})

        def diff(self, _id: str, olds: dict[str, Any],
                 news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
            import hashlib

            if not isinstance(news.get("token"), str):
                return pulumi.dynamic.DiffResult(changes=True)  # unknown until the token is
            seen = hashlib.sha256(news["token"].encode()).hexdigest()[:16]
            return pulumi.dynamic.DiffResult(changes=seen != olds.get("seen"))

        def update(self, _id: str, _olds: dict[str, Any],
                   news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
            import hashlib

            return pulumi.dynamic.UpdateResult(
                {"seen": hashlib.sha256(news["token"].encode()).hexdigest()[:16]})

    return Consumer()


class Consumer(pulumi.dynamic.Resource, module="e2e", name="Consumer"):
    """Consumes the token; ``seen`` is the fingerprint of the token it last received."""

    seen: pulumi.Output[str]

    def __init__(self, name: str, token: pulumi.Input[str]) -> None:
        super().__init__(consumer_provider(), name, {"token": token, "seen": None})
