"""The API served as production serves it, and its workers' memory."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

from databases import ROOT
from report import stolen_seconds

# uvicorn's access log: `INFO:     127.0.0.1:5000 - "GET /v1/me/feed?x=1 HTTP/1.1" 503 ...`
ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>[^ ?"]+)[^"]*" (?P<status>\d{3})')
UNAVAILABLE_LINE = re.compile(r"database unavailable during \S+ \S+: (?P<reason>.*)")


class Server:
    """`python -m app serve` as production runs it; stopped by its own pid."""

    def __init__(
        self,
        url: str,
        port: int,
        workers: int,
        secret: str,
        log_path: Path,
        redis_url: str | None = None,
    ) -> None:
        self.url, self.port, self.workers, self.secret = url, port, workers, secret
        self.log_path, self.redis_url = log_path, redis_url
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        return {
            "MYNEWS_ENV": "production",
            "MYNEWS_SECRET_KEY": self.secret,
            "MYNEWS_DATABASE_URL": self.url,
            "MYNEWS_RATE_LIMITS_ENABLED": "false",
            "MYNEWS_DB_POOL_SIZE": "10",
            "MYNEWS_WORKERS": str(self.workers),
        } | ({"MYNEWS_REDIS_URL": self.redis_url} if self.redis_url else {})

    def __enter__(self) -> Server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MYNEWS_")}
        env.update(self.environment())
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        command = [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--workers", str(self.workers)]
        self.log_file = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and app
            command, cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.base}/readyz", timeout=2) as response:  # noqa: S310
                    if response.status == 200 and len(self.worker_pids()) >= self.workers:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise RuntimeError("the server did not become ready in 60 s")

    def log_offset(self) -> int:
        self.log_file.flush()
        return self.log_path.stat().st_size

    def problems_since(self, offset: int) -> dict[str, int]:
        """Failed responses (status >= 400) by status and route, and why the database was
        unavailable, from the server's log after ``offset``."""
        problems: Counter[str] = Counter()
        with self.log_path.open("rb") as log:
            log.seek(offset)
            for line in log.read().decode(errors="replace").splitlines():
                if access := ACCESS_LINE.search(line):
                    if int(access["status"]) >= 400:
                        path = re.sub(r"/v1/topics/[^/]+/", "/v1/topics/{slug}/", access["path"])
                        problems[f"{access['status']} {access['method']} {path}"] += 1
                elif unavailable := UNAVAILABLE_LINE.search(line):
                    reason = re.sub(r"\(sqlalchemy[^)]*\) ", "", unavailable["reason"])[:90]
                    problems[f"database unavailable: {reason}"] += 1
                elif "Traceback" in line:
                    problems["traceback"] += 1
        return dict(problems.most_common())

    def worker_pids(self) -> list[int]:
        """uvicorn's worker processes (children of the server, minus multiprocessing's
        resource tracker)."""
        process = self._running()
        pids = []
        for child in _children(process.pid):
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            if b"resource_tracker" not in cmdline:
                pids.append(child)
        return pids or [process.pid]

    def memory(self) -> dict[str, float]:
        """Peak (VmHWM) and current (VmRSS) resident memory of the largest worker, in MB."""
        peak = current = 0.0
        for pid in self.worker_pids():
            status = _proc_status(pid)
            peak = max(peak, status.get("VmHWM", 0) / 1024)
            current = max(current, status.get("VmRSS", 0) / 1024)
        return {"peak_mb": round(peak, 1), "current_mb": round(current, 1)}

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time used so far by the API workers, by PostgreSQL (every process of the local
        server, and those it has reaped: connections come and go; none on SQLite), and stolen
        from this virtual machine by its host (/proc/stat), in seconds. Differences over a
        scenario are its cost, which other work on the machine changes far less than its rate."""
        workers = sum(process_cpu_seconds(pid) for pid in self.worker_pids())
        postgres = 0.0
        for entry in Path("/proc").iterdir() if self.url.startswith("postgresql") else ():
            if entry.name.isdigit():
                try:
                    if (entry / "comm").read_text().strip() == "postgres":
                        postgres += process_cpu_seconds(int(entry.name), reaped=True)
                except OSError:  # gone meanwhile, or not ours to read
                    continue
        return {"workers": workers, "postgres": postgres, "steal": stolen_seconds()}

    def _running(self) -> subprocess.Popen[bytes]:
        if self.process is None:
            raise RuntimeError("the server has not been started")
        return self.process

    def __exit__(self, *_: object) -> None:
        process = self._running()
        workers = self.worker_pids() if process.poll() is None else []
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for pid in workers:  # only if uvicorn left one behind
            if Path(f"/proc/{pid}").exists():
                os.kill(pid, signal.SIGKILL)
        self.log_file.close()


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        children.extend(int(c) for c in text)
    return children


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int, *, reaped: bool = False) -> float:
    """User and system CPU seconds of a process (and, if ``reaped``, of the children it has
    waited for: only the postmaster has any)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


def _proc_status(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            values[key] = int(rest.split()[0])
    return values
