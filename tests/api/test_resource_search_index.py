"""PostgreSQL resource search reads its GIN indexes (migration 0003) instead of scanning every row."""

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.api.test_topics import API, arrange_catalogue
from tests.conftest import Actors

pytestmark = pytest.mark.postgres_only  # SQLite searches by substring and has no such index


@pytest.fixture
def search_statements() -> Iterator[list[tuple[str, Any]]]:
    """Every SQL statement (with its parameters) that runs a full-text search while the test runs."""
    seen: list[tuple[str, Any]] = []

    def note(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if "websearch_to_tsquery" in statement:
            seen.append((statement, parameters))

    sa.event.listen(Engine, "before_cursor_execute", note)
    yield seen
    sa.event.remove(Engine, "before_cursor_execute", note)


def test_search_uses_the_title_and_topic_indexes(
    client: TestClient, db: Session, engine: Engine, actors: Actors, search_statements: list[tuple[str, Any]]
) -> None:
    arrange_catalogue(db)
    for n, (title, topic) in enumerate([("Essence of linear algebra", "a"), ("Deep learning book", "b")]):
        body = {"url": f"https://a.org/{n}", "title": title, "kind": "book", "topics": [topic]}
        assert client.post(f"{API}/resources", json=body, headers=actors.admin.headers).status_code == 201

    found = client.get(f"{API}/resources?q=calculus", headers=actors.learner.headers)
    assert [r["title"] for r in found.json()["items"]] == ["Deep learning book"]  # via its topic's title
    statements = list(search_statements)  # the EXPLAINs below would be noted too
    assert statements, "the search ran no full-text query"

    with engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")  # a tiny table: make any usable index win
        for statement, parameters in statements:
            plan = "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
            assert "ix_resource_search" in plan, plan
            assert "ix_topic_search" in plan, plan
