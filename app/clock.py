"""The current time as a dependency, so tests can move it instead of sleeping."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends


def current_time() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


Now = Annotated[datetime, Depends(current_time)]
