"""vmadesk: a shift console for virtual medical assistants."""

__version__ = "0.1.0"
