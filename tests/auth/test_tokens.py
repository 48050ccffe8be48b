"""Every bad bearer token is a 401 with WWW-Authenticate, never a 500 or a pass."""

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest

from app.auth.security import TOKEN_LEEWAY_SECONDS, create_access_token, decode_access_token
from app.config import Settings
from tests import factories


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(settings: Settings, user_id: str, **overrides: object) -> dict[str, object]:
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": user_id,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        "typ": "access",
    }
    claims.update(overrides)
    return claims


def bad_tokens(settings: Settings, user_id: str) -> dict[str, str]:
    past = datetime.now(UTC) - timedelta(hours=1)
    return {
        "malformed": "not.a.jwt",
        "garbage": "x" * 40,
        "expired": create_access_token(settings, user_id, past),
        "wrong signature": jwt.encode(_claims(settings, user_id), "another-secret-key-" * 3),
        "alg none": _b64({"alg": "none", "typ": "JWT"})
        + "."
        + _b64(_claims(settings, user_id))
        + ".",
        "alg HS512": jwt.encode(_claims(settings, user_id), settings.secret_key, algorithm="HS512"),
        "wrong audience": jwt.encode(_claims(settings, user_id, aud="other"), settings.secret_key),
        "wrong issuer": jwt.encode(_claims(settings, user_id, iss="other"), settings.secret_key),
        "not an access token": jwt.encode(
            _claims(settings, user_id, typ="refresh"), settings.secret_key
        ),
        "unknown user": jwt.encode(_claims(settings, "no-such-user"), settings.secret_key),
        "no expiry": jwt.encode(
            {k: v for k, v in _claims(settings, user_id).items() if k != "exp"},
            settings.secret_key,
        ),
    }


async def test_missing_token_is_401_with_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "case",
    [
        "malformed",
        "garbage",
        "expired",
        "wrong signature",
        "alg none",
        "alg HS512",
        "wrong audience",
        "wrong issuer",
        "not an access token",
        "unknown user",
        "no expiry",
    ],
)
async def test_bad_token_is_401(
    client: httpx.AsyncClient, settings: Settings, reader: factories.Account, case: str
) -> None:
    token = bad_tokens(settings, reader.user.id)[case]
    response = await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert token not in response.text


async def test_wrong_scheme_is_401(client: httpx.AsyncClient, reader: factories.Account) -> None:
    token = reader.headers["Authorization"].removeprefix("Bearer ")
    response = await client.get("/v1/me", headers={"Authorization": f"Basic {token}"})
    assert response.status_code == 401


async def test_expired_token_says_so(
    client: httpx.AsyncClient, settings: Settings, reader: factories.Account
) -> None:
    token = bad_tokens(settings, reader.user.id)["expired"]
    response = await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert "expired" in response.json()["detail"]


def test_a_token_verified_before_is_still_held_to_its_time_limits(settings: Settings) -> None:
    """Verified tokens are kept, but their expiry and start are checked at every use."""
    issued = datetime.now(UTC)
    token = create_access_token(settings, "reader-1", issued)
    assert decode_access_token(settings, token) == "reader-1"
    assert decode_access_token(settings, token) == "reader-1"
    expires = issued.timestamp() + settings.access_token_ttl_seconds
    with pytest.raises(jwt.ExpiredSignatureError):
        decode_access_token(settings, token, at=expires + TOKEN_LEEWAY_SECONDS + 1)
    with pytest.raises(jwt.ImmatureSignatureError):
        decode_access_token(settings, token, at=issued.timestamp() - TOKEN_LEEWAY_SECONDS - 2)


def test_a_token_verified_under_one_secret_is_refused_under_another(settings: Settings) -> None:
    token = create_access_token(settings, "reader-1", datetime.now(UTC))
    assert decode_access_token(settings, token) == "reader-1"
    rotated = settings.model_copy(update={"secret_key": "a-rotated-secret-key-" * 3})
    with pytest.raises(jwt.InvalidSignatureError):
        decode_access_token(rotated, token)
    other_audience = settings.model_copy(update={"jwt_audience": "another-audience"})
    with pytest.raises(jwt.InvalidAudienceError):
        decode_access_token(other_audience, token)
