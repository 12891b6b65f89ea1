"""Authorization matrix: every route of API.md x {anonymous, admin, learner, other learner, runner, ci}.

One arrangement per backend (the shipped curriculum synced, a learner with a submission and a proposal),
then each row is requested as each actor. Rows that consume their target (DELETE, POST that creates) build a
fresh target per actor. Every mismatch is collected so one failure lists them all.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.settings import PROJECT_ROOT
from content.loader import load_content
from content.sync import apply_sync, plan_sync
from db.session import make_session_factory, session_scope
from tests.conftest import Actors

API = "/api/v1"
ACTORS = ("anonymous", "admin", "learner", "other", "runner", "ci")
Expect = dict[str, int | tuple[int, ...]]


def everyone(status: int | tuple[int, ...]) -> Expect:
    """Any valid token gets `status`; anonymous gets 401."""
    return {"anonymous": 401, **dict.fromkeys(ACTORS[1:], status)}


def admin_only(ok: int) -> Expect:
    """Catalogue curation: admins only."""
    return {"anonymous": 401, "admin": ok, "learner": 403, "other": 403, "runner": 403, "ci": 403}


def own_data(ok: int) -> Expect:
    """A learner's private data: self and admin; another learner 404; runner and ci tokens 403."""
    return {"anonymous": 401, "admin": ok, "learner": ok, "other": 404, "runner": 403, "ci": 403}


def runner_only(ok: int | tuple[int, ...]) -> Expect:
    """The runner protocol (admins may do everything)."""
    return {"anonymous": 401, "admin": ok, "learner": 403, "other": 403, "runner": ok, "ci": 403}


@dataclass
class Row:
    """One route: method, path (or a per-actor factory), body, expected status per actor."""

    method: str
    path: str | Callable[[str], str]
    expect: Expect
    body: Any = None
    body_for: Callable[[str], Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)


def _sync_curriculum(engine: Engine) -> None:
    with session_scope(make_session_factory(engine)) as session:
        plan = plan_sync(session, load_content(PROJECT_ROOT / "content"), prune=False)
        assert not plan.problems, plan.problems
        apply_sync(session, plan)


