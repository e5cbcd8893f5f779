"""The `arena` command. Each subcommand reads settings once and builds what it needs through
bootstrap; later subsystems (relay, worker, judge, projections, dlq) add their subcommands here."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from arena.battles_cli import add_battle_commands
from arena.cli_parser import BROKER, GAME, JUDGE, LIMITS, LOGS, STORE, TOKENS, ArenaParser, positive_int
from arena.problems.cli import add_problem_commands
from arena.processes import add_process_commands
from arena.projections.cli import add_projection_commands
from arena.settlement_cli import add_ledger_commands
from arena.settings import ArenaSettings

Command = Callable[[argparse.Namespace, ArenaSettings], int]
# The commands whose INFO lines are their output: the processes, and migrations.
SAYS_WHAT_IT_DOES = {"serve", "relay", "worker", "judge", "scheduler", "db"}


def _serve(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.api.secret import check_token_settings
    from arena.api.server import serve

    check_token_settings(settings)  # before any worker starts, so the refusal is said once

    if args.workers > 1:
        if not (settings.uses_postgres and settings.broker_url):
            print("arena serve: --workers needs ARENA_DATABASE_URL (PostgreSQL) and ARENA_BROKER_URL: "
                  "the embedded default runs its bus, judge and timers inside its one process",
                  file=sys.stderr)
            return 2
        from arena.api.metrics import multiprocess_metrics

        with multiprocess_metrics():  # each worker's counters in files /metrics sums
            serve("arena.api.server:app_from_environment", args.host, args.port, workers=args.workers)
        return 0

    from arena.api.app import create_app
    from arena.bootstrap import bootstrap
    from arena.telemetry import configure_tracing

    configure_tracing(settings, "api")
    arena = bootstrap(settings)
    serve(create_app(arena), args.host, args.port)
    return 0


def _token(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.api.auth import mint_token

    print(mint_token(settings, args.user, args.role, args.ttl))
    return 0


def _db(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.db.engine import make_engine
    from arena.db.migrations import current, upgrade

    engine = make_engine(settings)
    if args.action == "upgrade":
        from arena.bootstrap import create_event_store

        upgrade(engine)
        create_event_store(settings)
    print(f"database at revision {current(engine)}")
    return 0


def _demo(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.demo import run_demo

    return run_demo(settings, keep_data_dir=args.data_dir)


def build_parser() -> argparse.ArgumentParser:
    parser = ArenaParser(prog="arena", description="Live coding battles, event-sourced. Settings come "
                         "from ARENA_* environment variables (README, Configuration).")
    parser.add_argument("--version", action="version", version=f"arena {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP API (with no database or broker URL: the whole "
                           "embedded default in this one process)",
                           reads=STORE + BROKER + TOKENS + LIMITS + JUDGE + GAME + LOGS)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument("--workers", type=positive_int, default=1,
                       help="API processes on this port (production: one per core; see docs/benchmarks.md)")
    serve.set_defaults(run=_serve)

    token = sub.add_parser("token", help="mint a JWT for local use, signed with the API's secret",
                           reads=("data_dir", "database_url", "broker_url", "jwt_secret", "jwt_issuer",
                                  "jwt_audience", "token_ttl_s"))
    token.add_argument("user", help="the token's subject (user id)")
    token.add_argument("--role", choices=["player", "admin", "auditor", "superadmin"], default="player",
                       help="the role the token carries")
    token.add_argument("--ttl", type=positive_int, default=None,
                       help="lifetime in seconds (default: ARENA_TOKEN_TTL_S)")
    token.set_defaults(run=_token)

    db = sub.add_parser("db", help="read-model database migrations", reads=STORE)
    db.add_argument("action", choices=["upgrade", "current"],
                    help="upgrade: migrate to the newest revision; current: print the revision")
    db.set_defaults(run=_db)

    demo = sub.add_parser("demo", help="play a scripted battle on the embedded default",
                          reads=("judge_slots", "sandbox", "log_level"))
    demo.add_argument("--data-dir", default=None, help="keep the data here (default: a temp dir)")
    demo.set_defaults(run=_demo)
    add_projection_commands(sub)
    add_ledger_commands(sub)
    add_battle_commands(sub)
    add_problem_commands(sub)
    add_process_commands(sub)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("arena")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from pydantic import ValidationError

    from arena.config_errors import ConfigurationError, check_database_exists, missing_database, settings_messages

    try:
        settings = ArenaSettings()
    except ValidationError as exc:
        for line in settings_messages(exc):
            print(f"arena: bad setting: {line}", file=sys.stderr)
        return 2
    from arena.logging import configure_logging

    if args.command not in SAYS_WHAT_IT_DOES and "ARENA_LOG_LEVEL" not in os.environ:
        # An operator's one-shot command prints its own answer; INFO lines (a migration of the
        # embedded store, a pool opening) would bury it. ARENA_LOG_LEVEL set says otherwise.
        settings = settings.model_copy(update={"log_level": "WARNING"})
    configure_logging(settings)  # every command's lines, alembic's and uvicorn's included
    try:
        if settings.uses_postgres and "database_url" in getattr(args, "reads", ()):
            check_database_exists(settings)  # before a pool waits 30 s on a database never there
        return args.run(args, settings)
    except ConfigurationError as exc:  # an operator's mistake: one line, no traceback
        print(f"arena: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from arena.retrying import DATABASE_DOWN

        if not isinstance(exc, DATABASE_DOWN):
            raise
        if missing := missing_database(exc, settings.database_url):
            print(f"arena: {missing}", file=sys.stderr)
            return 2
        print(f"arena: cannot reach the database (ARENA_DATABASE_URL): {_first_line(exc)}", file=sys.stderr)
        return 1


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


if __name__ == "__main__":
    sys.exit(main())
