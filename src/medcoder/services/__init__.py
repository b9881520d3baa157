"""Coding services built on the document model: E/M leveling and drug billing units.

* :mod:`medcoder.services.em_level`: the AMA 2021/2023 MDM table and time rules (pure).
* :mod:`medcoder.services.em_extract`: MDM elements, time and patient status from a note.
* :mod:`medcoder.services.drug_units`: HCPCS J-code billing units from a documented dose.
"""

from medcoder.services.drug_units import UnitsResult, billing_units
from medcoder.services.em_extract import EMFindings, MdmItem, extract, level_note
from medcoder.services.em_level import (
    MDM,
    DataLevel,
    EMResult,
    Level,
    ProblemLevel,
    RiskLevel,
    level_emergency,
    level_office,
)

__all__ = [
    "MDM",
    "DataLevel",
    "EMFindings",
    "EMResult",
    "MdmItem",
    "Level",
    "ProblemLevel",
    "RiskLevel",
    "UnitsResult",
    "billing_units",
    "extract",
    "level_emergency",
    "level_note",
    "level_office",
]
