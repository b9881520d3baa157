"""The one way an encounter becomes an 837 file: write it, check it with pyx12, number it.

The CLI (``claim``, ``batch``) and the workbench's export call :func:`write_claim` /
:func:`write_claims`; nothing else builds an interchange. What the three used to decide each in
its own way is decided here once:

* **who sends to whom** (:class:`Submitter`): the sender id (ISA06/GS02, 1000A NM109) the
  clearinghouse assigned, the receiver id (ISA08/GS03, 1000B NM109; the payer id only when no
  receiver is configured) and the usage indicator (ISA15). Usage defaults to ``T`` (test):
  a receiver adjudicates a ``P`` file for real, so production must be asked for, and it
  is refused with the placeholder sender id. :meth:`Submitter.from_settings` reads the
  ``MEDCODER_X12_*`` settings the shells pass in (environment variables).
* **control numbers**: taken from :class:`~medcoder.claims.control_numbers.ControlNumbers`,
  unique per sender across runs and processes, and every written claim is logged there for
  999/277CA matching.
* **validation**: every interchange goes through pyx12 before it is returned; a batch is
  validated in chunks of interchanges per pyx12 run (:func:`validate_many`), because loading
  pyx12's maps costs far more than checking one claim.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from medcoder.claims.control_numbers import ControlNumbers
from medcoder.claims.errors import ClaimError, X12ValidationError
from medcoder.claims.model import ClaimEncounter
from medcoder.claims.x12_validate import X12Issue, validate_many
from medcoder.claims.x12_writer import write_837i, write_837p

#: The sender id used until a real one is configured; refused in production.
PLACEHOLDER_SENDER = "MEDCODER"
#: How many interchanges one pyx12 run validates in a batch.
VALIDATION_CHUNK = 200


class ClaimKind(StrEnum):
    P837 = "837P"
    I837 = "837I"

    @classmethod
    def parse(cls, value: str) -> ClaimKind:
        try:
            return cls(value.strip().upper())
        except ValueError:
            raise ClaimError("format", f"{value!r} is not 837P or 837I") from None


@dataclass(frozen=True)
class Submitter:
    """Who sends the interchange, to whom, and whether it is a test or production file."""

    sender_id: str = PLACEHOLDER_SENDER
    receiver_id: str | None = None
    usage: str = "T"
    submitter_name: str | None = None
    submitter_phone: str | None = None
    receiver_name: str | None = None

    #: The settings (environment variables) :meth:`from_settings` reads, by field.
    SETTINGS = {
        "sender_id": "MEDCODER_X12_SENDER_ID",
        "receiver_id": "MEDCODER_X12_RECEIVER_ID",
        "usage": "MEDCODER_X12_USAGE",
        "submitter_name": "MEDCODER_X12_SUBMITTER_NAME",
        "submitter_phone": "MEDCODER_SUBMITTER_PHONE",
        "receiver_name": "MEDCODER_X12_RECEIVER_NAME",
    }

    @classmethod
    def from_settings(cls, settings: Mapping[str, str], **given: str | None) -> Submitter:
        """Values given explicitly (CLI options) win over settings, settings over defaults."""
        values: dict[str, str] = {}
        for name, env in cls.SETTINGS.items():
            value = given.get(name)
            if value is None:
                value = settings.get(env) or None
            if value is not None:
                values[name] = value.strip()
        submitter = cls(**values)
        submitter.check()
        return submitter

    def check(self) -> None:
        """Refuse settings a receiver would reject before reading any claim."""
        usage = self.usage.upper()
        if usage not in ("T", "P"):
            raise ClaimError("usage", f"{self.usage!r} must be T (test) or P (production)")
        if usage == "P" and self.sender_id == PLACEHOLDER_SENDER:
            raise ClaimError(
                "sender_id",
                "production files (usage P) need the sender id your clearinghouse assigned "
                "(--sender-id or MEDCODER_X12_SENDER_ID); the placeholder "
                f"{PLACEHOLDER_SENDER!r} is only for test files",
            )

    def receiver_for(self, encounter: ClaimEncounter) -> str:
        return self.receiver_id or encounter.payer.id

    def with_phone(self, phone: str | None) -> Submitter:
        return replace(self, submitter_phone=phone) if phone else self


@dataclass(frozen=True)
class ClaimFile:
    """One written, validated interchange holding one claim."""

    encounter_id: str
    kind: ClaimKind
    control_number: int
    usage: str
    text: str


def _writer(kind: ClaimKind) -> Callable[..., str]:
    return write_837p if kind is ClaimKind.P837 else write_837i


def render(
    encounter: ClaimEncounter,
    kind: ClaimKind | str,
    submitter: Submitter,
    control_number: int,
    *,
    created: dt.datetime | None = None,
) -> str:
    """The interchange text, not validated (the writers raise :class:`ClaimError`)."""
    kind = ClaimKind.parse(kind) if isinstance(kind, str) else kind
    return _writer(kind)(
        encounter,
        sender_id=submitter.sender_id,
        receiver_id=submitter.receiver_for(encounter),
        control_number=control_number,
        created=created or dt.datetime.now(dt.UTC),
        submitter_name=submitter.submitter_name,
        submitter_phone=submitter.submitter_phone,
        receiver_name=submitter.receiver_name,
        usage=submitter.usage.upper(),
    )


def write_claim(
    encounter: ClaimEncounter,
    kind: ClaimKind | str,
    submitter: Submitter,
    *,
    numbers: ControlNumbers | None = None,
    control_number: int | None = None,
    validate: bool = True,
    created: dt.datetime | None = None,
) -> ClaimFile:
    """One claim as a validated interchange, with a fresh control number (logged as sent).

    ``control_number`` overrides the counter (a resend with the number the receiver already
    knows); otherwise one is taken from ``numbers`` (the data directory's by default).
    """
    (result,) = write_claims(
        [encounter],
        kind,
        submitter,
        numbers=numbers,
        control_numbers=[control_number] if control_number else None,
        validate=validate,
        created=created,
    )
    if isinstance(result, ClaimError):
        raise result
    return result


def write_claims(
    encounters: Sequence[ClaimEncounter],
    kind: ClaimKind | str,
    submitter: Submitter,
    *,
    numbers: ControlNumbers | None = None,
    control_numbers: Sequence[int] | None = None,
    validate: bool = True,
    created: dt.datetime | None = None,
) -> list[ClaimFile | ClaimError]:
    """Each encounter as its own validated interchange; a claim that cannot be written or does
    not validate comes back as its :class:`ClaimError` in its place, so one bad encounter never
    costs the others. Control numbers are taken for all at once and logged for those written.
    """
    kind = ClaimKind.parse(kind) if isinstance(kind, str) else kind
    submitter.check()
    if not encounters:
        return []
    store = numbers or ControlNumbers()
    assigned = list(control_numbers or store.take(submitter.sender_id, len(encounters)))
    texts: list[str | ClaimError] = []
    for encounter, number in zip(encounters, assigned, strict=True):
        try:
            texts.append(render(encounter, kind, submitter, number, created=created))
        except ClaimError as exc:
            exc.encounter_id = exc.encounter_id or encounter.id
            texts.append(exc)
    written = [t for t in texts if isinstance(t, str)]
    issues = iter(validate_many(written, chunk=VALIDATION_CHUNK) if validate else [])
    out: list[ClaimFile | ClaimError] = []
    for encounter, number, text in zip(encounters, assigned, texts, strict=True):
        if isinstance(text, ClaimError):
            out.append(text)
            continue
        found: list[X12Issue] = next(issues) if validate else []
        if found:
            out.append(X12ValidationError(kind.value, found, encounter_id=encounter.id))
            continue
        out.append(ClaimFile(encounter.id, kind, number, submitter.usage.upper(), text))
    store.record(
        submitter.sender_id,
        [(c.control_number, c.encounter_id) for c in out if isinstance(c, ClaimFile)],
        kind=kind.value,
        usage=submitter.usage.upper(),
    )
    return out
