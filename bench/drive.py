"""Driving the server with wrk: warm-up, then the measured run, per scenario."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fixtures import Fixtures, collect_cursors, collect_etags
from report import log
from server import Server
from targets import Scenario

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
# Scenarios over responses the server keeps per topic until the topic changes. Before their
# warm-up every request of the rotation is made once, timed and reported on its own (each
# feed or page made, as on a partner's first poll); the measured run is then the steady state
# partners meet, each topic's response made once per change and served from then on, however
# fast this machine makes the 2,000 of them.
FIRST_PASS = {"topic_rss", "articles_by_topic"}


@dataclass
class Load:
    duration: int
    warmup: int
    connections: int
    threads: int
    events_per_batch: int
    articles_per_batch: int


def scenario_args(scenario: Scenario, fixtures: Fixtures, load: Load, phase: str) -> list[str]:
    """The Lua script's arguments; ``phase`` keeps warm-up and measured writes apart."""
    args = [str(fixtures.directory), fixtures.host]
    nonce = f"{fixtures.nonce}{phase}"
    if scenario.name in ("topic_rss", "topic_rss_304"):
        args.append(fixtures.feeds_key)
    elif scenario.name == "events":
        args += [str(load.events_per_batch), fixtures.occurred_at, nonce]
    elif scenario.name == "batch_ingest":
        args += [fixtures.writer_key, str(load.articles_per_batch), nonce]
    return args


def wrk(
    server: Server, scenario: Scenario, args: list[str], seconds: int, load: Load
) -> dict[str, Any]:
    command = [
        "wrk",
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(SCENARIO_DIR / scenario.script),
        server.base,
        "--",
        *args,
    ]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)  # noqa: S603
    for line in finished.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            result: dict[str, Any] = json.loads(line.removeprefix("BENCH_JSON "))
            return result
    raise RuntimeError(
        f"wrk gave no result for {scenario.name}: {finished.stdout}{finished.stderr}"
    )


def _ms_each(cpu_seconds: dict[str, float], count: int, digits: int) -> dict[str, float]:
    """CPU seconds spent by each part, as milliseconds for each of ``count`` requests or units."""
    return {
        part: round(spent * 1000 / max(count, 1), digits) for part, spent in cpu_seconds.items()
    }


def run_scenario(
    server: Server, scenario: Scenario, fixtures: Fixtures, load: Load
) -> dict[str, Any]:
    if load.warmup:
        wrk(server, scenario, scenario_args(scenario, fixtures, load, "w"), load.warmup, load)
    offset = server.log_offset()
    cpu_before = server.cpu_seconds()
    raw = wrk(server, scenario, scenario_args(scenario, fixtures, load, "m"), load.duration, load)
    cpu = {k: v - cpu_before[k] for k, v in server.cpu_seconds().items()}
    steal = cpu.pop("steal")
    problems = server.problems_since(offset)
    seconds = raw["duration_us"] / 1e6
    errors = sum(raw["errors"].values())
    statuses = {int(k): v for k, v in raw["statuses"].items()}
    # Where statuses are counted, anything but the expected one is an error too.
    if statuses:
        errors = max(errors, sum(n for s, n in statuses.items() if s != scenario.expected_status))
    result = {
        "name": scenario.name,
        "title": scenario.title.replace("{events}", str(load.events_per_batch)).replace(
            "{articles}", str(load.articles_per_batch)
        ),
        "requests": raw["requests"],
        "seconds": round(seconds, 2),
        "rps": round(raw["requests"] / seconds, 1),
        "p50_ms": round(raw["latency_us"]["p50"] / 1000, 2),
        "p90_ms": round(raw["latency_us"]["p90"] / 1000, 2),
        "p99_ms": round(raw["latency_us"]["p99"] / 1000, 2),
        "max_ms": round(raw["latency_us"]["max"] / 1000, 2),
        "errors": errors,
        "socket_errors": raw["errors"],
        "statuses": statuses,
        "server_problems": problems,
        "memory": server.memory(),
        # CPU per request, in ms (per unit below where there is one), over the measured window.
        "cpu_ms": _ms_each(cpu, raw["requests"], 3),
        "steal_s": round(steal, 2),
    }
    if scenario.unit:
        result["unit"] = scenario.unit
        result["units"] = raw["units"]
        result["units_per_s"] = round(raw["units"] / seconds, 1)
        result["cpu_ms_per_unit"] = _ms_each(cpu, raw["units"], 4)
    log(
        f"  {scenario.name}: {result['rps']} req/s, p50 {result['p50_ms']} ms, "
        f"p99 {result['p99_ms']} ms, errors {errors}"
        + (f", {result['units_per_s']} {scenario.unit}/s" if scenario.unit else "")
    )
    for problem, count in problems.items():
        log(f"    server: {count} x {problem}")
    return result


