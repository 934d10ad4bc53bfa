"""``companyctl keys``: create, list and revoke API keys, straight in the service's database.

Keys are managed where they are kept, not over the API: the first key cannot be created with a call
that already needs one. The database is the server's (``COMPANY_BATCH_DATABASE_URL`` or SQLite in
``COMPANY_BATCH_DATA_DIR``, read like the server reads them), or ``--database-url``. The clear key is
printed once, by ``create``; the database keeps only its SHA-256.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from server.auth import ApiKeys
    from server.storage.base import StoredApiKey

_T = TypeVar("_T")


def _run(database_url: str | None, action: Callable[[ApiKeys], Awaitable[_T]]) -> _T:
    """Open the store (applying migrations), run ``action`` on its keys, close it."""
    from server.auth import ApiKeys
    from server.errors import ServiceUnavailable
    from server.settings import Settings
    from server.storage import open_store

    url = database_url or Settings().resolved_database_url()

    async def run() -> _T:
        store = await open_store(url)
        try:
            return await action(ApiKeys(store))
        finally:
            await store.close()

    try:
        return asyncio.run(run())
    except (ServiceUnavailable, ValueError) as exc:
        raise click.ClickException(f"cannot use the database: {exc}") from exc


def _key_json(key: StoredApiKey) -> dict[str, Any]:
    return {
        "key_id": key.key_id,
        "tenant": key.tenant,
        "admin": key.admin,
        "created_at": key.created_at.isoformat(),
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


@click.group(name="keys")
@click.option(
    "--database-url",
    envvar="COMPANY_BATCH_DATABASE_URL",
    help="The service's database [the server's setting: COMPANY_BATCH_DATABASE_URL or DATA_DIR].",
)
@click.pass_context
def keys(ctx: click.Context, database_url: str | None) -> None:
    """API keys (stored hashed; each belongs to one tenant)."""
    ctx.obj = database_url


@keys.command()
@click.option("--tenant", required=True, help="Tenant the key belongs to: [a-z0-9._-], up to 63 characters.")
@click.option("--admin", is_flag=True, help="An admin key: sees every tenant's batches and the whole stats.")
@click.pass_obj
def create(database_url: str | None, tenant: str, admin: bool) -> None:
    """Create a key and print it once (it cannot be shown again)."""

    async def action(api_keys: ApiKeys) -> dict[str, Any]:
        try:
            issued = await api_keys.create(tenant, admin=admin)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--tenant") from exc
        return {"key": issued.key, **_key_json(issued.stored)}

    click.echo(json.dumps(_run(database_url, action), indent=2))
    click.echo("Store the key now: only its hash is kept, it cannot be shown again.", err=True)


@keys.command(name="list")
@click.pass_obj
def list_keys(database_url: str | None) -> None:
    """Every key (id, tenant, admin, created, revoked), never the key itself."""

    async def action(api_keys: ApiKeys) -> list[dict[str, Any]]:
        return [_key_json(key) for key in await api_keys.list()]

    click.echo(json.dumps(_run(database_url, action), indent=2))


@keys.command()
@click.argument("key_id")
@click.pass_obj
def revoke(database_url: str | None, key_id: str) -> None:
    """Revoke a key by its id: the next call with it is refused."""

    async def action(api_keys: ApiKeys) -> bool:
        return await api_keys.revoke(key_id)

    if not _run(database_url, action):
        raise click.ClickException(f"no active key with id {key_id!r}")
    click.echo(json.dumps({"key_id": key_id, "revoked": True}))
