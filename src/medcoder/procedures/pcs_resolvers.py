"""Procedure terms whose construction reads more of the note than the procedure's name.

* a herniorrhaphy is a Repair, or a Supplement when mesh is put in, of the region the hernia
  is in (the diagnosis says "umbilical hernia" when the statement says "hernia repair");
* a joint arthroplasty is a Replacement of the joint with the device the implant record
  names (bearing surfaces, cement);
* a debridement is an Excision or an Extraction as the Index's "excisional / non-excisional"
  says, of the deepest layer reached (B3.5), in the region named;
* a coronary angioplasty is a Dilation of as many coronary arteries as were treated (B4.4),
  with the stents actually deployed (B6.1a), percutaneous;
* coronary angiography is fluoroscopy of one or several coronary arteries with the contrast
  named; a cardiac catheterization measures sampling and pressure of the heart side entered;
* a pacemaker insertion is two procedures (B3.2c): the generator into a subcutaneous pocket
  and each lead into the heart chamber it paces;
* a central venous catheter is an infusion device inserted where its tip lies.

Each resolver returns the parts and why, or ``None`` when the term does not apply (the
Index route then gets the item); a part with ``query`` asks what the note does not say.
"""

from __future__ import annotations

import re

from medcoder.procedures.pcs_terms import (
    EXTERNAL,
    OPEN,
    PERCUTANEOUS,
    Part,
    ProcedureTerm,
    TermContext,
)

Resolved = tuple[tuple[Part, ...], str] | None


def _first(pattern: re.Pattern[str], *texts: str) -> re.Match[str] | None:
    for text in texts:
        m = pattern.search(text)
        if m:
            return m
    return None


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;])\s+|,(?=\S)", text) if s.strip()]


# -- hernia ----------------------------------------------------------------------------------

_HERNIA = re.compile(
    r"hernia\w*\s*(?:repair|orrhaphy|oplasty)|herniorrhaph\w*|hernioplast\w*"
    r"|repair\s+of\s+(?:\w+\s+){0,4}hernia"
)
_WALL = r"umbilical|paraumbilical|periumbilical|ventral|incisional|epigastric|spigelian"
_GROIN = r"inguinal|bassini|shouldice|mcvay|lichtenstein"
_SITE = re.compile(rf"\b(?:{_WALL}|{_GROIN}|femoral)\b")
_MESH = re.compile(r"\bmesh\b|hernia\s+system|\bphs\b|\bplug\b|lichtenstein|\bpatch\b")
_NO_MESH = re.compile(r"(?:\bno|without)\s+(?:\w+\s+)?(?:mesh|plug|patch)")


def hernia(ctx: TermContext) -> Resolved:
    site = _first(_SITE, ctx.item, ctx.context, ctx.diagnosis, ctx.body)
    if site is None:
        return (
            (Part(query="hernia site not documented: umbilical/ventral, inguinal or femoral?"),),
            "B3.1a",
        )
    mesh_text = f"{ctx.context} {ctx.body}"
    mesh = bool(_MESH.search(mesh_text)) and not _NO_MESH.search(mesh_text)
    word = site.group(0)
    if re.fullmatch(_WALL, word):
        start, words, where = ("0WUF" if mesh else "0WQF"), (), "the abdominal wall"
    else:
        region = "femoral" if word == "femoral" else "inguinal"
        start, words = ("0YU" if mesh else "0YQ"), (region, "region")
        where = f"the {region} region"
    devices = ("Synthetic Substitute",) if mesh else ()
    why = (
        f"Index: Herniorrhaphy, with synthetic substitute see Supplement: mesh reinforces {where}"
        if mesh
        else f"Index: Herniorrhaphy see Repair: {where} restored, no mesh (B3.1a)"
    )
    return (Part(start, words=words, devices=devices),), why


# -- stones ------------------------------------------------------------------------------------

