"""Errors a use case reports to the VMA: one clear sentence, never PHI."""

from __future__ import annotations


class ActionRefused(ValueError):
    """The action cannot be done as asked (the message says why and what to do)."""
