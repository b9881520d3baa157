"""Tokens as the concept matcher compares them.

Clinical text and code-set titles name the same thing in different words: "renal calculus"
and "calculus of kidney", "hepatic" and "liver", "tumours" and "tumor". Matching compares
*normalised* tokens: lower case, British spellings folded, simple plurals removed, adjectives of
organs mapped to the organ noun. The maps are data, kept short and general: anything a
particular organisation's documents need is learned by the trained model instead.
"""

from __future__ import annotations

import re
from functools import lru_cache

TOKEN = re.compile(r"[a-z0-9]+(?:'s)?", re.IGNORECASE)

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "may",
        "might",
        "can",
        "could",
        "would",
        "should",
        "of",
        "and",
        "or",
        "in",
        "on",
        "at",
        "to",
        "for",
        "by",
        "from",
        "as",
        "is",
        "was",
        "were",
        "be",
        "been",
        "being",
        "this",
        "that",
        "these",
        "those",
        "its",
        "it",
        "his",
        "her",
        "their",
        "patient",
        "patients",
        "which",
        "who",
        "whom",
        "whose",
        "into",
        "onto",
        "upon",
        "than",
        "then",
        "also",
        "very",
    ]
)

# Words that qualify a code title but that documentation seldom says (guideline I.A.9:
# "unspecified" and "NOS" codes are used when the documentation gives no more detail).
TITLE_FILLER = frozenset(["unspecified", "nos", "specified", "site", "type"]) - {"type"}

ORGAN_ADJECTIVES = {
    "renal": "kidney",
    "hepatic": "liver",
    "pulmonary": "lung",
    "pulmonic": "lung",
    "cardiac": "heart",
    "gastric": "stomach",
    "cerebral": "brain",
    "ocular": "eye",
    "cutaneous": "skin",
    "dermal": "skin",
    "vesical": "bladder",
    "urinary": "urine",
    "ureteral": "ureter",
    "ureteric": "ureter",
    "urethral": "urethra",
    "pleural": "pleura",
    "pericardial": "pericardium",
    "abdominal": "abdomen",
    "thoracic": "thorax",
    "femoral": "femur",
    "tibial": "tibia",
    "splenic": "spleen",
    "pancreatic": "pancreas",
    "colonic": "colon",
    "rectal": "rectum",
    "anal": "anus",
    "vaginal": "vagina",
    "uterine": "uterus",
    "ovarian": "ovary",
    "testicular": "testis",
    "prostatic": "prostate",
    "osseous": "bone",
    "bony": "bone",
    "arterial": "artery",
    "venous": "vein",
    "mammary": "breast",
    "nasal": "nose",
    "esophageal": "esophagus",
    "atrial": "atrium",  # "left atrial enlargement" and "enlarged left atrium" are one site
    # "hypoxic respiratory failure" is the index's "with hypoxia"
    "hypoxic": "hypoxia",
    "hypoxemic": "hypoxia",
    "hypercapnic": "hypercapnia",
    "hypercarbic": "hypercarbia",
    "duodenal": "duodenum",
    "gallbladder": "gallbladder",
    "biliary": "bile",
    "hepatobiliary": "liver",
    "intestinal": "intestine",
    "bowel": "intestine",
    "laryngeal": "larynx",
    "pharyngeal": "pharynx",
    "tracheal": "trachea",
    "bronchial": "bronchus",
    "adrenal": "adrenal",
    "thyroidal": "thyroid",
    "vertebral": "vertebra",
    "spinal": "spine",
    "cranial": "skull",
    "orbital": "orbit",
    "retinal": "retina",
    "corneal": "cornea",
    "auricular": "ear",
    "otic": "ear",
    "oral": "mouth",
    "lingual": "tongue",
    "dental": "tooth",
    "gingival": "gum",
    "muscular": "muscle",
    "articular": "joint",
    "synovial": "synovium",
    "placental": "placenta",
    "fetal": "fetus",
    "neonatal": "newborn",
    "lymphatic": "lymph",
    "peritoneal": "peritoneum",
    "mediastinal": "mediastinum",
    "axillary": "axilla",
    "inguinal": "inguinal",
    "cervical": "cervical",
    "scrotal": "scrotum",
    "penile": "penis",
    "vulvar": "vulva",
    "endometrial": "endometrium",
    "myocardial": "myocardium",
    "coronary": "coronary",
    "aortic": "aorta",
    "carotid": "carotid",
    "sacral": "sacrum",
    "hematic": "blood",
    "sanguineous": "blood",
    "febrile": "fever",
    "anemic": "anemia",
    "diabetic": "diabetes",
    "hypertensive": "hypertension",
    "obese": "obesity",
    "septic": "sepsis",
    "asthmatic": "asthma",
    "epileptic": "epilepsy",
    "neoplastic": "neoplasm",
    "malignant": "malignant",
    "metastatic": "metastatic",
    "cancerous": "cancer",
    "tumoral": "tumor",
    "cystic": "cyst",
    "nodular": "nodule",
    "ulcerative": "ulcerative",
    "hemorrhagic": "hemorrhage",
    "infectious": "infection",
    "infective": "infection",
    "inflammatory": "inflammation",
    "traumatic": "traumatic",
}

