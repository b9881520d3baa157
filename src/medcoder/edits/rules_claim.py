"""Claim-level required fields and dates: the "missing or inaccurate data" denials.

Missing or invalid NPI, subscriber id and dates are the CO-16 family, the most common
avoidable denial. The claim model accepts these files as structurally valid on purpose
(claims/model.py) so that every problem is reported here at once instead of failing on the
first.
"""

from __future__ import annotations

import datetime as dt
import re

from medcoder.claims.model import ClaimEncounter
from medcoder.claims.npi import npi_is_valid
from medcoder.edits.context import ScrubContext
from medcoder.edits.findings import EditRule, Finding, Severity, registrar

RULES: list[EditRule] = []
rule = registrar(RULES)

# Medicare Beneficiary Identifier: 11 characters, letters S L O I B Z never used (CMS MBI format).
_A = "AC-HJKMNP-RT-Y"
_MBI = re.compile(rf"^[1-9][{_A}][{_A}0-9][0-9][{_A}][{_A}0-9][0-9][{_A}][{_A}][0-9][0-9]$")
_MEDICARE = {"MA", "MB"}  # X12 claim filing indicators for Medicare Part A / Part B


def _providers(encounter: ClaimEncounter) -> list[tuple[str, str | None]]:
    out = [("billing", encounter.billing_provider.npi)]
    for role in ("rendering", "attending", "referring"):
        provider = getattr(encounter, f"{role}_provider")
        if provider is not None:
            out.append((role, provider.npi))
    return out


