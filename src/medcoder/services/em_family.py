"""Which E/M code family a document is leveled in, from its type and the setting.

A coder first asks what the document is: only a face-to-face evaluation and management
service gets an E/M code. Radiology, pathology and test reports, operative reports, letters
and discharge summaries document no such visit (the discharge-day codes are left to a person:
a discharge summary is not the discharge-day service), so they get none; neither does a
document whose type cannot be told (no history, examination or assessment headings). For a visit the
family follows the document type and the setting (AMA 2021 office, 2023 other settings):

=====================  ==========================  ======================================
document               outpatient / office          inpatient / observation
=====================  ==========================  ======================================
office visit           office new or established    initial hospital care (flagged)
progress note          office new or established    subsequent hospital care
history and physical   initial hospital care        initial hospital care
consultation           office new (consult: 9924x)  initial hospital care (consult: 9925x)
ED visit               emergency department         emergency department
=====================  ==========================  ======================================

Consultation codes (99242-99245, 99252-99255) are reported only where the payer accepts them
(``consults=True``); otherwise the office or hospital code is reported, as Medicare requires,
and the consultation code is named in the explanation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from medcoder.documents.doctype import DocumentType
from medcoder.documents.model import Setting

T = DocumentType
NOT_VISITS = {
    T.RADIOLOGY: "a radiology report",
    T.PATHOLOGY: "a pathology report",
    T.TEST_REPORT: "a test report",
    T.OPERATIVE_REPORT: "an operative or procedure report",
    T.LETTER: "a letter",
    T.DISCHARGE_SUMMARY: "a discharge summary",
}


@dataclass
class FamilyChoice:
    """The family to level in (None: no E/M) and what a coder should know about the choice."""

    family: str | None
    notes: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)
    consult_alternative: str | None = None  # the consultation family not reported


def choose_family(
    doc_type: DocumentType, setting: Setting | str, *, consults: bool = False
) -> FamilyChoice:
    """The E/M family of a document of ``doc_type`` coded in ``setting`` (see the table)."""
    if doc_type in NOT_VISITS:
        return FamilyChoice(None, [f"no E/M: the document is {NOT_VISITS[doc_type]}, not a visit"])
    if doc_type is T.UNKNOWN:
        return FamilyChoice(
            None,
            [
                "no E/M: the document is not recognised as a visit (no history, examination "
                "or assessment headings); level it by hand if it is one"
            ],
        )
    setting = Setting.OUTPATIENT if setting == "office" else Setting.parse(setting)
    hospital = setting in (Setting.INPATIENT, Setting.OBSERVATION)
    if doc_type is T.ED_VISIT or (setting is Setting.EMERGENCY and doc_type is not T.CONSULT):
        if doc_type is T.HISTORY_AND_PHYSICAL:
            return FamilyChoice("hospital-initial", ["admission history and physical"])
        return FamilyChoice("emergency", ["emergency department visit"])
    if doc_type is T.CONSULT:
        consult = "consult-inpatient" if hospital else "consult-office"
        if consults:
            return FamilyChoice(consult, ["consultation: the payer accepts consultation codes"])
        base = "hospital-initial" if hospital else "office-new"
        return FamilyChoice(
            base,
            [
                f"consultation reported as {base} (payer does not accept consultation codes); "
                f"where it does, the {consult} code applies"
            ],
            consult_alternative=consult,
        )
    if doc_type is T.HISTORY_AND_PHYSICAL:
        return FamilyChoice("hospital-initial", ["admission history and physical"])
    if hospital:
        if doc_type is T.PROGRESS_NOTE:
            return FamilyChoice("hospital-subsequent", ["hospital progress note"])
        return FamilyChoice(
            "hospital-initial",
            ["visit note in a hospital setting leveled as initial hospital care"],
            review=[
                "hospital visit note: initial care assumed; use subsequent care (99231-99233) "
                "if the patient was already seen during this stay"
            ],
        )
    return FamilyChoice("office", ["office or outpatient visit"])
