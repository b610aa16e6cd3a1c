"""The dashboard page and the JS client, served from the package (no CDN, works offline)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles
from starlette.responses import FileResponse, Response

from watchcube.api.deps import PrincipalDep

WEB = Path(__file__).resolve().parents[2] / "web"
router = APIRouter(tags=["dashboard"])
static = StaticFiles(directory=WEB / "static", check_dir=False)


@router.get("/", include_in_schema=False)
async def dashboard() -> Response:
    return FileResponse(WEB / "index.html", headers={"Cache-Control": "no-cache"})


@router.get("/v1/me", summary="Who the token belongs to")
async def me(principal: PrincipalDep) -> dict[str, str | bool]:
    return {"user_id": principal.subject, "admin": principal.admin}
