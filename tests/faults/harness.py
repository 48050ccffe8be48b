"""Real processes for fault tests: the API under uvicorn, and a throwaway PostgreSQL.

Everything listens on 127.0.0.1 on a free port and is stopped by whoever started it.
"""

import asyncio
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import closing, suppress
from pathlib import Path

import httpx

PROJECT_ROOT = Path(__file__).resolve().parents[2]
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
POSTGRES_OS_USER = "postgres"
STARTUP_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 15.0
CLI_TIMEOUT_SECONDS = 120.0
# Accounts `mynews seed-demo` creates.
DEMO_EDITOR = ("editor@demo.mynews.dev", "demo-editor-password")
DEMO_READER = ("reader@demo.mynews.dev", "demo-reader-password")


def free_port() -> int:
    """A port nothing listens on now (another process could still take it first)."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def api_env(database_url: str, **settings: object) -> dict[str, str]:
    """The environment of an API process: this one's, minus any MYNEWS_ setting of the run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYNEWS_")}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env["PYTHONUNBUFFERED"] = "1"
    env["MYNEWS_DATABASE_URL"] = database_url
    # Load tests must see the database's answers, not 429s.
    env["MYNEWS_RATE_LIMITS_ENABLED"] = "false"
    for name, value in settings.items():
        env[f"MYNEWS_{name.upper()}"] = str(value)
    return env


def run_cli(env: dict[str, str], *args: str) -> str:
    """Run ``python -m app ARGS`` to completion; its output, or a failure with its errors."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "app", *args],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"`mynews {' '.join(args)}` failed: {result.stderr[-3000:]}")
    return result.stdout


class ApiServer:
    """``python -m app serve`` on a free loopback port, its output in a log file."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def running_process(self) -> subprocess.Popen[bytes]:
        if self.process is None:
            raise RuntimeError("the server was never started")
        return self.process

    def start(self) -> None:
        command = [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [*command, "--port", str(self.port)],
                env=self.env,
                cwd=PROJECT_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    async def wait_until_live(self) -> None:
        """Wait (bounded) until /healthz answers 200."""
        process = self.running_process()
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        async with client_for(self, timeout=1.0) as client:
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    raise AssertionError(f"the API exited on start: {self.log()[-3000:]}")
                with suppress(httpx.HTTPError):
                    if (await client.get("/healthz")).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        raise AssertionError(f"the API was not live in {STARTUP_TIMEOUT_SECONDS} s")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not exit in time. Safe to call twice."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def client_for(server: ApiServer, *, timeout: float = 15.0) -> httpx.AsyncClient:
    """An HTTP client for this server only (no proxy from the environment)."""
    return httpx.AsyncClient(base_url=server.base_url, timeout=timeout, trust_env=False)


async def login(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    """Sign in through the API; the bearer header for the account."""
    response = await client.post("/v1/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def postgres_unavailable_reason() -> str | None:
    """Why a throwaway PostgreSQL cannot be made here, or None when it can."""
    if not (POSTGRES_BIN / "initdb").is_file():
        return f"PostgreSQL server binaries not found in {POSTGRES_BIN}"
    try:
        pwd.getpwnam(POSTGRES_OS_USER)
    except KeyError:
        return f"there is no OS user {POSTGRES_OS_USER!r} to run initdb and pg_ctl as"
    if os.geteuid() != 0 and pwd.getpwuid(os.geteuid()).pw_name != POSTGRES_OS_USER:
        return f"initdb must run as {POSTGRES_OS_USER!r}: run the tests as root or as that user"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "runuser is needed to run initdb as the postgres OS user"
    return None


class ThrowawayPostgres:
    """A PostgreSQL cluster of its own in a temporary directory: trust auth, loopback only.

    Never the shared server on 5432: the port is a free one and the socket lives in the
    cluster's own directory.
    """

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="mynews-faults-pg-"))
        self.data = self.root / "data"
        self.server_log = self.root / "postgres.log"
        self.port = free_port()
        self.running = False

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run_as_postgres(self, *args: str, timeout: float = 60.0) -> None:
        prefix: Sequence[str] = ()
        if os.geteuid() == 0:
            prefix = ("runuser", "-u", POSTGRES_OS_USER, "--")
        result = subprocess.run(  # noqa: S603
            [*prefix, *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"{Path(args[0]).name} failed: {result.stderr[-2000:]}")

    def initdb(self) -> None:
        account = pwd.getpwnam(POSTGRES_OS_USER)
        os.chown(self.root, account.pw_uid, account.pw_gid)
        self._run_as_postgres(
            str(POSTGRES_BIN / "initdb"),
            "--pgdata",
            str(self.data),
            "--username",
            "postgres",
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-sync",
        )
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.root}'",
            "max_connections": "40",
            # Only a crash of the host could lose data without fsync; a restart cannot.
            "fsync": "off",
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def start(self) -> None:
        self._run_as_postgres(
            str(POSTGRES_BIN / "pg_ctl"),
            "--pgdata",
            str(self.data),
            "--log",
            str(self.server_log),
            "--wait",
            "--timeout",
            "30",
            "start",
        )
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: "fast" ends sessions like a restart does, "immediate" like a crash."""
        self._run_as_postgres(
            str(POSTGRES_BIN / "pg_ctl"),
            "--pgdata",
            str(self.data),
            "--mode",
            mode,
            "--wait",
            "--timeout",
            "30",
            "stop",
        )
        self.running = False

    def remove(self) -> None:
        """Stop the server if it runs, and delete the cluster."""
        try:
            if self.running or (self.data / "postmaster.pid").exists():
                self.stop("immediate")
        except (AssertionError, subprocess.TimeoutExpired):
            self._kill_own_postmaster()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _kill_own_postmaster(self) -> None:
        # Only this cluster's postmaster: the pid it recorded, if that process serves our data.
        with suppress(OSError, ValueError, IndexError):
            pid = int((self.data / "postmaster.pid").read_text().splitlines()[0])
            if str(self.data) in Path(f"/proc/{pid}/cmdline").read_text():
                os.kill(pid, signal.SIGKILL)
