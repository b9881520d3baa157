"""Drug administrations -> HCPCS J/Q codes with billing units (synthetic HCPCS fixture)."""

from __future__ import annotations

from datetime import date

import pytest

from medcoder.codesets.hcpcs import HcpcsCode, build_hcpcs_pack
from medcoder.documents.model import Document
from medcoder.services.jcodes import DrugIndex, jcode_suggestions, load_index, parse_entry
from medcoder.services.service_codes import units_of

ON = date(2020, 6, 1)


@pytest.fixture
def hcpcs_2020(fixtures):
    return build_hcpcs_pack(fixtures / "services" / "svc_hcpc2020.txt", "2020")


def _codes(text: str, on: date | None = ON):
    codes, warnings = jcode_suggestions(Document("n", text), on=on)
    return {c.code: c for c in codes}, warnings


def test_descriptor_names_drug_salt_and_route():
    entry = parse_entry(
        HcpcsCode("J2920", "", ""), "Injection, methylprednisolone sodium succinate, up to 40 mg"
    )
    assert entry.words == {"methylprednisolone"}
    assert entry.qualifiers == {"sodium", "succinate"}
    assert entry.route == "parenteral"
    oral = parse_entry(HcpcsCode("Q0162", "", ""), "Ondansetron 1 mg, oral, fda approved")
    assert oral.words == {"ondansetron"} and oral.route == "oral"
    assert parse_entry(HcpcsCode("J3490", "", ""), "Unclassified drugs") is None


def test_combination_product_needs_every_drug_documented():
    entry = parse_entry(
        HcpcsCode("J1097", "", ""),
        "Phenylephrine 10.16 mg/ml and ketorolac 2.88 mg/ml ophthalmic irrigation solution, 1 ml",
    )
    assert entry.required == {"phenylephrine", "ketorolac"}
    assert entry.route == "local"


def test_short_descriptor_abbreviations_are_found_by_prefix():
    codes = {"J2919": HcpcsCode("J2919", "Inj, methylpred sod succ 5mg")}
    index = DrugIndex.build(codes, "2026-04")
    assert index.lookup("methylprednisolone") == {"J2919"}
    assert index.entries["J2919"].qualifiers == {"sodium", "succinate"}


def test_ceftriaxone_1_g_iv_is_four_units(hcpcs_2020):
    codes, warnings = _codes("ED COURSE: Ceftriaxone 1 g IV given.")
    assert set(codes) == {"J0696"}
    j = codes["J0696"]
    assert units_of(j) == 4 and j.score >= 0.85
    assert j.evidence[0].text == "Ceftriaxone 1 g IV"
    assert not warnings


def test_ondansetron_iv_push_per_1_mg(hcpcs_2020):
    codes, _ = _codes("Ondansetron 4 mg IV push administered for nausea.")
    assert set(codes) == {"J2405"}  # not the oral Q0162
    assert units_of(codes["J2405"]) == 4


def test_oral_route_picks_the_oral_code(hcpcs_2020):
    codes, _ = _codes("Ondansetron 8 mg PO given before chemotherapy.")
    assert set(codes) == {"Q0162"}
    assert units_of(codes["Q0162"]) == 8


def test_dose_before_drug_and_salt_choose_the_product(hcpcs_2020):
    codes, warnings = _codes("Administered 80 mg of methylprednisolone acetate IM.")
    assert set(codes) == {"J1040"}  # one 80 mg unit, not two of 40
    assert units_of(codes["J1040"]) == 1
    assert not warnings


def test_brand_name_implies_the_salt(hcpcs_2020):
    codes, _ = _codes("Solu-Medrol 40 mg IV given.")
    assert set(codes) == {"J2920"}


def test_unknown_salt_is_flagged_with_the_alternatives(hcpcs_2020):
    codes, warnings = _codes("Administered 40 mg of methylprednisolone IM.")
    (code,) = codes.values()
    assert code.score < 0.7
    assert any("also possible" in line for line in code.path)
    assert any("which product" in w for w in warnings)


def test_mg_dose_against_per_ml_descriptor_is_flagged(hcpcs_2020):
    codes, warnings = _codes("Phenylephrine 100 mcg IV given for hypotension.")
    j = codes["J2370"]
    assert units_of(j) is None and "units: not computed" in j.path
    assert j.score < 0.6
    assert any("J2370" in w and "concentration" in w for w in warnings)


def test_concentration_in_the_note_lets_units_be_computed(hcpcs_2020):
    codes, warnings = _codes("Phenylephrine 100 mcg (100 mcg/mL) IV given.")
    assert units_of(codes["J2370"]) == 1
    assert not warnings


