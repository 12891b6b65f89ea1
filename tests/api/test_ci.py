"""POST /api/v1/ci/results on both backends: formats, hostile payloads, idempotency, roles."""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from db.models import ActivityEvent, CiRun, Submission, TestResult
from tests.ci.support import FIXTURES, add_exercise, fixture_text
from tests.conftest import Actors, make_actor

URL = "/api/v1/ci/results"
EXERCISE = "ci-practice"


@pytest.fixture
def exercise(engine: Engine) -> int:
    """The exercise CI posts for; returns its topic id."""
    return add_exercise(engine, slug=EXERCISE)


def body(fmt: str, payload: Any, run_id: str = "run-1", **extra: Any) -> dict[str, Any]:
    return {"exercise": EXERCISE, "run_id": run_id, "format": fmt, "payload": payload, **extra}


def stored(db: Session) -> tuple[int, int]:
    """(submissions, ci runs) in the database."""
    db.expire_all()
    return db.exec(select(func.count()).select_from(Submission)).one(), db.exec(
        select(func.count()).select_from(CiRun)
    ).one()


def test_junit_post_is_stored_as_a_ci_submission(
    client: TestClient, actors: Actors, exercise: int, db: Session
) -> None:
    sha = "3f2c9e1a" * 5
    url = "https://github.com/ada/ml/actions/runs/1"
    r = client.post(
        URL,
        json=body("junit", fixture_text("pytest-junit.xml"), commit=sha, run_url=url),
        headers=actors.ci.headers,
    )
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["status"] == "failed" and out["source"] == "ci"
    assert (out["score"], out["max_score"]) == (2.0, 4.0)
    assert out["tests"] == {"total": 5, "passed": 2, "failed": 1, "errored": 1, "skipped": 1}
    assert out["learner_id"] == actors.learner.learner_id
    assert r.headers["Location"] == f"/api/v1/submissions/{out['submission_id']}"
    submission = db.get(Submission, out["submission_id"])
    assert submission is not None
    assert (submission.source, submission.status, submission.learner_id) == (
        "ci",
        "failed",
        actors.learner.learner_id,
    )
    assert submission.result is not None and submission.result["ci"]["commit"] == sha
    run = db.exec(select(CiRun)).one()
    assert (run.run_id, run.commit_sha, run.run_url, run.format) == ("run-1", sha, url, "junit")
    rows = db.exec(select(TestResult).order_by(TestResult.position)).all()  # type: ignore[arg-type]
    assert [t.status for t in rows] == ["pass", "pass", "fail", "skip", "error"]


def test_result_feeds_progress_like_runner_results(
    client: TestClient, actors: Actors, exercise: int, db: Session
) -> None:
    r = client.post(
        URL, json=body("exercism", json.loads(fixture_text("exercism-v3.json"))), headers=actors.ci.headers
    )
    assert r.status_code == 201, r.text
    events = db.exec(select(ActivityEvent).where(ActivityEvent.learner_id == actors.learner.learner_id)).all()
    assert any(e.object_id == EXERCISE or EXERCISE in json.dumps(e.result) for e in events), events


@pytest.mark.parametrize(
    ("fmt", "name", "status", "score"),
    [
        ("junit", "surefire.xml", "failed", (2.0, 3.0)),
        ("junit", "jest-junit.xml", "failed", (2.0, 3.0)),
        ("exercism", "exercism-v1.json", "error", (0.0, 1.0)),
        ("exercism", "exercism-v2.json", "failed", (2.0, 3.0)),
        ("exercism", "exercism-v3.json", "passed", (2.0, 2.0)),
    ],
)
def test_each_format_through_the_api(
    client: TestClient,
    actors: Actors,
    exercise: int,
    fmt: str,
    name: str,
    status: str,
    score: tuple[float, float],
) -> None:
    text = fixture_text(name)
    payload = json.loads(text) if fmt == "exercism" else text
    r = client.post(URL, json=body(fmt, payload), headers=actors.ci.headers)
    assert r.status_code == 201, r.text
    assert (r.json()["status"], (r.json()["score"], r.json()["max_score"])) == (status, score)


