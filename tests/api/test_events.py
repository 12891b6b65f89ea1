"""The event log: idempotent ids, conflicts, batches, voiding (which leaves every figure) and listing."""

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from api.progress.events import body_hash, duration_minutes
from tests.api.test_progress_support import API, seed_graph
from tests.conftest import Actors


def _event(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "verb": "experienced",
        "object": {"type": "resource", "id": "7"},
        "result": {"duration": "PT25M"},
    }
    body.update(overrides)
    return body


def test_repeat_is_unchanged_and_a_different_body_conflicts(client: TestClient, actors: Actors) -> None:
    h = actors.learner.headers
    url = f"{API}/learners/me/events"
    body = _event(timestamp="2026-11-20T20:15:00+13:00")
    first = client.post(url, json=body, headers=h)
    assert first.status_code == 201, first.text
    assert first.json()["minutes"] == 25
    assert first.json()["timestamp"].startswith("2026-11-20T07:15:00")
    # Same body (same instant written in another offset, keys in another order) -> 200, unchanged.
    same = {
        "timestamp": "2026-11-20T07:15:00Z",
        **{k: v for k, v in reversed(body.items()) if k != "timestamp"},
    }
    repeat = client.post(url, json=same, headers=h)
    assert repeat.status_code == 200
    assert repeat.json() == first.json()
    changed = client.post(url, json={**body, "result": {"duration": "PT30M"}}, headers=h)
    assert changed.status_code == 409
    assert changed.json()["code"] == "event-conflict"
    assert changed.json()["ids"] == [body["id"]]


def test_an_id_used_by_another_learner_conflicts_without_leaking(client: TestClient, actors: Actors) -> None:
    secret = _event(verb="secretly-studied", result={"note": "private"})
    assert (
        client.post(f"{API}/learners/me/events", json=secret, headers=actors.other.headers).status_code == 201
    )
    clash = client.post(f"{API}/learners/me/events", json=secret, headers=actors.learner.headers)
    assert clash.status_code == 409
    assert "private" not in clash.text
    assert "secretly" not in clash.text


def test_timestamp_defaults_to_now_and_stored_is_server_time(client: TestClient, actors: Actors) -> None:
    before = datetime.now(UTC)
    r = client.post(f"{API}/learners/me/events", json=_event(), headers=actors.learner.headers)
    body = r.json()
    stored = datetime.fromisoformat(body["stored"])
    assert before <= stored <= datetime.now(UTC)
    assert datetime.fromisoformat(body["timestamp"]) == stored


def test_batches(client: TestClient, actors: Actors) -> None:
    h = actors.learner.headers
    url = f"{API}/learners/me/events"
    twice = _event()
    dup = client.post(url, json=[twice, _event(), twice], headers=h)
    assert dup.status_code == 400
    assert dup.json()["code"] == "duplicate-event-id"
    assert dup.json()["ids"] == [twice["id"]]
    assert str(twice["id"]) in dup.json()["detail"]

    old = _event()
    assert client.post(url, json=old, headers=h).status_code == 201
    mixed = client.post(url, json=[old, _event()], headers=h)
    assert mixed.status_code == 201
    assert [i["outcome"] for i in mixed.json()["items"]] == ["unchanged", "created"]
    assert (mixed.json()["created"], mixed.json()["unchanged"]) == (1, 1)
    assert client.post(url, json=[old], headers=h).status_code == 200

    fresh = _event()
    conflicting = client.post(url, json=[fresh, {**old, "verb": "read"}], headers=h)
    assert conflicting.status_code == 409
    listed = client.get(url, headers=h).json()["items"]
    assert fresh["id"] not in [e["id"] for e in listed]  # all or nothing
    assert client.post(url, json=[], headers=h).status_code == 400


def test_events_clients_may_not_post(client: TestClient, actors: Actors) -> None:
    h = actors.learner.headers
    url = f"{API}/learners/me/events"
    for body in (
        _event(verb="attempted", object={"type": "exercise", "id": "x"}, result={"success": True}),
        _event(result={"duration": "P1M"}),  # months are ambiguous
        _event(result={"duration_minutes": -3}),
        _event(result={"duration": "PT48H"}),  # more than a day
        _event(verb="voided", object={"type": "event", "id": str(uuid.uuid4())}),  # unknown target
        _event(timestamp="2026-11-20T07:15:00"),  # no offset
    ):
        r = client.post(url, json=body, headers=h)
        assert r.status_code == 422, (body, r.text)


def test_iso_durations() -> None:
    assert duration_minutes("PT1H30M") == 90
    assert duration_minutes("P1DT30S") == 1440.5
    assert duration_minutes("PT0.5H") == 30


