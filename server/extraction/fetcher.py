"""The one network seam of extraction: ``WebFetcher`` reads web pages politely and safely.

Everything the extractor learns from the web comes through ``WebFetcher.fetch``. It refuses loopback,
private, link-local and cloud-metadata addresses (after DNS and after every redirect) unless
``settings.allow_private_addresses``; the address is judged whatever its spelling (legacy numeric IPv4,
IPv6 forms that carry an IPv4 address), credentials never follow a redirect to another origin, and a
malformed ``Location`` fails that URL with a ``FetchError``. In sandbox mode (``settings.sandbox_http_port``
set) the names the sandbox web serves resolve to it, and no other name resolves (``SandboxResolver``): it
stands for the public web (its address is not judged, literal addresses in URLs are), and the sandbox CA
is trusted; no other code path differs.

How a request fails says how its source answered (``server.errors``, the ``FetchError`` tree): no
answer (``FetchUnavailableError``: connect error, reset, 5xx, timeout), a refusal (``FetchBlockedError``:
401/403, 429, an anti-bot challenge page, which is never returned as a page, or robots.txt), a name that
does not exist (``HostNotFoundError``), or an answer with nothing usable (``FetchError``: 404, a redirect
loop). One retry policy (tenacity) tries a request again after a transient failure (connect errors, resets,
5xx, 429), ``settings.fetch_attempts`` times at most, with exponential backoff and full jitter, waiting a
429's ``Retry-After`` instead when it gives one, and never past the company's deadline. Calls made for a
knowledge source (``source=`` with ``known_host``) also go through that host's circuit breaker
(``server.extraction.circuits``) and are recorded in the company's ``SourceReport``. Any other URL whose
site's name does not exist fails the same way again, without a request, for ``MISSING_URL_SECONDS``.

Politeness (``server.extraction.politeness``) decides when a request may go: a slot of its host, its
turn on the host's token buckets, no back-off pending; a ``429``/``Retry-After`` answer sets the back-off.
Knowledge services' JSON can be kept in the store (``fetch_json(cache_seconds=...)`` with a
``ResponseCache``).
"""

from __future__ import annotations

import asyncio
import email.utils
import errno
import ipaddress
import json
import re
import socket
import ssl
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from bs4.dammit import EncodingDetector
from protego import Protego
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_any,
    wait_random_exponential,
)
from tenacity.stop import stop_base
from yarl import URL

from server import metrics
from server.domain import SourceState
from server.errors import (
    FetchBlockedError,
    FetchError,
    FetchUnavailableError,
    HostNotFoundError,
    RateLimitedError,
)
from server.extraction import outcomes
from server.extraction.circuits import CircuitBreakers
from server.extraction.politeness import Politeness, build_politeness, retry_after_seconds
from server.settings import Settings

if TYPE_CHECKING:
    from server.extraction.response_cache import ResponseCache

