"""Word tables the E/M reader uses: conditions, injuries, tests, cues (data, not code).

Each table is a regular expression source written as readable alternations. They decide
which column of the AMA "problems addressed" element a problem falls in (a chronic illness,
an injury, a symptom still without a diagnosis), which words say a chronic illness is not at
its treatment goal, and which tests the data element counts as one unique test.
"""

from __future__ import annotations

import re


def _split(table: str) -> list[str]:
    """Phrases of a table split on ``|`` and newlines outside regex groups."""
    out, depth, current = [], 0, []
    for ch in table:
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and ch in "|\n":
            out.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    out.append("".join(current).strip())
    return [p for p in out if p]


def _alternation(table: str) -> str:
    """A table of ``|``-separated phrases (any layout) as one regex alternation, longest
    first so that the longest name wins where several start at one place."""
    return "|".join(sorted(_split(table), key=len, reverse=True))


def wordset(text: str) -> frozenset[str]:
    """A word table written as prose-width text."""
    return frozenset(text.split())


def words(table: str) -> re.Pattern[str]:
    """Whole-word, case-insensitive pattern of a phrase table."""
    return re.compile(r"\b(?:" + _alternation(table) + r")\b", re.I)


# Conditions a clinician follows over time (chronic illness in the AMA problems column).
CHRONIC = words(r"""
hypertension | htn | high blood pressure | hypertensive
diabetes | diabetic | dm | t2dm | prediabetes | pre-diabetes | insulin resistance
heart failure | chf | hfref | hfpef | cardiomyopathy | coronary artery disease | cad | angina
atrial fibrillation | afib | a-fib | atrial flutter | arrhythmia | murmur | valve disease
aortic stenosis | mitral regurgitation | aortic aneurysm | peripheral (?:arterial|vascular) disease
pvd | venous insufficiency
copd | emphysema | chronic bronchitis | asthma | pulmonary fibrosis | sleep apnea | osa
hyperlipidemia | dyslipidemia | hypercholesterolemia | (?:high|elevated) cholesterol
hypothyroidism | hyperthyroidism | hypothyroid | thyroid disease | goiter
depression | depressive | anxiety | bipolar | schizophrenia | ptsd | adhd | insomnia
dementia | alzheimer'?s | parkinson'?s | multiple sclerosis | epilepsy | seizure disorder
seizures | migraines? | neuropathy
chronic kidney disease | ckd | renal insufficiency | kidney disease | kidney stones?
nephrolithiasis | bph | benign prostatic hyperplasia | enlarged prostate | overactive bladder
incontinence | recurrent (?:urinary tract infections?|utis?)
gerd | reflux | gastroesophageal reflux | irritable bowel | ibs | crohn'?s | ulcerative colitis
celiac | cirrhosis | fatty liver | hepatitis [bc] | hiv
osteoarthritis | arthritis | degenerative joint disease | djd | rheumatoid | gout | lupus
fibromyalgia | osteoporosis | osteopenia | degenerative disc disease | spinal stenosis
cancer | carcinoma | adenocarcinoma | malignancy | malignant | lymphoma | leukemia | melanoma
myeloma | metastatic | tumor | adenoma | neoplasm | dcis
anemia | vitamin d deficiency | b12 deficiency | iron deficiency | obesity | morbid obesity
psoriasis | eczema | acne | acne vulgaris | rosacea | hidradenitis | hirsutism | pcos
endometriosis | hypogonadism | glaucoma | macular degeneration
immunodeficiency | iga deficiency | transplant | syndrome | chronic | recurrent
""")

# Injuries: acute by nature; complicated when they need surgery, reduction or a cast.
INJURY = words(r"""
fractures? | fx | sprains? | strains? | contusions? | bruise | lacerations? | abrasions?
dislocations? | subluxation | tears? | torn | ruptured? | injury | injuries | injured | trauma
bites? | burns? | concussion | whiplash | puncture | crush | avulsion
""")

