"""The Python SDK: results from a watchcube service, computed locally when it is down.

``Client`` reads and writes through the HTTP API. Given ``fallback=LocalEngine(url)`` (the
service's own database), it serves the same results from that database whenever the service
is unreachable or answers 5xx, marked ``source="local"``::

    client = Client("http://127.0.0.1:8000", token, fallback=LocalEngine("sqlite:///w.db"))
    kpi = client.aggregation("kpi", year=2024, channels=["UC..."])
    kpi.data["total_videos"], kpi.source
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import httpx
import orjson

from watchcube.errors import (
    AuthError,
    InvalidRecords,
    ServiceUnavailable,
    WatchcubeError,
)
from watchcube.records import Record, records_from_rows

if TYPE_CHECKING:
    from watchcube.service import Service

Source = Literal["service", "local"]
FilterValue = str | int | bool | date | Sequence[str] | None
T = TypeVar("T")

BATCH_ROWS = 50_000  # records per POST: well under the API's per-request limit
_ETAG_ENTRIES = 256  # responses remembered for conditional requests


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


@dataclass(frozen=True, slots=True)
class Envelope:
    """One aggregation result and the facts needed to judge its freshness."""

    user_id: str
    type: str
    filters: dict[str, Any]
    filter_hash: str
    data: dict[str, Any]
    computed_at: datetime
    expires_at: datetime | None
    data_version: int
    version: int
    stale: bool
    source: Source

    @classmethod
    def from_json(cls, body: Mapping[str, Any], source: Source) -> Envelope:
        return cls(
            user_id=body["user_id"],
            type=body["type"],
            filters=body["filters"],
            filter_hash=body["filter_hash"],
            data=body["data"],
            computed_at=datetime.fromisoformat(body["computed_at"]),
            expires_at=_instant(body["expires_at"]),
            data_version=body["data_version"],
            version=body["version"],
            stale=body["stale"],
            source=source,
        )


@dataclass(frozen=True, slots=True)
class Written:
    """What ``add_records`` did; ``data_version`` is the user's version after it."""

    inserted: int
    duplicates: int
    data_version: int
    source: Source


@dataclass(frozen=True, slots=True)
class Status:
    """How fresh a user's pre-computed results are (``GET /status``)."""

    data_version: int
    records: int
    pending_changes: int
    last_change_at: datetime | None
    last_refresh_at: datetime | None
    freshness_lag_seconds: float
    source: Source

    @classmethod
    def from_json(cls, body: Mapping[str, Any], source: Source) -> Status:
        return cls(
            data_version=body["data_version"],
            records=body["records"],
            pending_changes=body["pending_changes"],
            last_change_at=_instant(body["last_change_at"]),
            last_refresh_at=_instant(body["last_refresh_at"]),
            freshness_lag_seconds=body["freshness_lag_seconds"],
            source=source,
        )


def filter_params(filters: Mapping[str, FilterValue]) -> dict[str, str]:
    """Keyword filters as the API's query parameters (lists comma-joined, dates ISO)."""
    params: dict[str, str] = {}
    for name, value in filters.items():
        if value is None:
            continue
        if isinstance(value, bool):
            params[name] = "true" if value else "false"
        elif isinstance(value, date):
            params[name] = value.isoformat()
        elif isinstance(value, str | int):
            params[name] = str(value)
        else:
            params[name] = ",".join(value)
    return params


