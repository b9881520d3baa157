"""Tabular conventions applied to a set of suggested codes.

- Presumed causal links of the classification (I.A.15 "With"): hypertension with chronic
  kidney disease is I12 (I.C.9.a.2), with heart failure I11.0 (I.C.9.a.1), with both I13
  (I.C.9.a.3); diabetes with chronic kidney disease is E1x.22 (I.C.4.a), each with the
  "use additional code" for the stage or the type of heart failure kept.
- Excludes1 (I.A.12.a): two codes that exclude each other are not reported together; the more
  specific one stays.
- Signs and symptoms integral to a confirmed diagnosis are not coded in billing settings
  (I.B.4, I.B.5): an R code found in the same sentence as a definitive diagnosis is dropped.
"""

from __future__ import annotations

from medcoder.codesets.icd10cm_pack import ICD10CMPack, display
from medcoder.codesets.systems import code_key
from medcoder.coding.settings import Profile
from medcoder.coding.suggestion import CodeSuggestion, Rejected


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


def _combine_hypertension(
    suggestions: list[CodeSuggestion], pack: ICD10CMPack, rejected: list[Rejected]
) -> None:
    keys = _keys(suggestions)
    htn = keys.get("I10")
    if htn is None:
        return
    ckd = [k for k in keys if k.startswith("N18")]
    hf = [k for k in keys if k.startswith("I50")]
    advanced = any(k in ("N185", "N186") for k in ckd)
    if ckd and hf:
        target, why, rule = ("I132" if advanced else "I130"), "hypertension with heart failure and CKD", "I.C.9.a.3"
    elif hf:
        target, why, rule = "I110", "hypertension with heart failure", "I.C.9.a.1"
    elif ckd:
        target, why, rule = ("I120" if advanced else "I129"), "hypertension with chronic kidney disease", "I.C.9.a.2"
    else:
        return
    _replace(suggestions, htn, target, pack, f"{why} is a combination code", rule, rejected)


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
                suggestions, plain, f"{prefix}22", pack,
                "diabetes with chronic kidney disease is presumed linked", "I.A.15", rejected,
            )


def _excludes1(
    suggestions: list[CodeSuggestion], pack: ICD10CMPack, rejected: list[Rejected]
) -> None:
    ordered = sorted(suggestions, key=lambda s: (-len(code_key(s.code)), -s.score))
    kept: list[CodeSuggestion] = []
    for sug in ordered:
        clash = next((k for k in kept if pack.excludes1_conflict(sug.code, k.code)), None)
        if clash is None:
            kept.append(sug)
            continue
        note = pack.excludes1_conflict(sug.code, clash.code)
        clash.evidence.extend(e for e in sug.evidence if e not in clash.evidence)
        rejected.append(
            Rejected(sug.code, sug.description,
                     f"Excludes1 with {clash.code} ({note.text if note else ''}); "
                     f"{clash.code} is more specific", "I.A.12.a", sug.evidence)
        )
    suggestions[:] = [s for s in suggestions if s in kept]


def _integral_symptoms(suggestions: list[CodeSuggestion], rejected: list[Rejected]) -> None:
    diagnosed = {
        (e.document, e.sentence)
        for s in suggestions
        if not s.code.startswith("R")
        for e in s.evidence
        if e.assertion == "present"
    }
    keep = []
    for sug in suggestions:
        if sug.code.startswith("R") and all(
            (e.document, e.sentence) in diagnosed for e in sug.evidence
        ):
            rejected.append(
                Rejected(
                    sug.code,
                    sug.description,
                    "a sign or symptom documented with a confirmed diagnosis that explains it",
                    "I.B.5",
                    sug.evidence,
                )
            )
        else:
            keep.append(sug)
    suggestions[:] = keep


def apply_conventions(
    suggestions: list[CodeSuggestion], pack: ICD10CMPack, profile: Profile
) -> tuple[list[CodeSuggestion], list[Rejected]]:
    rejected: list[Rejected] = []
    suggestions = list(suggestions)
    _combine_hypertension(suggestions, pack, rejected)
    _combine_diabetes_ckd(suggestions, pack, rejected)
    _excludes1(suggestions, pack, rejected)
    if profile.drop_integral_symptoms:
        _integral_symptoms(suggestions, rejected)
    return suggestions, rejected
