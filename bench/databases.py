"""The benchmark's databases: recreated (only if named *bench*), migrated, loaded, marked."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bulkload
import generate
from report import log, stolen_seconds

ROOT = Path(__file__).resolve().parent.parent


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def database_name(url: str) -> str:
    if is_postgres(url):
        return url.rsplit("/", 1)[1].split("?")[0]
    return Path(url.split(":///", 1)[1]).name


def with_suffix(url: str, suffix: str) -> str:
    if is_postgres(url):
        base, name = url.rsplit("/", 1)
        return f"{base}/{name}{suffix}"
    path = Path(url.split(":///", 1)[1])
    return url.split(":///", 1)[0] + ":///" + str(path.with_stem(path.stem + suffix))


async def _postgres_admin(url: str, statements: list[str]) -> list[Any]:
    import asyncpg

    base = bulkload.asyncpg_dsn(url).rsplit("/", 1)[0]
    connection = await asyncpg.connect(f"{base}/postgres")
    try:
        return [await connection.fetch(statement) for statement in statements]
    finally:
        await connection.close()


def corpus_marker(url: str) -> dict[str, Any] | None:
    """What bench/generate.py loaded into this database, if it did."""
    name = database_name(url)
    if is_postgres(url):
        query = "SELECT shobj_description(oid, 'pg_database') AS marker FROM pg_database"
        query += f" WHERE datname = '{name}'"  # names are checked before any database is made
        rows = asyncio.run(_postgres_admin(url, [query]))[0]
        marker = rows[0]["marker"] if rows else None
    else:
        sidecar = Path(url.split(":///", 1)[1] + ".bench.json")
        marker = sidecar.read_text() if sidecar.exists() else None
    try:
        return json.loads(marker) if marker else None
    except ValueError:
        return None


def write_marker(url: str, marker: dict[str, Any]) -> None:
    text = json.dumps(marker)
    if is_postgres(url):
        literal = text.replace("'", "''")
        asyncio.run(
            _postgres_admin(url, [f"COMMENT ON DATABASE {database_name(url)} IS '{literal}'"])
        )
    else:
        Path(url.split(":///", 1)[1] + ".bench.json").write_text(text)


def recreate_database(url: str) -> None:
    name = database_name(url)
    if "bench" not in name or not re.fullmatch(r"[A-Za-z0-9_.\-]+", name):
        sys.exit(f"Refusing to drop {name!r}: a benchmark database's name must contain 'bench'.")
    if is_postgres(url):
        asyncio.run(
            _postgres_admin(
                url, [f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"]
            )
        )
    else:
        path = Path(url.split(":///", 1)[1])
        for leftover in (
            path,
            Path(f"{path}-wal"),
            Path(f"{path}-shm"),
            Path(f"{path}.bench.json"),
        ):
            leftover.unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)


def drop_database(url: str) -> None:
    if is_postgres(url):
        asyncio.run(
            _postgres_admin(url, [f"DROP DATABASE IF EXISTS {database_name(url)} WITH (FORCE)"])
        )
    else:
        recreate_database(url)


def migrate(url: str) -> None:
    """Bring the database to the latest schema (a reused corpus may predate a migration)."""
    env = {**os.environ, "MYNEWS_DATABASE_URL": url, "MYNEWS_ENV": "development"}
    subprocess.run(
        [sys.executable, "-m", "app", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True
    )


async def _vacuum(url: str) -> bool:
    import asyncpg

    connection = await asyncpg.connect(bulkload.asyncpg_dsn(url))
    try:
        autovacuum = await connection.fetchval("SHOW autovacuum")
        await connection.execute("VACUUM (ANALYZE)")
        return bool(autovacuum == "on")
    finally:
        await connection.close()


def vacuum(url: str) -> None:
    """Vacuum and analyze, as autovacuum keeps a production database.

    Earlier runs' ingest and feed scenarios leave dead row versions behind (hot topic rows
    most of all), and a freshly loaded table has no visibility map for index-only scans. A
    server running with autovacuum off (as test servers often do) never clears them, and
    every topic lookup then walks dozens of dead versions; measuring that would measure the
    server's configuration, not the app.
    """
    if not is_postgres(url):
        return
    started = time.perf_counter()
    autovacuum = asyncio.run(_vacuum(url))
    note = "" if autovacuum else " (autovacuum is off on this server)"
    log(f"Vacuumed and analyzed {database_name(url)} in {time.perf_counter() - started:.0f}s{note}")


# What earlier runs' scenarios add to a reused corpus: CMS batches' articles, events' rows.
DRIFTING_TABLES = ("articles", "reading_events")


async def _row_counts(url: str) -> dict[str, int]:
    import asyncpg

    connection = await asyncpg.connect(bulkload.asyncpg_dsn(url))
    try:
        return {
            table: await connection.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608
            for table in DRIFTING_TABLES
        }
    finally:
        await connection.close()


def drift(url: str, generated: dict[str, int]) -> dict[str, int]:
    """How many rows of each drifting table a reused corpus holds beyond those generated:
    feed and ingest measurements on it differ from a fresh corpus's (bench/HISTORY.md)."""
    if is_postgres(url):
        counts = asyncio.run(_row_counts(url))
    else:
        with closing(sqlite3.connect(url.split(":///", 1)[1])) as connection:
            counts = {
                table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
                for table in DRIFTING_TABLES
            }
    return {table: counts[table] - generated.get(table, 0) for table in DRIFTING_TABLES}


