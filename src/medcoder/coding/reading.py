"""Which mentions a coder turns into codes, from where the note says them.

Billing settings (outpatient, emergency, observation, inpatient) code what the provider
*states* as the patient's conditions, not every word that names one: "SKIN: warm, dry and
intact" is not xerosis, "ADHESIVE TAPE" in the allergy list is not adhesions, the risks read out
in a consent discussion are not complications, "fatigue and dizziness" in the reasoning under
"Congestive heart failure" are that diagnosis's symptoms (I.B.4-5). Each rule below names the
guideline that decides it:

- diagnosis statements (assessment, impression, diagnosis lists) are coded (I.B.1, IV.C);
- the reason for the visit (chief complaint, indication) is coded when no diagnosis explains it
  (IV.D, IV.E: signs and symptoms when a diagnosis is not established);
- the history of present illness and hospital course are read for the conditions they
  establish: all of them in a note that states no diagnosis; in an inpatient record, the
  definitive conditions as secondary diagnoses (III: other diagnoses that coexist);
- past medical history: chronic conditions are coded as current where they affect care
  (III.B inpatient; IV.J outpatient when a current drug on the list treats them), the rest
  is history;
- review of systems, examination, results, allergies, medications, consent and risk
  discussions, instructions and plans state no diagnosis of the patient (IV.C, IV.J);
  family history belongs to relatives (I.C.21.c.4); social history to status codes.

The abstraction setting (registries, case review, CodiEsp) reads every mention, as its
abstractors do, and does not use this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medcoder.coding.candidates import Candidate
from medcoder.documents.model import Setting
from medcoder.nlp.annotated import AnnotatedDocument
from medcoder.nlp.model import Assertion


@dataclass(frozen=True)
class Verdict:
    """Whether a candidate is coded, and if not, why (reason and guideline)."""

    code: bool
    reason: str = ""
    guideline: str | None = None


CODE = Verdict(True)
# Personal history and status codes (I.C.21.c.3 status, I.C.21.c.4 history).
_STATUS = ("Z85", "Z86", "Z87", "Z89", "Z90", "Z92", "Z95", "Z96", "Z98", "Z99")
_NOT_STATED = {
    "support": (
        "said in the reasoning, plan or summary around a stated problem, not stated as a "
        "diagnosis of this encounter",
        "I.B.4",
    ),
    "excluded": (
        "in a part of the note that states no diagnosis (examination, review of systems, "
        "allergies, medications, consent, instructions or plan)",
        "IV.C",
    ),
    "finding": (
        "a result or finding the provider did not state as a diagnosis",
        "III.B",
    ),
    "family": ("a family member's condition, not the patient's", "I.C.21.c.4"),
    "social": ("social history: status, not a condition of this encounter", "IV.J"),
    "history": ("past history, not a current condition of this encounter", "I.C.21.c.4"),
}


# Signs and symptoms classified in the body-system chapters (I.C.18: "codes for signs and
# symptoms ... that point to a specific body system are in that chapter"): pain of a joint,
# a limb or the back, effusion and stiffness of a joint, myalgia, pain not elsewhere
# classified, eye and ear pain, breast pain.
SYMPTOM_PREFIXES = (
    "R",
    "M254",  # effusion of joint
    "M255",  # pain in joint
    "M256",  # stiffness of joint
    "M542",  # cervicalgia
    "M545",  # low back pain
    "M546",  # pain in thoracic spine
    "M549",  # dorsalgia, unspecified
    "M791",  # myalgia
    "M796",  # pain in limb, hand, foot, fingers and toes
    "G89",  # pain, not elsewhere classified
    "H571",  # ocular pain
    "H920",  # otalgia
    "N644",  # mastodynia
)


def is_symptom(code: str) -> bool:
    """A sign or symptom code: chapter 18 (R00-R99) or one of the body-system chapters'."""
    return code.replace(".", "").upper().startswith(SYMPTOM_PREFIXES)


# "Trace mitral regurgitation", "trivial pericardial effusion", "physiologic tricuspid
# regurgitation": the words a test reader uses for a normal variant. The interpretation's
# confirmed diagnoses are coded (IV.K); a finding the reader grades as normal is not one.
_PHYSIOLOGIC = re.compile(r"\b(?:trace|trivial|physiologic(?:al)?)\b(?:\W+[\w-]+){0,3}\W*$", re.I)


def _physiologic(mention, annotated: AnnotatedDocument) -> bool:  # noqa: ANN001 - nlp Mention
    """Whether the words just before the mention (same sentence) grade it as a normal variant."""
    start = mention.sentence_start if mention.sentence_start is not None else mention.start - 40
    before = annotated.text[max(start, mention.start - 40) : mention.start]
    return bool(_PHYSIOLOGIC.search(before + " " + mention.text.split()[0]))


