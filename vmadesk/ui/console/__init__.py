"""The shift console's main window, composed of parts: layout, actions, lock."""
