"""What becomes of a message the consumer (arena.bus.consumer) could not handle: a copy sent back
through the delay ladder with its attempt raised (RetryPolicy says how long to wait), or a dead
letter in arena.dlq that names its error, routing key and queue. `arena dlq` (arena.bus.dlq)
reads these same headers back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from arena.bus.delayed import DELIVER_AT, ROUTING_KEY
from arena.bus.publish import carried_headers, publish_confirmed
from arena.bus.topology import DEAD, Topology

if TYPE_CHECKING:
    from faststream.rabbit import RabbitBroker

ATTEMPT = "x-attempt"
ERROR = "x-error"
ORIGINAL_ROUTING_KEY = "x-original-routing-key"
ORIGINAL_QUEUE = "x-original-queue"
RETRY_DELAY = "x-retry-delay-ms"
MAX_ERROR_CHARS = 2000


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    delays: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0)  # seconds before attempt 2, 3, ...

    def delay_after(self, attempt: int) -> float:
        return self.delays[min(attempt, len(self.delays)) - 1]


def retry_headers(headers: dict[str, Any], routing_key: str, attempt: int, delay_ms: int,
                  error: str) -> dict[str, Any]:
    """The headers of the copy that retries a message which failed its `attempt`."""
    return carried_headers(headers, **{ATTEMPT: attempt + 1, ROUTING_KEY: routing_key,
                                       RETRY_DELAY: delay_ms, ERROR: error[:MAX_ERROR_CHARS]})


async def dead_letter(broker: RabbitBroker, topology: Topology, raw: Any, headers: dict[str, Any],
                      routing_key: str, queue_name: str, error: str) -> None:
    """Publishes `raw` to arena.dlq, confirmed, with why it failed and where it came from."""
    dead_headers = carried_headers(headers, **{
        ERROR: error[:MAX_ERROR_CHARS], ORIGINAL_ROUTING_KEY: routing_key,
        ORIGINAL_QUEUE: queue_name, "x-failed-at": datetime.now(timezone.utc).isoformat(),
        DELIVER_AT: None, RETRY_DELAY: None})
    await publish_confirmed(broker, raw.body, exchange=topology.exchange(DEAD),
                            routing_key=routing_key, message_id=raw.message_id,
                            headers=dead_headers, content_type=raw.content_type,
                            correlation_id=raw.correlation_id)
