"""The shipped curriculum, loaded into the database, renders as an acyclic graph and valid Mermaid."""

from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

from content.loader import load_content
from db.models import Prerequisite, Section, Topic
from tests.conftest import Actors

CONTENT = Path(__file__).resolve().parents[2] / "content"


def test_shipped_curriculum_graph(client: TestClient, db: Session, actors: Actors) -> None:
    content = load_content(CONTENT)
    for sourced in content.sections:
        db.add(Section(**sourced.spec.model_dump()))
    db.flush()
    specs = [s.spec for s in content.topics]
    for i, spec in enumerate(specs):
        db.add(
            Topic(
                id=spec.id,
                slug=spec.slug,
                title=spec.title,
                section=spec.section or "",
                summary=spec.summary,
                objectives=list(spec.objectives),
                est_hours=spec.est_hours,
                position=spec.position if spec.position is not None else i,
            )
        )
    db.flush()
    ids = {spec.slug: spec.id for spec in specs}
    for spec in specs:
        for edge in spec.prerequisites:
            db.add(Prerequisite(topic_id=spec.id, prerequisite_id=ids[edge.topic], kind=edge.kind))
    db.commit()

    graph = client.get("/api/v1/graph", headers=actors.learner.headers).json()
    assert {n["slug"] for n in graph["nodes"]} == set(ids)
    layer = {n["slug"]: n["layer"] for n in graph["nodes"]}
    assert all(layer[e["from"]] < layer[e["to"]] for e in graph["edges"])  # acyclic, layered
    mermaid = client.get("/api/v1/graph?format=mermaid", headers=actors.learner.headers).text
    assert mermaid.startswith("flowchart TD\n")
    assert mermaid.count('["') == len(ids)
    assert sum(" --> " in line or " -.-> " in line for line in mermaid.splitlines()) == len(graph["edges"])
