"""Format checks of the production parsers over recorded registry answers nobody on the team wrote.

``../shared/registry-samples`` (from the repository root) holds real responses copied from public
projects (its README says which file came from where). They live outside the repository, so no test may
need them; ``make eval`` runs these checks when they are present and says so when they are not.

- ``sec-formd/``: every ``D.*.xml`` must parse as a Form D notice stating its submission type and issuer;
  every other file (Form C and its variants) must be recognised as not Form D (``NotFormDError``), not
  refused as unreadable.
"""

from __future__ import annotations

from pathlib import Path

from server.extraction.form_d import FormDError, NotFormDError, parse_form_d

FORM_D_DIR = "sec-formd"
FORM_D_PREFIX = "D."


def check_form_d(samples: Path) -> tuple[list[str], bool]:
    """Report lines and whether every sample in ``samples/sec-formd`` was read as its kind requires."""
    folder = samples / FORM_D_DIR
    files = sorted(folder.glob("*.xml")) if folder.is_dir() else []
    if not files:
        return [f"Form D format check: no samples at {folder}, skipped"], True
    lines, ok = [], True
    for path in files:
        text = path.read_text("utf-8", errors="replace")
        expected = "Form D" if path.name.startswith(FORM_D_PREFIX) else "not Form D"
        try:
            notice = parse_form_d(text)
        except NotFormDError as exc:
            verdict = f"recognised as {exc.submission_type}, not Form D"
            right = expected == "not Form D"
        except FormDError as exc:
            verdict, right = f"refused: {exc}", False
        else:
            sold = notice.total_amount_sold
            verdict = (
                f"{notice.submission_type} of {notice.issuer_name!r}: sold {sold}, offered "
                f"{'Indefinite' if notice.offering_indefinite else notice.total_offering_amount}, "
                f"{len(notice.related_persons)} related person(s)"
            )
            right = expected == "Form D" and notice.issuer_name is not None
        ok = ok and right
        lines.append(f"  {'ok ' if right else 'BAD'} {path.name} (expected {expected}): {verdict}")
    passed = sum(line.startswith("  ok") for line in lines)
    return [f"Form D format check: {passed}/{len(files)} samples read as expected ({folder})", *lines], ok
