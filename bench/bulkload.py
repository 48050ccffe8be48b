"""Loading a generated corpus: COPY on PostgreSQL (keys, indexes and foreign keys dropped
first; each table's keys and indexes rebuilt while later tables load, foreign keys at the
end), chunked executemany on SQLite."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import asyncpg
from generate import Generator, Table

from app.db import json_text

# asyncpg sends json columns as text in COPY's binary format.
JSON_COLUMNS = {"summary", "credits", "image", "video", "topic_names", "author_names"}
# Tables whose integer keys the generator assigns: their sequences move past them.
SEQUENCES = {"topics": "id", "authors": "id", "articles": "pk"}


def asyncpg_dsn(database_url: str) -> str:
    return database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _json_encoded(row: tuple[Any, ...], columns: list[int]) -> tuple[Any, ...]:
    values = list(row)
    for index in columns:
        if values[index] is not None:
            values[index] = json_text(values[index])
    return tuple(values)


async def _next_chunk(chunks: Iterator[list[tuple[Any, ...]]]) -> list[tuple[Any, ...]] | None:
    return await asyncio.to_thread(next, chunks, None)


async def _schema_objects(connection: Any, tables: Sequence[str]) -> dict[str, Any]:
    """DDL to rebuild every key, index and foreign key of ``tables`` (and those pointing at
    them): what to drop; per table, its keys then its indexes; then the foreign keys."""
    constraints = await connection.fetch(
        """
        SELECT c.conrelid::regclass::text AS table_name, c.conname, c.contype::text AS contype,
               pg_get_constraintdef(c.oid) AS definition
        FROM pg_constraint c
        WHERE c.connamespace = 'public'::regnamespace AND c.contype IN ('p', 'u', 'f')
          AND (c.conrelid::regclass::text = ANY($1::text[])
               OR c.confrelid::regclass::text = ANY($1::text[]))
        """,
        list(tables),
    )
    indexes = await connection.fetch(
        """
        SELECT i.tablename, i.indexname, i.indexdef
        FROM pg_indexes i
        WHERE i.schemaname = 'public' AND i.tablename = ANY($1::text[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        list(tables),
    )
    keys = [r for r in constraints if r["contype"] in ("p", "u") and r["table_name"] in tables]
    foreign = [r for r in constraints if r["contype"] == "f"]
    rebuild: dict[str, list[str]] = {table: [] for table in tables}
    for r in keys:
        rebuild[r["table_name"]].append(
            f'ALTER TABLE {r["table_name"]} ADD CONSTRAINT "{r["conname"]}" {r["definition"]}'
        )
    for r in indexes:
        rebuild[r["tablename"]].append(r["indexdef"])
    return {
        "drop": [f'ALTER TABLE {r["table_name"]} DROP CONSTRAINT "{r["conname"]}"' for r in foreign]
        + [f'ALTER TABLE {r["table_name"]} DROP CONSTRAINT "{r["conname"]}"' for r in keys]
        + [f'DROP INDEX "{r["indexname"]}"' for r in indexes],
        "rebuild": rebuild,
        "foreign": [
            f'ALTER TABLE {r["table_name"]} ADD CONSTRAINT "{r["conname"]}" {r["definition"]}'
            for r in foreign
        ],
    }


async def _run_ddl(dsn: str, statements: asyncio.Queue[str | None]) -> int:
    """Run the queued DDL on a connection of its own until it meets None; how many ran."""
    connection = await asyncpg.connect(dsn)
    ran = 0
    try:
        # The articles' search index (GIN) builds in three quarters of the time it takes
        # with 256 MB.
        await connection.execute("SET maintenance_work_mem = '1GB'")
        while (statement := await statements.get()) is not None:
            await connection.execute(statement)
            ran += 1
    finally:
        await connection.close()
    return ran


async def _run_parallel(dsn: str, statements: list[str], connections: int = 2) -> None:
    """Run independent DDL on a few connections at once (index builds are CPU-bound)."""
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    for statement in [*statements, *[None] * connections]:
        queue.put_nowait(statement)
    await asyncio.gather(*(_run_ddl(dsn, queue) for _ in range(connections)))


async def _copy_table(connections: list[Any], table: Table) -> int:
    """COPY one table over several connections, generating the next chunks in a thread
    meanwhile: the server's work (the articles' search vectors above all) spreads over cores.
    """
    json_columns = [i for i, c in enumerate(table.columns) if c in JSON_COLUMNS]

    def encoded() -> Iterator[list[tuple[Any, ...]]]:
        for chunk in table.chunks():
            if json_columns:
                chunk = [_json_encoded(row, json_columns) for row in chunk]
            yield chunk

    queue: asyncio.Queue[list[tuple[Any, ...]] | None] = asyncio.Queue(maxsize=2)

    async def produce() -> None:
        chunks = encoded()
        while (chunk := await _next_chunk(chunks)) is not None:
            await queue.put(chunk)
        for _ in connections:
            await queue.put(None)

    async def consume(connection: Any) -> int:
        rows = 0
        while (chunk := await queue.get()) is not None:
            if chunk:
                await connection.copy_records_to_table(
                    table.name, records=chunk, columns=table.columns
                )
                rows += len(chunk)
        return rows

    producer = asyncio.create_task(produce())
    copied = await asyncio.gather(*(consume(c) for c in connections))
    await producer
    return sum(copied)


async def load_postgres(
    database_url: str, generator: Generator, log: Callable[[str], None], *, connections: int = 2
) -> dict[str, float]:
    """COPY every table, rebuild keys, indexes and foreign keys, and ANALYZE.

    A table's keys and indexes are rebuilt as soon as it is loaded, on a connection of their
    own, while later tables load: loading the reading events is bound by generating them (one
    Python thread), which leaves a core to the articles' search index and the others. What is
    left when the last table is loaded is rebuilt on ``connections`` connections at once.
    """
    dsn = asyncpg_dsn(database_url)
    timings: dict[str, float] = {}
    pool = [await asyncpg.connect(dsn) for _ in range(connections)]
    pending: asyncio.Queue[str | None] = asyncio.Queue()
    builders = []
    try:
        for connection in pool:
            await connection.execute("SET synchronous_commit = off")
        tables = generator.tables()
        ddl = await _schema_objects(pool[0], [t.name for t in tables])
        for statement in ddl["drop"]:
            await pool[0].execute(statement)
        builders.append(asyncio.create_task(_run_ddl(dsn, pending)))
        for table in tables:
            started = time.perf_counter()
            rows = await _copy_table(pool, table)
            generator.corpus.counts[table.name] = rows
            timings[f"copy {table.name}"] = time.perf_counter() - started
            log(f"  {table.name}: {rows:,} rows in {timings[f'copy {table.name}']:.1f}s")
            for statement in ddl["rebuild"][table.name]:
                pending.put_nowait(statement)
        for name, column in SEQUENCES.items():
            await pool[0].execute(
                f"SELECT setval(pg_get_serial_sequence('{name}', '{column}'), "  # noqa: S608
                f"(SELECT max({column}) FROM {name}))"
            )
    except BaseException:
        for builder in builders:
            builder.cancel()
        raise
    finally:
        for connection in pool:
            await connection.close()
    started = time.perf_counter()
    left = pending.qsize()
    builders += [asyncio.create_task(_run_ddl(dsn, pending)) for _ in range(connections - 1)]
    for _ in builders:
        pending.put_nowait(None)
    rebuilt = sum(await asyncio.gather(*builders))
    timings["rebuild keys and indexes"] = time.perf_counter() - started
    log(
        f"  keys and indexes: {rebuilt} rebuilt, {rebuilt - left} of them while loading; "
        f"the other {left} in {timings['rebuild keys and indexes']:.1f}s"
    )
    started = time.perf_counter()
    await _run_parallel(dsn, ddl["foreign"], connections)
    timings["rebuild foreign keys"] = time.perf_counter() - started
    log(f"  foreign keys: {len(ddl['foreign'])} rebuilt in {timings['rebuild foreign keys']:.1f}s")
    started = time.perf_counter()
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    timings["analyze"] = time.perf_counter() - started
    log(f"  analyze: {timings['analyze']:.1f}s")
    return timings


def load_sqlite(
    database_url: str, generator: Generator, log: Callable[[str], None]
) -> dict[str, float]:
    """Chunked executemany through SQLAlchemy Core, so values are stored as the app stores
    them (UTC timestamps as text, JSON as text)."""
    from sqlalchemy import create_engine, text

    from app.db import Base

    engine = create_engine(database_url.replace("sqlite+aiosqlite://", "sqlite://", 1))
    timings: dict[str, float] = {}
    try:
        with engine.begin() as connection:
            connection.execute(text("PRAGMA foreign_keys=OFF"))
            for table in generator.tables():
                started = time.perf_counter()
                target = Base.metadata.tables[table.name]
                rows = 0
                for chunk in table.chunks():
                    if chunk:
                        connection.execute(
                            target.insert(),
                            [dict(zip(table.columns, r, strict=True)) for r in chunk],
                        )
                        rows += len(chunk)
                generator.corpus.counts[table.name] = rows
                timings[f"insert {table.name}"] = time.perf_counter() - started
                log(f"  {table.name}: {rows:,} rows in {timings[f'insert {table.name}']:.1f}s")
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()
    return timings


def load(database_url: str, generator: Generator, log: Callable[[str], None]) -> dict[str, float]:
    if database_url.startswith("postgresql"):
        return asyncio.run(load_postgres(database_url, generator, log))
    return load_sqlite(database_url, generator, log)
