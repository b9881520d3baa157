"""The command line as a user meets it: exit codes, one-line errors, formats, documentation."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run(*args: str, data_dir: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "MEDCODER_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "medcoder", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        cwd=REPO,
        timeout=300,
    )


@pytest.fixture(scope="module")
def data_dir(built_packs: Path) -> Path:
    return built_packs


def test_version_and_help(data_dir: Path) -> None:
    assert run("--version", data_dir=data_dir).stdout.startswith("medcoder ")
    out = run("--help", data_dir=data_dir)
    assert out.returncode == 0 and "lookup" in out.stdout and "code" in out.stdout


def test_lookup_json_gives_title_notes_and_hierarchy(data_dir: Path) -> None:
    out = run("lookup", "e1122", "--format", "json", data_dir=data_dir)
    data = json.loads(out.stdout)
    assert data["code"] == "E11.22" and data["billable"] is True
    assert any(n["kind"] == "useAdditionalCode" for n in data["notes"])
    assert [a["code"] for a in data["ancestors"]][:2] == ["E11.2", "E11"]


def test_validate_exit_status_and_reasons(data_dir: Path) -> None:
    ok = run("validate", "E11.22", data_dir=data_dir)
    assert ok.returncode == 0
    bad = run("validate", "E11.2", "S72.001", "--format", "json", data_dir=data_dir)
    assert bad.returncode == 1
    statuses = [r["status"] for r in json.loads(bad.stdout)]
    assert statuses == ["header", "missing_7th"]


def test_unknown_code_for_lookup_is_a_one_line_error(data_dir: Path) -> None:
    out = run("lookup", "Z99.999", data_dir=data_dir)
    assert out.returncode == 1
    assert out.stderr.startswith("Error: ") and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_malformed_code_is_refused_with_the_character(data_dir: Path) -> None:
    out = run("lookup", "E11.2@", data_dir=data_dir)
    assert out.returncode == 1 and "'@'" in out.stderr


def test_invalid_date_is_a_usage_error(data_dir: Path) -> None:
    out = run("validate", "E11.22", "--date", "2026-13-40", data_dir=data_dir)
    assert out.returncode == 2 and "YYYY-MM-DD" in out.stderr


def test_code_jsonl_contract_one_line_per_document(data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("ASSESSMENT:\nAcute appendicitis.\n")
    (tmp_path / "b.txt").write_text("The meeting moved to Thursday.\n")
    out = run(
        "code", str(tmp_path), "--setting", "abstraction", "--format", "jsonl", data_dir=data_dir
    )
    assert out.returncode == 0, out.stderr
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert [x["document"] for x in lines] == ["a", "b"]
    first = lines[0]["codes"][0]
    assert set(first) >= {"system", "code", "description", "score", "evidence"}
    assert first["system"] == "ICD-10-CM" and 0 <= first["score"] <= 1
    assert lines[1]["codes"] == []


def test_batch_survives_one_bad_document(data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("ASSESSMENT:\nAcute appendicitis.\n")
    (tmp_path / "empty.txt").write_text("   \n")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    out = run("code", str(tmp_path), "--format", "jsonl", data_dir=data_dir)
    assert out.returncode == 1
    lines = {json.loads(x)["document"]: json.loads(x) for x in out.stdout.splitlines()}
    assert set(lines) == {"binary", "empty", "good"}
    assert lines["good"]["codes"] and "error" in lines["empty"] and "error" in lines["binary"]


def test_other_language_is_reported(data_dir: Path, tmp_path: Path) -> None:
    note = tmp_path / "es.txt"
    note.write_text(
        "Paciente de 45 años con dolor abdominal y fiebre. Se realiza una ecografía de los riñones."
    )
    out = run("code", str(note), "--format", "json", data_dir=data_dir)
    data = json.loads(out.stdout)
    assert data["codes"] == [] and "Spanish" in data["warnings"][0]


def test_unknown_setting_is_a_usage_error(data_dir: Path) -> None:
    out = run(
        "code", "examples/discharge_summary.txt", "--setting", "ambulatory", data_dir=data_dir
    )
    assert out.returncode == 2 and "setting" in out.stderr


def test_explain_shows_assigned_and_rejected(data_dir: Path) -> None:
    out = run("explain", "examples/discharge_summary.txt", "--format", "json", data_dir=data_dir)
    data = json.loads(out.stdout)
    assert data["codes"] and all("path" in c for c in data["codes"])
    assert any("negates" in r["reason"] for r in data["rejected"])


def test_parse_shows_sections_mentions_and_results(data_dir: Path) -> None:
    out = run("parse", "examples/discharge_summary.txt", "--format", "json", data_dir=data_dir)
    data = json.loads(out.stdout)
    kinds = {s["kind"] for s in data["sections"]}
    assert {"hpi", "family_history", "discharge_diagnoses"} <= kinds
    family = [m for m in data["mentions"] if m["section"] == "family_history"]
    assert family and all(m["assertion"] == "family" for m in family)
    negated = {m["text"].lower() for m in data["mentions"] if m["assertion"] == "negated"}
    assert "fever" in negated
    assert any(r["name"] == "sodium" and r["normalized_unit"] == "mmol/L" for r in data["results"])


def test_every_command_is_documented_in_the_readme(data_dir: Path) -> None:
    readme = (REPO / "README.md").read_text()
    out = run("--help", data_dir=data_dir).stdout
    listing = out.split("\nCommands:\n", 1)[1]
    commands = re.findall(r"^  (\w[\w-]*)\b", listing, flags=re.M)
    assert len(commands) > 10
    missing = [c for c in commands if f"medcoder {c}" not in readme]
    assert missing == []


# Every package of src/medcoder, bottom layer first: a package imports only packages of the
# layers below it (docs/architecture.md). The shell is the top three layers.
LAYERS = (
    ("errors", "suggestions"),
    ("codesets", "documents"),
    ("nlp",),
    ("procedures", "services"),
    ("coding",),
    ("learning",),
    ("claims",),
    ("edits", "cdi", "casework"),
    ("store",),
    ("server",),
    ("cli",),
)
SHELL = ("store", "server", "cli")
# Upward imports that exist today, each to be removed; the test fails on a new one and on one
# that is gone but still listed. coding.api loads a trained model from learning/, which fits
# with the coding engine.
KNOWN_UPWARD = {
    ("src/medcoder/coding/api.py", "learning"),
}
_IMPORT = re.compile(r"^\s*(?:from|import)\s+medcoder\.(\w+)", re.M)


def _package_imports() -> dict[str, set[tuple[str, str]]]:
    """{package: {(file, imported package)}} for every package of src/medcoder."""
    root = REPO / "src" / "medcoder"
    found: dict[str, set[tuple[str, str]]] = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if parts[0] in ("__init__.py", "__main__.py"):
            continue  # the public API and the entry point sit above every layer
        package = parts[0].removesuffix(".py")
        for other in _IMPORT.findall(path.read_text()):
            if other != package:
                found.setdefault(package, set()).add((str(path.relative_to(REPO)), other))
    return found


def test_the_layers_name_every_package() -> None:
    root = REPO / "src" / "medcoder"
    packages = {p.name for p in root.iterdir() if (p / "__init__.py").exists()}
    modules = {p.stem for p in root.glob("*.py")} - {"__init__", "__main__"}
    layered = {name for layer in LAYERS for name in layer}
    assert packages | modules == layered


def test_core_never_imports_the_shell() -> None:
    shell = re.compile(
        r"^\s*(from|import)\s+(medcoder\.(cli|server|store)|typer|fastapi|sqlalchemy|uvicorn)\b",
        re.M,
    )
    core = [name for layer in LAYERS for name in layer if name not in SHELL]
    offenders = []
    for package in core:
        folder = REPO / "src" / "medcoder" / package
        for path in folder.rglob("*.py") if folder.is_dir() else [folder.with_suffix(".py")]:
            if shell.search(path.read_text()):
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def test_packages_import_only_the_layers_below_them() -> None:
    level = {name: i for i, layer in enumerate(LAYERS) for name in layer}
    upward = {
        (file, other)
        for package, imports in _package_imports().items()
        for file, other in imports
        if level.get(other, -1) >= level[package]
    }
    assert upward == KNOWN_UPWARD


# -- `medcoder train` learns what this house codes, `--model` applies it (issue 4, step 6) ----
# The synthetic house below codes pneumonia, appendicitis and fever but never the acute
# bronchitis its notes also mention: the engine alone reports J20.9, the trained model does not.

CASES = [
    ("Assessment: Pneumonia. Acute bronchitis.", "J18.9"),
    ("Assessment: Acute appendicitis. Acute bronchitis.", "K35.80"),
    ("Assessment: Fever. Acute bronchitis.", "R50.9"),
]


@pytest.fixture(scope="module")
def house_corpus(built_packs: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    texts = tmp_path_factory.mktemp("house-texts")
    rows = []
    for i in range(60):
        text, code = CASES[i % len(CASES)]
        (texts / f"doc{i:02d}.txt").write_text(f"Patient {i}.\n{text}\n", encoding="utf-8")
        rows.append(f"doc{i:02d}\t{code.lower()}")
    gold = texts.parent / "house-gold.tsv"
    gold.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return texts, gold


@pytest.fixture(scope="module")
def house_model(house_corpus: tuple[Path, Path], built_packs: Path, tmp_path_factory) -> Path:
    texts, gold = house_corpus
    out = tmp_path_factory.mktemp("house-model") / "house.model"
    done = run(
        "train", "--texts", str(texts), "--gold", str(gold), "-o", str(out), data_dir=built_packs
    )
    assert done.returncode == 0, done.stderr
    assert "trained on 60 documents" in done.stdout
    return out


def test_trained_model_drops_what_the_house_never_codes(
    house_model: Path, built_packs: Path, tmp_path
) -> None:
    note = tmp_path / "new.txt"
    note.write_text("Assessment: Pneumonia. Acute bronchitis.\n", encoding="utf-8")
    args = ("code", str(note), "--setting", "abstraction", "--format", "jsonl")
    plain = json.loads(run(*args, data_dir=built_packs).stdout)
    house = json.loads(run(*args, "--model", str(house_model), data_dir=built_packs).stdout)
    assert {"J18.9", "J20.9"} <= {c["code"] for c in plain["codes"]}
    codes = {c["code"] for c in house["codes"]}
    assert "J18.9" in codes and "J20.9" not in codes
    as_json = run(
        "explain",
        str(note),
        "--setting",
        "abstraction",
        "--model",
        str(house_model),
        "--format",
        "json",
        data_dir=built_packs,
    )
    report = json.loads(as_json.stdout)
    report = report[0] if isinstance(report, list) else report
    kept = {c["code"]: c for c in report["codes"]}
    assert kept["J18.9"]["model"].startswith("ranker: ")
    turned_down = [r for r in report["rejected"] if r["code"] == "J20.9"]
    assert turned_down and "below its threshold" in turned_down[0]["reason"]
    assert "held back by: " in turned_down[0]["reason"]


def test_saved_model_loads_with_its_threshold_and_trees(house_model: Path) -> None:
    from medcoder.learning.house_model import HouseModel

    loaded = HouseModel.load(house_model)
    assert 0 < loaded.threshold_ < 1
    assert loaded.threshold_objective == "f1+map"
    assert loaded.ranker_.trees_ and loaded.documents_ == 60


def test_unknown_threshold_objective_is_a_usage_error(
    house_corpus, built_packs: Path, tmp_path
) -> None:
    texts, gold = house_corpus
    done = run(
        "train",
        "--texts",
        str(texts),
        "--gold",
        str(gold),
        "-o",
        str(tmp_path / "m"),
        "--threshold-for",
        "recall",
        data_dir=built_packs,
    )
    assert done.returncode == 2 and "--threshold-for 'recall'" in done.stderr
    assert not (tmp_path / "m").exists()


def test_model_of_an_older_format_is_refused_with_its_format(tmp_path, built_packs: Path) -> None:
    import gzip

    old = tmp_path / "old.model"
    with gzip.open(old, "wt", encoding="utf-8") as fh:
        json.dump({"format": "medcoder.house_model.v2"}, fh)
    note = tmp_path / "n.txt"
    note.write_text("Pneumonia.\n", encoding="utf-8")
    done = run("code", str(note), "--model", str(old), data_dir=built_packs)
    assert done.returncode != 0 and "medcoder.house_model.v2" in done.stderr


def test_model_trained_on_other_features_is_refused(
    house_model: Path, tmp_path, built_packs
) -> None:
    import gzip

    with gzip.open(house_model, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    data["ranker"]["features"] = data["ranker"]["features"][:-1]
    other = tmp_path / "other.model"
    with gzip.open(other, "wt", encoding="utf-8") as fh:
        json.dump(data, fh)
    note = tmp_path / "n.txt"
    note.write_text("Pneumonia.\n", encoding="utf-8")
    done = run("code", str(note), "--model", str(other), data_dir=built_packs)
    assert done.returncode != 0 and "another feature set" in done.stderr


def test_training_again_with_the_same_seed_gives_the_same_model(
    house_corpus, house_model: Path, built_packs: Path, tmp_path
) -> None:
    import gzip

    texts, gold = house_corpus
    again = tmp_path / "again.model"
    done = run(
        "train",
        "--texts",
        str(texts),
        "--gold",
        str(gold),
        "-o",
        str(again),
        "--seed",
        "13",
        data_dir=built_packs,
    )
    assert done.returncode == 0, done.stderr
    with gzip.open(house_model, "rt", encoding="utf-8") as a, gzip.open(again, "rt") as b:
        assert json.load(a) == json.load(b)