def token_subject(token: str) -> str:
    """The ``sub`` claim of a JWT, read without verifying it (the service verifies)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        subject = claims["sub"]
    except (IndexError, ValueError, KeyError, TypeError):
        raise AuthError("token: not a JWT with a sub claim; pass user= to Client") from None
    if not isinstance(subject, str) or not subject:
        raise AuthError("token: its sub claim is not a user id; pass user= to Client")
    return subject


def _error_classes(base: type[WatchcubeError]) -> dict[str, type[WatchcubeError]]:
    classes = {base.code: base}
    for subclass in base.__subclasses__():
        classes.update(_error_classes(subclass))
    return classes


_ERRORS = _error_classes(WatchcubeError)


def _error(response: httpx.Response) -> WatchcubeError:
    """The domain error an API error response names (``{"error": {"code", "message"}}``)."""
    rows = None
    try:
        detail = response.json()["error"]
        code, message, rows = str(detail["code"]), str(detail["message"]), detail.get("rows")
    except (ValueError, KeyError, TypeError, AttributeError):
        code, message = "http_error", f"HTTP {response.status_code}: {response.text[:200]}"
    if response.status_code >= 500:
        return ServiceUnavailable(f"the service answered {response.status_code} {code}: {message}")
    kind = _ERRORS.get(code)
    if kind is InvalidRecords:
        return InvalidRecords(message, rows)
    if kind is not None and kind.status == response.status_code:
        return kind(message)
    error = WatchcubeError(message)
    error.status, error.code = response.status_code, code
    return error


def _records(records: Iterable[Record | Mapping[str, Any]]) -> list[Record]:
    """Records, each mapping validated like the API validates a posted row."""
    rows = [item.to_json() if isinstance(item, Record) else item for item in records]
    return records_from_rows(rows)


class LocalEngine:
    """Results computed in this process from the service's database (no cache, no Redis).

    The SDK's fallback, and usable alone; the database is opened on first use.
    """

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._service: Service | None = None

    @property
    def service(self) -> Service:
        if self._service is None:
            from watchcube.config import Settings
            from watchcube.service import Service

            self._service = Service(Settings(database_url=self.database_url, redis_url=None))
        return self._service

    def results(
        self, user_id: str, types: Sequence[str], params: Mapping[str, str]
    ) -> dict[str, Envelope]:
        """Envelopes of ``types`` for query-string style filters, computed now."""
        from watchcube.filters import parse
        from watchcube.service import Query

        served = self.service.results(user_id, Query.of(parse(params)), types, live=True)
        return {
            name: Envelope.from_json(orjson.loads(item.body), "local")
            for name, item in served.items()
        }

    def add_records(self, user_id: str, records: Sequence[Record]) -> Written:
        result = self.service.add_records(user_id, records)
        return Written(result.inserted, result.duplicates, result.data_version, "local")

    def import_file(
        self, user_id: str, path: Path, *, timezone: str | None = None
    ) -> dict[str, Any]:
        summary = self.service.import_path(user_id, path, timezone=timezone).to_json()
        return {**summary, "source": "local"}

    def status(self, user_id: str) -> Status:
        facts = self.service.status(user_id)
        return Status(
            data_version=facts["data_version"],
            records=facts["records"],
            pending_changes=facts["pending_changes"],
            last_change_at=facts["last_change_at"],
            last_refresh_at=facts["last_refresh_at"],
            freshness_lag_seconds=facts["freshness_lag_seconds"],
            source="local",
        )

    def close(self) -> None:
        if self._service is not None:
            self._service.close()
            self._service = None


class Client:
    """A watchcube service for one token (one user, or any user with an admin token).

    ``user`` defaults to the token's ``sub``. Errors are the ``watchcube.errors`` classes
    the API names (``InvalidFilter``, ``Forbidden``, ...); ``ServiceUnavailable`` when the
    service cannot answer and there is no ``fallback``. The fallback is the caller's to close.
    """

    def __init__(
        self,
        url: str,
        token: str,
        fallback: LocalEngine | None = None,
        *,
        user: str | None = None,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.user_id = user or token_subject(token)
        self.fallback = fallback
        self._http = httpx.Client(
            base_url=url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
        )
        self._etags: dict[str, tuple[str, Any]] = {}

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    @property
    def _user_path(self) -> str:
        return f"/v1/users/{self.user_id}"

    # -- reads ---------------------------------------------------------------------------

    def aggregation(self, aggregation_type: str, /, **filters: FilterValue) -> Envelope:
        """One aggregation's envelope for keyword filters (``year=2024, topics=[...]``)."""
        params = filter_params(filters)
        return self._with_fallback(
            lambda: Envelope.from_json(
                self._get(f"{self._user_path}/aggregations/{aggregation_type}", params),
                "service",
            ),
            lambda local: local.results(self.user_id, [aggregation_type], params)[aggregation_type],
        )

    def dashboard(
        self, *, types: Sequence[str] | None = None, **filters: FilterValue
    ) -> dict[str, Envelope]:
        """Several aggregations (all ten by default) for one filter, in one request."""
        from watchcube.engine.registry import TYPES

        params = filter_params(filters)
        wanted = list(types) if types is not None else list(TYPES)

        def remote() -> dict[str, Envelope]:
            body = self._get(f"{self._user_path}/dashboard", {**params, "types": ",".join(wanted)})
            return {
                name: Envelope.from_json(item, "service") for name, item in body["types"].items()
            }

        return self._with_fallback(
            remote, lambda local: local.results(self.user_id, wanted, params)
        )

    def status(self) -> Status:
        """The user's data version, record count and pending refresh work."""
        return self._with_fallback(
            lambda: Status.from_json(self._get(f"{self._user_path}/status", None), "service"),
            lambda local: local.status(self.user_id),
        )

    # -- writes --------------------------------------------------------------------------

    def add_records(self, records: Iterable[Record | Mapping[str, Any]]) -> Written:
        """Add records (``Record``s or mappings of the record fields), in batches.

        Every record is validated before anything is sent; re-sending is harmless (the
        service drops duplicates).
        """
        batch = _records(records)
        parts = [
            self._add_batch(batch[offset : offset + BATCH_ROWS])
            for offset in range(0, max(1, len(batch)), BATCH_ROWS)
        ]
        return Written(
            inserted=sum(part.inserted for part in parts),
            duplicates=sum(part.duplicates for part in parts),
            data_version=parts[-1].data_version,
            source="local" if any(part.source == "local" for part in parts) else "service",
        )

    def _add_batch(self, batch: list[Record]) -> Written:
        def remote() -> Written:
            response = self._send(
                "POST", f"{self._user_path}/records", json=[record.to_json() for record in batch]
            )
            body = response.json()
            return Written(body["inserted"], body["duplicates"], body["data_version"], "service")

        return self._with_fallback(remote, lambda local: local.add_records(self.user_id, batch))

    def import_file(self, path: str | Path, *, timezone: str | None = None) -> dict[str, Any]:
        """Import a Takeout export (zip, JSON or HTML) or a records file; the import summary."""
        path = Path(path)

        def remote() -> dict[str, Any]:
            with path.open("rb") as upload:
                response = self._send(
                    "POST",
                    f"{self._user_path}/imports",
                    params={"timezone": timezone} if timezone else None,
                    files={"file": (path.name, upload)},
                )
            return {**response.json(), "source": "service"}

        return self._with_fallback(
            remote, lambda local: local.import_file(self.user_id, path, timezone=timezone)
        )

    # -- transport -----------------------------------------------------------------------

    def _with_fallback(self, remote: Callable[[], T], local: Callable[[LocalEngine], T]) -> T:
        try:
            return remote()
        except ServiceUnavailable:
            if self.fallback is None:
                raise
            return local(self.fallback)

    def _get(self, path: str, params: Mapping[str, str] | None) -> Any:
        """A GET that revalidates what it has seen before (If-None-Match; 304 reuses it)."""
        key = f"{path}?{httpx.QueryParams(params or {})}"
        cached = self._etags.get(key)
        headers = {"If-None-Match": cached[0]} if cached else None
        response = self._send("GET", path, params=params, headers=headers)
        if response.status_code == 304 and cached:
            return cached[1]
        body = response.json()
        etag = response.headers.get("etag")
        if etag:
            self._etags.pop(key, None)
            self._etags[key] = (etag, body)
            if len(self._etags) > _ETAG_ENTRIES:
                del self._etags[next(iter(self._etags))]
        return body

    def _send(self, method: str, path: str, **options: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **options)
        except httpx.TransportError as exc:
            raise ServiceUnavailable(f"cannot reach {self._http.base_url}: {exc}") from exc
        if response.status_code >= 400:
            raise _error(response)
        return response
