"""Synthetic notes for the shipped CDI rules: one that meets each rule, one that does not.

All text is invented; no patient data. ``coded`` lists (code, evidence text, section) the
coding engine would have returned, so the rules can be tested without building packs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from medcoder.documents.model import Document
from medcoder.suggestions import CodeSuggestion, CodingResult, Evidence

Coded = tuple[str, str, str | None]


def note(text: str, *, doc_id: str = "note-1", **fields: object) -> Document:
    return Document(id=doc_id, text=text, **fields)  # type: ignore[arg-type]


def coding(document: Document, *coded: Coded, poa: str | None = None) -> CodingResult:
    """A CodingResult whose evidence points at the first occurrence of each evidence text."""
    codes = []
    for code, evidence, section in coded:
        start = document.text.find(evidence)
        assert start >= 0, f"evidence {evidence!r} not in the note"
        found = Evidence(document.id, start, start + len(evidence), evidence, section=section)
        codes.append(CodeSuggestion("ICD-10-CM", code, "", 0.9, [found], poa=poa))
    return CodingResult(document.id, "inpatient", codes)


@dataclass
class Case:
    rule_id: str
    fires: str  # a note with the rule's indicators
    quiet: str  # the same kind of note without them
    coded: list[Coded] = field(default_factory=list)  # codes the engine found in ``fires``
    already_coded: Coded | None = None  # the diagnosis coded: no query
    documented: str | None = None  # provider text that documents the diagnosis: no query
    doc_fields: dict[str, object] = field(default_factory=dict)


CASES = [
    Case(
        "hyponatremia.v2",
        fires="Labs 03/01/2024: Na 128 mmol/L.\nLabs 03/02/2024: Na 126 mmol/L.\n"
        "Plan: fluid restriction 1.5 L/day.",
        quiet="Labs 03/01/2024: Na 138 mmol/L.\nLabs 03/02/2024: Na 133 mmol/L.\n"
        "Plan: fluid restriction 1.5 L/day.",
        already_coded=("E87.1", "Na 128 mmol/L", "results"),
        documented="Assessment: hyponatremia, likely hypovolemic.",
    ),
    Case(
        "sepsis.v1",
        fires="ED vitals: T 38.9 C, HR 118, RR 24. WBC 17.2 K/uL. Lactate 3.4 mmol/L.\n"
        "Started IV antibiotics (vancomycin and cefepime) for cellulitis of the left leg.",
        quiet="ED vitals: T 37.1 C, HR 118, RR 16. WBC 9.1 K/uL. Lactate 3.4 mmol/L.\n"
        "Started IV antibiotics (vancomycin and cefepime) for cellulitis of the left leg.",
        already_coded=("A41.9", "T 38.9 C", "physical_exam"),
        documented="Assessment: sepsis due to cellulitis of the left leg.",
    ),
    Case(
        "obesity_bmi.v2",
        fires="Dietitian: weight 121 kg, height 170 cm, BMI 41.9 kg/m2.",
        quiet="Dietitian: weight 70 kg, height 170 cm, BMI 24.2 kg/m2.",
        already_coded=("E66.01", "BMI 41.9 kg/m2", "other"),
        documented="Assessment: morbid obesity, counseled on diet.",
    ),
    Case(
        "anemia_type.v2",
        fires="Hgb 11.2 g/dL on 03/01/2024, Hgb 7.9 g/dL on 03/02/2024 after GI bleed.\n"
        "Transfused 2 units PRBC.",
        quiet="Hgb 13.2 g/dL on 03/01/2024, Hgb 12.9 g/dL on 03/02/2024.\nTransfused 2 units PRBC.",
        already_coded=("D62", "Hgb 7.9 g/dL", "results"),
        documented="Assessment: acute blood loss anemia from GI bleed.",
    ),
    Case(
        "aki.v1",
        fires="Cr 0.9 mg/dL on 03/01/2024 08:00.\nCr 1.4 mg/dL on 03/02/2024 08:00.",
        quiet="Cr 0.9 mg/dL on 03/01/2024 08:00.\nCr 1.0 mg/dL on 03/02/2024 08:00.",
        already_coded=("N17.9", "Cr 1.4 mg/dL", "results"),
        documented="Assessment: AKI, prerenal, hold lisinopril.",
    ),
    Case(
        "heart_failure_specificity.v2",
        fires="Assessment: CHF exacerbation.\nEcho 03/01/2024: LVEF 30%. BNP 1450 pg/mL.\n"
        "Given IV furosemide.",
        quiet="Assessment: chronic diastolic heart failure, stable on home regimen.\n"
        "Echo 03/01/2024: LVEF 60%.",
        # coded from documentation elsewhere in the record (not from the bare "CHF")
        already_coded=("I50.23", "Echo 03/01/2024", "results"),
        documented="Assessment: acute on chronic systolic heart failure.",
    ),
    Case(
        "ckd_stage.v2",
        fires="Assessment: CKD, continue home medications.\neGFR 38 mL/min/1.73m2 on 03/01/2024.",
        quiet="Assessment: CKD stage 3b, continue home medications.\n"
        "eGFR 38 mL/min/1.73m2 on 03/01/2024.",
        already_coded=("N18.32", "eGFR 38", "results"),
        documented="Assessment: CKD stage 3b, follow up nephrology.",
    ),
    Case(
        "pneumonia_organism.v1",
        fires="Assessment: pneumonia of the right lower lobe, on ceftriaxone.\n"
        "Sputum culture grew Streptococcus pneumoniae.",
        quiet="Assessment: pneumonia of the right lower lobe, on ceftriaxone.\n"
        "Sputum culture pending.",
        coded=[("J18.9", "pneumonia", "assessment")],
        already_coded=("J13", "pneumonia", "assessment"),
        documented="Assessment: pneumococcal pneumonia.",
    ),
    Case(
        "diabetes_specificity.v1",
        fires="Assessment: type 2 diabetes on metformin.\nPeripheral neuropathy of both feet.",
        quiet="Assessment: type 2 diabetes on metformin.\nFeet: sensation intact.",
        coded=[("E11.9", "type 2 diabetes", "assessment")],
        already_coded=("E11.42", "type 2 diabetes", "assessment"),
        documented="Assessment: diabetic neuropathy.",
    ),
    Case(
        "pressure_injury_stage.v1",
        fires="Progress note: patient resting.\n\nNursing skin assessment: stage 3 pressure "
        "injury to sacrum, 3 x 2 cm, slough present.\n",
        quiet="Progress note: patient resting.\n\nNursing skin assessment: skin intact.\n",
        already_coded=("L89.153", "patient resting", "other"),
        documented="Assessment: stage 3 pressure injury of the sacrum.",
    ),
]