_LITHOTRIPSY = re.compile(
    r"\beswl\b|shock\s*wave\s+lithotripsy|extracorporeal\s+(?:\w+\s+)?lithotripsy"
    r"|(?:cysto|nephro|uretero|pyelo)?lithotripsy|lith\w*paxy|cystolithotripsy"
)
_EXTRACORPOREAL = re.compile(r"\beswl\b|shock\s*wave|extracorporeal")
_FRAGMENTS_REMOVED = re.compile(
    r"(?:removal|extraction|retrieval|basket\w*)\s+(?:of\s+)?(?:the\s+)?(?:stone\s+)?"
    r"(?:fragments?|stones?|calcul\w+)|(?:fragments?|stones?|pieces)\s+(?:were|was)\s+"
    r"(?:\w+\s+)?(?:removed|extracted|retrieved|basketed)"
)
# Where a stone lies and the body-part words PCS uses for it (a renal stone lies in the
# collecting system: the kidney pelvis).
_STONE_SITES = (
    (re.compile(r"cysto\w*|bladder|vesical"), ("bladder",)),
    (re.compile(r"uretero(?!pelvic)\w*|\bureter\w*"), ("ureter",)),
    (
        re.compile(r"renal|kidney|nephro\w*|pyelo\w*|caly\w*|ureteropelvic|\bupj\b"),
        ("kidney", "pelvis"),
    ),
    (re.compile(r"common\s+bile\s+duct|choledoch\w*"), ("common", "bile", "duct")),
    (re.compile(r"gallbladder|cholecyst\w*"), ("gallbladder",)),
    (re.compile(r"urethra\w*"), ("urethra",)),
)


def lithotripsy(ctx: TermContext) -> Resolved:
    site = None
    for text in (ctx.item, ctx.context, ctx.diagnosis, ctx.body):
        for pattern, words in _STONE_SITES:
            if pattern.search(text):
                site = words
                break
        if site:
            break
    if site is None:
        return ((Part(query="site of the stone not documented"),), "B3.1a")
    approach = EXTERNAL if _EXTRACORPOREAL.search(ctx.item) else None
    removed = _FRAGMENTS_REMOVED.search(f"{ctx.context} {ctx.body}")
    where = " ".join(site)
    if removed:
        return (
            (Part(index="Extirpation", words=site, approach=approach),),
            f"Index: Lithotripsy, with removal of fragments see Extirpation ({where})",
        )
    why = f"B3.1a: breaking solid matter into pieces in the {where}: Fragmentation"
    if approach:
        why += "; shock waves act through the body wall (B5.3b): External"
    return (Part(index="Fragmentation", words=site, approach=approach),), why


# -- joint replacement -------------------------------------------------------------------------

_ARTHROPLASTY = re.compile(
    r"(?:total|partial|unicompartmental|unicondylar|reverse|hemi)?\s*(?:knee|hip|shoulder)\s+"
    r"(?:joint\s+)?(?:arthroplast\w*|replacement)|arthroplasty\s+of\s+(?:the\s+)?(?:\w+\s+)?"
    r"(?:knee|hip|shoulder)|\bt[kh][ar]\b|hemiarthroplast\w*|(?:knee|hip|shoulder)\s+"
    r"hemiarthroplast\w*"
)
_CEMENTLESS = re.compile(r"uncemented|cementless|non\s*cemented|without\s+cement|press\s*fit")
_CEMENT = re.compile(r"\bcement(?:ed)?\b|methylmethacrylate|\bpmma\b|bone\s+cement")
_METAL = r"metal|cobalt|chrom\w*|titanium|stainless"
_CERAMIC = r"ceramic|biolox|alumina"
_POLY = r"polyethylene|plastic|\bpoly\b|xlpe|cross\s*linked"
_ZIRCONIUM = r"oxinium|zirconium"


