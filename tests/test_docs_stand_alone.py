"""The project's documentation stands alone: nothing in the repository points at notes that are
not in it, every docs/ page that code cites exists, and every section cited is there."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Names of the notes this project's docs replaced; spelled in two parts so this file is not
# itself a reference.
OUTSIDE_NOTES = ("DOMAIN" + ".md", "EVALUATION" + ".md", "../shared" + "/docs")


def _tracked_text_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [REPO / name for name in listed if (REPO / name).is_file()]


def test_nothing_refers_to_notes_outside_the_repository() -> None:
    offenders = []
    for path in _tracked_text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        offenders += [f"{path.relative_to(REPO)}: {n}" for n in OUTSIDE_NOTES if n in text]
    assert offenders == []


def test_every_docs_page_cited_exists_with_the_sections_cited() -> None:
    cited = re.compile(r"docs/([a-z_]+\.md)(?:\s+§(\d+(?:\.\d+)?))?")
    missing = []
    for path in _tracked_text_files():
        if path.suffix not in (".py", ".md", ".yaml", ".json", ".html", ".j2"):
            continue
        for page, section in cited.findall(path.read_text(encoding="utf-8")):
            target = REPO / "docs" / page
            if not target.is_file():
                missing.append(f"{path.relative_to(REPO)} cites docs/{page}")
            elif section and not re.search(
                rf"^#+ {re.escape(section)}\.? ", target.read_text(encoding="utf-8"), re.M
            ):
                missing.append(f"{path.relative_to(REPO)} cites docs/{page} §{section}")
    assert missing == []
