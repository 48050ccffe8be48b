"""The signed-in user's own account, and admin changes of roles."""

from fastapi import APIRouter, status

from app.auth.dependencies import AdminUser, CurrentUser
from app.db import SessionDep
from app.users import service
from app.users.schemas import MeOut, MeUpdate, RoleUpdate, UserOut

router = APIRouter(tags=["account"])


@router.get("/v1/me", response_model=MeOut)
async def read_me(user: CurrentUser) -> MeOut:
    """The signed-in user's account."""
    return MeOut.model_validate(user)


@router.patch("/v1/me", response_model=MeOut)
async def update_me(body: MeUpdate, user: CurrentUser, session: SessionDep) -> MeOut:
    """Change display name, language or region. Other fields (role, email) are refused."""
    return MeOut.model_validate(await service.update_profile(session, user, body))


@router.delete("/v1/me", status_code=status.HTTP_204_NO_CONTENT)
async def delete_me(user: CurrentUser, session: SessionDep) -> None:
    """Delete the account and all of its personal data. This cannot be undone."""
    await service.delete_user(session, user)


@router.patch("/v1/admin/users/{user_id}", response_model=UserOut, tags=["admin"])
async def change_role(
    user_id: str, body: RoleUpdate, session: SessionDep, _admin: AdminUser
) -> UserOut:
    """Give a user the reader, editor or admin role."""
    return UserOut.model_validate(await service.set_role(session, user_id, body.role))
