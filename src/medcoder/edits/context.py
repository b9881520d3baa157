"""What every rule may consult: dates, the code packs in force, edit tables, and caches.

One context is built per encounter. Code-set answers are memoised here so that rules which
look at the same diagnosis (validity, Excludes1, manifestation, age/sex) pay for one lookup
each, which keeps a scrub O(n) in diagnoses and lines (target: <= 20 ms per encounter).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from medcoder.codesets.systems import code_key
from medcoder.codesets.validation import Validation, validate_icd10cm
from medcoder.edits.mce import MceConfig

if TYPE_CHECKING:
    from medcoder.claims.model import ClaimEncounter, Line
    from medcoder.codesets.hcpcs import HcpcsCode
    from medcoder.codesets.icd10cm_pack import ICD10CMPack, Note
    from medcoder.edits.ncci import MueTable, PtpTable

ClaimType = Literal["837P", "837I"]

# Notes the rules read: Excludes1 pairs (§1.3) and "code first" sequencing (etiology/manifestation).
_NOTE_KINDS = ("excludes1", "codeFirst")


def claim_type_of(encounter: ClaimEncounter) -> ClaimType:
    """837I for institutional claims (a type of bill, revenue codes, inpatient); else 837P."""
    if encounter.type_of_bill or encounter.setting == "inpatient":
        return "837I"
    if encounter.lines and any(line.revenue_code for line in encounter.lines):
        return "837I"
    return "837P"


def date_of_service(encounter: ClaimEncounter) -> dt.date | None:
    """The date the code sets are chosen by.

    Inpatient claims use the discharge date (the MCE and grouper key on it);
    others the encounter's service date, else the earliest line date.
    """
    if encounter.setting == "inpatient" and (encounter.discharge_date or encounter.admission_date):
        return encounter.discharge_date or encounter.admission_date
    if encounter.service_date:
        return encounter.service_date
    dates = [line.service_date for line in encounter.lines or () if line.service_date]
    return min(dates) if dates else None


def age_on(birth: dt.date, on: dt.date) -> int:
    """Age in completed years on ``on``."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


@dataclass
class ScrubContext:
    """Inputs and memoised lookups shared by the rules of one scrub."""

    on: dt.date
    today: dt.date
    claim_type: ClaimType = "837P"
    pack: ICD10CMPack | None = None
    others: Sequence[ICD10CMPack] = ()
    pack_problem: str | None = None
    ptp: PtpTable | None = None
    mue: MueTable | None = None
    mce: MceConfig = field(default_factory=MceConfig)
    # The encounter's own documents (documents.model.Document) when the caller read them:
    # rules that compare a code with what the note documents need them.
    documents: Sequence[object] = ()
    _validations: dict[str, Validation] = field(default_factory=dict, repr=False)
    _titles: dict[str, str | None] = field(default_factory=dict, repr=False)
    _notes: dict[str, list[Note]] = field(default_factory=dict, repr=False)
    memo: dict[str, object] = field(default_factory=dict, repr=False)  # shared by sibling rules

    def validation(self, code: str) -> Validation | None:
        """The codeset verdict on a diagnosis on the date of service (None without a pack)."""
        if self.pack is None:
            return None
        found = self._validations.get(code)
        if found is None:
            found = self._validations[code] = validate_icd10cm(code, self.pack, others=self.others)
        return found

    def title(self, code: str) -> str | None:
        if self.pack is None:
            return None
        key = code_key(code)
        if key not in self._titles:
            self._titles[key] = self.pack.title(key) if key in self.pack.flags else None
        return self._titles[key]

    def category_title(self, code: str) -> str | None:
        """Title of the 3-character category (manifestation wording often lives there)."""
        return self.title(code_key(code)[:3])

    def notes(self, code: str, kind: str) -> list[Note]:
        """Excludes1 / codeFirst notes in force at ``code``, own and inherited (I.A.12)."""
        if self.pack is None:
            return []
        key = code_key(code)
        cached = self._notes.get(key)
        if cached is None:
            cached = self.pack.notes(key, kinds=_NOTE_KINDS) if key in self.pack.flags else []
            self._notes[key] = cached
        return [n for n in cached if n.kind == kind]

    def line_date(self, line: Line, encounter: ClaimEncounter) -> dt.date | None:
        return line.service_date or encounter.service_date

    def hcpcs(self) -> tuple[dict[str, HcpcsCode] | None, str | None]:
        """The HCPCS Level II codes and modifiers in force on the date of service, or why
        there are none (no HCPCS file imported for that date)."""
        found = self.memo.get("hcpcs")
        if found is None:
            found = self.memo["hcpcs"] = _hcpcs_for(self.on)
        return found  # type: ignore[return-value]

    def cpt(self) -> tuple[frozenset[str] | None, str | None]:
        """The CPT codes of the user's licensed CPT file in force on the date of service, or
        why there are none (no CPT file imported for that year)."""
        found = self.memo.get("cpt")
        if found is None:
            found = self.memo["cpt"] = _cpt_for(self.on)
        return found  # type: ignore[return-value]


