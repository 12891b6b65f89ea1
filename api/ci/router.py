"""HTTP routes for ci."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from api.ci import service
from api.ci.schemas import CiResultCreate, CiResultRead
from api.deps import CurrentPrincipal, SessionDep, in_one_trip
from api.errors import UnprocessableContent
from api.jobs.waker import get_waker
from api.middleware import API_PREFIX

router = APIRouter(prefix=API_PREFIX, tags=["ci"])


class CiBodyInvalid(UnprocessableContent):
    """The body is not UTF-8 JSON."""

    code = "ci-body-invalid"


async def ci_result_body(principal: CurrentPrincipal, request: Request) -> CiResultCreate:
    """The body, read here (after auth) so encoding errors are precise problem documents.

    The body's byte cap (`SYLLABUS_MAX_CI_PAYLOAD_BYTES`) is enforced while it streams by the app's
    body-size middleware; the payload's own caps are the parsers'.
    """
    service.poster_learner_id(principal)
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CiBodyInvalid(
            f"body: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "send the report as UTF-8 text inside a UTF-8 JSON body",
            field="body",
        ) from exc
    if not text.strip():
        raise CiBodyInvalid("body: is empty; expected a JSON object", field="body")
    try:
        return CiResultCreate.model_validate_json(text)
    except ValidationError as exc:
        errors = [
            {**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False, include_context=False)
        ]
        raise RequestValidationError(errors) from exc


_BODY_SCHEMA: dict[str, Any] = CiResultCreate.model_json_schema()


@router.post(
    "/ci/results",
    response_model=CiResultRead,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": CiResultRead, "description": "An identical repeat of a stored run"},
        403: {"description": "An admin or runner token (results belong to a learner)"},
        404: {"description": "Unknown exercise"},
        409: {"description": "The run id was already used for a different result"},
        413: {"description": "Over a cap: body, payload bytes or test count"},
        422: {"description": "Malformed body or payload, or refused XML features"},
    },
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": _BODY_SCHEMA}}}
    },
)
async def post_ci_result(
    principal: CurrentPrincipal,
    body: Annotated[CiResultCreate, Depends(ci_result_body)],
    session: SessionDep,
    request: Request,
    response: Response,
) -> CiResultRead:
    """Store a CI run's results for the token's learner (role `ci`, or the learner's own token)."""
    waker = get_waker(request.app)
    # Store and commit in one worker-thread trip (the learner's row lock is never held across trips).
    read, created = await in_one_trip(
        session, lambda: service.record_ci_result(session, principal=principal, data=body, waker=waker)
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["Location"] = f"/api/v1/submissions/{read.submission_id}"
    return read
