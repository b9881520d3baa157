"""Words of procedure notes -> ICD-10-PCS index entries, body parts, approaches and devices.

The PCS index is the way into the tables (guideline A.9: "the Index can be used to access
the Tables"), so procedure words are matched against index *main terms*
(``Appendectomy``, ``Computerized Tomography (CT Scan)``), never against whole code titles.
What the index cannot know, how notes say things (``laparoscopic``, ``CT``, ``x-ray``,
``removed``), comes from small hand lists here; anatomical synonyms come from the index's
``use`` entries and the definitions' body part key; device words from the device key.

Everything is compared as normalised token tuples (:func:`medcoder.nlp.tokens.tokenize`), so
plural, British spelling and organ adjectives (``renal`` -> kidney) match without care.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from medcoder.codesets.icd10pcs import PcsData
from medcoder.codesets.icd10pcs_index import PcsIndexTerm
from medcoder.nlp.tokens import STOPWORDS, tokenize

Phrase = tuple[str, ...]

# Note words -> index main terms. The index speaks of "Computerized Tomography (CT Scan)";
# notes say "CT", "scan", "tomography". Operation verbs map to the root-operation main terms.
ALIASES: dict[str, tuple[str, ...]] = {
    "ct": ("Computerized Tomography (CT Scan)",),
    "ct scan": ("Computerized Tomography (CT Scan)",),
    "cat scan": ("Computerized Tomography (CT Scan)",),
    "computed tomography": ("Computerized Tomography (CT Scan)",),
    "computerized tomography": ("Computerized Tomography (CT Scan)",),
    "tomography": ("Computerized Tomography (CT Scan)",),
    "angio ct": ("Computerized Tomography (CT Scan)",),
    "angiotac": ("Computerized Tomography (CT Scan)",),
    "tac": ("Computerized Tomography (CT Scan)",),
    "mri": ("Magnetic Resonance Imaging (MRI)",),
    "magnetic resonance": ("Magnetic Resonance Imaging (MRI)",),
    "nmr": ("Magnetic Resonance Imaging (MRI)",),
    "ultrasound": ("Ultrasonography",),
    "ultrasonography": ("Ultrasonography",),
    "ultrasonographic": ("Ultrasonography",),
    "sonography": ("Ultrasonography",),
    "echography": ("Ultrasonography",),
    "ecography": ("Ultrasonography",),
    "doppler": ("Ultrasonography",),
    "ultrasound scan": ("Ultrasonography",),
    "x ray": ("Plain Radiography",),
    "xray": ("Plain Radiography",),
    "radiograph": ("Plain Radiography",),
    "radiography": ("Plain Radiography",),
    "radiological study": ("Plain Radiography",),
    "plain film": ("Plain Radiography",),
    "orthopantomography": ("Plain Radiography",),
    "mammogram": ("Mammography",),
    "scintigraphy": ("Planar Nuclear Medicine Imaging",),
    "gammagraphy": ("Planar Nuclear Medicine Imaging",),
    "bone scan": ("Planar Nuclear Medicine Imaging",),
    "pet": ("Positron Emission Tomographic (PET) Imaging",),
    "pet ct": ("Positron Emission Tomographic (PET) Imaging",),
    "ecg": ("EKG (electrocardiogram)",),
    "ekg": ("EKG (electrocardiogram)",),
    "electrocardiogram": ("EKG (electrocardiogram)",),
    "electrocardiography": ("EKG (electrocardiogram)",),
    "echocardiography": ("Echocardiogram",),
    "echocardiographic": ("Echocardiogram",),
    "angiography": ("Angiography",),
    "arteriography": ("Angiography",),
    "biopsied": ("Biopsy",),
    "excised": ("Excision",),
    "resected": ("Resection",),
    "drained": ("Drainage",),
    "repaired": ("Repair",),
    "removed": ("Extirpation",),
    "removal": ("Extirpation",),
    "extracted": ("Extraction",),
    "transplant": ("Transplantation",),
    "hemodialysis": ("Hemodialysis",),
    "haemodialysis": ("Hemodialysis",),
    "dialysis": ("Dialysis",),
    "mechanical ventilation": ("Mechanical ventilation",),
    "intubated": ("Intubation",),
    "orotracheal intubation": ("Intubation",),
    "amputated": ("Amputation",),
}

# Root-operation and general main terms that name something other than a procedure as often
# as a procedure ("control", "release", "change"): they are entered only through aliases or
# other terms' ``see`` references.
AMBIGUOUS_TERMS = frozenset(
    [
        "alteration",
        "assistance",
        "change",
        "control",
        "creation",
        "destruction",
        "detachment",
        "division",
        "fusion",
        "introduction",
        "irrigation",
        "map",
        "measurement",
        "monitoring",
        "occlusion",
        "performance",
        "reattachment",
        "release",
        "reposition",
        "restriction",
        "revision",
        "supplement",
        "transfer",
        "pheresis",
        "replacement",
        "reduction",
        "insertion",
        "removal",
        "inspection",
        "dilation",
        "extension",
        "stimulation",
        "traction",
        "compression",
        "dressing",
        "blood",
        "pressure",
        "temperature",
        "pulse",
        "oxygen",
        "saturation",
        "immobilization",
        "packing",
        "plain",
        "radiography",
        "fluoroscopy",
        "ultrasonography",
        "planar",
        "nuclear",
        "medicine",
        "imaging",
        "nuclear",
        "medicine",
        "shunt",
        "catheterization",
    ]
)
# Multi-word main terms in AMBIGUOUS_TERMS are matched as phrases, single words as words.
_AMBIGUOUS_PHRASES = frozenset(
    ("plain radiography", "planar nuclear medicine imaging", "nuclear medicine")
)

# Procedure words the index does not reach alone, with the start of their code and the
# approach and device the word itself says: an ECG is measured externally, an intubation puts
# an endotracheal airway into the trachea through the mouth.
DIRECT_STARTS: dict[str, tuple[str, str | None, str | None]] = {
    "ecg": ("4A02X4Z", None, None),
    "ekg": ("4A02X4Z", None, None),
    "electrocardiogram": ("4A02X4Z", None, None),
    "electrocardiography": ("4A02X4Z", None, None),
    "intubation": ("0BH1", "Via Natural or Artificial Opening", "Endotracheal Airway"),
    "intubated": ("0BH1", "Via Natural or Artificial Opening", "Endotracheal Airway"),
    "orotracheal intubation": (
        "0BH1",
        "Via Natural or Artificial Opening",
        "Endotracheal Airway",
    ),
}
# Generic removal verbs: what they take out decides the root operation (pcs_objects, B3.1a).
REMOVAL_VERBS = frozenset({("removed",), ("removal",), ("extracted",), ("extraction",)})
# Verbs that name a root operation but not a procedure of their own: when one describes the
# same body part as a specific procedure word, it is the same procedure (B3.2).
GENERIC_VERBS = REMOVAL_VERBS | frozenset(
    {("biopsied",), ("excised",), ("resected",), ("drained",), ("repaired",), ("amputated",)}
)
# Words that are a procedure only when a body part is named with them ("examination of the
# right eye" is an Inspection; "physical examination" is not coded in PCS).
WEAK_TRIGGERS = frozenset({("examination",), ("exam",), ("bypass",), ("anastomosis",)})
NOT_PROCEDURE_BEFORE = frozenset(
    {
        "physical",
        "clinical",
        "general",
        "neurological",
        "macroscopic",
        "microscopic",
        "histological",
        "pathological",
        "histopathological",
        "systemic",
        "cardiopulmonary",
    }
)

APPROACH_CUES: dict[str, str] = {
    "laparoscopic": "Percutaneous Endoscopic",
    "laparoscopically": "Percutaneous Endoscopic",
    "laparoscopy": "Percutaneous Endoscopic",
    "thoracoscopic": "Percutaneous Endoscopic",
    "thoracoscopy": "Percutaneous Endoscopic",
    "arthroscopic": "Percutaneous Endoscopic",
    "arthroscopy": "Percutaneous Endoscopic",
    "robotic": "Percutaneous Endoscopic",
    "vats": "Percutaneous Endoscopic",
    "percutaneous": "Percutaneous",
    "percutaneously": "Percutaneous",
    "needle": "Percutaneous",
    "puncture": "Percutaneous",
    "fine needle": "Percutaneous",
    "fnab": "Percutaneous",
    "paracentesis": "Percutaneous",
    "thoracentesis": "Percutaneous",
    "ultrasound guided": "Percutaneous",
    "ct guided": "Percutaneous",
    "endoscopic": "Via Natural or Artificial Opening Endoscopic",
    "egd": "Via Natural or Artificial Opening Endoscopic",
    "endoscopically": "Via Natural or Artificial Opening Endoscopic",
    "endoscopy": "Via Natural or Artificial Opening Endoscopic",
    "transurethral": "Via Natural or Artificial Opening Endoscopic",
    "cystoscopic": "Via Natural or Artificial Opening Endoscopic",
    "colonoscopic": "Via Natural or Artificial Opening Endoscopic",
    "bronchoscopic": "Via Natural or Artificial Opening Endoscopic",
    "hysteroscopic": "Via Natural or Artificial Opening Endoscopic",
    "ureteroscopic": "Via Natural or Artificial Opening Endoscopic",
    "transanal": "Via Natural or Artificial Opening",
    "transvaginal": "Via Natural or Artificial Opening",
    "open": "Open",
    "laparotomy": "Open",
    "thoracotomy": "Open",
    "sternotomy": "Open",
    "craniotomy": "Open",
    "arthrotomy": "Open",
    "lumbotomy": "Open",
    "cutdown": "Open",
    "incision": "Open",
    "inguinal": "Open",
    "surgical": "Open",
    "surgically": "Open",
    "surgery": "Open",
    "external": "External",
    "closed": "External",
    "topical": "External",
}
# Procedure words whose own name says the approach (an endoscopy is endoscopic).
_SCOPE_SUFFIX = re.compile(r"(?:scopy|scopic)$")

DEVICE_CUES: dict[str, str] = {
    "stent": "Intraluminal Device",
    "drain": "Drainage Device",
    "drainage tube": "Drainage Device",
    "catheter": "Drainage Device",
    "nephrostomy": "Drainage Device",
    "pacemaker": "Pacemaker",
    "prosthesis": "Synthetic Substitute",
    "mesh": "Synthetic Substitute",
    "graft": "Autologous Tissue Substitute",
    "plate": "Internal Fixation Device",
    "screw": "Internal Fixation Device",
    "nail": "Intramedullary Internal Fixation Device",
    "external fixator": "External Fixation Device",
    "endotracheal tube": "Endotracheal Airway",
    "tracheostomy tube": "Tracheostomy Device",
    "feeding tube": "Feeding Device",
    "port": "Vascular Access Device",
    "infusion device": "Infusion Device",
}

DIAGNOSTIC_CUES = frozenset({"biopsy", "biopsied", "diagnostic", "fnab", "cytology", "sampling"})
PARTIAL_CUES = frozenset({"partial", "subtotal", "segmental", "wedge", "hemi", "lumpectomy"})
TOTAL_CUES = frozenset({"total", "radical", "complete", "completion", "entire"})
SOLID_MATTER = frozenset(
    {"stone", "calculus", "calculi", "lithiasis", "thrombus", "clot", "foreign", "embolus"}
)
DISCONTINUED_CUES = frozenset({"aborted", "discontinued", "abandoned", "interrupted"})
NO_CONTRAST = (("without", "contrast"), ("non", "contrast"), ("unenhanced",), ("noncontrast",))
BILATERAL_CUES = frozenset({"bilateral", "bilaterally", "both"})
LATERALITY = frozenset({"right", "left", "bilateral"})

# Body words the token normaliser does not map and the index lacks as ``use`` entries.
BODY_SYNONYMS: dict[str, str] = {
    "pelvic": "pelvis",
    "testicle": "testis",
    "testicles": "testis",
    "teste": "testis",
    "orchi": "testis",
    "thorax": "chest",
    "thoracic": "chest",
    "chest": "chest",
    "cervical": "neck",
    "bowel": "intestine",
    "intestinal": "intestine",
    "colon": "colon",
    "lumbar": "lumbar",
    "bladder": "bladder",
    "vesical": "bladder",
    "hepatic": "liver",
    "coronary": "coronary",
    "mammary": "breast",
    "brain": "brain",
    "encephalic": "brain",
    "spine": "spine",
    "both": "bilateral",
}

# Greek and Latin roots of procedure words -> the body word they name ("nephrectomy" is on
# the kidney); added to the words around the mention so the body part axis can be chosen.
ROOT_WORDS: dict[str, str] = {
    "nephr": "kidney",
    "cholecyst": "gallbladder",
    "hyster": "uterus",
    "orchi": "testis",
    "orchid": "testis",
    "oophor": "ovary",
    "salping": "fallopian",
    "mast": "breast",
    "gastr": "stomach",
    "splen": "spleen",
    "thyroid": "thyroid gland",
    "prostat": "prostate",
    "pneumon": "lung",
    "append": "appendix",
    "adrenal": "adrenal gland",
    "cyst": "bladder",
    "ureter": "ureter",
    "urethr": "urethra",
    "pancreat": "pancreas",
    "hepat": "liver",
    "col": "colon",
    "sigmoid": "sigmoid",
    "lymphaden": "lymph",
    "arthr": "joint",
    "laryng": "larynx",
    "trache": "trachea",
    "bronch": "bronchus",
    "esophag": "esophagus",
    "duoden": "duodenum",
    "jejun": "jejunum",
    "ile": "ileum",
    "rect": "rectum",
    "vagin": "vagina",
    "vulv": "vulva",
    "pyel": "kidney",
    "crani": "head",
    "thorac": "chest",
    "lapar": "abdomen",
    "ton": "tonsil",
    "tonsill": "tonsil",
    "adenoid": "adenoids",
    "amygdal": "tonsil",
}
_ROOT_WORD = re.compile(
    r"^(" + "|".join(sorted(ROOT_WORDS, key=len, reverse=True)) + r")o?"
    r"(?:ectomy|otomy|ostomy|oscopy|orrhaphy|opexy|oplasty|ectom|tomy|stomy|scopy|plasty|pexy)"
)


def root_words(word: str) -> tuple[str, ...]:
    """Body words a procedure word names by its root (``nephrectomy`` -> ``kidney``)."""
    m = _ROOT_WORD.match(word)
    return tuple(ROOT_WORDS[m.group(1)].split()) if m else ()


def phrase(text: str) -> Phrase:
    """Content tokens of a term: parentheses and stop words dropped, organ words normalised."""
    text = re.sub(r"\([^)]*\)", " ", text)
    return tuple(
        BODY_SYNONYMS.get(t, t) for t, _, _ in tokenize(text) if t not in STOPWORDS and t != "r"
    )


def _variants(title: str) -> list[str]:
    """Spelling variants a main term lists: ``Orchidectomy, orchiectomy, orchectomy``."""
    parts = [p.strip() for p in title.split(",")]
    head = parts[0][:4].lower()
    if len(parts) > 1 and all(len(p.split()) == 1 and p[:4].lower() == head for p in parts):
        return parts
    return []


def _parenthetical(text: str) -> list[str]:
    return [m.strip() for m in re.findall(r"\(([^)]*)\)", text) if 1 < len(m.strip()) < 30]


@dataclass(frozen=True)
class Trigger:
    """A procedure phrase of a note and the index main terms it enters."""

    words: Phrase
    terms: tuple[str, ...]  # index main-term titles


@dataclass
class PcsVocabulary:
    """Procedure triggers, anatomical synonyms and axis cues compiled from one PCS pack."""

    data: PcsData
    triggers: dict[Phrase, Trigger] = field(default_factory=dict)
    by_first: dict[str, list[Phrase]] = field(default_factory=dict)
    body_synonyms: dict[Phrase, Phrase] = field(default_factory=dict)
    operations: dict[str, str] = field(default_factory=dict)  # name -> definition
    device_key: dict[Phrase, tuple[str, ...]] = field(default_factory=dict)  # -> device values

    @classmethod
    def build(cls, data: PcsData) -> PcsVocabulary:
        """Compile once per pack (about 0.1 s); the engine keeps it for every document."""
        vocab = cls(data)
        index = data.index
        if index is not None:
            for term in index.terms:
                if term.reference is not None and term.reference.kind == "use":
                    vocab._add_synonym(term)
                    continue
                if not _leads_somewhere(term):
                    continue
                names = [term.title, *_parenthetical(term.title), *_variants(term.title)]
                for name in names:
                    key = phrase(name)
                    text = " ".join(key)
                    if not key or (text in AMBIGUOUS_TERMS and text not in _AMBIGUOUS_PHRASES):
                        continue
                    if len(key) == 1 and len(key[0]) < 3:
                        continue
                    vocab._add_trigger(key, term.title)
        for alias in DIRECT_STARTS:
            vocab._add_trigger(phrase(alias), alias)
        for alias, titles in ALIASES.items():
            for title in titles:
                if index is None or index.lookup(title):
                    vocab._add_trigger(phrase(alias) or (alias,), title)
        if data.definitions is not None:
            vocab.operations = {
                name: t.definition for name, t in data.definitions.operations("0").items()
            }
            for name, labels in data.definitions.device_key("0").items():
                key = phrase(name)
                if key:
                    vocab.device_key[key] = tuple(dict.fromkeys(_device_value(x) for x in labels))
            for anatomical, values in data.definitions.body_part_key("0").items():
                target = _without_laterality(phrase(values[0]))
                key = phrase(anatomical)
                if key and target and key not in vocab.body_synonyms:
                    vocab.body_synonyms[key] = target
        vocab.by_first = {}
        for key in vocab.triggers:
            vocab.by_first.setdefault(key[0], []).append(key)
        for keys in vocab.by_first.values():
            keys.sort(key=len, reverse=True)
        return vocab

    def _add_trigger(self, key: Phrase, title: str) -> None:
        old = self.triggers.get(key)
        terms = (*old.terms, title) if old and title not in old.terms else (title,)
        self.triggers[key] = Trigger(key, old.terms if old and title in old.terms else terms)

    def _add_synonym(self, term: PcsIndexTerm) -> None:
        assert term.reference is not None
        key = phrase(term.title)
        target = _without_laterality(phrase(term.reference.target))
        if key and target and key != target:
            self.body_synonyms.setdefault(key, target)

    def devices_in(self, words: list[str]) -> list[str]:
        """Device values the Device Key gives for the device names ``words`` contain
        ("Xience drug-eluting stent" -> Intraluminal Device, Drug-eluting), most specific
        first. A key term matches when all its words occur."""
        present = set(words)
        found: list[str] = []
        for key, labels in self.device_key.items():
            own = [w for w in key if w not in _GENERIC_DEVICE_WORDS]
            generic = [w for w in key if w in _GENERIC_DEVICE_WORDS]
            if not own or not all(w in present for w in own):
                continue
            if len(own) > 1 or any(w in present for w in generic):
                found += [label for label in labels if label not in found]
        return sorted(found, key=len, reverse=True)

    def approach_for(self, words: Phrase) -> str | None:
        """Approach a procedure word implies by itself (``colonoscopy`` is endoscopic)."""
        for word in words:
            if word in APPROACH_CUES:
                return APPROACH_CUES[word]
            if _SCOPE_SUFFIX.search(word) and word not in {"laparoscopy", "thoracoscopy"}:
                return "Via Natural or Artificial Opening Endoscopic"
        return None


# Words of Device Key names that any device of the kind has: a name matches on its own words
# ("Xience everolimus eluting stent" is the key's "XIENCE Everolimus Eluting Coronary Stent
# System") together with one of these, or on two own words.
_GENERIC_DEVICE_WORDS = frozenset(
    {"system", "coronary", "stent", "device", "catheter", "tube", "lead", "mesh", "valve"}
    | {"graft", "peripheral", "premounted", "monorail", "rx", "otw", "se", "ii", "iii", "iv"}
)


def _device_value(label: str) -> str:
    """The device value of a Device Key entry: "Intraluminal Device, Drug-eluting in Heart
    and Great Vessels" -> "Intraluminal Device, Drug-eluting"."""
    return re.split(r"\s+(?:for|in)\s+[A-Z]", label, maxsplit=1)[0].strip()


def _without_laterality(words: Phrase) -> Phrase:
    return tuple(w for w in words if w not in LATERALITY)


def _leads_somewhere(term: PcsIndexTerm) -> bool:
    """A main term worth matching: it (or a subterm) gives a code or a ``see`` reference."""
    return any(t.code or (t.reference and t.reference.kind == "see") for t in term.walk())
