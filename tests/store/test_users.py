"""Settings are validated, and a real change bumps the data version and is logged."""

from __future__ import annotations

import pytest

from watchcube.errors import InvalidInput, InvalidSettings
from watchcube.store.changelog import pending_changes
from watchcube.store.db import Database
from watchcube.store.users import change_settings, ensure_user, get_user


def test_settings_change_bumps_version_once(db: Database) -> None:
    with db.write() as conn:
        ensure_user(conn, "alice")
        user = change_settings(conn, "alice", timezone="Europe/Berlin")
        assert (user.settings.timezone, user.data_version) == ("Europe/Berlin", 1)
        same = change_settings(conn, "alice", timezone="Europe/Berlin")
        assert same.data_version == 1
        gap = change_settings(conn, "alice", session_gap_minutes=45)
        assert (gap.settings.session_gap_minutes, gap.settings.timezone, gap.data_version) == (
            45,
            "Europe/Berlin",
            2,
        )
        assert pending_changes(conn, "alice") == 2


@pytest.mark.parametrize("zone", ["IST", "PDT", "EST5EDT ", "Mars/Olympus", "+02:00", "", "../etc"])
def test_only_iana_zones(db: Database, zone: str) -> None:
    with pytest.raises(InvalidSettings, match="timezone"), db.write() as conn:
        change_settings(conn, "alice", timezone=zone)


@pytest.mark.parametrize("gap", [0, -5, 24 * 60 + 1])
def test_session_gap_bounds(db: Database, gap: int) -> None:
    with pytest.raises(InvalidSettings, match="session_gap_minutes"), db.write() as conn:
        change_settings(conn, "alice", session_gap_minutes=gap)
    with db.read() as conn:
        assert get_user(conn, "alice") is None


@pytest.mark.parametrize("user", ["", "a/b", "x" * 129, "tab\there", "{tag}"])
def test_user_ids_are_checked(db: Database, user: str) -> None:
    with pytest.raises(InvalidInput), db.write() as conn:
        ensure_user(conn, user)
