"""Operative and procedure reports coded like a coder codes them (real FY2023 PCS files).

Each note is written here in the dictation forms real transcriptions use: run-together
headings joined by commas, numbered statements, consent boilerplate and templated closings.
"""

from __future__ import annotations

from medcoder.documents.sections import segment
from medcoder.documents.text_reader import text_document
from medcoder.procedures.pcs_engine import PcsEngine, PcsResult

CONSENT = (
    "The risks, benefits and alternatives of the procedure were discussed with the patient, "
    "who wished to proceed, and informed consent was obtained."
)
CLOSING = "Sponge and needle counts were correct. The patient tolerated the procedure well."


def run(engine: PcsEngine, text: str) -> PcsResult:
    return engine.analyze(segment(text_document(text, doc_id="note", source="note")))


def codes(engine: PcsEngine, text: str) -> list[str]:
    return sorted(c.code for c in run(engine, text).codes)


def test_b3_1a_turp_is_excision_of_the_prostate_and_the_cystoscopy_integral(
    real_engine: PcsEngine,
) -> None:
    text = (
        "PREOPERATIVE DIAGNOSIS: , Benign prostatic hypertrophy with retention.,"
        "PROCEDURE PERFORMED: ,1.  Cystourethroscopy.,2.  Transurethral resection of the "
        f"prostate.,ANESTHESIA: , Spinal.,PROCEDURE IN DETAIL: , {CONSENT} A 26-French "
        "resectoscope was passed per urethra. The median and lateral lobes were resected to "
        f"the capsule and the chips evacuated. {CLOSING}"
    )
    result = run(real_engine, text)
    assert [c.code for c in result.codes] == ["0VB08ZZ"]
    assert any("Excision, not Resection" in step for step in result.codes[0].path)
    assert {r.code: r.guideline for r in result.rejected} == {"0TJB8ZZ": "B3.11a"}


def test_b3_1a_herniorrhaphy_without_mesh_is_repair_of_the_site_the_diagnosis_names(
    real_engine: PcsEngine,
) -> None:
    text = (
        "PREOPERATIVE DIAGNOSIS: , Umbilical hernia.,POSTOPERATIVE DIAGNOSIS: , Same.,"
        "PROCEDURE: , Hernia repair.,PROCEDURE IN DETAIL: , A curvilinear incision was made "
        "below the umbilicus. The sac was reduced and the fascial defect was closed "
        f"primarily with interrupted 0 Prolene sutures. {CLOSING}"
    )
    assert codes(real_engine, text) == ["0WQF0ZZ"]


def test_b3_1a_herniorrhaphy_with_mesh_is_supplement_of_the_inguinal_region(
    real_engine: PcsEngine,
) -> None:
    text = (
        "PROCEDURE PERFORMED: , Right inguinal herniorrhaphy.,DESCRIPTION: , An inguinal "
        "incision was made. The indirect sac was ligated and a polypropylene mesh was sutured "
        f"to the shelving edge of the inguinal ligament. {CLOSING}"
    )
    assert codes(real_engine, text) == ["0YU50JZ"]


def test_a8_inguinal_herniorrhaphy_without_a_side_is_a_query_not_a_code(
    real_engine: PcsEngine,
) -> None:
    text = (
        "PROCEDURE PERFORMED: , Inguinal herniorrhaphy.,PROCEDURE: , A standard inguinal "
        "incision was made and the sac was dissected from the cord, ligated and excised. The "
        f"floor was repaired with interrupted sutures. {CLOSING}"
    )
    result = run(real_engine, text)
    assert result.codes == []
    (query,) = result.queries
    assert query.prefix == "0YQ" and query.missing == "Body Part"
    assert query.question.startswith("side not documented for 'Inguinal herniorrhaphy'")


def test_b5_3b_shock_wave_lithotripsy_is_external_fragmentation_of_the_kidney_pelvis(
    real_engine: PcsEngine,
) -> None:
    text = (
        "PREOPERATIVE DIAGNOSIS: , Left renal calculus, 9 mm.,PROCEDURE: , Extracorporeal "
        "shock wave lithotripsy.,DETAILS OF THE OPERATION: , Under fluoroscopic localization "
        "2800 shocks were delivered with the lithotriptor. The stone fragmented well."
    )
    assert codes(real_engine, text) == ["0TF4XZZ"]


