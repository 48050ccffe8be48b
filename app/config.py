"""Typed settings, read once from the environment (prefix ``MYNEWS_``) and ``.env``."""

from functools import lru_cache
from typing import Annotated, Literal

from fastapi import Depends, Request
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Known only so that production can refuse it; anyone can read it here.
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"  # noqa: S105

MINIMUM_SECRET_KEY_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MYNEWS_", env_file=".env", extra="ignore", frozen=True
    )

    env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite+aiosqlite:///./data/mynews.db"
    secret_key: str = DEVELOPMENT_SECRET_KEY
    redis_url: str | None = None
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Connection pool (PostgreSQL); a request that cannot get a connection in time is a 503.
    db_pool_size: int = Field(10, ge=1)
    # Connections beyond the pool are opened for a request and closed after it whenever the
    # pool has enough idle ones: under steady load past the pool, each costs a new server
    # process and a new prepare of every statement. Zero by default: past the pool size a
    # request waits its turn (the pool's statements take milliseconds).
    db_max_overflow: int = Field(0, ge=0)
    db_pool_timeout_seconds: float = Field(5.0, gt=0)
    db_connect_timeout_seconds: float = Field(5.0, gt=0)
    db_statement_timeout_ms: int = Field(10_000, ge=0)
    sqlite_busy_timeout_ms: int = Field(10_000, ge=0)

    jwt_issuer: str = "mynews"
    jwt_audience: str = "mynews-api"
    access_token_ttl_seconds: int = Field(900, ge=30)
    refresh_token_ttl_days: int = Field(30, ge=1)

    # Feed ranking: weights of each signal and how fast each fades. See app/feed/ranking.py.
    feed_weight_followed_topic: float = Field(3.0, ge=0)
    feed_weight_followed_author: float = Field(3.0, ge=0)
    feed_weight_inferred_interest: float = Field(2.0, ge=0)
    feed_weight_freshness: float = Field(2.0, ge=0)
    feed_weight_engagement: float = Field(1.5, ge=0)
    feed_weight_editors_pick: float = Field(1.0, ge=0)
    feed_freshness_half_life_hours: float = Field(12.0, gt=0)
    feed_engagement_half_life_hours: float = Field(6.0, gt=0)
    feed_interest_half_life_days: float = Field(14.0, gt=0)
    # Engagement needs this many weighted interactions to reach half its full lift, so one
    # reader's actions move an article little.
    feed_engagement_smoothing: float = Field(20.0, gt=0)
    feed_snapshot_ttl_minutes: int = Field(30, ge=15)

    # Requests per minute. API keys carry their own limit (rate_limit_per_minute).
    rate_limits_enabled: bool = True
    rate_limit_user_per_minute: int = Field(600, ge=1)
    rate_limit_anonymous_per_minute: int = Field(300, ge=1)
    login_rate_limit_per_ip: int = Field(20, ge=1)
    login_rate_limit_per_account: int = Field(10, ge=1)
    # How long a worker trusts an API key it has verified without asking the database again.
    # A revoked key is refused at once by every worker listening for announcements (on
    # PostgreSQL); a worker that is not (SQLite, or its listening connection is down) may
    # honour a revoked key for this long.
    api_key_cache_seconds: float = Field(10.0, ge=0)
    # How long a worker serves a topic feed's version without reading it again (feeds allow
    # caches 60 s). The worker that changes a feed serves the new one at once.
    feed_topic_cache_seconds: float = Field(5.0, ge=0)
    # Rendered feeds and pages each worker keeps in memory when Redis is not configured.
    cache_max_mb: int = Field(48, ge=1)

    # Article batches each worker writes at once; more wait their turn (up to the wait), holding
    # no connection and no lock, so the popular topics every batch updates change hands fast.
    ingest_concurrency: int = Field(4, ge=1)
    ingest_wait_seconds: float = Field(30.0, gt=0)

    max_request_body_bytes: int = Field(1024 * 1024, ge=1024)
    docs_enabled: bool = True

    # Allocations between young-generation collections in each worker (Python's default is
    # 700). A feed request allocates tens of thousands of objects, and each worker keeps
    # caches of hundreds of thousands: at 700 it collected about six times per request and
    # every so often walked all of them, a pause of over 100 ms. 0 leaves the threshold as it
    # is.
    gc_young_threshold: int = Field(10_000, ge=0)

    # uvicorn's graceful-shutdown window and the default worker count of `mynews serve`.
    shutdown_timeout_seconds: int = Field(20, ge=1)
    workers: int = Field(1, ge=1)

    # prometheus_client's own variable: set when several worker processes share /metrics.
    prometheus_multiproc_dir: str | None = Field(None, validation_alias="PROMETHEUS_MULTIPROC_DIR")

    @model_validator(mode="before")
    @classmethod
    def split_cors_origins(cls, data: object) -> object:
        """Accept ``MYNEWS_CORS_ORIGINS`` as a comma-separated list."""
        if isinstance(data, dict):
            origins = data.get("cors_origins")
            if isinstance(origins, str):
                data["cors_origins"] = [o.strip() for o in origins.split(",") if o.strip()]
        return data

    @model_validator(mode="after")
    def refuse_unsafe_production_secret(self) -> "Settings":
        """Refuse to start in production with the published development secret."""
        if self.env == "production":
            if self.secret_key == DEVELOPMENT_SECRET_KEY:
                raise ValueError(
                    "MYNEWS_SECRET_KEY must be set in production: the default key is public. "
                    "Generate one with: "
                    'python -c "import secrets; print(secrets.token_urlsafe(48))"'
                )
            if len(self.secret_key) < MINIMUM_SECRET_KEY_LENGTH:
                raise ValueError(
                    f"MYNEWS_SECRET_KEY must be at least {MINIMUM_SECRET_KEY_LENGTH} characters "
                    "in production."
                )
            if "*" in self.cors_origins:
                raise ValueError("MYNEWS_CORS_ORIGINS may not be '*' in production.")
        return self


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()


async def settings_of(request: Request) -> Settings:
    """The settings of the app serving this request."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(settings_of)]
