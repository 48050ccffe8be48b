"""Issuing, listing, checking and revoking API keys."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.api_keys import revocations
from app.auth.security import hash_secret, new_secret
from app.db import keyset_after
from app.errors import NotFound
from app.models import ApiKey, Scope

KEY_PREFIX = "mnk_"
SHOWN_PREFIX_LENGTH = len(KEY_PREFIX) + 6


async def create_key(
    session: AsyncSession, *, name: str, scopes: Sequence[Scope], rate_limit_per_minute: int
) -> tuple[ApiKey, str]:
    """A new key and its secret, which is not stored and cannot be shown again."""
    secret = new_secret(KEY_PREFIX)
    api_key = ApiKey(
        name=name,
        prefix=secret[:SHOWN_PREFIX_LENGTH],
        key_hash=hash_secret(secret),
        scopes=sorted({scope.value for scope in scopes}),
        rate_limit_per_minute=rate_limit_per_minute,
    )
    session.add(api_key)
    await session.flush()
    return api_key, secret


async def list_keys(
    session: AsyncSession, *, limit: int, after: tuple[datetime, str] | None
) -> tuple[Sequence[ApiKey], tuple[datetime, str] | None]:
    """Live keys, oldest first, from ``after`` (the keyset of the last one listed); and the
    keyset to list the next page from, None on the last page."""
    order = (ApiKey.created_at, ApiKey.id)
    statement = select(ApiKey).order_by(*order)
    if after is not None:
        statement = statement.where(keyset_after(order, after))
    keys = (await session.scalars(statement.limit(limit + 1))).all()
    following = (keys[limit - 1].created_at, keys[limit - 1].id) if len(keys) > limit else None
    return keys[:limit], following


async def authenticate_key(session: AsyncSession, secret: str) -> ApiKey | None:
    """The live key with this secret, or None."""
    return await session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_secret(secret)))


async def revoke_key(session: AsyncSession, key_id: str) -> None:
    """Delete the key: from now on it is refused."""
    api_key = await session.get(ApiKey, key_id)
    if api_key is None:
        raise NotFound("No such API key.")
    await session.delete(api_key)
    await session.flush()
    await revocations.announce(session, key_id)
