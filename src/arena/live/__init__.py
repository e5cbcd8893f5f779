"""Live battles: what a player's WebSocket and a spectator's stream receive, and how each API
instance is fed the events it streams (docs/adr/0024-live-battles.md)."""
