"""What the API shows of aggregates and read models: plain JSON-able dicts."""

from __future__ import annotations

from typing import Any

from arena.domain.battle import Battle
from arena.domain.room_player import RoomPlayer
from arena.problems.model import Problem
from arena.problems.store import ProblemInfo
from arena.problems.verifications import VerificationRecord


def battle_view(battle: Battle) -> dict[str, Any]:
    return {
        "id": str(battle.id),
        "status": battle.status.value,
        "admin_id": battle.admin_id,
        **battle.settings.model_dump(mode="json"),
        "problems": [{"slug": slug, **problem} for slug, problem in battle.problems.items()],
        "players": len(battle.players),
        "config_hash": battle.config_hash,
        "created_at": battle.created_at,
        "started_at": battle.started_at,
        "ends_at": battle.ends_at,
        "extended_s": battle.extended_s,
        "ended_at": battle.ended_at,
        "version": battle.version,
    }


def room_player_view(player: RoomPlayer) -> dict[str, Any]:
    return {
        "room_player_id": str(player.id),
        "battle_id": str(player.battle_id),
        "user_id": player.user_id,
        "state": player.state.value,
        "joined_at": player.joined_at,
        "last_seen": player.last_seen,
        "score": player.score,
        "submissions": len(player.submissions),
    }


def problem_info_view(info: ProblemInfo) -> dict[str, Any]:
    return {"slug": info.slug, "sha256": info.sha256, "title": info.title, "points": info.points,
            "size": info.size, "uploaded_at": info.uploaded_at}


def verification_view(record: VerificationRecord) -> dict[str, Any]:
    fields = ("status", "slug", "problem_sha256", "verified_sha256", "time_limit_ms", "force", "attempts",
              "requested_at", "finished_at", "report")
    return {name: getattr(record, name) for name in fields} | {
        "href": f"/api/v2/problems/{record.slug}/verification"}


def problem_view(info: ProblemInfo, problem: Problem, with_hidden_tests: bool) -> dict[str, Any]:
    view = {
        **problem_info_view(info),
        "time_limit_ms": problem.time_limit_ms,
        "memory_mb": problem.memory_mb,
        "statement": problem.statement,
        "samples": [case.model_dump() for case in problem.samples],
        "hidden_tests": len(problem.tests),
    }
    if with_hidden_tests:
        view["tests"] = [case.model_dump() for case in problem.tests]
    return view
