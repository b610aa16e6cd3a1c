"""Documented shapes of the API (OpenAPI only: results are sent as stored bytes)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Envelope(BaseModel):
    """One aggregation result with the facts a client needs to judge its freshness."""

    user_id: str
    type: str
    filters: dict[str, Any] = Field(description="The canonical filters")
    filter_hash: str = Field(description="SHA-256 of the canonical filters' sorted-key JSON")
    data: dict[str, Any]
    computed_at: str = Field(description="ISO-8601 UTC instant")
    expires_at: str | None
    data_version: int = Field(description="The user's data version the result reflects")
    version: int = Field(description="Version of the result format")
    stale: bool = Field(description="True when data_version is older than the user's")


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. invalid_filter")
    message: str = Field(description="What was wrong, and where")


class Error(BaseModel):
    """Every error response: ``{"error": {"code", "message"}}``."""

    error: ErrorDetail


class Dashboard(BaseModel):
    types: dict[str, Envelope]


class RecordIn(BaseModel):
    """One watch record (DESIGN.md record fields)."""

    watched_at: str = Field(description="ISO-8601 instant", examples=["2024-05-01T18:30:00Z"])
    video_id: str | None = None
    title: str | None = Field(default=None, description="Required when video_id is missing")
    channel_id: str | None = None
    channel_name: str | None = None
    product: Literal["youtube", "youtube_music"] = "youtube"
    topics: list[str] = Field(default_factory=list, max_length=50)
    is_ad: bool = False
    duration_s: float | None = Field(default=None, ge=0, le=604800)


DOCUMENTED = (Envelope, Dashboard, RecordIn, Error)