HTTP_DEFAULT_PORT = 80
HTTPS_DEFAULT_PORT = 443
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
READ_CHUNK_BYTES = 64 * 1024
ACCEPT_HEADER = "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8"
FALLBACK_ENCODING = "utf-8"
ROBOTS_PATH = "/robots.txt"
# Dot-separated decimal, octal (leading 0) or hex (0x) parts: what inet_aton reads as IPv4.
LEGACY_IPV4_RE = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}", re.IGNORECASE)
# IPv6 ranges whose low 32 bits are an IPv4 address: IPv4-compatible (::/96, deprecated), SIIT
# (::ffff:0:0:0/96), NAT64 well-known prefix (64:ff9b::/96). Mapped, 6to4 and Teredo have properties.
IPV4_EMBEDDING_NETWORKS = (
    ipaddress.IPv6Network("::/96"),
    ipaddress.IPv6Network("::ffff:0:0:0/96"),
    ipaddress.IPv6Network("64:ff9b::/96"),
)
NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215: a network's own translators
# Request headers that may follow a redirect to another origin; the rest (API keys, tokens) stay home.
SAFE_HEADERS = frozenset({"accept", "accept-language"})
# What an encoded host (yarl's raw_host: IDNA, IPv6 without brackets, %-escaped zone) is made of.
HOST_CHARS_RE = re.compile(r"[A-Za-z0-9._:%-]+")
MAX_LOCATION_CHARS = 200  # of a malformed Location quoted in an error
REFUSED_STATUSES = frozenset({401, 403})
TOO_MANY_REQUESTS = 429
MISDIRECTED = 421  # "this server does not serve that name": as good as a name that does not resolve
SERVER_ERROR = 500
# getaddrinfo's answers that a name does not exist (rather than that the resolver could not be asked).
NO_SUCH_NAME = frozenset(
    code for code in (getattr(socket, "EAI_NONAME", None), getattr(socket, "EAI_NODATA", None)) if code
)
TLS_NO_SUCH_NAME = "TLSV1_UNRECOGNIZED_NAME"  # the server hosts no site of that name (SNI refused)
# How long a URL whose host said its name does not exist (``HostNotFoundError``) is believed, as a
# resolver caches a negative answer: the companies of a batch share candidate domains ("Acme Robotics"
# and "Acme Robotics Ltd" try the same home pages), and each would otherwise pay the lookup or the TLS
# handshake again. Kept per URL, not per host, so the error repeated is word for word the one said.
MISSING_URL_SECONDS = 300.0
MISSING_URLS_KEPT = 10_000  # past this many, the expired ones are dropped (then the oldest)
CONNECTION_RESET = frozenset({errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED})
# Interstitials that anti-bot services answer instead of the page (Cloudflare, Akamai, DataDome,
# PerimeterX, Sucuri, AWS WAF, hCaptcha/reCAPTCHA walls): their generic titles and markers. A page that
# carries one of these is a refusal, never the company's page.
CHALLENGE_HEADERS = {"cf-mitigated": "challenge"}
CHALLENGE_TITLES = (
    r"just a moment\.*",
    r"attention required!?(?: \| cloudflare)?",
    r"please wait\.*",
    r"checking your browser[^<]*",
    r"access denied",
    r"security check[^<]*",
    r"are you a (?:human|robot)\??",
    r"verify(?:ing)? you are (?:a )?human[^<]*",
    r"human verification",
    r"ddos-guard",
    r"pardon our interruption",
    r"one more step",
)
CHALLENGE_MARKERS = (
    r"cf-chl-",
    r"challenge-platform",
    r"/cdn-cgi/challenge",
    r"_cf_chl_opt",
    r"captcha-delivery\.com",
    r"px-captcha",
    r"g-recaptcha",
    r"h-captcha",
    r"cf-turnstile",
    r"sucuri_cloudproxy",
)
CHALLENGE_TITLES_RE = re.compile(
    rf"<title[^>]*>\s*(?:{'|'.join(CHALLENGE_TITLES)})\s*</title>", re.IGNORECASE
)
CHALLENGE_MARKERS_RE = re.compile("|".join(CHALLENGE_MARKERS), re.IGNORECASE)
CHALLENGE_SCAN_BYTES = 64 * 1024  # challenge pages are small; the title is in the head
CHALLENGE_TEXT_CHARS = 2000  # a page with a captcha widget and little else is a wall, not a site
# What such a wall asks of its visitor, in its visible text (a contact form's reCAPTCHA asks nothing).
CHALLENGE_PHRASES_RE = re.compile(
    r"verify (?:that )?you are (?:a )?human|are you a robot|not a robot|unusual traffic"
    r"|complete the security check|checking your browser|enable javascript and cookies to continue"
    r"|press (?:&amp; |& )?hold",
    re.IGNORECASE,
)
TAGS_RE = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.IGNORECASE | re.DOTALL)
PATTERN_TOKEN_RE = re.compile(r"\\(.)|([^\\.^$*+?{}\[\]|()])|(.)")  # escaped, literal, operator


def literal_lead(alternative: str) -> str:
    """The text, lowered, that every match of a pattern's ``alternative`` starts with: its literal
    characters up to the first operator (a character a quantifier makes optional not among them)."""
    lead: list[str] = []
    for token in PATTERN_TOKEN_RE.finditer(alternative):
        escaped, literal, operator = token.groups()
        if operator is not None or (escaped is not None and escaped.isalnum()):  # "\\d" is a class
            if operator in ("?", "*", "{") and lead:
                lead.pop()
            break
        lead.append(escaped or literal)
    return "".join(lead).lower()


