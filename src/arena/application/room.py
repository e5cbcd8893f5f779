"""Room verbs: join, disconnect, reconnect, mark LEFT; and reading a battle's room players."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from arena.application.keys import that_room_player, the_battle, the_room_player
from arena.application.machinery import CommandMachinery, retry_on_conflict
from arena.domain.battle import Battle
from arena.domain.room_player import PlayerState, RoomPlayer, room_player_id


class RoomVerbs(CommandMachinery):
    @retry_on_conflict(locking=the_battle)  # every join changes the battle (its players)
    def join(self, battle_id: UUID, user_id: str) -> UUID:
        """Admits the user and creates their room player in one atomic save; a repeat is a no-op."""
        battle = self._get(battle_id, Battle, "battle")
        if battle.has_player(user_id):  # whatever the battle's state: joining again is a no-op
            return room_player_id(battle_id, user_id)
        battle.admit(user_id)
        player = RoomPlayer(battle_id=battle_id, user_id=user_id, at=self.clock())
        self.save(battle, player, answer=player.id)
        return player.id

    def get_room_player(self, battle_id: UUID, user_id: str) -> RoomPlayer:
        return self._get(room_player_id(battle_id, user_id), RoomPlayer, "player in this battle")

    def room(self, battle_id: UUID) -> list[RoomPlayer]:
        battle = self._get(battle_id, Battle, "battle")
        return [self.get_room_player(battle_id, user_id) for user_id in battle.players]

    @retry_on_conflict(locking=the_room_player)
    def disconnect(self, battle_id: UUID, user_id: str) -> None:
        """Idempotent: disconnecting a player who is not PRESENT changes nothing."""
        player = self.get_room_player(battle_id, user_id)
        if player.state is PlayerState.PRESENT:
            player.disconnect(at=self.clock())
            self.save(player)

    @retry_on_conflict(locking=the_room_player)
    def reconnect(self, battle_id: UUID, user_id: str) -> None:
        """Idempotent: reconnecting a PRESENT player changes nothing; COMPLETED is final."""
        player = self.get_room_player(battle_id, user_id)
        if player.state in (PlayerState.DISCONNECTED, PlayerState.LEFT):
            player.reconnect(at=self.clock())
            self.save(player)

    @retry_on_conflict(locking=that_room_player)
    def mark_left(self, player_id: UUID, disconnected_at: datetime) -> bool:
        """Timer command: LEFT only if still away since that very disconnect; else a no-op."""
        player = self._get(player_id, RoomPlayer, "room player")
        if not player.is_away_since(disconnected_at):
            return False
        player.leave(at=self.clock())
        self.save(player)
        return True