def _bearing(body: str) -> str:
    """The hip bearing surface the implant record names (head on liner)."""
    heads = set()
    liners = set()
    for sentence in _sentences(body):
        if "trial" in sentence:
            continue  # trial components are taken out again
        for kind, pattern in (
            ("zirconium", _ZIRCONIUM),
            ("ceramic", _CERAMIC),
            ("metal", _METAL),
            ("polyethylene", _POLY),
        ):
            if re.search(rf"(?:{pattern})\W+(?:\w+\W+){{0,3}}?head\b", sentence):
                heads.add(kind)
            if re.search(rf"(?:{pattern})\W+(?:\w+\W+){{0,3}}?(?:liner|insert|cup)\b", sentence):
                liners.add(kind)
    head = next(iter(heads)) if len(heads) == 1 else None
    liner = next(iter(liners)) if len(liners) == 1 else None
    label = {
        ("metal", "polyethylene"): "Synthetic Substitute, Metal on Polyethylene",
        ("ceramic", "polyethylene"): "Synthetic Substitute, Ceramic on Polyethylene",
        ("zirconium", "polyethylene"): "Synthetic Substitute, Oxidized Zirconium on Polyethylene",
        ("ceramic", "ceramic"): "Synthetic Substitute, Ceramic",
        ("metal", "metal"): "Synthetic Substitute, Metal",
    }.get((head or "", liner or ""))
    return label or "Synthetic Substitute"


def arthroplasty(ctx: TermContext) -> Resolved:
    item = ctx.item
    if re.search(r"revision|removal|explant|spacer|resurfacing", item):
        return None  # revisions remove and replace: left to the Index and a query
    joint = re.search(r"knee|hip|shoulder", item)
    name = joint.group(0) if joint else ("knee" if re.search(r"\btk[ar]\b", item) else "hip")
    words: tuple[str, ...] = (name, "joint")
    device = "Synthetic Substitute"
    table = "0RR" if name == "shoulder" else "0SR"
    partial = re.search(r"hemi|partial|unicompartmental|unicondylar", item)
    if name == "knee" and partial:
        side = "Lateral" if "lateral" in f"{item} {ctx.body}" else "Medial"
        device = f"Synthetic Substitute, Unicondylar {side}"
    elif name == "hip" and partial:
        words = ("hip", "joint", "femoral", "surface")
    elif name == "hip":
        device = _bearing(ctx.body)
    elif name == "shoulder" and partial:
        words = ("shoulder", "joint", "humeral", "surface")
    elif name == "shoulder" and "reverse" in item:
        device = "Synthetic Substitute, Reverse Ball and Socket"
    qualifier: tuple[str, ...] = ()
    text = f"{ctx.context} {ctx.body}"
    if _CEMENTLESS.search(text):
        qualifier = ("uncemented",)
    elif _CEMENT.search(text):
        qualifier = ("cemented",)
    why = (
        f"B3.1a: the {name} joint's surfaces are taken out and an implant takes their place: "
        f"Replacement with {device.lower()}"
    )
    if qualifier:
        why += f", {qualifier[0]} (documented)"
    why += "; B3.18: the resection of the joint is integral to the replacement"
    return (Part(table, words=(*words, *qualifier), devices=(device,), default_approach=OPEN),), why


# -- debridement --------------------------------------------------------------------------------

