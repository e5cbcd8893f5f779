"""e2e: shared pads over the y-websocket protocol (pycrdt-websocket on the server, pycrdt
clients): two clients of one player converge on the same text; the live socket's auth rule."""

from __future__ import annotations

import asyncio

import pytest
from pycrdt import Channel, Doc, Provider, Text
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from arena.api.auth import mint_token
from helpers import make_running_battle, unique


class Socket(Channel):
    """A websockets client connection as a pycrdt channel."""

    def __init__(self, ws, path: str) -> None:
        self.ws, self._path = ws, path

    @property
    def path(self) -> str:
        return self._path

    async def __anext__(self) -> bytes:
        try:
            return await self.recv()
        except ConnectionClosed:
            raise StopAsyncIteration() from None

    async def send(self, message: bytes) -> None:
        await self.ws.send(message)

    async def recv(self) -> bytes:
        return bytes(await self.ws.recv())


def pad_url(api, battle, user: str | None, pad: str = "notes", role: str = "player") -> str:
    base = str(api.http.base_url.copy_with(scheme="ws")).rstrip("/")
    token = f"?token={mint_token(api.settings, user, role)}" if user else ""
    return f"{base}/api/v2/battles/{battle.id}/pads/{pad}{token}"


async def until(condition, timeout: float = 15) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def test_two_pad_clients_of_a_player_converge_on_the_same_text(api) -> None:
    ada = unique("ada")
    battle = await asyncio.to_thread(make_running_battle, api, (ada,))
    one, two = Doc(), Doc()
    one["text"] = first = Text()
    two["text"] = second = Text()
    async with connect(pad_url(api, battle, ada)) as a, connect(pad_url(api, battle, ada)) as b:
        providers = Provider(one, Socket(a, "notes")), Provider(two, Socket(b, "notes"))
        async with providers[0], providers[1]:
            await asyncio.wait_for(asyncio.gather(*(p.synced.wait() for p in providers)), 15)
            await edit_and_converge(first, second)
    assert str(first) == ">> hello world"


async def edit_and_converge(first: Text, second: Text) -> None:
    first += "hello "
    await until(lambda: str(second) == "hello ")
    second += "world"
    first.insert(0, ">> ")
    await until(lambda: str(first) == str(second) and "world" in str(first) and ">>" in str(second))


@pytest.mark.parametrize("who, code", [(None, 4401), ("stranger", 4403)])
async def test_a_pad_refuses_who_the_live_socket_refuses(api, who: str | None, code: int) -> None:
    battle = await asyncio.to_thread(make_running_battle, api)
    async with connect(pad_url(api, battle, who and unique(who))) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd.code == code
