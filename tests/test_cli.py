"""The console script: tokens that the service accepts, and the schema export."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import cli
from app.auth import TokenVerifier
from app.graphql.schema import schema
from app.settings import Settings


@pytest.fixture
def cli_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Settings:
    monkeypatch.setenv("AUTH_JWT_SECRET", "cli-secret-" + "y" * 32)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    cli.get_settings.cache_clear()
    yield cli.get_settings()
    cli.get_settings.cache_clear()


async def test_token_command_mints_a_token_the_service_accepts(
    cli_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        cli.main(
            [
                "token",
                "--tenant",
                "acme",
                "--user",
                "u1",
                "--role",
                "4",
                "--group",
                "g1",
                "--scope",
                "dashboard.edit",
            ]
        )
        == 0
    )
    token = capsys.readouterr().out.strip()

    principal = await TokenVerifier(cli_settings).verify(f"Bearer {token}")

    assert principal.user_id == "u1"
    assert principal.tenants == {"acme"}
    assert principal.roles == {4}
    assert principal.groups == {"g1"}
    assert principal.scopes == {"dashboard.edit"}


def test_token_without_tenant_is_refused(cli_settings: Settings) -> None:
    assert cli.main(["token"]) == 2


def test_development_secret_is_generated_once_and_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from app.auth import jwt_secret

    settings = Settings(data_dir=tmp_path / "data", auth_jwt_secret="")
    first = jwt_secret(settings)
    assert jwt_secret(settings) == first
    assert (tmp_path / "data" / "jwt-secret").stat().st_mode & 0o777 == 0o600
    with pytest.raises(RuntimeError):
        jwt_secret(Settings(environment="production", auth_jwt_secret=""))


def test_export_schema_writes_the_sdl(cli_settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "schema.graphql"
    assert cli.main(["export-schema", "--output", str(out)]) == 0
    assert out.read_text() == schema.as_str() + "\n"


def test_tenant_data_command_provisions_the_schema_and_role(
    cli_settings: Settings,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # given the test database as the service's
    monkeypatch.setenv("DATABASE_URL", database_url)
    cli.get_settings.cache_clear()

    # when an operator asks for a tenant's data schema
    status = cli.main(["tenant-data", "--tenant", "Cli-Data"])

    # then the schema and role are named (and exist: provisioning is idempotent, so the
    # same command again names the same ones)
    first = capsys.readouterr().out
    assert status == 0
    assert cli.main(["tenant-data", "--tenant", "cli-data"]) == 0
    assert capsys.readouterr().out == first
    assert first.startswith("tenant cli-data: schema tenant_data_")
    assert "read by role dsb_" in first
    assert cli.main(["tenant-data", "--tenant", "not a tenant"]) == 2
