"""The one place limits are applied: an ASGI middleware inside authentication, so it knows the
user (limits follow the user id, whatever token it holds) or, on routes that need no token, the
client's address. Reads are free but for those that fold every event of a battle (a scoreboard
`?at=`, results.csv), which count against their own per-user rate. A refused request gets 429,
Retry-After and a problem-details body, before any handler or Idempotency-Key claim runs.

A submission's in-flight reservation is made before the handler runs, under a random member (the
submission has no id yet). When the API accepts it (202), the reservation is claimed under the
submission id from the answer's body, the id its verdict will release (arena.limits.rules). A
refused or failed submission, or an Idempotency-Key replay (no new submission reached the judge),
releases it at once."""

from __future__ import annotations

import json
import math
import re
import uuid
from urllib.parse import parse_qs

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from arena.limits.rules import Decision, InFlight, Limiter, Quota, Rate, in_flight_key, ip_key, user_key
from arena.api.problem_details import PROBLEM_JSON, problem
from arena.settings import ArenaSettings

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
SUBMISSION = re.compile(r"^/api/v2/battles/[^/]+/submissions/?$")
RESULTS = re.compile(r"^/api/v2/battles/[^/]+/results\.csv$")
SCOREBOARD = re.compile(r"^/api/v2/battles/[^/]+/scoreboard/?$")
REPLAYED = b"idempotent-replayed"  # arena.api.idempotency's header on a stored answer
MAX_BODY = 4096  # a submission's 202 is {"id": ..., "status": "queued"}
IN_FLIGHT_RETRY_S = 5  # a verdict may free a slot any moment; the reservation's expiry is a bound
DETAILS = {
    "mutations": "too many changes from this user",
    "submissions": "too many submissions from this user",
    "anonymous": "too many requests from this address",
    "replays": "too many reads recomputed from the event store from this user",
    "in_flight": "too many submissions waiting for their verdict",
}


def rate_limit_middleware(limiter: Limiter, settings: ArenaSettings):
    mutations = Rate.parse(settings.rate_mutations)
    submissions = Rate.parse(settings.rate_submissions)
    anonymous = Rate.parse(settings.rate_anonymous)
    replays = Rate.parse(settings.rate_replays)

    def quotas_for(scope: Scope) -> tuple[list[Quota], InFlight | None]:
        user = scope.get("user")
        if user is None:
            client = scope.get("client") or ("unknown", 0)
            return [Quota(ip_key(client[0]), anonymous, "anonymous")] if anonymous.count else [], None
        if scope["method"] not in MUTATING:
            if replays.count and _recomputed_from_events(scope):
                return [Quota(user_key(user.id, "replays"), replays, "replays")], None
            return [], None
        quotas = [Quota(user_key(user.id, "mutations"), mutations, "mutations")] if mutations.count else []
        if scope["method"] != "POST" or not SUBMISSION.match(scope["path"]):
            return quotas, None
        if submissions.count:
            quotas.append(Quota(user_key(user.id, "submissions"), submissions, "submissions"))
        held = InFlight(in_flight_key(user.id), settings.max_submissions_in_flight,
                        settings.submission_in_flight_s, uuid.uuid4().hex)
        return quotas, held if held.cap else None

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            quotas, held = quotas_for(scope)
            if not quotas and held is None:
                await app(scope, receive, send)
                return
            decision = await limiter.check(quotas, held)
            if not decision.allowed:
                await _refuse(send, decision, scope["path"])
                return
            if held is None:
                await app(scope, receive, send)
                return
            async def settle(submission_id: str | None) -> None:
                if submission_id is None:  # refused, failed or replayed: nothing new to judge
                    await limiter.release(held.key, held.member)
                else:
                    await limiter.claim(held.key, held.member, submission_id)

            answer = _Answer(send, settle)
            try:
                await app(scope, receive, answer.send)
            finally:
                await answer.settle_once()  # the handler failed before its answer's last part

        return middleware

    return factory


def _recomputed_from_events(scope: Scope) -> bool:
    """A read that folds every event of a battle instead of reading a read model."""
    path = scope["path"]
    if RESULTS.match(path):
        return True
    return bool(SCOREBOARD.match(path)) and "at" in parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)


class _Answer:
    """Passes a submission's answer through, noting what the limiter needs from it: the status,
    whether it is an Idempotency-Key replay, and (for a 2xx) the body, which names the submission."""

    def __init__(self, send: Send, settle) -> None:
        self._send, self._settle = send, settle
        self.status = 500  # no answer started: the handler failed
        self.replayed = False
        self.body = bytearray()
        self._settled = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.replayed = any(name.lower() == REPLAYED for name, _ in message.get("headers", ()))
        elif message["type"] == "http.response.body" and 200 <= self.status < 300 and len(self.body) < MAX_BODY:
            self.body += message.get("body", b"")
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            # Settled before the client has the whole answer: a client that submits again at
            # once must find a replay's or a refusal's slot free already.
            await self.settle_once()
        await self._send(message)

    async def settle_once(self) -> None:
        if not self._settled:
            self._settled = True
            await self._settle(self.accepted_submission())

    def accepted_submission(self) -> str | None:
        if not 200 <= self.status < 300 or self.replayed:
            return None
        try:
            submission_id = json.loads(self.body)["id"]
        except (ValueError, KeyError, TypeError):
            return None  # not the answer we know: the reservation is released, not leaked
        return submission_id if isinstance(submission_id, str) else None


async def _refuse(send: Send, decision: Decision, path: str) -> None:
    wait = decision.retry_after_s
    if decision.limit == "in_flight":
        wait = min(wait, IN_FLIGHT_RETRY_S)
    retry_after = max(1, math.ceil(wait))
    body = json.dumps(problem(429, DETAILS.get(decision.limit, "too many requests"), path,
                              limit=decision.limit, retry_after_s=retry_after)).encode()
    await send({"type": "http.response.start", "status": 429, "headers": [
        (b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(retry_after).encode())]})
    await send({"type": "http.response.body", "body": body})
