"""Operator endpoints (admin scope): backfill, cleanup, validate."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from watchcube.api.deps import PrincipalDep, ServiceDep
from watchcube.refresh.validation import validate_user
from watchcube.refresh.worker import Worker
from watchcube.service import Service
from watchcube.store.users import all_user_ids

router = APIRouter(prefix="/v1/admin", tags=["admin"])


class Scope(BaseModel):
    user_id: str | None = Field(default=None, description="One user (default: every user)")


class ValidateIn(Scope):
    sample: int | None = Field(default=None, ge=1, le=100_000)


def _users(service: Service, user_id: str | None) -> list[str]:
    if user_id is not None:
        service.user(user_id, fresh=True)  # 404 for an unknown user
        return [user_id]
    with service.db.read() as conn:
        return all_user_ids(conn)


@router.post("/backfill", summary="Pre-compute every registered and default filter now")
async def backfill(
    principal: PrincipalDep,
    service: ServiceDep,
    scope: Annotated[Scope | None, Body()] = None,
) -> dict[str, Any]:
    principal.require_admin()
    user_id = scope.user_id if scope else None

    def run() -> list[dict[str, Any]]:
        worker = Worker(service)
        reports = [worker.refresh_user(u, force=True) for u in _users(service, user_id)]
        return [
            {
                "user_id": r.user_id,
                "data_version": r.data_version,
                "filters": r.filters,
                "computed": r.computed,
                "carried": r.carried,
                "current": r.current,
            }
            for r in reports
            if r is not None
        ]

    return {"users": await run_in_threadpool(run)}


@router.post("/cleanup", summary="Delete expired results, old changes and cold filters")
async def cleanup(principal: PrincipalDep, service: ServiceDep) -> dict[str, int]:
    principal.require_admin()
    return await run_in_threadpool(Worker(service).cleanup)


@router.post("/validate", summary="Recompute stored results and report differences")
async def validate(
    principal: PrincipalDep,
    service: ServiceDep,
    scope: Annotated[ValidateIn | None, Body()] = None,
) -> dict[str, Any]:
    principal.require_admin()
    wanted = scope or ValidateIn()

    def run() -> list[dict[str, Any]]:
        return [
            vars(validate_user(service, u, wanted.sample)) for u in _users(service, wanted.user_id)
        ]

    reports = await run_in_threadpool(run)
    return {"ok": all(not r["differences"] for r in reports), "users": reports}
