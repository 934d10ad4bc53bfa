"""The eval's format check of the Form D reader, on authored sample folders (never ../shared)."""

from __future__ import annotations

from pathlib import Path

from sandbox.corpus_facts import COMPANIES
from sandbox.eval_registry_samples import check_form_d
from sandbox.knowledge_facts import KNOWLEDGE
from sandbox.knowledge_formd import notice_xml

FACTS = next(facts for facts in COMPANIES if facts["domain"] == "halyard-therapeutics.example")
FORMD = KNOWLEDGE["halyard-therapeutics.example"]["formd"]
FORM_C = """<?xml version="1.0" encoding="UTF-8"?>
<edgarSubmission xmlns="http://www.sec.gov/edgar/formc"><headerData><submissionType>C-U</submissionType>
</headerData></edgarSubmission>"""


def _samples(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "sec-formd"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, "utf-8")
    return tmp_path


def test_the_check_passes_on_notices_and_recognised_form_c(tmp_path: Path) -> None:
    notice = notice_xml(FACTS, FORMD, FORMD["filings"][1])
    lines, ok = check_form_d(_samples(tmp_path, {"D.Halyard.xml": notice, "Acme.FormCU.xml": FORM_C}))
    assert ok
    assert lines[0].startswith("Form D format check: 2/2 samples read as expected")


def test_the_check_fails_on_a_notice_it_cannot_read_or_a_form_c_read_as_form_d(tmp_path: Path) -> None:
    notice = notice_xml(FACTS, FORMD, FORMD["filings"][0])
    lines, ok = check_form_d(_samples(tmp_path, {"D.Broken.xml": notice[:400], "Other.FormC.xml": notice}))
    assert not ok
    assert [line.split()[0] for line in lines[1:]] == ["BAD", "BAD"]


def test_absent_samples_are_reported_as_skipped(tmp_path: Path) -> None:
    lines, ok = check_form_d(tmp_path / "missing")
    assert ok and "skipped" in lines[0]
