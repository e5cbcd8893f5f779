"""The live socket, the spectators' stream and the per-instance bus queue as an AsyncAPI 3.0
document, generated from the message models (so it cannot drift from them):
    python -m arena.live.asyncapi > docs/asyncapi.json
(tests/unit/live checks the file is current)."""

from __future__ import annotations

import json
import sys
from typing import Any

from arena import __version__
from arena.bus.envelope import EventEnvelope
from arena.handlers.routing import live_keys
from arena.live.messages import Auth, BattleState, Presence, Scoreboard, Verdict

SERVER_MESSAGES = {"verdict": Verdict, "scoreboard": Scoreboard, "battle": BattleState, "presence": Presence}


def document() -> dict[str, Any]:
    messages = {name: {"name": name, "payload": model.model_json_schema(mode="serialization")}
                for name, model in SERVER_MESSAGES.items()}
    messages["auth"] = {"name": "auth", "payload": Auth.model_json_schema()}
    messages["event"] = {"name": "event", "payload": EventEnvelope.model_json_schema(mode="serialization")}
    ref = lambda name: {"$ref": f"#/components/messages/{name}"}  # noqa: E731
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "arena live", "version": __version__,
                 "description": "docs/api.md, 'Live', and docs/adr/0024-live-battles.md"},
        "channels": {
            "live": {"address": "/api/v2/battles/{battle_id}/live", "parameters": {"battle_id": {}},
                     "description": "WebSocket. First message: auth, within 5 s (else close 4401); 4403 not a "
                                    "player or admin of the battle; 4404 no such battle; 4429 too slow; 1012 "
                                    "restarting. Positions strictly increase per socket; `after` resumes.",
                     "messages": {name: ref(name) for name in (*SERVER_MESSAGES, "auth")}},
            "stream": {"address": "/api/v2/battles/{battle_id}/stream", "parameters": {"battle_id": {}},
                       "description": "Server-Sent Events, no token: scoreboard, battle, presence; id = position; "
                                      "Last-Event-ID resumes.",
                       "messages": {name: ref(name) for name in ("scoreboard", "battle", "presence")}},
            "instance-queue": {"address": "arena.live.<host>.<pid>.<random>",
                               "description": "each API instance's exclusive, auto-delete queue on the arena.events "
                                              "topic exchange, bound to: " + ", ".join(live_keys()),
                               "messages": {"event": ref("event")}},
        },
        "operations": {
            "sendLive": {"action": "send", "channel": {"$ref": "#/channels/live"},
                         "messages": [{"$ref": f"#/channels/live/messages/{name}"} for name in SERVER_MESSAGES]},
            "authenticate": {"action": "receive", "channel": {"$ref": "#/channels/live"},
                             "messages": [{"$ref": "#/channels/live/messages/auth"}]},
            "sendStream": {"action": "send", "channel": {"$ref": "#/channels/stream"},
                           "messages": [{"$ref": f"#/channels/stream/messages/{name}"}
                                        for name in ("scoreboard", "battle", "presence")]},
            "feedInstance": {"action": "receive", "channel": {"$ref": "#/channels/instance-queue"},
                             "messages": [{"$ref": "#/channels/instance-queue/messages/event"}]},
        },
        "components": {"messages": messages},
    }


def render() -> str:
    return json.dumps(document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
