"""Authentication and tenancy at the edge of every route: bearer tokens on /graphql and the
REST shim alike, the tenant header, and the token verifier on its own (HS256, RS256/ES256,
issuer, audience, `typ`)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy import select

from app.auth import (
    ADMIN_SCOPE,
    EDIT_SCOPE,
    AuthenticationError,
    Principal,
    TokenVerifier,
    mint_token,
)
from app.services import Services
from app.settings import Settings
from db.models import tenants
from tests.conftest import SECRET, Caller, new_tenant
from tests.helpers import (
    CREATE_DASHBOARD,
    DASHBOARD,
    DASHBOARD_COUNT,
    create_dashboard,
    create_widget,
)

OTHER_SECRET = "another-secret-" + "y" * 32

VIEWER = "{ viewer { userId tenant roles groups scopes canEdit isAdmin } }"

CREATE_BODY = {"data": {"type": "dashboards", "attributes": {"code": "x", "name": "y"}}}
EMPTY_PLACEMENTS_BODY = {"data": {"type": "dashboards", "attributes": {"placements": []}}}


def claims_for(tenant: str, /, **overrides: Any) -> dict[str, Any]:
    """Claims of a valid editor token for `tenant`; overrides replace claims, None drops one."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "alice",
        "tenants": [tenant],
        "roles": [],
        "groups": [],
        "scope": EDIT_SCOPE,
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def hs256(claims: dict[str, Any], secret: str = SECRET) -> str:
    return jwt.encode(claims, secret, algorithm="HS256", headers={"typ": "at+jwt"})


def bearer(token: str) -> str:
    return f"Bearer {token}"


# Each builds the Authorization header (None: no header) of a request for the tenant.
BAD_CREDENTIALS: dict[str, Callable[[str], str | None]] = {
    "missing": lambda tenant: None,
    "basic-scheme": lambda tenant: "Basic " + base64.b64encode(b"alice:secret").decode(),
    "token-without-scheme": lambda tenant: hs256(claims_for(tenant)),
    "malformed-token": lambda tenant: "Bearer abc",
    "empty-bearer": lambda tenant: "Bearer ",
    "other-secret": lambda tenant: bearer(
        mint_token(OTHER_SECRET, subject="alice", tenants=[tenant], scopes=[EDIT_SCOPE])
    ),
    "expired": lambda tenant: bearer(
        mint_token(SECRET, subject="alice", tenants=[tenant], scopes=[EDIT_SCOPE], ttl_seconds=-120)
    ),
    "without-exp": lambda tenant: bearer(hs256(claims_for(tenant, exp=None))),
    "without-sub": lambda tenant: bearer(hs256(claims_for(tenant, sub=None))),
    "empty-sub": lambda tenant: bearer(hs256(claims_for(tenant, sub=""))),
    "string-roles": lambda tenant: bearer(hs256(claims_for(tenant, roles=["1", "2"]))),
    "string-tenants": lambda tenant: bearer(hs256(claims_for(tenant, tenants=tenant))),
    "alg-none": lambda tenant: bearer(jwt.encode(claims_for(tenant), None, algorithm="none")),
}
BAD = [pytest.param(build, id=name) for name, build in BAD_CREDENTIALS.items()]


def headers_for(tenant: str, authorization: str | None) -> dict[str, str]:
    headers = {"X-Clarus-Subdomain": tenant}
    if authorization is not None:
        headers["Authorization"] = authorization
    return headers


def assert_unauthenticated(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["www-authenticate"].startswith("Bearer")
    body: dict[str, Any] = response.json()
    return body


def assert_rest_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert isinstance(body["error"], str)
    assert body["error"]
    return body


def assert_graphql_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert set(body) == {"errors"}, body
    [error] = body["errors"]
    assert isinstance(error["message"], str)
    assert error["message"]
    assert error["extensions"] == {"code": code}
    return body


async def post_graphql(
    http: httpx.AsyncClient, headers: dict[str, str], query: str, variables: Any = None
) -> httpx.Response:
    return await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )


# --- authentication ---------------------------------------------------------------------


