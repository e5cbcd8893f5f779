"""Who runs an admin command: an admin (perhaps a superadmin), or the system itself.

The system (the timers and the scheduler starting and ending battles when their time comes) is a
sentinel, not a made-up user id that a real user could one day be called.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class Admin:
    user_id: str
    superadmin: bool = False  # may act on every battle


class System(Enum):
    SYSTEM = "system"


SYSTEM = System.SYSTEM
Actor = Admin | System