# The lead of every alternative of CHALLENGE_TITLES_RE and CHALLENGE_MARKERS_RE: a page whose lowered
# head holds none cannot match either pattern, and a plain substring search of the bytes is many times
# cheaper than the case-blind patterns tried at every position of 64 KB.
CHALLENGE_WORDS = tuple(
    literal_lead(alternative).encode() for alternative in CHALLENGE_TITLES + CHALLENGE_MARKERS
)
# The characters besides ASCII letters that a case-blind pattern reads as an ASCII letter (capital I
# with a dot, dotless i, long s, the Kelvin sign), in UTF-8: a head holding one may match where its
# lowered bytes do not.
CASE_BLIND_LETTERS = tuple(letter.encode() for letter in "\u0130\u0131\u017f\u212a")


@dataclass(frozen=True)
class FetchedPage:
    """One answered request, after redirects."""

    url: str  # final URL
    status: int
    content_type: str
    text: str
    retrieved_at: datetime
    redirects: tuple[str, ...] = ()  # URLs left behind, in order
    truncated: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return (URL(self.url).host or "").lower()


class RobotsDisallowedError(FetchBlockedError):
    """The site's robots.txt disallows the page for our User-Agent."""


class BlockedAddressError(OSError):
    """A hostname resolved to an address the fetcher may not reach."""


