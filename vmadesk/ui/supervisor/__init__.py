"""The supervisor console (issue 6): team board, trends, escalation desk, spot checks, report."""
