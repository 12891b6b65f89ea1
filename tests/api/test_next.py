"""What to study next and the path to a target, in a valid prerequisite order."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.api.test_progress_support import API, seed_graph
from tests.conftest import Actors


def _set(client: TestClient, actors: Actors, slug: str, status: str) -> None:
    r = client.put(
        f"{API}/learners/me/topics/{slug}/progress", json={"status": status}, headers=actors.learner.headers
    )
    assert r.status_code == 200, r.text


def test_next_lists_unlocked_topics_in_order_and_locked_ones(
    client: TestClient, actors: Actors, db: Session
) -> None:
    seed_graph(db)
    h = actors.learner.headers
    body = client.get(f"{API}/learners/me/next", headers=h).json()
    # c only prefers a (soft): unlocked, but listed after a. e's prerequisite is archived: never blocks.
    assert [t["slug"] for t in body["items"]] == ["a", "c", "e", "f"]
    assert "soft prerequisites a" in body["items"][1]["reason"]
    assert body["items"][0]["reason"] == "no hard prerequisites"
    locked = {t["slug"]: t["unmet_prerequisites"] for t in body["locked"]}
    assert locked == {"b": ["a"], "d": ["b", "c"]}

    _set(client, actors, "f", "in_progress")
    _set(client, actors, "a", "completed")
    _set(client, actors, "c", "skipped")  # skipped unlocks what needs it
    body = client.get(f"{API}/learners/me/next", headers=h).json()
    assert [t["slug"] for t in body["items"]] == ["f", "b", "e"]  # in progress first
    assert body["items"][0]["reason"].startswith("in progress")
    assert body["items"][1]["reason"] == "unlocked: hard prerequisites a done"
    assert body["locked"] == [{"slug": "d", "title": "D", "section": "nn", "unmet_prerequisites": ["b"]}]


def test_path_to_a_target(client: TestClient, actors: Actors, db: Session) -> None:
    seed_graph(db)
    h = actors.learner.headers
    body = client.get(f"{API}/learners/me/path", params={"target": "d"}, headers=h).json()
    assert [s["slug"] for s in body["items"]] == ["a", "b", "c", "d"]
    assert body["total_est_hours"] == 2.0 + 3.0 + 1.5 + 4.0
    assert body["items"][-1]["reason"] == "the target"
    assert body["items"][1]["reason"] == "hard prerequisite of d"
    assert [s["unlocked"] for s in body["items"]] == [True, False, True, False]

    _set(client, actors, "a", "completed")
    body = client.get(f"{API}/learners/me/path", params={"target": "d"}, headers=h).json()
    assert [s["slug"] for s in body["items"]] == ["b", "c", "d"]
    assert body["total_est_hours"] == 8.5
    # b's soft prerequisite is not needed for b: the path holds only hard needs.
    assert [s["slug"] for s in client.get(f"{API}/learners/me/path?target=c", headers=h).json()["items"]] == [
        "c"
    ]
    _set(client, actors, "d", "completed")
    assert client.get(f"{API}/learners/me/path?target=d", headers=h).json() == {
        "target": "d",
        "items": [],
        "total_est_hours": 0.0,
    }
    missing = client.get(f"{API}/learners/me/path?target=nope", headers=h)
    assert missing.status_code == 404
    assert missing.json()["code"] == "topic-not-found"
    assert client.get(f"{API}/learners/me/path", headers=h).status_code == 422
