"""CI results: who may post, parsing, idempotency on (learner, run_id), storing via the shared finalizer.

Decisions:
- Only a `ci` token or a learner token posts, always for its own learner (the learner comes from the token,
  never from the body). Admin and runner tokens get 403: results belong to a learner and those tokens
  have none.
- An unknown (or archived) exercise is 404 `exercise-not-found`, as for runner submissions.
- Checks run in this order: exercise (404), size caps (413), payload (422), then the run id: a run id
  already stored with the same request (exercise, format, canonical payload, commit, run URL) answers 200
  with the first submission; with anything different, 409 `ci-run-conflict`.
- The submission is stored with `source: "ci"`, no files, and finalized by the same function as runner
  results, so mastery and weekly goals see both alike. Integrity: CI results are self-reported.
"""

import hashlib
from typing import Any

import structlog
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from api.accounts.service import Principal
from api.ci import parsers
from api.ci.schemas import CiResultCreate, CiResultRead, TestCounts
from api.errors import Conflict, Forbidden, PayloadTooLarge, UnprocessableContent
from api.exercises.service import get_active_exercise
from api.jobs.waker import Waker
from api.submissions.service import finalize_submission
from db.models import CiRun, Exercise, Submission
from db.types import utcnow

log = structlog.get_logger("api.ci")
SUBMISSION_STATUS = {"pass": "passed", "fail": "failed", "error": "error"}


class CiPosterForbidden(Forbidden):
    """The token has no learner to post results for."""

    code = "ci-poster-forbidden"


class CiPayloadInvalid(UnprocessableContent):
    """The payload cannot be read as the declared format."""

    code = "ci-payload-invalid"


class CiPayloadRefused(UnprocessableContent):
    """The payload uses a refused XML feature (DTDs, entities)."""

    code = "ci-payload-refused"


class CiPayloadTooLarge(PayloadTooLarge):
    """The payload is over a size or test-count cap."""

    code = "ci-payload-too-large"


class CiRunConflict(Conflict):
    """The run id was already used for a different result."""

    code = "ci-run-conflict"


def poster_learner_id(principal: Principal) -> int:
    """The learner a token posts for: a ci token's bound learner or a learner token's own."""
    if principal.role in ("ci", "learner") and principal.learner_id is not None:
        return principal.learner_id
    raise CiPosterForbidden(
        f"a {principal.role} token has no learner to post CI results for; use the learner's ci token"
    )


def parse_or_raise(data: CiResultCreate) -> parsers.ParsedPayload:
    """Parse the payload, turning parser errors into problem documents."""
    try:
        return parsers.parse_payload(data.format, data.payload)
    except parsers.PayloadTooLarge as exc:
        raise CiPayloadTooLarge(str(exc), field=exc.where, cap=exc.cap, limit=exc.limit) from exc
    except parsers.PayloadRefused as exc:
        raise CiPayloadRefused(str(exc), field=exc.where) from exc
    except parsers.PayloadError as exc:
        raise CiPayloadInvalid(str(exc), field=exc.where, format=data.format) from exc


def request_digest(data: CiResultCreate, canonical_payload: str) -> str:
    """What makes two posts of one run the same post."""
    parts = [data.exercise, data.format, data.commit or "", data.run_url or "", canonical_payload]
    digest = hashlib.sha256()
    for part in parts:
        encoded = part.encode("utf-8")
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
    return digest.hexdigest()


def _find_run(session: Session, *, learner_id: int, run_id: str) -> CiRun | None:
    return session.exec(select(CiRun).where(CiRun.learner_id == learner_id, CiRun.run_id == run_id)).first()


def _counts(result: dict[str, Any] | None) -> TestCounts:
    tests = (result or {}).get("tests") or []
    statuses = [t.get("status") for t in tests]
    return TestCounts(
        total=len(statuses),
        passed=statuses.count("pass"),
        failed=statuses.count("fail"),
        errored=statuses.count("error"),
        skipped=statuses.count("skip"),
    )


def _read(session: Session, run: CiRun) -> CiResultRead:
    submission = session.get(Submission, run.submission_id)
    assert submission is not None and submission.id is not None
    exercise = session.get(Exercise, submission.exercise_id)
    assert exercise is not None
    result = submission.result or {}
    return CiResultRead(
        submission_id=submission.id,
        learner_id=submission.learner_id,
        exercise=exercise.slug,
        run_id=run.run_id,
        commit=run.commit_sha,
        run_url=run.run_url,
        format=run.format,
        status=submission.status,
        score=submission.score,
        max_score=submission.max_score,
        tests=_counts(result),
        truncated=bool(result.get("truncated")),
        notes=list(result.get("notes") or []),
        created_at=submission.created_at,
    )


def _repeat(session: Session, run: CiRun, digest: str) -> CiResultRead:
    if run.payload_hash != digest:
        raise CiRunConflict(
            f"run id {run.run_id!r} was already reported with a different result; "
            "use a new run id for a new run (GitHub Actions: include github.run_attempt)",
            submission_id=run.submission_id,
        )
    return _read(session, run)


def record_ci_result(
    session: Session, *, principal: Principal, data: CiResultCreate, waker: Waker | None
) -> tuple[CiResultRead, bool]:
    """Store a CI run as a finished `ci` submission; returns (the stored run, created)."""
    learner_id = poster_learner_id(principal)
    exercise = get_active_exercise(session, slug=data.exercise)
    parsed = parse_or_raise(data)
    digest = request_digest(data, parsed.canonical)
    existing = _find_run(session, learner_id=learner_id, run_id=data.run_id)
    if existing is not None:
        return _repeat(session, existing, digest), False
    assert exercise.id is not None
    now = utcnow()
    submission = Submission(
        learner_id=learner_id,
        exercise_id=exercise.id,
        source="ci",
        status="running",
        content_hash=exercise.content_hash,
        request_hash=digest,
        started_at=now,
    )
    try:
        with session.begin_nested():
            session.add(submission)
            session.flush()
            assert submission.id is not None
            run = CiRun(
                learner_id=learner_id,
                run_id=data.run_id,
                submission_id=submission.id,
                format=data.format,
                payload_hash=digest,
                commit_sha=data.commit,
                run_url=data.run_url,
            )
            session.add(run)
            session.flush()
    except IntegrityError:
        # A concurrent post of the same run won the race: answer as a repeat of it.
        existing = _find_run(session, learner_id=learner_id, run_id=data.run_id)
        if existing is None:
            raise
        return _repeat(session, existing, digest), False
    document = dict(parsed.document)
    document["ci"] = {
        "run_id": data.run_id,
        "commit": data.commit,
        "run_url": data.run_url,
        "format": data.format,
    }
    finalize_submission(
        session,
        submission=submission,
        status=SUBMISSION_STATUS[document["status"]],
        result=document,
        waker=waker,
    )
    log.info(
        "ci.result_stored",
        submission_id=submission.id,
        learner_id=learner_id,
        exercise=exercise.slug,
        run_id=data.run_id,
        format=data.format,
        status=submission.status,
    )
    return _read(session, run), True
