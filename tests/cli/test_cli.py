"""The `mynews` command, run as a user would run it, against a database of its own."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import DEVELOPMENT_SECRET_KEY, Settings

# Brings its own servers and databases: run once per test run, not once per test database.
pytestmark = pytest.mark.standalone


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    database = tmp_path_factory.mktemp("cli") / "cli.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYNEWS_")}
    env["MYNEWS_DATABASE_URL"] = f"sqlite+aiosqlite:///{database}"
    run(env, "migrate")
    return env


def run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "app", *args],
        env=env,
        capture_output=True,
        text=True,
        check=check,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )


def test_create_api_key_prints_key_as_last_line(cli_env: dict[str, str]) -> None:
    result = run(
        cli_env, "create-api-key", "Wire partner", "--scope", "feeds:read", "--rate-limit", "30"
    )
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("mnk_")
    assert len(key) > 40


@pytest.mark.parametrize(
    ("command", "argument"),
    [("create-user", "EMAIL"), ("create-api-key", "NAME"), ("import-feed", "FILE_OR_URL")],
)
def test_usage_names_each_argument_as_help_does(
    cli_env: dict[str, str], command: str, argument: str
) -> None:
    usage = run(cli_env, command, "--help").stdout
    assert f"[OPTIONS] {{{argument}}}" in " ".join(usage.split())


def test_create_user_then_duplicate_fails_cleanly(cli_env: dict[str, str]) -> None:
    created = run(
        cli_env,
        "create-user",
        "cli@example.com",
        "--password",
        "long-enough-pw",
        "--role",
        "editor",
    )
    assert "editor" in created.stdout
    duplicate = run(
        cli_env, "create-user", "CLI@example.com", "--password", "long-enough-pw", check=False
    )
    assert duplicate.returncode == 1
    assert "already exists" in duplicate.stderr
    assert "Traceback" not in duplicate.stderr


def test_create_user_rejects_short_password(cli_env: dict[str, str]) -> None:
    result = run(cli_env, "create-user", "short@example.com", "--password", "short", check=False)
    assert result.returncode == 2
    assert "password" in result.stderr


def test_seed_demo_is_idempotent(cli_env: dict[str, str]) -> None:
    first = run(cli_env, "seed-demo")
    second = run(cli_env, "seed-demo")
    assert "reader@demo.mynews.dev" in first.stdout
    assert "0 updated, 0 unchanged, 0 errors" in first.stdout
    assert "this run: 0 created, 0 updated," in second.stdout

    # Apart from what this run did, the two runs describe the same demo.
    def described(stdout: str) -> list[str]:
        return [line for line in stdout.splitlines() if "this run:" not in line]

    assert described(first.stdout) == described(second.stdout)


def test_production_refuses_default_secret(cli_env: dict[str, str]) -> None:
    env = {**cli_env, "MYNEWS_ENV": "production"}
    result = run(env, "migrate", check=False)
    assert result.returncode == 2
    assert "MYNEWS_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_settings_validation() -> None:
    with pytest.raises(ValueError, match="MYNEWS_SECRET_KEY"):
        Settings(env="production", secret_key=DEVELOPMENT_SECRET_KEY)
    with pytest.raises(ValueError, match="at least"):
        Settings(env="production", secret_key="short")
    assert Settings(env="production", secret_key="k" * 48).env == "production"
    assert Settings(env="development").secret_key == DEVELOPMENT_SECRET_KEY


def test_cors_origins_from_comma_separated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYNEWS_CORS_ORIGINS", "https://a.example, https://b.example")
    assert Settings().cors_origins == ["https://a.example", "https://b.example"]
