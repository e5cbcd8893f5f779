"""arena: an event-sourced backend for live coding battles."""

__version__ = "0.1.0"
