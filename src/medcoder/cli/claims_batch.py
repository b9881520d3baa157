"""``medcoder batch``: many encounters -> one scrubbed, validated 837 file each, never stopped
by one bad encounter and never writing outside its folder.

Every encounter ends as one report row: ``written`` (its file), ``held`` (a blocking scrub
finding, listed) or ``failed`` (the reason: unreadable JSON, a field the schema refuses, a
duplicate id, a claim the writer or pyx12 refuses, or an unexpected error, named with its
type). Claims are written through :func:`medcoder.claims.submission.write_claims` a chunk at a
time, so pyx12 validates a hundred interchanges per run instead of one.

File names come from the encounter id with everything but letters, digits, ``.``, ``_`` and
``-`` replaced, so an id such as ``../X`` cannot leave the output folder; two encounters whose
ids (or safe names) collide are a failure of the second, never an overwrite.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from medcoder.claims.errors import ClaimError
from medcoder.claims.model import ClaimEncounter
from medcoder.claims.submission import VALIDATION_CHUNK, ClaimFile, Submitter, write_claims
from medcoder.edits import Scrubber

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
Row = dict[str, Any]


def safe_file_name(encounter_id: str, suffix: str = ".837") -> str:
    """A file name for an encounter id that stays inside its folder (no separators, no
    leading dots, no empty name)."""
    name = _UNSAFE_NAME.sub("_", encounter_id).lstrip(".") or "_"
    return name[:200] + suffix


class BatchWriter:
    """Collects encounters, scrubs each, writes the ready ones in chunks; rows come back in
    the order the encounters were added."""

    def __init__(
        self,
        output: Path,
        kind: str,
        submitter: Submitter,
        *,
        scrubber: Scrubber,
        validate: bool = True,
        chunk: int = VALIDATION_CHUNK,
    ) -> None:
        self.output = output
        self.root = output.resolve()
        self.kind = kind
        self.submitter = submitter
        self.scrubber = scrubber
        self.validate = validate
        self.chunk = chunk
        self.counts = {"written": 0, "held": 0, "failed": 0}
        self.failed: list[Row] = []
        self._ids: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self._rows: list[Row] = []
        self._pending: list[tuple[Row, ClaimEncounter, str]] = []

    def add(
        self, path: Path, loaded: ClaimEncounter | Exception, *, on_done: Callable[[Row], None]
    ) -> None:
        """One encounter (or the error that kept it from loading)."""
        row: Row = {"file": path.name}
        self._rows.append(row)
        try:
            self._add(row, path, loaded)
        except Exception as exc:  # noqa: BLE001 - one encounter must never stop the batch
            self._fail(row, f"unexpected error ({type(exc).__name__}: {exc})")
        if len(self._pending) >= self.chunk:
            self._flush()
        if not self._pending:
            self._emit(on_done)

    def finish(self, *, on_done: Callable[[Row], None]) -> None:
        self._flush()
        self._emit(on_done)

    def _add(self, row: Row, path: Path, loaded: ClaimEncounter | Exception) -> None:
        if isinstance(loaded, Exception):
            self._fail(row, str(loaded))
            return
        encounter = loaded
        row["encounter"] = encounter.id
        if encounter.id in self._ids:
            self._fail(
                row,
                f"duplicate encounter id {encounter.id!r} (also in {self._ids[encounter.id]}); "
                "not written, so the first claim is not overwritten",
            )
            return
        self._ids[encounter.id] = path.name
        name = safe_file_name(encounter.id)
        target = (self.root / name).resolve()
        if target.parent != self.root:
            self._fail(row, f"encounter id {encounter.id!r} does not make a safe file name")
            return
        if name in self._names:
            self._fail(
                row,
                f"encounter id {encounter.id!r} gives the same file name {name} as "
                f"{self._names[name]!r}; rename one",
            )
            return
        self._names[name] = encounter.id
        report = self.scrubber.scrub(encounter)
        row["findings"] = [f.rule_id for f in report.findings]
        if not report.ready_to_submit:
            self._done(row, "held")
            return
        row["file_written"] = name
        self._pending.append((row, encounter, name))

    def _flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        try:
            results: list[ClaimFile | ClaimError] = write_claims(
                [enc for _, enc, _ in pending],
                self.kind,
                self.submitter,
                validate=self.validate,
            )
        except ClaimError as exc:  # the submitter settings: every claim of the chunk fails
            results = [exc] * len(pending)
        for (row, _, name), result in zip(pending, results, strict=True):
            if isinstance(result, ClaimError):
                row.pop("file_written", None)
                self._fail(row, str(result))
                continue
            try:
                tmp = self.root / (name + ".tmp")
                tmp.write_text(result.text, encoding="utf-8")
                tmp.replace(self.root / name)
            except OSError as exc:
                row.pop("file_written", None)
                self._fail(row, f"cannot write {name}: {exc.strerror or exc}")
                continue
            row["control_number"] = result.control_number
            self._done(row, "written")

    def _fail(self, row: Row, error: str) -> None:
        row["error"] = error
        self._done(row, "failed")
        self.failed.append(row)

    def _done(self, row: Row, status: str) -> None:
        row["status"] = status
        self.counts[status] += 1

    def _emit(self, on_done: Callable[[Row], None]) -> None:
        """Hand out the rows whose outcome is known, in the order they were added."""
        while self._rows and "status" in self._rows[0]:
            on_done(self._rows.pop(0))
