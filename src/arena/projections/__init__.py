"""Read models derived from events: each can be dropped and rebuilt from the event store."""
