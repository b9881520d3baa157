"""Interchange control numbers that never repeat for a submitter, and the log of what was sent.

A receiver rejects an interchange whose ISA13 it has seen from the same sender (duplicate
interchange, TA1 code 025), and a 999 or 277CA acknowledgment names the interchange and
transaction set it answers only by these numbers. So the number must be unique per sender over
a long time, whichever command, process or machine user wrote the file: a clock (two runs
in one minute) or a per-run counter (every batch starting at 1) are not.

The state is one small SQLite file in the user data directory (``x12/interchanges.sqlite``
under :func:`medcoder.codesets.pack_store.data_dir`): a counter per sender id, taken inside
``BEGIN IMMEDIATE`` so concurrent processes serialise on SQLite's write lock and never get the
same number, and a ``sent`` table (sender, control number, claim id, kind, usage, when) that
:mod:`medcoder.claims.acknowledgments` reads to tie a 999 or 277CA back to the claims it
answers. Numbers run from 1 to 999,999,999 (ISA13 is nine digits) and then start again at 1.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from medcoder.errors import SourceFileError

MAX_CONTROL_NUMBER = 999_999_999
_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (sender TEXT PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sent (
    sender TEXT NOT NULL,
    control_number INTEGER NOT NULL,
    claim_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    usage TEXT NOT NULL,
    sent_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sent_by_number ON sent (sender, control_number);
CREATE INDEX IF NOT EXISTS sent_by_claim ON sent (claim_id);
"""


@dataclass(frozen=True)
class SentClaim:
    """One claim of an interchange medcoder wrote."""

    sender: str
    control_number: int
    claim_id: str
    kind: str
    usage: str
    sent_at: str


def default_path() -> Path:
    """``x12/interchanges.sqlite`` in the medcoder data directory."""
    from medcoder.codesets.pack_store import data_dir

    return data_dir() / "x12" / "interchanges.sqlite"


class ControlNumbers:
    """The persisted counters and sent log; safe to use from several processes at once."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            conn.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise SourceFileError(self.path, f"cannot open the control-number file: {exc}") from exc
        return conn

    def take(self, sender: str, count: int = 1) -> list[int]:
        """``count`` fresh control numbers for ``sender``, in order, never handed out before
        (until the nine digits wrap around)."""
        if count < 1:
            return []
        if count > MAX_CONTROL_NUMBER:
            raise ValueError(f"cannot take {count} control numbers at once")
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            row = conn.execute("SELECT last FROM counters WHERE sender = ?", (sender,)).fetchone()
            last = row[0] if row else 0
            numbers = [(last + i) % MAX_CONTROL_NUMBER + 1 for i in range(count)]
            conn.execute(
                "INSERT INTO counters (sender, last) VALUES (?, ?) "
                "ON CONFLICT(sender) DO UPDATE SET last = excluded.last",
                (sender, numbers[-1]),
            )
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise SourceFileError(self.path, f"cannot take a control number: {exc}") from exc
        finally:
            conn.close()
        return numbers

    def record(
        self,
        sender: str,
        sent: Iterable[tuple[int, str]],
        *,
        kind: str,
        usage: str,
        when: dt.datetime | None = None,
    ) -> None:
        """Log (control number, claim id) pairs written for ``sender`` (acknowledgment
        matching); one transaction for the lot."""
        stamp = (when or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
        rows = [(sender, number, cid, kind, usage, stamp) for number, cid in sent]
        if not rows:
            return
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT INTO sent VALUES (?, ?, ?, ?, ?, ?)", rows)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise SourceFileError(self.path, f"cannot log the interchange: {exc}") from exc
        finally:
            conn.close()

    def sent(
        self, *, control_number: int | None = None, claim_id: str | None = None
    ) -> list[SentClaim]:
        """The logged claims with this control number (any sender) or this claim id."""
        if not self.path.exists():
            return []
        where, args = [], []
        if control_number is not None:
            where.append("control_number = ?")
            args.append(control_number)
        if claim_id is not None:
            where.append("claim_id = ?")
            args.append(claim_id)
        sql = "SELECT * FROM sent" + (" WHERE " + " AND ".join(where) if where else "")
        conn = self._connect()
        try:
            return [SentClaim(*row) for row in conn.execute(sql + " ORDER BY rowid", args)]
        finally:
            conn.close()
