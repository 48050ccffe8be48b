"""The ``mynews`` command: serve, migrate, seed the demo, manage users and API keys."""

import asyncio
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from alembic import command
from alembic.config import Config
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings, get_settings
from app.db import Database
from app.errors import AppError
from app.models import Role, Scope

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

cli = typer.Typer(help="myNEWS API: a personalised news-feed service.", no_args_is_help=True)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as error:
        messages = "; ".join(e["msg"].removeprefix("Value error, ") for e in error.errors())
        typer.secho(f"Configuration error: {messages}", err=True, fg="red")
        raise typer.Exit(2) from None


def _run_in_session(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one committed transaction; an ``AppError`` becomes a clean exit.

    Without the requests' statement timeout, as migrations run: it keeps a slow request from
    holding a connection, and an operator's import of a large feed is no such request."""
    settings = _settings().model_copy(update={"db_statement_timeout_ms": 0})

    async def run() -> T:
        database = Database.from_settings(settings)
        try:
            async with database.sessionmaker() as session, session.begin():
                return await work(session)
        finally:
            await database.engine.dispose()

    try:
        return asyncio.run(run())
    except AppError as error:
        typer.secho(f"Error: {error.message}", err=True, fg="red")
        raise typer.Exit(1) from None


def _validated(model: type[M], **fields: object) -> M:
    """The command's arguments checked by the API's own rules; bad ones end the command."""
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        for problem in error.errors():
            typer.secho(f"{problem['loc'][0]}: {problem['msg']}", err=True, fg="red")
        raise typer.Exit(2) from None


def alembic_config() -> Config:
    """Alembic's configuration, wherever the command is run from."""
    for root in (PROJECT_ROOT, Path.cwd()):
        if (root / "alembic.ini").is_file():
            return Config(str(root / "alembic.ini"))
    raise typer.BadParameter("alembic.ini not found; run from the project directory.")


@cli.command()
def migrate(revision: str = "head") -> None:
    """Upgrade the database to the latest schema (or to REVISION)."""
    _settings()
    command.upgrade(alembic_config(), revision)


@cli.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int | None, typer.Option(min=1)] = None,
    reload: bool = False,
) -> None:
    """Serve the API with uvicorn."""
    import uvicorn

    settings = _settings()
    workers = workers or settings.workers
    if workers > 1 and not settings.prometheus_multiproc_dir:
        # Each worker writes its metrics here; /metrics adds them up.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="mynews-metrics-")
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=None if reload else workers,
        reload=reload,
        proxy_headers=True,
        timeout_graceful_shutdown=settings.shutdown_timeout_seconds,
        log_level="info",
    )


@cli.command("create-user")
def create_user(
    email: Annotated[str, typer.Argument(metavar="EMAIL")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    role: Role = Role.READER,
    display_name: str | None = None,
) -> None:
    """Create an account with the given role."""
    from app.users import service as user_service
    from app.users.schemas import RegisterIn

    checked = _validated(RegisterIn, email=email, password=password, display_name=display_name)

    async def work(session: AsyncSession) -> str:
        user = await user_service.create_user(
            session,
            email=checked.email,
            password=checked.password,
            display_name=checked.display_name,
            role=role,
        )
        return user.id

    user_id = _run_in_session(work)
    typer.echo(f"Created {role.value} {checked.email} ({user_id})")


@cli.command("create-api-key")
def create_api_key(
    name: Annotated[str, typer.Argument(metavar="NAME")],
    scope: Annotated[list[Scope], typer.Option("--scope", help="Repeat for several scopes.")],
    rate_limit: Annotated[int | None, typer.Option(min=1, max=100_000)] = None,
) -> None:
    """Issue an API key. The key is printed once, as the last line."""
    from app.api_keys import service as api_key_service
    from app.api_keys.schemas import ApiKeyCreate

    limit = {"rate_limit_per_minute": rate_limit} if rate_limit else {}
    checked = _validated(ApiKeyCreate, name=name, scopes=scope, **limit)

    async def work(session: AsyncSession) -> str:
        api_key, secret = await api_key_service.create_key(
            session,
            name=checked.name,
            scopes=checked.scopes,
            rate_limit_per_minute=checked.rate_limit_per_minute,
        )
        typer.echo(
            f"Created API key {api_key.name!r} ({api_key.id}), scopes: {' '.join(api_key.scopes)}"
        )
        return secret

    typer.echo(_run_in_session(work))


@cli.command("seed-demo")
def seed_demo() -> None:
    """Create the demo accounts (idempotent). Refused in production."""
    from app import demo

    settings = _settings()
    if settings.env == "production":
        typer.secho("seed-demo is refused in production.", err=True, fg="red")
        raise typer.Exit(2)
    for line in _run_in_session(demo.seed):
        typer.echo(line)


@cli.command("import-feed")
def import_feed(
    file_or_url: Annotated[str, typer.Argument(metavar="FILE_OR_URL")],
    topic: Annotated[
        str | None,
        typer.Option(help="File every entry under this topic too (it becomes the primary one)."),
    ] = None,
) -> None:
    """Import an RSS or Atom feed (a file or an http(s) URL) as articles; safe to repeat."""
    from app.articles import importer
    from app.db import utcnow

    async def work(session: AsyncSession) -> list[str]:
        report = await importer.import_feed(session, file_or_url, default_topic=topic, now=utcnow())
        return report.lines()

    for line in _run_in_session(work):
        typer.echo(line)


@cli.command()
def evaluate(
    mind: Annotated[Path, typer.Option(help="A MIND folder with behaviors.tsv and news.tsv.")],
    limit: Annotated[
        int | None, typer.Option(min=1, help="Replay only the first N impressions.")
    ] = None,
) -> None:
    """Replay MIND impression logs through the feed's ranking; print AUC, MRR and nDCG."""
    from app.feed import evaluate as evaluation
    from app.feed.service import weights_from

    settings = _settings()
    try:
        report = evaluation.evaluate_mind(
            mind,
            limit=limit,
            weights=weights_from(settings),
            engagement_half_life_hours=settings.feed_engagement_half_life_hours,
            interest_half_life_hours=settings.feed_interest_half_life_days * 24,
        )
    except (OSError, ValueError) as error:
        typer.secho(f"Error: {error}", err=True, fg="red")
        raise typer.Exit(1) from None
    for line in evaluation.format_report(report):
        typer.echo(line)


def main() -> None:
    cli()
