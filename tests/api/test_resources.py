"""Resource routes: proposals and review, visibility, duplicates, filters, search, ratings, authorization."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.api.test_topics import API, arrange_catalogue
from tests.conftest import Actors

NEW = {"url": "HTTPS://Example.org:443/la/?utm_source=x", "title": "Linear algebra course", "kind": "course"}


def test_admin_adds_learner_proposes(client: TestClient, db: Session, actors: Actors) -> None:
    arrange_catalogue(db)
    body = {**NEW, "topics": ["a"], "provider": "MIT"}
    assert client.post(f"{API}/resources", json=body).status_code == 401
    assert client.post(f"{API}/resources", json=body, headers=actors.runner.headers).status_code == 403
    assert client.post(f"{API}/resources", json=body, headers=actors.ci.headers).status_code == 403
    r = client.post(f"{API}/resources", json=body, headers=actors.admin.headers)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["url"] == "https://example.org/la/"
    assert created["status"] == "approved" and created["reviewed_by"] and created["reviewed_at"]
    assert created["topics"] == ["a"] and created["rating_count"] == 0 and created["link_status"] == "unknown"

    dup = client.post(
        f"{API}/resources", json={**body, "url": "https://example.org/la/"}, headers=actors.learner.headers
    )
    assert dup.status_code == 409 and dup.json()["existing_id"] == created["id"]
    unknown = client.post(
        f"{API}/resources",
        json={**body, "url": "https://x.org/", "topics": ["zz"]},
        headers=actors.admin.headers,
    )
    assert unknown.status_code == 422 and unknown.json()["field"] == "topics"
    bad_url = client.post(
        f"{API}/resources", json={**body, "url": "ftp://x.org/"}, headers=actors.admin.headers
    )
    assert bad_url.status_code == 422 and bad_url.json()["field"] == "url"

    proposal = client.post(
        f"{API}/resources", json={**body, "url": "https://p.org/"}, headers=actors.learner.headers
    )
    assert proposal.status_code == 201 and proposal.json()["status"] == "proposed"
    pid = proposal.json()["id"]
    assert proposal.json()["proposed_by_id"] == actors.learner.learner_id
    assert client.get(f"{API}/resources/{pid}", headers=actors.learner.headers).status_code == 200
    assert client.get(f"{API}/resources/{pid}", headers=actors.other.headers).status_code == 404
    assert client.get(f"{API}/resources/{pid}", headers=actors.runner.headers).status_code == 404
    assert client.get(f"{API}/resources/{pid}").status_code == 401
    mine = client.get(f"{API}/resources", headers=actors.learner.headers).json()
    assert {x["id"] for x in mine["items"]} == {created["id"], pid}
    theirs = client.get(f"{API}/resources", headers=actors.other.headers).json()
    assert {x["id"] for x in theirs["items"]} == {created["id"]}
    assert client.get(f"{API}/resources?status=proposed", headers=actors.other.headers).json()["items"] == []


def test_review_workflow(client: TestClient, db: Session, actors: Actors) -> None:
    arrange_catalogue(db)
    pid = client.post(
        f"{API}/resources", json={**NEW, "topics": ["a"]}, headers=actors.learner.headers
    ).json()["id"]
    url = f"{API}/resources/{pid}"
    assert client.patch(url, json={"status": "approved"}, headers=actors.learner.headers).status_code == 403
    assert client.patch(url, json={"status": "approved"}).status_code == 401
    bad = client.patch(url, json={"status": "archived"}, headers=actors.admin.headers)
    assert bad.status_code == 409 and bad.json()["from"] == "proposed" and bad.json()["to"] == "archived"
    etag = client.get(url, headers=actors.admin.headers).headers["etag"]
    ok = client.patch(url, json={"status": "approved"}, headers={**actors.admin.headers, "If-Match": etag})
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "approved" and ok.json()["reviewed_by"].startswith("admin:")
    stale = client.patch(url, json={"title": "x"}, headers={**actors.admin.headers, "If-Match": etag})
    assert stale.status_code == 412
    assert client.get(url, headers=actors.other.headers).status_code == 200
    assert (
        client.patch(url, json={"status": "archived"}, headers=actors.admin.headers).json()["status"]
        == "archived"
    )
    assert client.get(url, headers=actors.other.headers).status_code == 404
    assert client.patch(url, json={"status": "rejected"}, headers=actors.admin.headers).status_code == 409
    assert client.patch(url, json={"topics": ["b", "c"]}, headers=actors.admin.headers).json()["topics"] == [
        "b",
        "c",
    ]
    assert client.delete(url, headers=actors.learner.headers).status_code == 403
    assert client.delete(url, headers=actors.admin.headers).status_code == 204
    assert client.get(url, headers=actors.admin.headers).status_code == 404


def test_filters_search_and_pagination(client: TestClient, db: Session, actors: Actors) -> None:
    arrange_catalogue(db)
    specs = [
        ("https://a.org/1", "Essence of linear algebra", "video", "3Blue1Brown", True, ["a"]),
        ("https://a.org/2", "Deep learning book", "book", "MIT Press", False, ["b"]),
        ("https://a.org/3", "Tokenizers explained", "article", "Hugging Face", True, ["d"]),
        ("https://a.org/4", "Derivatives intuition", "video", "Khan Academy", True, ["b"]),
    ]
    for url, title, kind, provider, free, topics in specs:
        body = {
            "url": url,
            "title": title,
            "kind": kind,
            "provider": provider,
            "is_free": free,
            "topics": topics,
        }
        assert client.post(f"{API}/resources", json=body, headers=actors.admin.headers).status_code == 201

    def titles(query: str) -> list[str]:
        r = client.get(f"{API}/resources?{query}", headers=actors.learner.headers)
        assert r.status_code == 200, r.text
        return [x["title"] for x in r.json()["items"]]

    assert titles("kind=video") == ["Essence of linear algebra", "Derivatives intuition"]
    assert titles("is_free=false") == ["Deep learning book"]
    assert titles("topic=b") == ["Deep learning book", "Derivatives intuition"]
    assert titles("q=algebra") == ["Essence of linear algebra"]
    assert titles("q=khan") == ["Derivatives intuition"]
    assert titles("q=calculus") == ["Deep learning book", "Derivatives intuition"]  # via the topic's title
    assert titles("link_status=ok") == []
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{API}/resources", params=params, headers=actors.learner.headers).json()
        seen += [x["title"] for x in page["items"]]
        assert page["total"] == 4
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 4 == len(set(seen))


def test_ratings(client: TestClient, db: Session, actors: Actors) -> None:
    arrange_catalogue(db)
    rid = client.post(f"{API}/resources", json={**NEW, "topics": ["a"]}, headers=actors.admin.headers).json()[
        "id"
    ]
    url = f"{API}/resources/{rid}/rating"
    assert client.put(url, json={"stars": 5}).status_code == 401
    assert client.put(url, json={"stars": 5}, headers=actors.admin.headers).status_code == 403
    assert client.put(url, json={"stars": 5}, headers=actors.runner.headers).status_code == 403
    assert client.put(url, json={"stars": 6}, headers=actors.learner.headers).status_code == 422
    assert client.put(url, json={"stars": 5}, headers=actors.learner.headers).json()["rating_count"] == 1
    r = client.put(url, json={"stars": 2, "comment": "meh"}, headers=actors.learner.headers)
    assert r.status_code == 200 and r.json()["rating_avg"] == 2 and r.json()["rating_count"] == 1
    assert client.put(url, json={"stars": 5}, headers=actors.other.headers).json()["rating_avg"] == 3.5
    shown = client.get(f"{API}/resources/{rid}", headers=actors.other.headers).json()
    assert (shown["rating_avg"], shown["rating_count"]) == (3.5, 2)
    pid = client.post(
        f"{API}/resources",
        json={**NEW, "url": "https://q.org/", "topics": ["a"]},
        headers=actors.learner.headers,
    ).json()["id"]
    assert (
        client.put(
            f"{API}/resources/{pid}/rating", json={"stars": 4}, headers=actors.other.headers
        ).status_code
        == 404
    )
    assert (
        client.put(
            f"{API}/resources/{pid}/rating", json={"stars": 4}, headers=actors.learner.headers
        ).status_code
        == 409
    )
