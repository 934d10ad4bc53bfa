"""Generated code is reproducible from protos/: a stale company_protos or descriptor set fails the build."""

from __future__ import annotations

import filecmp
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_generated_package_and_descriptor_match_a_fresh_generation(tmp_path: Path) -> None:
    """Every file of company_protos/ is generated: none may be missing, extra or stale."""
    package, descriptor = tmp_path / "company_protos", tmp_path / "descriptor.binpb"
    subprocess.run(
        ["make", "-s", "protos", f"STUBS={package}", f"DESCRIPTOR={descriptor}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    committed = _tree(ROOT / "company_protos")
    fresh = _tree(package)
    assert sorted(fresh) == sorted(committed), "run `make protos`: the set of generated files changed"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"run `make protos`: stale generated files {stale}"
    assert filecmp.cmp(descriptor, ROOT / "envoy" / "descriptor.binpb", shallow=False), (
        "run `make protos`: envoy/descriptor.binpb is stale"
    )


def test_buf_lint_passes() -> None:
    """The protos follow buf's STANDARD rules, except the exemptions buf.yaml explains."""
    result = subprocess.run(["make", "-s", "lint-protos"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
