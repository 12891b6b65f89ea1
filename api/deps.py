"""Named dependencies shared by every router."""

import functools
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, ParamSpec, TypeVar

from fastapi import Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from api.accounts.service import (
    Principal,
    authenticate_hash,
    get_learner,
    is_fresh,
    principal_of,
    touch_cached,
)
from api.accounts.tokens import hash_token
from api.accounts.usage import TokenUsage
from api.coherence import CachedToken, TokenCache
from api.errors import Forbidden, NotFound, Unauthorized
from api.settings import Settings
from db.models import Learner
from db.session import session_scope
from db.types import utcnow

T = TypeVar("T")
P = ParamSpec("P")
MAX_ROW_ID = 2**31 - 1  # ids are INTEGER columns


# Dependencies that do no I/O are `async def`: a sync one costs a threadpool round trip per request.
async def get_settings_dep(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def _finish(session: Session, *, commit: bool) -> None:
    """Commit (or roll back) and close, in one trip to a worker thread."""
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, committed once after the handler (a failed commit is an error response).

    Opening a session does no I/O, so it happens on the event loop; the commit and close share one
    threadpool call, and a request that never touched the database skips it.
    """
    session: Session = request.app.state.session_factory()
    try:
        yield session
    except BaseException:
        if session.in_transaction():
            await run_in_threadpool(_finish, session, commit=False)
        else:
            session.close()
        raise
    if session.in_transaction():
        await run_in_threadpool(_finish, session, commit=True)
    else:
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
# scope="function": the commit runs before the response is sent, so a failed commit is never a 2xx.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _resolve_token(
    factory: sessionmaker[Session], token_hash: str, cached: CachedToken | None, cache: TokenCache | None
) -> Principal:
    """Resolve or re-stamp a token in its own transaction: its use is recorded even if the request fails."""
    with session_scope(factory) as session:
        if cached is not None:
            return touch_cached(session, cached, cache=cache)
        return authenticate_hash(session, token_hash=token_hash, cache=cache)


async def get_principal(request: Request) -> Principal:
    """The caller, from `Authorization: Bearer <token>`.

    A token in the app's token cache (api.coherence) costs no database work and no threadpool hop: its use
    is recorded at most once a minute, in the background on PostgreSQL (api.accounts.usage). Anything else
    is resolved (and cached) in a worker thread.
    """
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    bearer = credentials.strip() if scheme.lower() == "bearer" else None
    if not bearer:
        raise Unauthorized("send `Authorization: Bearer <token>`")
    cache: TokenCache | None = getattr(request.app.state, "token_cache", None)
    # The app's settings straight from its state: one dependency fewer to solve on every request.
    settings: Settings = request.app.state.settings
    token_hash = hash_token(bearer, settings.secret_key.get_secret_value())
    cached = cache.get(token_hash) if cache is not None else None
    usage: TokenUsage | None = getattr(request.app.state, "token_usage", None)
    now = utcnow()
    if cached is not None and is_fresh(cached, now):
        principal = principal_of(cached)
    elif cached is not None and usage is not None:
        principal = usage.note(cached, now)  # its use is written in the background (api.accounts.usage)
    else:
        factory = request.app.state.auth_session_factory
        principal = await run_in_threadpool(_resolve_token, factory, token_hash, cached, cache)
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def allowed(principal: Principal, roles: tuple[str, ...]) -> Principal:
    """The principal if its role is one of `roles` (admin always is); 403 otherwise."""
    if principal.role != "admin" and principal.role not in roles:
        raise Forbidden(f"a {principal.role} token may not do this")
    return principal


def require_role(*roles: str) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    """A dependency that lets only `roles` through (admin always passes)."""

    async def _check(principal: CurrentPrincipal) -> Principal:
        return allowed(principal, roles)

    return _check


AdminPrincipal = Annotated[Principal, Depends(require_role("admin"))]
LearnerPrincipal = Annotated[Principal, Depends(require_role("learner"))]
RunnerPrincipal = Annotated[Principal, Depends(require_role("runner"))]


def learner_id_in_path(text: str) -> int | None:
    """The learner id a path segment spells, or None: ASCII digits only (`str.isdigit` admits "¹", which
    `int` refuses) and within the id column's range (a larger one names no learner, not a bad value)."""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= MAX_ROW_ID else None


def _wanted_learner(principal: Principal, learner_id: str) -> int:
    """The learner id a path names, checked against the principal (no I/O); 404 for anyone else's."""
    if learner_id == "me":
        if principal.learner_id is None:
            raise NotFound("`me` names no learner for an admin token; use a learner id")
        return principal.learner_id
    wanted = learner_id_in_path(learner_id)
    if wanted is None:
        raise NotFound(f"learner {learner_id!r} not found")
    if not principal.is_admin and principal.learner_id != wanted:
        raise NotFound(f"learner {wanted} not found")
    return wanted


LearnerIdPath = Annotated[str, Path(description="A learner id, or `me`.", examples=["me"])]


@dataclass(frozen=True)
class LearnerRef:
    """A learner named in the path, checked against the principal but not loaded yet (no I/O).

    For async routes that do all their database work in one worker-thread trip (`in_one_trip`), where
    `load` or `check` gives the 404 of a learner that does not exist; another learner's data is 404 too, as
    if it did not exist. (A sync dependency that loaded it would hold a pooled connection from its own
    thread trip to the commit's, across the waits for free threads in between.)
    """

    learner_id: int

    def load(self, session: Session) -> Learner:
        """The learner row, or 404."""
        return get_learner(session, self.learner_id)

    def check(self, session: Session) -> int:
        """The learner's id once it is known to exist (404 otherwise)."""
        self.load(session)
        return self.learner_id


async def learner_ref(request: Request, learner_id: LearnerIdPath) -> LearnerRef:
    """The learner a path names, checked against the caller (401/403/404), decided on the event loop.

    It authenticates itself instead of depending on `LearnerPrincipal`: on the hottest routes each level of
    nested dependencies costs measurable throughput (bench/api).
    """
    principal = allowed(await get_principal(request), ("learner",))
    return LearnerRef(_wanted_learner(principal, learner_id))


LearnerRefPath = Annotated[LearnerRef, Depends(learner_ref)]


def _call_and_commit(session: Session, fn: Callable[[], T]) -> T:
    try:
        result = fn()
        if session.in_transaction():
            session.commit()
    except BaseException:
        session.rollback()  # here, not in a later trip: a failed request must not keep its connection either
        raise
    return result


def commits(handler: Callable[P, T]) -> Callable[P, T]:
    """For a sync route with a `session` parameter: commit (or roll back) at the end of the handler's own
    worker-thread trip, as `in_one_trip` does for async routes, instead of in a later trip while the
    request holds its pooled connection waiting for a free thread."""

    @functools.wraps(handler)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        session = kwargs["session"]
        assert isinstance(session, Session), "@commits needs the route's `session: SessionDep`"
        return _call_and_commit(session, lambda: handler(*args, **kwargs))

    return run


async def in_one_trip(session: Session, fn: Callable[[], T]) -> T:
    """Run `fn` and commit the request's session in a single worker-thread trip (before the response).

    A sync route costs a trip per sync dependency, one for the handler and one for the commit; a hot
    async route that funnels its database work through this pays one. A failure is rolled back in the same
    trip and raises as in the handler.
    """
    return await run_in_threadpool(_call_and_commit, session, fn)
