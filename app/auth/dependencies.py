"""Who is calling: users by bearer token, partners and integrations by API key."""

from collections.abc import Awaitable, Callable
from typing import Annotated

import jwt
from cachetools import TTLCache
from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, APIKeyQuery, OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.api_keys import service as api_key_service
from app.auth.security import decode_access_token, hash_secret
from app.config import Settings, SettingsDep
from app.db import SessionDep, after_commit
from app.errors import AccountGone, Forbidden, Unauthorized
from app.models import ApiKey, Role, Scope, User

bearer_scheme = OAuth2PasswordBearer(tokenUrl="/v1/auth/token", auto_error=False)
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)
api_key_query = APIKeyQuery(
    name="key", auto_error=False, description="For feed readers that cannot set headers."
)

ROLE_RANK = {Role.READER: 0, Role.EDITOR: 1, Role.ADMIN: 2}
VERIFIED_KEYS_KEPT = 10_000


async def current_user_id(
    request: Request, settings: SettingsDep, token: Annotated[str | None, Depends(bearer_scheme)]
) -> str:
    """The user id of a valid access token of a login that has not ended; 401 otherwise. The
    account is not read: a route taking this alone refuses (401) an account that is gone in
    its own statements."""
    if not token:
        raise Unauthorized("Authentication required: send a bearer access token.")
    try:
        return decode_access_token(settings, token, ended=request.app.state.ended_logins)
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The access token has expired.", error="invalid_token") from None
    except jwt.InvalidTokenError:
        raise Unauthorized("The access token is invalid.", error="invalid_token") from None


CurrentUserId = Annotated[str, Depends(current_user_id)]


async def current_user(session: SessionDep, user_id: CurrentUserId) -> User:
    """The user of a valid access token; 401 otherwise."""
    user = await session.get(User, user_id)
    if user is None:
        raise AccountGone()
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require_role(role: Role) -> Callable[[User], Awaitable[User]]:
    """A dependency admitting users of ``role`` or a higher one."""

    async def user_with_role(user: CurrentUser) -> User:
        if ROLE_RANK[user.role] < ROLE_RANK[role]:
            raise Forbidden(f"This needs the {role.value} role.")
        return user

    return user_with_role


EditorUser = Annotated[User, Depends(require_role(Role.EDITOR))]
AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]


_UNSET = object()


class VerifiedKeys:
    """The keys this worker verified lately, by secret hash, each trusted for
    ``api_key_cache_seconds``; a revocation (made here, or announced by another worker)
    forgets them all."""

    def __init__(self, ttl_seconds: float) -> None:
        self._keys: TTLCache[str, ApiKey] = TTLCache(maxsize=VERIFIED_KEYS_KEPT, ttl=ttl_seconds)
        # Bumped by each revocation: a key read from the database before it is not kept.
        self.generation = 0

    def get(self, secret: str) -> ApiKey | None:
        return self._keys.get(hash_secret(secret))

    def keep(self, secret: str, api_key: ApiKey, generation: int) -> None:
        if generation == self.generation:
            self._keys[hash_secret(secret)] = api_key

    def forget_all(self) -> None:
        self._keys.clear()
        self.generation += 1

    def expire(self, moment: float) -> None:
        """Drop what is past its time at ``moment`` (a ``time.monotonic()`` reading)."""
        self._keys.expire(moment)


def forget_verified_keys(request: Request, session: AsyncSession) -> None:
    """After a revocation commits, this worker verifies every key afresh: a key read by a
    concurrent request before the commit is not kept past it."""
    verified: VerifiedKeys = request.app.state.verified_keys
    after_commit(session, verified.forget_all)


def presented_key(request: Request) -> str | None:
    """The API key secret the request sends (``X-API-Key``, or ``?key=``), if any."""
    return request.headers.get("x-api-key") or request.query_params.get("key")


def recently_verified_key(request: Request, secret: str) -> ApiKey | None:
    """The live key of ``secret`` if this worker verified it lately; None if it has not (the
    key may still be valid: only ``api_key_of`` reads the database)."""
    verified: VerifiedKeys = request.app.state.verified_keys
    return verified.get(secret)


async def _verified_key(request: Request, session: AsyncSession, secret: str) -> ApiKey | None:
    verified: VerifiedKeys = request.app.state.verified_keys
    api_key = verified.get(secret)
    if api_key is None:
        generation = verified.generation
        api_key = await api_key_service.authenticate_key(session, secret)
        if api_key is not None:
            # Detached, so no rollback of this request's session expires what others read.
            session.expunge(api_key)
            verified.keep(secret, api_key, generation)
    return api_key


