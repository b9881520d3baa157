"""Synthetic encounters and edit tables for the scrubber tests (no patient data)."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from medcoder.claims.model import ClaimEncounter
from medcoder.edits import load_mue, load_ptp
from medcoder.edits.context import ScrubContext, claim_type_of, date_of_service
from medcoder.edits.findings import EditRule, Finding
from medcoder.edits.mce import MceConfig
from medcoder.edits.ncci import MueTable, PtpTable

TODAY = dt.date(2026, 3, 1)
DOS = dt.date(2026, 1, 15)
VALID_NPI = "1234567893"  # the CMS worked example of the NPI check digit

BASE: dict[str, Any] = {
    "id": "ENC-1",
    "service_date": DOS.isoformat(),
    "patient": {
        "id": "P1",
        "first_name": "Ann",
        "last_name": "Test",
        "birth_date": "1970-05-01",
        "sex": "F",
        "address": {"line1": "12 Elm St", "city": "Dayton", "state": "OH", "zip": "45402"},
    },
    "payer": {"name": "Acme Health", "id": "ACME01", "member_id": "XYZ123456"},
    "billing_provider": {"npi": VALID_NPI, "name": "Example Clinic"},
    "diagnoses": [{"code": "I10"}],
    "lines": [{"code": "99213", "charge": "120.00", "dx_pointers": [1]}],
}


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


@pytest.fixture()
def make() -> Callable[..., ClaimEncounter]:
    """``make(diagnoses=[...], patient={"sex": "M"})``: the clean encounter with changes."""

    def build(**changes: Any) -> ClaimEncounter:
        return ClaimEncounter.model_validate(_merge(BASE, changes))

    return build


@pytest.fixture()
def run() -> Callable[..., list[Finding]]:
    """Run one rule with a context that has no code pack (for rules that need none)."""

    def go(rule: EditRule, encounter: ClaimEncounter, **ctx: Any) -> list[Finding]:
        context = ScrubContext(
            on=ctx.pop("on", None) or date_of_service(encounter) or DOS,
            today=ctx.pop("today", TODAY),
            claim_type=ctx.pop("claim_type", None) or claim_type_of(encounter),
            mce=ctx.pop("mce", MceConfig()),
            **ctx,
        )
        return rule(encounter, context)

    return go


@pytest.fixture()
def edits_dir(fixtures: Path) -> Path:
    return fixtures / "edits"


@pytest.fixture()
def ptp(edits_dir: Path) -> PtpTable:
    return load_ptp(edits_dir / "ptp_practitioner.txt", edits_dir / "ptp_outpatient.csv")


@pytest.fixture()
def mue(edits_dir: Path) -> MueTable:
    return load_mue(edits_dir / "mue_practitioner.txt")
