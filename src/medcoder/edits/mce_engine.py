"""msdrg's Medicare Code Editor, and which code caused each of its edits.

``msdrg.MceEditor().edit(claim)`` (the MCE ported from the CMS Java MCE)
answers with edit *names and counts* only, e.g. ``AGE_CONFLICT x1``. A scrubber finding must
name the code to fix, so this module ties every edit to its code(s):

* **per-code profiles** (:func:`profile`, cached): each diagnosis is edited alone as the
  only secondary diagnosis under a neutral principal (:data:`NEUTRAL_PDX`). What it raises
  there (invalid code, age conflict, sex conflict, unspecified laterality, wrong procedure
  performed) does not depend on the other codes of the claim. When an age edit shows, the
  ages 0-124 are scanned once to find the range the code allows, which names the MCE age
  category (newborn 0, pediatric 0-17, maternity 9-64 or 12-55 in older MCEs, adult
  15-124). Profiles are cached per (code, quarter, sex-edit date): the MCE changes with the
  code sets at quarter starts (1 October, 1 April, occasionally 1 January).
* **principal-diagnosis edits** (manifestation, external cause, unacceptable principal,
  questionable admission, principal that needs a secondary, non-specific principal) belong
  to the principal diagnosis by definition; they are taken from the run of the whole claim.
* **procedure and combination edits** (non-covered, limited coverage, questionable
  obstetric admission, sex conflicts of PCS codes ...) depend on the other codes, age and
  sex, so the whole claim is edited again without each procedure in turn; a procedure is
  named when leaving it out lowers the edit's count.
* what is still unexplained (an edit counted more often than codes were found for it) is
  reported as a claim-level hit, never dropped.

One MCE call takes about 13 microseconds (measured on the 2-core dev machine, 1,000 calls of
a 3-diagnosis claim), so a profile costs about 8 calls and an age scan 125, once per code.

Measured with msdrg 1.2.0 (see tests/edits/test_mce.py): the diagnosis *and* procedure
sex-conflict edits fire for discharges up to 2024-09-30 and not from 2024-10-01 (the FY2025
MCE deactivated them); :attr:`medcoder.edits.mce.MceConfig.sex_edits_as_of` applies the last
active lists for payers that still edit sex.
"""

from __future__ import annotations

import atexit
import datetime as dt
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

try:  # the native MCE; without it the scrubber falls back to the seed age/sex tables
    import msdrg as _msdrg
except ImportError:  # pragma: no cover - exercised only where msdrg is not installed
    _msdrg = None

SEX_CODES = {"M": 0, "F": 1, "U": 2}  # msdrg's coding, as in medcoder.claims.drg
#: Pneumonia, unspecified organism: valid since FY2016 and free of every MCE edit at every
#: age and sex (checked for ages 0/10/40/80 and both sexes with msdrg 1.2.0).
NEUTRAL_PDX = "J189"
#: Edits about the principal diagnosis itself.
PDX_EDITS = frozenset(
    {
        "MANIFESTATION_AS_PDX",
        "E_CODE_AS_PDX",
        "UNACCEPTABLE_PDX",
        "QUESTIONABLE_ADMISSION",
        "REQUIRES_SDX",
        "NONSPECIFIC_PDX",
    }
)
#: Edits a diagnosis raises on its own wherever it is listed (found by the profiles).
CODE_EDITS = frozenset(
    {"AGE_CONFLICT", "SEX_CONFLICT", "INVALID_CODE", "UNSPECIFIED", "WRONG_PROCEDURE_PERFORMED"}
)
#: Edits of the claim's fields, not of a code.
CLAIM_EDITS = frozenset(
    {"INVALID_AGE", "INVALID_SEX", "INVALID_DISCHARGE_STATUS", "MEDICARE_IS_SECONDARY_PAYER"}
)
#: Reported by DX-DUP-001 already (the same test: a secondary identical to the principal).
IGNORED_EDITS = frozenset({"DUPLICATE_OF_PDX"})
_AGE_PROBES = (0, 10, 16, 40, 80, 124)  # each MCE age range excludes at least one of these
MAX_AGE = 124