def parse_address(spelling: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The IP address a host string spells, in any spelling a resolver or browser accepts.

    Besides the dotted quad and IPv6 (bracketed or not, with a zone, with a trailing dot), the legacy
    numeric IPv4 forms of ``inet_aton`` count: ``2130706433``, ``127.1``, ``0177.0.0.1``, ``0x7f.1``.

    Raises:
        ValueError: ``spelling`` is a hostname, not an address.
    """
    host = spelling.strip().strip("[]").split("%", 1)[0]
    if host.endswith(".") and not host.endswith(".."):
        host = host[:-1]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        if not LEGACY_IPV4_RE.fullmatch(host):
            raise
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError as exc:  # out of range ("4294967296", "1.2.3.256")
        raise ValueError(f"{spelling!r} is not an address") from exc


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: mapped, compatible, SIIT, NAT64, 6to4, Teredo."""
    found = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if any(ip in network for network in IPV4_EMBEDDING_NETWORKS):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def is_forbidden_address(address: str) -> bool:
    """Whether an address (any spelling) is loopback, private, link-local, metadata or otherwise not public.

    An IPv6 address that carries an IPv4 one is judged by the IPv4 address it leads to; the NAT64
    local-use prefix is never public.

    Raises:
        ValueError: ``address`` is a hostname, not an address.
    """
    ip = parse_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in NAT64_LOCAL_USE:
            return True
        carried = embedded_ipv4(ip)
        if carried:
            return any(_not_public(inner) for inner in carried)
    return _not_public(ip)


def _not_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return not ip.is_global or ip.is_multicast


class GuardedResolver(AbstractResolver):
    """Wraps a resolver and refuses names that resolve to forbidden addresses."""

    def __init__(self, inner: AbstractResolver) -> None:
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        blocked = [result["host"] for result in results if is_forbidden_address(result["host"])]
        if blocked:
            raise BlockedAddressError(f"{host} resolves to a non-public address ({', '.join(blocked)})")
        return results

    async def close(self) -> None:
        await self._inner.close()


class SandboxResolver(AbstractResolver):
    """Resolves the names the sandbox web serves to it; 80 and 443 map to its HTTP and HTTPS ports.

    Any other name does not exist (``EAI_NONAME``), as a name that no one registered does not on the
    public web, where finding that out costs one lookup, not a connection and a TLS handshake with a host
    that then fails to prove the name (a batch of unknown companies tries a thousand such names). With
    ``served`` None every name resolves to the sandbox: a shared host that serves no site of most names.
    """

    def __init__(
        self, address: str, http_port: int, https_port: int, served: Iterable[str] | None = None
    ) -> None:
        self._address = address
        self._ports = {HTTP_DEFAULT_PORT: http_port, HTTPS_DEFAULT_PORT: https_port}
        self._served = None if served is None else frozenset(name.rstrip(".").lower() for name in served)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if self._served is not None and host.rstrip(".").lower() not in self._served:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            ResolveResult(
                hostname=host,
                host=self._address,
                port=self._ports.get(port, port),
                family=socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
        ]

    async def close(self) -> None:
        return None


def is_sandbox_mode(settings: Settings) -> bool:
    return settings.sandbox_http_port is not None


def client_ssl_context(settings: Settings) -> ssl.SSLContext:
    """System trust store; in sandbox mode (and only then) the sandbox CA instead."""
    if is_sandbox_mode(settings) and settings.sandbox_ca_file is not None:
        return ssl.create_default_context(cafile=str(settings.sandbox_ca_file))
    return ssl.create_default_context()


class WebFetcher:
    """Fetches pages over one aiohttp session; ``aclose()`` when done.

    Redirects are followed by hand (up to ``settings.max_redirects``) so that every hop is checked
    against the address policy; bodies are capped at ``settings.max_page_bytes``.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.monotonic,
        politeness: Politeness | None = None,
        responses: ResponseCache | None = None,
    ) -> None:
        self._settings = settings
        self.responses = responses  # knowledge answers shared through the store (None: not kept)
        self._session: aiohttp.ClientSession | None = None
        # Per-host slots, spacing, published limits and back-off: this process's, or the deployment's.
        self._politeness = politeness if politeness is not None else build_politeness(settings)
        self.sleep = asyncio.sleep  # how politeness and retries wait; tests observe it instead of timing it
        self._robots: dict[str, Protego | None] = {}
        self._robots_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.circuits = CircuitBreakers(settings.circuit_failures, settings.circuit_cooldown_seconds, clock)
        self._clock = clock
        # URLs whose host name does not exist: when that was said, and how.
        self._missing: dict[str, tuple[float, HostNotFoundError]] = {}

    def _open_session(self) -> aiohttp.ClientSession:
        settings = self._settings
        inner: AbstractResolver
        if is_sandbox_mode(settings):
            assert settings.sandbox_http_port is not None  # narrowed by is_sandbox_mode
            inner = SandboxResolver(
                settings.sandbox_host,
                settings.sandbox_http_port,
                settings.sandbox_https_port or HTTPS_DEFAULT_PORT,
                settings.sandbox_hostnames,
            )
        else:
            inner = ThreadedResolver()
        # The sandbox stands for the public web: the names it answers for need no address check (it
        # only ever answers its own address); literal addresses in URLs are judged all the same.
        unguarded = settings.allow_private_addresses or is_sandbox_mode(settings)
        resolver = inner if unguarded else GuardedResolver(inner)
        connector = aiohttp.TCPConnector(
            resolver=resolver, ssl=client_ssl_context(settings), use_dns_cache=False
        )
        return aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": settings.user_agent, "Accept": ACCEPT_HEADER},
            timeout=aiohttp.ClientTimeout(total=settings.fetch_timeout_seconds),
            auto_decompress=True,
        )

    async def fetch(
        self,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        respect_robots: bool = False,
        max_bytes: int | None = None,
        source: str | None = None,
        known_host: bool = False,
    ) -> FetchedPage:
        """GET ``url`` following redirects; returns the final page.

        Args:
            headers: extra request headers (an API key, ``Accept: application/json``).
            respect_robots: check the site's robots.txt for every hop (crawling a company site); the
                knowledge-source APIs are meant for programs and are called without it.
            max_bytes: the body cap of this call instead of ``settings.max_page_bytes`` (an API whose
                documents are larger than any page, e.g. SEC companyfacts).
            source: the source this call is made for ("wikidata", "website:acme.com"): its answer is
                recorded in the company's ``SourceReport``.
            known_host: the host is a knowledge source's, which exists: its circuit breaker applies, and
                a name that does not resolve is an outage, not an absence.

        Raises:
            FetchError: the address is forbidden, the host cannot be reached, the request timed out,
                redirects looped or exceeded the cap, the final answer is an HTTP error (>= 400) or a
                challenge page, or (``RobotsDisallowedError``) robots.txt disallows the page; the
                subclass says which (see the module doc).
        """
        report = outcomes.current() if source is not None else None
        try:
            page = await self._fetch(url, headers, respect_robots, max_bytes, known_host)
        except FetchError as exc:
            if report is not None and source is not None:
                report.record_error(source, exc, known_host=known_host)
            raise
        if report is not None and source is not None:
            report.record(source, SourceState.OK, known_host=known_host)
        return page

    async def _fetch(
        self,
        url: str,
        headers: dict[str, str] | None,
        respect_robots: bool,
        max_bytes: int | None,
        known_host: bool,
    ) -> FetchedPage:
        if self._session is None:
            self._session = self._open_session()
        redirects: list[str] = []
        current = url
        origin = _origin(url)
        while True:
            self._check_literal_address(current)
            if headers and _origin(current) != origin:
                # Never hand the caller's credentials (an API key) to a host the redirect chose.
                headers = {key: value for key, value in headers.items() if key.lower() in SAFE_HEADERS}
            if respect_robots and not await self.allowed_by_robots(current):
                raise RobotsDisallowedError(
                    f"robots.txt disallows {current}", details=f"User-Agent {self._settings.user_agent!r}"
                )
            status, headers_out, body, truncated = await self._request(
                current, headers, max_bytes, known_host
            )
            if status in REDIRECT_STATUSES and "Location" in headers_out:
                if len(redirects) >= self._settings.max_redirects:
                    raise FetchError(
                        f"Too many redirects from {url}", details=" -> ".join([*redirects, current])
                    )
                redirects.append(current)
                current = _redirect_target(current, headers_out["Location"])
                if current in redirects:
                    raise FetchError(f"Redirect loop at {current}", details=" -> ".join(redirects))
                continue
            if status in REFUSED_STATUSES:
                raise FetchBlockedError(f"HTTP {status} from {current}", details=f"status {status}")
            if status == MISDIRECTED:
                raise HostNotFoundError(f"No site at {current}", details=f"status {status}")
            if status >= 400:
                raise FetchError(f"HTTP {status} from {current}", details=f"status {status}")
            content_type = headers_out.get("Content-Type", "")
            # Decoding megabytes of a legacy charset (detection included) is CPU work: off the loop.
            text = await asyncio.to_thread(decode_body, body, content_type)
            return FetchedPage(
                url=current,
                status=status,
                content_type=content_type.split(";", 1)[0].strip().lower(),
                text=text,
                retrieved_at=datetime.now(UTC),
                redirects=tuple(redirects),
                truncated=truncated,
                headers=headers_out,
            )

    async def _request(
        self, url: str, headers: dict[str, str] | None, max_bytes: int | None, known_host: bool
    ) -> tuple[int, dict[str, str], bytes, bool]:
        """One hop under the retry policy (and, for a knowledge-source host, its circuit breaker)."""
        host = (URL(url).host or "").lower()
        if known_host:
            self.circuits.before(host)
        else:
            self._raise_if_missing(url)
        retrying = AsyncRetrying(
            stop=stop_any(stop_after_attempt(self._settings.fetch_attempts), _PastDeadline(self._settings)),
            wait=self._retry_wait,
            retry=retry_if_exception(_worth_retrying),
            before_sleep=_count_retry,
            sleep=self._retry_sleep,
            reraise=True,
        )
        waited_retry_after = False  # the last try was refused with a Retry-After this retry waited out

        async def attempt() -> tuple[int, dict[str, str], bytes, bool]:
            nonlocal waited_retry_after
            try:
                return await self._request_once(url, host, headers, max_bytes, not waited_retry_after)
            except RateLimitedError as exc:
                waited_retry_after = exc.retry_after is not None
                raise

        try:
            answer: tuple[int, dict[str, str], bytes, bool] = await retrying(attempt)
        except FetchError as exc:
            # A knowledge source's host exists: its name not resolving is an outage like the others.
            if known_host and (exc.transient or isinstance(exc, HostNotFoundError)):
                self.circuits.failed(host)
            elif isinstance(exc, HostNotFoundError):
                self._remember_missing(url, exc)
            raise
        if known_host:
            self.circuits.succeeded(host)
        return answer

    def _raise_if_missing(self, url: str) -> None:
        """Fail ``url`` as it failed within ``MISSING_URL_SECONDS`` for a name that does not exist,
        asking nobody."""
        said = self._missing.get(url)
        if said is None:
            return
        at, exc = said
        if self._clock() - at >= MISSING_URL_SECONDS:
            del self._missing[url]
            return
        raise HostNotFoundError(exc.message, exc.details)

    def _remember_missing(self, url: str, exc: HostNotFoundError) -> None:
        now = self._clock()
        if len(self._missing) >= MISSING_URLS_KEPT:
            self._missing = {
                known: said for known, said in self._missing.items() if now - said[0] < MISSING_URL_SECONDS
            }
            while len(self._missing) >= MISSING_URLS_KEPT:
                del self._missing[next(iter(self._missing))]
        self._missing[url] = (now, exc)

    async def _request_once(
        self, url: str, host: str, headers: dict[str, str] | None, max_bytes: int | None, honour_backoff: bool
    ) -> tuple[int, dict[str, str], bytes, bool]:
        async with self._politeness.request_slot(host, self.sleep, honour_backoff=honour_backoff):
            status, headers_in, body, truncated = await self._get_once(url, headers, max_bytes)
        backoff = retry_after_seconds(status, headers_in)
        if backoff is not None:  # a 429 or Retry-After slows every request to the host, here and elsewhere
            await self._politeness.back_off(host, backoff)
        if is_challenge(headers_in, body):
            raise FetchBlockedError(f"Anti-bot challenge page from {url}", details=f"status {status}")
        if status == TOO_MANY_REQUESTS:
            retry_after = parse_retry_after(headers_in.get("Retry-After"))
            shown = f", Retry-After {retry_after:g} s" if retry_after is not None else ""
            raise RateLimitedError(
                f"HTTP 429 (rate limited) from {url}", details=f"status 429{shown}", retry_after=retry_after
            )
        if status >= SERVER_ERROR:
            raise FetchUnavailableError(f"HTTP {status} from {url}", details=f"status {status}")
        return status, headers_in, body, truncated

    def _retry_wait(self, state: RetryCallState) -> float:
        """A 429's Retry-After when it gave one, else exponential backoff with full jitter."""
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            return error.retry_after
        backoff = self._settings.fetch_backoff_seconds
        return float(wait_random_exponential(multiplier=backoff, max=backoff * 16)(state))

    async def _retry_sleep(self, seconds: float) -> None:
        await self.sleep(seconds)

    async def fetch_json(
        self,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        max_bytes: int | None = None,
        source: str | None = None,
        cache_seconds: float | None = None,
    ) -> tuple[Any, FetchedPage]:
        """GET a JSON API (a knowledge source's: ``known_host``); returns the document and its page.

        ``max_bytes`` caps the body (default ``settings.max_page_bytes``): a document cut at the cap is
        no JSON, so it fails as too large rather than as malformed. With ``cache_seconds`` (a knowledge
        service's answer) and a response cache, the answer is shared through the store: HTTP caching
        headers where sent, else fresh for ``cache_seconds`` (``server.extraction.response_cache``).

        Raises:
            FetchError: as ``fetch``, or the body is larger than the cap or not JSON.
        """
        if cache_seconds is not None and self.responses is not None:
            return await self.responses.fetch_json(
                self, url, ttl_seconds=cache_seconds, headers=headers, max_bytes=max_bytes, source=source
            )
        page = await self.fetch(
            url,
            headers={"Accept": "application/json", **(headers or {})},
            max_bytes=max_bytes,
            source=source,
            known_host=True,
        )
        limit = max_bytes if max_bytes is not None else self._settings.max_page_bytes
        return json_document(page, limit), page

    async def allowed_by_robots(self, url: str) -> bool:
        """Whether the site's robots.txt lets our User-Agent fetch ``url`` (fetched once per origin)."""
        parsed = URL(url)
        origin = f"{parsed.scheme}://{parsed.host}:{parsed.port}"
        async with self._robots_locks[origin]:
            if origin not in self._robots:
                robots_url = str(parsed.with_path(ROBOTS_PATH).with_query(None))
                self._robots[origin] = await self._load_robots(robots_url)
        rules = self._robots[origin]
        return rules is None or rules.can_fetch(url, self._settings.user_agent)

    async def _load_robots(self, robots_url: str) -> Protego | None:
        try:
            page = await self.fetch(robots_url)
        except FetchError:
            # A missing robots.txt (4xx) allows everything (RFC 9309 2.3.1.3). An unreachable one is
            # treated the same: the page fetch that follows fails on its own if the host is down.
            return None
        if not page.content_type.startswith("text/plain"):
            return None  # an HTML "not found" page served with 200 is not a rule set
        return Protego.parse(page.text)

    async def _get_once(
        self, url: str, headers: dict[str, str] | None = None, max_bytes: int | None = None
    ) -> tuple[int, dict[str, str], bytes, bool]:
        assert self._session is not None
        try:
            async with self._session.get(url, allow_redirects=False, headers=headers) as response:
                body, truncated = await self._read_capped(response, max_bytes)
                return response.status, dict(response.headers), body, truncated
        except TimeoutError as exc:
            raise FetchUnavailableError(
                f"Timed out fetching {url}",
                details=f"after {self._settings.fetch_timeout_seconds}s",
                retry=False,  # another try would spend the same time again
            ) from exc
        except aiohttp.ClientConnectorError as exc:
            raise _connect_error(url, exc) from exc
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError) as exc:
            raise FetchUnavailableError(
                f"Connection reset by {url}", details=f"{type(exc).__name__}: {exc}"
            ) from exc
        except aiohttp.ClientOSError as exc:
            if exc.errno in CONNECTION_RESET:
                raise FetchUnavailableError(f"Connection reset by {url}", details=str(exc)) from exc
            raise FetchError(f"Failed to fetch {url}", details=f"{type(exc).__name__}: {exc}") from exc
        except (aiohttp.ClientError, ValueError) as exc:
            raise FetchError(f"Failed to fetch {url}", details=f"{type(exc).__name__}: {exc}") from exc

    async def _read_capped(
        self, response: aiohttp.ClientResponse, max_bytes: int | None = None
    ) -> tuple[bytes, bool]:
        limit = max_bytes if max_bytes is not None else self._settings.max_page_bytes
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(READ_CHUNK_BYTES):
            chunks.append(chunk)
            size += len(chunk)
            if size >= limit:
                return b"".join(chunks)[:limit], True
        return b"".join(chunks), False

    def _check_literal_address(self, url: str) -> None:
        try:
            parsed = URL(url)
        except ValueError as exc:
            details = str(exc)[:MAX_LOCATION_CHARS]
            raise FetchError("Refused to fetch a malformed URL", details=details) from exc
        if parsed.scheme not in {"http", "https"}:
            raise FetchError(f"Refused to fetch {url}", details=f"scheme {parsed.scheme!r} is not http(s)")
        host = parsed.host or ""
        if self._settings.allow_private_addresses:
            return
        try:
            forbidden = is_forbidden_address(host)
        except ValueError:
            return  # a hostname: the resolver checks what it resolves to
        if forbidden:
            raise FetchError(f"Refused to fetch {url}", details=f"{host} is not a public address")

    def host_concurrency(self, host: str) -> int:
        """How many requests politeness lets be in flight to ``host`` at once."""
        return self._politeness.policy(host).concurrency

    async def aclose(self) -> None:
        """Close the session and its connections."""
        self.circuits.close()
        if self._session is not None:
            await self._session.close()
            self._session = None
        await self._politeness.aclose()


