"""A coding request: the one owner of *what* is coded, *how* and *with which code sets*.

Every entry point — ``medcoder code``, ``medcoder.code()``, the workbench, casework and the
claim commands — builds a :class:`CodingRequest` and hands it to the same pipeline, so the
same note in the same setting gets the same codes whichever door it came through. The request
settles three things that used to be decided in several places:

- the **setting** (one :class:`~medcoder.documents.model.Setting`, parsed once);
- the **code systems** the setting reports by default (inpatient stays and abstraction:
  ICD-10-CM diagnoses and ICD-10-PCS procedures; outpatient, emergency and observation:
  ICD-10-CM with CPT services and HCPCS Level II), and which of them have a pack installed;
- the **date of service** that picks the code sets (inpatient: the discharge date; otherwise
  the visit date: :func:`~medcoder.documents.model.date_of_service`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from medcoder.documents.model import Encounter, Setting, date_of_service
from medcoder.errors import UsageError

ICD10CM, ICD10PCS, CPT, HCPCS = "ICD-10-CM", "ICD-10-PCS", "CPT", "HCPCS"
SYSTEMS = (ICD10CM, ICD10PCS, CPT, HCPCS)
# The names users type (``--systems icd10cm,cpt``), folded: case, dashes and spaces ignored.
SYSTEM_NAMES = {"icd10cm": ICD10CM, "icd10pcs": ICD10PCS, "cpt": CPT, "hcpcs": HCPCS}

# What each setting reports when the caller does not say (UHDDS for inpatient stays: ICD-10-PCS
# procedures; outpatient, ED and observation services are billed in CPT/HCPCS).
DEFAULT_SYSTEMS: dict[Setting, tuple[str, ...]] = {
    Setting.INPATIENT: (ICD10CM, ICD10PCS),
    Setting.ABSTRACTION: (ICD10CM, ICD10PCS),
    Setting.OUTPATIENT: (ICD10CM, CPT, HCPCS),
    Setting.EMERGENCY: (ICD10CM, CPT, HCPCS),
    Setting.OBSERVATION: (ICD10CM, CPT, HCPCS),
}
# The pack component a system needs before it can code anything; CPT's E/M levels need none
# (medcoder ships the level numbers, never CPT descriptors).
_PACK_OF = {ICD10PCS: "icd10pcs", HCPCS: "hcpcs"}
_IMPORT_HINT = {
    ICD10PCS: "ICD-10-PCS procedures need the PCS pack (`medcoder data import PATH_TO_PCS_FILES`)",
    HCPCS: "HCPCS drug codes need the HCPCS pack (`medcoder data import PATH_TO_HCPCS_FILES`)",
}


def parse_systems(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """``"icd10cm,cpt"`` or ``("ICD-10-CM", "CPT")`` -> the canonical system names."""
    items = value.split(",") if isinstance(value, str) else list(value)
    names = [str(v).strip().lower().replace("-", "").replace(" ", "") for v in items]
    names = [n for n in names if n]
    unknown = [n for n in names if n not in SYSTEM_NAMES]
    if unknown or not names:
        raise UsageError(
            f"unknown code systems {value!r}; use a comma list of icd10cm, icd10pcs, cpt, hcpcs"
        )
    return tuple(dict.fromkeys(SYSTEM_NAMES[n] for n in names))


@dataclass(frozen=True)
class CodingRequest:
    """What one coding run is asked to do.

    ``systems`` is what the caller asked for (the setting's default when not given);
    :meth:`resolve` drops the systems whose pack is not installed for the date, each with a
    one-line note, so a missing PCS pack never stops diagnosis coding. ``on`` is the date of
    service (``None``: the newest code sets). ``model`` is a trained house model or ``None``.
    """

    setting: Setting = Setting.OUTPATIENT
    systems: tuple[str, ...] = ()
    on: date | None = None
    model: object | None = None
    notes: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def build(
        cls,
        setting: Setting | str = Setting.OUTPATIENT,
        *,
        systems: str | tuple[str, ...] | list[str] | None = None,
        on: date | None = None,
        model: object | None = None,
    ) -> CodingRequest:
        """Parse what a caller typed: setting by name (any case), systems by name or the
        setting's default."""
        chosen = Setting.parse(setting)
        wanted = parse_systems(systems) if systems else DEFAULT_SYSTEMS[chosen]
        return cls(setting=chosen, systems=wanted, on=on, model=model)

    @classmethod
    def for_encounter(
        cls,
        encounter: Encounter,
        *,
        systems: str | tuple[str, ...] | list[str] | None = None,
        model: object | None = None,
    ) -> CodingRequest:
        """The request an encounter calls for: its setting and its date of service."""
        setting = Setting.parse(encounter.setting)
        on = date_of_service(setting, encounter.admission_date, encounter.discharge_date)
        return cls.build(setting, systems=systems, on=on, model=model)

    def resolve(self) -> CodingRequest:
        """The same request with only the systems that have a pack installed, and a note for
        each one left out. A pack of another year than the date of service still codes: the
        pipeline uses the nearest installed and the result names the version and warns."""
        from medcoder.codesets import registry

        kept: list[str] = []
        notes = list(self.notes)
        for system in self.systems:
            component = _PACK_OF.get(system)
            if component is not None and not registry.list_packs(component):
                notes.append(f"{_IMPORT_HINT[system]}; not coded")
                continue
            kept.append(system)
        if ICD10CM not in kept and ICD10CM in self.systems:
            kept.insert(0, ICD10CM)  # the built-in tabular always answers
        return replace(self, systems=tuple(kept), notes=tuple(dict.fromkeys(notes)))

    def key(self) -> tuple:
        """What makes two requests share one loaded pipeline."""
        return (self.setting, self.systems, self.on, id(self.model))
