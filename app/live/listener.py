"""The process's one `LISTEN dashboard_changes` connection: a raw asyncpg connection (a pooled
one would be handed to requests), kept open for the process's life. When it drops (server
restart, `pg_terminate_backend`, a network cut the health check notices) it is opened again
with exponential backoff, and once listening again `on_listening` runs, which resyncs the
subscribers: notices sent while nobody listened are gone."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress

import asyncpg

from app.background import BackgroundTask
from app.data.roles import plain_url
from app.domain.change_notices import CHANNEL

log = logging.getLogger(__name__)


class ChangeListener:
    def __init__(
        self,
        database_url: str,
        *,
        on_payload: Callable[[str], None],
        on_listening: Callable[[], None],
        connect_timeout: float,
        backoff_initial: float,
        backoff_max: float,
        health_check_seconds: float,
    ) -> None:
        self._url = plain_url(database_url)
        self._on_payload = on_payload
        self._on_listening = on_listening
        self._connect_timeout = connect_timeout
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._health_check_seconds = health_check_seconds
        self._task = BackgroundTask("live-listener")
        self.listening = asyncio.Event()
        self.backend_pid: int | None = None  # of the LISTEN connection, while listening
        self.connects = 0

    def start(self) -> None:
        self._task.start(self._run())

    async def stop(self) -> None:
        await self._task.stop()

    async def _run(self) -> None:
        delay = self._backoff_initial
        while True:
            try:
                await self._listen_until_lost()
                delay = self._backoff_initial  # it was listening: start the backoff afresh
            except asyncio.CancelledError:
                raise
            except Exception as error:  # any failure means: try again later
                log.warning(
                    "live updates: the LISTEN connection failed (%s); retrying in %.1f s",
                    type(error).__name__,
                    delay,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._backoff_max)

    async def _listen_until_lost(self) -> None:
        conn = await asyncpg.connect(self._url, timeout=self._connect_timeout)
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _conn: lost.set())
        try:
            await conn.add_listener(CHANNEL, self._notified)
            self.backend_pid = conn.get_server_pid()
            self.connects += 1
            self.listening.set()
            if self.connects > 1:
                log.info("live updates: listening on %s again", CHANNEL)
            self._on_listening()
            while not lost.is_set():
                with suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), self._health_check_seconds)
                    break
                # Quiet for a while: make sure the server is still there.
                await conn.fetchval("SELECT 1", timeout=self._connect_timeout)
            log.warning("live updates: the LISTEN connection was closed")
        finally:
            self.listening.clear()
            self.backend_pid = None
            conn.terminate()

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        self._on_payload(payload)
