"""Signed links (email verification, password reset): made and checked with the site's secret key."""
from __future__ import annotations

import hashlib
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class TokenError(Exception):
    """A link that is expired, already used, or not one we made."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "expired", "used" or "invalid"


def fingerprint(value: str) -> str:
    """A short digest of a value a link is bound to (an address, a password hash), so the link spends with it."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def make_token(secret_key: str, salt: str, data: dict[str, Any]) -> str:
    return URLSafeTimedSerializer(secret_key, salt=salt).dumps(data)


def read_token(secret_key: str, salt: str, token: str, max_age: int) -> dict[str, Any]:
    """The data a link carries, if we signed it for this purpose less than `max_age` seconds ago."""
    try:
        data = URLSafeTimedSerializer(secret_key, salt=salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenError("expired") from exc
    except BadSignature as exc:
        raise TokenError("invalid") from exc
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        raise TokenError("invalid")
    return data
