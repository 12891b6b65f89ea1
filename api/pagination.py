"""Cursor pagination: opaque cursors over a stable sort key, one helper for every list."""

import base64
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from api.errors import AppError

T = TypeVar("T")

LimitQuery = Annotated[int, Query(ge=1, le=200, description="Page size (max 200).")]
CursorQuery = Annotated[str | None, Query(max_length=500, description="`next_cursor` of the previous page.")]


class InvalidCursor(AppError):
    """The cursor was not produced by this API."""

    status, code, title = 400, "invalid-cursor", "Invalid cursor"


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    next_cursor: str | None = None
    total: int | None = None


def encode_cursor(key: list[Any]) -> str:
    """Encode the sort key of the last item of a page."""
    raw = json.dumps(key, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, arity: int) -> list[Any] | None:
    """Decode a cursor back to its sort key; refuse anything we did not issue."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor("cursor: not a cursor issued by this API") from exc
    if not isinstance(key, list) or len(key) != arity:
        raise InvalidCursor("cursor: not a cursor issued by this API for this list")
    return key
