"""What a generic removal verb takes out: the object decides the root operation.

"Removed" names no root operation by itself. PCS defines the root operation by the objective
of the procedure (guideline B3.1a, root operation definitions):

* the body part itself is taken out: Resection (all of it) or Excision (a portion);
  "the gallbladder was removed" is a cholecystectomy, not an Extirpation;
* solid matter is taken out *from* a body part (a stone, calculus, clot, thrombus, embolus,
  foreign body, debris): Extirpation of that body part ("stones were removed from the
  common bile duct");
* a lesion (tumour, polyp, cyst, mass) is cut out: Excision of the body part it sits in;
* fluid or pus (a collection, an abscess) is let out: Drainage;
* a device is taken out: the root operation Removal, which needs the device's body part and
  device value; it is not coded from the generic verb.

The object is read from the sentence around the verb: the subject of a passive ("the stone
was removed", "gallbladder removed without complication") or the complement of an active or
nominal form ("we removed the clot", "removal of a foreign body from the cornea").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from medcoder.nlp.tokens import STOPWORDS, tokenize

ObjectKind = Literal["solid", "fluid", "lesion", "portion", "device", "body"]

SOLID_OBJECTS = frozenset(
    {
        "stone",
        "calculus",
        "calculi",
        "lithiasis",
        "thrombus",
        "clot",
        "foreign",
        "embolus",
        "debris",
        "fecalith",
        "bezoar",
        "sludge",
        "plaque",
        "hematoma",
        "haematoma",
        "impaction",
        "bolus",
        "food",
        "coin",
        "penny",
        "fishbone",
    }
)
FLUID_OBJECTS = frozenset(
    {
        "collection",
        "abscess",
        "pus",
        "fluid",
        "effusion",
        "seroma",
        "ascites",
        "empyema",
        "urine",
        "bile",
    }
)
PORTION_OBJECTS = frozenset(
    {"excess", "portion", "part", "fragment", "segment", "piece", "tissue", "wedge", "sample"}
)
LESION_OBJECTS = frozenset(
    {
        "tumor",
        "tumour",
        "mass",
        "lesion",
        "polyp",
        "cyst",
        "nodule",
        "neoplasm",
        "lipoma",
        "carcinoma",
        "adenoma",
        "growth",
        "papilloma",
        "fibroid",
        "myoma",
        "leiomyoma",
        "melanoma",
        "nevus",
    }
)
DEVICE_OBJECTS = frozenset(
    {
        "drain",
        "stent",
        "catheter",
        "tube",
        "suture",
        "staple",
        "wire",
        "pin",
        "hardware",
        "implant",
        "prosthesis",
        "pacemaker",
        "port",
        "mesh",
        "cannula",
        "device",
        "packing",
        "plate",
        "screw",
        "nail",
        "fixator",
        "clip",
        "filter",
        "guide",
        "guidewire",
        "graft",
        "osteosynthesis",
        "osteosynthetic",
        "expander",
        "spacer",
    }
)
_BE_BEFORE = re.compile(r"\b(?:was|were|is|are|been|being|be|get|got)\s+(?:\w+ly\s+)?$", re.I)
_OF_AFTER = re.compile(r"^\s*of\b", re.I)
_CLAUSE_STOP = re.compile(
    r"\b(?:from|out\s+of|via|through|with|using|by|under|without|in|at|and|then|after)\b"
    r"|[,.;:()]",
    re.I,
)
_NOT_A_NOUN = frozenset(
    {"from", "without", "with", "en", "in", "successfully", "intact", "under", "via", "at"}
)


@dataclass(frozen=True)
class RemovalObject:
    """The words a removal verb takes as its object and what kind of thing they name."""

    kind: ObjectKind
    words: str  # as written, e.g. "The stone"

    def operations(self, verb: tuple[str, ...]) -> tuple[str, ...]:
        """Index main terms to enter for this object (B3.1a: by the objective)."""
        if self.kind == "solid":
            return ("Extirpation",)
        if self.kind == "fluid":
            return ("Drainage",)
        if self.kind in ("lesion", "portion"):
            return ("Excision",)
        if self.kind == "device":
            return ()
        if verb and verb[0].startswith("extract"):
            return ("Extraction",)  # pulling out the body part by force (teeth, nails)
        return ("Resection", "Excision")  # all or a portion: the B3.1a choice decides

    def reason(self, verb: str) -> str:
        what = {
            "solid": "solid matter taken out of a body part: Extirpation",
            "fluid": "fluid or pus let out of a body part: Drainage",
            "lesion": "a lesion cut out of a body part: Excision",
            "portion": "a portion of a body part: Excision",
            "device": "a device: the root operation Removal, not coded from the verb",
            "body": "the body part itself: Resection or Excision, not Extirpation",
        }[self.kind]
        said = f"{self.words!r}" if self.words else "no object word"
        return f"B3.1a: the object of {verb!r} is {said}, {what}"


def removal_object(text: str, start: int, end: int, sentence: tuple[int, int]) -> RemovalObject:
    """What the removal verb at ``text[start:end]`` takes out, read from its sentence."""
    before = text[sentence[0] : start]
    after = text[end : sentence[1]]
    first = re.match(r"\s*([A-Za-z]+)", after)
    first_word = first.group(1).lower() if first else ""
    passive = bool(_BE_BEFORE.search(before))
    if _OF_AFTER.match(after) or (
        not passive
        and first_word
        and first_word not in _NOT_A_NOUN
        and not first_word.endswith("ly")
    ):
        words = _CLAUSE_STOP.split(_OF_AFTER.sub("", after), maxsplit=1)[0]
    else:
        pieces = re.split(
            r"[,.;:()]|\b(?:and|then|after)\b", _BE_BEFORE.sub("", before), flags=re.I
        )
        words = pieces[-1]
        if not words.strip():  # "a tumour was found ... and was removed": the first subject
            words = re.split(r"\b(?:was|were|is|are)\b", before, maxsplit=1, flags=re.I)[0]
    words = " ".join(words.split()[-6:])
    return RemovalObject(_kind(words), words.strip())


def _kind(words: str) -> ObjectKind:
    tokens = {t for t, _, _ in tokenize(words) if t not in STOPWORDS}
    if tokens & SOLID_OBJECTS:
        return "solid"
    if tokens & FLUID_OBJECTS:
        return "fluid"
    if tokens & LESION_OBJECTS:
        return "lesion"
    if tokens & DEVICE_OBJECTS:
        return "device"
    if tokens & PORTION_OBJECTS:
        return "portion"
    return "body"
