"""The current time as a dependency, so tests can move it instead of sleeping.

Request dependencies here and in the other modules are ``async def`` even when they do not
await: FastAPI runs a plain ``def`` dependency in its thread pool, a hand-off (and a wait for
the GIL) on every request for work that takes microseconds."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends


async def current_time() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


Now = Annotated[datetime, Depends(current_time)]
