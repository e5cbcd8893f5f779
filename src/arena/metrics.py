"""Prometheus metrics: every series arena exports, in one place (docs/operations.md, "Metrics").

Module-level, as prometheus_client wants them: a metric is registered once per process, and the
code that moves one imports it from here. Labels are bounded sets only — route templates, queue
names from the topology, verdict kinds, dependency names — never a raw path or an id, so the
number of series cannot grow with traffic.

Some values are cheaper to read when scraped than to keep up to date: a lag is the event store's
head minus a reader's position, a dependency's state is whatever its guard says now. Those are
`Sampled` gauges: the process registers a callable at wiring time and the scrape calls it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import structlog
from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.core import REGISTRY, GaugeMetricFamily
from prometheus_client.registry import Collector

log = structlog.get_logger("arena.metrics")

# The *_created series double the exposition and say only when a process started.
disable_created_metrics()

# Seconds: from a cached read (~1 ms) to a judging that compiles (seconds).
_FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SLOW = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)

# The API (arena.api.metrics). route = the route's template ("/api/v2/battles/{battle_id}"),
# "unmatched" when no route matched; method = one of METHODS or "OTHER".
HTTP_REQUESTS = Counter("arena_http_requests_total", "HTTP requests answered",
                        ["method", "route", "status_class"])
HTTP_SECONDS = Histogram("arena_http_request_duration_seconds", "from a request's first byte to "
                         "its answer's last", ["method", "route"], buckets=_FAST)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# The bus consumers (arena.bus.consumer). queue = the topology's logical name ("arena.projections").
MESSAGES = Counter("arena_messages_total", "messages a consumer finished with, by outcome: "
                   "ok, retry, dead (gave up), rejected, malformed, early (delayed, sent on)",
                   ["queue", "outcome"])
MESSAGE_SECONDS = Histogram("arena_message_handling_seconds", "one message's handler, retries apart",
                            ["queue"], buckets=_FAST)
EVENT_AGE = Histogram("arena_event_age_seconds", "from an event's append to a consumer taking it: "
                      "relay lag, queue wait and retries together", ["queue"], buckets=_SLOW)
QUEUE_MESSAGES = Gauge("arena_queue_messages", "messages ready in a queue this process consumes "
                       "(sampled every ARENA_METRICS_QUEUE_EVERY_S)", ["queue"], multiprocess_mode="max")
QUEUE_CONSUMERS = Gauge("arena_queue_consumers", "consumers on a queue this process consumes",
                        ["queue"], multiprocess_mode="max")

# The judge (`arena judge`, or the embedded default's judge in the API process).
VERDICTS = Counter("arena_verdicts_total", "verdicts given, by kind (AC, WA, TLE, MLE, RE, CE, OLE, IE)",
                   ["verdict"])
JUDGE_SECONDS = Histogram("arena_judge_seconds", "one submission judged: compile and every test",
                          buckets=_SLOW)

# The relay and the scheduler.
RELAY_PUBLISHED = Counter("arena_relay_published_total", "events the relay published, confirmed")
SWEEPS = Counter("arena_scheduler_sweeps_total", "sweeps the scheduler finished")
SCHEDULER_HEARTBEAT = Gauge("arena_scheduler_heartbeat_timestamp_seconds",
                            "when the scheduler last finished a sweep (Unix time)", multiprocess_mode="max")


class Sampled(Collector):
    """A gauge whose values are read from callables when scraped. Each callable returns
    {label value: number}; one that fails (its database is down) is logged and left out."""

    def __init__(self, name: str, documentation: str, label: str) -> None:
        self.name, self.documentation, self.label = name, documentation, label
        self._sources: dict[str, Callable[[], Mapping[str, float]]] = {}
        self._marked: dict[str, float] = {}

    def watch(self, name: str, source: Callable[[], Mapping[str, float]]) -> None:
        """Reads `source` at every scrape; a second source of the same name replaces the first
        (an app built again, in tests, replaces its own)."""
        self._sources[name] = source

    def mark(self, key: str, value: float) -> None:
        """For values pushed rather than read: kept until marked again."""
        self._marked[key] = value

    def clear(self) -> None:
        self._sources.clear()
        self._marked.clear()

    def collect(self) -> Iterable[GaugeMetricFamily]:
        family = GaugeMetricFamily(self.name, self.documentation, labels=[self.label])
        values = dict(self._marked)
        for source in list(self._sources.values()):
            try:
                values.update(source())
            except Exception as exc:  # a scrape never fails because one source did
                log.warning("metrics.source_failed", metric=self.name, error=f"{type(exc).__name__}: {exc}"[:300])
        for key, value in sorted(values.items()):
            family.add_metric([key], float(value))
        yield family


# 1 = reachable (circuit closed), 0 = not (circuit open). Background processes mark it from their
# backoffs (arena.retrying); the API registers its dependency guard's states at wiring time.
DEPENDENCY_UP = Sampled("arena_dependency_up", "1 when the dependency answers (circuit closed), "
                        "0 when it does not (open)", "dependency")
# Notification-log lag: the store's head minus how far a reader has got, in events.
LOG_LAG = Sampled("arena_log_lag_events", "events appended that a reader has not handled yet: "
                  "reader=relay (not yet published) or projections (not yet projected here)", "reader")
SAMPLED = (DEPENDENCY_UP, LOG_LAG)
for _collector in SAMPLED:
    REGISTRY.register(_collector)


def watch_dependencies(states: Callable[[], Mapping[str, bool]]) -> None:
    """The hook for a dependency guard (a circuit breaker): `states()` returns {dependency: up},
    read at every scrape as arena_dependency_up; its values win over the backoffs' marks."""
    DEPENDENCY_UP.watch("guard", lambda: {name: 1.0 if up else 0.0 for name, up in states().items()})


def judged(verdict: str, seconds: float) -> None:
    """One submission judged: its verdict by kind and how long it took."""
    VERDICTS.labels(verdict).inc()
    JUDGE_SECONDS.observe(seconds)


class Highest:
    """The highest notification id a reader has handled in this process (None before the first)."""

    def __init__(self) -> None:
        self.value: int | None = None

    def saw(self, notification_id: int | None) -> None:
        if notification_id is not None and (self.value is None or notification_id > self.value):
            self.value = notification_id


def status_class(status: int) -> str:
    return f"{status // 100}xx" if 100 <= status < 600 else "other"
