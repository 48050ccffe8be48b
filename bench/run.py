"""myNEWS API at newsroom scale: a reproducible benchmark. `make bench` runs this.

    python bench/run.py [--scale full] [--duration 30] [--database-url URL] ...

One run:

1. (Unless --baseline none) builds the baseline corpus (10,000 articles), serves it and
   measures the feed's first page, for the cost-growth comparison.
2. Recreates the database, migrates it (`python -m app migrate`), generates and bulk-loads
   the corpus of --scale (bench/generate.py), and times that, with the CPU time the host took
   from this virtual machine meanwhile; then vacuums and analyzes it, as autovacuum would (a
   reused corpus too: earlier runs' writes leave dead rows behind).
3. Serves the app as production does (`python -m app serve --workers N`, MYNEWS_ENV=production,
   a random 48-character secret key) with rate limits off (MYNEWS_RATE_LIMITS_ENABLED=false),
   so that what is measured is the work, not the limiter's 429s.
4. Drives it with wrk from a separate process over loopback: per scenario a warm-up, then
   --duration seconds at a fixed --connections, from Lua scripts in bench/scenarios/ that rotate
   over request lists (tokens, cursors, slugs, ETags) written here. Readers' access tokens
   are minted with the server's key (as a login would issue them), API keys made with
   app.api_keys.service.create_key; GETs send Accept-Encoding: gzip, as clients do.
   Partner feeds (200) and articles by topic are kept per topic until the topic changes:
   before their warm-up, every topic of the rotation is asked for once (curl, --connections
   at a time) and that first pass is reported on its own, each response made; the measured
   run is then the steady state partners meet, whatever order the scenarios run in.
5. Writes bench/results/latest.json and latest.md (and <scale>.json / <scale>.md): per scenario
   requests/s, p50, p99, errors, the ratio to /healthz in the same run, target and verdict;
   the CPU per request of the API workers and of PostgreSQL (a local server's, from /proc)
   over each measured window, and the time the host stole from the machine meanwhile; the
   feed's p50 against the baseline; the peak RSS (VmHWM) of the API workers.

Parameters:
  --scale            small (10k articles) | medium (100k) | large (300k) | full (1M) | an
                     article count; other counts scale in proportion (bench/generate.py).
                     Default: full.
  --database-url     default postgresql+asyncpg://postgres@127.0.0.1:5432/mynews_bench; a
                     sqlite+aiosqlite:///path.db works for small scales. The database is DROPPED
                     and recreated: its name must contain "bench".
  --baseline         scale of the cost-growth baseline (default small; "none" to skip). It uses
                     the same URL with "_baseline" appended to the database name.
  --duration         measured seconds per scenario (default 30); --warmup before it (default 5).
  --connections      concurrent connections (default 32); --threads wrk threads (default 2).
  --workers          API worker processes (default 2, one per core here; the Docker image
                     defaults to 4).
  --redis-url        Redis for the server's shared caches, as docker-compose.yml runs it
                     (default redis://127.0.0.1:6379/13; "none" serves without). Its database
                     is FLUSHED before each server starts: cached feeds are keyed by topic ids
                     and feed versions, which a regenerated corpus repeats.
  --events-per-batch (default 50) and --articles-per-batch (default 100).
  --scenarios        comma-separated subset (healthz is always run: it is the denominator).
  --reuse            keep a database already generated at this scale and seed (what earlier
                     runs wrote stays: ingested articles, events, feed snapshots).
  --seed             corpus seed (default 1). --port (default 8765). --output (bench/results).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import generate
import redis
from databases import database_name, database_version, drop_database, prepare_database, with_suffix
from drive import Load, run_all
from fixtures import make_fixtures
from report import log, machine, markdown
from server import Server
from targets import COST_GROWTH_LIMIT, SCENARIOS, Scenario, judge

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/mynews_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="full")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--baseline", default="small")
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--events-per-batch", type=int, default=50)
    parser.add_argument("--articles-per-batch", type=int, default=100)
    parser.add_argument("--scenarios", default="")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--output", type=Path, default=Path(__file__).resolve().parent / "results")
    return parser.parse_args()


def flush_redis(url: str) -> None:
    """Empty the server's Redis database: nothing cached for another corpus may answer."""
    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.flushdb()
    except redis.RedisError as error:
        sys.exit(f"Redis at {url} did not answer ({error!r}); --redis-url none serves without")
    finally:
        client.close()


