"""Use cases: start shift, log attempt, escalate, hand off, import, sync."""