@pytest.mark.parametrize(
    "note",
    [
        "No ceftriaxone given.",
        "Ceftriaxone 1 g IV was not given; patient refused.",
        "Will give ceftriaxone 1 g IM if cultures are positive.",
        "PLAN: ceftriaxone 1 g IM at next visit.",
        "MEDICATIONS: ceftriaxone 1 g IV daily.",
        "Prescribed cefdinir; ceftriaxone 1 g daily at home.",
        "Ceftriaxone 1 g.",
    ],
)
def test_negated_planned_or_listed_drugs_are_not_coded(hcpcs_2020, note):
    codes, _ = _codes(note)
    assert codes == {}


def test_two_doses_of_one_drug_are_summed_before_rounding(hcpcs_2020):
    codes, _ = _codes("Ketorolac 15 mg IV given at 10:00. Ketorolac 30 mg IM given at 14:00.")
    assert units_of(codes["J1885"]) == 3
    assert len(codes["J1885"].evidence) == 2


def test_terminated_code_is_not_chosen_on_a_later_date(hcpcs_2020):
    codes, _ = _codes("Examplamab 10 mg IV infused.")
    assert set(codes) == {"J9998"} and units_of(codes["J9998"]) == 2
    earlier, _ = _codes("Examplamab 10 mg IV infused.", on=date(2019, 6, 1))
    assert set(earlier) == {"J9999"}


def test_no_hcpcs_pack_is_a_warning():
    codes, warnings = _codes("Ceftriaxone 1 g IV given.")
    assert codes == {} and any("no HCPCS pack" in w for w in warnings)


def test_quarterly_pack_without_long_descriptors_borrows_the_unit(fixtures, hcpcs_2020):
    build_hcpcs_pack(fixtures / "services" / "svc_hcpcs_2026_04.csv", "2026-04")
    index, warnings = load_index(date(2026, 5, 1))
    assert index.version == "2026-04" and not warnings
    codes, _ = _codes("Ceftriaxone 1 g IV given.", on=date(2026, 5, 1))
    j = codes["J0696"]
    assert units_of(j) == 4
    assert any("2020 long descriptor" in line for line in j.path)


def test_real_hcpcs_files(shared_data):
    folder = shared_data / "hcpcs"
    annual = folder / "HCPC2020_ANWEB_w_disclaimer.txt"
    if not annual.exists():
        pytest.skip("HCPCS 2020 annual file not in the shared data")
    build_hcpcs_pack(annual, "2020")
    quarterly = folder / "hcpcs_level2_2026_04_short.csv"
    if quarterly.exists():
        build_hcpcs_pack(quarterly, "2026-04")
    note = (
        "ED COURSE: Ceftriaxone 1 g IV given. Ondansetron 4 mg IV push given.\n"
        "Phenylephrine 0.5 mg IV given. No ketorolac given.\n"
    )
    for on in (date(2020, 6, 1), date(2026, 5, 1) if quarterly.exists() else None):
        codes, _ = _codes(note, on=on)
        assert units_of(codes["J0696"]) == 4
        assert units_of(codes["J2405"]) == 4
        assert "J1885" not in codes
    codes, warnings = _codes(note, on=date(2020, 6, 1))
    assert units_of(codes["J2370"]) is None  # mg against "up to 1 ml", no concentration
    assert any("J2370" in w for w in warnings)


def test_an_administration_service_is_not_a_drug():
    text = (
        "Chemotherapy administration by other than infusion technique only (e.g., subcutaneous, "
        "intramuscular, push), per visit"
    )
    assert parse_entry(HcpcsCode("Q0083", "", ""), text) is None


def _steroid_index():
    from medcoder.services.jcodes import find_administrations

    codes = {
        "J0702": HcpcsCode(
            "J0702",
            "Betamethasone acet&sod phosp",
            "Injection, betamethasone acetate 3 mg and betamethasone sodium phosphate 3 mg",
        ),
        "J2001": HcpcsCode(
            "J2001",
            "Lidocaine injection",
            "Injection, lidocaine hcl for intravenous infusion, 10 mg",
        ),
    }
    return DrugIndex.build(codes, "test"), find_administrations


def test_brand_steroid_with_its_dose_before_and_the_local_anesthetic_is_part_of_the_procedure():
    index, find = _steroid_index()
    note = (
        "PROCEDURE\n\nRight trigger finger injection. Consent signed. We injected 1.0 cc of "
        "Celestone and 0.5 cc of lidocaine into the flexor sheath.\n"
    )
    given, skipped = find(Document("n", note), index)
    assert [(a.drug, a.dose) for a in given] == [("Celestone", "1.0 cc")]
    assert any("local anesthetic" in s for s in skipped)
