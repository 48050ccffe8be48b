"""API keys for partners and integrations."""

import enum
from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, exact_string, new_id, utcnow


class Scope(enum.StrEnum):
    FEEDS_READ = "feeds:read"
    ARTICLES_WRITE = "articles:write"


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(exact_string(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100))
    # The first characters of the key, to tell keys apart in listings and logs.
    prefix: Mapped[str] = mapped_column(String(16))
    # SHA-256 of the key: keys are long random strings, so a fast hash is safe to look up by.
    key_hash: Mapped[str] = mapped_column(exact_string(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    rate_limit_per_minute: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
