"""GET /graph: layers, ETag/304, cache invalidation, Mermaid/DOT output and the progress overlay."""

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from api.topics.graph import layers
from db.models import Topic, TopicProgress
from tests.api.test_coherence import eventually
from tests.api.test_topics import API, arrange_catalogue
from tests.conftest import Actors


def test_layers_are_longest_paths() -> None:
    assert layers(["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("a", "c"), ("a", "d")]) == {
        "a": 0,
        "b": 1,
        "c": 2,
        "d": 1,
    }


def test_graph_json_etag_and_invalidation(client: TestClient, db: Session, actors: Actors) -> None:
    ids = arrange_catalogue(db)
    assert client.get(f"{API}/graph").status_code == 401
    r = client.get(f"{API}/graph", headers=actors.runner.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert {n["slug"]: n["layer"] for n in body["nodes"]} == {"a": 0, "b": 1, "c": 2, "d": 1}
    assert {(e["from"], e["to"], e["kind"]) for e in body["edges"]} == {
        ("a", "b", "hard"),
        ("b", "c", "hard"),
        ("a", "d", "soft"),
    }
    etag = r.headers["etag"]
    cached = client.get(f"{API}/graph", headers={**actors.learner.headers, "If-None-Match": etag})
    assert cached.status_code == 304 and cached.headers["etag"] == etag

    assert client.put(f"{API}/topics/d/prerequisites/c", headers=actors.admin.headers).status_code == 201
    changed = client.get(f"{API}/graph", headers={**actors.learner.headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert {n["slug"]: n["layer"] for n in changed.json()["nodes"]}["d"] == 3

    # A change made through another engine (as content sync does; an ORM flush announces it with NOTIFY)
    # is seen too, as soon as the notification arrives.
    topic = db.get(Topic, ids["a"])
    assert topic is not None
    topic.title = "Renamed"
    topic.version += 1
    db.add(topic)
    db.commit()

    def renamed() -> bool:
        graph = client.get(f"{API}/graph", headers=actors.learner.headers).json()
        return "Renamed" in {n["title"] for n in graph["nodes"]}

    eventually(renamed)


def test_graph_mermaid_and_dot(client: TestClient, db: Session, actors: Actors) -> None:
    arrange_catalogue(db)
    r = client.get(f"{API}/graph?format=mermaid", headers=actors.learner.headers)
    assert r.status_code == 200, r.text
    text = r.text
    assert text.startswith("flowchart TD\n")
    node_lines = [line.strip() for line in text.splitlines()[1:] if "[" in line]
    assert len(node_lines) == 4
    for line in node_lines:
        assert re.fullmatch(r't\d+\["[^"\[\]<>]*"\]', line), line
    assert "Word #quot;embeddings#quot; #lt;2#gt;" in text
    edge_lines = [line.strip() for line in text.splitlines() if "->" in line]
    assert len(edge_lines) == 3
    assert sum("-.->" in line for line in edge_lines) == 1
    etag = r.headers["etag"]
    again = client.get(
        f"{API}/graph?format=mermaid", headers={**actors.learner.headers, "If-None-Match": etag}
    )
    assert again.status_code == 304

    dot = client.get(f"{API}/graph?format=dot", headers=actors.learner.headers).text
    assert dot.startswith("digraph syllabus {")
    assert '"a" -> "d" [style=dashed];' in dot
    assert 'label="Word \\"embeddings\\" <2>"' in dot


def test_graph_progress_overlay(client: TestClient, db: Session, actors: Actors) -> None:
    ids = arrange_catalogue(db)
    assert actors.learner.learner_id is not None
    db.add(TopicProgress(learner_id=actors.learner.learner_id, topic_id=ids["a"], status="completed"))
    db.commit()
    mine = client.get(f"{API}/graph?learner_id=me", headers=actors.learner.headers)
    assert mine.status_code == 200, mine.text
    nodes = {n["slug"]: n for n in mine.json()["nodes"]}
    assert nodes["a"]["status"] == "completed" and nodes["b"]["status"] == "not_started"
    assert all(n["mastery"] for n in nodes.values())
    by_id = client.get(f"{API}/graph?learner_id={actors.learner.learner_id}", headers=actors.admin.headers)
    assert by_id.json() == mine.json()
    other = client.get(f"{API}/graph?learner_id={actors.learner.learner_id}", headers=actors.other.headers)
    assert other.status_code == 404
    assert client.get(f"{API}/graph?learner_id=me", headers=actors.admin.headers).status_code == 404
    assert client.get(f"{API}/graph?learner_id=99999", headers=actors.admin.headers).status_code == 404
    assert client.get(f"{API}/graph?learner_id=1", headers=actors.runner.headers).status_code == 404
    overlay_mermaid = client.get(f"{API}/graph?learner_id=me&format=mermaid", headers=actors.learner.headers)
    assert "(completed)" in overlay_mermaid.text