def _connect_error(url: str, exc: aiohttp.ClientConnectorError) -> FetchError:
    """What a failed connection says: a forbidden address, no such name, or no answer (for now)."""
    site = _site(url)
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        # The host answered but cannot show it is that name: no site of ours there, not an outage.
        return HostNotFoundError(
            f"No site at {site}", details=f"TLS: {exc.certificate_error}"[:MAX_LOCATION_CHARS]
        )
    cause = exc.os_error
    if isinstance(cause, BlockedAddressError):
        return FetchError(f"Refused to fetch {url}", details=str(cause))
    if isinstance(cause, socket.gaierror) and cause.errno in NO_SUCH_NAME:
        return HostNotFoundError(f"Cannot connect to {site}: no such host", details=str(cause))
    if isinstance(cause, ssl.SSLError):
        if getattr(cause, "reason", "") == TLS_NO_SUCH_NAME:
            return HostNotFoundError(f"No site at {site}", details=f"TLS: {cause.reason}")
        # A handshake that fails is an answer we cannot use, not an outage.
        return FetchError(f"TLS failure from {site}", details=str(cause)[:MAX_LOCATION_CHARS])
    return FetchUnavailableError(f"Cannot connect to {site}", details=str(cause or exc)[:MAX_LOCATION_CHARS])


