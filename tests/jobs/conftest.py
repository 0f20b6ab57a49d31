import os
import threading
import time

import pytest
import redis

from jobs.registry import job_function
from tests.conftest import start_session

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

#: Lets a test hold the `test.wait` job between its two steps.
release = threading.Event()
calls: list[str] = []


@job_function("test.wait")
def wait_between_steps(progress, label: str = "") -> dict:
    calls.append(label)
    progress(1, 2, "first half")
    assert release.wait(10), "test never released the job"
    progress(2, 2, "second half")
    return {"label": label}


@job_function("test.fail")
def always_fail(progress) -> None:
    progress(1, 3, "about to fail")
    raise ValueError("the village hall is closed")


@pytest.fixture(autouse=True)
def reset_test_jobs():
    release.clear()
    calls.clear()
    yield
    release.set()


@pytest.fixture
def redis_url():
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(f"Redis not reachable at {REDIS_URL}: {error} (REQUIRE_REDIS is set)")
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {error}")
    yield REDIS_URL
    connection.close()


def wait_for(client, job_url: str, predicate, timeout: float = 10.0) -> dict:
    """Poll the job's JSON, as the page's script does, until `predicate` holds."""
    deadline = time.monotonic() + timeout
    while True:
        state = client.get(f"{job_url}.json").json
        if predicate(state):
            return state
        assert time.monotonic() < deadline, f"job never reached the expected state: {state}"
        time.sleep(0.02)


@pytest.fixture
def official(login_as):
    """The test client is logged in as an official (jobs are for officials)."""
    return login_as("official")


@pytest.fixture
def official_session(make_account):
    """Log any test client in as a new official."""

    return lambda client: start_session(client, make_account("official"))
