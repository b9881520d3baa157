"""HCPCS Level II: the CMS fixed-width annual file, the quarterly CSV, packs, J-code doses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from medcoder.codesets import pack_store
from medcoder.codesets.hcpcs import (
    build_hcpcs_pack,
    dosage_descriptor,
    hcpcs_period,
    parse_fixed_width,
    parse_quarterly_csv,
    read_hcpcs,
)
from medcoder.errors import SourceFileError, UsageError


@pytest.fixture()
def hcpcs_dir(fixtures: Path) -> Path:
    return fixtures / "hcpcs"


@pytest.fixture()
def annual(hcpcs_dir: Path) -> dict:
    return {c.code: c for c in parse_fixed_width(hcpcs_dir / "mini_hcpc_2020.txt")}


def test_fixed_width_reads_codes_and_modifiers(annual: dict) -> None:
    assert sorted(annual) == ["A0021", "J0129", "J0696", "J1885", "JW", "LT", "Q0144"]
    assert annual["LT"].is_modifier and not annual["J0696"].is_modifier


def test_fixed_width_fields_follow_the_record_layout(annual: dict) -> None:
    code = annual["A0021"]
    assert code.short_description == "Outside state ambulance serv"
    assert code.effective_date == date(1985, 1, 1)
    assert code.action_effective_date == date(1996, 9, 10)
    assert (code.action_code, code.coverage_code, code.betos) == ("N", "I", "O1A")
    assert (code.pricing_indicators, code.multiple_pricing_indicator) == ("00", "9")
    assert code.cross_references == "A0030"
    assert code.type_of_service == "D" and code.anesthesia_base_units == 0


def test_continuation_records_extend_the_long_description(annual: dict) -> None:
    assert annual["J0129"].long_description == (
        "Injection, abatacept, 10 mg (code may be used for medicare when drug administered "
        "under the direct supervision of a physician, not for use when drug is self "
        "administered)"
    )
    assert annual["JW"].long_description.endswith("(synthetic wording for the test fixture)")


def test_terminated_code_is_not_active_after_its_termination_date(annual: dict) -> None:
    code = annual["Q0144"]
    assert code.termination_date == date(2019, 12, 31)
    assert code.is_active(date(2019, 6, 1)) and not code.is_active(date(2020, 1, 1))
    assert not code.is_active(date(1997, 1, 1))


def test_quarterly_csv_reads_status_indicator_and_rate(hcpcs_dir: Path) -> None:
    codes = {c.code: c for c in parse_quarterly_csv(hcpcs_dir / "mini_hcpcs_2026_04.csv")}
    assert codes["J1885"].status_indicator == "K1"
    assert codes["J1885"].payment_rate == Decimal("0.341")
    assert codes["J0696"].payment_rate is None
    assert codes["C9999"].short_description == "Synthetic, quoted descriptor"
    assert codes["C9999"].payment_rate == Decimal("1234.50")
    assert "A4341" in codes  # the stray mark after the code is dropped


def test_annual_pack_covers_the_calendar_year(hcpcs_dir: Path) -> None:
    dest = build_hcpcs_pack([hcpcs_dir / "mini_hcpc_2020.txt"], "2020")
    assert dest == pack_store.pack_path("hcpcs", "2020")
    conn = pack_store.open_pack(dest)
    meta = pack_store.read_meta(conn)
    assert (meta["component"], meta["effective_from"], meta["effective_to"]) == (
        "hcpcs",
        "2020-01-01",
        "2020-12-31",
    )
    codes = read_hcpcs(conn)
    assert codes == {c.code: c for c in parse_fixed_width(hcpcs_dir / "mini_hcpc_2020.txt")}


def test_quarterly_pack_merges_csv_into_annual_codes(hcpcs_dir: Path) -> None:
    files = [hcpcs_dir / "mini_hcpcs_2026_04.csv", hcpcs_dir / "mini_hcpc_2020.txt"]
    conn = pack_store.open_pack(build_hcpcs_pack(files, "2026-04"))
    meta = pack_store.read_meta(conn)
    assert (meta["effective_from"], meta["effective_to"]) == ("2026-04-01", "2026-06-30")
    codes = read_hcpcs(conn)
    assert codes["J1885"].status_indicator == "K1"
    assert codes["J1885"].long_description == "Injection, ketorolac tromethamine, per 15 mg"
    assert codes["G0465"].long_description == ""  # new in the CSV, short descriptor only


def test_hcpcs_versions_map_to_periods() -> None:
    assert str(hcpcs_period("2020")) == "2020-01-01..2020-12-31"
    assert str(hcpcs_period("2026-04")) == "2026-04-01..2026-06-30"
    assert str(hcpcs_period("2026_10")) == "2026-10-01..2026-12-31"
    assert str(hcpcs_period("2026Q1")) == "2026-01-01..2026-03-31"
    with pytest.raises(UsageError):
        hcpcs_period("April")


def test_truncated_fixed_width_record_reports_file_and_line(
    hcpcs_dir: Path, tmp_path: Path
) -> None:
    lines = (hcpcs_dir / "mini_hcpc_2020.txt").read_text(encoding="cp1252").splitlines()
    lines[5] = lines[5][:150]
    bad = tmp_path / "HCPC2020_cut.txt"
    bad.write_text("\n".join(lines))
    with pytest.raises(SourceFileError, match="truncated") as err:
        parse_fixed_width(bad)
    assert (err.value.path, err.value.line) == (str(bad), 6)


def test_garbage_after_first_record_reports_its_line(hcpcs_dir: Path, tmp_path: Path) -> None:
    lines = (hcpcs_dir / "mini_hcpc_2020.txt").read_text(encoding="cp1252").splitlines()
    lines.insert(4, "this is not a record")
    bad = tmp_path / "HCPC2020_bad.txt"
    bad.write_text("\n".join(lines))
    with pytest.raises(SourceFileError, match="not an HCPCS record") as err:
        parse_fixed_width(bad)
    assert err.value.line == 5


def test_orphan_continuation_record_is_refused(hcpcs_dir: Path, tmp_path: Path) -> None:
    lines = (hcpcs_dir / "mini_hcpc_2020.txt").read_text(encoding="cp1252").splitlines()
    del lines[6]  # the first record of J0129; its continuations follow A0021
    bad = tmp_path / "HCPC2020_orphan.txt"
    bad.write_text("\n".join(lines))
    with pytest.raises(SourceFileError, match="continuation record for J0129") as err:
        parse_fixed_width(bad)
    assert err.value.line == 7


def test_bad_date_reports_its_line(hcpcs_dir: Path, tmp_path: Path) -> None:
    lines = (hcpcs_dir / "mini_hcpc_2020.txt").read_text(encoding="cp1252").splitlines()
    lines[9] = lines[9][:268] + "19901301" + lines[9][276:]
    bad = tmp_path / "HCPC2020_date.txt"
    bad.write_text("\n".join(lines))
    with pytest.raises(SourceFileError, match="code added date '19901301'") as err:
        parse_fixed_width(bad)
    assert err.value.line == 10


def test_empty_or_foreign_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(SourceFileError, match="no HCPCS records"):
        parse_fixed_width(empty)


def test_malformed_csv_rows_report_their_line(hcpcs_dir: Path, tmp_path: Path) -> None:
    text = (hcpcs_dir / "mini_hcpcs_2026_04.csv").read_text(encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(text.replace("J1885,", "J18,"), encoding="utf-8")
    with pytest.raises(SourceFileError, match="malformed HCPCS code 'J18'") as err:
        parse_quarterly_csv(bad)
    assert err.value.line == 4
    bad.write_text(text.replace("0.341", "zero"), encoding="utf-8")
    with pytest.raises(SourceFileError, match="payment rate") as err:
        parse_quarterly_csv(bad)
    assert err.value.line == 4
    bad.write_text("Code,Price\nJ1885,1\n", encoding="utf-8")
    with pytest.raises(SourceFileError, match="HCPCSCode and ShortDescriptor") as err:
        parse_quarterly_csv(bad)
    assert err.value.line == 1
    bad.write_text(text.splitlines()[0] + "\n", encoding="utf-8")
    with pytest.raises(SourceFileError, match="truncated"):
        parse_quarterly_csv(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Injection, ceftriaxone sodium, per 250 mg", (Decimal(250), "mg")),
        (
            "Injection, abatacept, 10 mg (code may be used for medicare when drug ...)",
            (Decimal(10), "mg"),
        ),
        ("Injection, alprostadil, 1.25 mcg", (Decimal("1.25"), "mcg")),
        ("Injection, heparin sodium, per 1000 units", (Decimal(1000), "units")),
        ("Injection, penicillin g benzathine, 100,000 units", (Decimal(100000), "units")),
        (
            "Factor viii (antihemophilic factor, recombinant) per i.u., not otherwise specified",
            (Decimal(1), "iu"),
        ),
        ("Injection, ampicillin sodium, per 500 mg", (Decimal(500), "mg")),
        ("Injection, cefazolin sodium, 500 mg", (Decimal(500), "mg")),
        ("Injection, ceftazidime, per 500 mg", (Decimal(500), "mg")),
        ("Injection, testosterone enanthate, 1 mg", (Decimal(1), "mg")),
        ("Injection, vancomycin hcl, 500 mg", (Decimal(500), "mg")),
        ("Injection, methylprednisolone acetate, 40 mg", (Decimal(40), "mg")),
        ("Injection, gamma globulin, intramuscular, 1 cc", (Decimal(1), "ml")),
        ("Injection, ceftriaxone, up to 1 gm", (Decimal(1), "g")),
        ("Injection, insulin, per milligram", (Decimal(1), "mg")),
        ("Unclassified drugs", None),
        ("Injection, pegaspargase, per single dose vial", (Decimal(1), "vial")),
    ],
)
def test_dosage_descriptor_reads_amount_and_unit(text: str, expected) -> None:
    assert dosage_descriptor(text) == expected


# --- the official files -------------------------------------------------------------------


@pytest.fixture(scope="module")
def official_2020(shared_data: Path) -> dict:
    path = shared_data / "hcpcs" / "HCPC2020_ANWEB_w_disclaimer.txt"
    return {c.code: c for c in parse_fixed_width(path)}


@pytest.mark.shared_data
def test_official_2020_file_has_6710_codes_and_369_modifiers(official_2020: dict) -> None:
    modifiers = [c for c in official_2020.values() if c.is_modifier]
    assert len(official_2020) - len(modifiers) == 6_710
    assert len(modifiers) == 369
    assert official_2020["LT"].short_description == "Left side"


@pytest.mark.shared_data
def test_official_j_codes_give_billing_unit_doses(official_2020: dict) -> None:
    doses = {
        code: dosage_descriptor(official_2020[code].long_description)
        for code in ("J0696", "J1885", "J1100", "J0129", "J1644", "J0270", "J7192")
    }
    assert doses == {
        "J0696": (Decimal(250), "mg"),
        "J1885": (Decimal(15), "mg"),
        "J1100": (Decimal(1), "mg"),
        "J0129": (Decimal(10), "mg"),
        "J1644": (Decimal(1000), "units"),
        "J0270": (Decimal("1.25"), "mcg"),
        "J7192": (Decimal(1), "iu"),
    }
    drug_codes = [c for c in official_2020.values() if c.code.startswith("J") and len(c.code) == 5]
    parsed = [c for c in drug_codes if dosage_descriptor(c.long_description)]
    assert len(parsed) / len(drug_codes) > 0.95


@pytest.mark.shared_data
def test_official_quarterly_csv_has_every_row(shared_data: Path) -> None:
    codes = parse_quarterly_csv(shared_data / "hcpcs" / "hcpcs_level2_2026_04_short.csv")
    assert len(codes) == 7_513
    by_code = {c.code: c for c in codes}
    assert by_code["J1885"].status_indicator == "K1"
    dest = build_hcpcs_pack([shared_data / "hcpcs" / "hcpcs_level2_2026_04_short.csv"], "2026-04")
    assert pack_store.read_meta(pack_store.open_pack(dest))["effective_from"] == "2026-04-01"
