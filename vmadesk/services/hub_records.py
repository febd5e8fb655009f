"""The team hub's records as the supervisor's screens and the evidence prompt show them.

These are the wire schema's types (:mod:`vmadesk.wire`): codes, counts and pseudonyms, never
patient details. The UI names them through services, as it names every other row type.
"""

from __future__ import annotations

from vmadesk.wire import *  # noqa: F403  (every record and code type, by its wire name)
from vmadesk.wire import __all__ as _wire_names

__all__ = list(_wire_names)
