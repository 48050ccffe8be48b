"""Who is calling: users by bearer token, partners and integrations by API key."""

from collections.abc import Awaitable, Callable
from typing import Annotated

import jwt
from fastapi import Depends
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer

from app.api_keys import service as api_key_service
from app.auth.security import decode_access_token
from app.config import SettingsDep
from app.db import SessionDep
from app.errors import Forbidden, Unauthorized
from app.models import ApiKey, Role, Scope, User

bearer_scheme = OAuth2PasswordBearer(tokenUrl="/v1/auth/token", auto_error=False)
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)

ROLE_RANK = {Role.READER: 0, Role.EDITOR: 1, Role.ADMIN: 2}


async def current_user(
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(bearer_scheme)],
) -> User:
    """The user of a valid access token; 401 otherwise."""
    if not token:
        raise Unauthorized("Authentication required: send a bearer access token.")
    try:
        user_id = decode_access_token(settings, token)
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The access token has expired.", error="invalid_token") from None
    except jwt.InvalidTokenError:
        raise Unauthorized("The access token is invalid.", error="invalid_token") from None
    user = await session.get(User, user_id)
    if user is None:
        raise Unauthorized("The access token is invalid.", error="invalid_token")
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


async def partner_key(
    session: SessionDep, key: Annotated[str | None, Depends(api_key_header)]
) -> ApiKey:
    """The API key sent in ``X-API-Key``; 401 when missing, unknown or revoked."""
    if not key:
        raise Unauthorized(
            "An API key is required: send it in the X-API-Key header.", scheme="ApiKey"
        )
    api_key = await api_key_service.authenticate_key(session, key)
    if api_key is None:
        raise Unauthorized("The API key is invalid or revoked.", scheme="ApiKey")
    return api_key


PartnerKey = Annotated[ApiKey, Depends(partner_key)]


async def article_writer(
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(bearer_scheme)],
    key: Annotated[str | None, Depends(api_key_header)],
) -> User | ApiKey:
    """An editor (bearer token) or an integration whose API key has ``articles:write``."""
    if key:
        api_key = await partner_key(session, key)
        if Scope.ARTICLES_WRITE.value not in api_key.scopes:
            raise Forbidden("This API key lacks the articles:write scope.")
        return api_key
    user = await current_user(session, settings, token)
    return await require_role(Role.EDITOR)(user)


ArticleWriter = Annotated[User | ApiKey, Depends(article_writer)]
