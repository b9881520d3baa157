"""House forms of PCS codes keep the engine code's evidence and axis table for explain."""

from __future__ import annotations

from medcoder.procedures.pcs_engine import PcsEngine
from medcoder.procedures.pcs_model import PcsHouseModel, as_suggestions


def test_a_house_form_is_explained_by_the_engine_code_it_re_expresses(
    engine: PcsEngine, note
) -> None:  # noqa: ANN001
    result = engine.analyze(note("Laparoscopic cholecystectomy was performed."))
    model = PcsHouseModel()
    model.forms = {"0ft44zz": "0ft4"}  # this collection reports the body-part prefix
    form, phrase_only = as_suggestions([("0ft4", 0.8), ("4a02x4z", 0.5)], result, model)
    assert (form.code, form.score) == ("0FT4", 0.8)
    assert [e.text for e in form.evidence] == ["cholecystectomy"]
    assert form.explanation["code"] == "0FT44ZZ"  # the axis table of the built code
    assert form.path[-1] == "reported as 0FT4: the form training gold uses for 0FT44ZZ"
    assert result.codes[0].code == "0FT44ZZ"  # the engine's own suggestion is not changed
    assert (phrase_only.code, phrase_only.evidence, phrase_only.path) == (
        "4A02X4Z",
        [],
        ["learned phrase"],
    )
