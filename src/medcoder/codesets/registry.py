"""Which compiled pack answers for a code system on a date.

Packs live in :func:`pack_store.packs_dir`. The built-in ICD-10-CM default is compiled on
first use from the CDC tabular XML that the ``simple-icd-10-cm`` package ships (FY2026, April
update), so medcoder works out of the box; official files imported with ``medcoder data
import`` add other years and the index, drug, neoplasm and external-cause tables.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from medcoder.codesets import pack_store
from medcoder.codesets.icd10cm_pack import COMPONENT as TABULAR
from medcoder.codesets.icd10cm_pack import ICD10CMPack
from medcoder.codesets.periods import Period
from medcoder.errors import PackNotFoundError

_lock = threading.Lock()
_open: dict[Path, object] = {}


@dataclass(frozen=True)
class PackInfo:
    component: str
    version: str
    period: Period
    path: Path
    source: str
    built_at: str


def builtin_tabular_xml() -> Path:
    """The CDC tabular XML shipped inside ``simple-icd-10-cm``."""
    import importlib.util

    # Located without importing: the package parses its whole XML at import time.
    spec = importlib.util.find_spec("simple_icd_10_cm")
    if spec is None or not spec.submodule_search_locations:
        raise PackNotFoundError("ICD-10-CM", "the simple-icd-10-cm package is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    candidates = sorted(folder.glob("icd10c*-tabular-*.xml"))
    if not candidates:
        raise PackNotFoundError("ICD-10-CM", f"no tabular XML inside {folder}")
    return candidates[-1]


def ensure_default_packs() -> list[Path]:
    """Compile the built-in ICD-10-CM tabular pack unless some tabular pack exists."""
    if list_packs(TABULAR):
        return []
    with _lock:
        if list_packs(TABULAR):
            return []
        from medcoder.codesets.icd10cm_pack import build_tabular_pack
        from medcoder.codesets.icd10cm_tabular import parse_tabular

        xml = builtin_tabular_xml()
        tabular = parse_tabular(xml)
        tabular.source = f"simple-icd-10-cm:{xml.name}"
        return [
            build_tabular_pack(tabular, note="built-in default (CDC tabular via simple-icd-10-cm)")
        ]


def list_packs(component: str | None = None) -> list[PackInfo]:
    """Every compiled pack on disk, newest version last."""
    folder = pack_store.packs_dir()
    if not folder.is_dir():
        return []
    out: list[PackInfo] = []
    for path in sorted(folder.glob("*.sqlite")):
        try:
            conn = pack_store.open_pack(path)
            meta = pack_store.read_meta(conn)
            conn.close()
        except Exception:  # noqa: BLE001 - an unreadable file is not a pack; list the rest
            continue
        if component and meta.get("component") != component:
            continue
        out.append(
            PackInfo(
                component=meta.get("component", "?"),
                version=meta.get("version", "?"),
                period=Period(
                    date.fromisoformat(meta["effective_from"]),
                    date.fromisoformat(meta["effective_to"]),
                ),
                path=path,
                source=meta.get("source", ""),
                built_at=meta.get("built_at", ""),
            )
        )
    out.sort(key=lambda p: (p.component, p.period.start))
    return out


def choose(component: str, on: date | None, system: str) -> PackInfo:
    """The pack of ``component`` in force on ``on``; the newest one when ``on`` is None."""
    packs = list_packs(component)
    if not packs:
        raise PackNotFoundError(system, "none built yet; run `medcoder data import PATH`")
    if on is None:
        return packs[-1]
    for info in reversed(packs):
        if on in info.period:
            return info
    have = ", ".join(f"{p.version} ({p.period})" for p in packs)
    raise PackNotFoundError(
        system,
        f"none in force on {on.isoformat()} (have {have}); import that year's files with "
        "`medcoder data import PATH`",
    )


def _cached(path: Path, factory):  # noqa: ANN001, ANN202 - small private cache
    obj = _open.get(path)
    if obj is None:
        obj = _open[path] = factory(path)
    return obj


def icd10cm(on: date | None = None) -> ICD10CMPack:
    """The ICD-10-CM tabular pack in force on ``on`` (built-in default if none imported)."""
    ensure_default_packs()
    info = choose(TABULAR, on, "ICD-10-CM")
    return _cached(info.path, ICD10CMPack)


def icd10cm_all() -> list[ICD10CMPack]:
    ensure_default_packs()
    return [_cached(p.path, ICD10CMPack) for p in list_packs(TABULAR)]


def clear_cache() -> None:
    """Forget opened packs (after an import, or between tests)."""
    _open.clear()
