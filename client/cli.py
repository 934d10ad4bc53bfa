"""companyctl: the command line of the company-batch service.

Data is printed to stdout as JSON (proto field names, enum values as lower-case names); progress and
messages go to stderr, so stdout can be piped into ``jq``. Exit codes:

\b
    0  success
    1  the service refused or failed the request (invalid argument, not found, conflict, internal)
    2  usage error
    3  the service is unreachable or timed out
    4  the watched batch ended failed or cancelled, or the extracted company failed
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import click
import grpc
from google.protobuf import json_format
from google.protobuf.message import Message
from rich.console import Console

from client.defaults import API_KEY_ENV_VAR, DEFAULT_TARGET, TARGET_ENV_VAR
from client.errors import BatchServiceError, Unavailable
from client.keys_command import keys
from client.names import names_from_file, parse_domain_hints
from client.progress import UNSUCCESSFUL_STATUSES, follow, status_name
from client.sync_client import SyncBatchClient
from client.webhook_command import webhook
from company_protos.company.v1 import batch_service_pb2, enums_pb2

EXIT_SERVICE_ERROR = 1
EXIT_UNAVAILABLE = 3
EXIT_UNSUCCESSFUL = 4

MODES = tuple(n for n in enums_pb2.ExtractionMode.keys() if not n.endswith("_unspecified"))
PRIORITIES = tuple(n for n in enums_pb2.Priority.keys() if not n.endswith("_unspecified"))
FORMATS = tuple(n for n in enums_pb2.ExportFormat.keys() if not n.endswith("_unspecified"))
TIMEFRAMES = ("1h", "6h", "24h", "7d", "30d")
FILE_EXTENSIONS = {"json": "json", "csv": "csv", "excel": "xlsx"}
FORMAT_OF_SUFFIX = {".json": "json", ".csv": "csv", ".xlsx": "excel", ".xls": "excel"}
JSON_INDENT = 2
_BATCH_PREFIX = "batch_"


def to_json(message: Message) -> str:
    """A message as indented JSON with proto field names and every field present."""
    document = json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
    return json.dumps(document, indent=JSON_INDENT, ensure_ascii=False)


def _print_json(message: Message) -> None:
    click.echo(to_json(message))


def _fail(exc: BatchServiceError) -> NoReturn:
    click.echo(f"error: {_advice(exc)}", err=True)
    raise click.exceptions.Exit(EXIT_UNAVAILABLE if isinstance(exc, Unavailable) else EXIT_SERVICE_ERROR)


def _advice(exc: BatchServiceError) -> str:
    """The error as a user can act on it: an unreachable service says where it was looked for."""
    if isinstance(exc, Unavailable) and exc.reason == "":  # no server answered (a server's own has one)
        target = click.get_current_context().find_root().params.get("target", DEFAULT_TARGET)
        return (
            f"service not reachable at {target}: is `make serve` running? (or set --target / "
            f"{TARGET_ENV_VAR}) [{exc.code.name}: {exc.message}]"
        )
    return str(exc)


class _ServiceGroup(click.Group):
    """Turns expected service errors into a readable message and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BatchServiceError as exc:
            _fail(exc)


@contextlib.contextmanager
def _client(ctx: click.Context) -> Iterator[SyncBatchClient]:
    params = ctx.find_root().params
    with SyncBatchClient(params["target"], api_key=params["api_key"]) as client:
        yield client


def _batch_command(action: Callable[[SyncBatchClient, str], Message], name: str, help_text: str) -> None:
    @main.command(name=name, help=help_text)
    @click.argument("batch_id")
    @click.pass_context
    def command(ctx: click.Context, batch_id: str) -> None:
        with _client(ctx) as client:
            _print_json(action(client, batch_id))


def _console() -> Console:
    return Console(stderr=True)


def _watch_to_end(client: SyncBatchClient, batch_id: str, events_as_json: bool) -> None:
    """Follow the batch until its final status, print it, and exit 4 when it failed or was cancelled."""

    def print_event(event: batch_service_pb2.WatchBatchResponse) -> None:
        click.echo(json.dumps(json.loads(to_json(event)), ensure_ascii=False))

    with contextlib.closing(client.watch(batch_id)) as events:
        if events_as_json:
            last = follow(events, on_event=print_event)
        else:
            last = follow(events, console=_console())
    if last is None or last.status not in {enums_pb2.completed, *UNSUCCESSFUL_STATUSES}:
        _fail(Unavailable(grpc.StatusCode.UNAVAILABLE, "the watch stream ended before the batch finished"))
    if not events_as_json:
        _print_json(last)
    if last.status in UNSUCCESSFUL_STATUSES:
        click.echo(f"batch {last.batch_id} ended {status_name(last.status)}", err=True)
        raise click.exceptions.Exit(EXIT_UNSUCCESSFUL)


