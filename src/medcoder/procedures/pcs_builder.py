"""Build a PCS code axis by axis, accepting only what the tables allow.

A PCS code is not looked up, it is *constructed*: the index gives the first three or four
characters, then every following axis is chosen from the values the table still allows for
the characters already chosen (:meth:`PcsTables.values_for`). When the documentation does not
decide an axis (no approach written, no side given) construction stops there and the longest
valid prefix is returned with the name of the missing axis and the values a physician query
should offer: a guessed approach would be a wrong code, a prefix is an honest question.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from medcoder.codesets.icd10pcs_tables import PcsTables
from medcoder.procedures.pcs_vocabulary import LATERALITY, phrase

ONLY_VALUE = "only value the table allows"
_BILATERAL = "B4.3: bilateral, no bilateral value: one code per side"
_EMPTY_LABELS = frozenset({"No Device", "No Qualifier", "None"})
_BODY_AXES = frozenset({"Body Part", "Body System", "Body Region", "Body System / Region"})


@dataclass(frozen=True)
class AxisContext:
    """What the note says around one procedure mention, ready for axis choices."""

    words: frozenset[str] = frozenset()  # content tokens, laterality excluded
    side: str | None = None  # right, left, bilateral: the side word nearest the mention
    approach: str | None = None  # approach label ("Percutaneous Endoscopic")
    devices: tuple[str, ...] = ()  # device labels cued ("Intraluminal Device")
    diagnostic: bool = False  # biopsy: qualifier Diagnostic (B3.4a)
    no_contrast: bool = False
    approach_words: str | None = None  # the note's words that said the approach


@dataclass
class PcsConstruction:
    """A built code or, when documentation stopped short, the longest valid prefix."""

    code: str
    notes: list[str] = field(default_factory=list)
    guidelines: list[str] = field(default_factory=list)
    missing: str | None = None  # title of the first axis documentation did not decide
    choices: dict[str, str] = field(default_factory=dict)  # values allowed on that axis
    why: dict[int, str] = field(default_factory=dict)  # axis position (1-7) -> why this value

    @property
    def complete(self) -> bool:
        return len(self.code) == 7

    def reported(self, prefix_length: int | None = None) -> str:
        """The code to report; an incomplete one cut to ``prefix_length`` when asked.

        CodiEsp-style abstraction reports body-part prefixes (4 characters) for procedures
        documented without approach; other uses want the longest valid prefix.
        """
        if self.complete or prefix_length is None:
            return self.code
        return self.code[:prefix_length]


class PcsBuilder:
    """Chooses axes 4-7 (and checks 1-3) of one procedure against one year's tables."""

    def __init__(self, tables: PcsTables) -> None:
        self.tables = tables

    def build(
        self,
        start: str,
        context: AxisContext,
        notes: list[str] | None = None,
        why: dict[int, str] | None = None,
    ) -> list[PcsConstruction]:
        """Constructions from the index prefix ``start``; two when B4.3 splits a bilateral.

        ``why`` says, per position of ``start``, why the index gave that character (the axis
        table of ``medcoder explain`` shows it next to the builder's own reasons).
        """
        start = start.upper()
        good = self.tables.longest_valid_prefix(start)
        kept = {p: w for p, w in (why or {}).items() if p <= len(good)}
        base = PcsConstruction(good, list(notes or []), why=kept)
        if good != start:
            base.notes.append(f"index prefix {start} invalid in FY{self.tables.version}")
        todo = [base]
        done: list[PcsConstruction] = []
        while todo:
            item = todo.pop()
            while not item.complete:
                values = self.tables.values_for(item.code)
                if not values:
                    break
                picked = self._choose(item, values, context)
                if isinstance(picked, list):  # bilateral split into right and left
                    for value in picked[1:]:
                        twin = PcsConstruction(
                            item.code + value,
                            [*item.notes],
                            [*item.guidelines, "B4.3"],
                            why=dict(item.why),
                        )
                        twin.notes.append(self._note(twin, value, values, _BILATERAL, item.code))
                        todo.append(twin)
                    item.notes.append(self._note(item, picked[0], values, _BILATERAL))
                    item.guidelines.append("B4.3")
                    item.code += picked[0]
                    continue
                if picked is None:
                    item.missing = self.tables.axis_title(item.code)
                    item.choices = self._still_possible(item.missing, values, context)
                    item.notes.append(f"incomplete: {item.missing.lower()} not documented")
                    break
                item.code += picked
            done.append(item)
        return done

    def _note(
        self,
        item: PcsConstruction,
        value: str,
        values: dict[str, str],
        why: str,
        prefix: str | None = None,
    ) -> str:
        """The path line for one axis choice; records ``why`` for the axis table too."""
        prefix = item.code if prefix is None else prefix
        title = self.tables.axis_title(prefix).lower()
        item.why[len(prefix) + 1] = why
        return f"{title}: {values[value]} ({why})"

    def _choose(
        self, item: PcsConstruction, values: dict[str, str], ctx: AxisContext
    ) -> str | list[str] | None:
        prefix = item.code
        title = self.tables.axis_title(prefix)
        if len(values) == 1:
            (value,) = values
            note = self._note(item, value, values, ONLY_VALUE)
            if len(prefix) >= 4:
                item.notes.append(note)
            return value
        if len(prefix) < 3:
            return None
        if title in _BODY_AXES:
            return self._body_part(item, values, ctx)
        if title == "Approach":
            said = f" {ctx.approach_words!r}" if ctx.approach_words else ""
            return self._by_label(item, values, ctx.approach, f"documented approach{said}")
        if title == "Contrast":
            if ctx.no_contrast and "Z" in values:
                item.notes.append(self._note(item, "Z", values, "documented: without contrast"))
                return "Z"
            named = self._matching_labels(values, ctx)
            if len(named) == 1:
                why = _documented(values[named[0]], ctx)
                item.notes.append(self._note(item, named[0], values, why))
                return named[0]
            return None
        if title == "Device":
            value = _device_value(values, ctx.devices)
            if value is not None:
                why = f"device documented: {values[value]}"
                item.notes.append(self._note(item, value, values, why))
                return value
            if values.get("Z") == "No Device":
                why = "B6.1a: no device remains after the procedure"
                item.notes.append(self._note(item, "Z", values, why))
                item.guidelines.append("B6.1a")
                return "Z"
            return None
        if ctx.diagnostic and values.get("X") == "Diagnostic":
            why = "B3.4a: a biopsy takes qualifier Diagnostic"
            item.notes.append(self._note(item, "X", values, why))
            item.guidelines.append("B3.4a")
            return "X"
        matched = self._matching_labels(values, ctx)
        if len(matched) == 1:
            why = _documented(values[matched[0]], ctx)
            item.notes.append(self._note(item, matched[0], values, why))
            return matched[0]
        if values.get("Z") in _EMPTY_LABELS:
            why = f"nothing further documented: {values['Z']}"
            item.notes.append(self._note(item, "Z", values, why))
            return "Z"
        return None

    def _still_possible(
        self, axis: str, values: dict[str, str], ctx: AxisContext
    ) -> dict[str, str]:
        """The values a query should offer: on a body axis, those the note's words name
        except for the side (a hernia of the inguinal region, side unknown); else all."""
        if axis in _BODY_AXES:
            scored = [
                (len(plain), v)
                for v, label in values.items()
                if (plain := [w for w in phrase(label) if w not in LATERALITY])
                and all(w in ctx.words for w in plain)
            ]
            if scored:
                best = max(n for n, _ in scored)
                return {v: values[v] for n, v in scored if n == best}
        return values

    def _by_label(
        self, item: PcsConstruction, values: dict[str, str], label: str | None, why: str
    ) -> str | None:
        for value, text in values.items():
            if label and text == label:
                item.notes.append(self._note(item, value, values, why))
                return value
        return None

    def _matching_labels(self, values: dict[str, str], ctx: AxisContext) -> list[str]:
        """Values whose label's words all occur near the mention, most specific first."""
        scored = []
        for value, label in values.items():
            if label in _EMPTY_LABELS:
                continue
            words = phrase(label)
            plain = [w for w in words if w not in LATERALITY]
            sides = [w for w in words if w in LATERALITY]
            if not plain and sides and ctx.side in sides:
                scored.append((1, value))  # a value that is a side only ("Bilateral")
                continue
            if not plain or not all(w in ctx.words for w in plain):
                continue
            if sides and ctx.side not in sides:
                continue
            scored.append((len(plain) + len(sides), value))
        if not scored:
            return []
        best = max(s for s, _ in scored)
        return [v for s, v in scored if s == best]

    def _body_part(
        self, item: PcsConstruction, values: dict[str, str], ctx: AxisContext
    ) -> str | list[str] | None:
        matched = self._matching_labels(values, ctx)
        if len(matched) == 1:
            why = _documented(values[matched[0]], ctx)
            item.notes.append(self._note(item, matched[0], values, why))
            if ctx.side == "bilateral" and "bilateral" in values[matched[0]].lower():
                item.guidelines.append("B4.3")
            return matched[0]
        if ctx.side == "bilateral":
            sided = self._matching_labels(values, AxisContext(ctx.words, "right"))
            other = self._matching_labels(values, AxisContext(ctx.words, "left"))
            if len(sided) == 1 and len(other) == 1:
                return [sided[0], other[0]]  # no bilateral value: code each side (B4.3)
        return None


def _documented(label: str, ctx: AxisContext) -> str:
    """Why a value was chosen from the note's words: the label's words that were written."""
    words = [w for w in phrase(label) if w in ctx.words or w == ctx.side]
    return f"documented: {' '.join(words)}" if words else "documented"


def _device_value(values: dict[str, str], devices: tuple[str, ...]) -> str | None:
    """The value naming a documented device: the label itself first, then one containing it.

    Cues come most specific first ("Intraluminal Device, Drug-eluting" before
    "Intraluminal Device"), so the first cue the table allows decides.
    """
    for device in devices:
        for value, label in values.items():
            if label.lower() == device.lower():
                return value
    for device in devices:
        for value, label in values.items():
            if device.lower() in label.lower():
                return value
    return None
