"""NPDB allegation, injury severity and contributing-factor suggestions, each with evidence.

Codes are those of the NPDB Public Use Data File codebook (ALGNNATR allegation groups,
ALEGATN1/2 specific allegations, OUTCOME severity on the NAIC scale). The few codes the rules
emit are listed here so the library works without the codebook; :func:`load_npdb_codebook`
reads the published value-labels file so a test can prove every emitted code and label
matches it. Each suggestion carries the citations of the events that support it and a
confidence, because these are suggestions for a reviewer, never a determination.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from medcoder.casework.case import Citation
from medcoder.casework.chronology import Chronology
from medcoder.casework.issues import Issue

ALLEGATION_GROUPS = {
    1: "Diagnosis Related", 10: "Anesthesia Related", 20: "Surgery Related",
    30: "Medication Related", 40: "IV & Blood Products Related", 50: "Obstetrics Related",
    60: "Treatment Related", 70: "Monitoring Related", 80: "Equipment/Product Related",
    90: "Other Miscellaneous", 100: "Behavioral Health Related",
}  # fmt: skip
ALLEGATIONS = {
    101: "Failure to Diagnose", 103: "Failure to Identify Fetal Distress", 105: "Failure to Medicate",
    106: "Failure to Monitor", 112: "Failure to Recognize a Complication",
    200: "Delay in Diagnosis", 202: "Delay in Treatment",
    203: "Delay in Treatment of Identified Fetal Distress", 306: "Improper Performance",
    318: "Patient Monitoring Problem", 322: "Surgical or Other Foreign Body Retained",
    324: "Wrong Dosage Administered", 326: "Wrong Dosage Ordered of Correct Medication",
    327: "Wrong Medication Administered", 330: "Wrong Body Part",
    500: "Communication Problem Between Practitioners",
    501: "Failure to Instruct or Communicate with Patient or Family",
    602: "Premature Discharge from Institution", 706: "Failure to Ensure Patient Safety",
    707: "Failure to Obtain Consent or Lack of Informed Consent",
    899: "Cannot Be Determined from Available Records",
}  # fmt: skip
SEVERITY = {
    1: "Emotional Injury Only", 2: "Insignificant Injury", 3: "Minor Temporary Injury",
    4: "Major Temporary Injury", 5: "Minor Permanent Injury", 6: "Significant Permanent Injury",
    7: "Major Permanent Injury", 8: "Quadriplegic, Brain Damage, Lifelong Care", 9: "Death",
    10: "Cannot Be Determined from Available Records",
}  # fmt: skip
CRICO_MAJOR = {1: "diagnosis-related", 10: "anesthesia", 20: "surgical treatment", 30: "medication",
               40: "IV/blood", 50: "obstetrics", 60: "medical treatment", 70: "patient monitoring",
               80: "other", 90: "other", 100: "other"}  # fmt: skip
# Highest first: the most severe injury the clinical record states decides (NAIC scale as the
# NPDB defines it: "major temporary" lists surgical material left and drug side effects,
# "minor permanent" loss or damage to organs, "insignificant" contusions). Court text is not
# read here: a "wrongful death" claim is not a death.
_SEVERITY_TERMS: list[tuple[int, re.Pattern[str]]] = [
    (
        9,
        re.compile(
            r"\b(?:died|dies|expired|pronounced (?:dead|deceased)|cause of death|"
            r"death certificate|(?<!wrongful )death)\b",
            re.I,
        ),
    ),
    (
        8,
        re.compile(
            r"\b(?:quadripleg\w*|tetrapleg\w*|severe brain (?:damage|injury)|lifelong care|"
            r"vegetative|(?:brain damage|brain injury)\b.{0,60}\blifelong|incurable|"
            r"(?:could|can|would) (?:no longer |not )be cured|not curable|terminal(?:ly ill)?|"
            r"fatal prognosis|(?:weeks|months) to live)\b",
            re.I,
        ),
    ),
    (
        7,
        re.compile(
            r"\b(?:parapleg\w*|blind(?:ness|ed)?|(?:loss|amputation) of (?:both|two) (?:legs|arms|"
            r"limbs)|brain damage|brain injury|permanent (?:\w+ )?(?:neurologic\w*|cognitive) "
            r"(?:injur\w+|damage|deficits?|impairment))\b",
            re.I,
        ),
    ),
    (
        6,
        re.compile(
            r"\b(?:amputat\w+|loss of (?:a |the |her |his )?(?:limb|leg|arm|eye|kidney|lung)|"
            r"deaf\w*|permanent\w*)\b",
            re.I,
        ),
    ),
    (
        5,
        re.compile(
            r"\b(?:removal of (?:a )?part of (?:the|her|his) \w+|partial (?:\w+ectomy|removal)|"
            r"(?:loss of|damage to) (?:an? |the |her |his )?(?:organ|kidney|ovary|spleen|"
            r"gallbladder|uterus)|lost (?:a|her|his) \w+)\b",
            re.I,
        ),
    ),
    (
        4,
        re.compile(
            r"\b(?:returned to the operating room|reoperation|re-operation|(?:another|second|"
            r"additional|emergency) (?:surgery|operation)|colostomy|ileostomy|toxicity|"
            r"intoxication|overdose|(?:left|retained|remained) (?:in|inside) (?:her|him|the)|"
            r"retained (?:\w+ ){0,2}(?:sponges?|instruments?|needles?|gauze|foreign bod\w+)|"
            r"re-?explor\w+|"
            r"intensive care|transferred to a tertiary|hepaticojejunostomy|transfusions?)\b",
            re.I,
        ),
    ),
    (3, re.compile(r"\b(?:minor|temporary|resolved|infection)\b", re.I)),
    (2, re.compile(r"\b(?:red|redness|bruis\w+|contusions?|abrasions?|rash)\b", re.I)),
]
_PATIENT_FACTORS = re.compile(
    r"\b(?:against medical advice|\bAMA\b|non-?complian\w+|non-?adheren\w+|refused|declined|"
    r"did not return|missed (?:his |her )?(?:appointment|follow-up)|no-show)\b",
    re.I,
)
_OB = re.compile(
    r"\b(?:fetal|labor|delivery|deliver\w*|cesarean|c-section|decelerations?|obstetric\w*)\b", re.I
)


@dataclass
class Suggestion:
    """One coded suggestion with why: the evidence, a confidence in [0, 1] and a rationale."""

    kind: str  # allegation, severity, contributing_factor
    code: str
    label: str
    confidence: float
    rationale: str
    evidence: list[Citation] = field(default_factory=list)
    extra: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "code": self.code,
            "label": self.label,
            "confidence": round(self.confidence, 2),
            "rationale": self.rationale,
            "evidence": [c.to_dict() for c in self.evidence],
            **self.extra,
        }


@dataclass
class Classification:
    allegations: list[Suggestion] = field(default_factory=list)
    severity: Suggestion | None = None
    contributing_factors: list[Suggestion] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "allegations": [a.to_dict() for a in self.allegations],
            "severity": self.severity.to_dict() if self.severity else None,
            "contributing_factors": [c.to_dict() for c in self.contributing_factors],
        }


def load_npdb_codebook(path: Path) -> dict[str, dict[str, str]]:
    """``{variable: {value: label}}`` from the PUF value-labels TSV (variable, value, label)."""
    out: dict[str, dict[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            out.setdefault(row["variable"].strip().upper(), {})[row["value"].strip()] = row[
                "label"
            ].strip()
    return out


def _citations(chron: Chronology, ids: list[str]) -> list[Citation]:
    return [e.citation for i in ids if (e := chron.event(i)) is not None]


_FETAL_DISTRESS = re.compile(
    r"\b(?:fetal distress|decelerations?|fetal heart|tracing|bradycardi\w+)\b", re.I
)


def _allegation_for(issue: Issue, chron: Chronology) -> tuple[int, int]:
    texts = " ".join(e.text for i in issue.events if (e := chron.event(i)))
    obstetric = bool(_OB.search(texts))
    if issue.kind == "delayed_or_missed_diagnosis":
        if obstetric and _FETAL_DISTRESS.search(texts):
            return 50, 103
        if "complication_not_recognised" in issue.flags:
            return 1, 112
        died = any(
            re.search(r"\b(?:died|pronounced dead|expired)\b", e.text, re.I)
            for e in chron.clinical()
        )
        return 1, 101 if died else 200
    if issue.kind == "delay_in_treatment":
        if obstetric:
            return 50, 203 if _FETAL_DISTRESS.search(texts) else 202
        return 60, 202
    if issue.kind == "retained_object":
        return 20, 322
    if issue.kind == "fall":
        return 70, 706
    if issue.kind == "unplanned_procedure":
        return (50 if obstetric else 20), 306
    if issue.kind == "surgical_complication":
        if re.search(r"\bretained\b", texts, re.I):
            return 20, 322
        if re.search(r"\bwrong (?:site|side|level)\b", texts, re.I):
            return 20, 330
        return 20, 306
    if issue.kind == "medication_error":
        if "dose_contradiction" in issue.flags and re.search(
            r"prescri|order|called for", texts, re.I
        ):
            return 30, 326
        return 30, 327 if re.search(
            r"wrong (?:drug|medication|patient)|instead of|allerg|for (?:another|a different)",
            texts,
            re.I,
        ) else 324
    if issue.kind == "failure_to_monitor":
        return 70, 106
    if issue.kind == "communication_breakdown":
        return (50 if obstetric else 60), 500
    if issue.kind == "consent":
        surgical = any(
            e.type == "procedure" and re.search(r"surg|ectomy|otomy|operat", e.text, re.I)
            for e in chron.clinical()
        )
        return (20 if surgical else 60), 707
    return 90, 899


def suggest_allegations(issues: list[Issue], chron: Chronology) -> list[Suggestion]:
    """NPDB allegation group + specific allegation per issue, best first, one per code."""
    out: dict[int, Suggestion] = {}
    for issue in issues:
        group, allegation = _allegation_for(issue, chron)
        if allegation in out:
            continue
        out[allegation] = Suggestion(
            "allegation",
            str(allegation),
            ALLEGATIONS[allegation],
            issue.confidence,
            f"{issue.title}: {issue.rationale}",
            _citations(chron, issue.events),
            {
                "group_code": str(group),
                "group_label": ALLEGATION_GROUPS[group],
                "crico_major_allegation": CRICO_MAJOR[group],
                "issue": issue.kind,
            },
        )
    return sorted(out.values(), key=lambda s: -s.confidence)


def _asserted(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first match not negated in its clause ("no obvious injuries", "did not die")."""
    for m in pattern.finditer(text):
        if not _NEGATED.search(text, max(0, m.start() - 30), m.start()):
            return m
    return None