@pytest.mark.parametrize("credentials", BAD)
async def test_graphql_refuses_bad_credentials_and_writes_nothing(
    http: httpx.AsyncClient,
    admin: Caller,
    tenant: str,
    credentials: Callable[[str], str | None],
) -> None:
    # when
    response = await post_graphql(
        http,
        headers_for(tenant, credentials(tenant)),
        CREATE_DASHBOARD,
        {"input": {"code": "sneaky", "name": "Sneaky"}},
    )

    # then
    assert_unauthenticated(response)
    assert_graphql_error(response, 401, "UNAUTHENTICATED")
    assert (await admin.graphql(DASHBOARD_COUNT))["dashboards"]["totalCount"] == 0


@pytest.mark.parametrize("credentials", BAD)
async def test_rest_create_refuses_bad_credentials_and_writes_nothing(
    http: httpx.AsyncClient,
    admin: Caller,
    tenant: str,
    credentials: Callable[[str], str | None],
) -> None:
    # when
    response = await http.post(
        "/api/dashboards", json=CREATE_BODY, headers=headers_for(tenant, credentials(tenant))
    )

    # then
    assert_unauthenticated(response)
    assert_rest_error(response, 401, "UNAUTHENTICATED")
    assert (await admin.graphql(DASHBOARD_COUNT))["dashboards"]["totalCount"] == 0


@pytest.mark.parametrize("credentials", BAD)
async def test_rest_placements_refuse_bad_credentials_and_change_nothing(
    http: httpx.AsyncClient,
    editor: Caller,
    tenant: str,
    credentials: Callable[[str], str | None],
) -> None:
    # given a dashboard with a widget on it
    dashboard = await create_dashboard(editor)
    widget = await create_widget(editor)
    placed = await editor.request(
        "PUT",
        f"/api/dashboards/{dashboard['databaseId']}/widgets",
        json={
            "data": {
                "type": "dashboards",
                "attributes": {"placements": [{"dashboard_widget_id": widget["databaseId"]}]},
            }
        },
    )
    assert placed.status_code == 204, placed.text
    before = await editor.graphql(DASHBOARD, {"id": dashboard["id"]})

    # when someone without usable credentials tries to clear it
    response = await http.put(
        f"/api/dashboards/{dashboard['databaseId']}/widgets",
        json=EMPTY_PLACEMENTS_BODY,
        headers=headers_for(tenant, credentials(tenant)),
    )

    # then
    assert_unauthenticated(response)
    assert_rest_error(response, 401, "UNAUTHENTICATED")
    after = await editor.graphql(DASHBOARD, {"id": dashboard["id"]})
    assert after == before
    assert [p["dashboardWidget"]["databaseId"] for p in after["dashboard"]["placements"]] == [
        widget["databaseId"]
    ]


async def test_authentication_comes_before_reading_the_rest_body(
    http: httpx.AsyncClient, tenant: str
) -> None:
    response = await http.post(
        "/api/dashboards",
        content=b"{not json",
        headers={"X-Clarus-Subdomain": tenant, "Content-Type": "application/json"},
    )

    assert_unauthenticated(response)
    assert_rest_error(response, 401, "UNAUTHENTICATED")


async def test_a_refused_request_creates_no_tenant(
    http: httpx.AsyncClient, services: Services
) -> None:
    # given a tenant nobody has used yet
    tenant = new_tenant()

    # when only refused requests name it
    expired = BAD_CREDENTIALS["expired"](tenant)
    graphql = await post_graphql(http, headers_for(tenant, expired), DASHBOARD_COUNT)
    rest = await http.post("/api/dashboards", json=CREATE_BODY, headers=headers_for(tenant, None))

    # then
    assert graphql.status_code == 401
    assert rest.status_code == 401
    assert await tenant_row_exists(services, tenant) is False


async def test_a_valid_token_is_accepted_on_every_route(editor: Caller) -> None:
    created = await editor.request("POST", "/api/dashboards", json=CREATE_BODY)
    assert created.status_code == 201, created.text

    placed = await editor.request(
        "PUT", f"/api/dashboards/{created.json()['id']}/widgets", json=EMPTY_PLACEMENTS_BODY
    )
    assert placed.status_code == 204, placed.text

    data = await editor.graphql(DASHBOARD_COUNT)
    assert data["dashboards"]["totalCount"] == 1


async def test_the_scheme_is_case_insensitive(http: httpx.AsyncClient, tenant: str) -> None:
    token = hs256(claims_for(tenant))

    response = await post_graphql(http, headers_for(tenant, f"bearer {token}"), VIEWER)

    assert response.status_code == 200, response.text
    assert response.json()["data"]["viewer"]["userId"] == "alice"


