"""A daemon thread in the web process that keeps doing one kind of background work.

Jobs and mail both use it so that `make run` needs no Redis and no second process.
Work is always taken from the database, so a restart loses nothing and several
processes can run side by side.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

from flask import Flask

log = logging.getLogger(__name__)


class PollingThread:
    """Calls `step()` in an app context until it reports no work, then waits for a wake-up."""

    def __init__(self, app: Flask, name: str, step: Callable[[], bool], poll_seconds: float):
        self.app, self.name, self.step, self.poll_seconds = app, name, step, poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def ensure_running(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self.work, name=self.name, daemon=True)
                self._thread.start()

    def wake(self, start: bool = True) -> None:
        """Have the thread look for work now; with `start`, start it if it is not running."""
        if start:
            self.ensure_running()
        self._wake.set()

    def work(self, burst: bool = False) -> None:
        """Run in the foreground; with `burst`, return once there is no work left."""
        while not self._stop.is_set():
            self._wake.clear()
            if self._step_in_context():
                continue
            if burst:
                return
            self._wake.wait(self.poll_seconds)

    def work_until_signalled(self) -> None:
        """As a command: on SIGTERM or SIGINT, finish the step in hand, then return."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._stop_soon)
        self.work()

    def _stop_soon(self, signum: int, frame: object) -> None:
        self._stop.set()
        self._wake.set()

    def _step_in_context(self) -> bool:
        try:
            with self.app.app_context():
                return self.step()
        except Exception:
            log.exception("Background worker %s hit an error; retrying shortly", self.name)
            self._stop.wait(self.poll_seconds)
            return False

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