def measure(
    url: str, scale: generate.Scale, args: argparse.Namespace, wanted: list[Scenario], work: Path
) -> tuple[dict[str, Any], list[dict[str, Any]], float]:
    """Prepare the corpus, serve it, run the scenarios; the corpus, the results and the peak
    RSS."""
    corpus = prepare_database(url, scale, args.seed, args.reuse)
    secret = secrets.token_urlsafe(36)  # 48 characters
    load = Load(
        args.duration,
        args.warmup,
        args.connections,
        args.threads,
        args.events_per_batch,
        args.articles_per_batch,
    )
    host = f"127.0.0.1:{args.port}"
    fixtures = asyncio.run(make_fixtures(url, secret, work, args.seed, host))
    log_path = work / f"server-{scale.name}.log"
    redis_url = None if args.redis_url == "none" else args.redis_url
    if redis_url is not None:
        flush_redis(redis_url)
    log(f"Serving {database_name(url)} with {args.workers} workers on port {args.port}")
    with Server(url, args.port, args.workers, secret, log_path, redis_url) as server:
        results = run_all(server, fixtures, load, wanted)
        peak = server.memory()["peak_mb"]
    return corpus, results, peak


def main() -> None:
    args = parse_args()
    wrk_path = shutil.which("wrk")
    if wrk_path is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    if shutil.which("curl") is None:
        sys.exit(
            "curl is not installed (it makes the first pass over topics): apt-get install curl"
        )
    version = subprocess.run([wrk_path, "-v"], capture_output=True, text=True)  # noqa: S603
    wrk_version = version.stdout.splitlines()[0].strip()
    scale = generate.scale_named(args.scale)
    wanted_names = {n for n in args.scenarios.split(",") if n} | {"healthz"}
    wanted = [s for s in SCENARIOS if not args.scenarios or s.name in wanted_names]
    started_at = datetime.now(UTC)
    command = "python bench/run.py " + " ".join(sys.argv[1:])
    report: dict[str, Any] = {
        "meta": {
            "command": command.strip(),
            "started_at": started_at.isoformat(timespec="seconds"),
            "machine": machine(),
            "database": database_version(args.database_url),
            "scale": scale.name,
            "workers": args.workers,
            "connections": args.connections,
            "threads": args.threads,
            "duration": args.duration,
            "warmup": args.warmup,
            "load_tool": wrk_version,
            "server_env": {
                "MYNEWS_ENV": "production",
                "MYNEWS_RATE_LIMITS_ENABLED": "false",
                "MYNEWS_DB_POOL_SIZE": "10",
                "MYNEWS_REDIS_URL": (
                    "(unset: in-process caches)" if args.redis_url == "none" else args.redis_url
                ),
            },
        }
    }
    with tempfile.TemporaryDirectory(prefix="mynews-bench-") as temporary:
        work = Path(temporary)
        baseline = None
        if args.baseline != "none" and generate.scale_named(args.baseline) != scale:
            base_scale = generate.scale_named(args.baseline)
            base_url = with_suffix(args.database_url, "_baseline")
            feed_only = [s for s in SCENARIOS if s.name in ("healthz", "feed_first")]
            log(f"Baseline for cost growth: scale {base_scale.name}")
            base_dir = work / "baseline"
            base_dir.mkdir()
            base_corpus, base_results, _ = measure(base_url, base_scale, args, feed_only, base_dir)
            baseline = {
                "articles": base_corpus["counts"].get("articles", base_scale.articles),
                "feed_first": next(r for r in base_results if r["name"] == "feed_first"),
                "healthz": next(r for r in base_results if r["name"] == "healthz"),
                "load_seconds": base_corpus.get("load_seconds"),
            }
            if not args.reuse:
                drop_database(base_url)
        main_dir = work / "main"
        main_dir.mkdir()
        corpus, results, peak = measure(args.database_url, scale, args, wanted, main_dir)

    judge(results)
    report["corpus"] = corpus
    report["scenarios"] = results
    report["peak_rss_mb"] = peak
    feed = next((r for r in results if r["name"] == "feed_first"), None)
    if baseline and feed:
        factor = feed["p50_ms"] / baseline["feed_first"]["p50_ms"]
        report["cost_growth"] = {
            "articles": corpus["counts"].get("articles", scale.articles),
            "p50_ms": feed["p50_ms"],
            "baseline_articles": baseline["articles"],
            "baseline_p50_ms": baseline["feed_first"]["p50_ms"],
            "baseline_rps": baseline["feed_first"]["rps"],
            "baseline_healthz_rps": baseline["healthz"]["rps"],
            "baseline_load_seconds": baseline["load_seconds"],
            "factor": round(factor, 2),
            "pass": factor <= COST_GROWTH_LIMIT,
            # The same comparison in CPU per first page, steadier than two throughputs.
            "cpu_ms": sum(feed["cpu_ms"].values()),
            "baseline_cpu_ms": sum(baseline["feed_first"]["cpu_ms"].values()),
        }
    report["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    report["meta"]["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
    args.output.mkdir(parents=True, exist_ok=True)
    text = markdown(report)
    for stem in ("latest", scale.name):
        (args.output / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
        (args.output / f"{stem}.md").write_text(text)
    print()
    print(text)


if __name__ == "__main__":
    main()