def test_body_part_key_subacromial_decompression_is_excision_of_the_scapula(
    real_engine: PcsEngine,
) -> None:
    text = (
        "PREOPERATIVE DIAGNOSIS: , Impingement syndrome, right shoulder.,NAME OF OPERATION: ,"
        "Arthroscopic subacromial decompression.,PROCEDURE: , Through standard portals the "
        "undersurface of the acromion was resected with a burr."
    )
    result = run(real_engine, text)
    assert [c.code for c in result.codes] == ["0PB54ZZ"]
    assert result.codes[0].evidence[0].text == "Arthroscopic subacromial decompression"


def test_total_knee_arthroplasty_is_replacement_cemented_when_cement_is_documented(
    real_engine: PcsEngine,
) -> None:
    text = (
        "PREOPERATIVE DIAGNOSIS: , Osteoarthritis, left knee.,TITLE OF OPERATION: , Total knee "
        "arthroplasty.,DESCRIPTION OF PROCEDURE: , A midline incision and medial parapatellar "
        "arthrotomy were made. The femoral and tibial components were cemented in place and "
        "the polyethylene insert was seated."
    )
    assert codes(real_engine, text) == ["0SRD0J9"]


def test_b4_4_angioplasty_with_a_drug_eluting_stent_in_one_artery(
    real_engine: PcsEngine,
) -> None:
    text = (
        "NAME OF PROCEDURE: , Percutaneous coronary intervention of the right coronary artery."
        ",TECHNIQUE: , Right radial access. A 3.0 x 23 mm Xience drug-eluting stent was "
        "deployed across the lesion with 0% residual stenosis."
    )
    assert codes(real_engine, text) == ["027034Z"]


def test_b6_1a_angioplasty_whose_stent_could_not_be_delivered_has_no_device(
    real_engine: PcsEngine,
) -> None:
    text = (
        "PROCEDURE PERFORMED: , Coronary angioplasty.,PROCEDURE IN DETAIL: , A balloon was "
        "positioned in the mid LAD and inflated to 8 atmospheres. A bare metal stent could not "
        "be advanced past the calcified segment and was removed."
    )
    assert codes(real_engine, text) == ["02703ZZ"]


def test_coronary_angiography_of_both_systems_with_low_osmolar_contrast(
    real_engine: PcsEngine,
) -> None:
    text = (
        "PROCEDURE: , Selective coronary angiography.,DESCRIPTION: , The left coronary system "
        "and the right coronary artery were selectively engaged.,CONTRAST: , Omnipaque 80 mL."
    )
    assert codes(real_engine, text) == ["B2111ZZ"]


def test_b3_2c_pacemaker_is_a_generator_in_the_chest_pocket_and_a_transvenous_lead(
    real_engine: PcsEngine,
) -> None:
    text = (
        "PROCEDURE PERFORMED: , Implantation of a dual-chamber permanent pacemaker.,"
        "DESCRIPTION: , The left cephalic vein was accessed. The atrial and ventricular leads "
        "were positioned and connected to the pulse generator, which was placed in a "
        "subcutaneous pocket. Mode DDDR."
    )
    assert codes(real_engine, text) == ["02H63JZ", "02HK3JZ", "0JH606Z"]


def test_thoracentesis_takes_its_side_from_the_diagnosis(real_engine: PcsEngine) -> None:
    text = (
        "PREOPERATIVE DIAGNOSIS: , Right pleural effusion.,PROCEDURE: , Thoracentesis.,"
        "DESCRIPTION OF PROCEDURE: , The posterior chest was prepped and 1500 mL of "
        "straw-colored fluid was withdrawn."
    )
    assert codes(real_engine, text) == ["0W993ZZ"]


def test_b3_1a_endoscopic_removal_of_a_food_bolus_is_extirpation_of_the_esophagus(
    real_engine: PcsEngine,
) -> None:
    text = (
        "PROCEDURE: , EGD with removal of food impaction.,FINDINGS: , A meat bolus was lodged "
        "in the distal esophagus above a Schatzki ring.,IMPRESSION: , Food impaction of the "
        "distal esophagus."
    )
    assert codes(real_engine, text) == ["0DC38ZZ"]


