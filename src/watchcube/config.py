"""Typed settings read from ``WATCHCUBE_*`` environment variables; bad values fail at start."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from watchcube import defaults


class Settings(BaseSettings):
    """Process-wide configuration. Flags on the command line override these values."""

    model_config = SettingsConfigDict(env_prefix="WATCHCUBE_", extra="ignore")

    database_url: str = defaults.DATABASE_URL
    redis_url: str | None = None
    redis_prefix: str = Field(default=defaults.REDIS_PREFIX, pattern=r"^[A-Za-z0-9_.-]{1,32}$")
    jwt_secret: str | None = None
    jwt_public_key_file: str | None = None
    topics_file: str | None = Field(
        default=None, description="JSON keyword map replacing the shipped topic tagger"
    )
    zip_max_bytes: int = Field(default=defaults.ZIP_MAX_UNCOMPRESSED_BYTES, gt=0)
    upload_max_bytes: int = Field(default=defaults.UPLOAD_MAX_BYTES, gt=0)
    import_batch_size: int = Field(default=defaults.IMPORT_BATCH_SIZE, gt=0)
    memory_cache_bytes: int = Field(default=defaults.MEMORY_CACHE_BYTES, ge=0)
    frame_cache_bytes: int = Field(default=defaults.FRAME_CACHE_BYTES, ge=0)
    raw_frames_kept: int = Field(default=defaults.RAW_FRAMES_KEPT, ge=0)
    result_ttl_seconds: int = Field(default=defaults.RESULT_TTL_SECONDS, gt=0)
    type_ttl_seconds: dict[str, int] = Field(default_factory=dict)
    version_max_age_seconds: float = Field(default=defaults.VERSION_MAX_AGE_SECONDS, ge=0)
    worker_poll_seconds: float = Field(default=defaults.WORKER_POLL_SECONDS, gt=0)
    change_retention_seconds: int = Field(default=defaults.CHANGE_RETENTION_SECONDS, gt=0)
    registry_ttl_seconds: int = Field(default=defaults.REGISTRY_TTL_SECONDS, gt=0)
    embedded_worker: bool | None = Field(
        default=None, description="Run the refresh loop inside serve (default: on SQLite)"
    )

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql", "postgres://")):
            raise ValueError("WATCHCUBE_DATABASE_URL must be a sqlite:// or postgresql:// URL")
        return value

    def ttl_for(self, aggregation_type: str) -> int:
        """Seconds a result of this type may be served before it is recomputed."""
        return self.type_ttl_seconds.get(aggregation_type, self.result_ttl_seconds)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings()
