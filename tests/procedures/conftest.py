"""A small PCS pack built from the fixture tables and index (official XML format)."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcoder.codesets import pack_store
from medcoder.codesets.icd10pcs import PcsData, build_pcs_pack, read_pcs
from medcoder.documents.model import Document
from medcoder.documents.sections import segment
from medcoder.documents.text_reader import text_document
from medcoder.procedures.pcs_engine import PcsEngine

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "procedures"


@pytest.fixture
def pcs_data() -> PcsData:
    """Built in the test's own data dir, read back as the engine reads a real pack."""
    path = build_pcs_pack([HERE / "pcs_tables_2023.xml", HERE / "pcs_index_2023.xml"], 2023)
    return read_pcs(pack_store.open_pack(path))


@pytest.fixture(scope="session")
def real_pcs_data(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> PcsData:
    """The FY2023 CMS tables, index and definitions, built once (skipped without them)."""
    files = sorted((shared_data / "icd10pcs").glob("icd10pcs_*_2023.xml"))
    if len(files) < 3:
        pytest.skip("FY2023 PCS files not found")
    mp = pytest.MonkeyPatch()
    mp.setenv("MEDCODER_DATA_DIR", str(tmp_path_factory.mktemp("pcs-real")))
    try:
        path = build_pcs_pack(files, 2023)
    finally:
        mp.undo()
    return read_pcs(pack_store.open_pack(path))


@pytest.fixture(scope="session")
def real_engine(real_pcs_data: PcsData) -> PcsEngine:
    """The inpatient engine on the real tables."""
    return PcsEngine("inpatient", data=real_pcs_data)


@pytest.fixture
def engine(pcs_data: PcsData) -> PcsEngine:
    return PcsEngine("inpatient", data=pcs_data)


def make_note(text: str) -> Document:
    return segment(text_document(text, doc_id="op-note", source="op-note"))


@pytest.fixture
def note():  # noqa: ANN201 - a factory
    """Turn text into a segmented document, as a reader would."""
    return make_note