def test_syllabus_document_with_points(client: TestClient, actors: Actors, exercise: int) -> None:
    doc = {
        "version": 3,
        "status": "pass",
        "tests": [{"name": "a", "status": "pass", "score": 2, "max_score": 2}],
        "score": 2,
        "max_score": 2,
    }
    r = client.post(URL, json=body("syllabus", doc), headers=actors.learner.headers)
    assert r.status_code == 201, r.text
    assert (r.json()["status"], r.json()["score"], r.json()["max_score"]) == ("passed", 2.0, 2.0)


def test_submission_shows_source_commit_and_run_url(
    client: TestClient, actors: Actors, exercise: int
) -> None:
    posted = client.post(
        URL,
        json=body("exercism", {"status": "pass"}, commit="abc1234", run_url="https://ci.example/run/9"),
        headers=actors.ci.headers,
    ).json()
    r = client.get(f"/api/v1/submissions/{posted['submission_id']}", headers=actors.learner.headers)
    if r.status_code == 404 and r.json().get("code") != "submission-not-found":
        pytest.skip("GET /submissions/{id} is not routed in this build yet")
    assert r.status_code == 200, r.text
    sub = r.json()
    assert sub["source"] == "ci"
    assert sub["result"]["ci"] == {
        "run_id": "run-1",
        "commit": "abc1234",
        "run_url": "https://ci.example/run/9",
        "format": "exercism",
    }


# --- idempotency ---------------------------------------------------------------------------------------


def test_repeat_is_200_with_the_same_submission(
    client: TestClient, actors: Actors, exercise: int, db: Session
) -> None:
    payload = fixture_text("jest-junit.xml")
    first = client.post(URL, json=body("junit", payload, commit="abc"), headers=actors.ci.headers)
    again = client.post(URL, json=body("junit", payload, commit="abc"), headers=actors.ci.headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert stored(db) == (1, 1)


def test_exercism_object_and_its_text_are_the_same_payload(
    client: TestClient, actors: Actors, exercise: int
) -> None:
    text = fixture_text("exercism-v2.json")
    first = client.post(URL, json=body("exercism", text), headers=actors.ci.headers)
    again = client.post(URL, json=body("exercism", json.loads(text)), headers=actors.ci.headers)
    assert (first.status_code, again.status_code) == (201, 200)


@pytest.mark.parametrize(
    "change",
    [
        {"payload": fixture_text("surefire.xml")},
        {"commit": "different"},
        {"format": "exercism", "payload": {"status": "pass"}},
    ],
)
def test_same_run_id_different_request_is_409(
    client: TestClient, actors: Actors, exercise: int, db: Session, change: dict[str, Any]
) -> None:
    first = client.post(
        URL, json=body("junit", fixture_text("jest-junit.xml"), commit="abc"), headers=actors.ci.headers
    )
    assert first.status_code == 201
    r = client.post(
        URL,
        json={**body("junit", fixture_text("jest-junit.xml"), commit="abc"), **change},
        headers=actors.ci.headers,
    )
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "ci-run-conflict"
    assert r.json()["submission_id"] == first.json()["submission_id"]
    assert stored(db) == (1, 1)


def test_run_ids_are_per_learner(
    client: TestClient, actors: Actors, engine: Engine, exercise: int, db: Session
) -> None:
    other_ci = make_actor(engine, "ci", learner_id=actors.other.learner_id)
    payload = fixture_text("jest-junit.xml")
    mine = client.post(URL, json=body("junit", payload), headers=actors.ci.headers)
    theirs = client.post(URL, json=body("junit", fixture_text("surefire.xml")), headers=other_ci.headers)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert theirs.json()["learner_id"] == actors.other.learner_id
    assert mine.json()["submission_id"] != theirs.json()["submission_id"]
    owners = {s.learner_id for s in db.exec(select(Submission)).all()}
    assert owners == {actors.learner.learner_id, actors.other.learner_id}


# --- who may post, and what ci tokens may not do ----------------------------------------------------------


def test_anonymous_is_401(client: TestClient, exercise: int, db: Session) -> None:
    r = client.post(URL, json=body("exercism", {"status": "pass"}))
    assert r.status_code == 401
    assert "WWW-Authenticate" in r.headers
    assert stored(db) == (0, 0)


@pytest.mark.parametrize("role", ["runner", "admin"])
def test_tokens_without_a_learner_are_403(
    client: TestClient, actors: Actors, exercise: int, db: Session, role: str
) -> None:
    r = client.post(URL, json=body("exercism", {"status": "pass"}), headers=getattr(actors, role).headers)
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "ci-poster-forbidden"
    assert stored(db) == (0, 0)


def test_body_cannot_name_another_learner(
    client: TestClient, actors: Actors, exercise: int, db: Session
) -> None:
    sneaky = {**body("exercism", {"status": "pass"}), "learner_id": actors.other.learner_id}
    r = client.post(URL, json=sneaky, headers=actors.ci.headers)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"] == ["body", "learner_id"]
    assert stored(db) == (0, 0)


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("GET", "/api/v1/learners/me/progress", None),
        ("GET", "/api/v1/learners/{me}/progress", None),
        ("GET", "/api/v1/learners/{me}", None),
        ("GET", "/api/v1/learners/me/submissions", None),
        ("PUT", "/api/v1/learners/me/goals/current", {"minutes": 30}),
        ("POST", "/api/v1/exercises/ci-practice/submissions", {"files": {"solution.py": "x = 1\n"}}),
        ("POST", "/api/v1/tokens", {"role": "ci", "name": "another"}),
        ("POST", "/api/v1/runner/jobs/claim", None),
    ],
)
def test_ci_token_can_do_nothing_else(
    client: TestClient, actors: Actors, exercise: int, method: str, path: str, payload: Any
) -> None:
    path = path.replace("{me}", str(actors.learner.learner_id))
    r = client.request(method, path, json=payload, headers=actors.ci.headers)
    if r.status_code == 404 and r.json().get("code") == "not-found" and "no route" in r.json()["detail"]:
        pytest.skip(f"{method} {path} is not routed in this build yet")
    assert r.status_code == 403, r.text


