"""The engine on the real FY2023 tables, index and definitions (skipped without shared data)."""

from __future__ import annotations

from medcoder.documents.sections import segment
from medcoder.documents.text_reader import text_document
from medcoder.nlp.tokens import tokenize
from medcoder.procedures.pcs_engine import PcsEngine
from medcoder.procedures.pcs_model import PcsHouseModel


def doc(text: str, name: str = "note"):  # noqa: ANN201
    return segment(text_document(text, doc_id=name, source=name))


def codes(engine: PcsEngine, text: str) -> list[str]:
    return sorted(s.code for s in engine.code_document(doc(text)))


def test_b3_1a_real_laparoscopic_appendectomy_is_0dtj4zz(real_engine: PcsEngine) -> None:
    assert codes(real_engine, "Laparoscopic appendectomy was performed.") == ["0DTJ4ZZ"]


def test_real_right_radical_orchiectomy_open(real_engine: PcsEngine) -> None:
    assert codes(real_engine, "Right inguinal radical orchiectomy was performed.") == ["0VT90ZZ"]


def test_real_imaging_chest_xray_and_ecg_in_abstraction(real_engine: PcsEngine) -> None:
    abstraction = PcsEngine("abstraction", data=real_engine.data)
    assert codes(abstraction, "Chest X-ray was normal. The ECG showed sinus rhythm.") == [
        "4A02X4Z",
        "BW03ZZZ",
    ]


def test_uhdds_routine_imaging_and_ecg_are_not_reported_for_a_stay(real_engine: PcsEngine) -> None:
    result = real_engine.analyze(doc("Chest X-ray was normal. The ECG showed sinus rhythm."))
    assert result.codes == []
    assert {r.code for r in result.rejected} == {"4A02X4Z", "BW03ZZZ"}
    assert all(r.guideline == "UHDDS" for r in result.rejected)


def test_real_nephrectomy_without_side_names_missing_body_part(real_engine: PcsEngine) -> None:
    result = real_engine.analyze(doc("Nephrectomy was performed."))
    assert result.incomplete and result.incomplete[0].missing == "Body Part"


def test_house_model_learns_collection_form(real_engine: PcsEngine) -> None:
    train = {f"d{i}": doc("Cranial CT showed no bleeding.", f"d{i}") for i in range(4)}
    gold = {name: {"bn20"} for name in train}
    model = PcsHouseModel(min_support=3).fit(real_engine, train, gold)
    predicted = model.predict(doc("Cranial CT was normal."))
    assert predicted[0][0] == "bn20"


def test_device_key_gives_the_device_value_of_named_devices(real_engine: PcsEngine) -> None:
    def devices(text: str) -> list[str]:
        words = [w for w, _, _ in tokenize(text)]
        return real_engine.vocabulary.devices_in(words)

    assert devices("a 2.5 x 18 mm Cypher stent") == ["Intraluminal Device, Drug-eluting"]
    assert devices("Xience everolimus eluting stent") == ["Intraluminal Device, Drug-eluting"]
    assert devices("#8 Shiley tracheostomy tube") == ["Tracheostomy Device"]
    assert devices("a piece of polypropylene mesh") == ["Synthetic Substitute"]
    assert devices("the mesh of the net") == []  # a generic word alone names no device


def test_body_part_key_maps_the_acromion_to_the_scapula(real_engine: PcsEngine) -> None:
    assert real_engine.vocabulary.body_synonyms[("acromion",)] == ("scapula",)