# A symptom, sign or abnormal result standing in for a diagnosis not yet made.
SYMPTOM = words(r"""
pain | ache | cough | dyspnea | shortness of breath | fatigue | weight loss | weight gain
dizziness | vertigo | syncope | palpitations | hematuria | bleeding | rash | lump | mass
nodule | lesion | abnormal | elevated | low | hyperglycemia | anemia | finding | enzymes
swelling | numbness | tingling | weakness | headache | headaches | fever | nausea | vomiting
diarrhea | constipation | dysphagia | odynophagia
""")

SELF_LIMITED = words(r"""
common cold | cold | uri | upper respiratory infection | viral syndrome | insect bite
bug bite | splinter | sunburn | minor | self-limited | self-limiting | wart | warts
""")

# Assessment lines that are not problems addressed: visit reasons, prevention, bookkeeping.
NOT_A_PROBLEM = re.compile(
    r"^\W*(?:\d+[.)]\s*)?(?:(?:annual|routine|yearly) (?:exam|physical|visit|follow-?up)"
    r"|(?:well(?:ness)?|preventive|preventative) (?:visit|exam|care|health)"
    r"|health(?:care)? maintenance|preventa?t?ive health|screening|immuni[sz]ations?|vaccin\w*"
    r"|pap smear|status post|s/p|post-?op(?:erative)?|history of|hx of|follow[- ]?up\W*$"
    r"|medication (?:refill|reconciliation)|patient (?:agreements?|education)|instructions?"
    r"|medical (?:reasoning|treatment|decision)|additional testing|diagnostic testing"
    r"|specialist referrals?|referrals?\b|plan\b|treatment\b|testing\b|reasoning\b"
    r"|counsel\w*|return|call|schedule|rtc|all questions|the patient|we |i |he |she )",
    re.I,
)

