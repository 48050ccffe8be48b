"""Liveness, readiness and metrics."""

from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy import text

from app.config import SettingsDep
from app.db import SessionDep
from app.ops.metrics import render_metrics

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"


UNAVAILABLE: dict[int | str, dict[str, object]] = {
    503: {
        "description": "The database is unreachable.",
        "content": {"application/problem+json": {}},
    }
}


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is up. Touches no database."""
    return Health()


@router.get("/readyz", response_model=Health, responses=UNAVAILABLE)
async def readyz(session: SessionDep) -> Health:
    """The database answers: ready for traffic."""
    await session.execute(text("SELECT 1"))
    return Health()


@router.get("/metrics", response_class=Response)
async def metrics(settings: SettingsDep) -> Response:
    """Prometheus text exposition."""
    body, content_type = render_metrics(settings)
    return Response(body, media_type=content_type)
