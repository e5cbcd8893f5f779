"""Handlers: plain functions that react to events and messages, and the buses that feed them."""
