"""Users: their settings and their ``data_version`` (bumped by every write)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import Connection, insert, select, update

from watchcube import defaults
from watchcube.errors import InvalidInput, InvalidSettings, NotFound
from watchcube.store.changelog import append_change
from watchcube.store.schema import USER_ID, users


@dataclass(frozen=True, slots=True)
class UserSettings:
    """What a user may change that changes results."""

    timezone: str = defaults.TIMEZONE
    session_gap_minutes: int = defaults.SESSION_GAP_MINUTES


@dataclass(frozen=True, slots=True)
class User:
    user_id: str
    settings: UserSettings
    data_version: int


def validate_user_id(user_id: str) -> str:
    """User ids are path segments and key prefixes: printable, no slashes, bounded."""
    if not user_id or len(user_id) > USER_ID or not user_id.isprintable():
        raise InvalidInput(f"user id must be 1-{USER_ID} printable characters")
    if any(ch in user_id for ch in "/\\{}") or user_id != user_id.strip():
        raise InvalidInput(f"user id {user_id!r} may not contain / \\ {{ }} or edge spaces")
    return user_id


def validate_timezone(name: str) -> str:
    """IANA zone names only (``Europe/Berlin``); abbreviations and offsets are refused."""
    if name not in _iana_names():
        raise InvalidSettings(f"timezone: {name!r} is not an IANA time zone name")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidSettings(f"timezone: {name!r} is not an IANA time zone name") from exc
    return name


def validate_session_gap(minutes: int) -> int:
    if not defaults.SESSION_GAP_MIN <= minutes <= defaults.SESSION_GAP_MAX:
        raise InvalidSettings(
            f"session_gap_minutes: must be {defaults.SESSION_GAP_MIN}..{defaults.SESSION_GAP_MAX}"
        )
    return minutes


_IANA: frozenset[str] = frozenset()


def _iana_names() -> frozenset[str]:
    global _IANA
    if not _IANA:
        _IANA = frozenset(available_timezones() | {"UTC"})
    return _IANA


def _user(row: Any) -> User:
    return User(row.user_id, UserSettings(row.timezone, row.session_gap_minutes), row.data_version)


def get_user(conn: Connection, user_id: str) -> User | None:
    row = conn.execute(select(users).where(users.c.user_id == user_id)).first()
    return None if row is None else _user(row)


def users_by_id(conn: Connection, user_ids: list[str]) -> list[User]:
    """Several users at once (the version refresher's one query)."""
    return [_user(row) for row in conn.execute(select(users).where(users.c.user_id.in_(user_ids)))]


def require_user(conn: Connection, user_id: str) -> User:
    user = get_user(conn, user_id)
    if user is None:
        raise NotFound(f"no user {user_id!r}")
    return user


def ensure_user(conn: Connection, user_id: str) -> User:
    """The user, created with default settings on first write."""
    user = get_user(conn, user_id)
    if user is not None:
        return user
    validate_user_id(user_id)
    now = datetime.now(UTC)
    conn.execute(insert(users).values(user_id=user_id, created_at=now, updated_at=now))
    return User(user_id, UserSettings(), 0)


def bump_data_version(conn: Connection, user_id: str) -> int:
    """Advance the user's data_version inside the caller's write transaction.

    The row lock this takes serializes concurrent writers of one user on PostgreSQL, so
    versions are gap-free and each change-log row gets its own.
    """
    result = conn.execute(
        update(users)
        .where(users.c.user_id == user_id)
        .values(data_version=users.c.data_version + 1, updated_at=datetime.now(UTC))
        .returning(users.c.data_version)
    )
    return int(result.scalar_one())


def change_settings(
    conn: Connection,
    user_id: str,
    *,
    timezone: str | None = None,
    session_gap_minutes: int | None = None,
) -> User:
    """Validate and apply new settings; a real change bumps data_version and logs it."""
    user = ensure_user(conn, user_id)
    new = UserSettings(
        validate_timezone(timezone) if timezone is not None else user.settings.timezone,
        validate_session_gap(session_gap_minutes)
        if session_gap_minutes is not None
        else user.settings.session_gap_minutes,
    )
    if new == user.settings:
        return user
    conn.execute(
        update(users)
        .where(users.c.user_id == user_id)
        .values(timezone=new.timezone, session_gap_minutes=new.session_gap_minutes)
    )
    version = bump_data_version(conn, user_id)
    append_change(conn, user_id, version, "settings", 0, None, None)
    return User(user_id, new, version)


def all_user_ids(conn: Connection) -> list[str]:
    return [row.user_id for row in conn.execute(select(users.c.user_id).order_by(users.c.user_id))]
