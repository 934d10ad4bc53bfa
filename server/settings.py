"""Service settings, read once from the environment (prefix ``COMPANY_BATCH_``) or a ``.env`` file."""

from __future__ import annotations

import ipaddress
import os
import secrets
import socket
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_USER_AGENT = "company-batch/0.1 (+https://github.com/company-batch; ops@company-batch.example)"


def default_replica_id() -> str:
    """``hostname:pid:random``: unique per process, readable in the database and the logs."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def is_loopback_host(host: str) -> bool:
    """``localhost`` or a loopback address (``0.0.0.0``, ``[::]`` and names of this machine are not)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class HostRule(BaseModel):
    """A service's own limit for its clients, over the whole deployment (``Settings.host_rules``)."""

    concurrency: int | None = Field(
        None, ge=1, description="Requests in flight at once; default per_host_concurrency."
    )
    requests: int | None = Field(None, ge=1, description="Requests allowed per per_seconds (a token bucket).")
    per_seconds: float = Field(1.0, gt=0, description="The period of requests.")


# Limits the services publish for their clients (the politeness of every replica together):
# SEC EDGAR "10 requests per second" per client for all its hosts (it blocks the address for 10 minutes
# past it); Wikimedia's API etiquette asks for requests in series, not in parallel; GLEIF's API allows
# 60 requests a minute.
DEFAULT_HOST_RULES: dict[str, HostRule] = {
    "sec.gov": HostRule(requests=10, per_seconds=1.0),
    "wikidata.org": HostRule(concurrency=1),
    "wikipedia.org": HostRule(concurrency=1),
    "gleif.org": HostRule(requests=60, per_seconds=60.0),
}


