"""Where queued jobs go: RQ on Redis when REDIS_URL is set, else a thread in this process."""

from __future__ import annotations

import logging
import threading

from flask import Flask

from jobs.runner import next_queued_job_id, run_job

log = logging.getLogger(__name__)

RQ_JOB_FUNCTION = "jobs.runner.run_job"
JOB_TIMEOUT_SECONDS = 3600


class RQBackend:
    """Hands job ids to RQ; `flask --app app jobs worker` runs them on any machine."""

    def __init__(self, redis_url: str, queue_name: str) -> None:
        self.redis_url, self.queue_name = redis_url, queue_name

    def queue(self):
        from redis import Redis
        from rq import Queue

        return Queue(self.queue_name, connection=Redis.from_url(self.redis_url))

    def dispatch(self, job_ids: list[str]) -> None:
        queue = self.queue()
        for job_id in job_ids:
            queue.enqueue(RQ_JOB_FUNCTION, job_id, job_id=job_id, job_timeout=JOB_TIMEOUT_SECONDS)

    def work(self, burst: bool = False) -> None:
        from rq import SimpleWorker

        # SimpleWorker runs jobs in this process, inside the app context the CLI pushed;
        # a forking worker would share database connections with its children.
        queue = self.queue()
        SimpleWorker([queue], connection=queue.connection).work(burst=burst)


class ThreadBackend:
    """Runs queued jobs one at a time in a daemon thread, so `make run` needs no Redis.

    The thread takes work from the database, not from memory: jobs left queued by a
    restart are picked up, and several processes never run the same job twice.
    """

    POLL_SECONDS = 2.0

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def dispatch(self, job_ids: list[str]) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(
                    target=self.work, name="naoberpanel-jobs", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def work(self, burst: bool = False) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            if self.run_next():
                continue
            if burst:
                return
            self._wake.wait(self.POLL_SECONDS)

    def run_next(self) -> bool:
        try:
            with self.app.app_context():
                job_id = next_queued_job_id()
                if job_id is None:
                    return False
                run_job(job_id)
                return True
        except Exception:
            log.exception("In-process job worker hit an error; retrying shortly")
            self._stop.wait(self.POLL_SECONDS)
            return False

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
