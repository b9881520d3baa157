"""Build a FHIR R4 ``Claim`` resource from an :class:`~medcoder.claims.model.ClaimEncounter`.

The resource is validated by constructing ``fhir.resources.R4B.claim.Claim`` (R4B's Claim is
structurally R4's, so the JSON is a valid R4 Claim). Patient, billing provider, payer, the
coverage and the care team are *contained* resources referenced as ``#id``, so the Claim is
self-contained and can be posted or stored without first creating those resources.

Code systems are the HL7-registered URIs: ICD-10-CM ``http://hl7.org/fhir/sid/icd-10-cm``
(codes with their dot, as FHIR expects), ICD-10-PCS ``http://www.cms.gov/Medicare/Coding/ICD10``,
CPT ``http://www.ama-assn.org/go/cpt``, HCPCS Level II
``https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets``, NPI
``http://hl7.org/fhir/sid/us-npi``. Item ``diagnosisSequence`` carries the same pointers as the
837P SV107, and POA becomes ``diagnosis.onAdmission`` as in the CARIN/Da Vinci profiles. Every
payer is a contained Coverage in ``insurance`` (ordered by responsibility, the payer billed
``focal``, with the prior authorization in ``preAuthRef``); an NDC is the item's ``detail``
with its own quantity; type of bill, admission period and type, point of origin and discharge
status are ``supportingInfo`` in the CARIN Blue Button categories.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any, Literal

from fhir.resources.R4B.claim import Claim

from medcoder.claims.model import Address, ClaimEncounter, Line, Payer, Provider
from medcoder.claims.x12_envelope import total_charge

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10PCS = "http://www.cms.gov/Medicare/Coding/ICD10"
CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
NPI = "http://hl7.org/fhir/sid/us-npi"
EIN = "urn:oid:2.16.840.1.113883.4.4"
REVENUE = "https://www.nubc.org/CodeSystem/RevenueCodes"
POS = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
PRIORITY = "http://terminology.hl7.org/CodeSystem/processpriority"
DX_TYPE = "http://terminology.hl7.org/CodeSystem/ex-diagnosistype"
POA = "http://terminology.hl7.org/CodeSystem/ex-diagnosis-on-admission"
CARE_TEAM_ROLE = "http://terminology.hl7.org/CodeSystem/claimcareteamrole"
RELATIONSHIP = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
NDC = "http://hl7.org/fhir/sid/ndc"
SUPPORTING_INFO = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType"
NUBC_TYPE_OF_BILL = "https://www.nubc.org/CodeSystem/TypeOfBill"
NUBC_ADMISSION_TYPE = "https://www.nubc.org/CodeSystem/PriorityTypeOfAdmitOrVisit"
NUBC_POINT_OF_ORIGIN = "https://www.nubc.org/CodeSystem/PointOfOrigin"
NUBC_DISCHARGE_STATUS = "https://www.nubc.org/CodeSystem/PatDischargeStatus"
_GENDER = {"F": "female", "M": "male", "U": "unknown"}
#: X12 patient relationship -> FHIR subscriber-relationship.
_RELATIONSHIP = {"18": "self", "01": "spouse", "19": "child", "53": "common", "G8": "other"}


def to_fhir_claim(
    encounter: ClaimEncounter,
    *,
    claim_type: Literal["professional", "institutional"] | None = None,
    created: dt.date | dt.datetime | None = None,
) -> dict[str, Any]:
    """The encounter as a validated FHIR R4 Claim (a JSON-ready dict).

    ``claim_type`` defaults to institutional when the encounter has a type of bill, else
    professional; ``created`` defaults to today.
    """
    enc = encounter
    kind = claim_type or ("institutional" if enc.type_of_bill else "professional")
    created_value = (created or dt.date.today()).isoformat()
    contained = [
        _patient(enc),
        _provider_resource(enc.billing_provider, "billing"),
        _payer(enc),
        _coverage(enc),
    ]
    insurance = [_insurance(enc, enc.payer, "coverage", focal=True)]
    for n, other in enumerate(enc.other_payers, start=1):
        contained += [_payer_resource(other, f"payer{n + 1}"), _coverage_resource(other, n + 1)]
        insurance.append(_insurance(enc, other, f"coverage{n + 1}", focal=False))
    insurance.sort(key=lambda i: i.pop("_order"))
    for number, entry in enumerate(insurance, start=1):
        entry["sequence"] = number
    care_team, team_resources = _care_team(enc)
    contained += team_resources
    resource: dict[str, Any] = {
        "resourceType": "Claim",
        "id": _fhir_id(enc.id),
        "identifier": [{"value": enc.id}],
        "contained": contained,
        "status": "active",
        "type": {"coding": [{"system": CLAIM_TYPE, "code": kind}]},
        "use": "claim",
        "patient": {"reference": "#patient"},
        "created": created_value,
        "provider": {"reference": "#billing"},
        "insurer": {"reference": "#payer", "display": enc.payer.name},
        "priority": {"coding": [{"system": PRIORITY, "code": "normal"}]},
        "insurance": insurance,
        "total": _money(total_charge(enc)),
    }
    info = _supporting_info(enc)
    if info:
        resource["supportingInfo"] = info
    period = _billable_period(enc)
    if period:
        resource["billablePeriod"] = period
    if care_team:
        resource["careTeam"] = care_team
    if enc.diagnoses:
        resource["diagnosis"] = _diagnoses(enc)
    if enc.procedures:
        resource["procedure"] = [
            {
                "sequence": index,
                **({"date": proc.date.isoformat()} if proc.date else {}),
                "procedureCodeableConcept": {
                    "coding": [{"system": ICD10PCS, "code": proc.code.upper()}]
                },
            }
            for index, proc in enumerate(enc.procedures, start=1)
        ]
    if enc.lines:
        resource["item"] = [
            _item(enc, index, line) for index, line in enumerate(enc.lines, start=1)
        ]
    claim = Claim.model_validate(resource)  # raises pydantic.ValidationError on a bad resource
    return json.loads(claim.model_dump_json())


def icd10cm_with_dot(code: str) -> str:
    """FHIR ICD-10-CM codes carry the dot after the category (E119 -> E11.9)."""
    clean = code.strip().upper().replace(".", "")
    return clean if len(clean) <= 3 else f"{clean[:3]}.{clean[3:]}"


def procedure_system(code: str) -> str:
    """HCPCS Level II codes start with a letter; CPT codes (incl. 1234F/0001T) with a digit."""
    return HCPCS if code[:1].isalpha() else CPT


def _fhir_id(value: str) -> str:
    clean = "".join(ch if ch.isalnum() or ch in "-." else "-" for ch in value)
    return clean[:64] or "claim"


def _money(value: Decimal) -> dict[str, Any]:
    return {"value": value, "currency": "USD"}


def _address(addr: Address | None) -> list[dict[str, Any]]:
    if addr is None:
        return []
    lines = [addr.line1] + ([addr.line2] if addr.line2 else [])
    return [
        {
            "line": lines,
            "city": addr.city,
            "state": addr.state,
            "postalCode": addr.zip,
            "country": "US",
        }
    ]


def _patient(enc: ClaimEncounter) -> dict[str, Any]:
    p = enc.patient
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": "patient",
        "identifier": [
            {
                "type": {
                    "coding": [
                        {"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}
                    ]
                },
                "value": p.id,
            }
        ],
        "name": [{"family": p.last_name, "given": [p.first_name]}],
        "gender": _GENDER[p.sex],
        "birthDate": p.birth_date.isoformat(),
    }
    if p.address:
        resource["address"] = _address(p.address)
    return resource


def _provider_resource(provider: Provider, resource_id: str) -> dict[str, Any]:
    """An Organization when the provider has an organisation name, else a Practitioner."""
    identifiers = [{"system": NPI, "value": provider.npi}]
    if provider.tax_id:
        identifiers.append({"system": EIN, "value": provider.tax_id.replace("-", "")})
    resource: dict[str, Any] = {"id": resource_id, "identifier": identifiers}
    if provider.last_name:
        resource["resourceType"] = "Practitioner"
        given = [provider.first_name] if provider.first_name else []
        resource["name"] = [{"family": provider.last_name, **({"given": given} if given else {})}]
    else:
        resource["resourceType"] = "Organization"
        resource["name"] = provider.name or provider.npi
    if provider.address:
        resource["address"] = _address(provider.address)
    return resource


def _payer(enc: ClaimEncounter) -> dict[str, Any]:
    return _payer_resource(enc.payer, "payer")


def _payer_resource(payer: Payer, rid: str) -> dict[str, Any]:
    return {
        "resourceType": "Organization",
        "id": rid,
        "identifier": [{"value": payer.id}],
        "name": payer.name,
    }


def _coverage(enc: ClaimEncounter) -> dict[str, Any]:
    return _coverage_resource(enc.payer, None)


def _coverage_resource(payer: Payer, n: int | None) -> dict[str, Any]:
    """A contained Coverage: member id, beneficiary, payer, relationship, group."""
    suffix = "" if n is None else str(n)
    resource: dict[str, Any] = {
        "resourceType": "Coverage",
        "id": f"coverage{suffix}",
        "status": "active",
        "subscriberId": payer.member_id,
        "beneficiary": {"reference": "#patient"},
        "payor": [{"reference": f"#payer{suffix}"}],
        "order": {"P": 1, "S": 2, "T": 3}[payer.responsibility],
    }
    relationship = _RELATIONSHIP.get(payer.relationship)
    if relationship:
        resource["relationship"] = {"coding": [{"system": RELATIONSHIP, "code": relationship}]}
    if payer.group_number:
        resource["class"] = [
            {
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/coverage-class",
                            "code": "group",
                        }
                    ]
                },
                "value": payer.group_number,
            }
        ]
    return resource


def _insurance(enc: ClaimEncounter, payer: Payer, coverage: str, *, focal: bool) -> dict[str, Any]:
    """Claim.insurance: the coverage, whether this claim is for it (focal), its prior
    authorization (preAuthRef) and, for a payer that already paid, nothing more."""
    entry: dict[str, Any] = {
        "_order": {"P": 1, "S": 2, "T": 3}[payer.responsibility],
        "focal": focal,
        "coverage": {"reference": f"#{coverage}"},
    }
    if focal and enc.prior_authorization:
        entry["preAuthRef"] = [enc.prior_authorization]
    return entry


def _supporting_info(enc: ClaimEncounter) -> list[dict[str, Any]]:
    """Institutional claim data as Claim.supportingInfo, in the CARIN Blue Button categories:
    type of bill, admission period, admission type, point of origin, discharge status."""
    info: list[dict[str, Any]] = []

    def add(category: str, **value: Any) -> None:
        info.append(
            {
                "sequence": len(info) + 1,
                "category": {"coding": [{"system": SUPPORTING_INFO, "code": category}]},
                **value,
            }
        )

    def coded(system: str, code: str) -> dict[str, Any]:
        return {"codeableConcept": {"coding": [{"system": system, "code": code}]}}

    if enc.type_of_bill:
        add("typeofbill", code=coded(NUBC_TYPE_OF_BILL, enc.type_of_bill)["codeableConcept"])
    if enc.admission_date:
        period = {"start": enc.admission_date.isoformat()}
        if enc.discharge_date:
            period["end"] = enc.discharge_date.isoformat()
        add("admissionperiod", timingPeriod=period)
    if enc.admission_type:
        add("admtype", code=coded(NUBC_ADMISSION_TYPE, enc.admission_type)["codeableConcept"])
    if enc.admission_source:
        add(
            "pointoforigin",
            code=coded(NUBC_POINT_OF_ORIGIN, enc.admission_source)["codeableConcept"],
        )
    if enc.discharge_status:
        add(
            "discharge-status",
            code=coded(NUBC_DISCHARGE_STATUS, enc.discharge_status)["codeableConcept"],
        )
    return info


def _care_team(enc: ClaimEncounter) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    team: list[dict[str, Any]] = []
    resources: list[dict[str, Any]] = []
    for attr, role in (
        ("rendering_provider", "primary"),
        ("attending_provider", "primary"),
        ("referring_provider", "other"),
    ):
        provider = getattr(enc, attr)
        if provider is None:
            continue
        rid = attr.replace("_provider", "")
        resources.append(_provider_resource(provider, rid))
        team.append(
            {
                "sequence": len(team) + 1,
                "provider": {"reference": f"#{rid}"},
                "responsible": role == "primary",
                "role": {"coding": [{"system": CARE_TEAM_ROLE, "code": role}]},
            }
        )
    return team, resources


def _diagnoses(enc: ClaimEncounter) -> list[dict[str, Any]]:
    result = []
    for index, dx in enumerate(enc.diagnoses or [], start=1):
        entry: dict[str, Any] = {
            "sequence": index,
            "diagnosisCodeableConcept": {
                "coding": [{"system": ICD10CM, "code": icd10cm_with_dot(dx.code)}]
            },
        }
        if index == 1:
            entry["type"] = [{"coding": [{"system": DX_TYPE, "code": "principal"}]}]
        if dx.poa in ("Y", "N", "U", "W"):
            entry["onAdmission"] = {"coding": [{"system": POA, "code": dx.poa.lower()}]}
        result.append(entry)
    if enc.admitting_diagnosis:
        result.append(
            {
                "sequence": len(result) + 1,
                "diagnosisCodeableConcept": {
                    "coding": [
                        {"system": ICD10CM, "code": icd10cm_with_dot(enc.admitting_diagnosis)}
                    ]
                },
                "type": [{"coding": [{"system": DX_TYPE, "code": "admitting"}]}],
            }
        )
    return result


def _item(enc: ClaimEncounter, sequence: int, line: Line) -> dict[str, Any]:
    code = line.code.strip().upper()
    item: dict[str, Any] = {"sequence": sequence}
    if line.revenue_code:
        item["revenue"] = {"coding": [{"system": REVENUE, "code": line.revenue_code}]}
    item["productOrService"] = (
        {"coding": [{"system": procedure_system(code), "code": code}]}
        if code
        else {"text": f"revenue code {line.revenue_code}"}
    )
    if line.modifiers:
        item["modifier"] = [
            {"coding": [{"system": procedure_system(m), "code": m.upper()}]} for m in line.modifiers
        ]
    if line.dx_pointers:
        item["diagnosisSequence"] = list(line.dx_pointers)
    service_date = line.service_date or enc.service_date
    if service_date:
        item["servicedDate"] = service_date.isoformat()
    pos = line.place_of_service or enc.place_of_service
    if pos:
        item["locationCodeableConcept"] = {"coding": [{"system": POS, "code": pos}]}
    item["quantity"] = {"value": line.units}
    item["unitPrice"] = _money(
        (line.charge / line.units).quantize(Decimal("0.01")) if line.units else line.charge
    )
    item["net"] = _money(line.charge)
    if line.ndc:
        detail: dict[str, Any] = {
            "sequence": 1,
            "productOrService": {"coding": [{"system": NDC, "code": line.ndc}]},
        }
        if line.ndc_quantity is not None:
            detail["quantity"] = {"value": line.ndc_quantity, "unit": line.ndc_unit}
        item["detail"] = [detail]
    return item


def _billable_period(enc: ClaimEncounter) -> dict[str, str] | None:
    dates = [d for d in [enc.service_date, *(ln.service_date for ln in enc.lines or [])] if d]
    start = enc.admission_date or (min(dates) if dates else None)
    end = enc.discharge_date or (max(dates) if dates else None)
    if start is None:
        return None
    return {"start": start.isoformat(), **({"end": end.isoformat()} if end else {})}
