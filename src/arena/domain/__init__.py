"""The domain: Battle, RoomPlayer (and later Settlement) aggregates. No I/O, no frameworks."""
