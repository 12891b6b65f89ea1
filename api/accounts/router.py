"""HTTP routes for sign-up, learners, tokens and `/me`."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from api.accounts import service
from api.accounts.schemas import (
    LearnerCreate,
    LearnerRead,
    LearnerUpdate,
    MeRead,
    SignupRequest,
    SignupResponse,
    TokenCreate,
    TokenCreated,
    TokenRead,
)
from api.deps import (
    AdminPrincipal,
    CurrentPrincipal,
    LearnerRefPath,
    SessionDep,
    SettingsDep,
    commits,
    in_one_trip,
)
from api.errors import Forbidden
from api.http_cache import check_if_match, etag_of
from api.middleware import API_PREFIX
from api.pagination import CursorQuery, LimitQuery, Page, decode_cursor, encode_cursor
from db.models import Learner

router = APIRouter(prefix=API_PREFIX, tags=["accounts"])


class SignupClosed(Forbidden):
    """Open sign-up is switched off on this server."""

    code = "signup-closed"


def _learner_response(response: Response, learner: object) -> LearnerRead:
    """Serialize a learner and set its ETag."""
    read = LearnerRead.model_validate(learner)
    response.headers["ETag"] = etag_of(read.model_dump(mode="json"))
    return read


@router.post("/signup", status_code=status.HTTP_201_CREATED, response_model=SignupResponse)
@commits
def signup(body: SignupRequest, session: SessionDep, settings: SettingsDep) -> SignupResponse:
    """Create a learner and their first learner token (only when `SYLLABUS_OPEN_SIGNUP=true`)."""
    if not settings.open_signup:
        raise SignupClosed("open sign-up is disabled on this server; ask an admin for an account")
    learner = service.create_learner(session, data=LearnerCreate(**body.model_dump()))
    _, plaintext = service.mint_token(
        session,
        data=TokenCreate(role="learner", name="signup", learner_id=learner.id),
        secret=settings.secret_key.get_secret_value(),
    )
    return SignupResponse(learner=LearnerRead.model_validate(learner), token=plaintext)


@router.post("/learners", status_code=status.HTTP_201_CREATED, response_model=LearnerRead)
@commits
def create_learner(
    body: LearnerCreate, _: AdminPrincipal, session: SessionDep, response: Response
) -> LearnerRead:
    """Create a learner (admin)."""
    learner = service.create_learner(session, data=body)
    response.headers["Location"] = f"/api/v1/learners/{learner.id}"
    return _learner_response(response, learner)


@router.get("/learners/{learner_id}", response_model=LearnerRead)
async def read_learner(learner: LearnerRefPath, session: SessionDep, response: Response) -> LearnerRead:
    """A learner's profile (admin or self)."""
    return _learner_response(response, await in_one_trip(session, lambda: learner.load(session)))


@router.patch("/learners/{learner_id}", response_model=LearnerRead)
async def update_learner(
    body: LearnerUpdate, learner: LearnerRefPath, session: SessionDep, request: Request, response: Response
) -> LearnerRead:
    """Change timezone, display name or week start; honours `If-Match`."""

    def work() -> Learner:
        # Load, check, update and commit in one worker-thread trip: no pooled connection or row lock is held
        # while the request waits for a free thread.
        current = learner.load(session)
        check_if_match(request, etag_of(LearnerRead.model_validate(current).model_dump(mode="json")))
        return service.update_learner(session, learner=current, data=body)

    return _learner_response(response, await in_one_trip(session, work))


@router.get("/me", response_model=MeRead)
@commits
def me(principal: CurrentPrincipal, session: SessionDep) -> MeRead:
    """The principal behind the bearer token."""
    token = service.get_token(session, principal.token_id)
    learner = service.get_learner(session, principal.learner_id) if principal.learner_id else None
    return MeRead(
        role=principal.role,
        token=TokenRead.model_validate(token),
        learner=LearnerRead.model_validate(learner) if learner else None,
    )


@router.post("/tokens", status_code=status.HTTP_201_CREATED, response_model=TokenCreated)
@commits
def create_token(
    body: TokenCreate, principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> TokenCreated:
    """Mint a token (admin: any role; learner: own `ci` tokens). The secret appears only here."""
    token, plaintext = service.mint_token_as(
        session, principal=principal, data=body, secret=settings.secret_key.get_secret_value()
    )
    return TokenCreated(**TokenRead.model_validate(token).model_dump(), token=plaintext)


def _token_lister(principal: CurrentPrincipal) -> CurrentPrincipal:
    """Runner and ci tokens own no tokens to list."""
    if principal.role not in ("admin", "learner"):
        raise Forbidden(f"a {principal.role} token may not list tokens")
    return principal


@router.get("/tokens", response_model=Page[TokenRead])
@commits
def list_tokens(
    principal: Annotated[service.Principal, Depends(_token_lister)],
    session: SessionDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[TokenRead]:
    """Tokens the caller may see, oldest first (never their secrets)."""
    after = decode_cursor(cursor, arity=1)
    tokens = service.list_tokens(
        session, principal=principal, after_id=after[0] if after else None, limit=limit + 1
    )
    page = tokens[:limit]
    next_cursor = encode_cursor([page[-1].id]) if len(tokens) > limit else None
    return Page(items=[TokenRead.model_validate(t) for t in page], next_cursor=next_cursor)


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
@commits
def revoke_token(
    token_id: int, principal: Annotated[service.Principal, Depends(_token_lister)], session: SessionDep
) -> Response:
    """Revoke a token; it gets 401 from the next request on."""
    service.revoke_token(session, principal=principal, token_id=token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