_DEBRIDEMENT = re.compile(r"debrid\w*")
_EXCISIONAL = re.compile(
    r"excisional|\bexcis\w+|sharp(?:ly)?\s+(?:excisional\s+)?debrid|scalpel|\bcurett\w*"
)
_NON_EXCISIONAL = re.compile(
    r"non\s*excisional|mechanical|pulse[d]?\s+lavage|whirlpool|brush\w*|scrub\w*|enzymatic"
    r"|wet\s+to\s+dry|hydrotherap\w*|selective\s+debrid"
)
_LAYERS = (  # deepest first (B3.5)
    ("bone", re.compile(r"\bbone\b|osteo\w*|cortex|cortical")),
    ("muscle", re.compile(r"\bmuscle|\bmyo\w*")),
    ("subcutaneous", re.compile(r"fascia\w*|subcutaneous|\bfat\b|adipose")),
    ("skin", re.compile(r"\bskin\b|dermis|epiderm\w*")),
)
# Regions of the body and the subcutaneous/skin body-part words they are coded to (B4.6
# for the skin and subcutaneous tissue over a joint).
_REGIONS = (
    (re.compile(r"sacr\w*|coccy\w*|glute\w*|buttock|ischi\w*"), ("buttock",)),
    (re.compile(r"perine\w*|scrot\w*"), ("perineum",)),
    (re.compile(r"\bback\b|lumbar|flank"), ("back",)),
    (re.compile(r"abdom\w*|umbilic\w*"), ("abdomen",)),
    (re.compile(r"chest|breast|thora\w*|axill\w*"), ("chest",)),
    (re.compile(r"scalp"), ("scalp",)),
    (re.compile(r"\bface\b|facial|cheek"), ("face",)),
    (re.compile(r"\bneck\b"), ("neck",)),
    (re.compile(r"\bheel|\bfoot|\bfeet|\btoes?\b|ankle|plantar|malleol\w*"), ("foot",)),
    (re.compile(r"\bcalf|\bshin|lower\s+leg|\bknee|pretibial"), ("lower", "leg")),
    (re.compile(r"thigh|\bhip\b|upper\s+leg"), ("upper", "leg")),
    (re.compile(r"\bhand|finger|thumb|palm"), ("hand",)),
    (re.compile(r"forearm|\belbow|wrist|lower\s+arm"), ("lower", "arm")),
    (re.compile(r"upper\s+arm|\bshoulder|\barm\b"), ("upper", "arm")),
)


def debridement(ctx: TermContext) -> Resolved:
    kind_text = (ctx.item, ctx.context, ctx.body)
    excisional = non = None
    for text in kind_text:
        non = _NON_EXCISIONAL.search(text)
        excisional = _EXCISIONAL.search(text) if not non else None
        if excisional or non:
            break
    if not (excisional or non):
        return (
            (Part(query="debridement not described: excisional or non-excisional?"),),
            "Index: Debridement, excisional see Excision; non-excisional see Extraction",
        )
    layer = None
    for text in (ctx.item, ctx.body, ctx.diagnosis):
        for name, pattern in _LAYERS:
            if pattern.search(text):
                layer = name
                break
        if layer:
            break
    region = None
    for text in (ctx.item, ctx.diagnosis, ctx.body):
        for pattern, words in _REGIONS:
            if pattern.search(text):
                region = words
                break
        if region:
            break
    operation = "B" if excisional else "D"
    system = {"skin": "H", "subcutaneous": "J", "muscle": "K"}.get(layer or "subcutaneous")
    if system is None or region is None:
        what = "depth (bone: which bone?)" if system is None else "site"
        return (Part(query=f"debridement {what} not documented"),), "B3.5"
    words = ("subcutaneous", "tissue", "fascia") if system == "J" else ()
    words += ("skin",) if system == "H" else ("muscle",) if system == "K" else ()
    how = "excisional: Excision" if excisional else "non-excisional: Extraction"
    why = (
        f"Index: Debridement, {how}; B3.5: the deepest layer reached "
        f"({layer or 'subcutaneous tissue'}) is coded"
    )
    approach = OPEN if excisional else None
    return (Part(f"0{system}{operation}", words=words + region, default_approach=approach),), why


# -- coronary arteries -------------------------------------------------------------------------

