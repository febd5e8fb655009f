"""Qt item models, delegates and the words and looks they show."""