def _site(url: str) -> str:
    """``https://host/`` of a URL: what a connection error is about (the path and query are not)."""
    parsed = URL(url)
    port = "" if parsed.is_default_port() else f":{parsed.port}"
    return f"{parsed.scheme}://{parsed.host}{port}/"


class _PastDeadline(stop_base):
    """Stop when the wait would pass the company's deadline or the longest Retry-After honoured."""

    def __init__(self, settings: Settings) -> None:
        self._longest = settings.fetch_retry_after_max_seconds

    def __call__(self, retry_state: RetryCallState) -> bool:
        wait = retry_state.upcoming_sleep
        if wait > self._longest:
            return True
        report = outcomes.current()
        remaining = report.remaining_seconds() if report is not None else None
        return remaining is not None and wait >= remaining


def _worth_retrying(error: BaseException) -> bool:
    if isinstance(error, FetchUnavailableError):
        return error.retry
    return isinstance(error, RateLimitedError)


def _count_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome is not None else None
    if isinstance(error, RateLimitedError):
        cause = "http_429"
    elif error is not None and str(error).startswith("HTTP "):
        cause = "http_5xx"
    elif error is not None and str(error).startswith("Connection reset"):
        cause = "reset"
    else:
        cause = "connect"
    metrics.FETCH_RETRIES.labels(cause).inc()


