"""The production wheel ships the service, the client and the generated code, and none of the dev tooling."""

from __future__ import annotations

import ast
import os
import subprocess
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_PACKAGES = ("server", "client", "company_protos")
DEV_ONLY_MODULES = (
    "server/testing.py",
    "server/devstack.py",
    "server/storage/testing.py",
    "server/storage/scratch.py",
)
"""Test helpers and the dev stack inside shipped packages; sandbox/, tests/, bench/, probe/ and
devtools/ are not packages of the wheel at all."""


IMPORT_EVERY_MODULE = """
import importlib, pkgutil, sys
import client, company_protos, server
for package in (server, client, company_protos):
    assert package.__file__.startswith(sys.argv[1]), f"{package.__name__} is not the installed one"
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
import server.app
"""
"""Run in the scratch venv with its path as argument: imports each shipped module as installed."""


def _wheel_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return {name for name in archive.namelist() if ".dist-info/" not in name}


def _tracked_files(*folders: str) -> set[str]:
    listed = subprocess.run(
        ["git", "ls-files", *folders], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return set(listed.stdout.split())


def test_the_wheel_holds_every_file_of_the_shipped_packages_but_the_dev_modules(built_wheel: Path) -> None:
    files = _wheel_files(built_wheel)
    assert files.isdisjoint(DEV_ONLY_MODULES)
    assert {name.split("/", 1)[0] for name in files} == set(SHIPPED_PACKAGES)
    assert files == _tracked_files(*SHIPPED_PACKAGES) - set(DEV_ONLY_MODULES)


def _module_name(path: str) -> str:
    parts = path.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _first_party_imports(source: str, module: str, is_package: bool) -> set[str]:
    """Absolute names of the modules ``source`` imports, relative imports resolved."""
    names: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            parent = ".".join([*base, *([node.module] if node.module else [])])
            # ``from a import b``: b is a submodule or a name in a; either way a is imported.
            names.add(parent)
            names.update(f"{parent}.{alias.name}" for alias in node.names)
    return names


def test_no_shipped_module_imports_a_module_the_wheel_leaves_out(built_wheel: Path) -> None:
    """Lazy imports inside functions count too: the scratch-venv test below only sees import time."""
    files = _wheel_files(built_wheel)
    shipped = {_module_name(name) for name in files if name.endswith(".py")}
    dev_tops = {path.split("/", 1)[0] for path in _tracked_files() if path.endswith(".py")} - set(
        SHIPPED_PACKAGES
    )
    missing: list[str] = []
    with zipfile.ZipFile(built_wheel) as archive:
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            source = archive.read(name).decode()
            for imported in _first_party_imports(source, _module_name(name), name.endswith("__init__.py")):
                top = imported.split(".", 1)[0]
                if top in dev_tops or (top in SHIPPED_PACKAGES and not _resolves(imported, shipped)):
                    missing.append(f"{name} imports {imported}")
    assert not missing


def _resolves(imported: str, shipped: set[str]) -> bool:
    """A module of the wheel, or a name defined in one (``from server.settings import Settings``)."""
    return imported in shipped or imported.rpartition(".")[0] in shipped


def test_a_venv_with_only_the_runtime_dependencies_runs_the_installed_wheel(
    uv: Path, built_wheel: Path, tmp_path: Path
) -> None:
    """Every shipped module imports, and ``companyctl`` runs, with no dev group installed."""
    venv = tmp_path / "venv"
    environment = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(venv)}
    offline = [str(uv), "--quiet", "--offline"]
    sync = [
        *offline,
        "sync",
        "--frozen",
        "--no-default-groups",
        "--no-install-project",
        "--project",
        str(ROOT),
    ]
    subprocess.run(sync, env=environment, check=True, capture_output=True)
    python = venv / "bin" / "python"
    pip = [*offline, "pip"]
    subprocess.run([*pip, "install", "--no-deps", "--python", str(python), built_wheel], check=True)
    check = subprocess.run([*pip, "check", "--python", str(python)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    # -I: neither this checkout nor PYTHONPATH on the path, only what the venv installed.
    imported = subprocess.run(
        [python, "-I", "-c", IMPORT_EVERY_MODULE, venv], cwd=tmp_path, capture_output=True, text=True
    )
    assert imported.returncode == 0, imported.stderr
    usage = subprocess.run(
        [venv / "bin" / "companyctl", "--help"], cwd=tmp_path, check=True, capture_output=True, text=True
    )
    assert usage.stdout.startswith("Usage: companyctl")