_NEGATED = re.compile(
    r"\b(?:no|not|never|without|denies|denied|risk of|prevent\w*)\b[^.;,]*$", re.I
)


def suggest_severity(chron: Chronology) -> Suggestion:
    """The most severe injury the clinical records state, on the NPDB/NAIC scale, with its
    CRICO band; the procedural history (claims, damages, verdicts) is never read."""
    events = chron.clinical()
    for code, pattern in _SEVERITY_TERMS:
        hits = [(e, m) for e in events if (m := _asserted(pattern, e.text))]
        if hits:
            band = "high" if code >= 6 else "medium" if code >= 4 else "low"
            return Suggestion(
                "severity",
                str(code),
                SEVERITY[code],
                0.8 if code in (9, 8) else 0.6,
                f"stated outcome: '{hits[0][1].group(0)}'",
                [e.citation for e, _ in hits[:3]],
                {"crico_band": band},
            )
    return Suggestion(
        "severity",
        "10",
        SEVERITY[10],
        0.3,
        "no injury stated in the records",
        [],
        {"crico_band": None},
    )


def suggest_factors(issues: list[Issue], chron: Chronology) -> list[Suggestion]:
    """Contributing factors (CRICO-style categories) from issues, flags and patient events."""
    kinds: dict[str, Issue] = {}
    for issue in issues:
        kinds.setdefault(issue.kind, issue)
    flags: dict[str, list[str]] = {}
    for flag in chron.flags:
        flags.setdefault(flag.kind, []).extend(flag.events)
    found: list[Suggestion] = []

    def add(code: str, label: str, ids: list[str], confidence: float, why: str) -> None:
        cites = _citations(chron, ids)
        if cites:
            found.append(Suggestion("contributing_factor", code, label, confidence, why, cites))

    for kind in ("delayed_or_missed_diagnosis", "delay_in_treatment"):
        if kind in kinds:
            add(
                "clinical_judgment",
                "Clinical judgment",
                kinds[kind].events,
                0.7,
                "patient assessment / test interpretation or follow-up decision",
            )
    if "communication_breakdown" in kinds:
        add(
            "communication",
            "Communication",
            kinds["communication_breakdown"].events,
            0.7,
            "provider-provider or provider-patient communication failed",
        )
    doc_ids = (
        flags.get("late_entry", [])
        + flags.get("contradictory_dates", [])
        + [e.id for e in chron.undated]
    )
    if doc_ids:
        add(
            "documentation",
            "Documentation",
            doc_ids,
            0.6,
            "late entries, contradictory dates or undated entries",
        )
    for kind in ("surgical_complication", "unplanned_procedure", "retained_object"):
        if kind in kinds:
            add(
                "technical_skill",
                "Technical skill",
                kinds[kind].events,
                0.5,
                "complication of a procedure, or a procedure that had to be done again",
            )
            break
    process = {
        "retained_object": "the count of sponges and instruments did not find the item",
        "medication_error": "the ordering, dispensing or giving of a drug broke down",
        "delay_in_treatment": "an order was not carried out in the time it set or needed",
    }
    for kind, why in process.items():
        if kind in kinds:
            add("clinical_systems", "Clinical systems", kinds[kind].events, 0.6, why)
    if "fall" in kinds:
        add(
            "clinical_judgment",
            "Clinical judgment",
            kinds["fall"].events,
            0.6,
            "patient assessment and fall precautions",
        )
    override = [i for i in issues if "pharmacist_override" in i.flags]
    if override:
        add("communication", "Communication", override[0].events, 0.6, "a pharmacist's warning")
    system_ids = flags.get("result_not_acted_on", []) + flags.get("order_not_carried_out", [])
    if system_ids:
        add(
            "clinical_systems",
            "Clinical systems",
            system_ids,
            0.6,
            "test-result follow-up or order completion broke down",
        )
    patient = [e.id for e in chron.clinical() if _PATIENT_FACTORS.search(e.text)]
    if patient:
        add(
            "patient_factors",
            "Patient factors",
            patient,
            0.5,
            "non-adherence, refusal or missed follow-up stated",
        )
    merged: dict[str, Suggestion] = {}
    for factor in sorted(found, key=lambda s: -s.confidence):  # one suggestion per factor
        if factor.code not in merged:
            merged[factor.code] = factor
            continue
        kept = merged[factor.code]
        kept.evidence = list(dict.fromkeys(kept.evidence + factor.evidence))
        if factor.rationale not in kept.rationale:
            kept.rationale = f"{kept.rationale}; {factor.rationale}"
    return list(merged.values())


def classify(issues: list[Issue], chron: Chronology) -> Classification:
    return Classification(
        suggest_allegations(issues, chron), suggest_severity(chron), suggest_factors(issues, chron)
    )
