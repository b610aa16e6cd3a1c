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
    jwt_secret: str | None = None
    topics_file: str | None = Field(
        default=None, description="JSON keyword map replacing the shipped topic tagger"
    )
    zip_max_bytes: int = Field(default=defaults.ZIP_MAX_UNCOMPRESSED_BYTES, gt=0)
    import_batch_size: int = Field(default=defaults.IMPORT_BATCH_SIZE, gt=0)

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("WATCHCUBE_DATABASE_URL must be a sqlite:// or postgresql:// URL")
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings()
