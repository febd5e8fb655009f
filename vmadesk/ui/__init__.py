"""Qt widgets, models and dialogs: thin, calling services, never SQL."""