def test_b3_5_excisional_debridement_codes_the_deepest_layer_in_the_region_named(
    real_engine: PcsEngine,
) -> None:
    text = (
        "PREOPERATIVE DIAGNOSIS: , Stage 4 pressure ulcer of the sacrum.,PROCEDURE PERFORMED: ,"
        "Excisional debridement of sacral decubitus ulcer.,DESCRIPTION: , Necrotic skin, "
        "subcutaneous tissue and fascia were sharply excised with a scalpel."
    )
    assert codes(real_engine, text) == ["0JB90ZZ"]


def test_debridement_not_said_excisional_or_not_is_a_query(real_engine: PcsEngine) -> None:
    text = "PROCEDURE: , Debridement of heel ulcer, left.,FINDINGS: , Granulating base."
    result = run(real_engine, text)
    assert result.codes == []
    assert result.queries[0].question == (
        "debridement not described: excisional or non-excisional?"
    )


def test_b5_3a_tonsillectomy_is_resection_by_the_external_approach(
    real_engine: PcsEngine,
) -> None:
    text = (
        "OPERATION: , Tonsillectomy.,DESCRIPTION: , A mouth gag was placed and the tonsils "
        "were dissected from their fossae with electrocautery."
    )
    assert codes(real_engine, text) == ["0CTPXZZ"]


def test_tubal_ligation_with_rings_is_occlusion_with_an_extraluminal_device(
    real_engine: PcsEngine,
) -> None:
    text = (
        "PROCEDURE: , Laparoscopic tubal ligation.,DESCRIPTION: , Falope rings were applied "
        "to both fallopian tubes."
    )
    assert codes(real_engine, text) == ["0UL74CZ"]


def test_central_venous_catheter_is_an_infusion_device_in_the_vein_entered(
    real_engine: PcsEngine,
) -> None:
    text = (
        "PROCEDURE PERFORMED: , Insertion of left subclavian triple-lumen catheter.,"
        "DESCRIPTION: , Using the Seldinger technique the vein was cannulated on the first pass."
    )
    assert codes(real_engine, text) == ["05H633Z"]


def test_b3_4b_biopsy_before_fulguration_is_coded_with_it(real_engine: PcsEngine) -> None:
    text = (
        "PROCEDURE: , Cystoscopy and fulguration of bladder tumor.,DESCRIPTION OF PROCEDURE: "
        ", The cystoscope was passed into the bladder. Cold cup biopsies of the bladder tumor "
        "were taken and the base was fulgurated with the Bugbee electrode."
    )
    assert codes(real_engine, text) == ["0T5B8ZZ", "0TBB8ZX"]


def test_statement_headings_of_every_common_form_are_read(real_engine: PcsEngine) -> None:
    for heading in ("OPERATION", "TITLE OF OPERATION", "NAME OF PROCEDURE", "PROCEDURES"):
        text = (
            f"{heading}: , Total thyroidectomy.,ANESTHESIA: , General endotracheal.,"
            "DESCRIPTION: , A collar incision was made and both lobes were removed."
        )
        assert codes(real_engine, text) == ["0GTK0ZZ"], heading


def test_discharge_summary_codes_the_stay_not_history_or_plans(real_engine: PcsEngine) -> None:
    text = (
        "ADMITTING DIAGNOSIS: , Gross hematuria.,HOSPITAL COURSE: , He had a transurethral "
        "resection of the prostate 10 years ago. Chest x-ray and EKG were normal. On hospital "
        "day 2 he underwent cystoscopy and transurethral resection of the prostate. He will "
        "need a laparoscopic partial nephrectomy for the renal mass next month."
        ",DISCHARGE DIAGNOSIS: , Benign prostatic hyperplasia."
    )
    result = run(real_engine, text)
    assert [c.code for c in result.codes] == ["0VB08ZZ"]
    assert result.codes[0].evidence[0].start > text.index("hospital day")
    assert {r.guideline for r in result.rejected} >= {"UHDDS"}


def test_consult_history_and_plan_give_no_procedure(real_engine: PcsEngine) -> None:
    text = (
        "REASON FOR CONSULTATION: , Left ureteral stone.,HISTORY OF PRESENT ILLNESS: , He is "
        "status post circumcision and had a cystoscopy in 2019.,PLAN: , Left ureteroscopy with "
        "laser lithotripsy tomorrow. Risks of the procedure were discussed."
    )
    result = run(real_engine, text)
    assert result.codes == [] and result.queries == []


