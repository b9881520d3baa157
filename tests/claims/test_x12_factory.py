"""Synthetic encounters for the claim writer tests (no real patients, providers or payers).

``synthetic_encounters()`` builds a deterministic, varied set: outpatient and inpatient
settings, 1-12 diagnoses with every POA value, 1-6 lines with 0-3 modifiers and 1-4 pointers,
several payers and filing indicators, ICD-10-PCS procedures, with and without rendering and
referring providers, addresses with and without a second line, 5-digit and ZIP+4 codes.
Dependents (2000C), replacement claims and NDC quantities in their own units are in the set.
Every encounter is complete enough for both an 837P and an 837I. The tests at the bottom
check that the set really covers those variations.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from medcoder.claims.model import ClaimEncounter
from medcoder.claims.npi import npi_check_digit

PAYERS = [
    ("MEDICARE PART B", "MCRB1", "MB"),
    ("MEDICARE PART A", "MCRA1", "MA"),
    ("STATE MEDICAID PLAN", "MCD01", "MC"),
    ("EXAMPLE COMMERCIAL", "EXCH1", "CI"),
    ("SAMPLE BLUE PLAN", "SBLU1", "BL"),
    ("DEMO HMO", "DHMO1", "HM"),
    ("TEST TRICARE", "TTRI1", "CH"),
    ("WORKERS COMP DEMO", "WCD01", "WC"),
    ("MEDICARE ADVANTAGE HMO", "MAHMO", "16"),
]
STATES = [
    ("SPRINGFIELD", "IL"),
    ("SACRAMENTO", "CA"),
    ("ALBANY", "NY"),
    ("AUSTIN", "TX"),
    ("TALLAHASSEE", "FL"),
    ("OLYMPIA", "WA"),
]
DIAGNOSES = [
    "E11.9",
    "I10",
    "J45.909",
    "M54.50",
    "R05.9",
    "Z00.00",
    "K21.9",
    "N39.0",
    "E78.5",
    "F41.1",
    "J06.9",
    "R51.9",
    "M25.561",
    "G43.909",
    "L03.115",
    "S93.401A",
    "Z79.4",
    "E66.9",
    "I25.10",
    "N18.30",
]
PROCEDURES = [
    "99213",
    "99214",
    "99203",
    "36415",
    "80053",
    "85025",
    "93000",
    "71046",
    "20610",
    "97110",
    "90471",
    "90686",
    "J1100",
    "J3301",
    "G0008",
    "A4550",
    "11721",
    "81002",
]
MODIFIERS = ["25", "59", "LT", "RT", "GA", "76", "XU", "91", "26", "TC"]
PLACES = ["11", "22", "23", "21", "12", "02", "19", "81"]
PCS = [
    "0DTJ4ZZ",
    "0SRC0J9",
    "02703DZ",
    "0FT44ZZ",
    "30233N1",
    "5A1955Z",
    "0BH17EZ",
    "3E033VJ",
    "BW28ZZZ",
    "10E0XZZ",
]
REVENUE = ["0250", "0260", "0300", "0301", "0320", "0450", "0510", "0636", "0730", "0120"]
POA = ["Y", "N", "U", "W", "1", None]
TAXONOMY = ["207Q00000X", "207R00000X", "208D00000X", "282N00000X", "261QM1300X"]


def make_npi(rng: random.Random) -> str:
    first = str(rng.randint(1, 2)) + "".join(str(rng.randint(0, 9)) for _ in range(8))
    return first + str(npi_check_digit(first))


def _address(rng: random.Random, index: int, *, zip4: bool | None = None) -> dict[str, Any]:
    city, state = STATES[index % len(STATES)]
    base_zip = f"{rng.randint(10000, 99999)}"
    use_zip4 = (index % 2 == 0) if zip4 is None else zip4
    address = {
        "line1": f"{rng.randint(1, 9999)} Synthetic Way",
        "city": city,
        "state": state,
        "zip": f"{base_zip}-{rng.randint(1000, 9999)}" if use_zip4 else base_zip,
    }
    if index % 3 == 0:
        address["line2"] = f"Suite {rng.randint(1, 500)}"
    return address


def _person(rng: random.Random, index: int, with_taxonomy: bool) -> dict[str, Any]:
    person: dict[str, Any] = {
        "npi": make_npi(rng),
        "first_name": f"Doc{index}",
        "last_name": f"Synthetic{index}",
    }
    if with_taxonomy:
        person["taxonomy"] = rng.choice(TAXONOMY)
    return person


def synthetic_encounter(index: int, seed: int = 20250301) -> ClaimEncounter:
    rng = random.Random(seed * 1000 + index)
    inpatient = index % 3 == 0
    n_dx = index % 12 + 1
    n_lines = index % 6 + 1
    start = dt.date(2025, 1, 1) + dt.timedelta(days=index * 3)
    end = start + dt.timedelta(days=rng.randint(1, 6)) if inpatient else start
    payer_name, payer_id, filing = PAYERS[index % len(PAYERS)]
    billing_is_person = index % 7 == 0
    billing: dict[str, Any] = {
        "npi": make_npi(rng),
        "tax_id": f"{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}",
        "phone": f"555{rng.randint(1000000, 9999999)}",
        "address": _address(rng, index + 1, zip4=True),
    }
    if billing_is_person:
        billing.update(first_name="Solo", last_name=f"Practitioner{index}")
    billing["name"] = f"Synthetic Medical Group {index}"
    if index % 4 != 1:
        billing["taxonomy"] = rng.choice(TAXONOMY)
    # Inpatient acute claims report POA on every diagnosis (None would be refused).
    poas = POA[:-1] if inpatient else POA
    diagnoses = [
        {"code": code, "poa": poas[(index + k) % len(poas)]}
        for k, code in enumerate(rng.sample(DIAGNOSES, n_dx))
    ]
    lines = []
    for k in range(n_lines):
        n_ptr = min(n_dx, 1 + (index + k) % 4)
        line: dict[str, Any] = {
            "code": rng.choice(PROCEDURES),
            "modifiers": rng.sample(MODIFIERS, (index + k) % 4),
            "units": str(rng.choice([1, 1, 2, 3, Decimal("1.5")])),
            "charge": str(Decimal(rng.randint(500, 250000)) / 100),
            "dx_pointers": rng.sample(range(1, n_dx + 1), n_ptr),
            "service_date": (start + dt.timedelta(days=min(k, (end - start).days))).isoformat(),
            "revenue_code": rng.choice(REVENUE),
        }
        if k == 1 and index % 5 == 0:
            line["ndc"] = (
                f"{rng.randint(10000, 99999)}-{rng.randint(1000, 9999)}-{rng.randint(10, 99)}"
            )
            line["ndc_quantity"] = str(rng.choice([Decimal("0.25"), 1, 2, 10]))
            line["ndc_unit"] = rng.choice(["ML", "UN", "ME", "GR", "F2"])
        lines.append(line)
    data: dict[str, Any] = {
        "id": f"SYN{index:04d}",
        "setting": "inpatient"
        if inpatient
        else rng.choice(["outpatient", "emergency", "observation"]),
        "service_date": start.isoformat(),
        "place_of_service": "21" if inpatient else PLACES[index % len(PLACES)],
        "patient": {
            "id": f"MRN{index:06d}",
            "first_name": f"Pat{index}",
            "last_name": f"Testcase{index}",
            "birth_date": (dt.date(1940, 1, 1) + dt.timedelta(days=index * 397)).isoformat(),
            "sex": ["F", "M", "U"][index % 3],
        },
        "payer": {
            "name": payer_name,
            "id": payer_id,
            "filing_indicator": filing,
            "member_id": f"MEM{rng.randint(10**8, 10**9)}",
        },
        "billing_provider": billing,
        "attending_provider": _person(rng, index, with_taxonomy=index % 2 == 0),
        "diagnoses": diagnoses,
        "lines": lines,
        "discharge_status": rng.choice(["01", "02", "03", "06", "20", "30"]),
        "type_of_bill": rng.choice(["0111", "0117"])
        if inpatient
        else rng.choice(["0131", "0851", "0141"]),
        "admission_type": str(rng.choice([1, 2, 3, 4, 9])),
        "admission_source": str(rng.choice([1, 2, 4, 7, 9])),
    }
    data["patient"]["address"] = _address(rng, index)
    if index % 4 == 3:  # a dependent: the subscriber is a parent or spouse
        data["payer"]["relationship"] = ["19", "01", "G8"][index % 3]
        data["payer"]["subscriber"] = {
            "first_name": f"Sub{index}",
            "last_name": f"Testcase{index}",
            "birth_date": "1960-02-29",
            "sex": "F",
        }
    if data["type_of_bill"].endswith("7"):  # a replacement names the original claim
        data["payer_claim_control_number"] = f"PCN{index:08d}"
    if index % 5 != 2:
        data["payer"]["group_number"] = f"GRP{rng.randint(100, 999)}"
    if index % 2 == 0:
        data["rendering_provider"] = _person(rng, index + 100, with_taxonomy=index % 4 == 0)
    if index % 6 == 4:
        data["referring_provider"] = _person(rng, index + 200, with_taxonomy=False)
    if index % 8 == 5:
        data["prior_authorization"] = f"AUTH{rng.randint(10000, 99999)}"
    if inpatient:
        data.update(
            admission_date=start.isoformat(),
            discharge_date=end.isoformat(),
            admitting_diagnosis=rng.choice(DIAGNOSES),
            discharge_hour=f"{rng.randint(0, 23):02d}{rng.choice([0, 15, 30, 45]):02d}",
            operating_provider=_person(rng, index + 300, with_taxonomy=False),
        )
        data["procedures"] = [
            {
                "code": code,
                "date": (start + dt.timedelta(days=k % max(1, (end - start).days))).isoformat(),
            }
            for k, code in enumerate(rng.sample(PCS, index % 4 + 1))
        ]
    return ClaimEncounter.model_validate(data)


def synthetic_encounters(count: int = 60) -> list[ClaimEncounter]:
    return [synthetic_encounter(i) for i in range(count)]


# --- the generator itself covers what the writer tests claim to cover -----------------------


def test_synthetic_set_is_varied() -> None:
    encounters = synthetic_encounters()
    assert len(encounters) >= 50
    assert {e.setting for e in encounters} >= {"inpatient", "outpatient"}
    assert {len(e.diagnoses or []) for e in encounters} == set(range(1, 13))
    assert {len(e.lines or []) for e in encounters} == set(range(1, 7))
    assert {len(ln.modifiers) for e in encounters for ln in e.lines or []} == {0, 1, 2, 3}
    assert {len(ln.dx_pointers) for e in encounters for ln in e.lines or []} == {1, 2, 3, 4}
    assert {d.poa for e in encounters for d in e.diagnoses or []} == {"Y", "N", "U", "W", "1", None}
    assert len({e.payer.filing_indicator for e in encounters}) == len(PAYERS)
    assert any(e.procedures for e in encounters)
    assert any(e.rendering_provider for e in encounters) and any(
        not e.rendering_provider for e in encounters
    )
    addresses = [e.patient.address for e in encounters if e.patient.address]
    assert any(a.line2 for a in addresses) and any(not a.line2 for a in addresses)
    assert any(len(a.zip) > 5 for a in addresses) and any(len(a.zip) == 5 for a in addresses)


def test_synthetic_npis_pass_the_check_digit() -> None:
    from medcoder.claims.npi import npi_is_valid

    for enc in synthetic_encounters():
        assert npi_is_valid(enc.billing_provider.npi)