# Wording that says a chronic illness is not at its treatment goal (AMA: exacerbation,
# progression); "not controlled" is caught by negation of CONTROLLED instead.
WORSENING = words(r"""
exacerbation | exacerbations | exacerbated | flare | flares | flaring | flare-up | flare up
worse | worsening | worsened | worsen | progression | progressing | progressed | progressive
uncontrolled | poorly controlled | suboptimally controlled | inadequately controlled
not at goal | above goal | not at target | above target | out of control | acting up
elevated | higher | rising | unstable | not improving
increas(?:ed|ing) (?:pain|symptoms|swelling|frequency|dyspnea|cough|edema|numbness|weakness|episodes)
not improved | non-healing | nonhealing | not healing | persistent | recurrence | recurred
breakthrough | spreading | decompensated | decompensation | new symptoms
""")
CONTROLLED = words(r"""
well[- ]controlled | controlled | stable | at goal | at target | doing well | well-managed
well managed | under control | improving | improved | resolved | asymptomatic
""")
SEVERE = words(r"""
severe exacerbation | severely exacerbated | severe progression | acute on chronic
decompensated | decompensation | severe side effects?
""")
# Harm from the treatment of a condition (AMA: "side effects of treatment").
SIDE_EFFECT = re.compile(
    r"\bside[- ]effects?\b|\badverse (?:reaction|effect)\b|\bintoleran(?:ce|t)\b"
    r"|\b(?:radiation|chemotherapy|chemo|drug|medication|steroid)[- ]induced\b"
    r"|\bradiation (?:pneumonitis|dermatitis|esophagitis|proctitis|cystitis)\b"
    r"|\b(?:stopped|discontinued|stopping|discontinuing)\b[^.;]{0,60}\b(?:due to|because of"
    r"|secondary to)\b[^.;]{0,20}\b(?:rash|hives|itching|nausea|reaction|side effects?)\b",
    re.I,
)
THREAT = re.compile(
    r"\bthreat(?:ens?|ening)? to (?:life|bodily function|(?:his|her|the) (?:life|limb|vision))"
    r"|\blife[- ]threatening\b|\blimb[- ]threatening\b|\bsight[- ]threatening\b|\bsepsis\b"
    r"|\bseptic shock\b|\bacute coronary syndrome\b|\bmyocardial infarction\b|\bstemi\b"
    r"|\bpulmonary embol\w+|\bsuicidal ideation\b|\bcord compression\b|\bchiasm(?:al)? compression"
    r"|\bcompression of the (?:optic )?chiasm|\bstroke\b|\bimpending\b|\bcompartment syndrome\b",
    re.I,
)
UNCERTAIN = re.compile(
    r"\b(?:possible|possibly|probable|probably|likely|suspect(?:ed)?|suspicious|concern(?:ed)?"
    r" (?:for|about|that)|rule out|r/o|differential|appears to be|could be|may be|versus|vs\.?"
    r"|unclear etiology|etiology (?:is )?(?:unclear|unknown|uncertain)|unknown etiology|unclear"
    r"|uncertain|undiagnosed|work-?up|evaluate for|question of|new issue"
    r"|new problem|newly (?:noted|found|discovered))\b",
    re.I,
)
SYSTEMIC = re.compile(
    r"\b(?:fevers?|febrile|chills|rigors|systemic|malaise|sweats|myalgias|body aches)\b", re.I
)
# Management that makes an injury complicated: surgery, reduction, casting.
COMPLICATED_CARE = re.compile(
    r"\b(?:surgery|surgical|surgically|orif|open reduction|closed reduction|reduction"
    r"|operative|operation|fixation|casts?|casting|arthroscop\w+)\b",
    re.I,
)
# A change of treatment for a chronic illness: it is not at goal.
DOSE_CHANGE = re.compile(
    r"\b(?:increase[ds]?|increasing|initiate[ds]?|initiating|start(?:ed|ing)?|add(?:ed|ing)?"
    r"|switch(?:ed|ing)?|change[ds]? (?:his|her|the|to)|titrat\w+|uptitrat\w+|double[ds]?"
    r"|higher dose|new medication)\b",
    re.I,
)

# --- data: unique tests ---------------------------------------------------------------------

