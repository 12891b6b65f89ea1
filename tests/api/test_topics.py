"""Topic routes: listing, detail, curation, prerequisite edges and their authorization."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from api.pagination import encode_cursor
from db.models import Exercise, Prerequisite, Resource, ResourceTopic, Section, Topic
from tests.conftest import Actors

API = "/api/v1"


def arrange_catalogue(db: Session) -> dict[str, int]:
    """Two sections; a -> b -> c chain (c needs b needs a) plus a soft edge a -> d."""
    db.add_all(
        [
            Section(slug="mathematics", title="Mathematics", position=0),
            Section(slug="nlp", title="NLP", position=1),
        ]
    )
    db.flush()
    topics = {
        slug: Topic(slug=slug, title=title, section=section, position=i, objectives=["know " + slug])
        for i, (slug, title, section) in enumerate(
            [
                ("a", "Linear algebra", "mathematics"),
                ("b", "Calculus", "mathematics"),
                ("c", 'Word "embeddings" <2>', "nlp"),
                ("d", "Tokenization", "nlp"),
            ]
        )
    }
    db.add_all(topics.values())
    db.flush()
    ids = {slug: t.id for slug, t in topics.items()}
    db.add_all(
        [
            Prerequisite(topic_id=ids["b"], prerequisite_id=ids["a"], kind="hard"),
            Prerequisite(topic_id=ids["c"], prerequisite_id=ids["b"], kind="hard"),
            Prerequisite(topic_id=ids["d"], prerequisite_id=ids["a"], kind="soft"),
        ]
    )
    db.commit()
    return {k: v for k, v in ids.items() if v is not None}


def test_list_topics_filters_and_paginates(client: TestClient, db: Session, actors: Actors) -> None:
    arrange_catalogue(db)
    r = client.get(f"{API}/topics", headers=actors.learner.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [t["slug"] for t in body["items"]] == ["a", "b", "c", "d"]
    assert body["total"] == 4
    assert body["items"][2]["prerequisites"] == ["b"]
    assert body["items"][2]["section_title"] == "NLP"
    assert client.get(f"{API}/topics?section=nlp", headers=actors.runner.headers).json()["total"] == 2
    assert [
        t["slug"] for t in client.get(f"{API}/topics?q=CALC", headers=actors.learner.headers).json()["items"]
    ] == ["b"]
    seen, cursor = [], None
    while True:
        page = client.get(
            f"{API}/topics",
            params={"limit": 3, **({"cursor": cursor} if cursor else {})},
            headers=actors.learner.headers,
        ).json()
        seen += [t["slug"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["a", "b", "c", "d"]
    assert client.get(f"{API}/topics").status_code == 401
    assert client.get(f"{API}/topics?cursor=garbage", headers=actors.learner.headers).status_code == 400


def test_topic_list_follows_catalogue_changes_and_refuses_forged_cursors(
    client: TestClient, db: Session, actors: Actors
) -> None:
    arrange_catalogue(db)
    url = f"{API}/topics"
    assert client.get(url, headers=actors.learner.headers).json()["items"][0]["title"] != "Sets, renamed"
    client.get(url, headers=actors.learner.headers)  # served from the catalogue cache where it is on
    changed = client.patch(f"{API}/topics/a", json={"title": "Sets, renamed"}, headers=actors.admin.headers)
    assert changed.status_code == 200, changed.text
    assert client.get(url, headers=actors.learner.headers).json()["items"][0]["title"] == "Sets, renamed"
    forged = encode_cursor(["x", 1, 2])
    assert client.get(url, params={"cursor": forged}, headers=actors.learner.headers).status_code == 400


def test_topic_detail(client: TestClient, db: Session, actors: Actors) -> None:
    ids = arrange_catalogue(db)
    db.add(Exercise(slug="ex-b", topic_id=ids["b"], title="Derivatives", points=10, content_hash="x"))
    db.add(Exercise(slug="old-b", topic_id=ids["b"], title="Old", status="archived", content_hash="y"))
    approved = Resource(url="https://x.org/b", title="B video", kind="video", status="approved")
    proposed = Resource(url="https://x.org/p", title="Proposed", kind="video", status="proposed")
    db.add_all([approved, proposed])
    db.flush()
    db.add_all(
        [
            ResourceTopic(resource_id=approved.id or 0, topic_id=ids["b"]),
            ResourceTopic(resource_id=proposed.id or 0, topic_id=ids["b"]),
        ]
    )
    db.commit()
    r = client.get(f"{API}/topics/b", headers=actors.learner.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["objectives"] == ["know b"]
    assert body["prerequisites"] == ["a"]
    assert body["unlocks"] == ["c"]
    assert [x["title"] for x in body["resources"]] == ["B video"]
    assert body["exercises"] == [{"slug": "ex-b", "title": "Derivatives", "points": 10}]
    etag = r.headers["etag"]
    again = client.get(f"{API}/topics/b", headers={**actors.learner.headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert (
        client.get(f"{API}/topics/nope", headers=actors.learner.headers).json()["code"] == "topic-not-found"
    )
    assert client.get(f"{API}/topics/b").status_code == 401


def test_create_update_topic(client: TestClient, db: Session, actors: Actors) -> None:
    arrange_catalogue(db)
    new = {"slug": "e", "title": "Attention", "section": "nlp", "est_hours": 3, "prerequisites": ["c"]}
    assert client.post(f"{API}/topics", json=new).status_code == 401
    assert client.post(f"{API}/topics", json=new, headers=actors.learner.headers).status_code == 403
    assert client.post(f"{API}/topics", json=new, headers=actors.runner.headers).status_code == 403
    r = client.post(f"{API}/topics", json=new, headers=actors.admin.headers)
    assert r.status_code == 201, r.text
    assert r.json()["prerequisites"] == ["c"]
    dup = client.post(f"{API}/topics", json=new, headers=actors.admin.headers)
    assert dup.status_code == 409 and dup.json()["code"] == "topic-slug-taken"
    bad = client.post(
        f"{API}/topics", json={**new, "slug": "f", "section": "nope"}, headers=actors.admin.headers
    )
    assert bad.status_code == 422 and bad.json()["field"] == "section"

    etag = client.get(f"{API}/topics/e", headers=actors.admin.headers).headers["etag"]
    patch = {"title": "Attention mechanisms"}
    assert client.patch(f"{API}/topics/e", json=patch, headers=actors.learner.headers).status_code == 403
    ok = client.patch(f"{API}/topics/e", json=patch, headers={**actors.admin.headers, "If-Match": etag})
    assert ok.status_code == 200, ok.text
    assert ok.json()["title"] == "Attention mechanisms" and ok.json()["version"] == 2
    assert ok.headers["etag"] != etag
    stale = client.patch(
        f"{API}/topics/e", json={"title": "X"}, headers={**actors.admin.headers, "If-Match": etag}
    )
    assert stale.status_code == 412


def test_delete_topic_refused_while_depended_on(client: TestClient, db: Session, actors: Actors) -> None:
    arrange_catalogue(db)
    assert client.delete(f"{API}/topics/a", headers=actors.learner.headers).status_code == 403
    r = client.delete(f"{API}/topics/a", headers=actors.admin.headers)
    assert r.status_code == 409 and r.json()["dependants"] == ["b", "d"]
    assert client.delete(f"{API}/topics/c", headers=actors.admin.headers).status_code == 204
    slugs = [t["slug"] for t in client.get(f"{API}/topics", headers=actors.learner.headers).json()["items"]]
    assert "c" not in slugs
    assert client.get(f"{API}/topics/c", headers=actors.learner.headers).status_code == 404
    assert client.get(f"{API}/topics/c", headers=actors.admin.headers).json()["status"] == "archived"
    assert client.delete(f"{API}/topics/a?force=true", headers=actors.admin.headers).status_code == 204
    assert client.get(f"{API}/topics/b", headers=actors.learner.headers).json()["prerequisites"] == []


def test_prerequisite_edges_and_cycle_refusal(client: TestClient, db: Session, actors: Actors) -> None:
    arrange_catalogue(db)
    url = f"{API}/topics/d/prerequisites/b"
    assert client.put(url, json={"kind": "hard"}).status_code == 401
    assert client.put(url, json={"kind": "hard"}, headers=actors.learner.headers).status_code == 403
    first = client.put(url, json={"kind": "hard"}, headers=actors.admin.headers)
    assert first.status_code == 201, first.text
    again = client.put(url, json={"kind": "hard"}, headers=actors.admin.headers)
    assert again.status_code == 200 and again.json() == {"topic": "d", "prerequisite": "b", "kind": "hard"}
    assert client.put(url, json={"kind": "soft"}, headers=actors.admin.headers).json()["kind"] == "soft"

    cycle = client.put(f"{API}/topics/a/prerequisites/c", headers=actors.admin.headers)
    assert cycle.status_code == 409, cycle.text
    assert cycle.json()["detail"] == "would close a cycle: a -> c -> b -> a"
    assert cycle.json()["cycle"] == ["a", "c", "b", "a"]
    self_edge = client.put(f"{API}/topics/a/prerequisites/a", headers=actors.admin.headers)
    assert self_edge.status_code == 409 and self_edge.json()["cycle"] == ["a", "a"]

    assert client.delete(url, headers=actors.learner.headers).status_code == 403
    assert client.delete(url, headers=actors.admin.headers).status_code == 204
    assert client.delete(url, headers=actors.admin.headers).status_code == 204
    assert client.get(f"{API}/topics/d", headers=actors.learner.headers).json()["prerequisites"] == ["a"]
    assert client.put(f"{API}/topics/zz/prerequisites/a", headers=actors.admin.headers).status_code == 404
