"""ETags for mutable documents: `If-Match` guards updates, `If-None-Match` saves transfers."""

import hashlib
import json
from typing import Any

from fastapi import Request

from api.errors import PreconditionFailed


def etag_of(document: Any) -> str:
    """A strong ETag derived from the document's JSON form."""
    raw = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str).encode()
    return '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'


def _listed(header: str) -> set[str]:
    """The entity tags named in an If-Match / If-None-Match header (weak prefixes ignored)."""
    return {part.strip().removeprefix("W/") for part in header.split(",") if part.strip()}


def check_if_match(request: Request, current_etag: str) -> None:
    """Refuse an update made against a stale version (412)."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return
    if current_etag not in _listed(header):
        raise PreconditionFailed(
            "If-Match does not match the current version; fetch it again and retry", etag=current_etag
        )


def not_modified(request: Request, current_etag: str) -> bool:
    """Whether the client already holds the current version (answer 304)."""
    header = request.headers.get("if-none-match")
    if header is None:
        return False
    return header.strip() == "*" or current_etag in _listed(header)
