"""API-key shapes. The key itself appears only in the answer to its creation."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from app.models import Scope
from app.schemas import PLAIN_AS_SENT, PLAIN_TEXT, WriteModel

DEFAULT_RATE_LIMIT_PER_MINUTE = 600


class ApiKeyCreate(WriteModel):
    name: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=PLAIN_TEXT),
        PLAIN_AS_SENT,
    ]
    scopes: list[Scope] = Field(min_length=1, max_length=len(Scope))
    rate_limit_per_minute: StrictInt = Field(DEFAULT_RATE_LIMIT_PER_MINUTE, ge=1, le=100_000)


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    prefix: str = Field(description="The key's first characters, to tell keys apart.")
    scopes: list[Scope]
    rate_limit_per_minute: int
    created_at: datetime


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The secret key. It is shown only once, here.")
