"""Migrations build the schema the models describe, and walk up and down cleanly on both databases."""

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from db.engine import make_engine
from db.migrate import alembic_config, current_revision, head_revision


def _revisions_oldest_first(database_url: str) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(database_url))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def test_models_match_migrations(database_url: str) -> None:
    """`alembic check`: autogenerate finds no difference between the models and the migrated schema."""
    try:
        command.check(alembic_config(database_url))
    except CommandError as exc:  # pragma: no cover - the message is the useful part
        raise AssertionError(f"models and migrations drifted apart: {exc}") from exc


def test_upgrade_downgrade_upgrade_every_revision(database_url: str) -> None:
    """Each revision can be undone and redone; a full downgrade leaves no table behind."""
    cfg = alembic_config(database_url)
    engine = make_engine(database_url, pool_size=1)
    try:
        revisions = _revisions_oldest_first(database_url)
        assert current_revision(engine) == head_revision() == revisions[-1]
        command.downgrade(cfg, "base")
        assert current_revision(engine) is None
        leftover = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
        assert leftover == set(), f"tables left after downgrade to base: {leftover}"
        for rev in revisions:
            command.upgrade(cfg, rev)
            assert current_revision(engine) == rev
            command.downgrade(cfg, "-1")
            command.upgrade(cfg, rev)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_foreign_keys_enforced(database_url: str) -> None:
    """SQLite enforces foreign keys too (they are off unless each connection turns them on)."""
    engine = make_engine(database_url, pool_size=1)
    try:
        with engine.connect() as conn:
            try:
                conn.execute(
                    sa.text(
                        "INSERT INTO topic_progress (learner_id, topic_id, status, updated_at) "
                        "VALUES (999, 999, 'completed', CURRENT_TIMESTAMP)"
                    )
                )
                conn.commit()
            except sa.exc.IntegrityError:
                return
        raise AssertionError("a row pointing at missing learner/topic was accepted")
    finally:
        engine.dispose()
