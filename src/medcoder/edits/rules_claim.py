"""Claim-level required fields and dates: the "missing or inaccurate data" denials.

Missing or invalid NPI, subscriber id and dates are the CO-16 family, the most common
avoidable denial (docs/domain.md §1.6: 46-50% of providers name missing/inaccurate data as a top
cause). The claim model accepts these files as structurally valid on purpose (claims/model.py)
so that every problem is reported here at once instead of failing on the first.
"""

from __future__ import annotations

import datetime as dt
import re

from medcoder.claims.model import Encounter
from medcoder.claims.npi import npi_is_valid
from medcoder.edits.context import ScrubContext
from medcoder.edits.findings import Finding, Rule, Severity, registrar

RULES: list[Rule] = []
rule = registrar(RULES)

# Medicare Beneficiary Identifier: 11 characters, letters S L O I B Z never used (CMS MBI format).
_A = "AC-HJKMNP-RT-Y"
_MBI = re.compile(rf"^[1-9][{_A}][{_A}0-9][0-9][{_A}][{_A}0-9][0-9][{_A}][{_A}][0-9][0-9]$")
_MEDICARE = {"MA", "MB"}  # X12 claim filing indicators for Medicare Part A / Part B


def _providers(encounter: Encounter) -> list[tuple[str, str | None]]:
    out = [("billing", encounter.billing_provider.npi)]
    for role in ("rendering", "attending", "referring"):
        provider = getattr(encounter, f"{role}_provider")
        if provider is not None:
            out.append((role, provider.npi))
    return out


@rule("CLM-NPI-001", Severity.REJECT, "Provider NPI missing or fails its check digit")
def npi_invalid(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
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


@rule("CLM-ADDR-001", Severity.REJECT, "Billing provider ZIP code is not ZIP+4")
def billing_zip_plus4(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
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


@rule("CLM-MEMBER-001", Severity.REJECT, "Subscriber/member id missing")
def member_missing(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
    if encounter.payer.member_id.strip():
        return []
    return [
        member_missing.finding(
            "the subscriber member id is blank",
            "Copy the member id from the insurance card or the eligibility (271) response.",
            carc="CO-16",
        )
    ]


@rule("CLM-MEMBER-002", Severity.REJECT, "Medicare member id is not an MBI")
def mbi_format(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
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


def _dated_fields(encounter: Encounter) -> list[tuple[str, dt.date, int | None]]:
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
def date_missing(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
    out = []
    if encounter.setting == "inpatient" and encounter.admission_date is None:
        out.append(
            date_missing.finding(
                "inpatient claim without an admission date",
                "Enter the admission date (UB-04 FL12; 837I DTP*435).",
                carc="CO-16",
            )
        )
    undated = [
        n
        for n, line in enumerate(encounter.lines or (), 1)
        if ctx.line_date(line, encounter) is None
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
def date_future(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
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


@rule("CLM-DATE-003", Severity.REJECT, "Date before the patient's birth")
def date_before_birth(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
    born = encounter.patient.birth_date
    out = []
    for label, value, line in _dated_fields(encounter):
        if value < born:
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
def discharge_before_admission(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
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
def no_diagnosis(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
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
def too_many_dx(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
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