# "test: pattern | pattern": one row per unique test (panels count once).
_TESTS = r"""
cbc: cbc | complete blood count | blood count | h and h | hemoglobin | hematocrit | white count
cmp: cmp | comprehensive metabolic (?:panel|profile)
bmp: bmp | basic metabolic panel | metabolic panel | electrolytes | chem ?7
renal function: creatinine | kidney function | renal function | bun
hepatic panel: hepatic function panel | liver function tests? | lfts? | liver enzymes | alt | ast
alkaline phosphatase: alkaline phosphatase | alk phos
ggt: ggt | gamma gt | gamma-glutamyl transferase
lipid panel: lipid panel | lipid profile | lipids | cholesterol panel | fasting lipids
hba1c: a1c | hemoglobin a1c | hba1c | glycated hemoglobin
glucose: blood glucose | fasting glucose | glucose level | blood sugar level
thyroid: tsh | thyroid panel | thyroid function tests? | thyroid studies | t4 | free t4
vitamin d: vitamin d level | 25-hydroxy vitamin d
b12: b12 | b-12 | vitamin b12 | b12 level
folate: folate | folic acid level
iron studies: iron studies | iron panel | ferritin | iron level | anemia profile | anemia panel
coagulation: pt/inr | ptt | inr | coags | coagulation studies | coagulation panel
urinalysis: urinalysis | ua | urine analysis | urine dip | dipstick
urine culture: urine culture | culture and sensitivity
blood culture: blood cultures?
wound culture: wound culture | culture
psa: psa | prostate specific antigen
troponin: troponins?
bnp: bnp | pro-bnp | nt-probnp
d-dimer: d-dimer
inflammatory markers: crp | c-reactive protein | esr | sed rate | sedimentation rate
autoimmune panel: autoimmune panel | ana | antinuclear antibody | rheumatoid factor
lyme: lyme titer | lyme test | lyme antibodies | lyme serology | western blot
strep test: rapid strep(?: test)? | strep test | throat culture
viral test: influenza (?:swab|test) | flu test | covid(?:-19)? test
pregnancy test: pregnancy test | hcg | beta hcg
hormone levels: cortisol | salivary cortisol | dexamethasone suppression test | aldosterone
    | renin | testosterone level | androgen levels | fai | acth | estradiol level
urine collection: 24-hour urine | urine collection
antibody testing: antibod(?:y|ies)(?: testing| levels| panel)? | immunoglobulin levels | iga level
lipase: lipase | amylase
lactate: lactate | lactic acid
blood gas: blood gas | abg | vbg
drug levels: lithium level | digoxin level | drug level | drug screen
pathology: pathology | biopsy results
chest x-ray: chest x-rays? | chest xray | cxr | chest radiograph
x-ray: x-rays? | xrays? | radiographs? | plain films? | films
ct: cat scan | ct(?: scan)? | cta
mri: mri | mra | magnetic resonance
ultrasound: ultrasound | ultrasonography | sonogram | doppler | duplex
echocardiogram: echocardiograms? | echo | tte
ecg: ecg | ekg | electrocardiogram
stress test: stress test | treadmill test | nuclear stress
holter: holter | event monitor | zio patch
pft: pft | pfts | pulmonary function tests? | pulmonary function testing | spirometry
emg: emg | nerve conduction(?: study| studies)? | ncs
eeg: eeg
sleep study: sleep study | polysomnogra\w+
dexa: dexa | bone density
mammogram: mammograms? | mammography
bone scan: bone scan
pet: pet scan | pet/ct
visual field: visual field testing | visual fields
labs: labs | lab work | blood work | bloodwork | laboratory studies | blood tests
"""
TESTS: dict[str, re.Pattern[str]] = {}
for _line in re.sub(r"\n\s+\|", " |", _TESTS.strip()).splitlines():
    _name, _, _names = _line.partition(": ")
    TESTS[_name] = words(_names)
_ALL_TEST_NAMES = _alternation(
    "|".join(
        line.partition(": ")[2] for line in re.sub(r"\n\s+\|", " |", _TESTS.strip()).splitlines()
    )
)
ANY_TEST = re.compile(r"\b(?:" + _ALL_TEST_NAMES + r")\b", re.I)


def test_key(name: str) -> str:
    """The unique test a matched test name belongs to."""
    return next((k for k, p in TESTS.items() if p.fullmatch(name)), name.lower())


TEST_KEYS = list(TESTS)
IMAGING = {"x-ray", "ct", "mri", "ultrasound", "bone scan"}
# Body-part words of one region, for "unique test" (a lumbar x-ray is a back x-ray).
BODY_REGION = {
    "back": "spine", "lumbar": "spine", "cervical": "spine", "thoracic": "spine",
    "lumbar spine": "spine", "kidneys": "kidney", "renal": "kidney", "abdominal": "abdomen",
    "pelvic": "pelvis", "feet": "foot", "knees": "knee", "hands": "hand", "brain": "head",
    "lower extremities": "leg", "upper extremities": "arm", "testicular": "scrotum",
    "scrotal": "scrotum",
}  # fmt: skip
BODY_PART = words(r"""
knee | knees | ankle | foot | feet | hand | hands | wrist | elbow | shoulder | hip | spine
lumbar | cervical | thoracic | back | chest | abdomen | abdominal | pelvis | pelvic | head
brain | neck | kidney | kidneys | renal | bladder | breast | thyroid | leg | arm | finger
toe | femur | tibia | humerus | forearm | heel | sinus | lower extremities | upper extremities
carotid | venous | arterial | liver | gallbladder | ruq | scrotal | testicular
""")