async def api_key_of(request: Request, session: SessionDep) -> ApiKey | None:
    """The live API key the request presents (``X-API-Key``, or ``?key=``), looked up once
    per request however many dependencies ask, and at most every few seconds per worker
    (``api_key_cache_seconds``): partner feeds are polled constantly."""
    found = getattr(request.state, "api_key", _UNSET)
    if found is _UNSET:
        secret = presented_key(request)
        found = await _verified_key(request, session, secret) if secret else None
        request.state.api_key = found
    return found if isinstance(found, ApiKey) else None


async def caller_of(
    request: Request,
    settings: SettingsDep,
    api_key: Annotated[ApiKey | None, Depends(api_key_of)],
) -> str:
    """Who a request comes from, for what a public route binds to its caller (cursors): its
    live API key, else the user of its valid access token, else "" (anyone anonymous).
    Presenting neither is not an error: the route is public."""
    return caller_name(api_key, None if api_key else bearer_user_id(request, settings))


async def refuse_invalid_credentials(
    request: Request,
    settings: SettingsDep,
    api_key: Annotated[ApiKey | None, Depends(api_key_of)],
) -> None:
    """Credentials a request presents must be valid, on public routes too (401): a client
    whose token expired or whose key was revoked learns it, instead of being served as
    anyone anonymous. (Signing in and refreshing take whatever stale token a client sends.)"""
    if api_key is None and presented_key(request):
        raise Unauthorized("The API key is invalid or revoked.", scheme="ApiKey")
    if token := _bearer_token(request):
        await current_user_id(request, settings, token)


def caller_name(api_key: ApiKey | None, user_id: str | None) -> str:
    """``caller_of`` for a request presenting ``api_key`` (live) or the user's token."""
    if api_key is not None:
        return f"key:{api_key.id}"
    return "" if user_id is None else f"user:{user_id}"


def bearer_user_id(request: Request, settings: Settings) -> str | None:
    """The user id of the request's bearer access token when it is valid, whether or not its
    login has ended since (what the request may do is for the routes that need a user)."""
    if (token := _bearer_token(request)) is None:
        return None
    try:
        return decode_access_token(settings, token)
    except jwt.InvalidTokenError:
        return None


def _bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header, if the request sends one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token if scheme.lower() == "bearer" and token else None


def _require_key(request: Request, api_key: ApiKey | None, *, query_allowed: bool) -> ApiKey:
    presented = request.headers.get("x-api-key") or (
        query_allowed and request.query_params.get("key")
    )
    if not presented:
        where = "the X-API-Key header" + (" or the key parameter" if query_allowed else "")
        raise Unauthorized(f"An API key is required: send it in {where}.", scheme="ApiKey")
    if api_key is None:
        raise Unauthorized("The API key is invalid or revoked.", scheme="ApiKey")
    return api_key


async def partner_key(
    request: Request,
    api_key: Annotated[ApiKey | None, Depends(api_key_of)],
    _header: Annotated[str | None, Depends(api_key_header)],
) -> ApiKey:
    """The API key sent in ``X-API-Key``; 401 when missing, unknown or revoked."""
    return _require_key(request, api_key, query_allowed=False)


async def feed_reader_key(
    request: Request,
    api_key: Annotated[ApiKey | None, Depends(api_key_of)],
    _header: Annotated[str | None, Depends(api_key_header)],
    _query: Annotated[str | None, Depends(api_key_query)],
) -> ApiKey:
    """An API key with ``feeds:read``, from the header or ``?key=`` (for feed readers)."""
    found = _require_key(request, api_key, query_allowed=True)
    if Scope.FEEDS_READ.value not in found.scopes:
        raise Forbidden("This API key lacks the feeds:read scope.")
    return found


FeedReaderKey = Annotated[ApiKey, Depends(feed_reader_key)]


PartnerKey = Annotated[ApiKey, Depends(partner_key)]


async def article_writer(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(bearer_scheme)],
    key: Annotated[str | None, Depends(api_key_header)],
) -> User | ApiKey:
    """An editor (bearer token) or an integration whose API key has ``articles:write``."""
    if key:
        api_key = _require_key(request, await api_key_of(request, session), query_allowed=False)
        if Scope.ARTICLES_WRITE.value not in api_key.scopes:
            raise Forbidden("This API key lacks the articles:write scope.")
        return api_key
    user = await current_user(session, await current_user_id(request, settings, token))
    return await require_role(Role.EDITOR)(user)


ArticleWriter = Annotated[User | ApiKey, Depends(article_writer)]
Caller = Annotated[str, Depends(caller_of)]
