"""The installed ICD-10-CM Table of Drugs and Chemicals (part of the imported index pack).

Poisoning, adverse effect and underdosing codes are read from the Table's cell for the
substance and the column (I.C.19.e.5). The Table is the user's imported publisher file; with
none installed the callers code nothing from it and say so.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from pathlib import Path

from medcoder.codesets.icd10cm_tables import DrugTable


@lru_cache(maxsize=4)
def _table(path: Path) -> DrugTable | None:
    from medcoder.codesets.icd10cm_index_pack import read_drug_table

    with sqlite3.connect(path) as conn:
        return read_drug_table(conn)


def installed_drug_table() -> DrugTable | None:
    """The Table of Drugs of the newest imported index pack, or ``None`` when none is."""
    from medcoder.codesets import registry
    from medcoder.errors import PackNotFoundError

    try:
        info = registry.choose("icd10cm-index", None, "ICD-10-CM index")
        return _table(info.path)
    except (PackNotFoundError, sqlite3.Error):  # no index pack, or one without the Table
        return None