def test_every_route_for_every_actor(client: TestClient, actors: Actors, engine: Engine) -> None:
    _sync_curriculum(engine)
    by_name = {
        "admin": actors.admin,
        "learner": actors.learner,
        "other": actors.other,
        "runner": actors.runner,
        "ci": actors.ci,
    }

    def headers(actor: str) -> dict[str, str]:
        return {} if actor == "anonymous" else by_name[actor].headers

    def call(method: str, path: str, actor: str, body: Any = None, params: Any = None) -> Any:
        return client.request(method, path, headers=headers(actor), json=body, params=params)

    me = actors.learner.learner_id
    topics = call("GET", f"{API}/topics", "admin", params={"limit": 200}).json()["items"]
    slug = topics[-1]["slug"]
    exercise = call("GET", f"{API}/exercises", "admin").json()["items"][0]
    ex_files = call("GET", f"{API}/exercises/{exercise['slug']}", "admin").json()["starter_files"]
    approved = call("GET", f"{API}/resources", "admin", params={"status": "approved"}).json()["items"][0][
        "id"
    ]
    proposal = call(
        "POST",
        f"{API}/resources",
        "learner",
        {"url": "https://example.org/proposal", "title": "P", "kind": "article", "topics": [slug]},
    ).json()["id"]
    submission = call(
        "POST", f"{API}/exercises/{exercise['slug']}/submissions", "learner", {"files": ex_files}
    )
    assert submission.status_code == 202, submission.text
    submission_id = submission.json()["id"]

    def fresh_topic(actor: str) -> str:
        name = f"tmp-{actor}-{uuid.uuid4().hex[:6]}"
        r = call(
            "POST", f"{API}/topics", "admin", {"slug": name, "title": name, "section": topics[0]["section"]}
        )
        assert r.status_code == 201, r.text
        return str(name)

    def fresh_resource(actor: str) -> int:
        r = call(
            "POST",
            f"{API}/resources",
            "admin",
            {
                "url": f"https://example.org/{uuid.uuid4().hex}",
                "title": "T",
                "kind": "docs",
                "topics": [slug],
            },
        )
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    def fresh_ci_token(actor: str) -> int:
        body = {"role": "ci", "name": "t", "learner_id": me}
        return int(call("POST", f"{API}/tokens", "admin", body).json()["id"])

    def fresh_edge(actor: str) -> str:
        a, b = fresh_topic(actor), fresh_topic(actor)
        call("PUT", f"{API}/topics/{a}/prerequisites/{b}", "admin", {"kind": "hard"})
        return f"{API}/topics/{a}/prerequisites/{b}"

    check = call("POST", f"{API}/resources/link-check", "admin", params={"resource_id": approved}).json()
    ci_payload = {"version": 3, "status": "pass", "tests": [{"name": "t", "status": "pass"}]}

    rows = [
        Row("GET", f"{API}/me", everyone(200)),
        Row("POST", f"{API}/learners", admin_only(201), body_for=lambda a: {"handle": f"new-{a}"}),
        Row("GET", f"{API}/learners/{me}", own_data(200)),
        Row("PATCH", f"{API}/learners/{me}", own_data(200), body={"display_name": "Ada"}),
        Row(
            "POST",
            f"{API}/tokens",
            {"anonymous": 401, "admin": 201, "learner": 201, "other": 403, "runner": 403, "ci": 403},
            body={"role": "ci", "name": "gha", "learner_id": me},
        ),
        Row("GET", f"{API}/tokens", {**own_data(200), "other": 200}),
        Row(
            "DELETE",
            lambda a: f"{API}/tokens/{fresh_ci_token(a)}",
            {**own_data(204), "other": 404},
        ),
        Row("GET", f"{API}/topics", everyone(200)),
        Row("GET", f"{API}/topics/{slug}", everyone(200)),
        Row(
            "POST",
            f"{API}/topics",
            admin_only(201),
            body_for=lambda a: {"slug": f"n-{a}", "title": "N", "section": topics[0]["section"]},
        ),
        Row("PATCH", f"{API}/topics/{slug}", admin_only(200), body={"summary": "Updated."}),
        Row("DELETE", lambda a: f"{API}/topics/{fresh_topic(a)}", admin_only(204)),
        Row(
            "PUT",
            lambda a: f"{API}/topics/{fresh_topic(a)}/prerequisites/{slug}",
            admin_only((200, 201)),
            body={"kind": "soft"},
        ),
        Row("DELETE", fresh_edge, admin_only(204)),
        Row("GET", f"{API}/graph", everyone(200)),
        Row("GET", f"{API}/graph", {**own_data(200), "runner": 404, "ci": 404}, params={"learner_id": me}),
        Row("GET", f"{API}/resources", everyone(200)),
        Row(
            "POST",
            f"{API}/resources",
            {"anonymous": 401, "admin": 201, "learner": 201, "other": 201, "runner": 403, "ci": 403},
            body_for=lambda a: {
                "url": f"https://example.org/{a}",
                "title": "R",
                "kind": "docs",
                "topics": [slug],
            },
        ),
        Row("GET", f"{API}/resources/{approved}", everyone(200)),
        Row("GET", f"{API}/resources/{proposal}", {**own_data(200), "runner": 404, "ci": 404}),
        Row(
            "PATCH",
            lambda a: f"{API}/resources/{fresh_resource(a)}",
            admin_only(200),
            body={"status": "archived"},
        ),
        Row("DELETE", lambda a: f"{API}/resources/{fresh_resource(a)}", admin_only(204)),
        Row(
            "PUT",
            f"{API}/resources/{approved}/rating",
            {"anonymous": 401, "admin": 403, "learner": 200, "other": 200, "runner": 403, "ci": 403},
            body={"stars": 4},
        ),
        Row("POST", f"{API}/resources/link-check", admin_only(202), params={"resource_id": approved}),
        Row("GET", f"{API}/resources/link-checks/{check['check_id']}", admin_only(200)),
        Row("GET", f"{API}/learners/{me}/progress", own_data(200)),
        Row(
            "PUT",
            f"{API}/learners/{me}/topics/{slug}/progress",
            own_data(200),
            body={"status": "in_progress"},
        ),
        Row(
            "PUT",
            f"{API}/learners/{me}/resources/{approved}/progress",
            own_data(200),
            body={"completed": True},
        ),
        Row(
            "POST",
            f"{API}/learners/{me}/events",
            own_data(201),
            body_for=lambda a: {
                "id": str(uuid.uuid4()),
                "verb": "experienced",
                "object": {"type": "topic", "id": slug},
            },
        ),
        Row("GET", f"{API}/learners/{me}/events", own_data(200)),
        Row("GET", f"{API}/learners/{me}/next", own_data(200)),
        Row("GET", f"{API}/learners/{me}/path", own_data(200), params={"target": slug}),
        Row("PUT", f"{API}/learners/{me}/goals/current", own_data(200), body={"minutes": 120}),
        Row("GET", f"{API}/learners/{me}/goals/current", own_data(200)),
        Row("GET", f"{API}/learners/{me}/goals", own_data(200)),
        Row("GET", f"{API}/learners/{me}/dashboard", own_data(200)),
        Row("GET", f"{API}/exercises", everyone(200)),
        Row("GET", f"{API}/exercises/{exercise['slug']}", everyone(200)),
        Row(
            "POST",
            f"{API}/exercises/{exercise['slug']}/submissions",
            {"anonymous": 401, "admin": 403, "learner": 202, "other": 202, "runner": 403, "ci": 403},
            body={"files": ex_files},
        ),
        Row("GET", f"{API}/submissions/{submission_id}", own_data(200)),
        Row("GET", f"{API}/learners/{me}/submissions", own_data(200)),
        Row(
            "POST",
            f"{API}/runner/jobs/{10**9}/heartbeat",
            runner_only(404),
            body={"lease_id": str(uuid.uuid4())},
        ),
        Row(
            "POST",
            f"{API}/runner/jobs/{10**9}/result",
            runner_only(404),
            body={"lease_id": str(uuid.uuid4()), "status": "passed", "result": ci_payload},
        ),
        Row("POST", f"{API}/runner/jobs/claim", runner_only((200, 204))),
        Row(
            "POST",
            f"{API}/ci/results",
            {"anonymous": 401, "admin": 403, "learner": 201, "other": 201, "runner": 403, "ci": 201},
            body_for=lambda a: {
                "exercise": exercise["slug"],
                "run_id": f"run-{a}",
                "format": "exercism",
                "payload": ci_payload,
            },
        ),
    ]

    mismatches = []
    for row in rows:
        for actor in ACTORS:
            path = row.path(actor) if callable(row.path) else row.path
            body = row.body_for(actor) if row.body_for else row.body
            response = call(row.method, path, actor, body, row.params or None)
            wanted = row.expect[actor]
            allowed = wanted if isinstance(wanted, tuple) else (wanted,)
            if response.status_code not in allowed:
                got = f"{response.status_code} (want {wanted}) {response.text[:160]}"
                mismatches.append(f"{row.method} {path} as {actor}: {got}")
            elif response.status_code >= 400:
                assert response.headers["content-type"].startswith("application/problem+json"), (
                    row.method,
                    path,
                )
    assert not mismatches, "\n".join(mismatches)


def test_every_documented_route_requires_a_token(client: TestClient) -> None:
    """No /api/v1 route but sign-up answers without a token (catches a route that forgot its auth)."""
    paths = client.get("/openapi.json").json()["paths"]
    open_routes = {("post", f"{API}/signup")}
    checked = 0
    for path, operations in paths.items():
        if not path.startswith(API):
            continue
        concrete = path.replace("{learner_id}", "1").replace("{slug}", "x").replace("{prereq_slug}", "y")
        concrete = concrete.replace("{week}", "current")
        for part in ("{token_id}", "{resource_id}", "{check_id}", "{submission_id}", "{job_id}"):
            concrete = concrete.replace(part, "1")
        for method in operations:
            if (method, path) in open_routes:
                continue
            r = client.request(method.upper(), concrete, json={})
            assert r.status_code == 401, f"{method.upper()} {path} answered {r.status_code} without a token"
            checked += 1
    assert checked >= 40
