"""Logging in, and refresh tokens that rotate on every use and detect reuse."""

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.logins import EndedLogins
from app.auth.schemas import TokenPair
from app.auth.security import (
    burn_password_check,
    create_access_token,
    hash_secret,
    new_secret,
    verify_password_off_loop,
)
from app.config import Settings
from app.db import after_commit, new_id
from app.errors import Unauthorized
from app.models import RefreshToken, User
from app.users import service as user_service

logger = logging.getLogger(__name__)

INVALID_CREDENTIALS = "Incorrect email or password."
INVALID_REFRESH_TOKEN = "The refresh token is invalid, expired or already used."  # noqa: S105


async def authenticate(session: AsyncSession, email: str, password: str) -> User:
    """The user with these credentials; an unknown email and a wrong password fail alike."""
    user = await user_service.get_user_by_email(session, email)
    if user is None:
        await burn_password_check(password)
        raise Unauthorized(INVALID_CREDENTIALS)
    if not await verify_password_off_loop(password, user.password_hash):
        raise Unauthorized(INVALID_CREDENTIALS)
    return user


async def issue_tokens(
    session: AsyncSession,
    settings: Settings,
    user_id: str,
    now: datetime,
    *,
    family_id: str | None = None,
    parent_id: str | None = None,
) -> TokenPair:
    """A new access token and refresh token; a login starts a new refresh-token family."""
    refresh_token = new_secret("rt_")
    login = family_id or new_id()
    session.add(
        RefreshToken(
            user_id=user_id,
            token_hash=hash_secret(refresh_token),
            family_id=login,
            parent_id=parent_id,
            created_at=now,
            expires_at=now + timedelta(days=settings.refresh_token_ttl_days),
        )
    )
    await session.flush()
    return TokenPair(
        access_token=create_access_token(settings, user_id, now, login=login),
        expires_in=settings.access_token_ttl_seconds,
        refresh_token=refresh_token,
    )


async def _find_refresh_token(session: AsyncSession, token: str) -> RefreshToken | None:
    return await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == hash_secret(token))
    )


async def revoke_family(
    session: AsyncSession, family_id: str, now: datetime, ended: EndedLogins
) -> None:
    """End the login: its refresh tokens revoked, and its access tokens refused by this
    worker once that commits (and by the others when they read it: ``app.auth.logins``)."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    after_commit(session, lambda: ended.end(family_id))


async def rotate_refresh_token(
    session: AsyncSession, settings: Settings, token: str, now: datetime, ended: EndedLogins
) -> TokenPair:
    """Spend the refresh token for a new pair. Reusing a spent one revokes its whole family.

    A spent token presented again means it was copied: whoever holds its descendants may be
    the thief or the owner, and we cannot tell which, so every token of that login dies.
    """
    stored = await _find_refresh_token(session, token)
    if stored is None or stored.revoked_at is not None or stored.expires_at <= now:
        raise Unauthorized(INVALID_REFRESH_TOKEN, error="invalid_token")
    # Mark it spent only if nobody else did in the meantime: two concurrent refreshes with
    # one token must not both succeed.
    spent = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == stored.id, RefreshToken.spent_at.is_(None))
        .values(spent_at=now)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        logger.warning("refresh token reuse detected; revoking family %s", stored.family_id)
        await revoke_family(session, stored.family_id, now, ended)
        error = Unauthorized(INVALID_REFRESH_TOKEN, error="invalid_token")
        error.persist_changes = True  # the revocation must outlive the failed request
        raise error
    return await issue_tokens(
        session, settings, stored.user_id, now, family_id=stored.family_id, parent_id=stored.id
    )


async def logout(session: AsyncSession, token: str, now: datetime, ended: EndedLogins) -> None:
    """End the login this refresh token belongs to. Unknown tokens are ignored."""
    stored = await _find_refresh_token(session, token)
    if stored is not None:
        await revoke_family(session, stored.family_id, now, ended)
