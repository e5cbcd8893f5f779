"""Property-based: no request the OpenAPI document allows, or nearly allows, makes the API answer
5xx, and every answer conforms to the document (status, media type, headers, body schema). Schemathesis generates requests for every operation (its examples, coverage and fuzzing
phases, valid and invalid input alike) and sends each one as an admin and as a player to a real
server on its own PostgreSQL database (what it creates and deletes harms no other test).

Bounded: MAX_EXAMPLES per operation keeps the whole run within a couple of minutes on 2 cores;
the examples are derandomized, so a failure found once is found again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_headers_conformance,
                                 response_schema_conformance, status_code_conformance)

# Issue 13, item 4: the document tells the truth: every answer's status, media type, headers and
# body are what it declares, besides never being a 5xx.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]

from arena.api.app import create_app
from arena.api.auth import mint_token
from arena.limits.memory import InProcessLimiter
from arena.settings import ArenaSettings
from helpers import make_draft_battle, make_ended_battle, make_lobby_battle, make_running_battle, private_api

MAX_EXAMPLES = 50
# Real ids for path parameters, filled once the server runs: a random uuid only ever meets the 404.
REAL: dict[str, list[str]] = {"battle_id": [], "slug": []}


@pytest.fixture(scope="module")
def fuzzed_api(api, postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    with private_api(api, postgres_url, Path(tmp_path_factory.mktemp("fuzzed"))) as own:
        battles = [make(own, admin="fuzz-admin") for make in
                   (make_draft_battle, make_lobby_battle, make_running_battle, make_ended_battle)]
        REAL["battle_id"] = [battle.id for battle in battles]
        REAL["slug"] = [slug for battle in battles for slug in battle.problems]
        yield own


def openapi_document() -> dict:
    """The document /schema/openapi.json serves, built from the app without a database:
    schemathesis' from_fixture fails on pytest 9.2 (request.node._nodeid is gone), and a module-
    level from_url would need a server at collection time. test_the_fuzzed_document_is_the_served_one
    checks that the two agree."""
    stub = SimpleNamespace(settings=ArenaSettings(), engine=None, limiter=InProcessLimiter())  # create_app only keeps them
    return json.loads(json.dumps(create_app(stub).openapi_schema.to_schema()))  # type: ignore[arg-type]


schema = schemathesis.openapi.from_dict(openapi_document())
schema.config.generation.update(max_examples=MAX_EXAMPLES, modes=["positive", "negative"],
                                deterministic=True, database="none")
schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])


@schema.hook
def flatmap_path_parameters(context, path_parameters: dict | None) -> st.SearchStrategy:
    """Half the cases name a real battle (draft, lobby, running, ended) or problem instead."""
    real = {name: st.sampled_from(REAL[name]) for name in path_parameters or {} if REAL.get(name)}
    if not real:
        return st.just(path_parameters)
    as_generated = {name: st.just(value) for name, value in path_parameters.items()}
    return st.one_of(st.just(path_parameters), st.fixed_dictionaries({**as_generated, **real}))


def test_the_fuzzed_document_is_the_served_one(fuzzed_api) -> None:
    served = fuzzed_api.http.get("/schema/openapi.json").json()

    assert served == openapi_document()


@schema.parametrize()
def test_no_request_makes_the_api_answer_5xx(case, fuzzed_api) -> None:
    for role in ("admin", "player"):
        token = mint_token(fuzzed_api.settings, f"fuzz-{role}", role)
        case.call_and_validate(base_url=str(fuzzed_api.http.base_url), checks=CHECKS,
                               headers={"Authorization": f"Bearer {token}"}, timeout=30)