_PCI = re.compile(
    r"\bptca\b|\bpci\b|\bpcta\b|angioplast\w*|\bstent(?:ing|ed|s)?\b|balloon\s+dilat\w*"
    r"|coronary\s+intervention"
)
_ARTERIES = {
    "lad": r"\blad\b|left\s+anterior\s+descending",
    "circumflex": r"circumflex|\blcx\b|\bcx\b",
    "rca": r"\brca\b|right\s+coronary",
    "diagonal": r"diagonal",
    "marginal": r"obtuse\s+marginal|\bom\d?\b",
    "ramus": r"ramus",
    "pda": r"\bpda\b|posterior\s+descending",
    "posterolateral": r"posterolateral|\bplv\b",
    "left main": r"left\s+main",
}
_ARTERY = "(?:" + "|".join(_ARTERIES.values()) + ")"
_TREATED = (
    re.compile(
        rf"(?:angioplast\w*|stenting|dilat\w+|\bpci\b|\bptca\b|intervention)\s+(?:\w+\s+){{0,5}}?"
        rf"(?:of|in|to)\s+(?:the\s+)?(?:\w+\s+){{0,3}}?{_ARTERY}"
    ),
    re.compile(
        rf"(?:balloon|stent)\s+(?:\w+\s+){{0,4}}?(?:positioned|placed|deployed|inflated|advanced)"
        rf"\s+(?:\w+\s+){{0,2}}?(?:in|into|across)\s+(?:the\s+)?(?:\w+\s+){{0,5}}?{_ARTERY}"
    ),
    re.compile(rf"{_ARTERY}\s+(?:\w+\s+){{0,4}}?(?:was|were)\s+(?:\w+\s+)?(?:dilated|stented)"),
)
_CORONARY = re.compile(rf"coronar\w*|{_ARTERY}")
_PERIPHERAL = re.compile(
    r"iliac|femoral\s+artery|popliteal|renal\s+artery|carotid|subclavian|tibial|ureter|biliar"
    r"|esophag|urethr|bronch|trache|venous|vein|fistula|graft"
)
_DEPLOYED = re.compile(
    r"(?:deploy\w*|implant\w*|placed|placement)\s+(?:\w+\s+){0,4}?stent|stent\w*\s+(?:\w+\s+){0,4}?"
    r"(?:was|were)\s+(?:\w+\s+)?(?:deployed|placed|implanted)|stenting|\bstented\b"
)
_NOT_DEPLOYED = re.compile(
    r"(?:could\s+not|unable\s+to|cannot|failed\s+to)\s+(?:\w+\s+){0,3}?(?:advance|deliver|"
    r"deploy|pass|cross)|not\s+stented|stent\s+(?:was|were)\s+removed|without\s+(?:a\s+)?stent"
    r"|angioplasty\s+alone"
)
_DRUG_ELUTING = re.compile(
    r"drug\s*eluting|\bdes\b|cypher|xience|taxus|promus|resolute|synergy|endeavor|onyx|orsiro"
    r"|zotarolimus|everolimus|sirolimus|paclitaxel|biolimus"
)
_NUMBER = {1: "0", 2: "1", 3: "2"}


def _treated_arteries(text: str) -> set[str]:
    found = set()
    for pattern in _TREATED:
        for m in pattern.finditer(text):
            for name, artery in _ARTERIES.items():
                if re.search(artery, m.group(0)[-60:]):
                    found.add(name)
    return found


def coronary_dilation(ctx: TermContext) -> Resolved:
    if not _CORONARY.search(f"{ctx.item} {ctx.body} {ctx.diagnosis}") or _PERIPHERAL.search(
        ctx.item
    ):
        return None
    named = {n for n, a in _ARTERIES.items() if re.search(a, ctx.item)}
    arteries = named or _treated_arteries(ctx.body)
    if not arteries:
        return (
            (Part(query="number of coronary arteries treated not documented"),),
            "B4.4: coronary arteries are coded by the number treated",
        )
    stent_text = f"{ctx.item} {ctx.body}"
    said_stent = re.search(r"stent", ctx.item)
    deployed = said_stent or _DEPLOYED.search(ctx.body)
    if deployed and not said_stent and _NOT_DEPLOYED.search(ctx.body):
        deployed = None
    count = min(len(arteries), 4)
    body_part = _NUMBER.get(count, "3")
    devices: tuple[str, ...] = ()
    if deployed:
        label = "Intraluminal Device"
        eluting = "Intraluminal Device, Drug-eluting" in ctx.devices  # the Device Key's names
        if eluting or _DRUG_ELUTING.search(stent_text):
            label += ", Drug-eluting"
        devices = (label,)
    why = (
        f"B4.4: {count} coronary arter{'y' if count == 1 else 'ies'} treated "
        f"({', '.join(sorted(arteries))}); Dilation: expanding the lumen (PTCA is its "
        f"definition's example); "
        + ("stent deployed: intraluminal device" if deployed else "no stent left (B6.1a)")
    )
    return (Part(f"027{body_part}", devices=devices, default_approach=PERCUTANEOUS),), why


