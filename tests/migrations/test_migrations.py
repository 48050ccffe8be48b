"""The migrations build the schema the models describe, and come down again cleanly."""

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from app.articles.search import include_in_autogenerate
from app.db import Base
from tests.conftest import run_alembic


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _drift(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": include_in_autogenerate}
    )
    return list(compare_metadata(context, Base.metadata))


async def test_downgrade_to_base_then_upgrade_to_head_without_drift(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await run_alembic(connection, "downgrade", "base")
        await connection.commit()
        assert await connection.run_sync(_table_names) <= {"alembic_version"}

        await run_alembic(connection, "upgrade", "head")
        await connection.commit()
        assert await connection.run_sync(_table_names) >= set(Base.metadata.tables)
        # What `alembic check` reports: the models and the migrated schema agree.
        assert await connection.run_sync(_drift) == []
