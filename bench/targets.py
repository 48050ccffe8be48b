"""What is measured, and what it must reach."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    script: str
    # Minimum ratio of req/s to /healthz's, or None; p99 ceiling in ms, or None.
    min_ratio: float | None = None
    max_p99_ms: float | None = None
    # Units per second (accepted events, created articles) and their floor.
    unit: str | None = None
    min_units_per_s: float | None = None
    expected_status: int = 200


SCENARIOS = [
    Scenario("healthz", "GET /healthz", "healthz.lua"),
    Scenario(
        "feed_first",
        "GET /v1/me/feed (first page, random readers)",
        "feed_first.lua",
        min_ratio=0.10,
        max_p99_ms=150,
    ),
    Scenario("feed_next", "GET /v1/me/feed?cursor= (next page)", "feed_next.lua", min_ratio=0.30),
    Scenario("topic_rss", "GET /v1/topics/{slug}/feed.rss (200)", "topic_rss.lua", min_ratio=0.30),
    Scenario(
        "topic_rss_304",
        "GET /v1/topics/{slug}/feed.rss + If-None-Match (304)",
        "topic_rss_304.lua",
        min_ratio=0.60,
        expected_status=304,
    ),
    Scenario(
        "articles_by_topic", "GET /v1/articles?topic=", "articles_by_topic.lua", min_ratio=0.30
    ),
    Scenario(
        "events",
        "POST /v1/me/events (batches of {events})",
        "events.lua",
        unit="events",
        min_units_per_s=20_000,
        expected_status=202,
    ),
    Scenario(
        "batch_ingest",
        "POST /v1/articles/batch (batches of {articles})",
        "batch_ingest.lua",
        unit="articles",
        min_units_per_s=3_000,
    ),
]


COST_GROWTH_LIMIT = 1.5
PEAK_RSS_LIMIT_MB = 250
BULK_LOAD_LIMIT_S = 600


def judge(results: list[dict[str, Any]]) -> None:
    """Adds each scenario's ratio to /healthz, its target and whether it met it."""
    by_name = {s.name: s for s in SCENARIOS}
    healthz = next(r for r in results if r["name"] == "healthz")["rps"]
    for result in results:
        scenario = by_name[result["name"]]
        result["ratio"] = round(result["rps"] / healthz, 3) if healthz else None
        if "first_pass" in result:
            first = result["first_pass"]
            first["ratio"] = round(first["rps"] / healthz, 3) if healthz else None
        checks, targets = [], []
        if scenario.min_ratio is not None:
            targets.append(f"ratio >= {scenario.min_ratio:.2f}")
            checks.append(result["ratio"] >= scenario.min_ratio)
        if scenario.max_p99_ms is not None:
            targets.append(f"p99 <= {scenario.max_p99_ms:g} ms")
            checks.append(result["p99_ms"] <= scenario.max_p99_ms)
        if scenario.min_units_per_s is not None:
            targets.append(f">= {scenario.min_units_per_s:,.0f} {scenario.unit}/s")
            checks.append(result["units_per_s"] >= scenario.min_units_per_s)
        if checks:
            checks.append(result["errors"] == 0)
        result["target"] = "; ".join(targets) if targets else "(reference)"
        result["pass"] = all(checks) if checks else None
