"""The vmadesk team hub: PHI-free summaries, ownership claims, escalations, sealed relays.

The hub imports only ``vmadesk.wire`` and ``vmadesk.domain.vocabulary`` from the project:
it has no code that could read PHI (DESIGN.md, "Architecture").
"""
