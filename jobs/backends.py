"""Where queued jobs go: RQ on Redis when REDIS_URL is set, else a thread in the web process."""

from __future__ import annotations

import logging
import threading

from flask import Flask, has_request_context

from jobs.runner import next_queued_job_id, run_job

log = logging.getLogger(__name__)

RQ_JOB_FUNCTION = "jobs.runner.run_job"
JOB_TIMEOUT_SECONDS = 3600
REDIS_TIMEOUT_SECONDS = 2


class RQBackend:
    """Hands job ids to RQ; `flask --app app jobs worker` runs them on any machine."""

    def __init__(self, redis_url: str, queue_name: str) -> None:
        from redis import Redis
        from rq import Queue

        # Short timeouts: an unreachable Redis must not hold up the request that queued a job.
        connection = Redis.from_url(
            redis_url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self.queue = Queue(queue_name, connection=connection)

    def dispatch(self, job_ids: list[str]) -> None:
        for job_id in job_ids:
            self.queue.enqueue(
                RQ_JOB_FUNCTION, job_id, job_id=job_id, job_timeout=JOB_TIMEOUT_SECONDS
            )

    def work(self, burst: bool = False) -> None:
        from rq import SimpleWorker

        # SimpleWorker runs jobs in this process, inside the app context the CLI pushed;
        # a forking worker would share database connections with its children.
        SimpleWorker([self.queue], connection=self.queue.connection).work(burst=burst)


class ThreadBackend:
    """Runs queued jobs one at a time in a daemon thread of the web process, so `make run`
    needs no Redis.

    The thread takes work from the database, not from memory: jobs left queued by a
    restart or by a command are picked up, and several processes never run the same job
    twice. It starts with the first request a process serves; with JOBS_WEB_WORKER off,
    only `flask --app app jobs worker` runs jobs.
    """

    POLL_SECONDS = 2.0

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.in_web_process = app.config["JOBS_WEB_WORKER"]
        if self.in_web_process:
            app.before_request(self.ensure_running)

    def ensure_running(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(
                    target=self.work, name="naoberpanel-jobs", daemon=True
                )
                self._thread.start()

    def dispatch(self, job_ids: list[str]) -> None:
        # A command's daemon thread would die with the command, perhaps mid-job: outside
        # a request, jobs wait in the database for the web process or `jobs worker`.
        if self.in_web_process and has_request_context():
            self.ensure_running()
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