SPELLING = {
    "tumour": "tumor",
    "tumours": "tumor",
    "oedema": "edema",
    "haemorrhage": "hemorrhage",
    "anaemia": "anemia",
    "oesophagus": "esophagus",
    "oesophageal": "esophagus",
    "haematuria": "hematuria",
    "haematoma": "hematoma",
    "diarrhoea": "diarrhea",
    "faeces": "feces",
    "paediatric": "pediatric",
    "leukaemia": "leukemia",
    "foetus": "fetus",
    "haemoptysis": "hemoptysis",
    "ischaemia": "ischemia",
    "ischaemic": "ischemic",
    "haemangioma": "hemangioma",
    "oestrogen": "estrogen",
    "dyspnoea": "dyspnea",
    "hemorrhages": "hemorrhage",
    "haemorrhagic": "hemorrhagic",
    "coeliac": "celiac",
    "tumors": "tumor",
    "neoplasms": "neoplasm",
    "carcinomas": "carcinoma",
    "hemorrhaging": "hemorrhage",
    "bleeding": "hemorrhage",
    "kidneys": "kidney",
    "feet": "foot",
    "teeth": "tooth",
    "women": "woman",
    "men": "man",
    "children": "child",
    "vertebrae": "vertebra",
    "bronchi": "bronchus",
    "metastases": "metastasis",
    "metastasis": "metastasis",
    "diagnoses": "diagnosis",
    "ovaries": "ovary",
    "arteries": "artery",
    "injuries": "injury",
    "pregnancies": "pregnancy",
    "ii": "2",
    "i": "1",
    "iii": "3",
    "iv": "4",
    "two": "2",
    "one": "1",
}

_KEEP_S = ("ss", "us", "is", "ys", "os", "as", "ps")


@lru_cache(maxsize=200_000)
def normalize(word: str) -> str:
    """The comparison form of one word (already lower case)."""
    if word in SPELLING:
        return SPELLING[word]
    if word.endswith("'s"):
        word = word[:-2]
    if word in ORGAN_ADJECTIVES:
        return ORGAN_ADJECTIVES[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(_KEEP_S):
        if word[:-1] in STOPWORDS:  # "hers" (Hers disease) is a name, not "her"
            return word
        word = word[:-1]
    return ORGAN_ADJECTIVES.get(word, word)


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """``(normalised token, start, end)`` for every word of ``text``, stop words included."""
    lower = text.lower()
    if len(lower) != len(text):  # a character whose lower case is longer: word by word
        return [(normalize(m.group().lower()), m.start(), m.end()) for m in TOKEN.finditer(text)]
    return [(normalize(m.group()), *m.span()) for m in TOKEN.finditer(lower)]


def content_tokens(text: str) -> tuple[str, ...]:
    """The normalised words of a phrase that a match must find, in order, without stop words."""
    return tuple(t for t, _, _ in tokenize(text) if t not in STOPWORDS)
