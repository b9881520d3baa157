"""The SQLite database and its write-ahead log and shared memory are readable by their owner
only (issue 18, finding 8): the WAL holds recent rows, patient names and MRNs included."""

from __future__ import annotations

import os
import stat

from medcoder.store import Actor, Database
from medcoder.store.encounters import create_patient


def _mode(path) -> int:  # noqa: ANN001
    return stat.S_IMODE(os.stat(path).st_mode)


def test_database_wal_and_shm_are_owner_only(tmp_path):
    old = os.umask(0o022)  # a usual umask: files would be 0644
    try:
        path = tmp_path / "workbench.db"
        db = Database(f"sqlite:///{path}")
        db.migrate()
        with db.session() as session:  # a write: the WAL now holds a patient's name
            create_patient(session, Actor(None, "t", "manager", "t"), name="Wilhelmina Test")
        with db.engine.connect():  # a connection open: -wal and -shm exist
            files = [path, tmp_path / "workbench.db-wal", tmp_path / "workbench.db-shm"]
            assert all(f.exists() for f in files)
            assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
        db.dispose()
    finally:
        os.umask(old)


def test_an_existing_world_readable_database_is_made_owner_only(tmp_path):
    path = tmp_path / "old.db"
    first = Database(f"sqlite:///{path}")
    first.migrate()
    first.dispose()
    path.chmod(0o644)
    again = Database(f"sqlite:///{path}")
    with again.engine.connect():
        assert _mode(path) == 0o600
        assert _mode(tmp_path / "old.db-shm") == 0o600
    again.dispose()


def test_opening_a_missing_database_does_not_create_it(tmp_path):
    Database(f"sqlite:///{tmp_path / 'none.db'}").dispose()
    assert not (tmp_path / "none.db").exists()