def test_voiding_removes_the_target_from_lists_and_every_figure(
    client: TestClient, actors: Actors, db: Session
) -> None:
    seed_graph(db)
    h = actors.learner.headers
    url = f"{API}/learners/me/events"
    client.put(f"{API}/learners/me/goals/current", json={"minutes": 30, "active_days": 1}, headers=h)
    mistake = _event(result={"duration_minutes": 40})
    assert client.post(url, json=mistake, headers=h).status_code == 201
    goal = client.get(f"{API}/learners/me/goals/current", headers=h).json()
    assert goal["met"] is True
    assert goal["progress"]["minutes"]["value"] == 40
    void = _event(verb="voided", object={"type": "event", "id": mistake["id"]}, result=None)
    assert client.post(url, json=void, headers=h).status_code == 201
    assert client.post(url, json=void, headers=h).status_code == 200

    goal = client.get(f"{API}/learners/me/goals/current", headers=h).json()
    assert goal["met"] is False
    assert goal["progress"]["minutes"]["value"] == 0
    assert goal["progress"]["active_days"]["value"] == 0
    assert client.get(url, headers=h).json()["items"] == []
    dash = client.get(f"{API}/learners/me/dashboard", headers=h).json()
    assert dash["recent_activity"] == []
    assert dash["current_goal"]["met"] is False
    # A voiding event cannot itself be voided, and another learner's event cannot be voided.
    again = _event(verb="voided", object={"type": "event", "id": void["id"]}, result=None)
    assert client.post(url, json=again, headers=h).status_code == 422
    theirs = _event()
    client.post(url, json=theirs, headers=actors.other.headers)
    steal = _event(verb="voided", object={"type": "event", "id": theirs["id"]}, result=None)
    assert client.post(url, json=steal, headers=h).status_code == 422


def test_future_events_are_stored_but_not_counted_yet(client: TestClient, actors: Actors) -> None:
    h = actors.learner.headers
    client.put(f"{API}/learners/me/goals/current", json={"minutes": 10}, headers=h)
    later = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    assert (
        client.post(f"{API}/learners/me/events", json=_event(timestamp=later), headers=h).status_code == 201
    )
    assert (
        client.get(f"{API}/learners/me/goals/current", headers=h).json()["progress"]["minutes"]["value"] == 0
    )
    assert len(client.get(f"{API}/learners/me/events", headers=h).json()["items"]) == 1


def test_listing_filters_and_pages_on_stored(client: TestClient, actors: Actors) -> None:
    h = actors.learner.headers
    url = f"{API}/learners/me/events"
    ids = []
    for verb in ("read", "watched", "read", "read", "watched"):
        r = client.post(url, json=_event(verb=verb), headers=h)
        ids.append(r.json()["id"])
    stored = [client.get(url, headers=h).json()["items"][i]["stored"] for i in range(5)]

    seen, cursor = [], None
    while True:
        page = client.get(
            url, params={"limit": 2, **({"cursor": cursor} if cursor else {})}, headers=h
        ).json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    assert [e["id"] for e in client.get(url, params={"verb": "watched"}, headers=h).json()["items"]] == [
        ids[1],
        ids[4],
    ]
    window = client.get(url, params={"since": stored[1], "until": stored[3]}, headers=h).json()["items"]
    assert [e["id"] for e in window] == ids[2:4]  # since is exclusive, until inclusive
    assert client.get(url, params={"cursor": "garbage"}, headers=h).status_code == 400


def _stored_form_hash(**body: Any) -> str:
    """How body hashes of events already stored were computed (one json.dumps of the canonical dict)."""
    stamp = body["timestamp"]
    canonical = {
        "id": body["event_id"],
        "verb": body["verb"],
        "object": {"type": body["object_type"], "id": body["object_id"]},
        "result": body["result"],
        "timestamp": stamp.astimezone(UTC).isoformat() if isinstance(stamp, datetime) else None,
    }
    raw = json.dumps(canonical, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(raw).hexdigest()


def test_body_hashes_match_those_of_stored_events() -> None:
    """A repeat of an event stored before the hash was assembled from parts must still be recognised."""
    cases = [
        {
            "event_id": "e1",
            "verb": "experienced",
            "object_type": "resource",
            "object_id": "42",
            "result": None,
            "timestamp": None,
        },
        {
            "event_id": 'é"x',
            "verb": "v",
            "object_type": "t\n",
            "object_id": "日本",
            "result": {"b": [1, 2.5, None, True], "a": {"z": "ü", "y": 1}},
            "timestamp": datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=5))),
        },
        {
            "event_id": "x",
            "verb": "v",
            "object_type": "t",
            "object_id": "o",
            "result": {},
            "timestamp": datetime.now(UTC),
        },
    ]
    for case in cases:
        assert body_hash(**case) == _stored_form_hash(**case), case
