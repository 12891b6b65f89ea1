"""The link checker against a real local HTTP server: each kind of answer ends in the right recorded state."""

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.resources.link_check import run_link_check, start_link_check
from db.models import LinkCheck, Resource
from db.session import make_session_factory, session_scope
from tests.conftest import Actors

SLOW_SECONDS = 1.5
TIMEOUT = 0.5
UNDER_WAY = ("queued", "running")


class Handler(BaseHTTPRequestHandler):
    """200, 301->200, 404, 500, HEAD-405-then-GET-200 and a response slower than the checker's timeout."""

    protocol_version = "HTTP/1.0"

    def _answer(self, head: bool) -> None:
        path = self.path
        if path == "/slow":
            time.sleep(SLOW_SECONDS)
        if path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
        elif path == "/no-head" and head:
            self.send_response(405)
        elif path in ("/ok", "/no-head", "/slow"):
            self.send_response(200)
        elif path == "/error":
            self.send_response(500)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.server.requests.append((self.command, path))  # type: ignore[attr-defined]

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def handle(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the checker gave up on /slow
            super().handle()


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """A local server on an ephemeral port; yields its base URL and the requests it saw."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.requests  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


EXPECTED = {
    "/ok": ("ok", 200, "/ok", 0),
    "/moved": ("redirected", 200, "/ok", 0),
    "/missing": ("broken", 404, "/missing", 1),
    "/error": ("broken", 500, "/error", 1),
    "/no-head": ("ok", 200, "/no-head", 0),
    "/slow": ("unknown", None, None, 1),
}


def _arrange(db: Session, base: str) -> dict[str, int]:
    ids = {}
    for path in EXPECTED:
        resource = Resource(url=base + path, title=path, kind="article", status="approved")
        db.add(resource)
        db.flush()
        ids[path] = resource.id or 0
    db.add(Resource(url=base + "/proposed", title="not checked", kind="article", status="proposed"))
    db.commit()
    return ids


def _assert_recorded(db: Session, base: str, ids: dict[str, int], *, failures_scale: int = 1) -> None:
    db.expire_all()
    for path, (status, code, final_path, failures) in EXPECTED.items():
        resource = db.get(Resource, ids[path])
        assert resource is not None
        got = (resource.link_status, resource.http_status, resource.final_url, resource.consecutive_failures)
        want = (status, code, base + final_path if final_path else None, failures * failures_scale)
        assert got == want, path
        assert resource.last_checked_at is not None


def test_check_links_records_each_outcome(
    engine: Engine, db: Session, http_server: tuple[str, list[tuple[str, str]]]
) -> None:
    base, requests = http_server
    ids = _arrange(db, base)
    factory = make_session_factory(engine)
    seen = []
    for run in (1, 2):
        with session_scope(factory) as session:
            check_id = start_link_check(session, requested_by="test", resource_id=None).id
        assert check_id is not None
        summary = run_link_check(
            factory,
            check_id=check_id,
            timeout=TIMEOUT,
            per_host_delay=0.0,
            concurrency=4,
            progress=seen.append,
        )
        assert summary == {"ok": 2, "redirected": 1, "broken": 2, "unknown": 1}
        _assert_recorded(db, base, ids, failures_scale=run)  # broken N times in a row counts up
    assert len(seen) == 12
    assert ("HEAD", "/no-head") in requests and ("GET", "/no-head") in requests
    assert ("GET", "/ok") not in requests  # HEAD sufficed
    assert all(path != "/proposed" for _, path in requests)


def test_link_check_route(
    client: TestClient, db: Session, actors: Actors, http_server: tuple[str, list[tuple[str, str]]]
) -> None:
    base, _ = http_server
    ids = _arrange(db, base)
    url = "/api/v1/resources/link-check"
    assert client.post(url).status_code == 401
    assert client.post(url, headers=actors.learner.headers).status_code == 403
    assert client.post(url, headers=actors.runner.headers).status_code == 403
    r = client.post(f"{url}?resource_id={ids['/missing']}", headers=actors.admin.headers)
    assert r.status_code == 202, r.text
    check_url = f"/api/v1/resources/link-checks/{r.json()['check_id']}"
    assert client.get(check_url, headers=actors.learner.headers).status_code == 403
    deadline = time.monotonic() + 10
    while (check := client.get(check_url, headers=actors.admin.headers).json())["status"] in UNDER_WAY:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert check["status"] == "finished" and check["total"] == check["checked"] == 1
    assert check["summary"]["broken"] == 1

    broken = client.get("/api/v1/resources?link_status=broken", headers=actors.admin.headers).json()["items"]
    assert [(x["id"], x["consecutive_failures"], x["http_status"]) for x in broken] == [
        (ids["/missing"], 1, 404)
    ]
    assert (
        client.get(
            "/api/v1/resources?link_status=broken&min_failures=2", headers=actors.admin.headers
        ).json()["items"]
        == []
    )
    assert client.get("/api/v1/resources/link-checks/999", headers=actors.admin.headers).status_code == 404


def test_route_checks_queue_on_the_event_loop_and_stop_with_the_server(
    app: FastAPI, db: Session, actors: Actors, http_server: tuple[str, list[tuple[str, str]]]
) -> None:
    """More checks than worker threads, each a slow link: routes that need a worker thread still answer,
    the checks run one at a time, and a shutdown records the unfinished ones as interrupted."""
    base, _ = http_server
    ids = _arrange(db, base)
    admin = actors.admin.headers
    threads = app.state.settings.threadpool_size
    with TestClient(app) as client:
        started = [
            client.post(f"/api/v1/resources/link-check?resource_id={ids['/slow']}", headers=admin).json()
            for _ in range(threads + 2)
        ]
        check_ids = [body["check_id"] for body in started]
        assert client.get(f"/api/v1/resources/{ids['/ok']}", headers=admin).status_code == 200
        statuses = [
            client.get(f"/api/v1/resources/link-checks/{i}", headers=admin).json()["status"]
            for i in check_ids
        ]
        assert statuses.count("running") <= 1 and statuses[-1] == "queued", statuses
    db.expire_all()
    ended = [db.get(LinkCheck, i) for i in check_ids]
    assert all(c is not None and c.finished_at is not None for c in ended)
    assert {c.status for c in ended if c is not None} <= {"finished", "interrupted"}
    assert ended[-1] is not None and ended[-1].status == "interrupted"