@click.group(cls=_ServiceGroup, help=__doc__)
@click.option(
    "--target",
    default=DEFAULT_TARGET,
    show_default=True,
    envvar=TARGET_ENV_VAR,
    show_envvar=True,
    help="host:port of the service (Envoy serves native gRPC on its REST port).",
)
@click.option(
    "--api-key",
    envvar=API_KEY_ENV_VAR,
    show_envvar=True,
    help="API key, sent as 'authorization: Bearer <key>' (needed when the server has auth on).",
)
def main(target: str, api_key: str | None) -> None:
    """The CLI's entry point (``companyctl``, see pyproject.toml's scripts)."""


main.add_command(keys)
main.add_command(webhook)


@main.command()
@click.argument("names", nargs=-1)
@click.option(
    "--file",
    "names_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="More names: a .csv file (first column, header optional) or a text file (one per line).",
)
@click.option("--mode", type=click.Choice(MODES, case_sensitive=False), help="Extraction mode [standard].")
@click.option("--priority", type=click.Choice(PRIORITIES, case_sensitive=False), help="Priority [normal].")
@click.option("--country", help="ISO 3166-1 alpha-2 country for search localisation [US].")
@click.option("--language", help="ISO 639-1 language for search localisation [en].")
@click.option("--hint", "hints", multiple=True, metavar="NAME=DOMAIN", help="Known domain of a company.")
@click.option("--max-concurrent", type=int, help="Companies of this batch extracted at once, 1-20 [5].")
@click.option("--timeout", "timeout_seconds", type=int, help="Seconds per company, 30-600 [300].")
@click.option(
    "--include-failed/--exclude-failed", "include_failed", default=None, help="Keep failures [yes]."
)
@click.option("--export-format", type=click.Choice(FORMATS, case_sensitive=False), help="File format [json].")
@click.option("--request-id", help="Idempotency key: resubmitting with it returns the first batch.")
@click.option("--no-cache", is_flag=True, help="Extract afresh instead of reusing cached profiles.")
@click.option("--webhook-url", help="http(s) URL that receives the batch's events, signed.")
@click.option(
    "--webhook-event",
    "webhook_events",
    multiple=True,
    help="batch.completed, batch.failed, batch.cancelled or company.finished (repeatable) [the batch ones].",
)
@click.option("--watch", is_flag=True, help="Show progress until the batch finishes; exit 4 if it failed.")
@click.pass_context
def submit(
    ctx: click.Context,
    names: tuple[str, ...],
    names_file: Path | None,
    mode: str | None,
    priority: str | None,
    country: str | None,
    language: str | None,
    hints: tuple[str, ...],
    max_concurrent: int | None,
    timeout_seconds: int | None,
    include_failed: bool | None,
    export_format: str | None,
    request_id: str | None,
    no_cache: bool,
    webhook_url: str | None,
    webhook_events: tuple[str, ...],
    watch: bool,
) -> None:
    """Submit a batch of company names (arguments and/or --file)."""
    all_names = list(names)
    if names_file is not None:
        try:
            all_names += names_from_file(names_file)
        except (OSError, UnicodeDecodeError) as exc:
            raise click.BadParameter(str(exc), param_hint="--file") from exc
    if not all_names:
        raise click.UsageError("give at least one company name (as arguments or with --file)")
    try:
        domain_hints = parse_domain_hints(hints)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--hint") from exc
    with _client(ctx) as client:
        submitted = client.submit(
            all_names,
            extraction_mode=mode,
            priority=priority,
            country=country,
            language=language,
            domain_hints=domain_hints,
            max_concurrent=max_concurrent,
            timeout_seconds=timeout_seconds,
            include_failed_results=include_failed,
            export_format=export_format,
            request_id=request_id,
            bypass_cache=no_cache,
            webhook_url=webhook_url,
            webhook_events=webhook_events,
        )
        if not watch:
            _print_json(submitted)
            return
        click.echo(f"submitted {submitted.batch_id} ({submitted.total_companies} companies)", err=True)
        _watch_to_end(client, submitted.batch_id, events_as_json=False)


@main.command()
@click.argument("batch_id")
@click.option("--events", is_flag=True, help="Print every event as a JSON line instead of a progress bar.")
@click.pass_context
def watch(ctx: click.Context, batch_id: str, events: bool) -> None:
    """Follow a batch until it finishes, then print it; exit 4 if it failed or was cancelled."""
    with _client(ctx) as client:
        client.get(batch_id)  # an unknown id fails here, before a progress bar is drawn
        _watch_to_end(client, batch_id, events_as_json=events)


def _default_output(batch_id: str, fmt: str) -> Path:
    stem = batch_id if batch_id.startswith(_BATCH_PREFIX) else _BATCH_PREFIX + batch_id
    return Path(f"{Path(stem).name}_results.{FILE_EXTENSIONS[fmt]}")


