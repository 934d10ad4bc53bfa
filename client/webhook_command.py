"""``companyctl webhook``: check a delivery's signature, and print the secret deliveries are signed with.

``verify`` needs no server: it checks the Standard Webhooks headers of one delivery against its body and
the secret (exit 0 when valid, 1 with the reason when not). ``secret`` reads the tenant's signing secret
from the service's database, as ``companyctl keys`` does (it is made there on first use), unless the
service is configured with one (``COMPANY_BATCH_WEBHOOK_SECRET``), which then signs for every tenant.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

SECRET_ENV_VAR = "COMPANY_BATCH_WEBHOOK_SECRET"


@click.group(name="webhook")
def webhook() -> None:
    """Webhook signatures: verify a delivery, print the signing secret."""


@webhook.command()
@click.option("--secret", envvar=SECRET_ENV_VAR, required=True, help=f"whsec_… [${SECRET_ENV_VAR}].")
@click.option("--id", "message_id", required=True, help="The webhook-id header.")
@click.option("--timestamp", required=True, help="The webhook-timestamp header (Unix seconds).")
@click.option(
    "--signature", required=True, help="The webhook-signature header (v1,… ; several space-separated)."
)
@click.argument("body", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default="-")
def verify(secret: str, message_id: str, timestamp: str, signature: str, body: Path) -> None:
    """Check one delivery: BODY is a file with the request body exactly as received ('-': stdin)."""
    from server.webhooks.signing import TOLERANCE_NOTE, SignatureInvalid
    from server.webhooks.signing import verify as verify_signature

    data = sys.stdin.buffer.read() if str(body) == "-" else body.read_bytes()
    headers = {"webhook-id": message_id, "webhook-timestamp": timestamp, "webhook-signature": signature}
    try:
        verify_signature(secret, headers, data)
    except SignatureInvalid as exc:
        raise click.ClickException(f"invalid signature: {exc} ({TOLERANCE_NOTE})") from exc
    click.echo("valid")


@webhook.command()
@click.option("--tenant", default="", help="The tenant whose deliveries it signs ['': auth off].")
@click.option(
    "--database-url",
    envvar="COMPANY_BATCH_DATABASE_URL",
    help="The server's database [COMPANY_BATCH_DATABASE_URL, else SQLite in COMPANY_BATCH_DATA_DIR].",
)
def secret(tenant: str, database_url: str | None) -> None:
    """Print the secret the service signs TENANT's deliveries with (made now if it has none)."""
    from server.errors import ServiceUnavailable
    from server.settings import Settings
    from server.storage import open_store
    from server.webhooks.signing import new_secret

    settings = Settings()
    if settings.webhook_secret:
        click.echo(f"the service signs with {SECRET_ENV_VAR} (configured), for every tenant", err=True)
        click.echo(settings.webhook_secret)
        return

    async def read() -> str:
        store = await open_store(database_url or settings.resolved_database_url())
        try:
            return await store.webhook_secret(tenant, new_secret(), datetime.now(UTC))
        finally:
            await store.close()

    try:
        click.echo(asyncio.run(read()))
    except (ServiceUnavailable, ValueError) as exc:
        raise click.ClickException(f"cannot use the database: {exc}") from exc
