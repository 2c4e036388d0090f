"""The core every front end calls: Pulumi-free, over plain snake_case values.

- :mod:`.inputs`: the one declaration of the token's inputs and outputs, its checks, and the
  typed login spec they make;
- :mod:`.sources`: what config and the environment fill in, group by group;
- :mod:`.token`: the token's lifecycle (check, diff, create, update, read, delete);
- :mod:`.functions`: the data functions' declarations and reads, and :func:`~.functions.invoke`;
- :mod:`.results`: what the data functions return;
- :mod:`.messages`: :data:`UNKNOWN`, check failures and notices.

Front ends (the dynamic provider, the plugin, the Python data functions, the CLI) turn their wire
format into these values and back; none holds logic of its own.
"""

from .messages import UNKNOWN, Notice, Problem

__all__ = ["UNKNOWN", "Notice", "Problem"]
