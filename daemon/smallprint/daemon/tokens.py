"""The daemon's view of the API token, kept in step with `smallprint token --rotate` while it runs.

The token store (keyring or file) is read off the event loop: a keyring backend may block (D-Bus, disk).
It is re-read every REFRESH_SECONDS so a rotated token takes effect without a restart (the old one stops
working), and at once when a request brings a token we do not know yet (at most every MIN_RELOAD_SECONDS).
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Callable

from .. import auth

log = logging.getLogger("smallprint.daemon")

REFRESH_SECONDS = 5.0
MIN_RELOAD_SECONDS = 1.0


class TokenHolder:
    def __init__(self, load: Callable[[], str] = auth.get_token, fixed: str | None = None):
        self._load = load
        self._token = fixed
        self._fixed = fixed is not None  # a token given to create_app (tests) is never re-read
        self._last_miss_reload = float("-inf")
        self._last_proof_reload = float("-inf")
        self._lock = asyncio.Lock()
        self.preload_task: asyncio.Future | None = None

    def prime(self, token: str) -> None:
        """Hold the token `serve` read before listening, so that no request waits for the store (re-read as usual)."""
        if not self._fixed:
            self._token = token

    async def load(self) -> None:
        if self._fixed:
            return
        async with self._lock:
            try:
                token = await asyncio.to_thread(self._load)
            except Exception as exc:  # keep the token we had; never lock everyone out on a store hiccup
                log.warning("could not read the API token from its store: %s", exc)
                if self._token is None:
                    raise
                return
            if self._token is not None and token != self._token:
                log.info("API token changed in its store; using the new one")
            self._token = token

    async def check(self, given: str | None) -> bool:
        if self._token is None:
            await self.load()
        if auth.tokens_match(given, self._token):
            return True
        # Maybe the token was just rotated and the client already has the new one. Rate-limited, so a client
        # hammering with wrong tokens cannot keep the store busy; a refresh done for other reasons does not count.
        now = time.monotonic()
        if given and not self._fixed and now - self._last_miss_reload >= MIN_RELOAD_SECONDS:
            self._last_miss_reload = now
            await self.load()
            return auth.tokens_match(given, self._token)
        return False

    async def token_for_proof(self) -> str | None:
        """The token to prove the daemon holds (proof.py), re-read at most every MIN_RELOAD_SECONDS, so a client
        that has just rotated it is not told, for the next few seconds, that this daemon is an impostor. None
        when the store cannot be read."""
        now = time.monotonic()
        if self._token is None or (not self._fixed and now - self._last_proof_reload >= MIN_RELOAD_SECONDS):
            self._last_proof_reload = now
            try:
                await self.load()
            except Exception:
                return self._token  # logged by load()
        return self._token

    def start_preload(self) -> None:
        """Read the store now, in the background, so the first authenticated request does not wait for it."""
        if not self._fixed and self._token is None and self.preload_task is None:
            self.preload_task = asyncio.ensure_future(self._load_quietly())

    async def _load_quietly(self) -> None:
        try:
            await self.load()
        except Exception:
            pass  # logged by load(); the next request or refresh tries again

    async def refresh_forever(self) -> None:
        if self._fixed:
            return
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            try:
                await self.load()
            except Exception:
                pass  # logged by load(); the next round or the next request tries again
