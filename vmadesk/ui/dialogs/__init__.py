"""The console's dialogs, one module per dialog or per area (handoff, imports)."""
