"""The README stays true: every setting is in its configuration table, every make target it names exists."""

from __future__ import annotations

import re
from pathlib import Path

from server.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_every_setting_has_a_row_in_the_configuration_table() -> None:
    documented = set(re.findall(r"`(COMPANY_BATCH_[A-Z_]+)`", README))
    expected = {f"COMPANY_BATCH_{name.upper()}" for name in Settings.model_fields}
    assert expected - documented == set(), "add these settings to the README's configuration table"
    assert documented - expected == set(), "the README documents settings that do not exist"


def test_every_make_target_the_readme_names_exists() -> None:
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z-]+):", makefile, flags=re.MULTILINE))
    named = set(re.findall(r"`make ([a-z-]+)`", README)) | set(
        re.findall(r"^make ([a-z-]+)", README, re.MULTILINE)
    )
    assert named, "the README names no make targets"
    assert named - targets == set()


def test_the_ci_script_runs_the_readme_test_command() -> None:
    assert "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text()
