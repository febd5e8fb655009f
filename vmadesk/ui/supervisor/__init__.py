"""The supervisor console: team board, trends, escalation desk, spot checks, report."""