RequestMaker = Callable[[list[str]], tuple[str, dict[str, str]]]


def request_makers(fixtures: Fixtures) -> dict[str, tuple[str, RequestMaker]]:
    """For the GET scenarios: the fixture file whose lines they rotate over, and the request
    each line makes, as the Lua scripts make it."""
    return {
        "feed_first": (
            "tokens.txt",
            lambda f: ("/v1/me/feed", {"Authorization": f"Bearer {f[0]}"}),
        ),
        "feed_next": (
            "cursors.txt",
            lambda f: (f"/v1/me/feed?cursor={f[1]}", {"Authorization": f"Bearer {f[0]}"}),
        ),
        "topic_rss": (
            "topics.txt",
            lambda f: (f"/v1/topics/{f[0]}/feed.rss", {"X-API-Key": fixtures.feeds_key}),
        ),
        "topic_rss_304": (
            "etags.txt",
            lambda f: (
                f"/v1/topics/{f[0]}/feed.rss",
                {"X-API-Key": fixtures.feeds_key, "If-None-Match": f[1]},
            ),
        ),
        "articles_by_topic": ("topics.txt", lambda f: (f"/v1/articles?topic={f[0]}", {})),
    }


def rotation(scenario: Scenario, fixtures: Fixtures) -> list[tuple[str, dict[str, str]]]:
    filename, make = request_makers(fixtures)[scenario.name]
    lines = (fixtures.directory / filename).read_text().splitlines()
    return [make(line.split("\t")) for line in lines if line]


def smoke_check(server: Server, scenario: Scenario, fixtures: Fixtures) -> None:
    """One request as the script will send it, so a broken fixture fails loudly, not as
    thousands of fast errors that look like throughput."""
    import httpx

    if scenario.name not in request_makers(fixtures):
        return
    path, headers = rotation(scenario, fixtures)[0]
    response = httpx.get(server.base + path, headers=headers, timeout=60)
    if response.status_code != scenario.expected_status:
        raise RuntimeError(
            f"{scenario.name}: {path} answered {response.status_code}: {response.text[:300]}"
        )


def first_pass(
    server: Server, scenario: Scenario, fixtures: Fixtures, load: Load
) -> dict[str, Any]:
    """Every request of the scenario's rotation once, before anything of it is kept: what a
    partner's first poll of each topic costs (each feed or page made, not served). Sent by
    curl, ``--connections`` at a time: a client in C, as wrk is, leaves the cores to the
    server. The rotation's requests share their headers."""
    requests = rotation(scenario, fixtures)
    headers = {"Accept-Encoding": "gzip", **requests[0][1]}
    listing = fixtures.directory / f"{scenario.name}-first-pass.curl"
    listing.write_text(
        "".join(f'url = "{server.base}{path}"\noutput = "/dev/null"\n' for path, _ in requests)
    )
    command = ["curl", "--silent", "--parallel", "--parallel-immediate"]
    command += ["--parallel-max", str(load.connections), "--config", str(listing)]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    command += ["--write-out", "%{http_code} %{time_total}\n"]
    started = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True, timeout=600)  # noqa: S603
    seconds = time.perf_counter() - started
    answers = [line.split() for line in finished.stdout.splitlines() if line.strip()]
    latencies = sorted(float(total) for _, total in answers)
    if len(answers) != len(requests):
        raise RuntimeError(f"curl answered {len(answers)} of {len(requests)}: {finished.stderr}")
    result = {
        "requests": len(requests),
        "seconds": round(seconds, 2),
        "rps": round(len(requests) / seconds, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "p99_ms": round(latencies[len(latencies) * 99 // 100] * 1000, 2),
        "errors": sum(1 for status, _ in answers if int(status) != scenario.expected_status),
    }
    log(
        f"  {scenario.name} first pass: {result['requests']} requests in {result['seconds']} s, "
        f"{result['rps']} req/s, p50 {result['p50_ms']} ms, errors {result['errors']}"
    )
    return result


def run_all(
    server: Server, fixtures: Fixtures, load: Load, wanted: list[Scenario]
) -> list[dict[str, Any]]:
    results = []
    for scenario in wanted:
        if scenario.name == "feed_next":
            log(f"  collecting cursors: {collect_cursors(server, fixtures)}")
        if scenario.name == "topic_rss_304":
            log(f"  collecting ETags: {collect_etags(server, fixtures)}")
        smoke_check(server, scenario, fixtures)
        primed = (
            first_pass(server, scenario, fixtures, load) if scenario.name in FIRST_PASS else None
        )
        result = run_scenario(server, scenario, fixtures, load)
        # VmHWM only grows: its step over a scenario says which one raised the peak.
        result["peak_rss_mb_after"] = server.memory()["peak_mb"]
        if primed is not None:
            result["first_pass"] = primed
        results.append(result)
    return results
