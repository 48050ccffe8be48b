"""What a run tells: progress lines while it runs, and the Markdown table at the end."""

from __future__ import annotations

import os
import platform
from datetime import datetime
from pathlib import Path
from typing import Any

from targets import BULK_LOAD_LIMIT_S, COST_GROWTH_LIMIT, PEAK_RSS_LIMIT_MB

# The bulk-load target is set for the full corpus.
FULL_SCALE_ARTICLES = 1_000_000


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def _redis(meta: dict[str, Any]) -> str:
    url = meta.get("server_env", {}).get("MYNEWS_REDIS_URL", "")
    return f"Redis {url}" if url.startswith("redis") else "no Redis"


def _reused(corpus: dict[str, Any]) -> str:
    added = corpus.get("added")
    if not added:
        return "Reused from an earlier run."
    return (
        "Reused from an earlier run (the counts are those generated); earlier runs' scenarios "
        f"have added {added['articles']:,} articles to it (CMS batches: the newest articles) "
        f"and {added['reading_events']:,} reading events."
    )


def markdown(report: dict[str, Any]) -> str:
    meta, corpus = report["meta"], report["corpus"]
    counts = corpus.get("counts", {})
    lines = [
        f"# myNEWS API benchmark: scale {meta['scale']} on {meta['database']}",
        "",
        f"Run {meta['started_at']} with `{meta['command']}`.",
        f"{meta['machine']}. Server: `python -m app serve --workers {meta['workers']}`, "
        f"MYNEWS_ENV=production, rate limits off, {_redis(meta)}. "
        f"Load: wrk {meta['connections']} connections, "
        f"{meta['threads']} threads, {meta['warmup']} s warm-up then {meta['duration']} s per "
        "scenario, loopback.",
        "",
        f"Corpus: {counts.get('articles', 0):,} articles, {counts.get('topics', 0):,} topics, "
        f"{counts.get('authors', 0):,} authors, {counts.get('users', 0):,} readers, "
        f"{counts.get('reading_events', 0):,} reading events "
        f"({counts.get('reader_articles', 0):,} reader-article rows, "
        f"{counts.get('article_engagement', 0):,} engagement rows). "
        + (
            _reused(corpus)
            if corpus.get("reused")
            else f"Generated and bulk-loaded in {corpus['load_seconds']:.0f} s."
        ),
        "",
        *(
            ["Targets are for PostgreSQL; on SQLite they are shown for reference.", ""]
            if meta["database"].startswith("SQLite")
            else []
        ),
        "| scenario | req/s | p50 ms | p99 ms | errors | ratio to /healthz | target | result |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in report["scenarios"]:
        rate = f"{r['rps']:,.0f}"
        if r.get("unit"):
            rate += f" ({r['units_per_s']:,.0f} {r['unit']}/s)"
        verdict = {True: "pass", False: "**FAIL**", None: ""}[r["pass"]]
        lines.append(
            f"| {r['title']} | {rate} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} "
            f"| {r['ratio']:.3f} | {r['target']} | {verdict} |"
        )
    lines.append("")
    costed = [r for r in report["scenarios"] if r.get("cpu_ms")]
    if costed:
        lines += [
            "CPU per request over each window (API workers + PostgreSQL, ms), which other work "
            "on the machine changes far less than the rates above; and the CPU time its host "
            "took from this virtual machine (steal) meanwhile"
            + (
                " (SQLite works inside the workers: its part is theirs):"
                if report["meta"]["database"].startswith("SQLite")
                else ":"
            ),
            "",
        ]
        for r in costed:
            cpu = r["cpu_ms"]
            per_unit = r.get("cpu_ms_per_unit")
            unit = (
                f" ({per_unit['workers']:.3f} + {per_unit['postgres']:.3f} per {r['unit'][:-1]})"
                if per_unit
                else ""
            )
            lines.append(
                f"- {r['title']}: {cpu['workers']:.2f} + {cpu['postgres']:.2f}{unit}; "
                f"steal {r['steal_s']:.1f} s"
            )
        lines.append("")
    first_passes = [r for r in report["scenarios"] if r.get("first_pass")]
    if first_passes:
        lines += [
            "Before those, the first poll of every topic, each response made as nothing is kept "
            "yet (the rows above are the steady state: each made once per change of its topic, "
            "then served):",
            "",
        ]
        for r in first_passes:
            first = r["first_pass"]
            lines.append(
                f"- {r['title']}: {first['requests']:,} requests in {first['seconds']:.1f} s, "
                f"{first['rps']:,.0f} req/s (ratio {first['ratio']:.3f}), p50 "
                f"{first['p50_ms']:.1f} ms, p99 {first['p99_ms']:.1f} ms, errors {first['errors']}"
            )
        lines.append("")
    failures = [
        f"{r['title']}: " + ", ".join(f"{n} x {p}" for p, n in r["server_problems"].items())
        for r in report["scenarios"]
        if r.get("server_problems")
    ]
    if failures:
        lines += ["Errors as the server logged them:", ""]
        lines += [f"- {failure}" for failure in failures]
        lines.append("")
    growth = report.get("cost_growth")
    if growth:
        verdict = "pass" if growth["pass"] else "**FAIL**"
        lines.append(
            f"Cost growth: feed first page p50 {growth['p50_ms']:.1f} ms at "
            f"{growth['articles']:,} articles vs {growth['baseline_p50_ms']:.1f} ms at "
            f"{growth['baseline_articles']:,} ({growth['factor']:.2f}x; target <= "
            f"{COST_GROWTH_LIMIT}x): {verdict}."
        )
        if growth.get("cpu_ms") and growth.get("baseline_cpu_ms"):
            lines.append(
                f"In CPU per first page (API worker + PostgreSQL): {growth['cpu_ms']:.1f} ms vs "
                f"{growth['baseline_cpu_ms']:.1f} ms "
                f"({growth['cpu_ms'] / growth['baseline_cpu_ms']:.2f}x)."
            )
    rss = report["peak_rss_mb"]
    lines.append(
        f"Peak RSS of one API worker (VmHWM): {rss:.0f} MB (target <= {PEAK_RSS_LIMIT_MB} MB): "
        + ("pass." if rss <= PEAK_RSS_LIMIT_MB else "**FAIL**.")
    )
    steps = [r for r in report["scenarios"] if "peak_rss_mb_after" in r]
    if steps:
        lines.append(
            "Its peak after each scenario, in MB (it only grows, so a step up names the "
            "scenario that raised it): "
            + ", ".join(f"{r['name']} {r['peak_rss_mb_after']:.0f}" for r in steps)
            + "."
        )
    if not corpus.get("reused"):
        load_s = corpus["load_seconds"]
        verdict = "pass" if load_s < BULK_LOAD_LIMIT_S else "**FAIL**"
        at_full = counts.get("articles", 0) >= FULL_SCALE_ARTICLES
        stolen = corpus.get("load_steal_seconds")
        lines.append(
            f"Bulk load: {load_s:.0f} s (target < {BULK_LOAD_LIMIT_S} s at 1M articles)"
            + (f": {verdict}" if at_full else "")
            + (
                f"; the host took {stolen:.0f} s of CPU (steal) meanwhile."
                if stolen is not None
                else "."
            )
        )
    if meta.get("load_average_at_end"):
        lines.append(
            "Machine load average (1, 5, 15 min) at the end: "
            + ", ".join(str(x) for x in meta["load_average_at_end"])
            + " (other work shares this machine; ratios to /healthz are taken in the same run)."
        )
    lines.append("")
    return "\n".join(lines)


def stolen_seconds() -> float:
    """CPU time the host has taken from this virtual machine since it booted (/proc/stat's
    steal, in seconds); differences over a stretch of work tell how much the host took."""
    with open("/proc/stat") as stat:
        return int(stat.readline().split()[8]) / os.sysconf("SC_CLK_TCK")


def machine() -> str:
    load1 = os.getloadavg()[0]
    memory = ""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    return f"{os.cpu_count()} cores{memory}, {platform.system()} (load {load1:.1f} at start)"
