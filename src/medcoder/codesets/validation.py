"""Is this code reportable on this date, and if not, why not.

The answers a coder needs, in the words a coder uses: a header (category or subcategory that
has more specific codes beneath it, guideline I.B.1), a missing 7th character or placeholder
``X`` (I.A.5, I.B.1.b), an invalid 7th character, a code deleted or not yet valid on the date,
an unknown code, a malformed string, or a code from another system.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from medcoder.codesets.icd10cm_pack import BILLABLE, HEADER, REQUIRES_7TH, ICD10CMPack, display
from medcoder.codesets.systems import CodeSystem, code_key, detect_system, normalize_code
from medcoder.errors import CodeError, PackNotFoundError


class Status(StrEnum):
    BILLABLE = "billable"
    HEADER = "header"
    MISSING_7TH = "missing_7th"
    MISSING_PLACEHOLDER = "missing_placeholder"
    INVALID_7TH = "invalid_7th"
    DELETED = "deleted"
    NOT_YET_VALID = "not_yet_valid"
    UNKNOWN = "unknown"
    MALFORMED = "malformed"
    WRONG_SYSTEM = "wrong_system"
    NO_PACK = "no_pack"


@dataclass(frozen=True)
class Validation:
    """The verdict on one code string. ``valid`` means billable on the date asked."""

    input: str
    code: str  # display form where the input could be normalised, else the input
    system: str
    status: Status
    reason: str
    title: str | None = None
    version: int | None = None
    suggestions: tuple[str, ...] = field(default=())

    @property
    def valid(self) -> bool:
        return self.status is Status.BILLABLE

    def to_dict(self) -> dict[str, object]:
        return {
            "input": self.input,
            "code": self.code,
            "system": self.system,
            "valid": self.valid,
            "status": self.status.value,
            "reason": self.reason,
            "title": self.title,
            "version": self.version,
            "suggestions": list(self.suggestions),
        }


def validate_icd10cm(
    code: str, pack: ICD10CMPack, *, others: list[ICD10CMPack] | tuple = ()
) -> Validation:
    """Validate ``code`` against ``pack`` (the pack in force on the date of service).

    ``others`` are packs of other fiscal years, used only to tell "deleted" and "not yet
    valid" apart from "unknown".
    """
    system = CodeSystem.ICD10CM.value
    try:
        key = normalize_code(code, CodeSystem.ICD10CM)
    except CodeError as exc:
        try:
            other = detect_system(code)
        except CodeError:
            other = None
        if other is not None and other is not CodeSystem.ICD10CM:
            return Validation(
                code,
                code.strip(),
                system,
                Status.WRONG_SYSTEM,
                f"looks like {other.value}, not ICD-10-CM",
            )
        return Validation(code, code.strip(), system, Status.MALFORMED, exc.problem)
    flags = pack.flags.get(key)
    shown = display(key)
    if flags is not None and flags & BILLABLE:
        return Validation(
            code,
            shown,
            system,
            Status.BILLABLE,
            "valid and billable",
            pack.titles.get(key),
            pack.version,
        )
    if flags is not None and flags & HEADER:
        kids = pack.children(key)
        sample = ", ".join(display(k) for k in kids[:6]) + (" ..." if len(kids) > 6 else "")
        return Validation(
            code,
            shown,
            system,
            Status.HEADER,
            f"{shown} is a header with {len(kids)} more specific codes beneath it: {sample}",
            pack.title(key),
            pack.version,
            tuple(display(k) for k in kids),
        )
    if flags is not None and flags & REQUIRES_7TH:
        defs = pack.seven_chr(key)
        stem = key.ljust(6, "X")
        options = tuple(display(stem + c) for c in defs)
        listing = "; ".join(f"{c} = {m}" for c, m in list(defs.items())[:4])
        pad = " (with placeholder X)" if len(key) < 6 else ""
        return Validation(
            code,
            shown,
            system,
            Status.MISSING_7TH,
            f"{shown} needs a 7th character{pad}: {listing}",
            pack.title(key),
            pack.version,
            options,
        )
    if flags is None and len(key) >= 5:
        verdict = _seventh_character_problem(code, key, pack)
        if verdict is not None:
            return verdict
    for other in others:
        if key in other.flags and other.flags[key] & BILLABLE:
            when = "deleted" if other.version < pack.version else "not yet valid"
            status = Status.DELETED if other.version < pack.version else Status.NOT_YET_VALID
            return Validation(
                code,
                shown,
                system,
                status,
                f"{shown} is {when} in FY{pack.version} (it is billable in FY{other.version})",
                other.title(key),
                pack.version,
            )
    parent = _nearest_known_ancestor(key, pack)
    hint = f"; nearest existing code is {display(parent)} {pack.title(parent)}" if parent else ""
    return Validation(
        code,
        shown,
        system,
        Status.UNKNOWN,
        f"{shown} is not an ICD-10-CM code in FY{pack.version}{hint}",
        None,
        pack.version,
        (display(parent),) if parent else (),
    )


def _seventh_character_problem(code: str, key: str, pack: ICD10CMPack) -> Validation | None:
    system = CodeSystem.ICD10CM.value
    stem, char = key[:-1], key[-1]
    # A 7th character typed without the placeholder: S0000A for S00.00XA (I.B.1.b).
    for cut in range(len(stem), 2, -1):
        base = stem[:cut]
        flags = pack.flags.get(base)
        if flags is None:
            continue
        if flags & REQUIRES_7TH:
            defs = pack.seven_chr(base)
            padded = base.ljust(6, "X") + char
            if len(key) < 7 and char in defs:
                return Validation(
                    code,
                    display(key),
                    system,
                    Status.MISSING_PLACEHOLDER,
                    f"{display(key)} needs the placeholder X: write {display(padded)}",
                    pack.title(padded),
                    pack.version,
                    (display(padded),),
                )
            if len(key) == 7 and key[:6] == base.ljust(6, "X") and char not in defs:
                allowed = ", ".join(defs)
                return Validation(
                    code,
                    display(key),
                    system,
                    Status.INVALID_7TH,
                    f"7th character {char!r} is not defined for {display(base)}; allowed: {allowed}",
                    pack.title(base),
                    pack.version,
                    tuple(display(base.ljust(6, "X") + c) for c in defs),
                )
        break
    return None


def _nearest_known_ancestor(key: str, pack: ICD10CMPack) -> str | None:
    for cut in range(len(key) - 1, 2, -1):
        if key[:cut] in pack.flags:
            return key[:cut]
    return None


def is_billable_fast(code: str, pack: ICD10CMPack) -> bool:
    """Just the yes/no answer, for bulk checks: accepts any case, dots and spaces."""
    return pack.flags.get(code_key(code), 0) & BILLABLE == BILLABLE


def validate_any(
    code: str, *, on: object = None, system: CodeSystem | str | None = None
) -> Validation:
    """Validate a code of any system, using the pack in force on ``on``.

    The system is detected from the code's shape unless given (``"hcpcs"``, ``"ICD-10-PCS"``,
    ``"pcs"`` ...). ICD-10-CM answers come from the tabular pack; other systems from their own
    packs (see ``codesets.other_systems``). When no pack of the date is installed the nearest
    one answers and the reason says which.
    """
    detected = system is None
    if system is None:
        try:
            system = detect_system(code)
        except CodeError as exc:
            return Validation(code, code.strip(), "unknown", Status.MALFORMED, exc.problem)
    else:
        system = CodeSystem.parse(system)
    try:
        return _validate_in(code, system, on, detected=detected)
    except PackNotFoundError as exc:
        return Validation(code, code.strip(), system.value, Status.NO_PACK, str(exc))


def checked_against(verdict: Validation, resolution) -> Validation:  # noqa: ANN001
    """``verdict`` with a note when its pack is not the one in force on the date asked."""
    if resolution.exact or resolution.on is None:
        return verdict
    from medcoder.codesets.registry import missing_version

    missing = missing_version(resolution.info.component, resolution.on)
    note = f"checked against {resolution.system} {resolution.label}: {missing}"
    return replace(verdict, reason=f"{verdict.reason} ({note})")


def _validate_in(code: str, system: CodeSystem, on: object, *, detected: bool) -> Validation:
    from medcoder.codesets import registry
    from medcoder.codesets.other_systems import validate_other
    from medcoder.codesets.systems import ambiguous_systems

    if system is not CodeSystem.ICD10CM:
        return validate_other(code, system, on)  # type: ignore[arg-type]
    pack, resolution = registry.icd10cm_resolved(on)  # type: ignore[arg-type]
    others = [p for p in registry.icd10cm_all() if p.path != pack.path]
    verdict = checked_against(validate_icd10cm(code, pack, others=others), resolution)
    if not (detected and verdict.status is Status.UNKNOWN):
        return verdict
    if CodeSystem.HCPCS not in ambiguous_systems(code):
        return verdict
    # A letter and four digits without a dot (J1885) reads as HCPCS or as ICD-10-CM without
    # its dot (J18.85): when ICD-10-CM does not know it, HCPCS has the answer.
    try:
        return validate_other(code, CodeSystem.HCPCS, on)  # type: ignore[arg-type]
    except PackNotFoundError:
        key = code_key(code)
        return Validation(
            code,
            key,
            CodeSystem.HCPCS.value,
            Status.NO_PACK,
            f"{key} is shaped like a HCPCS code and is not ICD-10-CM {display(key)} in "
            f"FY{pack.version}; no HCPCS pack is installed to check it (`medcoder data import "
            "PATH` with the CMS HCPCS file)",
        )