def parse_retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` asks for (delta-seconds or an HTTP date), or None when absent/unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def is_challenge(headers: dict[str, str], body: bytes) -> bool:
    """Whether an answer is an anti-bot interstitial (a JS challenge, a CAPTCHA wall) instead of a page.

    Said by a header (Cloudflare's ``cf-mitigated: challenge``), by a challenge page's generic title, or
    by a small page with a CAPTCHA widget whose text asks the visitor to prove it is human. A site's
    contact form with a reCAPTCHA asks nothing of the kind, and stays a page.
    """
    lowered = {key.lower(): value.strip().lower() for key, value in headers.items()}
    if any(lowered.get(key) == value for key, value in CHALLENGE_HEADERS.items()):
        return True
    if "html" not in lowered.get("content-type", "html") or not body:
        return False
    lowered_head = body[:CHALLENGE_SCAN_BYTES].lower()
    if not any(word in lowered_head for word in CHALLENGE_WORDS + CASE_BLIND_LETTERS):
        return False
    head = body[:CHALLENGE_SCAN_BYTES].decode("utf-8", errors="replace")
    if CHALLENGE_TITLES_RE.search(head):
        return True
    if not CHALLENGE_MARKERS_RE.search(head) or len(body) > CHALLENGE_SCAN_BYTES:
        return False
    text = " ".join(TAGS_RE.sub(" ", head).split())
    return len(text) < CHALLENGE_TEXT_CHARS and CHALLENGE_PHRASES_RE.search(text) is not None


def _origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL; an unreadable URL is an origin of its own."""
    try:
        parsed = URL(url)
    except ValueError:
        return ("", url, None)
    return (parsed.scheme, (parsed.host or "").lower(), parsed.port)


def _redirect_target(current: str, location: str) -> str:
    """The absolute URL a ``Location`` header points to.

    Raises:
        FetchError: the header is no http(s) URL with a host (this URL fails; the caller goes on).
    """
    quoted = location[:MAX_LOCATION_CHARS]
    try:
        target = urljoin(current, location.strip())
        parsed = URL(target)
    except ValueError as exc:
        raise FetchError(f"Malformed redirect from {current}", details=f"Location {quoted!r}") from exc
    if parsed.scheme not in {"http", "https"} or not HOST_CHARS_RE.fullmatch(parsed.raw_host or ""):
        raise FetchError(f"Malformed redirect from {current}", details=f"Location {quoted!r}")
    return target


def json_document(page: FetchedPage, limit: int | None = None) -> Any:
    """The JSON a page holds.

    Raises:
        FetchError: the body was cut at its cap (``limit``) or is not JSON.
    """
    if page.truncated:
        raise FetchError(f"Document too large from {page.url}", details=f"more than {limit} bytes")
    try:
        return json.loads(page.text)
    except json.JSONDecodeError as exc:
        raise FetchError(f"Not JSON from {page.url}", details=str(exc)) from exc


def decode_body(body: bytes, content_type: str) -> str:
    """Bytes to text: the HTTP charset, else a BOM or ``<meta charset>``, else UTF-8 with replacement."""
    declared = None
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            declared = value.strip().strip("\"'")
    detector = EncodingDetector(body, known_definite_encodings=[declared] if declared else None, is_html=True)
    for encoding in detector.encodings:
        try:
            return body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode(FALLBACK_ENCODING, errors="replace")
