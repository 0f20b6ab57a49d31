import threading
from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue

from core.db import db, utcnow
from jobs import services
from jobs.models import IllegalJobTransition, Job, JobStatus
from jobs.runner import claim, fail_abandoned_jobs, run_job
from tests.helpers import count
from tests.jobs.conftest import calls, release, wait_for


def start_demo(post_form):
    response = post_form("/jobs/demo")
    assert response.status_code == 303
    return response.location


def test_demo_job_runs_in_process_with_visible_progress(client, post_form, seeded, official):
    job_url = start_demo(post_form)
    state = wait_for(client, job_url, lambda s: s["finished"])
    assert state["status"] == "succeeded" and state["percent"] == 100
    assert (state["steps_done"], state["steps_total"]) == (35, 35)
    html = client.get(job_url).text
    assert "<title>Klaar · Voortgang van de taak" in html
    assert "35 dorpen en wijken geteld" in html


def test_progress_is_visible_while_the_job_runs(app, client, official):
    job = services.enqueue("test.wait", label="midway")
    db.session.commit()
    job_url = f"/jobs/{job.id}"
    state = wait_for(client, job_url, lambda s: s["steps_done"] == 1)
    assert (state["status"], state["percent"], state["detail"]) == ("running", 50, "first half")
    html = client.get(job_url).text
    assert "Stap 1 van 2" in html and 'value="50"' in html and "Ververs deze pagina" in html
    release.set()
    assert wait_for(client, job_url, lambda s: s["finished"])["status"] == "succeeded"


def test_a_failing_job_is_marked_failed_with_its_error(app, client, official):
    job = services.enqueue("test.fail")
    db.session.commit()
    state = wait_for(client, f"/jobs/{job.id}", lambda s: s["finished"])
    assert state["status"] == "failed"
    db.session.expire_all()
    assert "the village hall is closed" in db.session.get(Job, job.id).error
    assert "De taak is gestopt door een fout" in client.get(f"/jobs/{job.id}").text


def test_a_job_is_only_handed_over_when_its_transaction_commits(app):
    services.enqueue("test.wait", label="never")
    assert db.session.info[services.PENDING]
    db.session.rollback()
    assert services.PENDING not in db.session.info
    assert count(Job) == 0


def test_two_workers_claiming_one_job_run_it_once(app):
    db.session.add(job := Job(name="test.wait", params={"label": "once"}))
    db.session.commit()
    job_id, start, outcomes = job.id, threading.Barrier(2), []

    def worker():
        with app.app_context():
            start.wait()
            outcomes.append(claim(job_id))
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False, True]


def test_a_job_runs_once_even_if_handed_over_twice(app):
    release.set()
    db.session.add(job := Job(name="test.wait", params={"label": "once"}))
    db.session.commit()
    job_id = job.id
    run_job(job_id)
    run_job(job_id)
    assert calls == ["once"]
    assert db.session.get(Job, job_id).status is JobStatus.SUCCEEDED


def test_jobs_abandoned_by_a_dead_worker_are_failed_by_requeue(app):
    db.session.add(job := Job(name="test.wait", status=JobStatus.RUNNING))
    job.started_at = utcnow() - timedelta(hours=2)
    db.session.add(fresh := Job(name="test.wait", status=JobStatus.RUNNING, started_at=utcnow()))
    db.session.commit()
    output = app.test_cli_runner().invoke(args=["jobs", "requeue"]).output
    assert "1 abandoned job(s) marked failed" in output
    db.session.expire_all()
    assert db.session.get(Job, job.id).status is JobStatus.FAILED
    assert db.session.get(Job, fresh.id).status is JobStatus.RUNNING


