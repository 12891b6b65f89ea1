"""`syllabus content sync|export` against both databases: idempotent, keyed on ids, never deleting."""

import filecmp
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from typer.testing import CliRunner, Result

from api.accounts.schemas import LearnerCreate
from api.accounts.service import create_learner
from api.progress.events import record_event
from api.progress.goals import topic_completions
from api.settings import get_settings
from cli.main import app as cli
from content.export import export_content
from content.loader import DEFAULT_ROOT, RESOURCES_FILE, SECTIONS_FILE, TOPICS_DIR, load_content
from content.sync import ContentInvalid, SyncPlan, apply_sync, plan_sync, sync_content
from db.models import (
    ActivityEvent,
    Prerequisite,
    Resource,
    ResourceTopic,
    Section,
    Topic,
    TopicProgress,
    WeeklyGoal,
)
from db.session import make_session_factory, session_scope


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped sections, topics and resources (exercises are synced elsewhere)."""
    target = tmp_path / "content"
    target.mkdir()
    shutil.copy(DEFAULT_ROOT / SECTIONS_FILE, target)
    shutil.copy(DEFAULT_ROOT / RESOURCES_FILE, target)
    shutil.copytree(DEFAULT_ROOT / TOPICS_DIR, target / TOPICS_DIR)
    return target


@pytest.fixture
def sessions(engine: Engine) -> Iterator[Session]:
    with make_session_factory(engine)() as session:
        yield session


def run_cli(database_url: str, *args: str) -> Result:
    env = {"SYLLABUS_DATABASE_URL": database_url, "COLUMNS": "200"}
    get_settings.cache_clear()  # settings are read once per process; this "process" has a new database
    try:
        return CliRunner().invoke(cli, ["content", *args], env=env)
    finally:
        get_settings.cache_clear()


def sync(engine: Engine, root: Path, *, prune: bool = False) -> SyncPlan:
    with session_scope(make_session_factory(engine)) as session:
        plan = plan_sync(session, load_content(root), prune=prune)
        apply_sync(session, plan)
    return plan


def dry_run(engine: Engine, root: Path, *, prune: bool = False) -> SyncPlan:
    with make_session_factory(engine)() as session:
        return plan_sync(session, load_content(root), prune=prune)


def edit(path: Path, old: str, new: str, count: int = -1) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count))


def count(engine: Engine, model: type[Topic] | type[Resource] | type[Section] | type[Prerequisite]) -> int:
    with make_session_factory(engine)() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_first_sync_creates_everything_and_second_changes_nothing(engine: Engine, content_dir: Path) -> None:
    first = sync(engine, content_dir)
    assert first.counts()["topic"]["create"] == 31
    assert first.counts()["resource"]["create"] == 23
    assert first.counts()["section"]["create"] == 5
    with make_session_factory(engine)() as session:
        before = {t.id: (t.updated_at, t.version, t.content_hash) for t in session.exec(select(Topic))}
        assert all(h is not None and len(h) == 64 for _, _, h in before.values())
        archived = session.get(Resource, 4)
        assert archived is not None
        assert archived.status == "archived"
        assert archived.reviewed_by == "content-sync"
        assert session.exec(select(func.count()).select_from(ResourceTopic)).one() > 23

    second = sync(engine, content_dir)
    assert not second.writes
    assert {p.action for p in second.entities} == {"unchanged"}
    with make_session_factory(engine)() as session:
        after = {t.id: (t.updated_at, t.version, t.content_hash) for t in session.exec(select(Topic))}
    assert after == before


def test_renaming_a_slug_keeps_progress(engine: Engine, content_dir: Path) -> None:
    sync(engine, content_dir)
    with session_scope(make_session_factory(engine)) as session:
        learner = create_learner(session, data=LearnerCreate(handle="ada", timezone="UTC"))
        assert learner.id is not None
        session.add(TopicProgress(learner_id=learner.id, topic_id=101, status="completed"))
    for path in [*content_dir.glob("topics/*.yaml"), content_dir / RESOURCES_FILE]:
        text = path.read_text().replace("linear-algebra", "vectors-and-matrices")
        path.write_text(text)

    plan = dry_run(engine, content_dir)
    changed = {(p.entity, p.key): p for p in plan.changes}
    assert changed[("topic", "101")].action == "update"
    assert ("slug", "linear-algebra", "vectors-and-matrices") in {
        (d.name, d.old, d.new) for d in changed[("topic", "101")].diffs
    }
    assert not any(p.action in ("create", "archive") for p in plan.entities)
    sync(engine, content_dir)

    with make_session_factory(engine)() as session:
        topic = session.get(Topic, 101)
        assert topic is not None
        assert topic.slug == "vectors-and-matrices"
        assert topic.version == 2
        progress = session.exec(select(TopicProgress)).all()
        assert [(p.topic_id, p.status) for p in progress] == [(101, "completed")]
        # edges and resource links follow the id, so nothing else had to change
        assert session.get(Prerequisite, (102, 101)) is not None
    assert not dry_run(engine, content_dir).writes


def test_goals_and_events_follow_renamed_slugs(engine: Engine, content_dir: Path) -> None:
    """A goal naming a renamed topic stays reachable; swapped slugs swap in goals and events alike."""
    sync(engine, content_dir)
    at = datetime(2026, 11, 25, tzinfo=UTC)
    with session_scope(make_session_factory(engine)) as session:
        learner = create_learner(session, data=LearnerCreate(handle="ada", timezone="UTC"))
        assert learner.id is not None
        learner_id = learner.id
        session.add(
            WeeklyGoal(
                learner_id=learner_id,
                week="2026-W48",
                topics=["linear-algebra", "calculus", "x"],
                timezone="UTC",
            )
        )
        events = {
            (object_type, object_id, status): record_event(
                session,
                learner_id=learner_id,
                verb="progressed",
                object_type=object_type,
                object_id=object_id,
                result={"status": status},
                at=at,
            ).id
            for object_type, object_id, status in [
                ("topic", "linear-algebra", "completed"),  # topic 101
                ("topic", "calculus", "in_progress"),  # topic 102
                ("resource", "linear-algebra", "completed"),  # not a topic: left alone
            ]
        }
    swap_linear_algebra_and_calculus(content_dir)
    plan = sync(engine, content_dir)
    assert {(p.key, d.old, d.new) for p in plan.changes for d in p.diffs if d.name == "slug"} == {
        ("101", "linear-algebra", "calculus"),
        ("102", "calculus", "linear-algebra"),
    }

    with make_session_factory(engine)() as session:
        goal = session.get(WeeklyGoal, (learner_id, "2026-W48"))
        assert goal is not None and goal.topics == ["calculus", "linear-algebra", "x"]
        now_named = {key: session.get(ActivityEvent, event_id) for key, event_id in events.items()}
        assert {key: (e.object_type, e.object_id) for key, e in now_named.items() if e is not None} == {
            ("topic", "linear-algebra", "completed"): ("topic", "calculus"),
            ("topic", "calculus", "in_progress"): ("topic", "linear-algebra"),
            ("resource", "linear-algebra", "completed"): ("resource", "linear-algebra"),
        }
        completions = topic_completions(session, learner_id=learner_id, now=at + timedelta(days=1))
        assert set(completions) == {"calculus"}  # topic 101, completed under its old slug


def swap_linear_algebra_and_calculus(content_dir: Path) -> None:
    """Topics 101 (linear-algebra) and 102 (calculus) trade slugs, references included."""
    mathematics = content_dir / "topics" / "mathematics.yaml"
    edit(mathematics, "slug: calculus", "slug: placeholder")
    edit(mathematics, "slug: linear-algebra", "slug: calculus")
    edit(mathematics, "slug: placeholder", "slug: linear-algebra")
    for path in [*content_dir.glob("topics/*.yaml"), content_dir / RESOURCES_FILE]:
        text = (
            path.read_text()
            .replace("topic: calculus", "topic: tmp")
            .replace("topic: linear-algebra", "topic: calculus")
        )
        text = text.replace("topic: tmp", "topic: linear-algebra").replace("- calculus\n", "- tmp\n")
        text = text.replace("- linear-algebra\n", "- calculus\n").replace("- tmp\n", "- linear-algebra\n")
        path.write_text(text)


def test_swapping_two_slugs_applies(engine: Engine, content_dir: Path) -> None:
    sync(engine, content_dir)
    swap_linear_algebra_and_calculus(content_dir)
    sync(engine, content_dir)
    with make_session_factory(engine)() as session:
        assert session.get(Topic, 101).slug == "calculus"  # type: ignore[union-attr]
        assert session.get(Topic, 102).slug == "linear-algebra"  # type: ignore[union-attr]


def test_cycle_is_reported_with_its_path_and_nothing_is_written(
    engine: Engine, content_dir: Path, database_url: str
) -> None:
    edit(
        content_dir / "topics" / "mathematics.yaml",
        "  prerequisites: []\n",
        "  prerequisites:\n    - {topic: probability-statistics, kind: hard}\n",
        count=1,
    )
    plan = dry_run(engine, content_dir)
    assert [(p.file, p.location, p.message) for p in plan.problems] == [
        (
            "topics/mathematics.yaml",
            "topics/mathematics.yaml[1].prerequisites[0]",
            "prerequisite cycle: calculus -> linear-algebra -> probability-statistics -> calculus "
            "(each topic requires the next)",
        )
    ]
    with make_session_factory(engine)() as session, pytest.raises(ContentInvalid):
        apply_sync(session, plan)

    result = run_cli(database_url, "sync", "--path", str(content_dir))
    assert result.exit_code == 1
    assert (
        "topics/mathematics.yaml:32: topics/mathematics.yaml[1].prerequisites[0]: prerequisite cycle: "
        "calculus -> linear-algebra -> probability-statistics -> calculus" in result.output
    )
    assert count(engine, Topic) == 0
    assert count(engine, Section) == 0


def test_export_reproduces_the_shipped_files_and_syncs_as_no_op(
    engine: Engine, content_dir: Path, tmp_path: Path
) -> None:
    sync(engine, content_dir)
    out = tmp_path / "exported"
    with make_session_factory(engine)() as session:
        export_content(session, out)
    names = [
        SECTIONS_FILE,
        RESOURCES_FILE,
        *(f"{TOPICS_DIR}/{p.name}" for p in (content_dir / TOPICS_DIR).iterdir()),
    ]
    match, mismatch, errors = filecmp.cmpfiles(content_dir, out, names, shallow=False)
    assert (mismatch, errors) == ([], [])
    assert len(match) == 7

    plan = dry_run(engine, out, prune=True)
    assert plan.problems == []
    assert {p.action for p in plan.entities} == {"unchanged"}


def test_export_of_admin_edits_round_trips(engine: Engine, content_dir: Path, tmp_path: Path) -> None:
    sync(engine, content_dir)
    with session_scope(make_session_factory(engine)) as session:
        # what an admin may do through the API: a new topic placed first, no summary, a bare resource
        session.add(Topic(slug="admin-made", title="Admin made", section="nlp", est_hours=1.5, position=0))
        session.add(Resource(url="https://example.org/x", title="X", kind="docs", status="approved"))
        session.add(Resource(url="https://example.org/proposed", title="P", kind="docs", status="proposed"))
    out = tmp_path / "exported"
    with make_session_factory(engine)() as session:
        export_content(session, out)
    plan = dry_run(engine, out, prune=True)
    assert plan.problems == []
    assert [p for p in plan.entities if p.action != "unchanged"] == []
    assert "https://example.org/proposed" not in (out / RESOURCES_FILE).read_text()


def test_prune_archives_instead_of_deleting(engine: Engine, content_dir: Path) -> None:
    sync(engine, content_dir)
    nlp = content_dir / "topics" / "nlp.yaml"
    text = nlp.read_text()
    nlp.write_text(text[: text.index("- id: 505")])
    resources = content_dir / RESOURCES_FILE
    text = resources.read_text()
    resources.write_text(text[: text.index("- id: 22")])

    plan = sync(engine, content_dir)  # without --prune: listed, not applied
    assert {(p.entity, p.key) for p in plan.entities if p.action == "archive"} == {
        ("topic", "505"),
        ("resource", "22"),
        ("resource", "23"),
    }
    with make_session_factory(engine)() as session:
        assert session.get(Topic, 505).status == "active"  # type: ignore[union-attr]

    sync(engine, content_dir, prune=True)
    with make_session_factory(engine)() as session:
        assert session.get(Topic, 505).status == "archived"  # type: ignore[union-attr]
        assert session.get(Resource, 22).status == "archived"  # type: ignore[union-attr]
        assert session.get(Resource, 23).status == "archived"  # type: ignore[union-attr]
    assert count(engine, Topic) == 31
    assert count(engine, Resource) == 23
    again = dry_run(engine, content_dir, prune=True)
    assert {p.action for p in again.entities} == {"unchanged"}


def test_prune_leaves_learner_proposals_alone(engine: Engine, content_dir: Path) -> None:
    sync(engine, content_dir)
    with session_scope(make_session_factory(engine)) as session:
        session.add(Resource(url="https://example.org/idea", title="Idea", kind="article", status="proposed"))
    sync(engine, content_dir, prune=True)
    with make_session_factory(engine)() as session:
        proposal = session.exec(select(Resource).where(Resource.url == "https://example.org/idea")).one()
        assert proposal.status == "proposed"


def test_ids_after_sync_do_not_collide_with_new_rows(engine: Engine, content_dir: Path) -> None:
    sync(engine, content_dir)
    with session_scope(make_session_factory(engine)) as session:
        topic = Topic(slug="made-by-admin", title="Made by admin", section="nlp")
        resource = Resource(url="https://example.org/new", title="New", kind="docs")
        session.add(topic)
        session.add(resource)
        session.flush()
        assert topic.id is not None
        assert topic.id > 505
        assert resource.id is not None
        assert resource.id > 23


def test_clash_with_a_row_the_files_do_not_own(engine: Engine, content_dir: Path) -> None:
    with session_scope(make_session_factory(engine)) as session:
        session.add(Section(slug="nlp", title="NLP"))
        session.add(Topic(id=9000, slug="tokenization", title="Tokens", section="nlp"))
        session.add(
            Resource(
                id=9000,
                url="https://colah.github.io/posts/2015-08-Understanding-LSTMs/",
                title="c",
                kind="article",
            )
        )
    plan = dry_run(engine, content_dir)
    assert {(p.location, p.message.split(";")[0]) for p in plan.problems} == {
        (
            "topics/nlp.yaml[0].slug",
            "slug 'tokenization' belongs to topic #9000 in the database, which the files do not contain",
        ),
        ("resources.yaml[22].url", "URL already in the database as resource #9000 (status proposed)"),
    }
    assert count(engine, Topic) == 1


def test_cli_dry_run_prints_the_diff_and_writes_nothing(
    engine: Engine, content_dir: Path, database_url: str
) -> None:
    sync(engine, content_dir)
    edit(content_dir / "topics" / "python.yaml", "title: NumPy", "title: NumPy arrays")
    result = run_cli(database_url, "sync", "--dry-run", "--path", str(content_dir))
    assert result.exit_code == 0, result.output
    assert "NumPy arrays" in result.output, result.output
    assert "dry run: nothing written" in result.output
    with make_session_factory(engine)() as session:
        assert session.get(Topic, 202).title == "NumPy"  # type: ignore[union-attr]
    result = run_cli(database_url, "sync", "--path", str(content_dir))
    assert result.exit_code == 0, result.output
    assert "content synced" in result.output
    with make_session_factory(engine)() as session:
        assert session.get(Topic, 202).title == "NumPy arrays"  # type: ignore[union-attr]


def test_exercises_sync_with_their_topics(engine: Engine) -> None:
    with session_scope(make_session_factory(engine)) as session:
        plan = sync_content(session, DEFAULT_ROOT)
    created = plan.counts()["exercise"]["create"]
    assert created == len(load_content(DEFAULT_ROOT).exercises) > 0
    assert not dry_run(engine, DEFAULT_ROOT).writes
