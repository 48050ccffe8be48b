"""The current time as a dependency, so tests can move it instead of sleeping.

Request dependencies here and in the other modules are ``async def`` even when they do not
await: FastAPI runs a plain ``def`` dependency in its thread pool, a hand-off (and a wait for
the GIL) on every request for work that takes microseconds."""

import inspect
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, FastAPI


async def current_time() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


async def app_time(app: FastAPI) -> datetime:
    """Now as the app's routes see it, for work done before routing: ``current_time``, or
    what overrides it."""
    clock = app.dependency_overrides.get(current_time, current_time)
    now = clock()
    return await now if inspect.isawaitable(now) else now  # type: ignore[no-any-return]


Now = Annotated[datetime, Depends(current_time)]
