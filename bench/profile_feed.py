"""Where a feed request's time goes: its SQL statements, timed one by one, and a cProfile of
the Python around them. In-process (httpx over ASGI), one request at a time, on a database
that bench/run.py or bench/generate.py loaded.

    python bench/profile_feed.py --database-url URL [--requests 30] [--path /v1/me/feed]
        [--next-page] [--top 25]

A path with ``{slug}`` in it is asked for as many distinct topics (cold pages, as a partner
polling every topic meets them), with an API key that may read feeds:
    python bench/profile_feed.py --database-url URL --path '/v1/topics/{slug}/feed.rss'

With ``--cpu`` nothing is instrumented: it reports the CPU time this process and the
PostgreSQL backend serving it spent per request (the server on this machine, as bench/run.py
has it), after ``--warmup`` requests have filled the per-process caches. Run it for the code
before and after a change, in turn, a few times each: on a shared machine those two numbers
compare where wall-clock throughput does not.
    python bench/profile_feed.py --database-url URL --cpu --warmup 300 --requests 500

For the live server under load, py-spy gives the same picture without instrumentation:
    py-spy record -o feed.svg --pid <worker pid> --duration 20   (while run.py drives the feed)
"""

# Seeded pseudo-random numbers on purpose: the same seed makes the same corpus.
# ruff: noqa: S311

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import random
import re
import secrets
import time
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import httpx
from server import process_cpu_seconds
from sqlalchemy import event, text

from app import db
from app.api_keys.service import create_key
from app.auth.security import create_access_token
from app.config import Settings
from app.main import create_app, tune_garbage_collector
from app.models import Scope


def statement_key(statement: str) -> str:
    """A statement with its bound values and long IN lists folded, to group by."""
    flat = re.sub(r"\s+", " ", statement).strip()
    flat = re.sub(r"\(\$\d+(::[A-Z]+)?(, \$\d+(::[A-Z]+)?)*\)", "(...)", flat)
    flat = re.sub(r"\(\?(, \?)*\)", "(...)", flat)
    return flat[:160]


async def profile(args: argparse.Namespace) -> None:
    secret = secrets.token_urlsafe(36)
    settings = Settings(
        database_url=args.database_url,
        secret_key=secret,
        env="production",
        rate_limits_enabled=False,
        # One connection, so that one PostgreSQL backend serves every request (--cpu).
        db_pool_size=1,
        db_max_overflow=0,
    )
    app = create_app(settings)
    # As a served worker has it once started (ASGITransport runs no lifespan).
    tune_garbage_collector(settings.gc_young_threshold)
    engine = app.state.database.engine
    timings: dict[str, list[float]] = defaultdict(list)
    started: dict[int, float] = {}

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        started[id(cursor)] = time.perf_counter()

    @event.listens_for(engine.sync_engine, "after_cursor_execute")
    def after(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        timings[statement_key(statement)].append(time.perf_counter() - started.pop(id(cursor)))

    # Statements the app runs on the PostgreSQL driver itself, which SQLAlchemy's events miss.
    on_driver = db._on_driver

    async def timed_on_driver(connection: Any, method: str, statement: str, arguments: Any) -> Any:
        begun = time.perf_counter()
        try:
            return await on_driver(connection, method, statement, arguments)
        finally:
            timings[statement_key(statement)].append(time.perf_counter() - begun)

    if not args.cpu:
        db._on_driver = timed_on_driver

    rng = random.Random(args.seed)
    now = datetime.now(UTC)
    async with app.state.database.sessionmaker() as session, session.begin():
        readers = list((await session.scalars(text("SELECT id FROM users ORDER BY id"))).all())
        slugs = list((await session.scalars(text("SELECT slug FROM topics ORDER BY id"))).all())
        _, key = await create_key(
            session, name="profile", scopes=[Scope.FEEDS_READ], rate_limit_per_minute=100_000
        )
    sampled = rng.sample(readers, args.warmup + args.requests)
    warmup = [create_access_token(settings, r, now) for r in sampled[: args.warmup]]
    tokens = [create_access_token(settings, r, now) for r in sampled[args.warmup :]]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        paths = []
        if "{slug}" in args.path:
            # One more than asked for: the first request only warms the pool.
            for slug in rng.sample(slugs, min(args.requests + 1, len(slugs))):
                paths.append((args.path.format(slug=slug), {"X-API-Key": key}))
        for token in tokens if not paths else ():
            headers = {"Authorization": f"Bearer {token}"}
            path = args.path
            if args.next_page:
                first = await client.get(args.path, headers=headers)
                cursor = first.json().get("next_cursor")
                if not cursor:
                    continue
                path = f"{args.path}?cursor={cursor}"
            paths.append((path, headers))
        await client.get(paths[0][0], headers=paths[0][1])  # warm caches and the pool
        if "{slug}" in args.path:
            paths = paths[1:]
        for token in warmup if "{slug}" not in args.path else ():
            await client.get(args.path, headers={"Authorization": f"Bearer {token}"})
        if args.cpu:
            await measure_cpu(app, client, paths)
            await engine.dispose()
            return
        timings.clear()
        profiler = cProfile.Profile()
        wall = []
        profiler.enable()
        for path, headers in paths:
            begun = time.perf_counter()
            response = await client.get(path, headers=headers)
            wall.append(time.perf_counter() - begun)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
        profiler.disable()
    await engine.dispose()

    count = len(wall)
    wall.sort()
    total_sql = sum(sum(v) for v in timings.values())
    print(f"{count} requests to {args.path}{' (next page)' if args.next_page else ''}")
    print(
        f"wall per request: mean {sum(wall) / count * 1000:.1f} ms, "
        f"p50 {wall[count // 2] * 1000:.1f} ms; SQL (driver round trips) "
        f"{total_sql / count * 1000:.1f} ms per request\n"
    )
    print("SQL per request, by statement (ms per request, calls per request):")
    for key, values in sorted(timings.items(), key=lambda kv: -sum(kv[1]))[: args.top]:
        print(f"  {sum(values) / count * 1000:7.2f} ms  x{len(values) / count:4.1f}  {key}")
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("tottime").print_stats(args.top)
    print("\nPython, by own time (tottime) over all requests:")
    print("\n".join(stream.getvalue().splitlines()[6:]))
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(
        r"app/|pydantic|sqlalchemy/engine|json", args.top
    )
    print("\nPython, cumulative, app and library frames:")
    print("\n".join(stream.getvalue().splitlines()[6:]))


async def measure_cpu(app: Any, client: httpx.AsyncClient, paths: list[Any]) -> None:
    """CPU per request of this process and of the PostgreSQL backend serving it."""
    async with app.state.database.sessionmaker() as session:
        backend = int(await session.scalar(text("SELECT pg_backend_pid()")))
    began_backend, began, begun = (
        process_cpu_seconds(backend),
        time.process_time(),
        time.perf_counter(),
    )
    for path, headers in paths:
        response = await client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
    count = len(paths)
    worker = (time.process_time() - began) / count * 1000
    database = (process_cpu_seconds(backend) - began_backend) / count * 1000
    wall = (time.perf_counter() - begun) / count * 1000
    print(
        f"{count} requests: CPU per request {worker:.2f} ms here (the app and its client), "
        f"{database:.2f} ms PostgreSQL; wall {wall:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--path", default="/v1/me/feed")
    parser.add_argument("--next-page", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=0, help="requests before measuring")
    parser.add_argument("--cpu", action="store_true", help="CPU per request, uninstrumented")
    asyncio.run(profile(parser.parse_args()))


if __name__ == "__main__":
    main()