# "I ordered an echocardiogram to evaluate his murmur", "further evaluation of the murmur heard
# on exam": the plan works up a sign the provider names as the patient's (the possessive or
# definite article; "evaluate for X" is a rule-out and reads as uncertain). A sign or symptom
# under work-up is coded when no established diagnosis explains it (IV.D, I.B.5 follows).
_WORKED_UP = re.compile(
    r"\b(?:evaluate|evaluation\s+of|assess|assessment\s+of|investigate|investigation\s+of|"
    r"work[\s-]*up(?:\s+of)?|workup\s+of)\s+(?:his|her|their|your|the|this|that)\s+"
    r"(?:[a-z-]+\s+){0,2}$",
    re.I,
)


def _worked_up(mention, annotated: AnnotatedDocument) -> bool:  # noqa: ANN001 - nlp Mention
    """Whether the plan words just before the mention (same sentence) work it up."""
    start = mention.sentence_start if mention.sentence_start is not None else mention.start - 60
    before = annotated.text[max(start, mention.start - 60) : mention.start]
    return bool(_WORKED_UP.search(before))


def states_a_diagnosis(annotated: AnnotatedDocument) -> bool:
    """Whether the note states at least one definitive, present condition as a diagnosis."""
    return any(
        m.reading == "diagnosis"
        and m.assertion in (Assertion.PRESENT, Assertion.POSSIBLE)
        and any(not is_symptom(c) and not c.startswith("Z") for c in m.codes)
        for m in annotated.mentions
    )


class Reading:
    """The coder's reading of one setting (see the module docstring)."""

    def __init__(
        self,
        setting: Setting,
        chronic: object | None = None,
        treated: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.setting = setting
        self.inpatient = setting is Setting.INPATIENT
        self.chronic = chronic  # callable(code) -> bool: conditions chronic by nature
        # document id -> code prefixes of the conditions its current drugs treat
        self.treated = treated or {}

    def verdict(
        self, cand: Candidate, annotated: AnnotatedDocument, stated: bool, title: str = ""
    ) -> Verdict:
        mention = cand.mention
        role = mention.reading if mention is not None else None
        if role == "diagnosis" and annotated.type.is_report and _physiologic(mention, annotated):
            return Verdict(
                False,
                "a trace or physiologic finding the reader reports as a normal variant",
                "IV.K",
            )
        if role is None or role == "diagnosis":
            return CODE
        symptom = is_symptom(cand.code)
        if role == "reason":
            # "Wrist injury" as the complaint is the Colles fracture the assessment states.
            vague = title.lower().startswith("unspecified ")
            if (symptom or vague) and stated:
                return Verdict(
                    False,
                    "the reason for the visit is explained by the stated diagnosis",
                    "IV.D",
                )
            return CODE
        if role == "narrative":
            if not stated:
                return CODE
            if (
                self.inpatient
                and not symptom
                and (
                    mention.section == "hospital_course"
                    or self._chronic(cand.code)
                    or cand.code.upper().startswith(_STATUS)
                )
            ):
                # What the hospital course treats, and a chronic condition told in the
                # history of the illness, coexist with the stay's problem (III.B); an acute
                # one told in the history is the story that led to the stated diagnoses,
                # which name what was found.
                return CODE
            return Verdict(
                False,
                "mentioned in the history of the illness, not carried into the stated diagnoses"
                if not symptom
                else "a symptom explained by the stated diagnosis",
                "IV.C" if not symptom else "I.B.5",
            )
        if role in ("support", "excluded") and symptom and _worked_up(mention, annotated):
            return CODE  # a sign the plan works up (IV.D)
        key = cand.code.upper()
        if role == "family" and key.startswith(("Z80", "Z81", "Z82", "Z83", "Z84")):
            return CODE  # family history codes (I.C.21.c.4)
        if role == "history" and self.inpatient and key.startswith(_STATUS):
            return CODE  # history and status codes that affect the stay (I.C.21.c.3-4)
        if role == "history" and not symptom and self._chronic(cand.code):
            if self.inpatient:
                return CODE  # chronic conditions affect the care of the stay (III.B)
            if cand.code.startswith(self.treated.get(annotated.id, ())):
                return CODE  # treated on an ongoing basis: its drug is current (IV.J)
        reason, guideline = _NOT_STATED.get(role, _NOT_STATED["excluded"])
        return Verdict(False, reason, guideline)

    def _chronic(self, code: str) -> bool:
        return bool(self.chronic and self.chronic(code))
