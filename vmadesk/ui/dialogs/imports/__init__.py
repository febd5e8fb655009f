"""File → Import: the import dialog, its preview and the CSV column mapping."""