class Settings(BaseSettings):
    """Every knob of the service. The README's configuration table lists these."""

    model_config = SettingsConfigDict(env_prefix="COMPANY_BATCH_", env_file=".env", extra="ignore")

    grpc_host: str = Field("127.0.0.1", description="Address the gRPC server listens on.")
    grpc_port: int = Field(50051, description="gRPC port (0 picks a free one).")
    otlp_endpoint: str | None = Field(
        None,
        description="OTLP/gRPC collector for OpenTelemetry traces (http://host:4317); unset: no tracing.",
    )
    metrics_host: str = Field("127.0.0.1", description="Address of the Prometheus /metrics endpoint.")
    metrics_port: int | None = Field(
        9464, ge=0, description="Port of the Prometheus /metrics endpoint (0: a free one; unset: none)."
    )
    data_dir: Path = Field(Path("data"), description="Where the embedded SQLite database lives.")
    database_url: str | None = Field(
        None, description="sqlite:///path or postgresql://...; default: SQLite in data_dir."
    )
    cache_ttl_seconds: float = Field(
        7 * 86400,
        ge=0,
        description="How long an extracted profile is reused from the shared cache (0: no cache).",
    )
    cache_not_found_ttl_seconds: float = Field(
        3600, ge=0, description='How long a "company not found" answer is reused (0: never cached).'
    )
    cache_partial_ttl_seconds: float = Field(
        3600,
        ge=0,
        description="How long a profile found while some source was unavailable is reused (0: never).",
    )
    retention_days: float = Field(
        90,
        ge=0,
        description="Finished batches and their results are deleted this long after completion (0: kept).",
    )
    retention_sweep_seconds: float = Field(
        3600, gt=0, description="How often the retention purge runs (also drops expired cache entries)."
    )
    workers: int = Field(16, ge=1, le=256, description="Size of the one worker pool shared by all batches.")
    aging_seconds: float = Field(
        30.0,
        gt=0,
        description="Waiting work gains one priority level per this many seconds, so low is never starved.",
    )
    max_queued_companies: int = Field(
        10_000, ge=1, description="Companies waiting across all batches; a submit beyond it gets 429."
    )
    shared_queue: bool | None = Field(
        None,
        description="Claim work through the database with leases so several replicas share one queue; "
        "default: on for PostgreSQL, off for SQLite.",
    )
    replica_id: str = Field(
        default_factory=default_replica_id,
        description="This replica's name on its leases (default: hostname:pid:random).",
    )
    lease_seconds: float = Field(
        20.0, gt=0, description="How long a claimed company stays with a replica without a heartbeat."
    )
    heartbeat_seconds: float = Field(
        5.0, gt=0, description="How often a replica extends its leases and returns expired ones to the queue."
    )
    shutdown_grace_seconds: float = Field(
        20.0, ge=0, description="On SIGTERM, how long in-flight companies may finish before re-queueing."
    )
    log_level: str = Field("INFO", description="Python logging level.")
    log_format: str = Field("json", description="json (one object per line) or text.")

    # Extraction's view of the web.
    user_agent: str = Field(DEFAULT_USER_AGENT, description="User-Agent sent on every fetch (with contact).")
    fetch_timeout_seconds: float = Field(15.0, gt=0, description="Per-request timeout of one fetch.")
    max_page_bytes: int = Field(2_000_000, gt=0, description="Pages larger than this are truncated.")
    max_redirects: int = Field(5, ge=0, description="Redirects followed per fetch.")
    per_host_concurrency: int = Field(2, ge=1, description="Simultaneous requests to one host.")
    fetch_attempts: int = Field(
        3, ge=1, le=10, description="Tries of one request that fails transiently (connect error, 5xx, 429)."
    )
    fetch_backoff_seconds: float = Field(
        0.5, ge=0, description="Base of the exponential backoff (with full jitter) between those tries."
    )
    fetch_retry_after_max_seconds: float = Field(
        30, ge=0, description="Longest Retry-After honoured; a host asking for more is not retried."
    )
    circuit_failures: int = Field(
        5, ge=1, description="Failed requests in a row after which a knowledge-source host cools down."
    )
    circuit_cooldown_seconds: float = Field(
        60, gt=0, description="How long such a host is skipped before one request tries it again."
    )
    allow_private_addresses: bool = Field(
        False,
        description=(
            "Allow fetches and webhook deliveries to loopback/private/link-local addresses (the sandbox "
            "and tests with a receiver on loopback need it)."
        ),
    )

    # The sandbox web: when set, hostnames resolve to the sandbox server on loopback.
    sandbox_http_port: int | None = Field(None, description="Sandbox web HTTP port; enables sandbox mode.")
    sandbox_https_port: int | None = Field(None, description="Sandbox web HTTPS port.")
    sandbox_ca_file: Path | None = Field(
        None, description="CA certificate the client trusts in sandbox mode."
    )
    sandbox_corpus_dir: Path = Field(Path("sandbox/corpus"), description="Site snapshots the sandbox serves.")
    sandbox_hostnames: list[str] | None = Field(
        None,
        description=(
            "The names the sandbox web serves: any other name does not resolve, as a name no one registered "
            "does not on the public web. None: every name resolves to the sandbox (a shared host that "
            "serves no site of most of them)."
        ),
    )

    # --- Added by the extraction/sandbox work (additive; nothing above changed). ---
    sandbox_host: str = Field("127.0.0.1", description="Address the sandbox web listens on (sandbox mode).")
    resolve_tlds: list[str] = Field(
        default_factory=lambda: ["com", "{country}", "org", "net", "eu", "io", "co"],
        description=(
            'TLDs tried for name-derived domain candidates; "{country}" is the request country\'s ccTLD. '
            "The first two are tried with every form of the name before the others; eu only in the EU/EEA."
        ),
    )
    max_domain_candidates: int = Field(
        24, ge=1, description="Domain candidates verified per company before giving up (hint included)."
    )

    # --- Extraction engine (issue 3): knowledge sources, search and politeness. ---
    per_host_delay_seconds: float = Field(
        0.5, ge=0, description="Pause between two requests to the same host (politeness)."
    )
    host_rules: dict[str, HostRule] = Field(
        default_factory=lambda: dict(DEFAULT_HOST_RULES),
        description="Limits per domain (and every host under it) for the whole deployment, on top of "
        "per_host_delay_seconds: concurrency, requests per per_seconds.",
    )
    politeness_backend: Literal["auto", "memory", "postgres", "redis"] = Field(
        "auto",
        description="Where per-host politeness is counted: auto = redis when redis_url is set, postgres "
        "when replicas share a PostgreSQL queue, else memory (this process).",
    )
    redis_url: str | None = Field(
        None, description="redis://host:6379/0: politeness shared by every replica through Redis."
    )
    redis_key_prefix: str = Field(
        "company_batch:politeness:", description="Prefix of every Redis key politeness writes."
    )
    search_provider: str = Field(
        "duckduckgo",
        description="Web search used to find a company's domain: duckduckgo, searxng, brave or none.",
    )
    searxng_url: str | None = Field(
        None, description="Base URL of the SearXNG instance (search_provider=searxng)."
    )
    brave_api_key: str | None = Field(None, description="Brave Search API key (search_provider=brave).")
    knowledge_sources: list[str] = Field(
        default_factory=lambda: [
            "wikidata",
            "wikipedia",
            "sec_edgar",
            "sec_formd",
            "gleif",
            "brreg",
            "recherche_entreprises",
            "companies_house",
        ],
        description="Knowledge sources asked besides the company website; findings merge in this order.",
    )
    companies_house_api_key: str | None = Field(
        None,
        description=(
            "Companies House API key (free, developer.company-information.service.gov.uk); "
            "without one the companies_house source is off."
        ),
    )

    # --- Authentication, tenancy and rate limits (issue 9). ---
    auth: Literal["auto", "on", "off"] = Field(
        "auto",
        description="API keys required: on, off, or auto (on unless grpc_host is a loopback address).",
    )
    rate_limit_per_second: float = Field(
        20.0,
        ge=0,
        description="Calls a second per API key (per client address when auth is off); 0: no limit.",
    )
    rate_limit_burst: int = Field(
        40, ge=1, description="Calls a key may make at once before the rate applies."
    )

    # --- Webhooks (issue 12): signed notifications from a persistent outbox (server.webhooks). ---
    webhook_secret: str | None = Field(
        None,
        description=(
            "Standard Webhooks secret (whsec_ + base64) signing every delivery; unset: one secret per "
            "tenant, made on first use and kept in the store (companyctl webhook secret prints it)."
        ),
    )
    webhook_retry_schedule_seconds: list[float] = Field(
        default_factory=lambda: [5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0],
        description=(
            "Pause before each retry of a failed delivery; after the last one the delivery is failed "
            "(default: 8 attempts over about 27.6 hours)."
        ),
    )
    webhook_timeout_seconds: float = Field(10.0, gt=0, description="Timeout of one webhook delivery.")
    webhook_poll_seconds: float = Field(
        1.0, gt=0, description="How often the webhook outbox is read when no change wakes it."
    )

    def auth_enabled(self) -> bool:
        """Whether calls need an API key: ``auth`` on/off, or (auto) whether we listen beyond loopback."""
        if self.auth != "auto":
            return self.auth == "on"
        return not is_loopback_host(self.grpc_host)

    # --- Page parsing off the event loop (server.extraction.page_pool). ---
    parse_workers: int | None = Field(
        None, ge=1, le=64, description="Parse worker processes; default: the CPUs this process may use."
    )
    parse_cpu_seconds: float = Field(
        5.0, gt=0, description="CPU one page's parse may use; beyond it the page fails, not the server."
    )
    parse_memory_bytes: int = Field(
        1_500_000_000, ge=200_000_000, description="Address-space limit of each parse worker process."
    )

    def uses_shared_queue(self) -> bool:
        """Whether replicas claim work through the database (``shared_queue``, or PostgreSQL by default)."""
        if self.shared_queue is not None:
            return self.shared_queue
        return self.resolved_database_url().split(":", 1)[0] in ("postgresql", "postgres")

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'company-batch.sqlite3'}"
