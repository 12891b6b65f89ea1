"""Sign-up, learners, tokens and `/me`, including who may do what."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from db.models import ApiToken
from tests.conftest import Actors

API = "/api/v1"


def test_signup_creates_learner_and_working_token(client: TestClient) -> None:
    r = client.post(f"{API}/signup", json={"handle": "Grace", "timezone": "Europe/Paris"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["learner"]["handle"] == "grace"
    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["learner"]["id"] == body["learner"]["id"]


def test_signup_closed_is_403(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    app.state.settings = app.state.settings.model_copy(update={"open_signup": False})
    r = client.post(f"{API}/signup", json={"handle": "closed"})
    assert r.status_code == 403
    assert r.json()["code"] == "signup-closed"


def test_duplicate_handle_is_409(client: TestClient, actors: Actors) -> None:
    assert (
        client.post(f"{API}/learners", json={"handle": "dup"}, headers=actors.admin.headers).status_code
        == 201
    )
    r = client.post(f"{API}/learners", json={"handle": "DUP"}, headers=actors.admin.headers)
    assert r.status_code == 409
    assert r.json()["code"] == "handle-taken"


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("learner", 403), ("runner", 403), ("ci", 403), ("admin", 201)],
)
def test_create_learner_authorization(client: TestClient, actors: Actors, who: str, status: int) -> None:
    headers = {} if who == "anonymous" else getattr(actors, who).headers
    assert (
        client.post(f"{API}/learners", json={"handle": f"new-{who}"}, headers=headers).status_code == status
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("self", 200), ("other", 404), ("runner", 403), ("ci", 403), ("admin", 200)],
)
def test_read_learner_authorization(client: TestClient, actors: Actors, who: str, status: int) -> None:
    actor = {"self": actors.learner}.get(who) or (None if who == "anonymous" else getattr(actors, who))
    headers = actor.headers if actor else {}
    assert client.get(f"{API}/learners/{actors.learner.learner_id}", headers=headers).status_code == status


def test_me_alias_and_patch_with_if_match(client: TestClient, actors: Actors) -> None:
    r = client.get(f"{API}/learners/me", headers=actors.learner.headers)
    etag = r.headers["etag"]
    ok = client.patch(
        f"{API}/learners/me",
        json={"timezone": "Pacific/Auckland", "week_start": "sunday"},
        headers={**actors.learner.headers, "If-Match": etag},
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["timezone"] == "Pacific/Auckland"
    stale = client.patch(
        f"{API}/learners/me", json={"display_name": "x"}, headers={**actors.learner.headers, "If-Match": etag}
    )
    assert stale.status_code == 412
    bad = client.patch(
        f"{API}/learners/me", json={"timezone": "Nowhere/Land"}, headers=actors.learner.headers
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["body", "timezone"]


def test_token_lifecycle(client: TestClient, actors: Actors, db: Session) -> None:
    created = client.post(f"{API}/tokens", json={"role": "ci", "name": "gha"}, headers=actors.learner.headers)
    assert created.status_code == 201, created.text
    token = created.json()
    assert token["token"].startswith("sy_") and token["prefix"] == token["token"][:11]
    assert token["learner_id"] == actors.learner.learner_id
    ci_headers = {"Authorization": f"Bearer {token['token']}"}
    assert client.get(f"{API}/me", headers=ci_headers).json()["role"] == "ci"

    listed = client.get(f"{API}/tokens", headers=actors.learner.headers).json()
    assert token["id"] in {t["id"] for t in listed["items"]}
    assert "token" not in listed["items"][0]
    stored = db.exec(select(ApiToken).where(ApiToken.id == token["id"])).one()
    assert token["token"] not in stored.token_hash  # only the keyed hash is stored
    assert stored.last_used_at is not None

    assert client.delete(f"{API}/tokens/{token['id']}", headers=actors.other.headers).status_code == 404
    assert client.delete(f"{API}/tokens/{token['id']}", headers=actors.learner.headers).status_code == 204
    assert client.get(f"{API}/me", headers=ci_headers).status_code == 401


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("learner", {"role": "admin", "name": "x"}, 403),
        ("learner", {"role": "learner", "name": "x"}, 403),
        ("learner", {"role": "ci", "name": "x", "learner_id": -1}, 403),
        ("ci", {"role": "ci", "name": "x"}, 403),
        ("runner", {"role": "runner", "name": "x"}, 403),
        ("admin", {"role": "runner", "name": "r"}, 201),
        ("admin", {"role": "ci", "name": "x"}, 400),
        ("admin", {"role": "runner", "name": "x", "learner_id": 1}, 400),
        ("admin", {"role": "root", "name": "x"}, 422),
    ],
)
def test_token_minting_rules(client: TestClient, actors: Actors, who: str, body: dict, status: int) -> None:  # type: ignore[type-arg]
    r = client.post(f"{API}/tokens", json=body, headers=getattr(actors, who).headers)
    assert r.status_code == status, r.text


def test_tokens_list_is_own_only_and_paginated(client: TestClient, actors: Actors) -> None:
    mine = client.get(f"{API}/tokens", headers=actors.learner.headers).json()["items"]
    assert {t["learner_id"] for t in mine} == {actors.learner.learner_id}
    page = client.get(f"{API}/tokens?limit=2", headers=actors.admin.headers).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = client.get(
        f"{API}/tokens?limit=200&cursor={page['next_cursor']}", headers=actors.admin.headers
    ).json()
    ids = [t["id"] for t in page["items"] + rest["items"]]
    assert ids == sorted(set(ids)) and len(ids) == 5
    assert client.get(f"{API}/tokens?cursor=garbage!!", headers=actors.admin.headers).status_code == 400
    assert client.get(f"{API}/tokens", headers=actors.runner.headers).status_code == 403
