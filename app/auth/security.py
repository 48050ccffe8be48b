"""Password hashing, access tokens (JWT) and the hashing of opaque secrets."""

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import lru_cache

import anyio.to_thread
import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.config import Settings

JWT_ALGORITHM = "HS256"
ACCESS_TOKEN_TYPE = "access"  # noqa: S105


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


def create_access_token(settings: Settings, user_id: str, now: datetime) -> str:
    expires = now + timedelta(seconds=settings.access_token_ttl_seconds)
    claims = {
        "sub": user_id,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "typ": ACCESS_TOKEN_TYPE,
    }
    return jwt.encode(claims, settings.secret_key, algorithm=JWT_ALGORITHM)


def decode_access_token(settings: Settings, token: str) -> str:
    """The user id of a valid access token; raises ``jwt.InvalidTokenError`` otherwise."""
    claims = jwt.decode(
        token,
        settings.secret_key,
        algorithms=[JWT_ALGORITHM],
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
        options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        leeway=5,
    )
    if claims.get("typ") != ACCESS_TOKEN_TYPE or not isinstance(claims["sub"], str):
        raise jwt.InvalidTokenError("not an access token")
    return claims["sub"]
