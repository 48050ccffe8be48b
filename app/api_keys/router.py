"""Admin management of API keys, and a key's view of itself."""

from fastapi import APIRouter, Request, status

from app.api_keys import service
from app.api_keys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from app.auth.dependencies import AdminUser, PartnerKey, forget_verified_keys
from app.db import SessionDep
from app.pagination import CursorParam, Cursors, Limit, Page

router = APIRouter(tags=["api keys"])


@router.post(
    "/v1/admin/api-keys", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreated
)
async def create_api_key(
    body: ApiKeyCreate, session: SessionDep, _admin: AdminUser
) -> ApiKeyCreated:
    """Issue a key. Its secret is in this response only: store it now."""
    api_key, secret = await service.create_key(
        session,
        name=body.name,
        scopes=body.scopes,
        rate_limit_per_minute=body.rate_limit_per_minute,
    )
    return ApiKeyCreated.model_validate(
        {**ApiKeyOut.model_validate(api_key).model_dump(), "key": secret}
    )


@router.get("/v1/admin/api-keys", response_model=Page[ApiKeyOut])
async def list_api_keys(
    session: SessionDep,
    admin: AdminUser,
    cursors: Cursors,
    limit: Limit,
    cursor: CursorParam = None,
) -> Page[ApiKeyOut]:
    """Live keys, oldest first. Secrets are never shown."""
    binding = cursors.binding("api-keys", {}, admin.id)
    after = cursors.decode_position(cursor, binding) if cursor else None
    keys, position = await service.list_keys(session, limit=limit, after=after)
    return Page(
        items=[ApiKeyOut.model_validate(k) for k in keys],
        next_cursor=cursors.encode_position(binding, position) if position else None,
    )


@router.delete("/v1/admin/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_api_key(
    key_id: str, request: Request, session: SessionDep, _admin: AdminUser
) -> None:
    """Revoke a key: every later request with it is refused. Other workers hear of it when
    it commits (on PostgreSQL; on SQLite, within ``MYNEWS_API_KEY_CACHE_SECONDS``)."""
    await service.revoke_key(session, key_id)
    forget_verified_keys(request, session)


@router.get("/v1/auth/key", response_model=ApiKeyOut)
async def describe_own_key(api_key: PartnerKey) -> ApiKeyOut:
    """The calling API key's name, scopes and quota: a way for integrations to check a key."""
    return ApiKeyOut.model_validate(api_key)
