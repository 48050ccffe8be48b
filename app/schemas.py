"""Shapes shared by every feature's request and response bodies."""

from pydantic import BaseModel, ConfigDict

# Strings with a NUL byte are refused everywhere: no client text may contain one.
NO_NUL = r"^[^\x00]*$"


class WriteModel(BaseModel):
    """A request body: unknown fields are refused, so nothing can be mass-assigned."""

    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """An RFC 9457 problem: every error response."""

    type: str
    title: str
    status: int
    detail: str


class FieldError(BaseModel):
    field: str
    message: str


class ValidationProblem(Problem):
    """A 422: which fields are wrong and why (never the submitted values)."""

    errors: list[FieldError]
