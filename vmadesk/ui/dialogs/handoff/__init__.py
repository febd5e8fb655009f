"""Handoff dialogs: end shift and send, inbox, review and receipt, keys, the report."""
