"""The one exception tree of watchcube.

Every error a user can cause carries an HTTP status and a stable code, so the CLI can print
it and the API can turn it into ``{"error": {"code", "message"}}`` in one handler.

    WatchcubeError                   500 internal
     +-- ConfigError                 500 config_error
     +-- InvalidInput                422 invalid_input
     |    +-- InvalidFilter          422 invalid_filter
     |    +-- InvalidSettings        422 invalid_settings
     |    +-- InvalidRecords         422 invalid_records
     |    +-- UnreadableFile         422 unreadable_file
     |         +-- NoWatchHistory    422 no_watch_history
     |         +-- UnsafeArchive     422 unsafe_archive
     +-- PayloadTooLarge             413 payload_too_large
     +-- NotFound                    404 not_found
     +-- AuthError                   401 unauthorized
     +-- Forbidden                   403 forbidden
     +-- StorageError                503 storage_unavailable
     +-- ServiceUnavailable          503 service_unavailable
"""

from __future__ import annotations


class WatchcubeError(Exception):
    """Base class: a message for people, a stable code and an HTTP status for programs."""

    status: int = 500
    code: str = "internal"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(WatchcubeError):
    """A setting (environment variable or flag) has a value watchcube cannot use."""

    code = "config_error"


class InvalidInput(WatchcubeError):
    """Something a user sent is not acceptable; the message says what and where."""

    status = 422
    code = "invalid_input"


class InvalidFilter(InvalidInput):
    """A filter parameter is malformed, out of range, or contradicts another."""

    code = "invalid_filter"


class InvalidSettings(InvalidInput):
    """A user setting (time zone, session gap) is not valid."""

    code = "invalid_settings"


class InvalidRecords(InvalidInput):
    """A batch of records has invalid rows; the whole batch is rejected."""

    code = "invalid_records"

    def __init__(self, message: str, problems: list[dict[str, object]] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class UnreadableFile(InvalidInput):
    """A file cannot be read as a watch history; the message names file and position."""

    code = "unreadable_file"


class NoWatchHistory(UnreadableFile):
    """A readable file without a single watch entry (a search history, say)."""

    code = "no_watch_history"


class UnsafeArchive(UnreadableFile):
    """A zip archive with paths escaping the extraction root or expanding past the limit."""

    code = "unsafe_archive"


class PayloadTooLarge(WatchcubeError):
    """An upload larger than the configured limit."""

    status = 413
    code = "payload_too_large"


class NotFound(WatchcubeError):
    """The user, aggregation type or resource does not exist."""

    status = 404
    code = "not_found"


class AuthError(WatchcubeError):
    """Missing, malformed, badly signed or expired credentials."""

    status = 401
    code = "unauthorized"


class Forbidden(WatchcubeError):
    """Valid credentials that may not act for this user."""

    status = 403
    code = "forbidden"


class StorageError(WatchcubeError):
    """The database cannot be reached or refused the operation."""

    status = 503
    code = "storage_unavailable"


class ServiceUnavailable(WatchcubeError):
    """The SDK got no usable answer from the service (unreachable, or a 5xx response)."""

    status = 503
    code = "service_unavailable"