@rule(
    "CLM-NPI-001",
    Severity.REJECT,
    "Provider NPI missing or fails its check digit",
    reads=["providers"],
)
def npi_invalid(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    out = []
    for role, npi in _providers(encounter):
        if not npi_is_valid(npi):
            shown = npi or "(blank)"
            out.append(
                npi_invalid.finding(
                    f"{role} provider NPI {shown} is not a valid NPI (10 digits, Luhn check "
                    "digit over 80840 + first nine)",
                    f"Correct the {role} provider's NPI from NPPES; a mistyped digit fails the "
                    "check.",
                    codes=[shown],
                    carc="CO-16",
                    role=role,
                )
            )
    return out


@rule(
    "CLM-ADDR-001",
    Severity.REJECT,
    "Billing provider ZIP code is not ZIP+4",
    reads=["addresses"],
)
def billing_zip_plus4(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    """The 837 TR3 requires nine digits in 2010AA N403 (billing provider address)."""
    address = encounter.billing_provider.address
    if address is None or len(address.zip.replace("-", "")) == 9:
        return []
    return [
        billing_zip_plus4.finding(
            f"billing provider ZIP {address.zip} has 5 digits; loop 2010AA needs all nine",
            "Look up the ZIP+4 of the billing address (USPS) and add it.",
            carc="CO-16",
        )
    ]


@rule("CLM-MEMBER-001", Severity.REJECT, "Subscriber/member id missing", reads=["payer"])
def member_missing(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    if encounter.payer.member_id.strip():
        return []
    return [
        member_missing.finding(
            "the subscriber member id is blank",
            "Copy the member id from the insurance card or the eligibility (271) response.",
            carc="CO-16",
        )
    ]


@rule("CLM-MEMBER-002", Severity.REJECT, "Medicare member id is not an MBI", reads=["payer"])
def mbi_format(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    member = encounter.payer.member_id.replace("-", "").upper()
    if encounter.payer.filing_indicator not in _MEDICARE or not member or _MBI.match(member):
        return []
    return [
        mbi_format.finding(
            f"Medicare member id {encounter.payer.member_id!r} is not in the 11-character "
            "MBI format",
            "Use the Medicare Beneficiary Identifier from the patient's card or the MAC's MBI "
            "lookup (HICNs are no longer accepted).",
            codes=[encounter.payer.member_id],
            carc="CO-16",
        )
    ]


def _dated_fields(encounter: ClaimEncounter) -> list[tuple[str, dt.date, int | None]]:
    """(label, date, line number) for every date on the claim."""
    out: list[tuple[str, dt.date, int | None]] = []
    for label in ("service_date", "admission_date", "discharge_date"):
        value = getattr(encounter, label)
        if value is not None:
            out.append((label, value, None))
    for n, line in enumerate(encounter.lines or (), 1):
        if line.service_date is not None:
            out.append(("line service_date", line.service_date, n))
    for proc in encounter.procedures or ():
        if proc.date is not None:
            out.append((f"procedure {proc.code} date", proc.date, None))
    return out


@rule("CLM-DATE-001", Severity.REJECT, "Required date missing")
def date_missing(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    """Every service needs a date: a line's own, the encounter's, or on an institutional
    claim the statement period (admission to discharge), which dates lines such as room and
    board whose service dates the guide leaves out (837I DTP*472 is situational)."""
    out = []
    if encounter.setting == "inpatient" and encounter.admission_date is None:
        out.append(
            date_missing.finding(
                "inpatient claim without an admission date",
                "Enter the admission date (UB-04 FL12; 837I DTP*435).",
                carc="CO-16",
            )
        )
    statement = ctx.claim_type == "837I" and (
        encounter.admission_date is not None or encounter.discharge_date is not None
    )
    undated = [
        n
        for n, line in enumerate(encounter.lines or (), 1)
        if ctx.line_date(line, encounter) is None and not statement
    ]
    if undated:
        out.append(
            date_missing.finding(
                f"service line(s) {', '.join(map(str, undated))} have no date of service and the "
                "encounter has none",
                "Enter the date of service on the encounter or on each line (837 DTP*472).",
                lines=undated,
                carc="CO-16",
            )
        )
    elif not encounter.lines and encounter.setting != "inpatient" and not encounter.service_date:
        out.append(
            date_missing.finding(
                "the encounter has no date of service",
                "Enter the date of service.",
                carc="CO-16",
            )
        )
    return out


@rule("CLM-DATE-002", Severity.REJECT, "Date in the future")
def date_future(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    out = []
    for label, value, line in _dated_fields(encounter):
        if value > ctx.today:
            out.append(
                date_future.finding(
                    f"{label} {value.isoformat()} is after today ({ctx.today.isoformat()})",
                    "Correct the date; services are billed after they are rendered.",
                    lines=[line] if line else [],
                    field=label,
                )
            )
    return out


@rule("CLM-DATE-003", Severity.REJECT, "Date before the patient's birth", needs="birth_date")
def date_before_birth(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    born = encounter.patient.birth_date
    out = []
    for label, value, line in _dated_fields(encounter):
        if born is not None and value < born:
            out.append(
                date_before_birth.finding(
                    f"{label} {value.isoformat()} is before the birth date {born.isoformat()}",
                    "Correct the service date or the patient's birth date (check registration).",
                    lines=[line] if line else [],
                    field=label,
                )
            )
    return out


@rule("CLM-DATE-004", Severity.REJECT, "Discharge before admission")
def discharge_before_admission(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    adm, dis = encounter.admission_date, encounter.discharge_date
    if adm is None or dis is None or dis >= adm:
        return []
    return [
        discharge_before_admission.finding(
            f"discharge date {dis.isoformat()} is before admission date {adm.isoformat()}",
            "Correct the statement period (UB-04 FL6, FL12).",
        )
    ]


@rule("CLM-DX-001", Severity.REJECT, "No diagnosis on the claim")
def no_diagnosis(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    if encounter.diagnoses:
        return []
    return [
        no_diagnosis.finding(
            "the claim carries no diagnosis code (837 HI segment is required)",
            "Code the diagnoses that support the services before submitting.",
            carc="CO-16",
        )
    ]


_DX_LIMIT = {"837P": 12, "837I": 25}


@rule("CLM-DX-002", Severity.REJECT, "More diagnoses than the claim format holds")
def too_many_dx(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    count = len(encounter.diagnoses or ())
    limit = _DX_LIMIT[ctx.claim_type]
    if count <= limit:
        return []
    extra = [d.code for d in (encounter.diagnoses or ())[limit:]]
    return [
        too_many_dx.finding(
            f"{count} diagnoses; the {ctx.claim_type} holds at most {limit}",
            f"Keep the {limit} diagnoses that support the services (principal/first-listed "
            "first); drop or move the rest to a split claim.",
            codes=extra,
            limit=limit,
        )
    ]


@rule("CLM-PAT-001", Severity.REJECT, "Patient birth date missing", reads=["patient"])
def birth_date_missing(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    if encounter.patient.birth_date is not None:
        return []
    return [
        birth_date_missing.finding(
            "the patient has no birth date (837 DMG is required; the age edits cannot run)",
            "Enter the birth date from registration or the insurance card.",
            carc="CO-16",
        )
    ]


@rule("CLM-ADDR-002", Severity.REJECT, "Patient address missing", reads=["addresses"])
def patient_address_missing(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    """2010BA (patient who is the subscriber) or 2010CA N3/N4 is required."""
    if encounter.patient.address is not None:
        return []
    return [
        patient_address_missing.finding(
            "the patient's address is missing (837 2010BA/2010CA N3/N4, CMS-1500 item 5)",
            "Enter the patient's street, city, state and ZIP from registration.",
            carc="CO-16",
        )
    ]


#: NUBC patient discharge status codes (UB-04 FL17, 837I CL103).
DISCHARGE_STATUSES = frozenset(
    ["01", "02", "03", "04", "05", "06", "07", "09", "20", "21", "30", "40", "41", "42", "43"]
    + ["50", "51", "61", "62", "63", "64", "65", "66", "69", "70"]
    + [str(n) for n in range(81, 96)]
)


@rule("CLM-STATUS-001", Severity.REJECT, "Discharge status is not a NUBC code")
def discharge_status_invalid(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    status = (encounter.discharge_status or "").strip()
    if ctx.claim_type == "837I" and not status:
        return [
            discharge_status_invalid.finding(
                "the institutional claim has no patient discharge status (UB-04 FL17, 837I "
                "CL103 is required)",
                "Enter the discharge status from the discharge record (01 home, 02 short-term "
                "hospital, 03 SNF, 20 expired, 30 still a patient ...).",
                carc="CO-16",
            )
        ]
    if not status or status in DISCHARGE_STATUSES:
        return []
    return [
        discharge_status_invalid.finding(
            f"discharge status {status!r} is not a NUBC patient discharge status code",
            "Use a NUBC code (01-09, 20-21, 30, 40-43, 50-51, 61-66, 69-70, 81-95).",
            codes=[status],
            carc="CO-16",
        )
    ]


@rule("CLM-FREQ-001", Severity.REJECT, "Corrected or void claim without the original's number")
def replacement_without_original(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    frequency = encounter.claim_frequency()
    if frequency not in ("7", "8") or encounter.payer_claim_control_number:
        return []
    kind = "replacement" if frequency == "7" else "void"
    return [
        replacement_without_original.finding(
            f"a {kind} claim (frequency {frequency}) without the payer's claim control number "
            "of the original",
            "Copy the payer claim control number from the original's 835 (CLP07) into "
            "payer_claim_control_number (837 REF*F8, UB-04 FL64, CMS-1500 item 22).",
        )
    ]


#: CPT pathology and laboratory (80047-89398) and the CLIA-waived HCPCS tests (G0475-G0476
#: and the like are also lab, but the CPT range is what every lab claim carries).
def is_lab_test(code: str) -> bool:
    c = code.strip()
    return len(c) == 5 and c[:4].isdigit() and "80047" <= c <= "89398"


@rule("CLM-CLIA-001", Severity.DENY, "Lab test billed without a CLIA number")
def clia_missing(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    """Professional lab claims carry the performing lab's CLIA certificate (REF*X4, item 23);
    Medicare denies lab lines without it (CO-16 with MA120)."""
    if ctx.claim_type != "837P" or encounter.clia_number:
        return []
    lines = [n for n, ln in enumerate(encounter.lines or (), 1) if is_lab_test(ln.code)]
    if not lines:
        return []
    return [
        clia_missing.finding(
            f"line(s) {', '.join(map(str, lines))} bill laboratory tests and the claim has no "
            "CLIA number",
            "Enter the performing lab's CLIA certificate number (10 characters like "
            "05D0123456) in clia_number.",
            lines=lines,
            codes=[(encounter.lines or [])[n - 1].code for n in lines],
            carc="CO-16",
        )
    ]
