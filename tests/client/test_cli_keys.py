"""companyctl keys create/list/revoke on the service's database, and --api-key against a server with
auth on: the key printed once works, a revoked one does not, another tenant's batch is not found."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from click.testing import CliRunner, Result

from client.cli import EXIT_SERVICE_ERROR, main
from server.testing import ScriptedExtractor, running_service


async def companyctl(*args: str, env: dict[str, str] | None = None) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, main, list(args), env=env)


async def test_keys_are_created_once_listed_without_secret_and_revoked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'service' / 'company-batch.sqlite3'}"
    # The database named explicitly: the keys commands must open the very file the server uses.
    async with running_service(
        tmp_path / "service", ScriptedExtractor(), auth="on", database_url=url
    ) as service:
        target = service.grpc_target
        created = await companyctl("keys", "--database-url", url, "create", "--tenant", "alpha")
        assert created.exit_code == 0, created.output
        issued = json.loads(created.stdout)
        assert issued["tenant"] == "alpha" and issued["admin"] is False
        assert "cannot be shown again" in created.stderr
        other = json.loads(
            (await companyctl("keys", "--database-url", url, "create", "--tenant", "beta")).stdout
        )

        listed = await companyctl("keys", "--database-url", url, "list")
        assert [k["key_id"] for k in json.loads(listed.stdout)] == [issued["key_id"], other["key_id"]]
        assert issued["key"] not in listed.stdout

        refused = await companyctl("--target", target, "list")
        assert refused.exit_code == EXIT_SERVICE_ERROR and "UNAUTHENTICATED" in refused.stderr

        submitted = await companyctl("--target", target, "--api-key", issued["key"], "submit", "Acme")
        assert submitted.exit_code == 0, submitted.output
        batch_id = json.loads(submitted.stdout)["batch_id"]
        via_env = await companyctl(
            "--target", target, "status", batch_id, env={"COMPANY_BATCH_API_KEY": issued["key"]}
        )
        assert via_env.exit_code == 0 and json.loads(via_env.stdout)["batch_id"] == batch_id
        foreign = await companyctl("--target", target, "--api-key", other["key"], "status", batch_id)
        assert foreign.exit_code == EXIT_SERVICE_ERROR and "NOT_FOUND" in foreign.stderr

        revoked = await companyctl("keys", "--database-url", url, "revoke", issued["key_id"])
        assert revoked.exit_code == 0, revoked.output
        after = await companyctl("--target", target, "--api-key", issued["key"], "status", batch_id)
        assert after.exit_code == EXIT_SERVICE_ERROR and "UNAUTHENTICATED" in after.stderr
        again = await companyctl("keys", "--database-url", url, "revoke", issued["key_id"])
        assert again.exit_code != 0 and "no active key" in again.stderr


async def test_keys_create_refuses_a_bad_tenant_name(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    result = await companyctl("keys", "--database-url", url, "create", "--tenant", "Not Valid")
    assert result.exit_code == 2 and "tenant" in result.stderr
