"""Tabular conventions applied to a set of suggested codes.

- Presumed causal links of the classification (I.A.15 "With"): hypertension with chronic
  kidney disease is I12 (I.C.9.a.2), with heart failure I11.0 (I.C.9.a.1), with both I13
  (I.C.9.a.3); diabetes with chronic kidney disease is E1x.22 (I.C.4.a), each with the
  "use additional code" for the stage or the type of heart failure kept.
- Excludes1 (I.A.12.a): two codes that exclude each other are not reported together; the more
  specific one stays.
- An unspecified code is not reported beside a more specific code of the same category
  (I.B.18): "heart failure" in the history and "acute on chronic diastolic heart failure" in the
  assessment are one condition, I50.33, not I50.33 and I50.9 (billing settings).
- Signs and symptoms integral to a confirmed diagnosis are not coded in billing settings
  (I.B.4, I.B.5): an R code found in the same sentence as a definitive diagnosis is dropped.
"""

from __future__ import annotations

from functools import cache

from medcoder.codesets.icd10cm_pack import ICD10CMPack, display
from medcoder.codesets.systems import code_key
from medcoder.coding.settings import Profile
from medcoder.suggestions import CodeSuggestion, Rejected


def _keys(suggestions: list[CodeSuggestion]) -> dict[str, CodeSuggestion]:
    return {code_key(s.code): s for s in suggestions}


def _replace(
    suggestions: list[CodeSuggestion],
    old: CodeSuggestion,
    new_key: str,
    pack: ICD10CMPack,
    why: str,
    guideline: str,
    rejected: list[Rejected],
) -> None:
    """Put the combination code ``new_key`` where ``old`` was, keeping old's evidence."""
    if not pack.is_billable(new_key):
        return
    existing = _keys(suggestions).get(new_key)
    suggestions.remove(old)
    rejected.append(Rejected(old.code, old.description, why, guideline, old.evidence))
    if existing is not None:
        existing.evidence.extend(old.evidence)
        existing.score = max(existing.score, old.score)
        return
    suggestions.append(
        CodeSuggestion(
            system="ICD-10-CM",
            code=display(new_key),
            description=pack.title(new_key) or "",
            score=old.score,
            evidence=list(old.evidence),
            path=[*old.path, f"combination: {why}"],
            guidelines=[*old.guidelines, guideline],
        )
    )


_HYPERTENSIVE = ("I10", "I11", "I12", "I13")


def _hypertension_target(keys: set[str]) -> tuple[str, str, str] | None:
    """The one hypertension code the documented components call for (I.C.9.a.1-3)."""
    family = [k for k in keys if k.startswith(_HYPERTENSIVE)]
    if not family:
        return None
    # Diabetic CKD (E08-E13 .22) documents CKD too, so hypertension is presumed linked to it.
    diabetic_ckd = any(
        k[:3] in ("E08", "E09", "E10", "E11", "E13") and k[3:5] == "22" for k in keys
    )
    ckd = diabetic_ckd or any(k.startswith(("N18", "I12", "I13")) for k in keys)
    advanced = any(k in ("N185", "N186", "I120", "I132", "I1311") for k in keys)
    hf = any(k.startswith("I50") or k in ("I110", "I130", "I132") for k in keys)
    if ckd and hf:
        return (
            ("I132" if advanced else "I130"),
            "hypertension with heart failure and CKD",
            "I.C.9.a.3",
        )
    if ckd:
        return (
            ("I120" if advanced else "I129"),
            "hypertension with chronic kidney disease",
            "I.C.9.a.2",
        )
    if hf:
        return "I110", "hypertension with heart failure", "I.C.9.a.1"
    return None


def _combine_hypertension(
    suggestions: list[CodeSuggestion], pack: ICD10CMPack, rejected: list[Rejected]
) -> None:
    """Hypertension with heart failure and/or CKD is one combination code, presumed linked."""
    keys = _keys(suggestions)
    found = _hypertension_target(set(keys))
    if found is None:
        return
    target, why, rule = found
    if not pack.is_billable(target):
        return
    family = [keys[k] for k in keys if k.startswith(_HYPERTENSIVE) and k != target]
    for old in family:
        _replace(suggestions, old, target, pack, f"{why} is a combination code", rule, rejected)


