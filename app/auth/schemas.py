"""Token shapes."""

from typing import Literal

from pydantic import BaseModel, Field

from app.schemas import PLAIN_TEXT, WriteModel


class TokenPair(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str


class RefreshTokenIn(WriteModel):
    refresh_token: str = Field(min_length=1, max_length=512, pattern=PLAIN_TEXT)
