"""Exercise routes: list, detail, filters, and no hidden test or reference solution ever served."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from content.exercises import ExerciseSpec
from db.session import make_session_factory, session_scope
from tests.conftest import Actors
from tests.e2e.seed import seed_exercises, shipped_exercises, tiny_spec


@pytest.fixture
def specs(engine: Engine) -> list[ExerciseSpec]:
    """The shipped exercises plus the tiny one, loaded into the test database."""
    loaded = [*shipped_exercises(), tiny_spec()]
    with session_scope(make_session_factory(engine)) as session:
        seed_exercises(session, loaded)
    return loaded


def test_list_and_detail(client: TestClient, actors: Actors, specs: list[ExerciseSpec]) -> None:
    r = client.get("/api/v1/exercises", headers=actors.learner.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(specs)
    assert {item["slug"] for item in body["items"]} == {s.slug for s in specs}
    item = next(i for i in body["items"] if i["slug"] == "tiny-add")
    assert item == {
        "slug": "tiny-add",
        "topic": "python-basics",
        "title": "Add two numbers",
        "difficulty": "easy",
        "points": 2,
        "limits": {"timeout_s": 30, "memory_mb": 512},
    }
    detail = client.get("/api/v1/exercises/tiny-add", headers=actors.learner.headers).json()
    assert detail["instructions"] == "Write `add(a, b)`."
    assert detail["starter_files"] == {"solution.py": tiny_spec().starter_files["solution.py"]}
    assert detail["visible_tests"] == tiny_spec().visible_tests
    assert detail["files"] == ["solution.py"]


def test_filter_by_topic_and_paging(client: TestClient, actors: Actors, specs: list[ExerciseSpec]) -> None:
    r = client.get("/api/v1/exercises", params={"topic": "python-basics"}, headers=actors.learner.headers)
    assert [i["slug"] for i in r.json()["items"]] == ["tiny-add"]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/exercises", params=params, headers=actors.learner.headers).json()
        seen += [i["slug"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(s.slug for s in specs)
    assert len(seen) == len(set(seen))


def test_unknown_exercise_and_auth(client: TestClient, actors: Actors, specs: list[ExerciseSpec]) -> None:
    assert client.get("/api/v1/exercises").status_code == 401
    assert client.get("/api/v1/exercises/tiny-add").status_code == 401
    missing = client.get("/api/v1/exercises/nope", headers=actors.learner.headers)
    assert missing.status_code == 404
    assert missing.json()["code"] == "exercise-not-found"
    for actor in (actors.admin, actors.runner, actors.ci, actors.other):
        assert client.get("/api/v1/exercises/tiny-add", headers=actor.headers).status_code == 200


def _secrets(spec: ExerciseSpec) -> list[str]:
    """Distinctive lines of hidden tests and reference files (imports and blank lines are shared)."""
    lines: list[str] = []
    for text in [*spec.hidden_tests.values(), *spec.reference_files.values()]:
        for line in text.splitlines():
            stripped = line.strip()
            if len(stripped) < 25 or stripped.startswith(("import ", "from ", "#", '"""', "def ", "return ")):
                continue
            lines.append(stripped)
    return lines


def test_no_route_serves_hidden_tests_or_reference(
    client: TestClient, actors: Actors, specs: list[ExerciseSpec]
) -> None:
    """Every learner-facing exercise response, for every exercise, is free of hidden and reference text."""
    documents = [client.get("/api/v1/exercises", params={"limit": 200}, headers=actors.learner.headers).text]
    for spec in specs:
        documents.append(client.get(f"/api/v1/exercises/{spec.slug}", headers=actors.learner.headers).text)
        documents.append(
            client.get("/api/v1/exercises", params={"topic": spec.topic}, headers=actors.learner.headers).text
        )
    documents.append(client.get("/openapi.json").text)
    served = "\n".join(documents)
    assert "test_add_hidden_secret_case" not in served
    served = served.replace("\\n", "\n").replace('\\"', '"')
    # A hidden or reference line may coincide with public text (a starter, a visible test, instructions of any
    # exercise, e.g. a generic `torch.testing.assert_close(`); only lines found nowhere public are secrets.
    public = "\n".join(
        text
        for spec in specs
        for text in [*spec.starter_files.values(), *spec.visible_tests.values(), spec.instructions]
    )
    secret_lines = [line for spec in specs for line in _secrets(spec) if line not in public]
    assert len(secret_lines) > 10 * len(specs) // 2, "the check would be vacuous"
    for spec in specs:
        assert spec.hidden_tests and spec.reference_files
        leaked = [line for line in _secrets(spec) if line in served and line not in public]
        assert leaked == [], spec.slug
