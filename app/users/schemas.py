"""Account shapes as clients see and send them."""

from datetime import datetime
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from app.models import Role
from app.schemas import PLAIN_AS_SENT, PLAIN_TEXT, Language, WriteModel

DisplayName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=PLAIN_TEXT),
    PLAIN_AS_SENT,
]


def _email(value: str) -> str:
    try:
        # Reserved test domains are accepted: no mail is sent, and test clients use them.
        checked = validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError as error:
        raise ValueError(f"not a valid email address: {error}") from None
    return checked.normalized


Email = Annotated[
    str,
    StringConstraints(max_length=320),
    AfterValidator(_email),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 320}),
]
# ISO 3166-1 alpha-2 region code, e.g. "GB".
Region = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    display_name: str | None
    role: Role
    created_at: datetime


class MeOut(UserOut):
    language: str | None
    region: str | None


class MeUpdate(WriteModel):
    display_name: DisplayName | None = None
    language: Language | None = None
    region: Region | None = None


class RegisterIn(WriteModel):
    email: Email
    password: str = Field(min_length=8, max_length=256, pattern=PLAIN_TEXT)
    display_name: DisplayName | None = None


class RoleUpdate(WriteModel):
    role: Role
