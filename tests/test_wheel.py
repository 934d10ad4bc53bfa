"""The production wheel ships the service, the client and the generated code, and none of the dev tooling."""

from __future__ import annotations

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
