"""Malignancies told as past are their Z85 personal history (I.C.2.d); a dash code defaults to
its most unspecified child; a procedure's site in the Neoplasm Table is said as a site."""

from __future__ import annotations

from pathlib import Path

import pytest

import medcoder
from medcoder.codesets.icd10cm_tables import TableTerm
from medcoder.codesets.registry import icd10cm
from medcoder.coding.neoplasm_history import history_code, is_primary_malignancy
from medcoder.nlp.index_vocabulary import _from_neoplasm, _Resolver


@pytest.fixture(autouse=True)
def _packs(built_packs: Path) -> None:
    """The built-in tabular and the synthetic index."""


def _codes(text: str, setting: str = "outpatient") -> list[str]:
    return [c.code for c in medcoder.code(text, setting=setting, systems="icd10cm").codes]


@pytest.mark.parametrize(
    ("neoplasm", "history"),
    [
        ("C44.91", "Z85.828"),  # "Conditions classifiable to C44"
        ("C43.0", "Z85.820"),  # melanoma of skin
        ("C61", "Z85.46"),  # genital organs C51-C63, the title naming the prostate
        ("C50.911", "Z85.3"),  # C50.-
        ("C34.90", "Z85.118"),  # "other" bronchus and lung, not the carcinoid tumour
        ("C18.9", "Z85.038"),
    ],
)
def test_the_z85_code_is_the_one_whose_tabular_note_classifies_the_neoplasm(
    neoplasm: str, history: str
) -> None:
    key = history_code(icd10cm(), neoplasm)
    assert key is not None and key == history.replace(".", "")


def test_secondary_and_unknown_sites_have_no_history_code_of_their_own() -> None:
    assert not is_primary_malignancy("C79.51") and not is_primary_malignancy("C80.1")
    assert history_code(icd10cm(), "C78.00") is None


ONCOLOGY_FOLLOW_UP = """CHIEF COMPLAINT:, Follow-up of hypertension.,ASSESSMENT AND PLAN:,
1.  Essential hypertension, continue lisinopril 20 mg daily.
2.  Status post basal cell carcinoma of skin removal in March; margins were clear and no
further treatment is planned.
3.  History of malignant neoplasm of prostate, treated with radical prostatectomy in 2015; PSA
undetectable.,RETURN:, Six months."""


@pytest.mark.parametrize("setting", ["outpatient", "inpatient"])
def test_an_excised_malignancy_is_coded_as_its_personal_history_I_C_2_d(setting: str) -> None:
    codes = _codes(ONCOLOGY_FOLLOW_UP, setting)
    assert {"I10", "Z85.828", "Z85.46"} <= set(codes)
    assert not any(c.startswith(("C44", "C61")) for c in codes), codes


def test_no_history_code_beside_a_current_malignancy_of_the_same_site_I_C_2_d() -> None:
    note = (
        "PREOPERATIVE DIAGNOSIS:, Malignant neoplasm of prostate.,POSTOPERATIVE DIAGNOSIS:, "
        "Malignant neoplasm of prostate.,INDICATIONS:, A 70-year-old man with a history of "
        "malignant neoplasm of prostate treated with radiation in 2012, now with a rising PSA "
        "and a biopsy-proven local recurrence.,PROCEDURE:, Salvage cryotherapy of the prostate."
    )
    result = medcoder.code(note, setting="inpatient", systems="icd10cm")
    codes = [c.code for c in result.codes]
    assert "C61" in codes and "Z85.46" not in codes
    assert any(r.code == "Z85.46" and r.guideline == "I.C.2.d" for r in result.rejected)


def test_a_malignancy_under_treatment_stays_a_current_neoplasm() -> None:
    note = "ASSESSMENT:,1.  Malignant neoplasm of prostate, on Lupron injections every 3 months."
    codes = _codes(note)
    assert "C61" in codes and not any(c.startswith("Z85") for c in codes)


@pytest.mark.parametrize(
    ("statement", "expected"),
    [("Breast cancer.", "C50.919"), ("Breast cancer, left.", "C50.912")],
)
def test_a_dash_code_defaults_to_its_most_unspecified_child_I_A_9(
    statement: str, expected: str
) -> None:
    # C50.91- has C50.911 "unspecified site of right female breast" and C50.919 "unspecified
    # site of unspecified female breast": without a side, the latter
    assert _codes(f"ASSESSMENT:\n{statement}\n") == [expected]


def test_a_procedure_site_of_the_neoplasm_table_needs_the_word_site() -> None:
    table = type(
        "Table",
        (),
        {
            "root": TableTerm(
                "Neoplasm, neoplastic",
                subterms=[
                    TableTerm(
                        "breast",
                        cells={"Malignant Primary": "C50.919"},
                        subterms=[
                            TableTerm("mastectomy site", cells={"Malignant Primary": "C44.501"})
                        ],
                    )
                ],
            )
        },
    )()
    entries = list(_from_neoplasm(table, _Resolver(icd10cm()), {}))
    mastectomy = [e for e in entries if e.code == "C44501"]
    assert mastectomy and all("site" in e.tokens for e in mastectomy)
    assert any(e.code == "C50919" and "site" not in e.tokens for e in entries)
