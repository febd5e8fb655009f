"""Small widgets and panes the console window is built from."""
