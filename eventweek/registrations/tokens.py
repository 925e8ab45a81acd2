"""Secret links without accounts: management links and personal calendar feeds.

A token is derived from a random salt stored with the row and the app's SECRET_KEY
(HMAC-SHA256); the database keeps the salt and the token's SHA-256 hash, never the token.
Reading the database alone therefore gives no working link, and the same link can be
e-mailed again (as when someone registers twice) without storing it. Changing
SECRET_KEY invalidates every link; see docs/decisions/0002-secret-links.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_salt() -> str:
    return secrets.token_hex(32)


def derive_token(secret_key: str, purpose: str, salt: str) -> str:
    digest = hmac.new(secret_key.encode(), f"{purpose}:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(candidate: str) -> bool:
    return bool(TOKEN_PATTERN.match(candidate))


def hashes_match(stored_hash: str, token: str) -> bool:
    """Constant-time comparison of a stored hash with a presented token."""
    return hmac.compare_digest(stored_hash, token_hash(token))
