"""``medcoder data import``: recognise publisher files and compile them into packs.

Files are recognised by content, not name: the root element of the XML files, the header of
the HCPCS CSV, the record layout of the HCPCS fixed-width file, the column headings of CMS's
NCCI PTP and MUE files (their table and quarter come from the file name). A directory imports every file
it holds that is recognised and lists the rest as skipped. Each pack is built into a temporary
file and renamed into place, so a failed import leaves the previous packs untouched.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from medcoder.errors import SourceFileError

XML_ROOTS = {
    "ICD10CM.tabular": "icd10cm-tabular",
    "ICD10PCS.tabular": "icd10pcs",
    "ICD10PCS.index": "icd10pcs",
    "ICD10PCS.definitions": "icd10pcs",
}


@dataclass
class ImportReport:
    built: list[tuple[str, Path, float]] = field(default_factory=list)  # (component, path, s)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def detect(path: Path) -> tuple[str, str] | None:
    """``(component, version)`` the file feeds, or None when it is not a known publisher file."""
    try:
        head = path.open("rb").read(4096).decode("utf-8", "replace")
    except OSError as exc:
        raise SourceFileError(path, f"cannot read ({exc.strerror})") from exc
    root = re.search(
        r"<([A-Za-z0-9_.]+)[\s>]", re.sub(r"<\?.*?\?>|<!--.*?-->", "", head, flags=re.S)
    )
    version = re.search(r"<version>\s*(\d{4})\s*</version>", head)
    if root:
        tag = root.group(1)
        if tag in XML_ROOTS:
            return XML_ROOTS[tag], version.group(1) if version else "?"
        if tag in ("ICD10CM.index", "ICD10CM.eindex"):
            return "icd10cm-index", version.group(1) if version else "?"
        return None
    from medcoder.codesets.ncci import detect_ncci

    ncci = detect_ncci(path, head)
    if ncci is not None:
        return ncci
    if head.startswith("HCPCSCode,") or head.lower().startswith("hcpcs"):
        match = re.search(r"(\d{4})_(\d{2})", path.name)
        return "hcpcs", f"{match.group(1)}-{match.group(2)}" if match else "?"
    from medcoder.codesets.hcpcs import is_annual_file

    match = re.search(r"HCPC(\d{4})", path.name, re.I)
    if match and is_annual_file(path):
        return "hcpcs", match.group(1)
    return None


def _builders() -> dict[str, Callable[[list[Path], str], Path]]:
    def tabular(paths: list[Path], version: str) -> Path:
        from medcoder.codesets.icd10cm_pack import build_tabular_pack
        from medcoder.codesets.icd10cm_tabular import parse_tabular

        if len(paths) > 1:
            raise SourceFileError(paths[1], f"two tabular files for FY{version}; give one")
        return build_tabular_pack(parse_tabular(paths[0]))

    def index(paths: list[Path], version: str) -> Path:
        from medcoder.codesets.icd10cm_index import build_index_pack

        return build_index_pack(paths, int(version))

    def pcs(paths: list[Path], version: str) -> Path:
        from medcoder.codesets.icd10pcs import build_pcs_pack

        return build_pcs_pack(paths, int(version))

    def hcpcs(paths: list[Path], version: str) -> Path:
        from medcoder.codesets.hcpcs import build_hcpcs_pack

        return build_hcpcs_pack(paths, version)

    def ncci(component: str) -> Callable[[list[Path], str], Path]:
        def build(paths: list[Path], version: str) -> Path:
            from medcoder.codesets.ncci import build_ncci_pack

            return build_ncci_pack(paths, component, version)

        return build

    from medcoder.codesets.ncci import COMPONENTS

    return {
        "icd10cm-tabular": tabular,
        "icd10cm-index": index,
        "icd10pcs": pcs,
        "hcpcs": hcpcs,
        **{component: ncci(component) for component in COMPONENTS},
    }


def import_paths(
    paths: list[Path], *, progress: Callable[[str], None] | None = None
) -> ImportReport:
    """Import every recognised file in ``paths`` (files or directories)."""
    report = ImportReport()
    groups: dict[tuple[str, str], list[Path]] = defaultdict(list)
    for path in paths:
        if not path.exists():
            raise SourceFileError(path, "no such file or directory")
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            found = detect(file)
            if found is None:
                report.skipped.append((file, "not a recognised publisher file"))
            else:
                groups[found].append(file)
    if not groups:
        raise SourceFileError(
            paths[0],
            "no recognised publisher file (ICD-10-CM/PCS XML, HCPCS file or CSV, CMS NCCI "
            "PTP or MUE file)",
        )
    builders = _builders()
    for (component, version), files in sorted(groups.items()):
        if progress:
            progress(f"building {component} {version} from {', '.join(f.name for f in files)}")
        started = time.perf_counter()
        dest = builders[component](files, version)
        report.built.append((component, dest, time.perf_counter() - started))
    from medcoder.codesets import registry

    registry.clear_cache()
    return report


def import_cpt(path: Path, version: str) -> Path:
    """Compile the user's licensed CPT file (code + descriptor)."""
    from medcoder.codesets.cpt import build_cpt_pack

    return build_cpt_pack(path, version)
