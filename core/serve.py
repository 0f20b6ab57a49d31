"""`python -m core.serve` (`make serve`): the production stack on one machine.

Migrates the database, then runs the web server (gunicorn), the mail worker and the job
worker side by side. SIGTERM or SIGINT stops all three (exit 0); if one of them dies, the
others are stopped and the exit code is non-zero, so systemd or a container runtime
restarts the whole stack. Settings come from the environment, as for every command;
WEB_BIND (default 127.0.0.1:8000) and WEB_WORKERS (default 2) only concern this command,
and GUNICORN_CMD_ARGS passes further options to gunicorn. See docs/deployment.md.

A supervisor of our own rather than supervisord or honcho: three commands need no new
dependency, and one exit code tells the service manager everything.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

log = logging.getLogger("naoberpanel.serve")
ROOT = Path(__file__).resolve().parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", "app"]
POLL_SECONDS = 0.2
#: How long the processes get to finish what they are doing before they are killed.
STOP_SECONDS = 30.0


def commands(environ: dict[str, str]) -> dict[str, list[str]]:
    """The three long-running processes, by name."""
    web = [
        sys.executable,
        "-m",
        "gunicorn",
        "--preload",  # one copy of the code in memory, shared by the workers
        # gunicorn's control socket has one path per user: two stacks would share it.
        "--no-control-socket",
        # No access log: paths hold personal survey links and login tokens (docs/privacy.md).
        "--workers",
        environ.get("WEB_WORKERS", "2"),
        "--bind",
        environ.get("WEB_BIND", "127.0.0.1:8000"),
        "core.serve:web_app()",
    ]
    return {"web": web, "mail": [*FLASK, "mail", "worker"], "jobs": [*FLASK, "jobs", "worker"]}


def web_app():
    """The app gunicorn serves, warmed up: with --preload once, in the master process,
    for every worker it forks (core.warm)."""
    from app import create_app
    from core import warm

    app = create_app()
    warm.warm_up(app)
    warm.freeze_for_workers()
    return app


def web_environment(environ: dict[str, str]) -> dict[str, str]:
    """The web processes leave mail and jobs to their own workers."""
    return {"MAIL_WEB_WORKER": "0", "JOBS_WEB_WORKER": "0", **environ}


class Stack:
    def __init__(self) -> None:
        self.processes: dict[str, subprocess.Popen] = {}
        self.stop_requested = False

    def start(self, environ: dict[str, str]) -> None:
        for name, command in commands(environ).items():
            env = web_environment(environ) if name == "web" else environ
            self.processes[name] = subprocess.Popen(command, cwd=ROOT, env=env)
            log.info("Started %s (pid %s)", name, self.processes[name].pid)

    def request_stop(self, signum: int, frame: object) -> None:
        self.stop_requested = True

    def watch(self) -> str | None:
        """Wait until a stop is requested (None) or a process ends (its name)."""
        while not self.stop_requested:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    return name
            time.sleep(POLL_SECONDS)
        return None

    def stop(self) -> bool:
        """SIGTERM to every process still running; True if all ended in time."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        clean = True
        for name, process in self.processes.items():
            try:
                process.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                log.error("%s did not stop within %s s; killed", name, STOP_SECONDS)
                process.kill()
                process.wait()
                clean = False
        return clean


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s serve: %(message)s")
    environ = dict(os.environ)
    migrated = subprocess.run([*FLASK, "db", "upgrade"], cwd=ROOT, env=environ)
    if migrated.returncode != 0:
        log.error("Migrations failed; not starting")
        return migrated.returncode
    stack = Stack()
    signal.signal(signal.SIGTERM, stack.request_stop)
    signal.signal(signal.SIGINT, stack.request_stop)
    stack.start(environ)
    died = stack.watch()
    if died is not None:
        code = stack.processes[died].returncode
        log.error("%s stopped (exit code %s); stopping the others", died, code)
        stack.stop()
        return code or 1
    log.info("Stopping")
    return 0 if stack.stop() else 1


if __name__ == "__main__":
    sys.exit(main())
