"""Password hashing, access tokens (JWT) and the hashing of opaque secrets."""

import hashlib
import secrets
import time
from collections.abc import Container
from datetime import datetime, timedelta
from functools import lru_cache

import anyio.to_thread
import jwt
from cachetools import LRUCache
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.config import Settings

JWT_ALGORITHM = "HS256"
ACCESS_TOKEN_TYPE = "access"  # noqa: S105
# Seconds of clock difference forgiven in a token's time limits.
TOKEN_LEEWAY_SECONDS = 5
VERIFIED_TOKENS_KEPT = 10_000

# Access tokens this process verified lately (by token, and the secret, issuer and audience
# that verified it), with their user id and time limits. A reader's every request carries
# the same token, and checking its signature and claims again cost more than all the rest of
# authenticating it. Only what ``jwt.decode`` accepted is kept; its time limits are checked
# at every use.
_verified_tokens: LRUCache[tuple[str, str, str, str], tuple[str, float, float, str | None]] = (
    LRUCache(maxsize=VERIFIED_TOKENS_KEPT)
)


@lru_cache
def password_hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    """An argon2id hash of the password (deliberately slow: call it off the event loop)."""
    return password_hasher().hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return password_hasher().verify(password, password_hash)


# Argon2 takes a quarter of a second of CPU by design; in a worker thread it does not stall
# every other request of the process meanwhile.
async def hash_password_off_loop(password: str) -> str:
    return await anyio.to_thread.run_sync(hash_password, password)


async def verify_password_off_loop(password: str, password_hash: str) -> bool:
    return await anyio.to_thread.run_sync(verify_password, password, password_hash)


@lru_cache
def _dummy_password_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


async def burn_password_check(password: str) -> None:
    """Spend the time of a real check, so an unknown email answers as slowly as a wrong password."""
    await anyio.to_thread.run_sync(verify_password, password, _dummy_password_hash())


def new_secret(prefix: str = "") -> str:
    """A new random secret token (256 bits)."""
    return prefix + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """SHA-256 hex digest of a high-entropy secret, for storage and lookup."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_access_token(
    settings: Settings, user_id: str, now: datetime, *, login: str | None = None
) -> str:
    """An access token of ``user_id``; of the login ``login`` (its refresh-token family) when
    a login issues it, so that it is refused once that login ends (``app.auth.logins``)."""
    expires = now + timedelta(seconds=settings.access_token_ttl_seconds)
    claims: dict[str, object] = {
        "sub": user_id,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "typ": ACCESS_TOKEN_TYPE,
    }
    if login is not None:
        claims["sid"] = login
    return jwt.encode(claims, settings.secret_key, algorithm=JWT_ALGORITHM)


def decode_access_token(
    settings: Settings, token: str, *, at: float | None = None, ended: Container[str] = ()
) -> str:
    """The user id of a valid access token; raises ``jwt.InvalidTokenError`` otherwise, and
    for a token of a login among ``ended`` (``app.auth.logins``). Its time limits are checked
    at ``at`` when given, as well as now when it is verified."""
    key = (token, settings.secret_key, settings.jwt_issuer, settings.jwt_audience)
    verified = _verified_tokens.get(key)
    if verified is None:
        claims = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[JWT_ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            leeway=TOKEN_LEEWAY_SECONDS,
        )
        if claims.get("typ") != ACCESS_TOKEN_TYPE or not isinstance(claims["sub"], str):
            raise jwt.InvalidTokenError("not an access token")
        # Not valid before its issue time, nor before its "nbf" when it has one.
        starts = max(claims["iat"], claims.get("nbf", claims["iat"]))
        login = claims.get("sid")
        verified = (
            claims["sub"],
            float(starts),
            float(claims["exp"]),
            login if isinstance(login, str) else None,
        )
        _verified_tokens[key] = verified
    user_id, starts, expires, login = verified
    if login is not None and login in ended:
        raise jwt.InvalidTokenError("The login of this token has ended")
    moment = time.time() if at is None else at
    if moment > expires + TOKEN_LEEWAY_SECONDS:
        raise jwt.ExpiredSignatureError("Signature has expired")
    if moment < starts - TOKEN_LEEWAY_SECONDS:
        raise jwt.ImmatureSignatureError("The token is not yet valid")
    return user_id
