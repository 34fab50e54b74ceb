"""`dashboards-api export` and `import` end to end, as subprocesses against the test
database: a tenant exported to a file and imported into another, progress on stderr."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from app.services import Services
from app.settings import Settings
from tests.conftest import new_tenant
from tests.test_transfer_fixtures import build_rich_tenant, tenant_rows, without_moment

CLI = [sys.executable, "-m", "app.cli"]


def _run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "AUTH_JWT_SECRET": settings.auth_jwt_secret,
        "DATA_DIR": str(settings.data_dir),
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.run(  # noqa: S603
        [*CLI, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


async def test_export_and_import_through_the_cli_reproduce_a_tenant(
    services: Services, settings: Settings, tmp_path: Path
) -> None:
    # given a rich tenant
    source, target = new_tenant(), new_tenant()
    await build_rich_tenant(services, source, user="dashboards-api")
    exported = tmp_path / "export.json"

    # when it is exported to a file and imported into another tenant, with progress
    out = _run(
        settings, "export", "--tenant", source, "--grants", "-o", str(exported), "--progress"
    )
    assert out.returncode == 0, out.stderr
    dry = _run(settings, "import", "--tenant", target, str(exported), "--grants", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert await tenant_rows(services, target) == {
        **{k: [] for k in await tenant_rows(services, target)},
        "card widgets": [(0,)],
    }
    done = _run(settings, "import", "--tenant", target, str(exported), "--grants", "--progress")

    # then the target is the source, and progress was shown per object with totals
    assert done.returncode == 0, done.stderr
    assert await tenant_rows(services, target) == await tenant_rows(services, source)
    assert "export: 100%" in out.stderr
    assert "3/3" in out.stderr  # three dashboards
    assert "write: 100%" in done.stderr
    assert "dashboards   created     3" in done.stdout
    assert "dry run, nothing changed" in dry.stdout
    assert "dashboards   created     3" in dry.stdout
    assert "write" not in dry.stderr  # no TTY and no --progress: silent
    assert "%|" not in dry.stderr
    again = _run(settings, "export", "--tenant", target, "--grants")
    assert without_moment(orjson.loads(again.stdout)) == without_moment(
        orjson.loads(exported.read_bytes())
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "is not JSON"),
        (b'{"format": "something else"}', "INVALID: not an export of this service"),
        (b'{"format": "dashboards-api.export", "version": 3}', "version 3 is not one"),
    ],
)
def test_the_cli_refuses_what_it_cannot_import(
    settings: Settings, tmp_path: Path, content: bytes, message: str
) -> None:
    document = tmp_path / "bad.json"
    document.write_bytes(content)

    done = _run(settings, "import", "--tenant", new_tenant(), str(document))

    assert done.returncode != 0
    assert message in done.stderr
