"""The full auth matrix: every user endpoint refuses bad credentials and other users."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.api.conftest import SECRET, Api
from watchcube.api.auth import Authenticator, mint_token
from watchcube.config import Settings
from watchcube.errors import ConfigError

ENDPOINTS = [
    ("GET", "/v1/users/alice/aggregations/kpi", None),
    ("GET", "/v1/users/alice/dashboard", None),
    ("POST", "/v1/users/alice/records", b"[]"),
    ("POST", "/v1/users/alice/imports", None),
    ("DELETE", "/v1/users/alice/records?start=2020-01-01", None),
    ("GET", "/v1/users/alice/settings", None),
    ("PUT", "/v1/users/alice/settings", b"{}"),
    ("GET", "/v1/users/alice/status", None),
]


def _bad_tokens() -> dict[str, str]:
    now = int(time.time())
    return {
        "missing": "",
        "not bearer": f"Basic {mint_token(SECRET, 'alice')}",
        "malformed": "Bearer not-a-jwt",
        "bad signature": "Bearer " + mint_token("another-secret-0123456789abcdefghij", "alice"),
        "expired": "Bearer "
        + jwt.encode({"sub": "alice", "exp": now - 3600}, SECRET, algorithm="HS256"),
        "no subject": "Bearer " + jwt.encode({"exp": now + 60}, SECRET, algorithm="HS256"),
        "alg none": "Bearer " + jwt.encode({"sub": "alice"}, None, algorithm="none"),
    }


def _call(api: Api, method: str, path: str, body: bytes | None, auth: str) -> httpx.Response:
    headers = {"Authorization": auth} if auth else {}
    with httpx.Client(base_url=api.url, timeout=30) as client:
        if path.endswith("/imports"):
            files = {"file": ("h.json", b"[]", "application/json")}
            return client.post(path, files=files, headers=headers)
        return client.request(method, path, content=body, headers=headers)


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_bad_credentials_are_401(api: Api, method: str, path: str, body: bytes | None) -> None:
    for name, auth in _bad_tokens().items():
        response = _call(api, method, path, body, auth)
        assert response.status_code == 401, (name, response.text)
        assert response.json()["error"]["code"] == "unauthorized"
        assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_other_users_are_403_and_admins_pass(
    api: Api, method: str, path: str, body: bytes | None
) -> None:
    bob = "Bearer " + mint_token(SECRET, "bob")
    response = _call(api, method, path, body, bob)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "forbidden"
    admin = "Bearer " + mint_token(SECRET, "root", admin=True)
    assert _call(api, method, path, body, admin).status_code not in (401, 403)


def test_probes_need_no_token(api: Api) -> None:
    with httpx.Client(base_url=api.url) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz").json()
        assert ready["status"] == "ready"
        assert ready["checks"]["database"] == "ok"
        assert client.get("/metrics").status_code == 200


def test_service_refuses_to_start_without_a_secret() -> None:
    with pytest.raises(ConfigError, match="WATCHCUBE_JWT_SECRET"):
        Authenticator.from_settings(Settings(jwt_secret=None))
    with pytest.raises(ConfigError, match="32 bytes"):
        Authenticator.from_settings(Settings(jwt_secret="short"))


def test_rs256_with_a_public_key(tmp_path: Path) -> None:
    folder = tmp_path
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = folder / "public.pem"
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    checker = Authenticator.from_settings(Settings(jwt_public_key_file=str(public)))
    token = mint_token(private, "alice", admin=True, algorithm="RS256")
    principal = checker.verify(f"Bearer {token}")
    assert (principal.subject, principal.admin) == ("alice", True)
    with pytest.raises(Exception, match="invalid token"):
        checker.verify("Bearer " + mint_token(SECRET, "alice"))