def test_unknown_job_names_are_refused_when_queued(app):
    with pytest.raises(LookupError):
        services.enqueue("no.such.job")


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (JobStatus.QUEUED, lambda job: job.report(1, 2)),
        (JobStatus.SUCCEEDED, lambda job: job.succeed({})),
        (JobStatus.FAILED, lambda job: job.report(1, 2)),
        (JobStatus.SUCCEEDED, lambda job: job.fail("late")),
    ],
)
def test_illegal_transitions_are_refused_by_the_model(status, action):
    with pytest.raises(IllegalJobTransition):
        action(Job(name="test.wait", status=status))


def test_unknown_job_is_404(client, official):
    assert client.get("/jobs/4b1d5e0c-0000-4000-8000-000000000000").status_code == 404
    assert client.get("/jobs/4b1d5e0c-0000-4000-8000-000000000000.json").status_code == 404


def test_demo_job_pages_are_off_unless_enabled(make_app, official_session):
    client = make_app(DEMO_JOBS_ENABLED=False).test_client()
    official_session(client)
    assert client.get("/jobs/demo").status_code == 404


def test_cli_queues_the_demo_job_and_the_worker_runs_it(app, seeded):
    runner = app.test_cli_runner()
    output = runner.invoke(args=["jobs", "demo", "--delay", "0"]).output
    url = output.splitlines()[0].strip()
    assert url.startswith("http://naoberpanel.test/jobs/")
    job_id = url.rsplit("/", 1)[1]
    assert db.session.get(Job, job_id).status is JobStatus.QUEUED  # waits for a worker
    result = runner.invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Job, job_id).status is JobStatus.SUCCEEDED


def test_demo_job_runs_on_rq_with_redis(make_app, redis_url, seeded, official_session):
    app = make_app(REDIS_URL=redis_url)
    client = app.test_client()
    official_session(client)
    job_url = start_demo(lambda url: _post_with_csrf(client, url))
    queue = Queue(app.config["JOBS_QUEUE"], connection=Redis.from_url(redis_url))
    try:
        job_id = job_url.rsplit("/", 1)[1]
        assert queue.job_ids == [job_id]
        assert client.get(f"{job_url}.json").json["status"] == "queued"
        with app.app_context():
            app.extensions["jobs"].work(burst=True)
        state = client.get(f"{job_url}.json").json
        assert (state["status"], state["steps_done"]) == ("succeeded", 35)
        assert "35 dorpen en wijken geteld" in client.get(job_url).text
    finally:
        queue.delete(delete_jobs=True)


def test_requeue_hands_stranded_jobs_to_rq(make_app, redis_url):
    app = make_app(REDIS_URL=redis_url)
    queue = Queue(app.config["JOBS_QUEUE"], connection=Redis.from_url(redis_url))
    try:
        with app.app_context():
            db.session.add(job := Job(name="demo.count_villages", params={"delay": 0}))
            db.session.commit()
            result = app.test_cli_runner().invoke(args=["jobs", "requeue"])
            assert "1 queued job(s) handed over." in result.output
            assert queue.job_ids == [job.id]
    finally:
        queue.delete(delete_jobs=True)


def _post_with_csrf(client, url):
    from tests.conftest import csrf_token_from

    token = csrf_token_from(client.get(url).text)
    return client.post(url, data={"csrf_token": token})


def test_an_abandoned_job_with_private_params_loses_them(app):
    """The letters job holds plain recruitment codes: a failed one must not keep them."""
    long_ago = utcnow() - timedelta(hours=2)
    letters = Job(
        name="recruitment.render_letters",
        status=JobStatus.RUNNING,
        started_at=long_ago,
        params={"batch_id": 1, "codes": ["ABCD2345EFG"]},
    )
    plain = Job(
        name="test.wait", status=JobStatus.RUNNING, started_at=long_ago, params={"label": "x"}
    )
    db.session.add_all([letters, plain])
    db.session.commit()
    assert fail_abandoned_jobs(timedelta(hours=1)) == 2
    db.session.commit()
    db.session.expire_all()
    assert (letters.status, letters.params) == (JobStatus.FAILED, {})
    assert (plain.status, plain.params) == (JobStatus.FAILED, {"label": "x"})
