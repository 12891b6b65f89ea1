"""Account logic: learners, token minting, authentication and revocation."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.accounts.schemas import LearnerCreate, LearnerUpdate, TokenCreate
from api.accounts.tokens import generate_token, hash_token, shown_prefix
from api.coherence import CachedToken, TokenCache
from api.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized
from db.models import ApiToken, Learner
from db.types import utcnow

# Writing last_used_at on every request would turn every read into a write; a minute's precision is enough.
LAST_USED_RESOLUTION = timedelta(seconds=60)


class HandleTaken(Conflict):
    """Another learner already has this handle."""

    code = "handle-taken"


@dataclass(frozen=True)
class Principal:
    """Who a request speaks for."""

    token_id: int
    role: str
    learner_id: int | None

    @property
    def is_admin(self) -> bool:
        """Admins may do everything."""
        return self.role == "admin"


def create_learner(session: Session, *, data: LearnerCreate) -> Learner:
    """Insert a learner; 409 on a duplicate handle."""
    if session.exec(select(Learner.id).where(Learner.handle == data.handle)).first() is not None:
        raise HandleTaken(f"handle {data.handle!r} is already taken", field="handle")
    learner = Learner(**data.model_dump())
    session.add(learner)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent insert won the race
        raise HandleTaken(f"handle {data.handle!r} is already taken", field="handle") from exc
    return learner


def update_learner(session: Session, *, learner: Learner, data: LearnerUpdate) -> Learner:
    """Apply the fields that were sent."""
    changes = data.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is None and name != "display_name":
            raise BadRequest(f"{name}: may not be null", field=name)
        setattr(learner, name, value)
    if changes:
        learner.updated_at = utcnow()
        session.add(learner)
        session.flush()
    return learner


def get_learner(session: Session, learner_id: int) -> Learner:
    """A learner by id, or 404."""
    learner = session.get(Learner, learner_id)
    if learner is None:
        raise NotFound(f"learner {learner_id} not found")
    return learner


def mint_token(session: Session, *, data: TokenCreate, secret: str) -> tuple[ApiToken, str]:
    """Create a token; the plaintext is returned once and never stored."""
    if data.role in ("learner", "ci"):
        if data.learner_id is None:
            raise BadRequest(f"learner_id: required for a {data.role} token", field="learner_id")
        get_learner(session, data.learner_id)
    elif data.learner_id is not None:
        raise BadRequest(f"learner_id: a {data.role} token is not bound to a learner", field="learner_id")
    plaintext = generate_token()
    token = ApiToken(
        name=data.name,
        prefix=shown_prefix(plaintext),
        token_hash=hash_token(plaintext, secret),
        role=data.role,
        learner_id=data.learner_id,
    )
    session.add(token)
    session.flush()
    return token, plaintext


def mint_token_as(
    session: Session, *, principal: Principal, data: TokenCreate, secret: str
) -> tuple[ApiToken, str]:
    """Admins mint any token; a learner mints only `ci` tokens bound to themselves."""
    if not principal.is_admin:
        if principal.role != "learner" or data.role != "ci":
            raise Forbidden("learners may only create ci tokens for themselves")
        if data.learner_id not in (None, principal.learner_id):
            raise Forbidden("learners may only create ci tokens for themselves")
        data = data.model_copy(update={"learner_id": principal.learner_id})
    return mint_token(session, data=data, secret=secret)


def authenticate(
    session: Session, *, bearer: str | None, secret: str, cache: TokenCache | None = None
) -> Principal:
    """Resolve a bearer token to its principal; 401 for anything unknown or revoked."""
    if not bearer:
        raise Unauthorized("send `Authorization: Bearer <token>`")
    token_hash = hash_token(bearer, secret)
    cached = cache.get(token_hash) if cache is not None else None
    if cached is not None:
        return touch_cached(session, cached, cache=cache)
    return authenticate_hash(session, token_hash=token_hash, cache=cache)


def is_fresh(cached: CachedToken, now: datetime) -> bool:
    """Whether a cached token's use is recorded recently enough (no write needed)."""
    return cached.last_used_at is not None and now - cached.last_used_at <= LAST_USED_RESOLUTION


def principal_of(cached: CachedToken) -> Principal:
    """The principal a cached token speaks for."""
    return Principal(token_id=cached.token_id, role=cached.role, learner_id=cached.learner_id)


def touch_cached(session: Session, cached: CachedToken, *, cache: TokenCache | None) -> Principal:
    """A cached token: record its use at most once a minute (one UPDATE that also re-checks revocation)."""
    now = utcnow()
    if is_fresh(cached, now):
        return principal_of(cached)
    previous, cached.last_used_at = cached.last_used_at, now  # concurrent requests need not write it too
    result = session.execute(
        sa.update(ApiToken)
        .where(col(ApiToken.id) == cached.token_id, col(ApiToken.revoked_at).is_(None))
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 1) == 0:
        cached.last_used_at = previous
        if cache is not None:
            cache.invalidate(str(cached.token_id))
        raise Unauthorized("the token is unknown or has been revoked")
    return principal_of(cached)


def authenticate_hash(session: Session, *, token_hash: str, cache: TokenCache | None = None) -> Principal:
    """Resolve a token by its hash from the database (and cache it when `cache` is on)."""
    generation = cache.generation() if cache is not None else None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == token_hash)).first()
    if token is None or token.revoked_at is not None:
        raise Unauthorized("the token is unknown or has been revoked")
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.add(token)
    assert token.id is not None
    if cache is not None and generation is not None:
        entry = CachedToken(
            token_id=token.id, role=token.role, learner_id=token.learner_id, last_used_at=token.last_used_at
        )
        cache.put(token_hash, entry, generation)
    return Principal(token_id=token.id, role=token.role, learner_id=token.learner_id)


def get_token(session: Session, token_id: int) -> ApiToken:
    """A token by id, or 404."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"token {token_id} not found")
    return token


def list_tokens(
    session: Session, *, principal: Principal, after_id: int | None, limit: int
) -> list[ApiToken]:
    """Admins see every token; learners see their own learner and ci tokens."""
    query = select(ApiToken).order_by(col(ApiToken.id)).limit(limit)
    if after_id is not None:
        query = query.where(col(ApiToken.id) > after_id)
    if not principal.is_admin:
        query = query.where(ApiToken.learner_id == principal.learner_id)
    return list(session.exec(query).all())


def revoke_token(session: Session, *, principal: Principal, token_id: int) -> None:
    """Revoke a token at once; a learner can only reach their own (others are 404)."""
    token = session.get(ApiToken, token_id)
    if token is None or (not principal.is_admin and token.learner_id != principal.learner_id):
        raise NotFound(f"token {token_id} not found")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        session.flush()
