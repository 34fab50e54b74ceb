"""Bearer tokens: RFC 9068 access tokens, verified with a shared secret (HS256), a public key
(RS256/ES256) or an identity provider's JWKS, and turned into a `Principal`."""

from __future__ import annotations

import asyncio
import os
import secrets
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import jwt

from app.settings import Settings

EDIT_SCOPE = "dashboard.edit"
ADMIN_SCOPE = "dashboard.admin"
AT_JWT_TYPES = frozenset({"at+jwt", "application/at+jwt"})
ASYMMETRIC_ALGORITHMS = ["RS256", "ES256"]


class AuthenticationError(Exception):
    """The request carries no usable credentials: always HTTP 401."""


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    tenants: frozenset[str]
    roles: frozenset[int]
    groups: frozenset[str]
    scopes: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return ADMIN_SCOPE in self.scopes

    @property
    def can_edit(self) -> bool:
        return self.is_admin or EDIT_SCOPE in self.scopes


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._jwks = jwt.PyJWKClient(settings.auth_jwks_url) if settings.auth_jwks_url else None
        if self._jwks is None and not settings.auth_jwt_public_key:
            self._secret: str | None = jwt_secret(settings)
        else:
            self._secret = None
        # A token's verification, by the token, while it lasts: the same string always
        # verifies the same, so a client's next request skips the signature check.
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    async def verify(self, authorization: str | None) -> Principal:
        token = bearer_token(authorization)
        kept = self._verified.get(token)
        if kept is not None and time.time() < kept[1]:
            self._verified.move_to_end(token)
            return kept[0]
        principal, expires_at = await self._verify(token)
        if self._settings.auth_verified_token_cache_size:
            self._verified[token] = (principal, expires_at)
            self._verified.move_to_end(token)
            if len(self._verified) > self._settings.auth_verified_token_cache_size:
                self._verified.popitem(last=False)
        return principal

    async def _verify(self, token: str) -> tuple[Principal, float]:
        """The token's principal and the moment it stops being valid, or AuthenticationError."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthenticationError("the bearer token is not a JWT") from exc
        if self._settings.auth_require_at_jwt_type and header.get("typ") not in AT_JWT_TYPES:
            raise AuthenticationError("the token is not an access token (typ must be at+jwt)")
        key, algorithms = await self._key_for(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self._settings.auth_audience or None,
                issuer=self._settings.auth_issuer or None,
                leeway=self._settings.auth_leeway_seconds,
                options={
                    "require": ["exp", "sub"],
                    "verify_aud": bool(self._settings.auth_audience),
                },
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthenticationError("the token has expired") from exc
        except jwt.PyJWTError as exc:
            raise AuthenticationError(f"the token is not valid: {exc}") from exc
        # `exp` is required and checked above, with the leeway it is checked with.
        return principal_from_claims(claims), claims["exp"] + self._settings.auth_leeway_seconds

    async def _key_for(self, token: str) -> tuple[Any, list[str]]:
        if self._jwks is not None:
            try:
                # PyJWKClient fetches over blocking HTTP; keep it off the event loop.
                signing_key = await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)
            except jwt.PyJWTError as exc:
                raise AuthenticationError(f"no key to verify the token: {exc}") from exc
            return signing_key.key, ASYMMETRIC_ALGORITHMS
        if self._settings.auth_jwt_public_key:
            return self._settings.auth_jwt_public_key, ASYMMETRIC_ALGORITHMS
        return self._secret, ["HS256"]


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise AuthenticationError("missing Authorization header (expected 'Bearer <token>')")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("the Authorization header must be 'Bearer <token>'")
    return token.strip()


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub or not sub.isprintable() or len(sub) > 255:
        raise AuthenticationError(
            "the token's 'sub' claim must be a non-empty printable string of at most 255 characters"
        )
    tenants = claims.get("tenants", [])
    if "tenant" in claims:
        tenants = [*_strings(tenants, "tenants"), claims["tenant"]]
    scope = claims.get("scope", "")
    if not isinstance(scope, str):
        raise AuthenticationError("the token's 'scope' claim must be a space-separated string")
    return Principal(
        user_id=sub,
        tenants=frozenset(_strings(tenants, "tenants")),
        roles=frozenset(_integers(claims.get("roles", []), "roles")),
        groups=frozenset(_strings(claims.get("groups", []), "groups")),
        scopes=frozenset(scope.split()),
    )


def _strings(value: object, claim: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AuthenticationError(f"the token's '{claim}' claim must be an array of strings")
    return value


def _integers(value: object, claim: str) -> list[int]:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise AuthenticationError(f"the token's '{claim}' claim must be an array of integers")
    return value


def jwt_secret(settings: Settings) -> str:
    """The HS256 secret: the configured one, or in development one generated once and kept
    in the data folder so that tokens survive restarts."""
    if settings.auth_jwt_secret:
        return settings.auth_jwt_secret
    if settings.environment == "production":
        raise RuntimeError(
            "set AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY or AUTH_JWKS_URL in production"
        )
    path = settings.jwt_secret_file
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    # O_EXCL: when two processes race to create it, the loser reads the winner's secret.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret


def mint_token(
    secret: str,
    *,
    subject: str,
    tenants: Iterable[str],
    roles: Iterable[int] = (),
    groups: Iterable[str] = (),
    scopes: Iterable[str] = (),
    ttl_seconds: int = 3600,
    issuer: str = "",
    audience: str = "",
) -> str:
    """An HS256 access token in the RFC 9068 shape, for development and tests."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "tenants": list(tenants),
        "roles": list(roles),
        "groups": list(groups),
        "scope": " ".join(scopes),
        "iat": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
        "client_id": "dashboards-api-cli",
    }
    if issuer:
        claims["iss"] = issuer
    if audience:
        claims["aud"] = audience
    return jwt.encode(claims, secret, algorithm="HS256", headers={"typ": "at+jwt"})
