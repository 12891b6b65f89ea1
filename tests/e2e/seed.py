"""Load the shipped exercises into a test database (with stand-in topics when the catalogue is empty)."""

from pathlib import Path

from sqlmodel import Session, select

from api.settings import PROJECT_ROOT
from content.exercises import ExerciseSpec, load_exercises
from db.models import Exercise, Section, Topic

CONTENT_ROOT = PROJECT_ROOT / "content"


def shipped_exercises(root: Path = CONTENT_ROOT) -> list[ExerciseSpec]:
    """Every valid exercise under content/exercises (problems are the content tests' business)."""
    specs, _problems = load_exercises(root)
    return specs


def seed_exercises(session: Session, specs: list[ExerciseSpec]) -> dict[str, Exercise]:
    """Insert `specs` as Exercise rows (creating any missing topic under a test section); by slug."""
    if session.get(Section, "tests") is None:
        session.add(Section(slug="tests", title="Tests"))
        session.flush()
    rows: dict[str, Exercise] = {}
    for position, spec in enumerate(specs):
        topic = session.exec(select(Topic).where(Topic.slug == spec.topic)).first()
        if topic is None:
            topic = Topic(slug=spec.topic, title=spec.topic.replace("-", " ").title(), section="tests")
            session.add(topic)
            session.flush()
        assert topic.id is not None
        exercise = Exercise(
            slug=spec.slug,
            topic_id=topic.id,
            title=spec.title,
            difficulty=spec.difficulty,
            instructions=spec.instructions,
            files=list(spec.files),
            starter_files=spec.starter_files,
            visible_tests=spec.visible_tests,
            hidden_tests=spec.hidden_tests,
            reference_files=spec.reference_files,
            limits=dict(spec.limits),
            points=spec.points,
            position=position,
            content_hash=spec.content_hash,
        )
        session.add(exercise)
        rows[spec.slug] = exercise
    session.flush()
    return rows


TINY_SOLUTION = "def add(a, b):\n    return a + b\n"
TINY_STARTER = "def add(a, b):\n    raise NotImplementedError\n"
TINY_HIDDEN = (
    "from solution import add\n\n\ndef test_add_hidden_secret_case():\n    assert add(40, 2) == 42\n"
)
TINY_VISIBLE = "from solution import add\n\n\ndef test_add_small():\n    assert add(1, 2) == 3\n"


def tiny_spec(slug: str = "tiny-add", topic: str = "python-basics") -> ExerciseSpec:
    """A dependency-free exercise for protocol tests (graded in milliseconds)."""
    return ExerciseSpec(
        id=9000,
        slug=slug,
        title="Add two numbers",
        topic=topic,
        difficulty="easy",
        files=("solution.py",),
        # Generous: protocol tests sleep inside it on a possibly loaded host; none of them is about the limit.
        limits={"timeout_s": 30, "memory_mb": 512},
        points=2,
        instructions="Write `add(a, b)`.",
        starter_files={"solution.py": TINY_STARTER},
        visible_tests={"test_visible.py": TINY_VISIBLE},
        hidden_tests={"test_hidden.py": TINY_HIDDEN},
        reference_files={"solution.py": TINY_SOLUTION},
        content_hash="sha256:" + "0" * 64,
    )