def _combine_diabetes_ckd(
    suggestions: list[CodeSuggestion], pack: ICD10CMPack, rejected: list[Rejected]
) -> None:
    keys = _keys(suggestions)
    if not any(k.startswith("N18") for k in keys):
        return
    for prefix in ("E10", "E11", "E13"):
        plain = keys.get(f"{prefix}9")
        if plain is not None and f"{prefix}22" not in keys:
            _replace(
                suggestions,
                plain,
                f"{prefix}22",
                pack,
                "diabetes with chronic kidney disease is presumed linked",
                "I.A.15",
                rejected,
            )


def _overlaps(a: CodeSuggestion, b: CodeSuggestion) -> bool:
    return any(
        x.document == y.document and x.start < y.end and y.start < x.end
        for x in a.evidence
        for y in b.evidence
    )


def _excludes1(
    suggestions: list[CodeSuggestion],
    pack: ICD10CMPack,
    rejected: list[Rejected],
    warnings: list[str],
    separate: str,
) -> None:
    """Excludes1 (I.A.12.a): never both codes for the same words; for separately documented
    conditions, drop the less specific in billing settings or keep both with a warning."""
    ordered = sorted(suggestions, key=lambda s: (-len(code_key(s.code)), -s.score))
    kept: list[CodeSuggestion] = []
    for sug in ordered:
        clash = next((k for k in kept if pack.excludes1_conflict(sug.code, k.code)), None)
        if clash is None:
            kept.append(sug)
            continue
        note = pack.excludes1_conflict(sug.code, clash.code)
        text = note.text if note else ""
        if separate == "keep" and not _overlaps(sug, clash):
            kept.append(sug)
            warnings.append(
                f"{sug.code} and {clash.code} are an Excludes1 pair ({text}) documented "
                "separately: both reported; confirm they are unrelated (I.A.12.a)"
            )
            continue
        clash.evidence.extend(e for e in sug.evidence if e not in clash.evidence)
        rejected.append(
            Rejected(
                sug.code,
                sug.description,
                f"Excludes1 with {clash.code} ({text}); {clash.code} is more specific",
                "I.A.12.a",
                sug.evidence,
            )
        )
    suggestions[:] = [s for s in suggestions if s in kept]


def _is_unspecified(sug: CodeSuggestion, pack: ICD10CMPack) -> bool:
    """The category's catch-all: a title saying "unspecified" on a code ending in 9, or a
    "without complications" code ("Type 2 diabetes mellitus without complications" is not
    reported beside a type 2 diabetes code with one, I.C.4.a)."""
    key = code_key(sug.code)
    title = (sug.description or pack.title(key) or "").lower()
    return (key.endswith("9") and "unspecified" in title) or title.endswith("without complications")


def _unspecified_superseded(
    suggestions: list[CodeSuggestion], pack: ICD10CMPack, rejected: list[Rejected]
) -> None:
    """Drop an unspecified code when the record also supports a more specific code of its
    category (I.B.18: unspecified codes are for when the documentation says no more)."""
    diagnoses = [s for s in suggestions if s.system == "ICD-10-CM"]
    unspecified = {id(s) for s in diagnoses if _is_unspecified(s, pack)}
    specific_by_category: dict[str, CodeSuggestion] = {}
    for s in diagnoses:
        if id(s) not in unspecified:
            specific_by_category.setdefault(code_key(s.code)[:3], s)
    keep = []
    for sug in suggestions:
        specific = None
        if id(sug) in unspecified:
            specific = specific_by_category.get(code_key(sug.code)[:3])
        if specific is None:
            keep.append(sug)
            continue
        specific.evidence.extend(e for e in sug.evidence if e not in specific.evidence)
        rejected.append(
            Rejected(
                sug.code,
                sug.description,
                f"unspecified; the record supports the more specific {specific.code}",
                "I.B.18",
                sug.evidence,
            )
        )
    suggestions[:] = keep


