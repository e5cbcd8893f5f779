"""The argument parser every `arena` command is built with, so that each command's help says the
same three things: what it does, each option's default, and the ARENA_* variables it reads.

A command says what it reads with `reads=` (names of ArenaSettings fields, grouped below; `()`
for none); tests/unit/test_cli_help.py checks that every command says it and that each name is
a setting."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from uuid import UUID

# What most commands read, by what they touch. Names are ArenaSettings fields.
STORE = ("data_dir", "database_url", "db_pool_size", "db_max_overflow")
BROKER = ("broker_url", "broker_declare")
LOGS = ("log_level", "log_json", "otel_exporter")
TOKENS = ("jwt_secret", "jwt_jwks_url", "jwt_issuer", "jwt_audience", "jwt_leeway_s", "jwks_cache_s",
          "jwks_refetch_s", "token_ttl_s")
LIMITS = ("redis_url", "rate_mutations", "rate_submissions", "rate_anonymous",
          "max_submissions_in_flight", "submission_in_flight_s", "max_body_bytes",
          "max_problem_bytes", "max_source_bytes")
JUDGE = ("judge_key", "judge_slots", "sandbox")
GAME = ("leave_after", "settle_wait_s", "group_commit")
METRICS = ("metrics_port", "metrics_host", "metrics_queue_every_s")  # the background processes' /metrics


def variable(field: str) -> str:
    return f"ARENA_{field.upper()}"


class _DefaultsShown(argparse.ArgumentDefaultsHelpFormatter):
    """"(default: X)" after each option's help, unless the help already says its default or
    there is none to say (None, a flag's False)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default in (None, False, argparse.SUPPRESS) or "default" in text:
            return text
        return super()._get_help_string(action)


class ArenaParser(argparse.ArgumentParser):
    """argparse with defaults shown in help and an epilog naming the variables read; subparsers
    are of this class too (add_subparsers builds them with type(self))."""

    def __init__(self, *args, reads: Iterable[str] | None = None, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _DefaultsShown)
        self.reads = None if reads is None else tuple(dict.fromkeys(reads))
        if self.reads is not None:
            kwargs.setdefault("epilog", "reads: " + ", ".join(variable(name) for name in self.reads)
                              if self.reads else "reads no ARENA_* variable")
        super().__init__(*args, **kwargs)
        if self.reads is not None:
            self.set_defaults(reads=self.reads)  # main() checks the database of those that read it


def positive_int(text: str) -> int:
    """An argparse type: an integer of at least 1, refused with a message that says so."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not positive (give 1 or more)")
    return value


def battle_id(text: str) -> UUID:
    """An argparse type: a battle's id, refused with a message that names what was given."""
    try:
        return UUID(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a battle id: {text!r}") from None
