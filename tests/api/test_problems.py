"""Every error path answers with an RFC 9457 problem document."""

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Actors

PROBLEM = "application/problem+json"


def _assert_problem(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["title"] and body["detail"] and body["type"].startswith("https://")
    assert body["instance"]
    return body


def test_unknown_route(client: TestClient) -> None:
    _assert_problem(client.get("/api/v1/nope"), 404, "not-found")


def test_method_not_allowed(client: TestClient, actors: Actors) -> None:
    _assert_problem(client.put("/api/v1/me", headers=actors.admin.headers), 405, "method-not-allowed")


def test_missing_token_is_401_with_challenge(client: TestClient) -> None:
    r = client.get("/api/v1/me")
    _assert_problem(r, 401, "unauthorized")
    assert r.headers["www-authenticate"].startswith("Bearer")


def test_bad_token_is_401(client: TestClient) -> None:
    _assert_problem(
        client.get("/api/v1/me", headers={"Authorization": "Bearer sy_nope"}), 401, "unauthorized"
    )


def test_validation_error_names_the_field(client: TestClient, actors: Actors) -> None:
    r = client.post(
        "/api/v1/learners",
        json={"handle": "x" * 80, "timezone": "Mars/Olympus"},
        headers=actors.admin.headers,
    )
    body = _assert_problem(r, 422, "validation-failed")
    fields = {tuple(e["loc"]) for e in body["errors"]}
    assert ("body", "handle") in fields
    assert ("body", "timezone") in fields


def test_malformed_json_is_422(client: TestClient, actors: Actors) -> None:
    r = client.post(
        "/api/v1/learners",
        content=b"{not json",
        headers={**actors.admin.headers, "Content-Type": "application/json"},
    )
    _assert_problem(r, 422, "validation-failed")


def test_unhandled_error_is_500_with_request_id_and_no_traceback(app: FastAPI) -> None:
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals /work/main/api")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom", headers={"X-Request-Id": "req-123"})
    body = _assert_problem(r, 500, "internal-error")
    assert body["request_id"] == "req-123"
    assert r.headers["x-request-id"] == "req-123"
    assert "secret internals" not in r.text and "Traceback" not in r.text


def test_metrics_count_requests_by_route_template(client: TestClient, actors: Actors) -> None:
    client.get(f"/api/v1/learners/{actors.learner.learner_id}", headers=actors.learner.headers)
    text = client.get("/metrics").text
    assert 'route="/api/v1/learners/{learner_id}"' in text
    assert "syllabus_http_request_duration_seconds_bucket" in text


def test_oversized_body_is_413_problem(client: TestClient, actors: Actors) -> None:
    big = b'{"handle": "' + b"x" * 1_100_000 + b'"}'
    r = client.post(
        "/api/v1/learners", content=big, headers={**actors.admin.headers, "Content-Type": "application/json"}
    )
    _assert_problem(r, 413, "payload-too-large")


def test_oversized_chunked_body_is_413_problem(client: TestClient, actors: Actors) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"handle": "'
        for _ in range(30):
            yield b"x" * 50_000
        yield b'"}'

    r = client.post(
        "/api/v1/learners",
        content=chunks(),
        headers={**actors.admin.headers, "Content-Type": "application/json"},
    )
    _assert_problem(r, 413, "payload-too-large")


def test_write_rate_limit_is_429_with_retry_after(app: FastAPI, actors: Actors) -> None:
    from api.app import create_app

    limited = create_app(
        app.state.settings.model_copy(update={"write_rate_per_minute": 60, "write_burst": 3})
    )
    with TestClient(limited) as c:
        statuses = [
            c.patch(
                "/api/v1/learners/me", json={"display_name": "x"}, headers=actors.learner.headers
            ).status_code
            for _ in range(5)
        ]
        assert statuses[:3] == [200, 200, 200]
        r = c.patch("/api/v1/learners/me", json={"display_name": "x"}, headers=actors.learner.headers)
        body = _assert_problem(r, 429, "rate-limited")
        assert int(r.headers["retry-after"]) >= 1
        assert "retry" in body["detail"]
        # Another token has its own bucket; reads are never limited.
        assert c.patch("/api/v1/learners/me", json={}, headers=actors.other.headers).status_code == 200
        assert c.get("/api/v1/learners/me", headers=actors.learner.headers).status_code == 200


def test_a_learner_path_segment_that_is_no_id_is_404(client: TestClient, actors: Actors) -> None:
    """A superscript digit passes `str.isdigit`, not `int` (a 500 schemathesis found); too large: none."""
    for segment in ("%C2%B9", "%C2%B2", "%D9%A3", "-1", "1.0", "99999999999999999999"):
        for method, path, body in [
            ("GET", f"/api/v1/learners/{segment}/dashboard", None),
            ("PUT", f"/api/v1/learners/{segment}/topics/any/progress", {"status": "in_progress"}),
            ("PUT", f"/api/v1/learners/{segment}/resources/1/progress", {"completed": False}),
            ("GET", f"/api/v1/graph?learner_id={segment}", None),
        ]:
            r = client.request(method, path, json=body, headers=actors.admin.headers)
            _assert_problem(r, 404, "not-found")
