"""In-process caches kept coherent across replicas (api.coherence): tokens and the catalogue version."""

import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.app import create_app
from api.settings import Settings
from db.models import ApiToken
from tests.api.test_topics import arrange_catalogue
from tests.conftest import Actors

API = "/api/v1"
# NOTIFY crosses processes in milliseconds; the bound only keeps a loaded CI box from failing the test.
PROPAGATES_WITHIN_S = 2.0


def eventually(check: Callable[[], bool], within: float = PROPAGATES_WITHIN_S) -> float:
    """Seconds until `check()` held (fails after `within`)."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < within, "the change did not reach the other replica"
        time.sleep(0.005)
    return time.monotonic() - started


def wait_listening(*apps: TestClient) -> None:
    """Until each replica's LISTEN connection is up (its caches turn on)."""
    for c in apps:
        eventually(lambda c=c: bool(c.app.state.token_cache.enabled), within=10)  # type: ignore[attr-defined]


def test_revoked_token_is_refused_at_once_on_the_same_replica(client: TestClient, actors: Actors) -> None:
    created = client.post(f"{API}/tokens", json={"role": "ci", "name": "x"}, headers=actors.learner.headers)
    token = created.json()
    ci = {"Authorization": f"Bearer {token['token']}"}
    for _ in range(3):  # cached now
        assert client.get(f"{API}/me", headers=ci).status_code == 200
    assert client.delete(f"{API}/tokens/{token['id']}", headers=actors.learner.headers).status_code == 204
    assert client.get(f"{API}/me", headers=ci).status_code == 401


@pytest.mark.postgres_only
def test_revoke_on_one_replica_is_refused_on_the_other(settings: Settings, actors: Actors) -> None:
    with TestClient(create_app(settings)) as a, TestClient(create_app(settings)) as b:
        wait_listening(a, b)
        created = a.post(f"{API}/tokens", json={"role": "ci", "name": "x"}, headers=actors.learner.headers)
        token = created.json()
        ci = {"Authorization": f"Bearer {token['token']}"}
        for _ in range(3):
            assert b.get(f"{API}/me", headers=ci).status_code == 200
        assert len(b.app.state.token_cache) > 0  # type: ignore[attr-defined]
        assert a.delete(f"{API}/tokens/{token['id']}", headers=actors.learner.headers).status_code == 204
        eventually(lambda: b.get(f"{API}/me", headers=ci).status_code == 401)
        assert b.get(f"{API}/me", headers=ci).status_code == 401
        assert a.get(f"{API}/me", headers=ci).status_code == 401


@pytest.mark.postgres_only
def test_revoked_in_the_database_is_refused_within_a_minute_even_if_cached(
    settings: Settings, actors: Actors, db: Session
) -> None:
    """A cached token re-checks revocation when its use is recorded (at most a minute plus a flush later)."""
    with TestClient(create_app(settings)) as a:
        wait_listening(a)
        created = a.post(f"{API}/tokens", json={"role": "ci", "name": "x"}, headers=actors.learner.headers)
        token = created.json()
        ci = {"Authorization": f"Bearer {token['token']}"}
        assert a.get(f"{API}/me", headers=ci).status_code == 200
        cache = a.app.state.token_cache  # type: ignore[attr-defined]
        entry = next(v for v in cache._entries.values() if v.token_id == token["id"])
        entry.last_used_at = None  # as if a minute had passed
        # Revoked with a Core statement that sends no NOTIFY (not how the API does it).
        db.connection().exec_driver_sql(f"UPDATE api_token SET revoked_at = now() WHERE id = {token['id']}")
        db.commit()
        assert a.get(f"{API}/me", headers=ci).status_code == 200  # noted, not yet written
        a.portal.call(a.app.state.token_usage.flush)  # type: ignore[union-attr,attr-defined]
        assert a.get(f"{API}/me", headers=ci).status_code == 401


def test_last_used_is_recorded_with_the_cache(client: TestClient, actors: Actors, db: Session) -> None:
    created = client.post(f"{API}/tokens", json={"role": "ci", "name": "x"}, headers=actors.learner.headers)
    token = created.json()
    ci = {"Authorization": f"Bearer {token['token']}"}
    assert client.get(f"{API}/me", headers=ci).status_code == 200
    cache = client.app.state.token_cache  # type: ignore[attr-defined]
    for entry in cache._entries.values():
        entry.last_used_at = None
    db.connection().exec_driver_sql(f"UPDATE api_token SET last_used_at = NULL WHERE id = {token['id']}")
    db.commit()
    assert client.get(f"{API}/me", headers=ci).status_code == 200
    usage = client.app.state.token_usage  # type: ignore[attr-defined]
    if usage is not None:  # PostgreSQL: written in the background, not by the request
        db.expire_all()
        assert db.exec(select(ApiToken).where(ApiToken.id == token["id"])).one().last_used_at is None
        client.portal.call(usage.flush)  # type: ignore[union-attr]
    db.expire_all()
    stored = db.exec(select(ApiToken).where(ApiToken.id == token["id"])).one()
    assert stored.last_used_at is not None


@pytest.mark.postgres_only
def test_catalogue_change_on_one_replica_is_served_by_the_other(
    settings: Settings, actors: Actors, db: Session
) -> None:
    arrange_catalogue(db)
    with TestClient(create_app(settings)) as a, TestClient(create_app(settings)) as b:
        wait_listening(a, b)
        learner = actors.learner.headers
        first = b.get(f"{API}/graph", headers=learner)
        etag = first.headers["etag"]
        assert b.get(f"{API}/graph", headers=learner).status_code == 200
        assert b.app.state.catalogue_cache.get() is not None  # type: ignore[attr-defined]
        assert b.get(f"{API}/graph", headers={**learner, "If-None-Match": etag}).status_code == 304

        assert a.put(f"{API}/topics/d/prerequisites/c", headers=actors.admin.headers).status_code == 201
        fresh = a.get(f"{API}/graph", headers=learner)
        assert fresh.headers["etag"] != etag

        def b_is_fresh() -> bool:
            r = b.get(f"{API}/graph", headers={**learner, "If-None-Match": etag})
            return r.status_code == 200 and r.headers["etag"] == fresh.headers["etag"]

        eventually(b_is_fresh)
        assert b.get(f"{API}/graph", headers=learner).json() == fresh.json()
        patched = a.patch(f"{API}/topics/a", json={"title": "Renamed"}, headers=actors.admin.headers)
        assert patched.status_code == 200, patched.text
        eventually(lambda: "Renamed" in b.get(f"{API}/graph", headers=learner).text)


@pytest.mark.postgres_only
def test_caches_are_off_while_the_listener_is_down(settings: Settings, actors: Actors, db: Session) -> None:
    """Without LISTEN, nothing is served from the caches (every request reads the database)."""
    from api import coherence

    arrange_catalogue(db)
    with TestClient(create_app(settings)) as a:
        wait_listening(a)
        app = a.app
        coherence.set_reliable(app.state.engine, False)  # type: ignore[attr-defined]
        assert a.get(f"{API}/graph", headers=actors.learner.headers).status_code == 200
        assert app.state.catalogue_cache.get() is None  # type: ignore[attr-defined]
        assert a.get(f"{API}/me", headers=actors.learner.headers).status_code == 200
        assert len(app.state.token_cache) == 0  # type: ignore[attr-defined]
