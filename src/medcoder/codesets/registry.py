"""Which compiled pack answers for a code system on a date.

Packs live in :func:`pack_store.packs_dir`. The built-in ICD-10-CM default is compiled on
first use from the CDC tabular XML that the ``simple-icd-10-cm`` package ships (FY2026, April
update), so medcoder works out of the box; official files imported with ``medcoder data
import`` add other years and the index, drug, neoplasm and external-cause tables.

Two ways to ask for a date of service:

- :func:`choose` is strict: the pack in force on the date or :class:`PackNotFoundError`
  (the scrubber checks a claim against the code set of its date, never another);
- :func:`resolve` never refuses while some pack of the component exists: the pack in force,
  else the nearest installed one, with a warning that names the fiscal year used and the one
  missing (coding a note with the FY2026 code set when FY2027 is not installed yet beats
  coding nothing; the result says so).
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


#: the code system (as users name it) each pack component serves
SYSTEMS = {
    TABULAR: "ICD-10-CM",
    "icd10cm-index": "ICD-10-CM index",
    "icd10pcs": "ICD-10-PCS",
    "hcpcs": "HCPCS",
    "cpt": "CPT",
}
_FISCAL_YEAR_COMPONENTS = frozenset({TABULAR, "icd10cm-index", "icd10pcs"})


def version_label(info: PackInfo) -> str:
    """``FY2026`` for ICD-10 packs (fiscal years), the version as published otherwise."""
    return f"FY{info.version}" if info.component in _FISCAL_YEAR_COMPONENTS else info.version


def missing_version(component: str, on: date) -> str:
    """What is missing for the date: ``FY2027 is not installed`` (ICD-10 fiscal years), or
    ``no installed version is in force on 2026-12-05`` (HCPCS quarters, CPT years)."""
    from medcoder.codesets.periods import fiscal_year_of

    if component in _FISCAL_YEAR_COMPONENTS:
        return f"FY{fiscal_year_of(on)} is not installed"
    return f"no installed version is in force on {on.isoformat()}"


@dataclass(frozen=True)
class Resolution:
    """The pack a date of service gets, and whether it is the one in force on that date."""

    info: PackInfo
    on: date | None
    exact: bool

    @property
    def system(self) -> str:
        return SYSTEMS.get(self.info.component, self.info.component)

    @property
    def label(self) -> str:
        return version_label(self.info)

    @property
    def warning(self) -> str | None:
        """One line naming the version used and the one missing; None when exact."""
        if self.exact or self.on is None:
            return None
        return (
            f"{self.system} for the date of service {self.on.isoformat()}: "
            f"{missing_version(self.info.component, self.on)}; used {self.label} "
            f"({self.info.period}), the nearest installed (`medcoder data import PATH` adds "
            "the right one)"
        )


def _distance(period: Period, on: date) -> int:
    if on in period:
        return 0
    return (period.start - on).days if on < period.start else (on - period.end).days


def resolve(component: str, on: date | None, system: str | None = None) -> Resolution:
    """The pack of ``component`` for a date of service: in force, else the nearest installed.

    The newest pack answers when ``on`` is None. Between two equally near packs the newer one
    wins. Raises :class:`PackNotFoundError` only when no pack of the component exists at all.
    """
    packs = list_packs(component)
    if not packs:
        name = system or SYSTEMS.get(component, component)
        raise PackNotFoundError(name, "none built yet; run `medcoder data import PATH`")
    if on is None:
        return Resolution(packs[-1], None, True)
    best = min(reversed(packs), key=lambda p: _distance(p.period, on))
    return Resolution(best, on, on in best.period)


def installed_versions() -> dict[str, list[PackInfo]]:
    """Every component medcoder knows, with its installed packs (oldest first; may be empty)."""
    out: dict[str, list[PackInfo]] = {component: [] for component in SYSTEMS}
    for info in list_packs():
        out.setdefault(info.component, []).append(info)
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


def icd10cm_resolved(on: date | None = None) -> tuple[ICD10CMPack, Resolution]:
    """The ICD-10-CM tabular pack for a date of service, the nearest when none is in force."""
    ensure_default_packs()
    chosen = resolve(TABULAR, on, "ICD-10-CM")
    return _cached(chosen.info.path, ICD10CMPack), chosen


def icd10cm_all() -> list[ICD10CMPack]:
    ensure_default_packs()
    return [_cached(p.path, ICD10CMPack) for p in list_packs(TABULAR)]


def clear_cache() -> None:
    """Forget opened packs (after an import, or between tests)."""
    _open.clear()