def test_ci_token_may_say_who_it_is(client: TestClient, actors: Actors) -> None:
    r = client.get("/api/v1/me", headers=actors.ci.headers)
    assert r.status_code == 200
    assert r.json()["role"] == "ci"


# --- unknown exercise, malformed and hostile payloads: 4xx, clear message, nothing stored -------------------


def test_unknown_exercise_is_404(client: TestClient, actors: Actors, exercise: int, db: Session) -> None:
    r = client.post(
        URL, json={**body("exercism", {"status": "pass"}), "exercise": "nope"}, headers=actors.ci.headers
    )
    assert r.status_code == 404
    assert r.json()["code"] == "exercise-not-found"
    assert stored(db) == (0, 0)


@pytest.mark.parametrize(
    ("fmt", "payload", "status", "code", "detail"),
    [
        (
            "junit",
            fixture_text("billion-laughs.xml"),
            422,
            "ci-payload-refused",
            "payload: <!DOCTYPE lolz> refused",
        ),
        (
            "junit",
            fixture_text("external-entity.xml"),
            422,
            "ci-payload-refused",
            "payload: <!DOCTYPE testsuite> refused",
        ),
        ("junit", fixture_text("empty.xml"), 422, "ci-payload-invalid", "payload: is empty"),
        ("exercism", "", 422, "ci-payload-invalid", "payload: is empty"),
        (
            "junit",
            fixture_text("mismatched.xml"),
            422,
            "ci-payload-invalid",
            "payload: line 4, column 20: mismatched tag",
        ),
        (
            "junit",
            (FIXTURES / "utf16-declared-utf8.xml").read_bytes().decode("latin-1"),
            422,
            "ci-payload-invalid",
            "payload: contains NUL characters",
        ),
        (
            "junit",
            '<?xml version="1.0" encoding="UTF-16"?><testsuite><testcase name="a"/></testsuite>',
            422,
            "ci-payload-invalid",
            "encoding='UTF-16'",
        ),
        (
            "exercism",
            json.loads(fixture_text("exercism-bad-status.json")),
            422,
            "ci-payload-invalid",
            "payload.tests[2].status: must be 'pass', 'fail' or 'error', got 'failed'",
        ),
        (
            "exercism",
            fixture_text("exercism-malformed.json"),
            422,
            "ci-payload-invalid",
            "payload: line 2, column 16",
        ),
        (
            "junit",
            '<testsuite><testcase name="a"><system-out>'
            + "x" * (10 * 1024 * 1024)
            + "</system-out></testcase></testsuite>",
            413,
            "payload-too-large",
            "request body is larger than",
        ),
    ],
    ids=[
        "billion-laughs",
        "external-entity",
        "empty-file",
        "empty-json",
        "mismatched-tag",
        "utf16-declared-utf8",
        "declared-utf16",
        "bad-test-status",
        "malformed-json",
        "ten-megabytes",
    ],
)
def test_hostile_and_malformed_payloads(
    client: TestClient,
    actors: Actors,
    exercise: int,
    db: Session,
    fmt: str,
    payload: Any,
    status: int,
    code: str,
    detail: str,
) -> None:
    r = client.post(URL, json=body(fmt, payload), headers=actors.ci.headers)
    assert r.status_code == status, r.text[:500]
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == code
    assert detail in r.json()["detail"]
    assert stored(db) == (0, 0)


