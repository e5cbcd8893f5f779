"""One settings object, read from ARENA_* environment variables, once, in bootstrap."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

POSTGRESQL_SCHEMES = ("postgresql://", "postgres://")
RateSpec = Annotated[str, Field(pattern=r"^\d+/[1-9]\d*$")]


class ArenaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ARENA_", extra="ignore")

    # Embedded default: no database URL means a SQLite event store under data_dir.
    data_dir: Path = Path(".arena")
    database_url: str | None = None
    broker_url: str | None = None
    # Declare the broker topology at start-up (needs configure permission: one admin user, as in
    # development). False with the per-process users of infra/rabbitmq/README.md: the processes
    # only check the topology exists, and the operator loads definitions.json.
    broker_declare: bool = True

    # Unset in the embedded default: a secret is generated once per data dir. Elsewhere the API
    # refuses to start without one of the two (docs/adr/0003).
    jwt_secret: str | None = Field(None, description="HS256 secret")
    jwt_jwks_url: str | None = Field(None, description="JWKS of an issuer signing RS256/ES256")
    jwks_cache_s: float = Field(300.0, description="a fetched key set is trusted this long")
    jwks_refetch_s: float = Field(30.0, description="an unknown kid refetches at most this often")
    jwt_leeway_s: int = Field(30, description="clock skew allowed on exp and nbf")
    jwt_issuer: str = "arena"
    jwt_audience: str = "arena-api"
    token_ttl_s: int = 12 * 3600

    # Judges sign verdicts with it (HMAC-SHA256) and the worker's commands consumer checks them;
    # the API never reads it. Unset in the embedded default: one per data dir (arena.keyfile).
    judge_key: str | None = Field(None, description="HMAC key of judge verdicts", min_length=32)

    # Abuse limits, "N/S" = N requests per S seconds, "0/S" = off (docs/adr/0011).
    redis_url: str | None = Field(None, description="shared limiter store; unset = in-process")
    rate_mutations: RateSpec = "60/60"  # per user, every POST/PUT/PATCH/DELETE
    rate_submissions: RateSpec = "10/60"  # per user, on top of rate_mutations
    rate_anonymous: RateSpec = "120/60"  # per client IP, routes that need no token
    # per user, reads recomputed from the event store (a scoreboard `?at=`, results.csv): each
    # reads every event of the battle, seconds for a big one, so they are counted like changes
    rate_replays: RateSpec = "30/60"
    max_submissions_in_flight: int = Field(5, ge=0, description="per user; 0 = no cap")
    submission_in_flight_s: float = Field(120.0, gt=0, description="a submission stops counting after this")

    # An Idempotency-Key claimed by a request that never finished (a dropped connection, a crash)
    # is taken over by the next request with that key once this many seconds passed (ADR 0018).
    idempotency_lease_s: float = Field(60.0, gt=0, description="seconds an in-progress key is held")
    # ...and forgotten this long after it was last used (db/key_retention.py): then it is a new key.
    idempotency_keep_s: float = Field(86400.0, ge=3600, description="seconds a used key is remembered")

    max_body_bytes: int = 1_000_000
    max_problem_bytes: int = 64 * 1024 * 1024  # problem uploads carry their tests
    max_source_bytes: int = 64 * 1024

    # Connections per process, for each of its two pools (event store, read models): `db_pool_size`
    # kept open, up to `db_max_overflow` more while busy (docs/operations.md: the budget).
    db_pool_size: int = Field(2, ge=1, le=100)
    db_max_overflow: int = Field(6, ge=0, le=200)
    # Outages (docs/adr/0019): no API request waits longer than the deadline on a dependency; a
    # breaker opens after `breaker_failures` failures in a row and answers 503 for its cool-down.
    request_deadline_s: float = Field(1.2, gt=0, le=60, description="an API request's wait on the database")
    ready_timeout_s: float = Field(1.0, gt=0, le=30, description="each /ready check's own bound")
    breaker_failures: int = Field(3, ge=1, le=1000)
    breaker_cool_down_s: float = Field(5.0, gt=0, le=600)
    db_connect_timeout_s: int = Field(2, ge=2, le=60, description="connecting to PostgreSQL, every process")
    group_commit: bool = Field(True, description="append concurrent saves in one transaction")
    leave_after: float = Field(300.0, description="seconds a DISCONNECTED player has to come back")
    live_max_pending: int = Field(1000, ge=1, le=1_000_000, description="messages a live socket may "
                                  "have waiting to be sent; beyond, it is closed with 4429 (too slow)")
    settle_wait_s: float = Field(600.0, ge=0, description="seconds a settlement waits for verdicts "
                                 "of submissions received before the end")
    judge_slots: int = Field(default_factory=lambda: os.cpu_count() or 1)
    sandbox: Literal["bwrap", "docker"] = "bwrap"

    otel_exporter: Literal["none", "console"] = "none"
    # Prometheus /metrics of `arena relay|worker|judge|scheduler` on a port of their own; 0 = off.
    # The API serves /metrics on its own port (docs/operations.md, "Metrics").
    metrics_port: int = Field(0, ge=0, le=65535)
    metrics_host: str = "0.0.0.0"
    metrics_queue_every_s: float = Field(15.0, gt=0, description="queue depths sampled this often")
    log_level: str = "INFO"
    log_json: bool = True

    @field_validator("database_url")
    @classmethod
    def _postgresql_only(cls, url: str | None) -> str | None:
        # Anything else used to fall back to SQLite in silence: a typo lost the operator's data.
        if url and not url.startswith(POSTGRESQL_SCHEMES):
            raise ValueError(f"must be a PostgreSQL URL ({POSTGRESQL_SCHEMES[0]}user@host:port/db); "
                             "leave it unset for the embedded SQLite store under ARENA_DATA_DIR")
        return url or None

    @property
    def uses_postgres(self) -> bool:
        return bool(self.database_url)

    @property
    def problems_dir(self) -> Path:
        return self.data_dir / "problems"
