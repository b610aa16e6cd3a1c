"""A user's settings and the freshness of their results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from watchcube.api.deps import ServiceDep, UserDep

router = APIRouter(tags=["users"])


class SettingsOut(BaseModel):
    timezone: str
    session_gap_minutes: int
    data_version: int


class SettingsIn(BaseModel):
    timezone: str | None = Field(default=None, description="IANA time zone name")
    session_gap_minutes: int | None = Field(default=None, ge=1, le=1440)


class StatusOut(BaseModel):
    data_version: int
    records: int
    pending_changes: int
    last_change_at: datetime | None
    last_refresh_at: datetime | None
    freshness_lag_seconds: float


@router.get("/v1/users/{user_id}/settings", response_model=SettingsOut)
async def get_settings(user_id: UserDep, service: ServiceDep) -> SettingsOut:
    user = await run_in_threadpool(service.user, user_id, fresh=True)
    return SettingsOut(
        timezone=user.settings.timezone,
        session_gap_minutes=user.settings.session_gap_minutes,
        data_version=user.data_version,
    )


@router.put("/v1/users/{user_id}/settings", response_model=SettingsOut)
async def put_settings(
    user_id: UserDep,
    service: ServiceDep,
    change: Annotated[SettingsIn, Body()],
) -> SettingsOut:
    user = await run_in_threadpool(
        service.change_settings,
        user_id,
        timezone=change.timezone,
        session_gap_minutes=change.session_gap_minutes,
    )
    return SettingsOut(
        timezone=user.settings.timezone,
        session_gap_minutes=user.settings.session_gap_minutes,
        data_version=user.data_version,
    )


@router.get("/v1/users/{user_id}/status", response_model=StatusOut)
async def get_status(user_id: UserDep, service: ServiceDep) -> StatusOut:
    return StatusOut(**await run_in_threadpool(service.status, user_id))