def test_radiology_report_gives_no_code(real_engine: PcsEngine) -> None:
    text = (
        "CT ABDOMEN AND PELVIS WITHOUT CONTRAST,FINDINGS: , There is a 6 mm stone in the left "
        "renal pelvis.,IMPRESSION: , Left nephrolithiasis without hydronephrosis."
    )
    assert codes(real_engine, text) == []


def test_pathology_report_of_a_resection_gives_no_code(real_engine: PcsEngine) -> None:
    text = (
        "SPECIMEN: , Gallbladder.,PROCEDURE: , Laparoscopic cholecystectomy.,GROSS "
        "DESCRIPTION: , The gallbladder measures 8 cm.,MICROSCOPIC DESCRIPTION: , Chronic "
        "cholecystitis with cholelithiasis."
    )
    result = run(real_engine, text)
    assert result.codes == [] and result.kind == "pathology"


def test_b3_2a_salpingo_oophorectomy_is_the_ovary_and_the_tube_of_the_side_named(
    real_engine: PcsEngine,
) -> None:
    text = (
        "PROCEDURE PERFORMED: , Total abdominal hysterectomy with left salpingo-oophorectomy.,"
        "DESCRIPTION: , A Pfannenstiel incision was made and the peritoneum entered."
    )
    assert codes(real_engine, text) == ["0UT10ZZ", "0UT60ZZ", "0UT90ZZ", "0UTC0ZZ"]


def test_lymph_node_dissection_is_coded_to_the_lymphatics_of_the_region(
    real_engine: PcsEngine,
) -> None:
    text = (
        "OPERATIVE PROCEDURE: , Radical retropubic prostatectomy with bilateral pelvic lymph "
        "node dissection.,PROCEDURE IN DETAIL: , A lower midline incision was made."
    )
    assert codes(real_engine, text) == ["07TC0ZZ", "0VT00ZZ"]


def test_removal_of_an_implanted_port_is_removal_of_the_vascular_access_device(
    real_engine: PcsEngine,
) -> None:
    text = (
        "OPERATION PERFORMED: , Removal of Mediport.,OPERATIVE PROCEDURE: , The old incision "
        "was reopened and the port and catheter were removed from the pocket."
    )
    assert codes(real_engine, text) == ["0JPT0WZ"]


def test_b3_3_an_attempted_procedure_is_asked_not_coded(real_engine: PcsEngine) -> None:
    text = (
        "PROCEDURE: ,1.  Attempted percutaneous endoscopic gastrostomy.,2.  Open gastrostomy "
        "tube placement.,DESCRIPTION: , The stomach could not be transilluminated. An upper "
        "midline incision was made and a feeding tube was placed in the stomach."
    )
    result = run(real_engine, text)
    assert [c.code for c in result.codes] == ["0DH60UZ"]
    assert "B3.3" in result.queries[0].question


def test_instrument_names_are_not_procedures(real_engine: PcsEngine) -> None:
    text = (
        "Under local anesthesia the wound edges were freed with tenotomy scissors and biopsy "
        "forceps. The wound was irrigated and dressed."
    )
    result = run(real_engine, text)
    assert result.codes == [] and result.queries == []


def test_b3_1a_orchiopexy_and_testis_fixation_are_reposition(real_engine: PcsEngine) -> None:
    text = (
        "PROCEDURE: , Left orchiopexy.,DESCRIPTION: , Through a left inguinal incision the "
        "testis was mobilized and fixed in a dartos pouch."
    )
    assert codes(real_engine, text) == ["0VSB0ZZ"]
    text = (
        "PROCEDURE: , Bilateral testes fixation.,DESCRIPTION: , Scrotal incisions were made "
        "and each testis was fixed in a subdartos pouch."
    )
    assert codes(real_engine, text) == ["0VSC0ZZ"]


def test_a_biopsy_in_the_description_is_of_the_organ_the_statement_operates_on(
    real_engine: PcsEngine,
) -> None:
    text = (
        "POSTOPERATIVE DIAGNOSIS: , Urethral stricture.,PROCEDURE PERFORMED: , Cystoscopy and "
        "bladder fulguration.,DESCRIPTION OF PROCEDURE: , The cystoscope was passed. A small "
        "erythematous area was biopsied with cold cup forceps and the area was fulgurated."
    )
    assert codes(real_engine, text) == ["0T5B8ZZ", "0TBB8ZX"]