def _cpt_for(on: dt.date) -> tuple[frozenset[str] | None, str | None]:
    from medcoder.codesets import registry
    from medcoder.errors import PackNotFoundError

    try:
        info = registry.choose("cpt", on, "CPT")
    except PackNotFoundError as exc:
        return None, str(exc)
    return _cpt_codes(str(info.path)), None


@lru_cache(maxsize=4)
def _cpt_codes(path: str) -> frozenset[str]:
    """The codes of one CPT pack (descriptors are not needed to check a code is in force)."""
    from pathlib import Path

    from medcoder.codesets import pack_store
    from medcoder.codesets.cpt import read_cpt

    conn = pack_store.open_pack(Path(path))
    try:
        return frozenset(read_cpt(conn))
    finally:
        conn.close()


def _hcpcs_for(on: dt.date) -> tuple[dict[str, HcpcsCode] | None, str | None]:
    from medcoder.codesets import registry
    from medcoder.errors import PackNotFoundError

    try:
        info = registry.choose("hcpcs", on, "HCPCS")
    except PackNotFoundError as exc:
        return None, str(exc)
    return _hcpcs_table(str(info.path)), None


@lru_cache(maxsize=4)
def _hcpcs_table(path: str) -> dict[str, HcpcsCode]:
    """Every code and modifier of one HCPCS pack, read once per process."""
    from pathlib import Path

    from medcoder.codesets import pack_store
    from medcoder.codesets.hcpcs import read_hcpcs

    conn = pack_store.open_pack(Path(path))
    try:
        return read_hcpcs(conn)
    finally:
        conn.close()


def build_context(
    encounter: ClaimEncounter,
    *,
    on: dt.date | None = None,
    today: dt.date | None = None,
    claim_type: ClaimType | None = None,
    pack: ICD10CMPack | None = None,
    others: Sequence[ICD10CMPack] | None = None,
    ptp: PtpTable | None = None,
    mue: MueTable | None = None,
    mce: MceConfig | None = None,
) -> ScrubContext:
    """A context for ``encounter``, finding the ICD-10-CM pack in force unless one is given."""
    today = today or dt.date.today()
    when = on or date_of_service(encounter) or today
    problem = None
    if pack is None:
        from medcoder.codesets import registry
        from medcoder.errors import PackNotFoundError

        try:
            pack = registry.icd10cm(when)
            if others is None:
                others = [p for p in registry.icd10cm_all() if p.path != pack.path]
        except PackNotFoundError as exc:
            pack, problem = None, str(exc)
    return ScrubContext(
        on=when,
        today=today,
        claim_type=claim_type or claim_type_of(encounter),
        pack=pack,
        others=others or (),
        pack_problem=problem,
        ptp=ptp,
        mue=mue,
        mce=mce or MceConfig(),
    )
