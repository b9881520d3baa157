"""ICD-10-PCS procedure coding: vocabulary, axis-by-axis builder, engine, house-style model."""

from medcoder.procedures.pcs_builder import AxisContext, PcsBuilder, PcsConstruction
from medcoder.procedures.pcs_engine import PcsEngine, PcsMention, PcsResult, load_pcs
from medcoder.procedures.pcs_vocabulary import PcsVocabulary

__all__ = [
    "AxisContext",
    "PcsBuilder",
    "PcsConstruction",
    "PcsEngine",
    "PcsMention",
    "PcsResult",
    "PcsVocabulary",
    "load_pcs",
]
