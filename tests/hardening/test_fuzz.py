"""Schema fuzzing: schemathesis over the whole OpenAPI document against a real uvicorn server on PostgreSQL.

Every generated request is sent with a valid token of each role (admin, learner, runner, ci) and must get
no 5xx, a documented status code, a body matching its documented schema and content type, and a problem
document for every error. `SYLLABUS_FUZZ_EXAMPLES` sets examples per operation (CI default: 5).
"""

import os
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks as st_checks

from api.app import create_app
from api.settings import Settings
from db.engine import make_engine
from tests.conftest import Actor, make_actor
from tests.hardening.servers import ApiProcess, api_env, sync_shipped_content

EXAMPLES = int(os.environ.get("SYLLABUS_FUZZ_EXAMPLES", "5"))
PROBLEM_JSON = "application/problem+json"


@schemathesis.check
def problem_documents(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx answer (except a bodiless 304-style one) is an RFC 9457 problem document."""
    if response.status_code < 400:
        return None
    ctype = response.headers.get("content-type", [""])
    ctype = ctype[0] if isinstance(ctype, list) else ctype
    if not ctype.startswith(PROBLEM_JSON):
        raise AssertionError(f"{response.status_code} answered with {ctype!r}, not {PROBLEM_JSON}")
    body = response.json()
    missing = {"type", "title", "status", "detail", "code"} - set(body)
    if missing or body["status"] != response.status_code:
        raise AssertionError(f"not a problem document (missing {sorted(missing)}): {body}")
    return True


CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
    st_checks.response_headers_conformance,
    problem_documents,
]


@pytest.fixture(scope="module")
def fuzz_server(request: pytest.FixtureRequest) -> Iterator[tuple[ApiProcess, list[Actor]]]:
    """A migrated PostgreSQL database with the shipped content, one token per role, and a real server."""
    from tests.conftest import _pg_admin, _pg_url

    template: str = request.getfixturevalue("_pg_template")
    name = f"syllabus_fuzz_{os.getpid()}"
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    url = _pg_url(name)
    sync_shipped_content(url)
    engine = make_engine(url, pool_size=1)
    learner = make_actor(engine, "learner", handle="fuzz-learner")
    actors = [
        make_actor(engine, "admin"),
        learner,
        make_actor(engine, "runner"),
        make_actor(engine, "ci", learner_id=learner.learner_id),
    ]
    engine.dispose()
    env = api_env(
        url,
        SYLLABUS_OPEN_SIGNUP="true",
        # The limits are tested on their own (test_limits.py); here they would only hide other answers.
        SYLLABUS_WRITE_RATE_PER_MINUTE="1000000",
        SYLLABUS_WRITE_BURST="100000",
        SYLLABUS_SUBMISSIONS_PER_MINUTE="1000000",
    )
    api = ApiProcess(env)
    try:
        yield api, actors
    finally:
        api.stop()
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    """One connection pool for every call."""
    with requests.Session() as session:
        yield session


# The document the server serves, built from the same app factory (`/openapi.json` needs no database).
schema = schemathesis.openapi.from_dict(
    create_app(Settings(environment="development", database_url="sqlite://")).openapi()
)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_with_every_role(
    case: Any, fuzz_server: tuple[ApiProcess, list[Actor]], http: requests.Session
) -> None:
    api, actors = fuzz_server
    if case.path == "/api/v1/runner/jobs/claim":
        case.query = {**(case.query or {}), "wait": 0}  # a long poll would only slow the run down
    if case.path == "/api/v1/submissions/{submission_id}":
        case.query = {**(case.query or {}), "wait": 0}
    for actor in actors:
        case.call_and_validate(base_url=api.url, session=http, headers=actor.headers, checks=CHECKS)
