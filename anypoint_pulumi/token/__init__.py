"""The Python token resource: ``AnypointToken`` and ``AnypointTokenArgs`` (typed signatures over
the declaration in :mod:`anypoint_pulumi.core.inputs`), the dynamic provider the engine runs (a
thin adapter over :mod:`anypoint_pulumi.core.token`), and the stack's config as the core reads
it."""

from .resource import AnypointToken, AnypointTokenArgs

__all__ = ["AnypointToken", "AnypointTokenArgs"]
