"""Who is calling: the tenant of the API key presented, and whether that key is an admin key."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    """The caller of one RPC.

    ``tenant`` owns the batches this caller submits. An admin sees and touches every tenant's batches
    and the whole service's stats; anyone else only their own tenant's.
    """

    tenant: str
    admin: bool = False
    key_id: str | None = None  # None when auth is off

    @property
    def scope(self) -> str | None:
        """The one tenant this caller may see, or None for all of them."""
        return None if self.admin else self.tenant

    def may_see(self, tenant: str) -> bool:
        return self.admin or tenant == self.tenant


ANONYMOUS = Principal(tenant="", admin=True)
"""Every caller when auth is off: batches get no tenant and, as before auth existed, all are visible."""
