"""`LoopbackHttp`: serves on a free loopback port until stopped."""

from __future__ import annotations

import httpx
import pytest
import tornado.web

from bot.terminal.loopback import LoopbackHttp


class _Hello(tornado.web.RequestHandler):
    def get(self) -> None:
        self.write("hello")


async def test_serves_on_loopback_until_stopped() -> None:
    """Two servers get different ports on 127.0.0.1; a stopped one refuses, and stops twice fine."""
    first = LoopbackHttp(tornado.web.Application([(r"/", _Hello)]))
    second = LoopbackHttp(tornado.web.Application([(r"/", _Hello)]))
    assert first.port == 0
    first.start()
    second.start()
    assert first.port != second.port
    assert first.url == f"http://127.0.0.1:{first.port}"
    async with httpx.AsyncClient() as client:
        assert (await client.get(first.url + "/")).text == "hello"
        await first.stop()
        await first.stop()
        with pytest.raises(httpx.ConnectError):
            await client.get(first.url + "/")
        assert (await client.get(second.url + "/")).text == "hello"
    await second.stop()