def test_non_utf8_bytes_in_the_body_are_422(
    client: TestClient, actors: Actors, exercise: int, db: Session
) -> None:
    latin1_xml = (FIXTURES / "latin1-declared-utf8.xml").read_bytes()
    raw = (
        b'{"exercise": "ci-practice", "run_id": "r", "format": "junit", "payload": "'
        + latin1_xml.replace(b'"', b'\\"').replace(b"\n", b"\\n")
        + b'"}'
    )
    r = client.post(URL, content=raw, headers={**actors.ci.headers, "Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "ci-body-invalid"
    assert "not valid UTF-8 (byte 0xe9" in r.json()["detail"]
    assert stored(db) == (0, 0)


def test_empty_body_is_422(client: TestClient, actors: Actors, exercise: int) -> None:
    r = client.post(URL, content=b"", headers={**actors.ci.headers, "Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["detail"] == "body: is empty; expected a JSON object"


def test_payload_over_five_mib_in_a_body_under_the_body_cap(
    client: TestClient, actors: Actors, exercise: int, db: Session
) -> None:
    size = 5 * 1024 * 1024 + 100_000
    xml = '<testsuite><testcase name="a"><system-out>' + "x" * size + "</system-out></testcase></testsuite>"
    r = client.post(URL, json=body("junit", xml), headers=actors.ci.headers)
    assert r.status_code == 413, r.text[:300]
    assert (r.json()["code"], r.json()["cap"], r.json()["field"]) == (
        "ci-payload-too-large",
        "payload_bytes",
        "payload",
    )
    assert stored(db) == (0, 0)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"format": "xunit"}, "body.format"),
        ({"run_id": ""}, "body.run_id"),
        ({"run_id": "has space"}, "body.run_id"),
        ({"run_url": "javascript:alert(1)"}, "body.run_url"),
        ({"payload": None}, "body.payload"),
    ],
)
def test_envelope_validation(
    client: TestClient, actors: Actors, exercise: int, change: dict[str, Any], where: str
) -> None:
    r = client.post(URL, json={**body("exercism", {"status": "pass"}), **change}, headers=actors.ci.headers)
    assert r.status_code == 422, r.text
    assert r.json()["detail"].startswith(where)


def test_openapi_documents_the_body_with_one_example_per_format(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schema = spec["paths"]["/api/v1/ci/results"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    assert {e["format"] for e in schema["examples"]} == {"junit", "exercism", "syllabus"}


def test_all_skipped_run_keeps_a_zero_max_score(
    client: TestClient, actors: Actors, exercise: int, db: Session
) -> None:
    """The document's own zero totals are kept; they are not replaced by one point per test."""
    xml = (
        '<testsuite name="s" tests="2" skipped="2">'
        '<testcase classname="t" name="a"><skipped/></testcase>'
        '<testcase classname="t" name="b"><skipped/></testcase></testsuite>'
    )
    r = client.post(URL, json=body("junit", xml, run_id="all-skipped"), headers=actors.ci.headers)
    assert r.status_code == 201, r.text
    submission = db.get(Submission, r.json()["submission_id"])
    assert submission is not None
    assert (submission.score, submission.max_score) == (0.0, 0.0)
