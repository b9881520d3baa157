"""Coding speed of the systems each setting codes by default (issue 5).

Run:  python benchmarks/bench_systems.py [--shared ../shared/data] [--docs 150] [--passes 2]
Codes the first N English CodiEsp dev texts with the installed packs, in one process with the
vocabulary loaded, for each setting with ICD-10-CM alone and with its default systems
(outpatient: + CPT E/M level + HCPCS drugs; inpatient: + ICD-10-PCS), and prints documents
per second per pass. One core: the figure is documents/s/core.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    default = Path(__file__).resolve().parents[2] / "shared" / "data"
    parser.add_argument("--shared", type=Path, default=default)
    parser.add_argument("--docs", type=int, default=150)
    parser.add_argument("--passes", type=int, default=2)
    args = parser.parse_args()

    from medcoder.cli._lean_imports import import_medspacy_lean

    import_medspacy_lean()
    from medcoder.coding.api import engine_for
    from medcoder.documents.sections import segment
    from medcoder.documents.text_reader import text_document

    folder = args.shared / "codiesp" / "dev" / "text_files_en"
    texts = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))]
    texts = texts[: args.docs]
    runs = {
        "outpatient ICD-10-CM": ("outpatient", ("ICD-10-CM",)),
        "outpatient default (ICD-10-CM, CPT, HCPCS)": ("outpatient", ("ICD-10-CM", "CPT", "HCPCS")),
        "inpatient ICD-10-CM": ("inpatient", ("ICD-10-CM",)),
        "inpatient default (ICD-10-CM, ICD-10-PCS)": ("inpatient", ("ICD-10-CM", "ICD-10-PCS")),
    }
    engines = {
        name: engine_for(setting, None, None, systems) for name, (setting, systems) in runs.items()
    }
    for engine in engines.values():  # load packs and vocabularies before timing
        engine.code_document(segment(text_document(texts[0][1], doc_id="warm", source="warm")))
    for n in range(1, args.passes + 1):
        for name, engine in engines.items():
            started = time.perf_counter()
            for doc_id, text in texts:
                engine.code_document(segment(text_document(text, doc_id=doc_id, source=doc_id)))
            rate = len(texts) / (time.perf_counter() - started)
            print(f"pass {n}  {name:45s} {rate:6.1f} docs/s ({len(texts)} docs)")


if __name__ == "__main__":
    main()
