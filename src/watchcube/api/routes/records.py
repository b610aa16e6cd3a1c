"""Writing records: a batch posted by an app, a Takeout upload, a range deleted."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, File, Query, Request, UploadFile
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from watchcube.api.deps import ServiceDep, UserDep
from watchcube.errors import InvalidInput, InvalidRecords, PayloadTooLarge
from watchcube.importer import ImportSummary
from watchcube.records import records_from_rows

router = APIRouter(tags=["records"])
_CHUNK = 1024 * 1024
MAX_BATCH_ROWS = 100_000  # rows in one POST; larger histories go through imports


class WriteOut(BaseModel):
    inserted: int
    duplicates: int
    data_version: int


class DeleteOut(BaseModel):
    deleted: int
    data_version: int


def _rows(body: bytes) -> list[Any]:
    """A JSON array or NDJSON lines, as a list of row objects."""
    text = body.strip()
    if not text:
        raise InvalidRecords("empty body: send a JSON array or NDJSON lines of records")
    if text.startswith(b"["):
        try:
            rows = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise InvalidRecords(f"body is not valid JSON: {exc}") from None
        if not isinstance(rows, list):
            raise InvalidRecords("body must be a JSON array of records")
        return rows
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                rows.append(orjson.loads(line))
            except orjson.JSONDecodeError as exc:
                raise InvalidRecords(
                    f"line {number} is not valid JSON: {exc}",
                    [{"row": number - 1, "field": "record", "message": str(exc)}],
                ) from None
    return rows


@router.post(
    "/v1/users/{user_id}/records",
    response_model=WriteOut,
    summary="Add records (JSON array or NDJSON); an invalid row rejects the whole batch",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "array", "items": {"$ref": "#/components/schemas/RecordIn"}}
                },
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    },
)
async def post_records(request: Request, user_id: UserDep, service: ServiceDep) -> WriteOut:
    limit = service.settings.upload_max_bytes
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(f"request body is larger than {limit} bytes")
    rows = _rows(bytes(body))
    if len(rows) > MAX_BATCH_ROWS:
        raise PayloadTooLarge(f"at most {MAX_BATCH_ROWS} records per request; use imports")
    records = records_from_rows(rows)
    result = await run_in_threadpool(service.add_records, user_id, records)
    return WriteOut(
        inserted=result.inserted, duplicates=result.duplicates, data_version=result.data_version
    )


@router.post(
    "/v1/users/{user_id}/imports",
    response_model=ImportSummary,
    summary="Import a Takeout export (zip, JSON or HTML) or a records file",
)
async def post_import(
    request: Request,
    user_id: UserDep,
    service: ServiceDep,
    file: Annotated[UploadFile, File(description="Takeout zip/JSON/HTML or records file")],
    timezone: Annotated[
        str | None, Query(description="IANA zone for an ambiguous HTML zone abbreviation")
    ] = None,
) -> ImportSummary:
    limit = service.settings.upload_max_bytes
    with tempfile.TemporaryDirectory(prefix="watchcube-upload-") as folder:
        path = Path(folder) / Path(file.filename or "upload").name
        size = 0
        with path.open("wb") as out:
            while chunk := await file.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(f"upload is larger than {limit} bytes")
                out.write(chunk)
        summary = await run_in_threadpool(service.import_path, user_id, path, timezone=timezone)
    return summary


@router.delete(
    "/v1/users/{user_id}/records",
    response_model=DeleteOut,
    summary="Delete the records on local dates start..end (inclusive; at least one is needed)",
)
async def delete_records(
    user_id: UserDep,
    service: ServiceDep,
    start: date | None = None,
    end: date | None = None,
) -> DeleteOut:
    if start is None and end is None:
        raise InvalidInput("start or end is required (to delete everything, give start only)")
    result = await run_in_threadpool(service.delete_records, user_id, start, end)
    return DeleteOut(deleted=result.inserted, data_version=result.data_version)
