"""Build the concept vocabulary from the packs once, and keep it compiled on disk.

Building from ~100,000 titles and the index takes a few seconds; loading the cached result
(plain tuples written with ``marshal``: no code runs while reading it) takes a fraction of that, which keeps ``medcoder code one_note.txt`` quick to start. The cache
name carries the pack versions and build times, so importing a new pack invalidates it.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import tempfile
from pathlib import Path

from medcoder.codesets import pack_store
from medcoder.codesets.icd10cm_pack import ICD10CMPack
from medcoder.nlp.index_vocabulary import index_entries, index_signature
from medcoder.nlp.vocabulary import Vocabulary, tabular_entries

CACHE_FORMAT = "3"


def _code_fingerprint() -> str:
    """Size and mtime of the modules that build the vocabulary: editing them rebuilds it."""
    import medcoder.nlp as nlp_pkg

    folder = Path(nlp_pkg.__file__).parent
    parts = []
    for name in ("vocabulary.py", "index_vocabulary.py", "tokens.py", "lexicon.py"):
        stat = (folder / name).stat()
        parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return ";".join(parts)


def _signature(pack: ICD10CMPack, extra: str) -> str:
    meta = pack.meta
    raw = "|".join(
        [CACHE_FORMAT, str(pack.path), meta.get("built_at", ""), extra, _code_fingerprint()]
    )
    return hashlib.sha1(raw.encode()).hexdigest()[:16]


def build_vocabulary(pack: ICD10CMPack) -> Vocabulary:
    billable = {k for k in pack.billable_keys()}
    rows = pack._conn.execute("SELECT key, text, source FROM search").fetchall()
    entries = [e for e in tabular_entries(rows) if e.code in billable]
    index, _ = index_entries(pack)
    entries.extend(e for e in index if e.code in billable)
    return Vocabulary(entries)


def _unmarshal(data: bytes) -> tuple:
    """``marshal.loads`` with the cyclic garbage collector paused.

    The cache holds about 450,000 tuples and lists; each batch of new containers sets
    off a collection that walks every object alive (spaCy's included, loaded just before),
    which made reading the cache two to three times slower in ``medcoder code`` (0.18-0.24 s
    instead of 0.06-0.08 s). Plain marshalled data holds no reference cycles, so pausing
    the collector while reading it leaves nothing for it to find.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return marshal.loads(data)
    finally:
        if was_enabled:
            gc.enable()


def load_vocabulary(pack: ICD10CMPack) -> Vocabulary:
    """The vocabulary for ``pack``, from the on-disk cache when it is current."""
    extra = index_signature(pack)
    folder = pack_store.data_dir() / "cache"
    path = folder / f"vocabulary-{pack.version}-{_signature(pack, extra)}.marshal"
    if path.exists():
        try:
            return Vocabulary.from_plain(_unmarshal(path.read_bytes()))
        except (OSError, ValueError, EOFError, TypeError):
            path.unlink(missing_ok=True)
    vocabulary = build_vocabulary(pack)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"vocabulary-{pack.version}-*"):
        old.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(marshal.dumps(vocabulary.to_plain()))
    os.replace(tmp, path)
    return vocabulary
