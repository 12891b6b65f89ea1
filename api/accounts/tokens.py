"""Opaque bearer tokens: generated once, stored only as an HMAC keyed by the server secret."""

import hashlib
import hmac
import secrets

TOKEN_PREFIX = "sy_"
SHOWN_PREFIX_LEN = 11  # "sy_" plus 8 characters: enough to recognise a token in a list


def generate_token() -> str:
    """A new random token with 240 bits of entropy."""
    return TOKEN_PREFIX + secrets.token_urlsafe(30)


def hash_token(token: str, secret: str) -> str:
    """The keyed hash we store; a leaked table is useless without the server secret."""
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def shown_prefix(token: str) -> str:
    """The part of a token that is safe to list."""
    return token[:SHOWN_PREFIX_LEN]