_ANGIOGRAPHY = re.compile(
    r"coronary\s+(?:angiogra\w+|arteriogra\w+|cineangiogra\w+)|angiogra\w+\s+of\s+(?:the\s+)?"
    r"coronar\w*"
)
_LOW_OSMOLAR = re.compile(
    r"low\s+osmolar|isovue|iopamidol|omnipaque|iohexol|visipaque|iodixanol|optiray|ioversol"
    r"|ultravist|iopromide|oxilan|ioxilan|hexabrix|ioxaglate"
)
_HIGH_OSMOLAR = re.compile(r"high\s+osmolar|renografin|hypaque|diatrizoate|conray|iothalamate")


def coronary_angiography(ctx: TermContext) -> Resolved:
    text = f"{ctx.item} {ctx.body}"
    left = re.search(r"left\s+(?:coronary|main|system)|\blad\b|circumflex", text)
    right = re.search(r"right\s+coronary|\brca\b", text)
    multiple = bool(left and right) or "arteries" in ctx.item or not (left or right)
    contrast = (
        ("low", "osmolar")
        if _LOW_OSMOLAR.search(text)
        else ("high", "osmolar")
        if _HIGH_OSMOLAR.search(text)
        else ()
    )
    start = "B211" if multiple else "B210"
    why = (
        "Coronary angiography is fluoroscopy of the coronary arteries with contrast: "
        + ("multiple arteries" if multiple else "a single artery")
        + (f", {' '.join(contrast)} contrast named" if contrast else "")
    )
    return (Part(start, words=contrast),), why


_CATH = re.compile(r"(?:left|right)?\s*heart\s+cath\w*|cardiac\s+cath\w*")


def heart_catheterization(ctx: TermContext) -> Resolved:
    text = f"{ctx.item} {ctx.body}"
    right = re.search(r"right\s+heart|swan|pulmonary\s+(?:artery|capillary)", text)
    left = re.search(
        r"left\s+heart|femoral\s+artery|radial\s+artery|left\s+ventric|coronar|aortic\s+press", text
    )
    if not (left or right):
        return ((Part(query="heart side catheterized not documented: left, right or both?"),), "")
    qualifier = ("bilateral",) if left and right else ("left",) if left else ("right",)
    why = "Cardiac catheterization measures sampling and pressure of the " + (
        "left and right heart" if left and right else f"{qualifier[0]} heart"
    )
    return (Part("4A023N", words=(*qualifier, "heart"), default_approach=PERCUTANEOUS),), why


# -- pacemakers ----------------------------------------------------------------------------------

_PACEMAKER = re.compile(r"pacemaker|\bpacer\b|\bppm\b|pulse\s+generator")
_NOT_INSERTION = re.compile(
    r"remov\w*|explant\w*|change|replac\w*|revision|interrogat\w*|check|reprogram\w*|battery"
)


def pacemaker(ctx: TermContext) -> Resolved:
    if _NOT_INSERTION.search(ctx.item):
        return None
    text = f"{ctx.item} {ctx.body}"
    if re.search(r"biventricular|resynchroni[sz]ation|\bcrt\b", text):
        generator, leads = "Cardiac Resynchronization Pacemaker Pulse Generator", ("K", "6", "4")
    elif re.search(r"\b(?:ddd|dddr|ddi|ddir|vdd|vddr)\b|dual\s+chamber", text):
        generator, leads = "Pacemaker, Dual Chamber", ("K", "6")
    elif m := re.search(r"\b(vvir|aair|vvi|aai|vvi\s*r|aai\s*r)\b|single\s+chamber", text):
        mode = (m.group(1) or "").replace(" ", "")
        responsive = mode.endswith("r") or bool(re.search(r"rate\s+responsive", text))
        generator = "Pacemaker, Single Chamber" + (" Rate Responsive" if responsive else "")
        leads = ("6",) if mode.startswith("a") or "atrial lead" in text else ("K",)
    else:
        return (
            (Part(query="pacemaker type not documented: single or dual chamber?"),),
            "B3.2c",
        )
    pocket = "0JH8" if re.search(r"abdominal\s+pocket|abdomen", ctx.item) else "0JH6"
    chamber = {"K": "right ventricle", "6": "right atrium", "4": "coronary vein (left ventricle)"}
    parts = [Part(pocket, devices=(generator,), default_approach=OPEN, note="the generator")]
    for lead in leads:
        parts.append(
            Part(
                f"02H{lead}",
                devices=("Cardiac Lead, Pacemaker",),
                default_approach=PERCUTANEOUS,
                note=f"the lead into the {chamber[lead]}",
            )
        )
    why = (
        "B3.2c, B6.1a: a pacemaker is a generator inserted in a subcutaneous pocket and a lead "
        "inserted transvenously in each chamber paced: Insertion of each device"
    )
    return tuple(parts), why


