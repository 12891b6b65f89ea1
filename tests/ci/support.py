"""Test helpers for CI results: fixture files and a minimal exercise row."""

from pathlib import Path

from sqlalchemy.engine import Engine

from db.models import Exercise, Section, Topic
from db.session import make_session_factory, session_scope

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_text(name: str) -> str:
    """A fixture file as UTF-8 text."""
    return (FIXTURES / name).read_text(encoding="utf-8")


def add_exercise(engine: Engine, slug: str = "ci-practice", topic: str = "ci-topic") -> int:
    """Insert a section, topic and exercise for CI posts; returns the topic id."""
    with session_scope(make_session_factory(engine)) as session:
        session.add(Section(slug="ci-section", title="CI section"))
        session.flush()
        row = Topic(slug=topic, title="CI topic", section="ci-section")
        session.add(row)
        session.flush()
        assert row.id is not None
        session.add(
            Exercise(
                slug=slug,
                topic_id=row.id,
                title="CI practice",
                files=["solution.py"],
                starter_files={"solution.py": "def f():\n    raise NotImplementedError\n"},
                content_hash="sha256:" + "c" * 64,
            )
        )
        return row.id
