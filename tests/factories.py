"""Plain async factories for test data."""

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.api_keys import service as api_key_service
from app.articles import service as article_service
from app.articles.schemas import ArticleIn
from app.auth.security import create_access_token
from app.config import Settings
from app.models import ApiKey, Role, Scope, User
from app.users import service as user_service

_sequence = itertools.count(1)
DEFAULT_PASSWORD = "correct horse battery staple"


class Clock:
    """A monotonic clock a test moves by hand (``clock.now += 30``), for what keeps things
    for a while."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Account:
    user: User
    password: str
    headers: dict[str, str]


async def create_user(
    session: AsyncSession,
    *,
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
    role: str = "reader",
    display_name: str | None = "Test User",
) -> User:
    return await user_service.create_user(
        session,
        email=email or f"user{next(_sequence)}@example.com",
        password=password,
        display_name=display_name,
        role=Role(role),
    )


async def create_account(
    session: AsyncSession, settings: Settings, *, role: str = "reader", **overrides: str
) -> Account:
    """A user with a valid access token in ready-made headers."""
    user = await create_user(session, role=role, **overrides)
    token = create_access_token(settings, user.id, datetime.now(UTC))
    password = overrides.get("password", DEFAULT_PASSWORD)
    return Account(user=user, password=password, headers={"Authorization": f"Bearer {token}"})


async def create_api_key(
    session: AsyncSession,
    *,
    name: str = "Partner",
    scopes: tuple[Scope, ...] = (Scope.FEEDS_READ,),
    rate_limit_per_minute: int = 600,
) -> tuple[ApiKey, str]:
    return await api_key_service.create_key(
        session, name=name, scopes=scopes, rate_limit_per_minute=rate_limit_per_minute
    )


def article_payload(**overrides: object) -> dict[str, object]:
    """A valid article as the newsroom would send it; every call gets its own url."""
    number = next(_sequence)
    payload: dict[str, object] = {
        "url": f"https://news.example/world/story-{number}",
        "headline": f"Story number {number}",
        "standfirst": "What happened, in one sentence.",
        "summary": ["First point.", "Second point."],
        "body": "Words " * 460,
        "section": "World",
        "topics": ["World news"],
        "authors": ["Jane Reporter"],
        "credits": ["Associated Press"],
        "image": {
            "url": f"https://news.example/img/{number}.jpg",
            "caption": "A caption",
            "credit": "AP Photo",
        },
        "video": None,
        "language": "en",
        "region": "GB",
        "published_at": "2026-11-20T10:00:00Z",
        "comment_count": 3,
    }
    payload.update(overrides)
    return payload


async def create_article(session: AsyncSession, **overrides: object) -> str:
    """Store an article through the service, as the API would; returns its id."""
    return await article_service.create_article(
        session, ArticleIn.model_validate(article_payload(**overrides))
    )


def tampered(signed: str) -> str:
    """A signed token (a cursor, say) with one character changed in its middle: the last
    characters of base64 may carry unused bits, so that changing them can leave the same
    bytes."""
    middle = len(signed) // 2
    return signed[:middle] + ("B" if signed[middle] == "A" else "A") + signed[middle + 1 :]
