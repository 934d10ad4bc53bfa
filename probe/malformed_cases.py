"""The malformed requests of ``probe.malformed``: case types and one generator per hostile family.

Every family draws from a seeded ``random.Random``, so a run can be repeated case for case.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import grpc

from company_protos.company.v1 import batch_service_pb2 as pb

API = "/api/v1/company"
MB = 1024 * 1024
SEED = 20261202
FIELDS = (
    "company_names",
    "extraction_mode",
    "priority",
    "country",
    "language",
    "domain_hints",
    "max_concurrent",
    "timeout_seconds",
    "include_failed_results",
    "export_format",
    "request_id",
    "bypass_cache",
)
INVISIBLE = (
    "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u00ad"
)
ODD_SPACES = "\u00a0\u2000\u2001\u2002\u2003\u2009\u200a\u3000\u205f"


@dataclass(frozen=True)
class RestCase:
    family: str
    label: str
    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = (("content-type", "application/json"),)
    statuses: frozenset[int] = frozenset({400})
    needs_field: bool = True


@dataclass(frozen=True)
class GrpcCase:
    family: str
    label: str
    method: str
    payload: bytes
    timeout: float | None = 30.0
    codes: frozenset[grpc.StatusCode] = frozenset({grpc.StatusCode.INVALID_ARGUMENT})


Case = RestCase | GrpcCase


def _submit(rng: random.Random, **fields: Any) -> bytes:
    body: dict[str, Any] = {"company_names": [random_name(rng)]}
    body.update(fields)
    return json.dumps(body).encode()


def random_name(rng: random.Random) -> str:
    """A company name no corpus or script knows."""
    return "Probe " + "".join(rng.choices(string.ascii_letters, k=8))


def _junk(rng: random.Random, size: int) -> bytes:
    return bytes(rng.getrandbits(8) for _ in range(size))


def _url_like(rng: random.Random, length: int) -> str:
    path = "".join(rng.choices(string.ascii_letters + "/%?&=#", k=length))
    return f"https://{rng.choice(['a', 'www'])}.{random_name(rng).split()[1].lower()}.example/{path}"


def _bad_ids(rng: random.Random) -> Iterator[RestCase]:
    ids = [
        "%ff%fe",
        "%00",
        "%c0%af",
        "%ed%a0%80",
        "..%2f..%2fetc",
        "a" * rng.randint(65, 5000),
        "%" + "".join(rng.choices("0123456789abcdef", k=2)) * rng.randint(1, 40),
        "".join(f"%{b:02x}" for b in _junk(rng, rng.randint(1, 30))),
        "batch_" + "".join(rng.choices(string.punctuation.replace("/", "").replace("?", ""), k=6)),
        "%e2%80%8b",
        "%20%20",
    ]
    batch_id = rng.choice(ids)
    suffix, method, body = rng.choice(
        [
            ("status", "GET", None),
            ("results", "GET", None),
            ("download", "GET", None),
            ("cancel", "POST", b"{}"),
            ("pause", "POST", b"{}"),
            ("resume", "POST", b"{}"),
        ]
    )
    yield RestCase(
        "REST bad paths and ids",
        f"{method} {batch_id[:30]}/{suffix}",
        method,
        f"{API}/batch/{batch_id}/{suffix}",
        body,
        statuses=frozenset({400, 404}),
    )


def _bad_paths(rng: random.Random) -> Iterator[RestCase]:
    method = rng.choice(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
    path = rng.choice(
        [
            f"{API}/" + "".join(rng.choices(string.ascii_lowercase + "/", k=rng.randint(1, 60))),
            f"{API}/batch/submit",
            f"{API}/batch/stats",
            "/" + "".join(rng.choices(string.ascii_letters, k=rng.randint(1, 30))),
            f"{API}/batch//status",
            "/company.v1.BatchService/SubmitBatch",
        ]
    )
    known = {(f"{API}/batch/submit", "POST"), (f"{API}/batch/stats", "GET")}
    if (path, method) in known:
        method = "DELETE"
    yield RestCase(
        "REST unknown paths and methods",
        f"{method} {path[:40]}",
        method,
        path,
        b"{}" if method in {"POST", "PUT", "PATCH"} else None,
        statuses=frozenset({400, 404, 405}),
        needs_field=False,
    )


def _bad_json(rng: random.Random) -> Iterator[RestCase]:
    good = _submit(rng)
    bodies = [
        good[: rng.randint(0, len(good) - 1)],
        b"{not json",
        b"[" * rng.randint(100, 20000),
        b'{"company_names": ["A"]}' + b"x" * rng.randint(1, 10),
        b'["A", "B"]',
        b'"A"',
        b"42",
        b"null",
        b"",
        b'{"company_names": ["\\ud800"]}',
        b'{"company_names": ["\\x41"]}',
        b'{"company_names": [' + b'"A",' * 3 + b"]}",
        b"{'company_names': ['A']}",
        b'{"company_names": ["A"],,}',
        _junk(rng, rng.randint(1, 200)),
    ]
    yield RestCase("REST bad JSON", "bad json", "POST", f"{API}/batch/submit", rng.choice(bodies))


def _wrong_types(rng: random.Random) -> Iterator[RestCase]:
    wrong: dict[str, list[Any]] = {
        "company_names": ["Acme", 42, {"a": 1}, [1, 2], [["A"]], [None], True, [{"name": "A"}]],
        "extraction_mode": [7, True, ["basic"], {"m": 1}, "fast"],
        "priority": [99, -1, False, ["high"], "asap"],
        "max_concurrent": ["five", 1.5, True, [5], 2**40, -3, {"n": 5}],
        "timeout_seconds": ["300s", 30.5, [300], 2**35, 0],
        "include_failed_results": ["yes", 2, [True], {"b": 1}],
        "domain_hints": [["a.com"], "a.com", 5, {"X": 5}, {"X": ["a.com"]}],
        "country": [1, ["US"], {"c": "US"}, "USA"],
        "request_id": [1, ["id"], {"i": 1}],
        "export_format": [3, "pdf", ["csv"]],
    }
    key = rng.choice(list(wrong))
    value = rng.choice(wrong[key])
    body = {"company_names": [random_name(rng)], key: value}
    yield RestCase(
        "REST wrong types",
        f"{key}={json.dumps(value)[:30]}",
        "POST",
        f"{API}/batch/submit",
        json.dumps(body).encode(),
    )


def _typo(rng: random.Random, name: str) -> str:
    i = rng.randrange(len(name))
    edits = [
        name[:i] + name[i + 1 :],
        name[:i] + rng.choice(string.ascii_lowercase) + name[i:],
        name[:i] + rng.choice(string.ascii_lowercase) + name[i + 1 :],
        name.upper(),
        name.replace("_", "-"),
        name + "s",
    ]
    typo = rng.choice(edits)
    return typo if typo not in FIELDS and typo else name + "_x"


def _unknown_fields(rng: random.Random) -> Iterator[RestCase]:
    choice = rng.randrange(4)
    if choice == 0:
        key = _typo(rng, rng.choice(FIELDS))
        body = _submit(rng, **{key: "high"})
    elif choice == 1:
        key = "".join(rng.choices(string.ascii_letters + "_$-.", k=rng.randint(1, 300)))
        body = _submit(rng, **{key: rng.choice([1, "x", None, [], {}])})
    elif choice == 2:
        body = b'{"company_names": ["%s"], "priority": "low", "priority": "high"}' % random_name(rng).encode()
    else:
        body = _submit(rng, **{f"extra_{i}": i for i in range(rng.randint(2, 500))})
    yield RestCase("REST unknown fields", "unknown field", "POST", f"{API}/batch/submit", body)


def _huge(rng: random.Random, quick: bool) -> Iterator[RestCase]:
    choice = rng.randrange(9)
    family = "REST huge bodies and headers"
    if choice == 0:
        size = rng.randint(int(1.1 * MB), 3 * MB if quick else 6 * MB)
        yield RestCase(
            family,
            f"{size} byte name",
            "POST",
            f"{API}/batch/submit",
            _submit(rng, request_id="r" * size),
            statuses=frozenset({413}),
        )
    elif choice == 1:
        names = [f"{random_name(rng)} {i}" for i in range(rng.randint(101, 3000))]
        yield RestCase(
            family,
            f"{len(names)} names",
            "POST",
            f"{API}/batch/submit",
            json.dumps({"company_names": names}).encode(),
            statuses=frozenset({400, 413}),
        )
    elif choice == 2:
        names = [random_name(rng) + " " + "x" * rng.randint(200, 100_000) for _ in range(rng.randint(1, 8))]
        yield RestCase(
            family,
            "long names",
            "POST",
            f"{API}/batch/submit",
            json.dumps({"company_names": names}).encode(),
            statuses=frozenset({400, 413}),
        )
    elif choice == 3:
        count = rng.randint(20, 100)
        names = [f"{random_name(rng)} {i}" for i in range(count)]
        hints = {name: _url_like(rng, rng.randint(50, 2000)) for name in names}
        yield RestCase(
            family,
            f"{count} url-like hints",
            "POST",
            f"{API}/batch/submit",
            json.dumps({"company_names": names, "domain_hints": hints}).encode(),
        )
    elif choice == 4:
        count = rng.randint(20, 100)
        hints = {random_name(rng) + "x" * rng.randint(100, 3000): "a.example" for _ in range(count)}
        yield RestCase(
            family,
            f"{count} hints for unknown names",
            "POST",
            f"{API}/batch/submit",
            json.dumps({"company_names": [random_name(rng)], "domain_hints": hints}).encode(),
        )
    elif choice == 5:
        header = ("x-filler", "h" * rng.randint(70_000, 200_000))
        yield RestCase(
            family,
            "huge header",
            "GET",
            f"{API}/batch/stats",
            None,
            (header,),
            statuses=frozenset({431}),
            needs_field=False,
        )
    elif choice == 7:  # big, but within Envoy's 60 KiB: the call is fine and must succeed
        header = ("x-filler", "h" * rng.randint(9_000, 50_000))
        yield RestCase(
            family,
            "big allowed header",
            "GET",
            f"{API}/batch/stats",
            None,
            (header,),
            statuses=frozenset({200}),
        )
    elif choice == 8:
        query = "page_token=" + "t" * rng.randint(9_000, 50_000)
        yield RestCase(family, "long query", "GET", f"{API}/batches?{query}", None, statuses=frozenset({400}))
    else:
        headers = tuple((f"x-h{i}", "v" * 100) for i in range(rng.randint(150, 400)))
        yield RestCase(
            family,
            f"{len(headers)} headers",
            "GET",
            f"{API}/batch/stats",
            None,
            headers,
            statuses=frozenset({431}),
            needs_field=False,
        )


def _bad_encodings(rng: random.Random) -> Iterator[RestCase]:
    family = "REST bad encodings and content types"
    choice = rng.randrange(8)
    name = random_name(rng)
    if choice == 0:
        raw = name.encode()[:3] + _junk(rng, rng.randint(1, 4)) + b"\xff"
        yield RestCase(
            family, "bad utf-8", "POST", f"{API}/batch/submit", b'{"company_names": ["' + raw + b'"]}'
        )
    elif choice == 1:
        yield RestCase(
            family,
            "nul byte",
            "POST",
            f"{API}/batch/submit",
            json.dumps({"company_names": [name + "\x00" + name]}).encode(),
        )
    elif choice == 2:
        invisible = "".join(rng.choices(INVISIBLE + ODD_SPACES, k=rng.randint(1, 12)))
        yield RestCase(
            family,
            f"invisible name {invisible.encode('unicode_escape')[:40]!r}",
            "POST",
            f"{API}/batch/submit",
            json.dumps({"company_names": [invisible]}).encode(),
        )
    elif choice == 3:
        yield RestCase(
            family,
            "utf-16 body",
            "POST",
            f"{API}/batch/submit",
            json.dumps({"company_names": [name]}).encode("utf-16"),
        )
    elif choice == 4:
        ctype = rng.choice(
            [
                "text/plain",
                "application/xml",
                "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded",
                "image/png",
                "",
            ]
        )
        headers = (("content-type", ctype),) if ctype else ()
        yield RestCase(
            family,
            f"content-type {ctype!r}",
            "POST",
            f"{API}/batch/submit",
            _submit(rng),
            headers,
            statuses=frozenset({400, 415}),
        )
    elif choice == 5:
        yield RestCase(
            family,
            "gzip claimed",
            "POST",
            f"{API}/batch/submit",
            _submit(rng),
            (("content-type", "application/json"), ("content-encoding", "gzip")),
            statuses=frozenset({400, 415}),
        )
    elif choice == 6:
        yield RestCase(
            family,
            "control characters",
            "POST",
            f"{API}/batch/submit",
            json.dumps({"company_names": [name + chr(rng.randint(1, 31))]}).encode(),
        )
    else:
        yield RestCase(
            family,
            "nul in hint",
            "POST",
            f"{API}/batch/submit",
            json.dumps({"company_names": [name], "domain_hints": {name: "a\x00.example"}}).encode(),
        )


def _bad_deadlines(rng: random.Random) -> Iterator[RestCase]:
    value = rng.choice(["1n", "0n", "1u", "0S", "abc", "-1S", "999999999H", "1", "1.5S", "", "1m"])
    path, method, body = rng.choice(
        [(f"{API}/batch/stats", "GET", None), (f"{API}/batch/submit", "POST", _submit(rng))]
    )
    yield RestCase(
        "REST bad deadlines",
        f"grpc-timeout {value!r} {method}",
        method,
        path,
        body,
        (("content-type", "application/json"), ("grpc-timeout", value)),
    )


def _bad_queries(rng: random.Random) -> Iterator[RestCase]:
    queries = [
        ("batch/stats", f"timeframe={rng.choice(['2h', '0', '%ff', '24h%00', 'x' * 300, '-1d'])}"),
        ("batch/stats", f"include_details={rng.choice(['maybe', '2', '%ff', ''])}"),
        ("batch/stats", f"{''.join(rng.choices(string.ascii_lowercase, k=5))}=1"),
        ("batches", f"page_size={rng.choice(['-1', '0x10', '1e3', '99999999999', 'abc', '101'])}"),
        ("batches", f"page_token={rng.choice(['%ff%fe', 'x' * 5000, '!!!', '%00'])}"),
        ("batch/stats", "timeframe=1h&timeframe=24h&timeframe=7d"),
    ]
    path, query = rng.choice(queries)
    yield RestCase("REST bad query parameters", query[:40], "GET", f"{API}/{path}?{query}", None)


def _grpc_payloads(rng: random.Random, quick: bool) -> Iterator[GrpcCase]:
    submit = "/company.v1.BatchService/SubmitBatch"
    get = "/company.v1.BatchService/GetBatch"
    valid = pb.SubmitBatchRequest(company_names=[random_name(rng)]).SerializeToString()
    choice = rng.randrange(9)
    family = "gRPC undecodable messages"
    if choice == 0:
        yield GrpcCase(family, "random bytes", rng.choice([submit, get]), _junk(rng, rng.randint(1, 300)))
    elif choice == 1:
        yield GrpcCase(family, "truncated", submit, valid[: rng.randint(1, len(valid) - 1)])
    elif choice == 2:
        bad = _junk(rng, rng.randint(1, 10)) + b"\xff\xfe"
        yield GrpcCase(family, "bad utf-8 batch_id", get, b"\x0a" + bytes([len(bad)]) + bad)
    elif choice == 3:
        bad = b"Acme\xc0\xaf"
        yield GrpcCase(family, "bad utf-8 name", submit, b"\x0a" + bytes([len(bad)]) + bad)
    elif choice == 4:
        yield GrpcCase(family, "wrong wire type", submit, b"\x0d" + _junk(rng, 4))  # field 1 as fixed32
    else:
        family = "gRPC invalid and oversized values"
        if choice == 5:
            names = [f"{random_name(rng)} {i}" for i in range(rng.randint(20, 100))]
            hints = {name: _url_like(rng, rng.randint(50, 2000)) for name in names}
            msg = pb.SubmitBatchRequest(company_names=names, domain_hints=hints)
            yield GrpcCase(family, f"{len(names)} url-like hints", submit, msg.SerializeToString())
        elif choice == 6:
            names = [random_name(rng) + "x" * rng.randint(201, 5000) for _ in range(rng.randint(100, 300))]
            msg = pb.SubmitBatchRequest(company_names=names)
            yield GrpcCase(family, f"{len(names)} long names", submit, msg.SerializeToString())
        elif choice == 7:
            size = rng.randint(int(1.1 * MB), int(3.5 * MB))
            msg = pb.SubmitBatchRequest(company_names=[random_name(rng)], request_id="r" * size)
            yield GrpcCase(family, f"{size} byte message", submit, msg.SerializeToString())
        else:
            invisible = "".join(rng.choices(INVISIBLE, k=rng.randint(1, 8)))
            msg = pb.SubmitBatchRequest(company_names=[invisible])
            yield GrpcCase(family, "invisible name", submit, msg.SerializeToString())


def _grpc_framing(rng: random.Random) -> Iterator[RestCase]:
    """gRPC over HTTP/1.1 with frames that lie about themselves (grpc stalls or says INTERNAL)."""
    msg = pb.GetStatsRequest(timeframe="1h").SerializeToString()
    frame = b"\x00" + len(msg).to_bytes(4, "big") + msg
    bodies = [
        b"\x01" + frame[1:],
        b"\x00" + (len(msg) + rng.randint(1, 10_000)).to_bytes(4, "big") + msg,
        b"\x00\xff\xff\xff\xff" + msg,
        frame[: rng.randint(0, 4)],
        frame * rng.randint(2, 5),
        bytes([rng.randint(2, 255)]) + frame[1:],
        _junk(rng, rng.randint(5, 300)),
    ]
    method = rng.choice(["GetStats", "SubmitBatch", "GetBatch", "WatchBatch"])
    yield RestCase(
        "gRPC bad framing (HTTP/1.1)",
        f"{method} frame",
        "POST",
        f"/company.v1.BatchService/{method}",
        rng.choice(bodies),
        (("content-type", rng.choice(["application/grpc", "application/grpc+proto"])), ("te", "trailers")),
        statuses=frozenset({200}),
    )


def _grpc_deadlines(rng: random.Random) -> Iterator[GrpcCase]:
    msg = pb.GetStatsRequest(timeframe="1h").SerializeToString()
    yield GrpcCase(
        "gRPC tiny deadlines",
        "tiny deadline",
        "/company.v1.BatchService/GetStats",
        msg,
        timeout=rng.choice([1e-9, 1e-6, 1e-4]),
        codes=frozenset({grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.INVALID_ARGUMENT}),
    )


def generate(total: int, quick: bool, seed: int = SEED) -> list[Case]:
    """``total`` cases spread over the families; the large ones are rarer (they cost megabytes each)."""
    rng = random.Random(seed)
    families: list[tuple[int, Callable[[], Iterator[Case]]]] = [
        (12, lambda: _bad_ids(rng)),
        (8, lambda: _bad_paths(rng)),
        (12, lambda: _bad_json(rng)),
        (12, lambda: _wrong_types(rng)),
        (12, lambda: _unknown_fields(rng)),
        (4, lambda: _huge(rng, quick)),
        (10, lambda: _bad_encodings(rng)),
        (6, lambda: _bad_deadlines(rng)),
        (8, lambda: _bad_queries(rng)),
        (12, lambda: _grpc_payloads(rng, quick)),
        (4, lambda: _grpc_deadlines(rng)),
        (6, lambda: _grpc_framing(rng)),
    ]
    weights = [w for w, _ in families]
    cases: list[Case] = []
    while len(cases) < total:
        _, make = rng.choices(families, weights)[0]
        cases.extend(make())
    return cases[:total]
