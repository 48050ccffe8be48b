"""The demo newsroom that `mynews seed-demo` creates: safe to run again and again."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Role
from app.users import service as user_service

# Published on purpose: these accounts exist only in demo databases (refused in production).
DEMO_ACCOUNTS = (
    ("reader@demo.mynews.dev", "demo-reader-password", "Demo Reader", Role.READER),
    ("editor@demo.mynews.dev", "demo-editor-password", "Demo Editor", Role.EDITOR),
    ("admin@demo.mynews.dev", "demo-admin-password", "Demo Admin", Role.ADMIN),
)


async def seed(session: AsyncSession) -> list[str]:
    """Create whatever part of the demo is missing; returns lines describing it."""
    lines = ["Demo accounts (email / password / role):"]
    for email, password, display_name, role in DEMO_ACCOUNTS:
        if await user_service.get_user_by_email(session, email) is None:
            await user_service.create_user(
                session, email=email, password=password, display_name=display_name, role=role
            )
        lines.append(f"  {email} / {password} / {role.value}")
    return lines
