"""Session factories: one per engine, sessions that keep loaded values after commit."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to `engine`; objects stay readable after commit (responses are built from them)."""
    return sessionmaker(bind=engine, class_=Session, expire_on_commit=False, autoflush=True)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work outside a request: commit on success, roll back on error."""
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def reads_only(session: Session) -> None:
    """Run this session's statements in autocommit: a request that only reads saves the BEGIN and the
    ROLLBACK round trips. Each statement still sees what was committed before it, as in READ COMMITTED.
    Call before the session's first statement; it must not write."""
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