FINAL_STATEMENT_SECTIONS = frozenset(
    {
        "assessment",
        "assessment_plan",
        "impression",
        "diagnoses",
        "discharge_diagnoses",
        "final_diagnosis",
        "postoperative_diagnosis",
        "preoperative_diagnosis",
    }
)


@cache
def _integral_table() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``data/integral_symptoms.tsv``: symptom prefix -> diagnoses that explain it (I.B.5)."""
    import csv
    from importlib import resources

    path = resources.files("medcoder.coding") / "data" / "integral_symptoms.tsv"
    with path.open(encoding="utf-8") as fh:
        rows = [line for line in fh if not line.startswith("#")]
    return tuple(
        (code_key(r["symptom"]), tuple(code_key(c) for c in r["integral_to"].split(",") if c))
        for r in csv.DictReader(rows, delimiter="\t")
    )


def integral_to(symptom: str, diagnosis: str) -> bool:
    """Whether ``symptom`` is routinely part of ``diagnosis`` (I.B.5, the table's pairs)."""
    s, d = code_key(symptom), code_key(diagnosis)
    return any(s.startswith(p) and d.startswith(explains) for p, explains in _integral_table())


def _integral_symptoms(suggestions: list[CodeSuggestion], rejected: list[Rejected]) -> None:
    """Drop symptoms explained by a confirmed diagnosis (I.B.4, I.B.5).

    A symptom is integral when it shares a sentence with a confirmed diagnosis, or when the
    provider's final diagnostic statement (assessment, impression, diagnoses) gives confirmed
    diagnoses and does not carry the symptom forward.
    """

    from medcoder.coding.reading import is_symptom

    def confirmed(s: CodeSuggestion) -> list:  # noqa: ANN202
        return [] if is_symptom(s.code) else [e for e in s.evidence if e.assertion == "present"]

    diagnosed = {(e.document, e.sentence) for s in suggestions for e in confirmed(s)}
    definitive = [s for s in suggestions if confirmed(s)]
    final = {
        e.document
        for s in suggestions
        for e in confirmed(s)
        if e.section in FINAL_STATEMENT_SECTIONS
    }
    keep = []
    for sug in suggestions:
        if not is_symptom(sug.code):
            keep.append(sug)
            continue
        explained_by = next((d for d in definitive if integral_to(sug.code, d.code)), None)
        if explained_by is not None:
            rejected.append(
                Rejected(
                    sug.code,
                    sug.description,
                    f"a sign or symptom routinely associated with {explained_by.code} "
                    f"({explained_by.description})",
                    "I.B.5",
                    sug.evidence,
                )
            )
            continue
        same_sentence = all((e.document, e.sentence) in diagnosed for e in sug.evidence)
        # The plan of an "ASSESSMENT / PLAN" note continues its final statement: a sign it
        # works up ("echocardiogram to evaluate the murmur") is carried forward.
        left_out = all(
            e.document in final and e.section not in FINAL_STATEMENT_SECTIONS | {"plan"}
            for e in sug.evidence
        )
        if same_sentence or left_out:
            why = (
                "a sign or symptom documented with a confirmed diagnosis that explains it"
                if same_sentence
                else "a symptom not carried into the final diagnostic statement, which gives "
                "confirmed diagnoses"
            )
            rejected.append(Rejected(sug.code, sug.description, why, "I.B.5", sug.evidence))
        else:
            keep.append(sug)
    suggestions[:] = keep


def apply_conventions(
    suggestions: list[CodeSuggestion],
    pack: ICD10CMPack,
    profile: Profile,
    warnings: list[str] | None = None,
) -> tuple[list[CodeSuggestion], list[Rejected]]:
    rejected: list[Rejected] = []
    warnings = warnings if warnings is not None else []
    suggestions = list(suggestions)
    _combine_hypertension(suggestions, pack, rejected)
    _combine_diabetes_ckd(suggestions, pack, rejected)
    _excludes1(suggestions, pack, rejected, warnings, profile.excludes1_separate)
    if profile.drop_superseded_unspecified:
        _unspecified_superseded(suggestions, pack, rejected)
    if profile.drop_integral_symptoms:
        _integral_symptoms(suggestions, rejected)
    return suggestions, rejected
