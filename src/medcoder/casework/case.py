"""The case being analysed: who claims what against whom, and the records it rests on.

A malpractice file arrives as a folder of records plus a few facts from the claim itself
(claim and suit numbers, parties, dates, policy). The claim facts come from an optional
``case.json`` manifest so that header fields are never guessed from clinical text; the
records are read with :func:`medcoder.documents.readers.read_many`, and a record that cannot
be read stays in :attr:`Case.unreadable` instead of disappearing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from medcoder.documents.model import Document
from medcoder.errors import SourceFileError

MANIFEST_NAME = "case.json"
_RECORD_SUFFIXES = {".txt", ".text", ".pdf", ".hl7", ".json", ".xml"}


@dataclass(frozen=True)
class Citation:
    """Where a statement comes from: a document, its page and the exact characters quoted.

    ``quote`` is ``document.text[start:end]``; keeping both lets a reviewer jump to the place
    and lets tests check that a citation points at real text.
    """

    document: str
    start: int
    end: int
    quote: str
    page: int | None = None

    def label(self) -> str:
        page = f" p.{self.page}" if self.page else ""
        return f"{self.document}{page} @{self.start}-{self.end}"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class Party:
    """A claimant or defendant; ``role`` is free text (attending, facility, nurse, ...)."""

    name: str
    role: str = ""
    specialty: str | None = None
    npi: str | None = None
    state: str | None = None


@dataclass
class Unreadable:
    """A record that could not be read (scanned PDF without text, corrupt file)."""

    source: str
    problem: str


@dataclass
class Case:
    """One claim or suit and its records."""

    claim_number: str | None = None
    suit_number: str | None = None
    claimant: Party | None = None
    patient_name: str | None = None
    patient_mrn: str | None = None
    patient_dob: date | None = None
    defendants: list[Party] = field(default_factory=list)
    incident_date: date | None = None
    notice_date: date | None = None
    suit_date: date | None = None
    jurisdiction: str | None = None
    venue: str | None = None
    policy_start: date | None = None
    policy_end: date | None = None
    allegations_pleaded: list[str] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)

    @property
    def incident_in_policy(self) -> bool | None:
        """Whether the incident falls in the policy period; ``None`` when either is unknown."""
        if not (self.incident_date and self.policy_start and self.policy_end):
            return None
        return self.policy_start <= self.incident_date <= self.policy_end

    def document(self, document_id: str) -> Document | None:
        return next((d for d in self.documents if d.id == document_id), None)

    def header(self) -> dict[str, object]:
        """Claim facts for the report header (from the manifest, never from clinical text)."""
        return {
            "claim_number": self.claim_number,
            "suit_number": self.suit_number,
            "claimant": self.claimant.name if self.claimant else None,
            "defendants": [
                {"name": d.name, "role": d.role, "specialty": d.specialty, "npi": d.npi}
                for d in self.defendants
            ],
            "incident_date": self.incident_date,
            "notice_date": self.notice_date,
            "suit_date": self.suit_date,
            "jurisdiction": self.jurisdiction,
            "venue": self.venue,
            "policy_period": (self.policy_start, self.policy_end)
            if self.policy_start or self.policy_end
            else None,
            "incident_in_policy": self.incident_in_policy,
            "allegations_pleaded": self.allegations_pleaded,
        }


def _date(value: object, path: Path, key: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise SourceFileError(path, f"{key}: expected YYYY-MM-DD, got {value!r}") from exc


def _party(raw: object) -> Party:
    if isinstance(raw, str):
        return Party(name=raw)
    if isinstance(raw, dict):
        return Party(
            **{k: raw[k] for k in ("name", "role", "specialty", "npi", "state") if k in raw}
        )
    raise ValueError("party must be a name or an object")


def load_manifest(path: Path) -> Case:
    """Read ``case.json``: claim facts only; the records are added by :func:`load_case`."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SourceFileError(path, f"unreadable case manifest: {exc}") from exc
    if not isinstance(raw, dict):
        raise SourceFileError(path, "case manifest must be a JSON object")
    policy = raw.get("policy_period") or {}
    try:
        return Case(
            claim_number=raw.get("claim_number"),
            suit_number=raw.get("suit_number"),
            claimant=_party(raw["claimant"]) if raw.get("claimant") else None,
            patient_name=raw.get("patient_name"),
            patient_mrn=raw.get("patient_mrn"),
            patient_dob=_date(raw.get("patient_dob"), path, "patient_dob"),
            defendants=[_party(d) for d in raw.get("defendants", [])],
            incident_date=_date(raw.get("incident_date"), path, "incident_date"),
            notice_date=_date(raw.get("notice_date"), path, "notice_date"),
            suit_date=_date(raw.get("suit_date"), path, "suit_date"),
            jurisdiction=raw.get("jurisdiction"),
            venue=raw.get("venue"),
            policy_start=_date(policy.get("start"), path, "policy_period.start"),
            policy_end=_date(policy.get("end"), path, "policy_period.end"),
            allegations_pleaded=list(raw.get("allegations_pleaded", [])),
        )
    except (TypeError, ValueError) as exc:
        raise SourceFileError(path, f"case manifest: {exc}") from exc


def record_paths(inputs: Iterable[str | Path]) -> tuple[list[Path], Path | None]:
    """Expand folders into record files (sorted, so page order is stable) and find the manifest."""
    files: list[Path] = []
    manifest: Path | None = None
    for item in inputs:
        path = Path(item)
        candidates = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for candidate in candidates:
            if candidate.name == MANIFEST_NAME:
                manifest = candidate
            elif candidate.suffix.lower() in _RECORD_SUFFIXES or not path.is_dir():
                files.append(candidate)
    return files, manifest


def load_case(inputs: Iterable[str | Path]) -> Case:
    """Read a folder or list of records into a :class:`Case`; unreadable inputs are kept."""
    from medcoder.documents.readers import read_many

    files, manifest = record_paths(inputs)
    case = load_manifest(manifest) if manifest else Case()
    for outcome in read_many(files):
        if outcome.error is not None:
            case.unreadable.append(Unreadable(outcome.source, outcome.error.problem))
            continue
        case.documents.extend(outcome.documents)
    _unique_ids(case.documents)
    return case


def _unique_ids(documents: list[Document]) -> None:
    """Two files named ``note.txt`` in different folders must still cite distinctly."""
    seen: dict[str, int] = {}
    for document in documents:
        count = seen.get(document.id, 0)
        seen[document.id] = count + 1
        if count:
            document.id = f"{document.id}-{count + 1}"
