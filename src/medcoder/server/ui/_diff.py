"""The tracked corrections between two report versions, as lines a template can colour.

Computed from the versions' texts rather than parsed from the stored ``diff``: request bodies
are whitespace-stripped, so a stored diff of texts without a final newline runs the removed
and added lines together ("-old+new"); the texts themselves are always right.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add" | "del" | "hunk" | "same"
    text: str


def diff_lines(old: str, new: str, *, context: int = 2) -> list[DiffLine]:
    out = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), n=context, lineterm=""):
        if line.startswith(("+++", "---")):
            continue  # file headers: the version numbers are shown beside the diff
        if line.startswith("@@"):
            out.append(DiffLine("hunk", line))
        elif line.startswith("+"):
            out.append(DiffLine("add", line[1:]))
        elif line.startswith("-"):
            out.append(DiffLine("del", line[1:]))
        else:
            out.append(DiffLine("same", line[1:]))
    return out