# -- central venous catheters ------------------------------------------------------------------

_CENTRAL_LINE = re.compile(
    r"central\s+(?:venous\s+)?(?:line|catheter)|(?:triple|double|single)\s+lumen\s+(?:central\s+)?"
    r"(?:catheter|line)|\bcvc\b|\bpicc\b|(?:subclavian|jugular|femoral)\s+(?:\w+\s+){0,2}?"
    r"(?:venous\s+)?(?:line|catheter)"
)
_VEINS = (
    (re.compile(r"subclavian"), "05H", ("subclavian", "vein")),
    (re.compile(r"internal\s+jugular|\bij\b"), "05H", ("internal", "jugular", "vein")),
    (re.compile(r"external\s+jugular|\bej\b"), "05H", ("external", "jugular", "vein")),
    (re.compile(r"femoral"), "06H", ("femoral", "vein")),
)


def central_line(ctx: TermContext) -> Resolved:
    if re.search(r"dialysis|tesio|tessio|quinton|permcath|tunnel+ed|port\b", ctx.item):
        return None
    if re.search(r"superior\s+vena\s+cava|\bsvc\b|cavoatrial|caval\s+atrial", ctx.body):
        return (
            (Part("02HV", devices=("Infusion Device",), default_approach=PERCUTANEOUS),),
            "Insertion of an infusion device coded where its tip lies: superior vena cava",
        )
    for pattern, table, words in _VEINS:
        if pattern.search(ctx.item) or (
            not re.search(r"\w+", ctx.item) and pattern.search(ctx.body)
        ):
            return (
                (
                    Part(
                        table,
                        words=words,
                        devices=("Infusion Device",),
                        default_approach=PERCUTANEOUS,
                    ),
                ),
                f"Insertion of an infusion device into the {' '.join(words)} (tip position not "
                "documented: the vein entered)",
            )
    return ((Part(query="central line: vein and tip position not documented"),), "")


def _term(name: str, pattern: re.Pattern[str], resolve, guidelines=("B3.1a",)):  # noqa: ANN001, ANN202
    return ProcedureTerm(name, pattern, why="", guidelines=tuple(guidelines), resolve=resolve)


RESOLVED_TERMS: list[ProcedureTerm] = [
    _term("lithotripsy", _LITHOTRIPSY, lithotripsy, ("B3.1a", "B5.3b")),
    _term("herniorrhaphy", _HERNIA, hernia),
    _term("arthroplasty", _ARTHROPLASTY, arthroplasty, ("B3.1a", "B3.18")),
    _term("debridement", _DEBRIDEMENT, debridement, ("B3.1a", "B3.5")),
    _term("pacemaker insertion", _PACEMAKER, pacemaker, ("B3.2c", "B6.1a")),
    _term("coronary angiography", _ANGIOGRAPHY, coronary_angiography, ()),
    _term("heart catheterization", _CATH, heart_catheterization, ()),
    _term("coronary angioplasty", _PCI, coronary_dilation, ("B3.1a", "B4.4", "B6.1a")),
    _term("central venous catheter", _CENTRAL_LINE, central_line, ("B3.1a",)),
]
