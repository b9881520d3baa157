"""CodiEsp procedures (P) accuracy and speed of the ICD-10-PCS engine.

Run:  python benchmarks/bench_pcs.py [--shared ../shared/data] [--split dev] [--show 0]
Builds the FY2023 PCS pack in a private data dir, codes the English CodiEsp texts of the split
with the general engine, then with the house-style model trained on train only, and prints
micro P/R/F1 (CodiEsp scoring: exact string, 4-character gold matches only 4-character
predictions) and documents per second.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def _docs(folder: Path) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}


def main() -> None:
    parser = argparse.ArgumentParser()
    default = Path(__file__).resolve().parents[2] / "shared" / "data"
    parser.add_argument("--shared", type=Path, default=default)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--show", type=int, default=0, help="print N missed/extra examples")
    args = parser.parse_args()
    os.environ.setdefault("MEDCODER_DATA_DIR", tempfile.mkdtemp(prefix="medcoder-bench-"))

    from medcoder.codesets import registry
    from medcoder.codesets.importer import import_paths
    from medcoder.learning.evaluate import read_gold, score
    from medcoder.documents.sections import segment
    from medcoder.documents.text_reader import text_document
    from medcoder.procedures.pcs_engine import PcsEngine
    from medcoder.procedures.pcs_model import PcsHouseModel

    try:
        registry.choose("icd10pcs", None, "ICD-10-PCS")
    except Exception:  # noqa: BLE001 - no pack yet: build it
        import_paths([args.shared / "icd10pcs"])
    codiesp = args.shared / "codiesp"
    split = args.split
    gold = read_gold([codiesp / split / f"{split}P.tsv"])
    texts = _docs(codiesp / split / "text_files_en")
    train_gold = read_gold([codiesp / "train" / "trainP.tsv"])
    train_texts = _docs(codiesp / "train" / "text_files_en")

    engine = PcsEngine("abstraction", prefix_length=4)

    def doc(name: str, text: str):  # noqa: ANN202
        return segment(text_document(text, doc_id=name, source=name))

    t = time.perf_counter()
    results = {name: engine.analyze(doc(name, text)) for name, text in texts.items()}
    elapsed = time.perf_counter() - t
    predicted = {n: [(c.code, c.score) for c in r.codes] for n, r in results.items()}
    evaluated = {d: g for d, g in gold.items() if d in texts}
    s = score(evaluated, predicted)
    print(
        f"engine   {split}: P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f} "
        f"({len(texts)} docs, {len(texts) / elapsed:.1f} docs/s)"
    )

    t = time.perf_counter()
    model = PcsHouseModel().fit(engine, {n: doc(n, x) for n, x in train_texts.items()}, train_gold)
    fit_s = time.perf_counter() - t
    t = time.perf_counter()
    learned = {n: model.predict(doc(n, text), results[n]) for n, text in texts.items()}
    predict_s = time.perf_counter() - t + elapsed
    s2 = score(evaluated, learned)
    print(
        f"+ house  {split}: P {s2.precision:.3f} R {s2.recall:.3f} F1 {s2.f1:.3f} "
        f"({len(texts) / predict_s:.1f} docs/s; fit on train {fit_s:.1f} s)"
    )
    if args.show:
        from collections import Counter

        missed: Counter[str] = Counter()
        extra: Counter[str] = Counter()
        for d, codes in evaluated.items():
            pred = {c.lower() for c, _ in learned.get(d, [])}
            missed.update(codes - pred)
            extra.update(pred - codes)
        print("most missed:", missed.most_common(args.show))
        print("most extra: ", extra.most_common(args.show))


if __name__ == "__main__":
    main()
