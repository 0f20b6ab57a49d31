"""Where queued jobs go: RQ on Redis when REDIS_URL is set, else a thread in the web process."""

from __future__ import annotations

import logging

from flask import Flask, has_request_context

from core.background import PollingThread
from jobs.runner import run_next

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
    """Runs queued jobs one at a time in a thread of each web process, so `make run` needs
    no Redis. The thread starts with the first request a process serves; with
    JOBS_WEB_WORKER off, only `flask --app app jobs worker` runs jobs.
    """

    POLL_SECONDS = 2.0

    def __init__(self, app: Flask) -> None:
        self.thread = PollingThread(app, "naoberpanel-jobs", run_next, self.POLL_SECONDS)
        self.in_web_process = app.config["JOBS_WEB_WORKER"]
        if self.in_web_process:
            app.before_request(self.thread.ensure_running)

    def dispatch(self, job_ids: list[str]) -> None:
        # A command's daemon thread would die with the command, perhaps mid-job: outside
        # a request, jobs wait in the database for the web process or `jobs worker`.
        if self.in_web_process and has_request_context():
            self.thread.wake()

    def work(self, burst: bool = False) -> None:
        self.thread.work(burst=burst)

    def stop(self) -> None:
        self.thread.stop()
