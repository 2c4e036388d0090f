"""The program's logic, kept in a module so that tests can call it (see test_targets.py)."""

from __future__ import annotations

from collections.abc import Iterable

import pulumi

from anypoint_pulumi import AnypointToken, Environment, get_environment_output


def deployment_targets(
    token: AnypointToken, names: Iterable[str], *, allow_production: bool = False
) -> dict[str, pulumi.Output[str]]:
    """Environment name → id for each environment a deployment may target.

    A production environment is refused (the program fails) unless ``allow_production``.
    """

    def allowed(environment: Environment) -> str:
        if environment.is_production and not allow_production:
            raise ValueError(f"environment {environment.name!r} is a production environment: "
                             "set allowProduction to true to deploy to it")
        return environment.id

    return {name: get_environment_output(name=name, token=token).apply(allowed)
            for name in names}