_lock = threading.Lock()
_editor: Any = None


def available() -> bool:
    """Whether msdrg's MCE can be used (the package imports and its data file opens)."""
    return editor() is not None


def editor() -> Any:
    """The process-wide ``msdrg.MceEditor`` (thread-safe once built), or None without msdrg."""
    global _editor
    if _editor is None and _msdrg is not None:
        with _lock:
            if _editor is None:
                try:
                    _editor = _msdrg.MceEditor()
                except (OSError, RuntimeError):
                    return None
                atexit.register(_editor.close)
    return _editor


def yyyymmdd(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def quarter(day: dt.date) -> dt.date:
    """First day of ``day``'s calendar quarter (the MCE tables change only at such dates)."""
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def edit(claim: dict[str, Any]) -> Counter[str]:
    """Edit names and counts the MCE raises on ``claim`` (msdrg's input dict)."""
    result = editor().edit(claim)
    out: Counter[str] = Counter()
    for item in result["edits"]:
        out[item["name"]] += int(item["count"])
    return out


def _claim(
    on: dt.date,
    age: int,
    sex: int,
    pdx: str,
    sdx: Sequence[str] = (),
    procedures: Sequence[str] = (),
    status: int = 1,
    admit: str | None = None,
) -> dict[str, Any]:
    claim: dict[str, Any] = {
        "discharge_date": yyyymmdd(on),
        "age": age,
        "sex": sex,
        "discharge_status": status,
        "pdx": {"code": pdx},
        "sdx": [{"code": c} for c in sdx],
        "procedures": [{"code": c} for c in procedures],
    }
    if admit:
        claim["admit_dx"] = {"code": admit}
    return claim


def _probe(key: str, on: dt.date, age: int, sex: int) -> Counter[str]:
    return edit(_claim(on, age, sex, NEUTRAL_PDX, [key]))


@dataclass(frozen=True)
class CodeProfile:
    """What the MCE says about one diagnosis on its own, for one quarter."""

    key: str
    invalid: bool
    ages: tuple[int, int] | None  # allowed ages when the code has an age edit
    sex_conflicts: frozenset[str]  # patient sexes ("M", "F") the code conflicts with
    other: frozenset[str]  # further code-level edits (UNSPECIFIED, WRONG_PROCEDURE_PERFORMED)

    @property
    def age_category(self) -> str | None:
        """``newborn``/``pediatric``/``maternity``/``adult`` from the allowed range."""
        if self.ages is None:
            return None
        low, high = self.ages
        if high == 0:
            return "newborn"
        if low == 0:
            return "pediatric"
        if high >= MAX_AGE:
            return "adult"
        return "maternity"

    def age_conflict(self, age: int) -> bool:
        return self.ages is not None and not self.ages[0] <= age <= self.ages[1]


@lru_cache(maxsize=65536)
def profile(key: str, on: dt.date, sex_on: dt.date) -> CodeProfile:
    """The MCE profile of dotless diagnosis ``key``; ``on`` and ``sex_on`` are quarter starts.

    ``sex_on`` is the date whose sex-conflict lists apply (usually ``on``).
    """
    base = _probe(key, on, 40, 2)
    if "INVALID_CODE" in base:
        return CodeProfile(key, True, None, frozenset(), frozenset())
    ages = None
    if "AGE_CONFLICT" in base or any(
        "AGE_CONFLICT" in _probe(key, on, a, 2) for a in _AGE_PROBES if a != 40
    ):
        allowed = [a for a in range(MAX_AGE + 1) if "AGE_CONFLICT" not in _probe(key, on, a, 2)]
        ages = (allowed[0], allowed[-1]) if allowed else (MAX_AGE + 1, MAX_AGE + 1)
    sexes = frozenset(
        s for s, n in (("M", 0), ("F", 1)) if "SEX_CONFLICT" in _probe(key, sex_on, 40, n)
    )
    other = frozenset(base) - {"AGE_CONFLICT", "SEX_CONFLICT"} - IGNORED_EDITS
    return CodeProfile(key, False, ages, sexes, other)


@dataclass(frozen=True)
class Hit:
    """One MCE edit tied to what caused it.

    ``kind`` is ``diagnosis`` (``position`` 1-based, 1 = principal, or ``"admitting"``),
    ``procedure`` (``position`` 1-based in ``procedures``) or ``claim`` (no code found).
    """

    edit: str
    kind: str
    codes: tuple[str, ...] = ()
    position: int | str | None = None
    profile: CodeProfile | None = None


@dataclass(frozen=True)
class ClaimInput:
    """The MCE's view of one encounter (dotless codes)."""

    on: dt.date
    age: int
    sex: str
    diagnoses: tuple[str, ...]
    procedures: tuple[str, ...] = ()
    admitting: str | None = None
    discharge_status: int = 1
    sex_on: dt.date | None = None  # date of the sex-conflict lists, when not ``on``


def code_hits(claim: ClaimInput, edits: frozenset[str] = CODE_EDITS) -> list[Hit]:
    """Code-level edits of each diagnosis from its cached profile (no whole-claim run)."""
    on = quarter(claim.on)
    sex_on = quarter(claim.sex_on or claim.on)
    hits: list[Hit] = []
    listed: list[tuple[int | str, str]] = list(enumerate(claim.diagnoses, 1))
    if claim.admitting:
        listed.append(("admitting", claim.admitting))
    for pos, key in listed:
        prof = profile(key, on, sex_on)
        names = []
        if prof.invalid:
            names.append("INVALID_CODE")
        elif pos != "admitting":
            if prof.age_conflict(claim.age):
                names.append("AGE_CONFLICT")
            if claim.sex in prof.sex_conflicts:
                names.append("SEX_CONFLICT")
            names.extend(sorted(prof.other))
        hits.extend(Hit(n, "diagnosis", (key,), pos, prof) for n in names if n in edits)
    return hits


def claim_hits(claim: ClaimInput) -> list[Hit]:
    """Every MCE edit on an inpatient claim, each tied to its code(s) where one is found."""
    if not claim.diagnoses:
        return []
    whole = _whole(claim)
    hits = code_hits(claim)
    found: Counter[str] = Counter(h.edit for h in hits)
    pdx = claim.diagnoses[0]
    for name in sorted(whole):
        missing = whole[name] - found[name]
        if name in IGNORED_EDITS or missing <= 0:
            continue
        if name in PDX_EDITS:
            hits.append(Hit(name, "diagnosis", (pdx,), 1))
        elif name == "INVALID_ADMIT_DX" and claim.admitting:
            hits.append(Hit(name, "diagnosis", (claim.admitting,), "admitting"))
        elif name in CLAIM_EDITS:
            hits.append(Hit(name, "claim"))
        else:
            hits.extend(_by_procedure(claim, name, whole[name], missing))
    return hits


def _whole(claim: ClaimInput, procedures: Sequence[str] | None = None) -> Counter[str]:
    return edit(
        _claim(
            claim.on,
            claim.age,
            SEX_CODES[claim.sex],
            claim.diagnoses[0],
            claim.diagnoses[1:],
            claim.procedures if procedures is None else procedures,
            claim.discharge_status,
            claim.admitting,
        )
    )


def _by_procedure(claim: ClaimInput, name: str, total: int, missing: int) -> list[Hit]:
    """Procedures whose removal lowers the count of ``name``; the rest is claim-level."""
    hits: list[Hit] = []
    for i, key in enumerate(claim.procedures):
        if missing <= 0:
            break
        rest = claim.procedures[:i] + claim.procedures[i + 1 :]
        drop = total - _whole(claim, rest)[name]
        if drop > 0:
            hits.append(Hit(name, "procedure", (key,), i + 1))
            missing -= drop
    if missing > 0:
        hits.append(Hit(name, "claim", tuple(claim.procedures)))
    return hits
