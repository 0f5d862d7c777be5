"""`LoopbackHttp`: a tornado application served on 127.0.0.1 at a port the system picks.

The demo's Bot API (`bot.terminal.botapi`) and the tests' fakes of Telegram and the exchanges serve
this way: nothing listens beyond the machine, and two of them never ask for the same port.
"""

from __future__ import annotations

import tornado.httpserver
import tornado.netutil
import tornado.web

__all__ = ["LoopbackHttp"]


class LoopbackHttp:
    """Serves ``app`` on loopback from `start` until `stop`; ``port`` is 0 before the start."""

    def __init__(self, app: tornado.web.Application) -> None:
        self._app = app
        self._server: tornado.httpserver.HTTPServer | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Bind a free loopback port and serve on it (call from the running event loop)."""
        self._server = tornado.httpserver.HTTPServer(self._app)
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._server.add_sockets(sockets)

    async def stop(self) -> None:
        """Stop listening and close the connections still open; idempotent."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()
            await server.close_all_connections()
