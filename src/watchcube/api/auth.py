"""Bearer JWT authentication: who is calling, and may they act for this user.

HS256 with ``WATCHCUBE_JWT_SECRET`` or RS256 with ``WATCHCUBE_JWT_PUBLIC_KEY_FILE``. The
token's ``sub`` is the user id; an ``admin`` scope (``scope: "admin"`` or ``scopes:
["admin"]``) may act for any user. Verified tokens are remembered until they expire, so
the hot path decodes each token once.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from watchcube.config import Settings
from watchcube.errors import AuthError, ConfigError, Forbidden

_MAX_REMEMBERED = 10_000
_LEEWAY_SECONDS = 5


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller a valid token names."""

    subject: str
    admin: bool
    expires_at: float | None

    def authorize(self, user_id: str) -> None:
        """Raise ``Forbidden`` unless this caller may read and write ``user_id``'s data."""
        if not self.admin and self.subject != user_id:
            raise Forbidden(f"this token may not access user {user_id!r}")

    def require_admin(self) -> None:
        if not self.admin:
            raise Forbidden("this endpoint needs a token with the admin scope")


class Authenticator:
    """Verifies bearer tokens with one key and algorithm."""

    def __init__(self, key: str | bytes, algorithm: str) -> None:
        self.key = key
        self.algorithm = algorithm
        self._known: dict[str, Principal] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> Authenticator:
        if settings.jwt_public_key_file:
            try:
                key = Path(settings.jwt_public_key_file).read_bytes()
            except OSError as exc:
                raise ConfigError(f"cannot read WATCHCUBE_JWT_PUBLIC_KEY_FILE: {exc}") from exc
            return cls(key, "RS256")
        if not settings.jwt_secret:
            raise ConfigError(
                "set WATCHCUBE_JWT_SECRET (or WATCHCUBE_JWT_PUBLIC_KEY_FILE): the API refuses "
                "to start without a way to check tokens (`watchcube demo` makes one up)"
            )
        if len(settings.jwt_secret.encode()) < 32:
            raise ConfigError("WATCHCUBE_JWT_SECRET must be at least 32 bytes (RFC 7518)")
        return cls(settings.jwt_secret, "HS256")

    def verify(self, authorization: str | None) -> Principal:
        """The principal of an ``Authorization`` header value; ``AuthError`` if invalid."""
        if not authorization:
            raise AuthError("missing Authorization: Bearer <token> header")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("Authorization header must be 'Bearer <token>'")
        return self.verify_token(token.strip())

    def verify_token(self, token: str) -> Principal:
        """The principal of a bare token (the dashboard page's cookie); ``AuthError`` if
        invalid."""
        known = self._known.get(token)
        now = time.time()
        if known is not None and (known.expires_at is None or known.expires_at > now):
            return known
        principal = self._decode(token)
        if len(self._known) >= _MAX_REMEMBERED:
            self._known.clear()
        self._known[token] = principal
        return principal

    def _decode(self, token: str) -> Principal:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self.key,
                algorithms=[self.algorithm],
                options={"require": ["sub"]},
                leeway=_LEEWAY_SECONDS,
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("token expired") from None
        except jwt.InvalidTokenError as exc:
            raise AuthError(f"invalid token: {exc}") from None
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise AuthError("invalid token: sub must be a user id")
        scopes = claims.get("scopes") or str(claims.get("scope", "")).split()
        expires = claims.get("exp")
        return Principal(
            subject=subject,
            admin="admin" in scopes,
            expires_at=float(expires) if isinstance(expires, int | float) else None,
        )


def mint_token(
    key: str | bytes,
    user_id: str,
    *,
    admin: bool = False,
    ttl_seconds: int = 86_400,
    algorithm: str = "HS256",
) -> str:
    """A signed token for ``user_id`` (what ``watchcube token`` prints)."""
    now = int(time.time())
    claims: dict[str, Any] = {"sub": user_id, "iat": now, "exp": now + ttl_seconds}
    if admin:
        claims["scope"] = "admin"
    return jwt.encode(claims, key, algorithm=algorithm)


def new_secret() -> str:
    """A random HS256 secret (the demo's, which lives as long as its process)."""
    return secrets.token_urlsafe(32)