@main.command()
@click.argument("batch_id")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS, case_sensitive=False),
    help="File format [from the -o file's extension, else the batch's export_format].",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write here instead of stdout (excel: default batch_<id>_results.xlsx).",
)
@click.option(
    "--include-failed/--exclude-failed", "include_failed", default=None, help="Default: the batch's setting."
)
@click.option(
    "--excel-csv",
    is_flag=True,
    help="CSV for spreadsheets: a byte order mark, phones and codes kept as text.",
)
@click.pass_context
def results(
    ctx: click.Context,
    batch_id: str,
    fmt: str | None,
    output: Path | None,
    include_failed: bool | None,
    excel_csv: bool,
) -> None:
    """Results of a batch: JSON document, or the CSV / Excel file."""
    with _client(ctx) as client:
        fmt = _results_format(client, batch_id, fmt, output)
        if fmt == "json":
            data = (to_json(client.results(batch_id, include_failed)) + "\n").encode()
        else:
            data = client.download(batch_id, fmt, include_failed, excel_csv).data
    if output is None and fmt == "excel":
        output = _default_output(batch_id, fmt)  # never write a binary workbook to a terminal
    if output is None:
        click.echo(data, nl=False)
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise click.FileError(str(output), hint=exc.strerror) from exc
    click.echo(f"wrote {output} ({len(data)} bytes)", err=True)


def _results_format(client: SyncBatchClient, batch_id: str, fmt: str | None, output: Path | None) -> str:
    """``--format`` if given, else what the output file's name says, else the batch's export format."""
    if fmt is not None:
        return fmt.lower()
    if output is not None and output.suffix.lower() in FORMAT_OF_SUFFIX:
        return FORMAT_OF_SUFFIX[output.suffix.lower()]
    stored = enums_pb2.ExportFormat.Name(client.get(batch_id).export_format)
    return stored if stored in FORMATS else "json"


@main.command()
@click.option("--timeframe", type=click.Choice(TIMEFRAMES), default="24h", show_default=True)
@click.option("--details", is_flag=True, help="Add breakdowns by extraction mode and priority.")
@click.pass_context
def stats(ctx: click.Context, timeframe: str, details: bool) -> None:
    """System statistics over a time frame."""
    with _client(ctx) as client:
        _print_json(client.stats(timeframe, details))


@main.command(name="list")
@click.option("--page-size", type=click.IntRange(1, 100), default=20, show_default=True)
@click.option("--page-token", default="", help="next_page_token of the previous page.")
@click.pass_context
def list_batches(ctx: click.Context, page_size: int, page_token: str) -> None:
    """Batches, newest first, one page at a time."""
    with _client(ctx) as client:
        _print_json(client.list(page_size, page_token))


@main.command()
@click.argument("name")
@click.option("--mode", type=click.Choice(MODES, case_sensitive=False), help="Extraction mode [standard].")
@click.option("--domain", help="Known official domain; skips domain resolution.")
@click.option("--country", help="ISO 3166-1 alpha-2 country [US].")
@click.option("--language", help="ISO 639-1 language [en].")
@click.option("--timeout", "timeout_seconds", type=int, help="Seconds, 30-600 [300].")
@click.option("--no-cache", is_flag=True, help="Extract afresh instead of reusing a cached profile.")
@click.pass_context
def extract(
    ctx: click.Context,
    name: str,
    mode: str | None,
    domain: str | None,
    country: str | None,
    language: str | None,
    timeout_seconds: int | None,
    no_cache: bool,
) -> None:
    """Extract one company directly, without a batch; exit 4 if it could not be extracted."""
    with _client(ctx) as client:
        result = client.extract(
            name,
            extraction_mode=mode,
            country=country,
            language=language,
            domain_hint=domain,
            timeout_seconds=timeout_seconds,
            bypass_cache=no_cache,
        )
    _print_json(result)
    if result.extraction_status != batch_service_pb2.CompanyResult.success:
        raise click.exceptions.Exit(EXIT_UNSUCCESSFUL)


@main.command()
@click.argument("batch_id")
@click.option(
    "--error-type",
    "error_types",
    multiple=True,
    help="Retry only failures of this error.type (repeatable), e.g. TimeoutError [every failure].",
)
@click.option("--no-cache", is_flag=True, help="Extract the retried companies afresh.")
@click.option("--request-id", help="Idempotency key: repeating the retry with it re-queues nothing.")
@click.option("--watch", is_flag=True, help="Follow the batch until it finishes again.")
@click.pass_context
def retry(
    ctx: click.Context,
    batch_id: str,
    error_types: tuple[str, ...],
    no_cache: bool,
    request_id: str | None,
    watch: bool,
) -> None:
    """Run the failed companies of a completed or failed batch again; successes are kept."""
    with _client(ctx) as client:
        retried = client.retry(
            batch_id, error_types=error_types, bypass_cache=no_cache, request_id=request_id
        )
        if not watch or retried.retried_companies == 0:
            _print_json(retried)
            return
        click.echo(f"{batch_id}: {retried.message}", err=True)
        _watch_to_end(client, batch_id, events_as_json=False)


_batch_command(lambda c, i: c.get(i), "status", "The status document of a batch.")
_batch_command(lambda c, i: c.cancel(i), "cancel", "Cancel a batch; finished results are kept.")
_batch_command(lambda c, i: c.pause(i), "pause", "Pause a batch: running companies finish, none start.")
_batch_command(lambda c, i: c.resume(i), "resume", "Resume a paused batch.")


if __name__ == "__main__":
    main()
