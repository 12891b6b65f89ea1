"""Submissions API: 202 + Location, idempotency, caps (413), names (422), rate limit (429), authorization."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.app import create_app
from api.settings import Settings
from db.models import Job, Submission
from db.session import make_session_factory, session_scope
from tests.conftest import Actors
from tests.e2e.seed import TINY_SOLUTION, seed_exercises, tiny_spec

URL = "/api/v1/exercises/tiny-add/submissions"
FILES = {"files": {"solution.py": TINY_SOLUTION}}


@pytest.fixture(autouse=True)
def _tiny(engine: Engine) -> None:
    with session_scope(make_session_factory(engine)) as session:
        seed_exercises(session, [tiny_spec()])


def test_submit_queues_submission_and_job(client: TestClient, actors: Actors, db: Session) -> None:
    r = client.post(URL, json=FILES, headers=actors.learner.headers)
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["status"] == "queued"
    assert r.headers["Location"] == f"/api/v1/submissions/{body['id']}"
    submission = db.get(Submission, body["id"])
    assert submission is not None and submission.learner_id == actors.learner.learner_id
    assert submission.content_hash == tiny_spec().content_hash
    job = db.exec(select(Job).where(Job.submission_id == body["id"])).one()
    assert job.state == "queued" and job.attempts == 0

    read = client.get(r.headers["Location"], headers=actors.learner.headers)
    assert read.status_code == 200, read.text
    doc = read.json()
    assert doc["status"] == "queued" and doc["result"] is None
    assert doc["exercise"] == "tiny-add" and doc["files"] == FILES["files"]


def test_location_carries_the_root_path_once(app: FastAPI, actors: Actors) -> None:
    """Behind a proxy that mounts the API under a prefix, `Location` names the prefix once."""
    with TestClient(app, root_path="/syllabus") as client:
        r = client.post(URL, json=FILES, headers=actors.learner.headers)
    assert r.status_code == 202, r.text
    assert r.headers["Location"] == f"/syllabus/api/v1/submissions/{r.json()['id']}"


def test_idempotency_key(client: TestClient, actors: Actors, db: Session) -> None:
    headers = {**actors.learner.headers, "Idempotency-Key": "attempt-1"}
    first = client.post(URL, json=FILES, headers=headers)
    assert first.status_code == 202
    again = client.post(URL, json=FILES, headers=headers)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Location"] == first.headers["Location"]
    assert len(db.exec(select(Submission)).all()) == 1

    different = client.post(URL, json={"files": {"solution.py": "x = 1\n"}}, headers=headers)
    assert different.status_code == 409
    assert different.json()["code"] == "idempotency-key-reused"
    assert different.json()["existing_id"] == first.json()["id"]
    # Keys are per learner: another learner may use the same key.
    other = client.post(URL, json=FILES, headers={**actors.other.headers, "Idempotency-Key": "attempt-1"})
    assert other.status_code == 202
    assert other.json()["id"] != first.json()["id"]


def test_size_and_count_caps(client: TestClient, actors: Actors, settings: Settings) -> None:
    big = {"files": {"solution.py": "x" * (settings.max_submission_bytes + 1)}}
    r = client.post(URL, json=big, headers=actors.learner.headers)
    assert r.status_code == 413
    assert r.json()["code"] == "submission-too-large"
    many = {"files": {f"f{i}.py": "" for i in range(settings.max_submission_files + 1)}}
    assert client.post(URL, json=many, headers=actors.learner.headers).status_code == 413


@pytest.mark.parametrize(
    "name", ["../solution.py", "/etc/passwd", "sol\x00ution.py", "helper.py", "tests/solution.py", ""]
)
def test_only_the_exercise_file_names(client: TestClient, actors: Actors, name: str) -> None:
    r = client.post(URL, json={"files": {name: "x = 1\n"}}, headers=actors.learner.headers)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid-file-name"
    assert r.json()["allowed"] == ["solution.py"]
    assert "solution.py" in r.json()["detail"]


def test_empty_files_and_unknown_exercise(client: TestClient, actors: Actors) -> None:
    assert client.post(URL, json={"files": {}}, headers=actors.learner.headers).status_code == 422
    r = client.post("/api/v1/exercises/nope/submissions", json=FILES, headers=actors.learner.headers)
    assert r.status_code == 404


@pytest.fixture
def limited_client(settings: Settings) -> Iterator[TestClient]:
    """An app allowing two submissions a minute."""
    app: FastAPI = create_app(settings.model_copy(update={"submissions_per_minute": 2}))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_rate_limit(limited_client: TestClient, actors: Actors) -> None:
    for _ in range(2):
        assert limited_client.post(URL, json=FILES, headers=actors.learner.headers).status_code == 202
    r = limited_client.post(URL, json=FILES, headers=actors.learner.headers)
    assert r.status_code == 429
    assert r.json()["code"] == "submission-rate-limited"
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    # Another learner has their own budget; an idempotent repeat is not a new submission.
    assert limited_client.post(URL, json=FILES, headers=actors.other.headers).status_code == 202


def test_idempotent_repeat_is_not_rate_limited(limited_client: TestClient, actors: Actors) -> None:
    headers = {**actors.learner.headers, "Idempotency-Key": "k"}
    assert limited_client.post(URL, json=FILES, headers=headers).status_code == 202
    assert limited_client.post(URL, json=FILES, headers=actors.learner.headers).status_code == 202
    assert limited_client.post(URL, json=FILES, headers=headers).status_code == 200


def test_authorization(client: TestClient, actors: Actors) -> None:
    assert client.post(URL, json=FILES).status_code == 401
    for actor in (actors.runner, actors.ci):
        assert client.post(URL, json=FILES, headers=actor.headers).status_code == 403
    sid = client.post(URL, json=FILES, headers=actors.learner.headers).json()["id"]
    path = f"/api/v1/submissions/{sid}"
    assert client.get(path).status_code == 401
    assert client.get(path, headers=actors.other.headers).status_code == 404
    assert client.get(path, headers=actors.runner.headers).status_code == 403
    assert client.get(path, headers=actors.ci.headers).status_code == 403
    assert client.get(path, headers=actors.admin.headers).status_code == 200
    assert client.get("/api/v1/submissions/999999", headers=actors.learner.headers).status_code == 404

    mine = f"/api/v1/learners/{actors.learner.learner_id}/submissions"
    assert client.get(mine).status_code == 401
    assert client.get(mine, headers=actors.other.headers).status_code == 404
    assert client.get(mine, headers=actors.runner.headers).status_code == 403
    assert client.get(mine, headers=actors.admin.headers).status_code == 200
    assert client.get("/api/v1/learners/me/submissions", headers=actors.learner.headers).json()["total"] == 1


def test_history_filters_and_paging(client: TestClient, actors: Actors) -> None:
    ids = [client.post(URL, json=FILES, headers=actors.learner.headers).json()["id"] for _ in range(3)]
    client.post(URL, json=FILES, headers=actors.other.headers)
    url = "/api/v1/learners/me/submissions"
    page = client.get(url, params={"limit": 2}, headers=actors.learner.headers).json()
    assert [i["id"] for i in page["items"]] == ids[::-1][:2]
    assert page["total"] == 3
    rest = client.get(url, params={"limit": 2, "cursor": page["next_cursor"]}, headers=actors.learner.headers)
    assert [i["id"] for i in rest.json()["items"]] == [ids[0]]
    assert rest.json()["next_cursor"] is None
    assert (
        client.get(url, params={"exercise": "tiny-add"}, headers=actors.learner.headers).json()["total"] == 3
    )
    assert client.get(url, params={"exercise": "other"}, headers=actors.learner.headers).json()["total"] == 0
    assert client.get(url, params={"status": "passed"}, headers=actors.learner.headers).json()["total"] == 0
    assert client.get(url, params={"status": "queued"}, headers=actors.learner.headers).json()["total"] == 3
    assert client.get(url, params={"status": "bogus"}, headers=actors.learner.headers).status_code == 422


def test_wait_returns_at_deadline_when_not_final(client: TestClient, actors: Actors) -> None:
    sid = client.post(URL, json=FILES, headers=actors.learner.headers).json()["id"]
    r = client.get(f"/api/v1/submissions/{sid}", params={"wait": 1}, headers=actors.learner.headers)
    assert r.status_code == 200 and r.json()["status"] == "queued"
    too_long = client.get(f"/api/v1/submissions/{sid}", params={"wait": 61}, headers=actors.learner.headers)
    assert too_long.status_code == 422
