"""HCPCS drug billing units: the documented dose over the amount one unit stands for.

A J-code descriptor names the dose of one billing unit ("per 250 mg"); units billed are the
administered dose divided by that amount, rounded **up** to a whole unit (a 25 mg dose of a
"per 10 mg" drug is 3 units; a dose below one unit is still 1 unit). The arithmetic is only
as good as the unit conversion, so every conversion that needs a fact the caller did not give
(a concentration to turn mL into mg, an equivalence between IU and USP units) returns
``needs_review`` with the reason instead of a number presented as certain.

Drug wastage (JW/JZ modifiers) and payer-specific rounding are outside this function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from medcoder.codesets.hcpcs import dosage_descriptor

# Factor to the base unit of each dimension (mass -> mg, volume -> ml, activity -> units).
_MASS = {"g": Decimal(1000), "mg": Decimal(1), "mcg": Decimal("0.001")}
_VOLUME = {"l": Decimal(1000), "ml": Decimal(1)}
_ACTIVITY = {"units": Decimal(1), "usp units": Decimal(1), "million units": Decimal(10**6)}
_ALIASES = {
    "gm": "g",
    "gram": "g",
    "grams": "g",
    "milligram": "mg",
    "milligrams": "mg",
    "µg": "mcg",
    "ug": "mcg",
    "microgram": "mcg",
    "micrograms": "mcg",
    "cc": "ml",
    "milliliter": "ml",
    "milliliters": "ml",
    "unit": "units",
    "u": "units",
    "i.u.": "iu",
    "international units": "iu",
    "international unit": "iu",
    "usp unit": "usp units",
}
_DOSE = re.compile(r"^\s*(?P<n>\d[\d,]*(?:\.\d+)?|\.\d+)\s*(?P<unit>[a-zµ.][a-zµ. ]*?)\s*$", re.I)
_CONCENTRATION = re.compile(
    r"^\s*(?P<n>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>[a-zµ.][a-zµ. ]*?)\s*/\s*"
    r"(?P<vn>\d[\d,]*(?:\.\d+)?)?\s*(?P<vunit>ml|cc|l)\s*$",
    re.I,
)


@dataclass(frozen=True)
class UnitsResult:
    """Billing units, or why they could not be computed with certainty."""

    units: int | None
    dose: Decimal | None
    dose_unit: str | None
    per_amount: Decimal | None
    per_unit: str | None
    converted_dose: Decimal | None = None  # the dose in the descriptor's unit
    needs_review: bool = False
    reason: str = ""

    def to_dict(self) -> dict[str, object]:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "units": self.units,
            "dose": text(self.dose),
            "dose_unit": self.dose_unit,
            "per_amount": text(self.per_amount),
            "per_unit": self.per_unit,
            "converted_dose": text(self.converted_dose),
            "needs_review": self.needs_review,
            "reason": self.reason,
        }


def _unit(name: str) -> str:
    name = " ".join(name.lower().split())
    return _ALIASES.get(name, name)


def _dimension(unit: str) -> tuple[str, Decimal] | None:
    for dim, table in (("mass", _MASS), ("volume", _VOLUME), ("activity", _ACTIVITY)):
        if unit in table:
            return dim, table[unit]
    if unit == "iu":
        return "iu", Decimal(1)
    return None


def _plain(value: Decimal) -> Decimal:
    """``1000.00`` -> ``1000`` and ``2.50`` -> ``2.5``, never ``1E+3``."""
    value = value.quantize(Decimal("1e-6")).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def parse_dose(text: str) -> tuple[Decimal, str] | None:
    """``"1 g"`` -> (1, 'g'); ``"1,000 units"`` -> (1000, 'units'); None when unreadable."""
    m = _DOSE.match(text)
    if not m:
        return None
    try:
        return _number(m.group("n")), _unit(m.group("unit"))
    except InvalidOperation:
        return None


def parse_concentration(text: str) -> tuple[Decimal, str] | None:
    """``"40 mg/mL"`` or ``"100 mg/5 mL"`` -> amount per 1 mL and its unit."""
    m = _CONCENTRATION.match(text)
    if not m:
        return None
    per_volume = _number(m.group("vn")) if m.group("vn") else Decimal(1)
    per_volume *= _VOLUME[_unit(m.group("vunit"))]
    if per_volume == 0:
        return None
    return _number(m.group("n")) / per_volume, _unit(m.group("unit"))


def _convert(
    amount: Decimal, unit: str, target: str, concentration: tuple[Decimal, str] | None
) -> tuple[Decimal | None, str, bool]:
    """``amount`` of ``unit`` in ``target`` units: (value, note, needs_review)."""
    source_dim, target_dim = _dimension(unit), _dimension(target)
    if source_dim is None or target_dim is None:
        return None, f"unknown unit {unit if source_dim is None else target!r}", True
    if source_dim[0] == target_dim[0]:
        return amount * source_dim[1] / target_dim[1], "", False
    if {source_dim[0], target_dim[0]} == {"activity", "iu"}:
        value = amount * source_dim[1] / target_dim[1]
        return value, "IU and USP units assumed equivalent; confirm for this drug", True
    if "volume" in (source_dim[0], target_dim[0]):
        if concentration is None:
            strength = target if unit in ("ml", "l", "cc") else unit  # amount per mL
            return (
                None,
                f"dose in {unit} vs descriptor per {target} needs a concentration; document "
                f"the product's strength (for example '10 {strength}/ml')",
                True,
            )
        conc_amount, conc_unit = concentration
        conc_dim = _dimension(conc_unit)
        other = target_dim if source_dim[0] == "volume" else source_dim
        if conc_dim is None or conc_dim[0] != other[0]:
            return None, f"concentration in {conc_unit} cannot convert {unit} to {target}", True
        per_ml = conc_amount * conc_dim[1]  # base units (mg, units) per mL
        if source_dim[0] == "volume":
            base = amount * source_dim[1] * per_ml
            return base / target_dim[1], "via concentration", False
        if per_ml == 0:
            return None, "concentration is zero", True
        return amount * source_dim[1] / per_ml / target_dim[1], "via concentration", False
    return None, f"cannot convert {unit} to {target} (different quantities)", True


def billing_units(
    documented_dose: str | tuple[Decimal, str],
    hcpcs_descriptor: str,
    *,
    concentration: str | None = None,
) -> UnitsResult:
    """Units to bill: ceil(dose / descriptor amount) after unit conversion.

    ``documented_dose`` is text (``"1 g"``) or ``(Decimal, unit)``; ``hcpcs_descriptor`` is the
    HCPCS long descriptor read by :func:`medcoder.codesets.hcpcs.dosage_descriptor`;
    ``concentration`` (``"40 mg/mL"``) lets a mL dose meet a mass descriptor and vice versa.
    """
    dose = parse_dose(documented_dose) if isinstance(documented_dose, str) else documented_dose
    per = dosage_descriptor(hcpcs_descriptor)
    if dose is not None:
        dose = (Decimal(dose[0]), _unit(dose[1]))
    conc = None
    if concentration is not None:
        conc = parse_concentration(concentration)
        if conc is None:
            return UnitsResult(
                None,
                *(dose or (None, None)),
                *(per or (None, None)),
                needs_review=True,
                reason=f"unreadable concentration {concentration!r}",
            )
    if dose is None:
        return UnitsResult(
            None,
            None,
            None,
            *(per or (None, None)),
            needs_review=True,
            reason=f"unreadable dose {documented_dose!r}",
        )
    if per is None:
        return UnitsResult(
            None,
            *dose,
            None,
            None,
            needs_review=True,
            reason="descriptor names no dose per unit; check the payer's unit definition",
        )
    if dose[0] <= 0 or per[0] <= 0:
        return UnitsResult(None, *dose, *per, needs_review=True, reason="dose must be positive")
    converted, note, review = _convert(dose[0], dose[1], per[1], conc)
    if converted is None:
        return UnitsResult(None, *dose, *per, needs_review=True, reason=note)
    # Quantize first so a conversion's last-digit error (10/3 mg per mL) cannot add a unit.
    ratio = (converted / per[0]).quantize(Decimal("1e-9"))
    units = int(ratio.to_integral_value(rounding=ROUND_CEILING))
    converted = _plain(converted)
    reason = f"{converted} {per[1]} / {_plain(per[0])} {per[1]}, rounded up to {units}"
    if note == "via concentration":
        reason += f" (dose converted via concentration {concentration})"
    elif note:
        reason += f"; {note}"
    return UnitsResult(units, *dose, *per, converted, review, reason)