async def test_an_expired_token_within_the_leeway_is_accepted(
    http: httpx.AsyncClient, tenant: str
) -> None:
    # the leeway is 30 seconds; a token that expired 5 seconds ago still passes
    token = mint_token(SECRET, subject="alice", tenants=[tenant], ttl_seconds=-5)

    response = await post_graphql(http, headers_for(tenant, bearer(token)), VIEWER)

    assert response.status_code == 200, response.text


async def test_the_viewer_is_what_the_token_says(http: httpx.AsyncClient, tenant: str) -> None:
    token = mint_token(
        SECRET,
        subject="zoe",
        tenants=[tenant],
        roles=[9, 3],
        groups=["ops"],
        scopes=[EDIT_SCOPE, "other"],
    )

    response = await post_graphql(http, headers_for(tenant, bearer(token)), VIEWER)

    assert response.status_code == 200, response.text
    assert response.json()["data"]["viewer"] == {
        "userId": "zoe",
        "tenant": tenant,
        "roles": [3, 9],
        "groups": ["ops"],
        "scopes": sorted([EDIT_SCOPE, "other"]),
        "canEdit": True,
        "isAdmin": False,
    }


async def test_graphiql_page_needs_no_token(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_a_graphql_query_over_get_still_needs_a_token(
    http: httpx.AsyncClient, tenant: str
) -> None:
    for accept in ["application/json", "text/html"]:
        response = await http.get(
            "/graphql",
            params={"query": "{ viewer { userId } }"},
            headers={"Accept": accept, "X-Clarus-Subdomain": tenant},
        )
        assert_unauthenticated(response)
        assert_graphql_error(response, 401, "UNAUTHENTICATED")


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_health_checks_need_no_token(http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(path)

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ok"


# --- tenancy ----------------------------------------------------------------------------

Send = Callable[[httpx.AsyncClient, dict[str, str]], Awaitable[httpx.Response]]


async def send_graphql(http: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await post_graphql(
        http, headers, CREATE_DASHBOARD, {"input": {"code": "sneaky", "name": "Sneaky"}}
    )


async def send_rest(http: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await http.post("/api/dashboards", json=CREATE_BODY, headers=headers)


def assert_refused(transport: str, response: httpx.Response, status: int, code: str) -> None:
    if transport == "graphql":
        assert_graphql_error(response, status, code)
    else:
        assert_rest_error(response, status, code)
    assert "www-authenticate" not in response.headers


TRANSPORTS = [pytest.param(send_graphql, id="graphql"), pytest.param(send_rest, id="rest")]


def transport_name(send: Send) -> str:
    return "graphql" if send is send_graphql else "rest"


@pytest.mark.parametrize("send", TRANSPORTS)
async def test_a_tenant_the_token_does_not_name_is_forbidden(
    http: httpx.AsyncClient, services: Services, send: Send
) -> None:
    # given a token for one tenant
    mine, theirs = new_tenant(), new_tenant()
    token = mint_token(SECRET, subject="alice", tenants=[mine], scopes=[EDIT_SCOPE, ADMIN_SCOPE])

    # when it names another one
    response = await send(http, {"Authorization": bearer(token), "X-Clarus-Subdomain": theirs})

    # then
    assert_refused(transport_name(send), response, 403, "TENANT_FORBIDDEN")
    assert await tenant_row_exists(services, theirs) is False


@pytest.mark.parametrize("send", TRANSPORTS)
async def test_without_the_header_a_token_naming_two_tenants_is_refused(
    http: httpx.AsyncClient, services: Services, send: Send
) -> None:
    first, second = new_tenant(), new_tenant()
    token = mint_token(SECRET, subject="alice", tenants=[first, second], scopes=[EDIT_SCOPE])

    response = await send(http, {"Authorization": bearer(token)})

    assert_refused(transport_name(send), response, 400, "TENANT_REQUIRED")
    assert await tenant_row_exists(services, first) is False
    assert await tenant_row_exists(services, second) is False


@pytest.mark.parametrize("send", TRANSPORTS)
async def test_without_the_header_a_token_naming_no_tenant_is_refused(
    http: httpx.AsyncClient, send: Send
) -> None:
    token = mint_token(SECRET, subject="alice", tenants=[], scopes=[EDIT_SCOPE])

    response = await send(http, {"Authorization": bearer(token)})

    assert_refused(transport_name(send), response, 400, "TENANT_REQUIRED")


@pytest.mark.parametrize("send", TRANSPORTS)
@pytest.mark.parametrize(
    "header",
    [
        pytest.param("UPPER case!", id="spaces-and-punctuation"),
        pytest.param("-leading-dash", id="leading-dash"),
        pytest.param("under_score", id="underscore"),
        pytest.param("a" * 64, id="64-characters"),
    ],
)
async def test_a_malformed_tenant_header_is_refused(
    http: httpx.AsyncClient, send: Send, header: str
) -> None:
    # even when the token names exactly that string
    token = mint_token(SECRET, subject="alice", tenants=[header], scopes=[EDIT_SCOPE])

    response = await send(http, {"Authorization": bearer(token), "X-Clarus-Subdomain": header})

    assert_refused(transport_name(send), response, 400, "TENANT_REQUIRED")


async def test_with_both_tenants_in_the_token_the_header_chooses(
    http: httpx.AsyncClient,
) -> None:
    first, second = new_tenant(), new_tenant()
    token = mint_token(SECRET, subject="alice", tenants=[first, second], scopes=[EDIT_SCOPE])
    in_first = Caller(http, first)
    in_first.headers["Authorization"] = bearer(token)
    in_second = Caller(http, second)
    in_second.headers["Authorization"] = bearer(token)

    created = await create_dashboard(in_first, code="only-in-first")

    assert (await in_first.graphql(VIEWER))["viewer"]["tenant"] == first
    assert (await in_second.graphql(VIEWER))["viewer"]["tenant"] == second
    assert (await in_first.graphql(DASHBOARD_COUNT))["dashboards"]["totalCount"] == 1
    assert (await in_second.graphql(DASHBOARD_COUNT))["dashboards"]["totalCount"] == 0
    assert (await in_second.graphql(DASHBOARD, {"id": created["id"]}))["dashboard"] is None


async def test_without_the_header_the_tokens_only_tenant_is_used(
    http: httpx.AsyncClient, tenant: str
) -> None:
    # given a caller that does not send the header
    headerless = Caller(http, tenant, send_tenant_header=False)
    with_header = Caller(http, tenant)

    # when it creates through both transports
    created = await create_dashboard(headerless, code="via-graphql")
    response = await headerless.request("POST", "/api/dashboards", json=CREATE_BODY)

    # then both landed in the token's tenant
    assert response.status_code == 201, response.text
    assert (await headerless.graphql(VIEWER))["viewer"]["tenant"] == tenant
    seen = await with_header.graphql(DASHBOARD, {"id": created["id"]})
    assert seen["dashboard"]["code"] == "via-graphql"
    assert (await with_header.graphql(DASHBOARD_COUNT))["dashboards"]["totalCount"] == 2


async def test_the_tenant_header_is_case_insensitive(http: httpx.AsyncClient, tenant: str) -> None:
    lower = Caller(http, tenant)
    upper = Caller(http, tenant)
    upper.headers["X-Clarus-Subdomain"] = f"  {tenant.upper()} "

    created = await create_dashboard(upper)

    assert (await upper.graphql(VIEWER))["viewer"]["tenant"] == tenant
    assert (await lower.graphql(DASHBOARD, {"id": created["id"]}))["dashboard"] is not None


async def test_a_tenant_named_in_mixed_case_is_one_tenant_with_or_without_the_header(
    http: httpx.AsyncClient,
) -> None:
    # given a token whose tenant is spelled in capitals, as some identity providers do
    name = new_tenant()
    token = mint_token(SECRET, subject="alice", tenants=[name.upper()], scopes=[EDIT_SCOPE])
    with_header = Caller(http, name)
    with_header.headers["Authorization"] = bearer(token)
    headerless = Caller(http, name, send_tenant_header=False)
    headerless.headers["Authorization"] = bearer(token)

    # when a dashboard is created naming the tenant in the header
    created = await create_dashboard(with_header)

    # then the same token without the header acts in that same tenant
    assert (await headerless.graphql(VIEWER))["viewer"]["tenant"] == name
    assert (await headerless.graphql(DASHBOARD, {"id": created["id"]}))["dashboard"] is not None


@pytest.mark.parametrize("send", TRANSPORTS)
@pytest.mark.parametrize(
    "token_tenant",
    [
        pytest.param("UPPER case!", id="spaces-and-punctuation"),
        pytest.param("a" * 64, id="64-characters"),
    ],
)
async def test_without_the_header_a_malformed_tenant_in_the_token_is_refused(
    http: httpx.AsyncClient, services: Services, send: Send, token_tenant: str
) -> None:
    token = mint_token(SECRET, subject="alice", tenants=[token_tenant], scopes=[EDIT_SCOPE])

    response = await send(http, {"Authorization": bearer(token)})

    assert_refused(transport_name(send), response, 400, "TENANT_REQUIRED")
    assert await tenant_row_exists(services, token_tenant) is False


async def test_tenants_are_created_on_first_use(
    http: httpx.AsyncClient, services: Services
) -> None:
    # given a tenant that does not exist yet
    tenant = new_tenant()
    assert await tenant_row_exists(services, tenant) is False

    # when its first caller arrives
    data = await Caller(http, tenant).graphql(DASHBOARD_COUNT)

    # then it exists, empty
    assert data["dashboards"]["totalCount"] == 0
    assert await tenant_row_exists(services, tenant) is True


async def tenant_row_exists(services: Services, name: str) -> bool:
    async with services.db.reader() as conn:
        found = await conn.scalar(select(tenants.c.id).where(tenants.c.name == name))
    return found is not None


# --- the token verifier on its own ------------------------------------------------------


def verifier(**settings: Any) -> TokenVerifier:
    return TokenVerifier(Settings(database_url="postgresql://x/y", **settings))


def pem_public(private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def forged_hs256(claims: dict[str, Any], key: bytes) -> str:
    """An HS256 token keyed with arbitrary bytes (PyJWT refuses to sign with a PEM key)."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "at+jwt"}).encode())
    payload = _b64(json.dumps(claims).encode())
    signature = hmac.new(key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


async def test_rs256_tokens_are_verified_with_the_public_key(rsa_key: rsa.RSAPrivateKey) -> None:
    # given
    check = verifier(auth_jwt_public_key=pem_public(rsa_key))
    claims = claims_for("acme", roles=[2, 1], groups=["g1"], scope=f"{EDIT_SCOPE} extra")
    token = jwt.encode(claims, rsa_key, algorithm="RS256")

    # when
    principal = await check.verify(bearer(token))

    # then
    assert principal == Principal(
        user_id="alice",
        tenants=frozenset({"acme"}),
        roles=frozenset({1, 2}),
        groups=frozenset({"g1"}),
        scopes=frozenset({EDIT_SCOPE, "extra"}),
    )
    assert principal.can_edit
    assert not principal.is_admin


async def test_es256_tokens_are_verified_with_the_public_key(
    ec_key: ec.EllipticCurvePrivateKey,
) -> None:
    check = verifier(auth_jwt_public_key=pem_public(ec_key))
    token = jwt.encode(claims_for("acme"), ec_key, algorithm="ES256")

    principal = await check.verify(bearer(token))

    assert principal.user_id == "alice"
    assert principal.tenants == frozenset({"acme"})


async def test_with_a_public_key_hs256_tokens_are_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    # algorithm confusion: an HS256 token keyed with the (public) PEM itself
    public = pem_public(rsa_key)
    check = verifier(auth_jwt_public_key=public, auth_jwt_secret=SECRET)

    for token in [forged_hs256(claims_for("acme"), public.encode()), hs256(claims_for("acme"))]:
        with pytest.raises(AuthenticationError):
            await check.verify(bearer(token))


async def test_a_token_signed_by_another_private_key_is_refused(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    check = verifier(auth_jwt_public_key=pem_public(rsa_key))
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    with pytest.raises(AuthenticationError):
        await check.verify(bearer(jwt.encode(claims_for("acme"), stranger, algorithm="RS256")))


async def test_issuer_and_audience_are_checked_when_configured() -> None:
    check = verifier(
        auth_jwt_secret=SECRET, auth_issuer="https://idp.example", auth_audience="dashboards"
    )

    def token(**claims: Any) -> str:
        return bearer(hs256(claims_for("acme", **claims)))

    good = await check.verify(token(iss="https://idp.example", aud="dashboards"))
    assert good.user_id == "alice"
    also_good = await check.verify(token(iss="https://idp.example", aud=["other", "dashboards"]))
    assert also_good.user_id == "alice"

    for bad in [
        token(iss="https://evil.example", aud="dashboards"),
        token(aud="dashboards"),
        token(iss="https://idp.example", aud="someone-else"),
        token(iss="https://idp.example"),
    ]:
        with pytest.raises(AuthenticationError):
            await check.verify(bad)


async def test_issuer_and_audience_are_ignored_when_not_configured() -> None:
    check = verifier(auth_jwt_secret=SECRET)

    principal = await check.verify(
        bearer(hs256(claims_for("acme", iss="https://anyone.example", aud="anything")))
    )

    assert principal.user_id == "alice"


async def test_strict_mode_accepts_only_at_jwt_tokens() -> None:
    strict = verifier(auth_jwt_secret=SECRET, auth_require_at_jwt_type=True)
    lenient = verifier(auth_jwt_secret=SECRET)
    plain = jwt.encode(claims_for("acme"), SECRET, algorithm="HS256")  # typ: JWT
    assert jwt.get_unverified_header(plain)["typ"] == "JWT"
    access = mint_token(SECRET, subject="alice", tenants=["acme"])

    with pytest.raises(AuthenticationError):
        await strict.verify(bearer(plain))
    assert (await strict.verify(bearer(access))).user_id == "alice"
    assert (await lenient.verify(bearer(plain))).user_id == "alice"


async def test_a_tenant_claim_is_accepted_in_place_of_tenants() -> None:
    check = verifier(auth_jwt_secret=SECRET)

    principal = await check.verify(
        bearer(hs256(claims_for("ignored", tenants=None, tenant="acme")))
    )

    assert principal.tenants == frozenset({"acme"})


async def test_a_tenant_claim_names_the_tenant_end_to_end(
    http: httpx.AsyncClient, tenant: str
) -> None:
    token = hs256(claims_for(tenant, tenants=None, tenant=tenant))

    response = await post_graphql(http, {"Authorization": bearer(token)}, VIEWER)

    assert response.status_code == 200, response.text
    assert response.json()["data"]["viewer"]["tenant"] == tenant


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"tenant": 7}, id="numeric-tenant"),
        pytest.param({"tenants": [1, 2]}, id="numeric-tenants"),
        pytest.param({"groups": "ops"}, id="string-groups"),
        pytest.param({"roles": [True]}, id="boolean-roles"),
        pytest.param({"scope": ["dashboard.edit"]}, id="list-scope"),
        pytest.param({"sub": 42}, id="numeric-sub"),
    ],
)
async def test_claims_of_the_wrong_shape_are_refused(claims: dict[str, Any]) -> None:
    check = verifier(auth_jwt_secret=SECRET)

    with pytest.raises(AuthenticationError):
        await check.verify(bearer(hs256(claims_for("acme", **claims))))


async def test_a_verified_token_is_kept_while_it_lasts(monkeypatch: pytest.MonkeyPatch) -> None:
    checker = verifier(auth_jwt_secret=SECRET)
    decoded: list[str] = []
    decode = jwt.decode

    def counted(token: str, *args: Any, **kwargs: Any) -> Any:
        decoded.append(token)
        return decode(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counted)
    token = hs256(claims_for("acme"))

    first = await checker.verify(bearer(token))
    again = await checker.verify(bearer(token))

    assert first == again
    assert decoded == [token]  # the second request skipped the signature check


async def test_a_kept_token_is_refused_once_it_expires() -> None:
    checker = verifier(auth_jwt_secret=SECRET, auth_leeway_seconds=0)
    token = hs256(claims_for("acme", exp=int(time.time()) + 1))
    await checker.verify(bearer(token))

    await asyncio.sleep(2.1)  # past `exp`, for the verifier's clock and PyJWT's

    with pytest.raises(AuthenticationError, match="expired"):
        await checker.verify(bearer(token))


async def test_kept_tokens_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    checker = verifier(auth_jwt_secret=SECRET, auth_verified_token_cache_size=2)
    decoded: list[str] = []
    decode = jwt.decode
    monkeypatch.setattr(
        jwt, "decode", lambda token, *a, **k: decoded.append(token) or decode(token, *a, **k)
    )
    tokens = [hs256(claims_for("acme", sub=f"user-{i}")) for i in range(3)]
    for token in tokens:
        await checker.verify(bearer(token))

    await checker.verify(bearer(tokens[0]))  # the oldest went out: verified again

    assert decoded == [*tokens, tokens[0]]


async def test_a_bad_token_is_never_kept() -> None:
    checker = verifier(auth_jwt_secret=SECRET)
    token = hs256(claims_for("acme"), secret=OTHER_SECRET)
    for _ in range(2):
        with pytest.raises(AuthenticationError):
            await checker.verify(bearer(token))
