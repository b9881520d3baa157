"""ICD-10-PCS Definitions: root operations, approaches, body part key, device key.

Coding PCS is choosing values by their *definitions*, not by the words of the note: a
"laparoscopic appendectomy" is Resection (all of a body part) because the definition of
Resection says so. The definitions file gives, per section and axis, terms with a definition,
an explanation and "includes" examples; in the Body Part and Device axes the "includes" list
the anatomical or brand terms that map to a PCS value (the body part key and device key).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from medcoder.codesets.icd10pcs_tables import line_of, read_pcs_xml, text_of
from medcoder.errors import SourceFileError


@dataclass(frozen=True)
class PcsTerm:
    """One defined value. Body part and device terms may have several titles (left, right)."""

    titles: tuple[str, ...]
    definition: str = ""
    explanation: str = ""
    includes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeviceAggregate:
    """A specific device value that rolls up to a general one (``parent``) in some tables."""

    device: str
    operation: str
    body_systems: tuple[str, ...]
    parent_value: str
    parent: str


@dataclass
class PcsDefinitions:
    """``sections[code] = (title, {axis pos: (axis title, [terms])})`` plus derived keys."""

    version: str
    sections: dict[str, tuple[str, dict[int, tuple[str, list[PcsTerm]]]]]
    aggregates: list[DeviceAggregate] = field(default_factory=list)

    def terms(self, section: str, pos: int) -> list[PcsTerm]:
        axes = self.sections.get(section, ("", {}))[1]
        return axes.get(pos, ("", []))[1]

    def operations(self, section: str = "0") -> dict[str, PcsTerm]:
        """Root operations (axis 3) of a section by name: definition, explanation, examples."""
        return {t.titles[0]: t for t in self.terms(section, 3) if t.titles}

    def approaches(self, section: str = "0") -> dict[str, str]:
        """Approach name -> definition for a section (axis 5)."""
        return {t.titles[0]: t.definition for t in self.terms(section, 5) if t.titles}

    def body_part_key(self, section: str = "0") -> dict[str, tuple[str, ...]]:
        """Anatomical term -> the PCS body part values it is coded to ("Hallux" -> 1st Toe)."""
        return _key_of(self.terms(section, 4))

    def device_key(self, section: str = "0") -> dict[str, tuple[str, ...]]:
        """Device or brand term -> the PCS device values it is coded to."""
        return _key_of(self.terms(section, 6))


def _key_of(terms: list[PcsTerm]) -> dict[str, tuple[str, ...]]:
    key: dict[str, tuple[str, ...]] = {}
    for term in terms:
        for item in term.includes:
            key[item] = key.get(item, ()) + tuple(
                t for t in term.titles if t not in key.get(item, ())
            )
    return key


def parse_definitions(path: str | Path) -> PcsDefinitions:
    """Parse ``icd10pcs_definitions_YYYY.xml``; raise :class:`SourceFileError` with the line."""
    path = Path(path)
    root = read_pcs_xml(path, "ICD10PCS.definitions")
    version = text_of(root.find("version"))
    if not version:
        raise SourceFileError(path, "no <version> element", line=line_of(root))
    sections: dict[str, tuple[str, dict[int, tuple[str, list[PcsTerm]]]]] = {}
    for section in root.findall("section"):
        code = section.get("code", "")
        if len(code) != 1:
            raise SourceFileError(
                path, f"section code {code!r} is not one character", line=line_of(section)
            )
        axes: dict[int, tuple[str, list[PcsTerm]]] = {}
        for axis in section.findall("axis"):
            pos = axis.get("pos", "")
            if not pos.isdigit() or not 1 <= int(pos) <= 7:
                raise SourceFileError(path, f"axis pos {pos!r} is not 1-7", line=line_of(axis))
            axes[int(pos)] = (text_of(axis.find("title")), _terms(axis, path))
        sections[code] = (text_of(section.find("title")), axes)
    if not sections:
        raise SourceFileError(path, "no <section> found: the file is empty or truncated")
    aggregates = [
        DeviceAggregate(
            device=text_of(agg.find("device")),
            operation=text_of(agg.find("operation")),
            body_systems=tuple(text_of(b) for b in agg.findall("bodySys")),
            parent_value=(
                agg.find("parent").get("value", "") if agg.find("parent") is not None else ""
            ),
            parent=text_of(agg.find("parent")),
        )
        for agg in root.iter("aggregate")
    ]
    return PcsDefinitions(version=version, sections=sections, aggregates=aggregates)


def _terms(axis: ET.Element, path: Path) -> list[PcsTerm]:
    terms: list[PcsTerm] = []
    for elem in axis.findall("terms"):
        titles = tuple(text_of(t) for t in elem.findall("title"))
        if not any(titles):
            raise SourceFileError(path, "<terms> without <title>", line=line_of(elem))
        terms.append(
            PcsTerm(
                titles=titles,
                definition=text_of(elem.find("definition")),
                explanation=text_of(elem.find("explanation")),
                includes=tuple(text_of(i) for i in elem.findall("includes")),
            )
        )
    return terms