def prepare_database(url: str, scale: generate.Scale, seed: int, reuse: bool) -> dict[str, Any]:
    """A migrated database holding the corpus; how long generating and loading it took, or,
    reused, what earlier runs added to it."""
    marker = corpus_marker(url) if reuse else None
    if marker and marker.get("scale") == scale.name and marker.get("seed") == seed:
        log(f"Reusing {database_name(url)} (generated {marker['anchor']}); migrating it")
        migrate(url)
        vacuum(url)
        added = drift(url, marker.get("counts", {}))
        log(
            f"Earlier runs added {added['articles']:,} articles and "
            f"{added['reading_events']:,} reading events to it"
        )
        return {"reused": True, **marker, "added": added}
    log(f"Recreating {database_name(url)} and migrating it")
    recreate_database(url)
    migrate(url)
    log(
        f"Generating scale {scale.name}: {scale.articles:,} articles, {scale.topics:,} topics, "
        f"{scale.authors:,} authors, {scale.readers:,} readers, {scale.events:,} events"
    )
    started, stolen = time.perf_counter(), stolen_seconds()
    generator = generate.Generator(scale, seed, datetime.now(UTC))
    planned = time.perf_counter() - started
    phases = {"plan": planned, **bulkload.load(url, generator, lambda m: log(m))}
    seconds, stolen = time.perf_counter() - started, stolen_seconds() - stolen
    log(f"Generated and loaded in {seconds:.0f}s (the host took {stolen:.0f}s of CPU meanwhile)")
    marker = {
        "scale": scale.name,
        "seed": seed,
        "anchor": datetime.fromtimestamp(generator.anchor, UTC).isoformat(),
        "counts": generator.corpus.counts,
        "load_seconds": round(seconds, 1),
        "load_steal_seconds": round(stolen, 1),
        "phases": {k: round(v, 1) for k, v in phases.items()},
    }
    write_marker(url, marker)
    vacuum(url)
    return {"reused": False, **marker}


# What a reader of the results needs to know of the server: write paths pay for a small buffer
# cache and frequent checkpoints.
SERVER_SETTINGS = ("shared_buffers", "max_wal_size", "checkpoint_timeout", "autovacuum")


def database_version(url: str) -> str:
    """The database and version, and on PostgreSQL the server settings that matter most."""
    if not is_postgres(url):
        return f"SQLite {sqlite3.sqlite_version}"
    settings = ", ".join(f"{name} {{}}" for name in SERVER_SETTINGS)
    rows = asyncio.run(
        _postgres_admin(url, ["SHOW server_version", *(f"SHOW {n}" for n in SERVER_SETTINGS)])
    )
    version, *values = (next(iter(found[0].values())) for found in rows)
    return f"PostgreSQL {version.split()[0]} ({settings.format(*values)})"
