"""Sync with the team hub: wire schema, pseudonyms, outbox, hub client, sealed envelopes.

Kept free of imports: the hub imports ``vmadesk.wire`` and must not pull in the store.
"""
