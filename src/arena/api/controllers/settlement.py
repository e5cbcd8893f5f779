"""The auditors' view of settlements: a battle's settlement, the ledger, the season leaderboard
and ratings. Reads only, one call each.

Who sees what (docs/api.md, "Auditors"):
- a settlement: auditors and admins all of it; a player who played in the battle its header,
  their own row and their own missing submissions (403 for a player who did not play);
- the ledger: auditors and admins any rows; a player only their own (403 for another's);
- the leaderboard and ratings: any authenticated user (they are public standings).
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, get
from litestar.exceptions import PermissionDeniedException
from litestar.params import Parameter, QueryParameter

from arena.api.auth import User
from arena.api.cursor import MAX_CURSOR_CHARS, decode_cursor, encode_cursor
from arena.api.error_responses import errors
from arena.api.settlement_views import (
    LeaderboardPage, LeaderboardRow, LedgerPage, LedgerRow, RatingView, SettlementView, settlement_view)
from arena.bootstrap import Arena
from arena.domain.errors import NotFound
from arena.domain.settlement import season_of
from arena.projections.ledger import read_ledger, read_leaderboard
from arena.projections.ratings import read_rating

SEASON = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"  # as domain.settings.Season
UserId = Annotated[str, Parameter(min_length=1, max_length=200, description="a user id")]
LedgerLimit = Annotated[int, Parameter(ge=1, le=1000, description="at most this many rows")]
BoardLimit = Annotated[int, Parameter(ge=1, le=1000, description="at most this many players")]
# Bounded here so that a number PostgreSQL cannot take (offset 2**63) is a 400, not a 500.
BoardOffset = Annotated[int, Parameter(ge=0, le=2**63 - 1, description="skip this many players")]


def sees_everything(user: User) -> bool:
    return user.is_admin or user.is_auditor


class SettlementController(Controller):
    path = "/battles"
    tags = ["settlement"]

    @get("/{battle_id:uuid}/settlement", sync_to_thread=True, responses=errors(403))
    def show(self, battle_id: UUID, request: Request, arena: Arena) -> SettlementView:
        """The battle's settlement from its aggregate: status, revision, result hash and standings.
        404 when the battle has none (not ended, cancelled, unknown). Auditors and admins see every
        row; a player who played in the battle sees the header and their own row; others get 403."""
        try:
            settlement = arena.app.get_settlement(battle_id)
        except NotFound:  # the application's message names the settlement's id, not the battle's
            raise NotFound(f"battle {battle_id} has no settlement (not ended, cancelled, or unknown)") from None
        if sees_everything(request.user):
            return settlement_view(settlement)
        try:
            player = arena.app.get_room_player(battle_id, request.user.id)
        except NotFound:
            raise PermissionDeniedException("only the battle's players, auditors and admins may read its "
                                            "settlement") from None
        return settlement_view(settlement, own=request.user.id, own_submissions={str(s) for s in player.submissions})


class LedgerController(Controller):
    path = "/ledger"
    tags = ["settlement"]

    @get("/", sync_to_thread=True, responses=errors(403))
    def index(self, request: Request, arena: Arena,
              user_filter: Annotated[str | None, QueryParameter(name="user", min_length=1, max_length=200,
                                                                description="only this user's rows")] = None,
              battle: Annotated[UUID | None, Parameter(description="only this battle's rows")] = None,
              season: Annotated[str | None, Parameter(pattern=SEASON, description="only this season's rows")] = None,
              cursor: Annotated[str | None, Parameter(max_length=MAX_CURSOR_CHARS,
                                                      description="next_cursor of the previous page")] = None,
              limit: LedgerLimit = 100) -> LedgerPage:
        """Ledger rows in a stable order (battle, revision, user), a page at a time. Auditors and
        admins read any rows; a player reads only their own (without `user`, theirs; another
        user's: 403). Revision 1's rows are the standings, later ones the differences."""
        if not sees_everything(request.user):
            if user_filter not in (None, request.user.id):
                raise PermissionDeniedException("a player may read only their own ledger rows")
            user_filter = request.user.id
        after = decode_cursor(cursor) if cursor is not None else None
        # One row more than asked: whether it exists says whether there is a next page.
        rows = read_ledger(arena.engine, user=user_filter, battle=str(battle) if battle else None,
                           season=season, after=after, limit=limit + 1)
        page = [LedgerRow(**row) for row in rows[:limit]]
        last = page[-1] if len(rows) > limit else None
        return LedgerPage(rows=page, next_cursor=encode_cursor((str(last.battle_id), last.revision, last.user_id))
                          if last else None)


@get("/leaderboard", tags=["settlement"], sync_to_thread=True)
def leaderboard(arena: Arena, season: Annotated[str | None, Parameter(
                    pattern=SEASON, description="default: the current calendar quarter, e.g. 2026-Q4")] = None,
                offset: BoardOffset = 0, limit: BoardLimit = 100) -> LeaderboardPage:
    """A season's players by points (ties share a rank, then by user id), a page at a time."""
    season = season or season_of(arena.app.clock())
    rows = read_leaderboard(arena.engine, season, offset=offset, limit=limit)
    return LeaderboardPage(season=season, offset=offset, limit=limit, rows=[LeaderboardRow(**row) for row in rows])


@get("/users/{user_id:str}/rating", tags=["settlement"], sync_to_thread=True)
def rating(user_id: UserId, arena: Arena) -> RatingView:
    """A user's current rating (displayed rating, mu, sigma, contests) and its history, newest
    first; 404 when the user has never been rated."""
    found = read_rating(arena.engine, user_id)
    if found is None:
        raise NotFound(f"user {user_id} has no rating yet")
    return RatingView(**found)
