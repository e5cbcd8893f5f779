"""create_app(arena): the Litestar app under /api/v2. No app exists at import time."""

from __future__ import annotations

from datetime import timedelta

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin

from arena import __version__
from arena.api.auth import auditors_read_only, jwt_auth
from arena.api.controllers.battle_results import results
from arena.api.controllers.battle_submissions import BattleSubmissionController
from arena.api.controllers.battles import BattleController
from arena.api.controllers.health import health, ready
from arena.api.docs_ui import asyncapi, asyncapi_live, openapi_config, ui_assets
from arena.api.controllers.languages import detect_languages, list_languages
from arena.api.controllers.me import me
from arena.api.controllers.problems import ProblemController
from arena.api.controllers.read_models import BattleReadModelController
from arena.api.controllers.rejudge import RejudgeController
from arena.api.controllers.settlement import LedgerController, SettlementController, leaderboard, rating
from arena.api.controllers.submissions import SubmissionController
from arena.api.deadline import dependency_guard_middleware_factory
from arena.api.dependency_guard import DependencyGuard
from arena.api.idempotency import IdempotencyStore, idempotency_middleware_factory
from arena.api.limits import rate_limit_middleware
from arena.api.live_wiring import live_side
from arena.api.openapi_truth import complete
from arena.api.metrics import http_metrics_middleware, metrics
from arena.api.problem_details import EXCEPTION_HANDLERS
from arena.api.readiness import Readiness
from arena.api.request_body import ArenaRequest, request_body_middleware_factory
from arena.api.request_context import identity_middleware, request_context_middleware
from arena.api.threads import widen_default_executor
from arena.bootstrap import Arena
from arena.metrics import watch_dependencies


def create_app(arena: Arena) -> Litestar:
    settings = arena.settings
    idempotency = idempotency_middleware_factory(
        IdempotencyStore(arena.engine, timedelta(seconds=settings.idempotency_lease_s)),
        max(settings.max_body_bytes, settings.max_problem_bytes))
    # The API's circuit breakers (docs/adr/0019): app.state.dependency_guard, arena_dependency_up.
    guard = DependencyGuard(failures=settings.breaker_failures, cool_down_s=settings.breaker_cool_down_s)
    watch_dependencies(lambda: {name: state == "closed" for name, state in guard.states().items()})
    readiness = Readiness(arena, guard)
    api = Router(
        path="/api/v2",
        route_handlers=[BattleController, BattleReadModelController, ProblemController,
                        SubmissionController, list_languages,
                        SettlementController, LedgerController, leaderboard, rating,
                        BattleSubmissionController, me, results,
                        RejudgeController],
        # Inside the auth middleware, so the key is scoped to the authenticated user; the body's
        # size and type are checked first, before the idempotency middleware reads it. The breaker
        # and the deadline before the claim, which is the first thing that needs the database.
        middleware=[request_body_middleware_factory(settings.max_problem_bytes), identity_middleware,
                    dependency_guard_middleware_factory(guard, settings.request_deadline_s), idempotency],
        guards=[auditors_read_only],
    )
    auth = jwt_auth(settings)
    live = live_side(arena, auth.verifier)  # docs/adr/0024: its own feed, outside the HTTP router
    app = Litestar(
        route_handlers=[api, health, ready, metrics, asyncapi, asyncapi_live, ui_assets(), *live.route_handlers],
        dependencies={"arena": Provide(lambda: arena, use_cache=True, sync_to_thread=False)},
        on_app_init=[auth.on_app_init],
        # Inside auth (which on_app_init puts first), outside the router's idempotency claim.
        # The process's one limiter (bootstrap): the embedded bus's verdict handler frees slots in it.
        middleware=[rate_limit_middleware(arena.limiter, settings)],
        on_startup=[widen_default_executor, detect_languages, *live.on_startup],
        on_shutdown=[arena.limiter.close, readiness.close, *live.on_shutdown],  # their asyncio sides live on this loop
        # One server span per request (its context is what events and messages carry); not one
        # more per ASGI message sent or received, which cost more than the server span itself.
        plugins=[OpenTelemetryPlugin(OpenTelemetryConfig(exclude=[r"^/health$", r"^/ready$", r"^/metrics$"],
                                                         exclude_spans=["receive", "send"]))],
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=settings.max_body_bytes,
        request_class=ArenaRequest,
        openapi_config=openapi_config(__version__),
        signature_namespace={"Arena": Arena},
        debug=False,
        # Litestar's default logging config would replace the root handler with plain text lines;
        # arena.logging's JSON handler stays (ADR 0020).
        logging_config=None,
        state=State({"dependency_guard": guard, "readiness": readiness}),
    )
    # Outside routing and auth, so that 401s and unknown paths get a request id and a log line too;
    # the edge checks (header sizes, control characters in the URL) in the same layer.
    app.asgi_handler = request_context_middleware(app.asgi_handler)
    # Outermost: every answer is counted, the edge's refusals included (api/metrics.py).
    app.asgi_handler = http_metrics_middleware(app.asgi_handler)
    complete(app.openapi_schema)  # what the layers around the routes answer, once (openapi_truth.py)
    app.state.live = live
    return app
