"""Surgical terms whose PCS construction the words alone do not give: the coder's crosswalk.

A surgeon names a procedure by habit (``TURP``, ``herniorrhaphy``, ``subacromial
decompression``); PCS classifies it by its objective (guideline B3.1a: the full definition of
the root operation decides) and A11 makes correlating the two the coder's job: "the physician
is not expected to use the terms used in PCS code descriptions". Where the Index has the term
and leads to the right table, the engine walks the Index (:mod:`pcs_route`); the terms here are
the ones the Index lacks (``TURP``, ``cystourethroscopy``, ``subacromial decompression``) or
where the objective picks one of the Index's choices (a transurethral resection leaves the
prostate capsule: Excision, not Resection; a herniorrhaphy with mesh is Supplement).

Each :class:`ProcedureTerm` gives one or more :class:`Part` (a code prefix or an Index main
term, the body words it implies, the approach the procedure itself is performed by) and says
why, with the guideline. Terms whose construction depends on more of the note (a hernia's
site, a pacemaker's chambers, the number of coronary arteries) have a resolver in
:mod:`pcs_resolvers`. Patterns read lower-case text with hyphens as spaces.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

OPEN = "Open"
PERCUTANEOUS = "Percutaneous"
PERC_ENDO = "Percutaneous Endoscopic"
NATURAL = "Via Natural or Artificial Opening"
NATURAL_ENDO = "Via Natural or Artificial Opening Endoscopic"
EXTERNAL = "External"


@dataclass(frozen=True)
class Part:
    """One code a procedure term gives: where construction starts and what the term implies.

    ``start`` is a code prefix (table, or table and body part); ``index`` an Index main term to
    walk instead. ``words`` are added to the words the axes are chosen from (a thoracentesis is
    of the pleural cavity). ``approach`` is the approach the procedure is by definition
    performed by (a TURP is transurethral); ``default_approach`` applies only when the note
    names none. ``side`` fixes the side when the procedure is by definition bilateral.
    """

    start: str = ""
    index: str = ""
    words: tuple[str, ...] = ()
    approach: str | None = None
    default_approach: str | None = None
    devices: tuple[str, ...] = ()
    side: str | None = None
    note: str = ""  # why this part, for the path
    query: str = ""  # the question to ask when the note cannot decide the construction


Resolver = Callable[["TermContext"], "tuple[tuple[Part, ...], str] | None"]


@dataclass(frozen=True)
class TermContext:
    """What a resolver may read: the item, its coordinated context and the whole note."""

    item: str  # normalised text of the statement item
    context: str  # normalised text of its coordinated piece (with-clauses included)
    diagnosis: str  # normalised pre/postoperative diagnosis and impression text
    body: str  # normalised description of the procedure and details of the operation
    devices: tuple[str, ...] = ()  # device values the Device Key gives for named devices


@dataclass(frozen=True)
class ProcedureTerm:
    name: str
    pattern: re.Pattern[str]
    parts: tuple[Part, ...] = ()
    why: str = ""
    guidelines: tuple[str, ...] = ("B3.1a",)
    resolve: Resolver | None = None
    unless: re.Pattern[str] | None = None  # item words that make another term apply
    variants: tuple[tuple[re.Pattern[str], tuple[Part, ...], str], ...] = field(default=())


def fold(text: str) -> str:
    """Lower case with hyphens and slashes as spaces; the same length, so offsets still hold."""
    return re.sub(r"[-/]", " ", text.lower())


def collapse(text: str) -> str:
    """:func:`fold`, with one space between words."""
    return " ".join(fold(text).split())


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_CYSTO = r"(?:cysto(?:urethro)?scop\w*|urethrocystoscop\w*|\bcysto\b|panendoscop\w*)"
TERMS: list[ProcedureTerm] = [
    ProcedureTerm(
        "transurethral resection of the prostate",
        _re(
            r"\bturp\b|\btur\s*p\b|transurethral\s+(?:\w+\s+){0,2}resection\s+of\s+(?:the\s+)?"
            r"prostate|\btur\s+of\s+(?:the\s+)?prostate|transurethral\s+prostatectomy"
        ),
        (Part("0VB0", approach=NATURAL_ENDO),),
        "B3.1a: a transurethral resection cuts out a portion of the prostate (the capsule "
        "stays): Excision, not Resection; the resectoscope enters through the urethra",
    ),
    ProcedureTerm(
        "transurethral resection of a bladder tumor",
        _re(
            r"\bturbt\b|transurethral\s+(?:\w+\s+){0,2}resection\s+of\s+(?:the\s+|an?\s+)?"
            r"(?:\w+\s+){0,3}bladder|\btur\b(?:\s+\w+){0,4}\s+bladder|\btur\s+of\s+(?:the\s+)?"
            r"(?:\w+\s+){0,2}bladder"
        ),
        (Part("0TBB", approach=NATURAL_ENDO),),
        "B3.1a: resection of a bladder tumor cuts out a portion of the bladder: Excision",
    ),
    ProcedureTerm(
        "vaporization of the prostate",
        _re(
            r"vapori[sz]ation\s+of\s+(?:the\s+)?prostate|\btuvp\b|\bpvp\b"
            r"|(?:laser|photoselective)\s+(?:\w+\s+)?(?:vapori[sz]ation|ablation)\s+"
            r"(?:of\s+)?(?:the\s+)?prostate"
        ),
        (Part("0V50", approach=NATURAL_ENDO),),
        "B3.1a: vaporization eradicates prostate tissue with energy: Destruction",
    ),
    ProcedureTerm(
        "destruction by fulguration, cautery or ablation",
        _re(
            r"(?:electro)?fulgurat\w*|\bcauteri[sz]ation\s+of|\bablation\s+of|cryoablation"
            r"|cryosurg\w*\s+(?:ablation\s+)?of|laser\s+ablation"
        ),
        (Part(index="Destruction"),),
        "B3.1a: physical eradication by energy or a destructive agent: Destruction",
    ),
    ProcedureTerm(
        "ureteral stent placement",
        _re(
            r"(?:double\s*j|\bjj|ureteral|ureteric)\s+(?:\w+\s+){0,2}stents?\s+"
            r"(?:placement|insertion|placed|inserted)|(?:placement|insertion)\s+of\s+(?:an?\s+)?"
            r"(?:\w+\s+){0,4}(?:double\s*j|\bjj|ureteral|ureteric)\s+(?:\w+\s+)?stent"
            r"|(?:anterograde|antegrade|retrograde)\s+(?:\w+\s+)?ureteral\s+stent"
        ),
        (
            Part(
                "0T7",
                words=("ureter",),
                devices=("Intraluminal Device",),
                default_approach=NATURAL_ENDO,
            ),
        ),
        "B3.1a: a ureteral stent keeps the lumen of the ureter open: Dilation with an "
        "intraluminal device",
    ),
    ProcedureTerm(
        "ureteral stent removal",
        _re(
            r"(?:ureteral\s+|ureteric\s+|double\s*j\s+|\bjj\s+)?stents?\s+(?:removal|extraction|"
            r"pulled|removed)|(?:removal|extraction)\s+of\s+(?:the\s+|an?\s+|both\s+)?(?:\w+\s+)?"
            r"(?:ureteral\s+|ureteric\s+|double\s*j\s+)?stents?"
        ),
        (
            Part(
                "0TP9",
                devices=("Intraluminal Device",),
                default_approach=NATURAL_ENDO,
            ),
        ),
        "B3.1a: taking a device out of a body part: Removal (B6.1c); a urinary stent lies in "
        "the ureter",
        ("B3.1a", "B6.1c"),
        unless=_re(r"corona|biliar|bile|pancrea|esophag|tracheal|bronch"),
    ),
    ProcedureTerm(
        "percutaneous nephrostomy",
        _re(r"nephrostom\w*"),
        (
            Part(
                "0T9",
                words=("kidney", "pelvis"),
                devices=("Drainage Device",),
                default_approach=PERCUTANEOUS,
            ),
        ),
        "B3.1a, B6.2: a nephrostomy tube drains urine from the renal pelvis: Drainage with a "
        "drainage device",
        ("B3.1a", "B6.2"),
        unless=_re(r"remov\w*|chang\w*|exchang\w*|irrigat\w*|clamp\w*|pull\w*"),
    ),
    ProcedureTerm(
        "cystoscopy",
        _re(_CYSTO),
        (Part("0TJB", approach=NATURAL_ENDO),),
        "B3.1a: visually exploring a body part: Inspection; B3.11b: the bladder is the most "
        "distal part a cystourethroscopy reaches",
        ("B3.1a", "B3.11b"),
    ),
    ProcedureTerm(
        "hydrocelectomy",
        _re(r"hydrocel\w*ctomy|excision\s+of\s+(?:the\s+)?(?:\w+\s+)?hydrocele"),
        (Part(index="Hydrocelectomy", words=("tunica", "vaginalis")),),
        "Index: Hydrocelectomy see Excision, Male Reproductive System; the hydrocele sac is "
        "the tunica vaginalis",
    ),
    ProcedureTerm(
        "spermatocelectomy",
        _re(r"spermatocel\w*ctomy|excision\s+of\s+(?:the\s+)?(?:\w+\s+)?spermatocele"),
        (Part("0VB", words=("epididymis",)),),
        "B3.1a: a spermatocele is cut out of the epididymis: Excision of the epididymis",
    ),
    ProcedureTerm(
        "vasectomy",
        _re(r"\bvasectom\w*"),
        (Part(index="Vasectomy", words=("vas", "deferens")),),
        "Index: Vasectomy see Excision, Male Reproductive System",
    ),
    ProcedureTerm(
        "orchiopexy",
        _re(
            r"orch\w*pexy|(?:testis|testes|testicles?)\s+fixation|fixation\s+of\s+(?:the\s+|both\s+)?"
            r"test(?:is|es|icles?)"
        ),
        (Part("0VS", words=("testis",)),),
        "B3.1a: moving an undescended testis to the scrotum: Reposition (the definition's own "
        "example)",
    ),
    ProcedureTerm(
        "upper endoscopy",
        _re(
            r"\begd\b|esophagogastroduodenoscop\w*|upper\s+(?:gi\s+)?endoscop\w*"
            r"|gastroscop\w*|esophagoscop\w*"
        ),
        (Part("0DJ0", approach=NATURAL_ENDO),),
        "B3.1a: visually exploring the upper intestinal tract: Inspection (B4.8: esophagus to "
        "duodenum)",
        ("B3.1a", "B4.8"),
    ),
    ProcedureTerm(
        "thoracentesis",
        _re(r"thora(?:co)?centesis|pleural\s+tap"),
        (Part(index="Thoracentesis", words=("pleural", "cavity"), default_approach=PERCUTANEOUS),),
        "Index: Thoracentesis see Drainage, Anatomical Regions, General: the pleural cavity",
    ),
    ProcedureTerm(
        "paracentesis",
        _re(r"(?:abdominal\s+)?paracentesis"),
        (Part("0W9", words=("peritoneal", "cavity"), default_approach=PERCUTANEOUS),),
        "B3.1a: letting fluid out of the peritoneal cavity: Drainage",
    ),
    ProcedureTerm(
        "subacromial decompression",
        _re(r"subacromial\s+decompression|acromioplasty"),
        (Part("0PB", words=("acromion",)),),
        "B3.1a: the acromion's undersurface is cut off: Excision; body part key: acromion "
        "is coded to the scapula",
        ("B3.1a", "B4.1a"),
    ),
    ProcedureTerm(
        "rotator cuff repair",
        _re(
            r"(?:rotator\s+)?cuff\s+repair|repair\s+of\s+(?:the\s+|a\s+)?(?:\w+\s+)?rotator\s+cuff"
        ),
        (Part("0LQ", words=("shoulder", "tendon")),),
        "B3.1a: restoring the torn cuff tendon: Repair; B4.5: tendons supporting a joint are "
        "coded to the tendon body part",
        ("B3.1a", "B4.5"),
    ),
    ProcedureTerm(
        "gastric bypass",
        _re(r"gastric\s+bypass|roux\s*en\s*y\s+gastro\w*|gastrojejunostomy"),
        (Part("0D16", words=("jejunum",)),),
        "B3.6a: bypass from the stomach (body part) to the jejunum (qualifier): a Roux-en-Y "
        "limb is jejunum",
        ("B3.6a",),
    ),
    ProcedureTerm(
        "modified radical mastectomy",
        _re(r"modified\s+radical\s+mastectomy"),
        (
            Part("0HT", words=("breast",), note="the breast"),
            Part("07T", words=("lymphatic", "axillary"), note="the axillary lymph nodes"),
        ),
        "B3.1a, B3.2a: all of the breast and the axillary lymph nodes are cut out: Resection "
        "of each",
        ("B3.1a", "B3.2a"),
    ),
    ProcedureTerm(
        "tonsillectomy and adenoidectomy",
        _re(r"tonsillectomy\s+and\s+adenoidectomy|\bt\s*&\s*a\b|adenotonsillectomy"),
        (
            Part("0CTP", default_approach=EXTERNAL, note="the tonsils"),
            Part("0CTQ", default_approach=EXTERNAL, note="the adenoids"),
        ),
        "B3.2a: tonsils and adenoids are distinct body parts; B5.3a: structures visible in an "
        "orifice without instruments: External",
        ("B3.2a", "B5.3a"),
    ),
    ProcedureTerm(
        "tonsillectomy",
        _re(r"tonsillectomy"),
        (Part("0CTP", default_approach=EXTERNAL),),
        "B3.1a: all of the tonsils are cut out: Resection; B5.3a: structures visible in an "
        "orifice without instruments: External",
        ("B3.1a", "B5.3a"),
    ),
    ProcedureTerm(
        "adenoidectomy",
        _re(r"adenoidectomy"),
        (Part("0CTQ", default_approach=EXTERNAL),),
        "B3.1a: Resection of the adenoids; B5.3a: External",
        ("B3.1a", "B5.3a"),
    ),
    ProcedureTerm(
        "tracheostomy",
        _re(r"tracheostomy|tracheotomy"),
        (
            Part(
                index="Tracheostomy",
                words=("trachea", "cutaneous"),
                devices=("Tracheostomy Device",),
                default_approach=OPEN,
            ),
        ),
        "Index: Tracheostomy see Bypass, Respiratory System: trachea to cutaneous",
        ("B3.6a",),
    ),
    ProcedureTerm(
        "tubal ligation",
        _re(
            r"tubal\s+(?:ligation|occlusion|sterili[sz]ation|coagulation|fulguration|"
            r"cauteri[sz]ation|interruption)|(?:ligation|occlusion)\s+of\s+(?:the\s+|both\s+)?"
            r"(?:fallopian\s+)?tubes"
        ),
        (Part("0UL", words=("fallopian", "tubes"), side="bilateral"),),
        "B3.1a: completely closing the lumen of the fallopian tubes: Occlusion (the "
        "definition's own example); sterilisation closes both tubes (B4.3)",
        ("B3.1a", "B4.3"),
        variants=(
            (
                _re(r"\brings?\b|\bclips?\b|\bbands?\b|falope|filshie|hulka|yoon"),
                (
                    Part(
                        "0UL",
                        words=("fallopian", "tubes"),
                        side="bilateral",
                        devices=("Extraluminal Device",),
                    ),
                ),
                "B3.1a: rings, clips or bands closing the tubes from outside: Occlusion with "
                "an extraluminal device (B6.1a: the device remains)",
            ),
        ),
    ),
    ProcedureTerm(
        "total hysterectomy",
        _re(
            r"total\s+(?:abdominal\s+|vaginal\s+|laparoscopic\s+)*hysterectomy|\btah\b|\btlh\b"
            r"|\btvh\b|vaginal\s+hysterectomy|radical\s+hysterectomy"
        ),
        (
            Part("0UT9", note="the uterus"),
            Part("0UTC", note="the cervix"),
        ),
        "B3.2a: a total hysterectomy takes out the uterus and the cervix, distinct body parts: "
        "Resection of each",
        ("B3.1a", "B3.2a"),
        unless=_re(r"supracervical"),
    ),
    ProcedureTerm(
        "bilateral salpingo-oophorectomy",
        _re(r"bilateral\s+salpingo\s*oophorectomy|\bbso\b"),
        (
            Part("0UT2", note="both ovaries"),
            Part("0UT7", note="both fallopian tubes"),
        ),
        "B3.2a: ovaries and fallopian tubes are distinct body parts: Resection of each",
        ("B3.1a", "B3.2a", "B4.3"),
    ),
    ProcedureTerm(
        "salpingo-oophorectomy",
        _re(r"salpingo\s*oophorectomy|\b[rl]so\b"),
        (
            Part("0UT", words=("ovary",), note="the ovary"),
            Part("0UT", words=("fallopian", "tube"), note="the fallopian tube"),
        ),
        "B3.2a: the ovary and the fallopian tube are distinct body parts: Resection of each",
        ("B3.1a", "B3.2a"),
    ),
    ProcedureTerm(
        "lymph node dissection",
        _re(
            r"lymph\s*(?:node\s+)?(?:dissection|adenectomy)|lymphadenectomy"
            r"|(?:node|nodal)\s+dissection"
        ),
        (Part(index="Lymphadenectomy", words=("lymphatic",)),),
        "Index: Lymphadenectomy see Excision or Resection, Lymphatic and Hemic Systems: the "
        "lymphatics of the region named",
    ),
    ProcedureTerm(
        "feeding gastrostomy",
        _re(
            r"\bpeg\b|(?:gastrostomy|gastrotomy|feeding|g)\s+tube|stamm|gastrostomy\s+"
            r"(?:tube\s+)?(?:placement|insertion)|percutaneous\s+endoscopic\s+gastrostomy"
        ),
        (Part("0DH6", devices=("Feeding Device",)),),
        "B3.1a: a gastrostomy tube is a feeding device put into the stomach: Insertion",
    ),
    ProcedureTerm(
        "implanted venous port removal",
        _re(
            r"(?:removal|explant\w*)\s+of\s+(?:the\s+|a\s+)?(?:\w+\s+){0,2}"
            r"(?:port\b|port\s*a\s*cath|mediport|portacath|infusaport)|\bport\s+removal"
        ),
        (
            Part(
                "0JPT",
                devices=("Vascular Access Device, Totally Implantable",),
                default_approach=OPEN,
            ),
        ),
        "B3.1a, B6.1c: taking a device out: Removal of the totally implantable vascular access "
        "device from the subcutaneous tissue of the trunk",
        ("B3.1a", "B6.1c"),
    ),
    ProcedureTerm(
        "implanted venous port insertion",
        _re(
            r"(?:insertion|placement|implantation)\s+of\s+(?:the\s+|a\s+)?(?:\w+\s+){0,2}"
            r"(?:port\b|port\s*a\s*cath|mediport|portacath|infusaport)|\bport\s+placement"
        ),
        (
            Part(
                "0JH6",
                devices=("Vascular Access Device, Totally Implantable",),
                default_approach=OPEN,
            ),
        ),
        "B3.1a: a totally implantable vascular access device in a chest pocket: Insertion",
    ),
]
