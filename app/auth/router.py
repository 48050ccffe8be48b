"""Registration, login, token refresh and logout."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, status

from app.auth import service
from app.auth.schemas import RefreshTokenIn, TokenPair
from app.clock import Now
from app.config import SettingsDep
from app.db import SessionDep
from app.ratelimit import enforce_login_limit
from app.schemas import PLAIN_TEXT
from app.users import service as user_service
from app.users.schemas import RegisterIn, UserOut

router = APIRouter(prefix="/v1/auth", tags=["auth"])


@router.post("/register", status_code=status.HTTP_201_CREATED, response_model=UserOut)
async def register(body: RegisterIn, session: SessionDep) -> UserOut:
    """Create a reader account. 409 if the email is taken, in any letter case."""
    user = await user_service.create_user(
        session, email=body.email, password=body.password, display_name=body.display_name
    )
    return UserOut.model_validate(user)


@router.post("/token", response_model=TokenPair)
async def login(
    username: Annotated[
        str, Form(min_length=1, max_length=320, pattern=PLAIN_TEXT, description="Email")
    ],
    password: Annotated[str, Form(min_length=1, max_length=256, pattern=PLAIN_TEXT)],
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
    request: Request,
) -> TokenPair:
    """OAuth2 password flow: exchange email and password for an access and a refresh token.

    Limited per client IP and per account, more tightly than other calls (brute force).
    """
    await enforce_login_limit(request, settings, username)
    user = await service.authenticate(session, username, password)
    return await service.issue_tokens(session, settings, user.id, now)


@router.post("/refresh", response_model=TokenPair)
async def refresh(
    body: RefreshTokenIn, session: SessionDep, settings: SettingsDep, now: Now, request: Request
) -> TokenPair:
    """Spend a refresh token for a new pair. A spent token presented again ends that login:
    every refresh and access token issued to it stops working."""
    ended = request.app.state.ended_logins
    return await service.rotate_refresh_token(session, settings, body.refresh_token, now, ended)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(body: RefreshTokenIn, session: SessionDep, now: Now, request: Request) -> None:
    """End the login of this refresh token: its refresh and access tokens stop working."""
    await service.logout(session, body.refresh_token, now, request.app.state.ended_logins)
