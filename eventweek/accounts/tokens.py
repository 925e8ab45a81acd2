"""Password-reset links: signed, valid one hour, and usable once.

The link carries the account id and a fingerprint of the account's current password
hash, signed with SECRET_KEY (itsdangerous). Setting a new password changes the hash,
so a used link (and any other link sent before) stops working without storing anything.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer

RESET_SALT = "eventweek.accounts.password-reset"
RESET_LINK_VALIDITY = timedelta(hours=1)


def password_fingerprint(password_hash: str) -> str:
    """A short digest of the stored hash: changes whenever the password changes."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:20]


def reset_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=RESET_SALT)


def make_reset_token(secret_key: str, user_id: int, password_hash: str) -> str:
    return reset_serializer(secret_key).dumps(
        {"user": user_id, "fingerprint": password_fingerprint(password_hash)}
    )


def read_reset_token(secret_key: str, token: str, now: datetime) -> tuple[int, str] | None:
    """(user id, fingerprint) from a genuine token issued less than an hour before `now`."""
    try:
        payload, issued_at = reset_serializer(secret_key).loads(token, return_timestamp=True)
    except BadSignature:  # also covers malformed tokens and bad payloads
        return None
    if not isinstance(payload, dict) or now - issued_at > RESET_LINK_VALIDITY:
        return None
    user_id, fingerprint = payload.get("user"), payload.get("fingerprint")
    if not isinstance(user_id, int) or not isinstance(fingerprint, str):
        return None
    return user_id, fingerprint


def fingerprint_matches(password_hash: str, fingerprint: str) -> bool:
    return hmac.compare_digest(password_fingerprint(password_hash), fingerprint)
