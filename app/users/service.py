"""Accounts: creation, lookup, profile changes, roles and deletion."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.security import hash_password_off_loop
from app.errors import Conflict, NotFound
from app.models import Role, User
from app.reader import recording
from app.reader import service as reader_service
from app.users.schemas import MeUpdate


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == normalize_email(email)))


async def get_user(session: AsyncSession, user_id: str) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    display_name: str | None = None,
    role: Role = Role.READER,
) -> User:
    """A new account; ``Conflict`` when the email (in any case) is taken."""
    email = normalize_email(email)
    if await get_user_by_email(session, email) is not None:
        raise Conflict("An account with this email already exists.")
    user = User(
        email=email,
        password_hash=await hash_password_off_loop(password),
        display_name=display_name,
        role=role,
    )
    session.add(user)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        # Lost a race with a concurrent registration of the same address.
        raise Conflict("An account with this email already exists.") from None
    return user


async def update_profile(session: AsyncSession, user: User, changes: MeUpdate) -> User:
    """Apply the fields the client sent; a field sent as null is cleared."""
    for field in changes.model_fields_set:
        setattr(user, field, getattr(changes, field))
    await session.flush()
    return user


async def set_role(session: AsyncSession, user_id: str, role: Role) -> User:
    user = await get_user(session, user_id)
    user.role = role
    await session.flush()
    return user


async def delete_user(session: AsyncSession, user: User) -> None:
    """Remove the account; its personal data goes with it."""
    user_id = user.id
    await reader_service.release_follows(session, user_id)
    await session.delete(user)
    await session.flush()
    await recording.forget_reader(session, user_id)
