"""`make run` on another port: the server, the printed links and the links in mails follow."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def planned(*arguments: str) -> list[str]:
    """The commands `make` would run, without running them."""
    # Under `make test` this make is nested: without --no-print-directory it would add
    # "make[1]: Leaving directory" lines.
    result = subprocess.run(
        ["make", "--no-print-directory", "--dry-run", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def test_make_run_serves_on_the_port_asked_for_and_its_links_follow():
    commands = planned("run", "PORT=5101")
    flask = [command for command in commands if "flask --app app" in command]
    assert flask and all("BASE_URL=http://127.0.0.1:5101 " in command for command in flask)
    assert flask[-1].endswith("run --host 127.0.0.1 --port 5101")
    assert not [command for command in commands if "5000" in command]


def test_make_run_keeps_port_5000_by_default():
    assert planned("run")[-1].endswith("--port 5000")


def test_make_screenshots_saves_the_journeys_screenshots_in_docs():
    commands = planned("screenshots")
    assert any(
        command.startswith("SCREENSHOTS_DIR=docs/screenshots ")
        and "tests/e2e/test_journeys.py" in command
        for command in commands
    )
