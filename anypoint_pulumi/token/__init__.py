"""The token resource: its schema (the one declaration of its inputs), the ``AnypointToken``
resource and ``AnypointTokenArgs``, and the thin dynamic provider the engine runs."""

from .resource import AnypointToken, AnypointTokenArgs

__all__ = ["AnypointToken", "AnypointTokenArgs"]
