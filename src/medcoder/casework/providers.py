"""Physician background: NPPES NPI Registry API v2.1, NPPES/NUCC/OIG LEIE files, one profile.

The NPPES API answers at most ``limit`` (<= 200) records per call and ``skip`` (<= 1000) per
criteria set, and has no documented rate limit, so the client pages within those bounds and
backs off exponentially on 429 and 5xx (honouring ``Retry-After``). Offline sources (the
monthly NPPES dissemination CSV, the NUCC taxonomy CSV, the OIG LEIE CSV) serve bulk or
air-gapped use. Every fact in a :class:`ProviderProfile` carries its source and retrieval
time, and a name-match confidence says how sure the link to the defendant is (maiden and
hyphenated names are handled, as the OIG recommends).
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from medcoder.errors import ServiceUnavailableError

NPPES_URL = "https://npiregistry.cms.hhs.gov/api/"
MAX_LIMIT = 200
MAX_SKIP = 1000


class ProviderLookupError(ServiceUnavailableError):
    """The registry refused the query or kept failing after the retries."""

    code = "provider_lookup_failed"
    http_status = 502


@dataclass
class Taxonomy:
    code: str
    desc: str = ""
    primary: bool = False
    state: str | None = None
    license: str | None = None


@dataclass
class NpiRecord:
    """One NPPES provider as the API (or dissemination file) describes it."""

    number: str
    enumeration_type: str = "NPI-1"
    first_name: str = ""
    last_name: str = ""
    middle_name: str = ""
    credential: str = ""
    sex: str | None = None
    status: str | None = None
    enumeration_date: str | None = None
    last_updated: str | None = None
    organization_name: str | None = None
    taxonomies: list[Taxonomy] = field(default_factory=list)
    addresses: list[dict[str, str]] = field(default_factory=list)
    other_names: list[dict[str, str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.organization_name or " ".join(
            p for p in (self.first_name, self.middle_name, self.last_name) if p
        )

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> NpiRecord:
        basic = raw.get("basic", {})
        return cls(
            number=str(raw.get("number", "")),
            enumeration_type=raw.get("enumeration_type", "NPI-1"),
            first_name=basic.get("first_name", ""),
            last_name=basic.get("last_name", ""),
            middle_name=basic.get("middle_name", ""),
            credential=basic.get("credential", ""),
            sex=basic.get("sex") or basic.get("gender"),
            status=basic.get("status"),
            enumeration_date=basic.get("enumeration_date"),
            last_updated=basic.get("last_updated"),
            organization_name=basic.get("organization_name"),
            taxonomies=[
                Taxonomy(
                    t.get("code", ""),
                    t.get("desc", ""),
                    bool(t.get("primary")),
                    t.get("state"),
                    t.get("license"),
                )
                for t in raw.get("taxonomies", [])
            ],
            addresses=[{k: str(v) for k, v in a.items()} for a in raw.get("addresses", [])],
            other_names=[{k: str(v) for k, v in o.items()} for o in raw.get("other_names", [])],
        )


class NppesClient:
    """NPI Registry API v2.1; pass ``transport`` (e.g. ``httpx.MockTransport``) in tests."""

    def __init__(
        self,
        *,
        base_url: str = NPPES_URL,
        transport: Any = None,
        timeout: float = 20.0,
        max_retries: int = 5,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import httpx

        self._client = httpx.Client(base_url=base_url, transport=transport, timeout=timeout)
        self.max_retries = max_retries
        self.backoff = backoff
        self.sleep = sleep

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> NppesClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _get(self, params: dict[str, Any]) -> dict[str, Any]:
        import httpx

        query = {"version": "2.1", **{k: v for k, v in params.items() if v not in (None, "")}}
        for attempt in range(self.max_retries + 1):
            try:
                response = self._client.get("", params=query)
            except httpx.TransportError as exc:
                if attempt == self.max_retries:
                    raise ProviderLookupError(f"NPPES unreachable: {type(exc).__name__}") from exc
                self.sleep(self.backoff * 2**attempt)
                continue
            if response.status_code == 429 or response.status_code >= 500:
                if attempt == self.max_retries:
                    raise ProviderLookupError(
                        f"NPPES answered {response.status_code} after {attempt + 1} tries"
                    )
                retry_after = response.headers.get("Retry-After", "")
                self.sleep(
                    float(retry_after) if retry_after.isdigit() else self.backoff * 2**attempt
                )
                continue
            if response.status_code != 200:
                raise ProviderLookupError(f"NPPES answered {response.status_code}")
            payload = response.json()
            if payload.get("Errors"):
                problems = "; ".join(str(e.get("description", e)) for e in payload["Errors"])
                raise ProviderLookupError(f"NPPES refused the query: {problems}")
            return payload
        raise ProviderLookupError("NPPES retries exhausted")  # pragma: no cover

    def lookup(self, number: str) -> NpiRecord | None:
        if not re.fullmatch(r"\d{10}", number):
            raise ProviderLookupError(f"an NPI has 10 digits, got {number!r}")
        results = self._get({"number": number}).get("results") or []
        return NpiRecord.from_api(results[0]) if results else None

    def search(
        self, *, limit: int = MAX_LIMIT, max_records: int = MAX_LIMIT + MAX_SKIP, **criteria: Any
    ) -> list[NpiRecord]:
        """All records for the criteria, paging with ``skip`` until a short page or the cap."""
        limit = max(1, min(limit, MAX_LIMIT))
        out: list[NpiRecord] = []
        skip = 0
        while skip <= MAX_SKIP and len(out) < max_records:
            payload = self._get({**criteria, "limit": limit, "skip": skip})
            page = payload.get("results") or []
            out += [NpiRecord.from_api(r) for r in page]
            if len(page) < limit:
                break
            skip += limit
        return out[:max_records]


def _npi_csv_records(row: dict[str, str]) -> NpiRecord:
    taxonomies = []
    for i in range(1, 16):
        code = row.get(f"Healthcare Provider Taxonomy Code_{i}", "").strip()
        if code:
            taxonomies.append(
                Taxonomy(
                    code,
                    primary=row.get(f"Healthcare Provider Primary Taxonomy Switch_{i}", "") == "Y",
                    state=row.get(f"Provider License Number State Code_{i}") or None,
                    license=row.get(f"Provider License Number_{i}") or None,
                )
            )
    entity = row.get("Entity Type Code", "1")
    return NpiRecord(
        number=row.get("NPI", "").strip(),
        enumeration_type="NPI-2" if entity == "2" else "NPI-1",
        first_name=row.get("Provider First Name", ""),
        last_name=row.get("Provider Last Name (Legal Name)", ""),
        middle_name=row.get("Provider Middle Name", ""),
        credential=row.get("Provider Credential Text", ""),
        sex=row.get("Provider Sex Code") or row.get("Provider Gender Code") or None,
        enumeration_date=row.get("Provider Enumeration Date") or None,
        last_updated=row.get("Last Update Date") or None,
        organization_name=row.get("Provider Organization Name (Legal Business Name)") or None,
        status="D" if row.get("NPI Deactivation Date") else "A",
        taxonomies=taxonomies,
        addresses=[{
            "address_purpose": "LOCATION",
            "city": row.get("Provider Business Practice Location Address City Name", ""),
            "state": row.get("Provider Business Practice Location Address State Name", ""),
            "postal_code": row.get("Provider Business Practice Location Address Postal Code", ""),
        }],
    )  # fmt: skip


def read_nppes_csv(
    path: str | Path, *, npi: str | None = None, last_name: str | None = None
) -> Iterator[NpiRecord]:
    """Stream the monthly NPPES dissemination file (npidata_pfile), filtered by NPI or last name."""
    wanted_last = last_name.lower() if last_name else None
    with Path(path).open(encoding="utf-8", errors="replace", newline="") as handle:
        for row in csv.DictReader(handle):
            if npi and row.get("NPI", "").strip() != npi:
                continue
            if (
                wanted_last
                and row.get("Provider Last Name (Legal Name)", "").strip().lower() != wanted_last
            ):
                continue
            yield _npi_csv_records(row)


@dataclass(frozen=True)
class TaxonomyEntry:
    code: str
    grouping: str
    classification: str
    specialization: str
    display_name: str


def load_nucc_taxonomy(path: str | Path) -> dict[str, TaxonomyEntry]:
    """NUCC Health Care Provider Taxonomy CSV (Code, Grouping, Classification, Specialization...)."""
    out: dict[str, TaxonomyEntry] = {}
    with Path(path).open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        for row in csv.DictReader(handle):
            code = (row.get("Code") or "").strip()
            if code:
                out[code] = TaxonomyEntry(
                    code,
                    (row.get("Grouping") or "").strip(),
                    (row.get("Classification") or "").strip(),
                    (row.get("Specialization") or "").strip(),
                    (row.get("Display Name") or "").strip(),
                )
    return out


@dataclass
class LeieRecord:
    """One OIG exclusion (18 LEIE fields, the ones a profile uses kept typed)."""

    last_name: str
    first_name: str
    middle_name: str
    business_name: str
    general: str
    specialty: str
    npi: str | None
    dob: date | None
    state: str
    exclusion_type: str
    exclusion_date: date | None
    reinstatement_date: date | None
    waiver_date: date | None


def _leie_date(value: str) -> date | None:
    value = (value or "").strip()
    if not value or set(value) == {"0"}:
        return None
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        return None


def read_leie_csv(path: str | Path) -> list[LeieRecord]:
    """The OIG LEIE "UPDATED.csv"; NPI 0000000000 means none was given."""
    out: list[LeieRecord] = []
    with Path(path).open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        for row in csv.DictReader(handle):
            npi = (row.get("NPI") or "").strip()
            out.append(
                LeieRecord(
                    (row.get("LASTNAME") or "").strip(), (row.get("FIRSTNAME") or "").strip(),
                    (row.get("MIDNAME") or "").strip(), (row.get("BUSNAME") or "").strip(),
                    (row.get("GENERAL") or "").strip(), (row.get("SPECIALTY") or "").strip(),
                    npi if npi and set(npi) != {"0"} else None, _leie_date(row.get("DOB", "")),
                    (row.get("STATE") or "").strip(), (row.get("EXCLTYPE") or "").strip(),
                    _leie_date(row.get("EXCLDATE", "")), _leie_date(row.get("REINDATE", "")),
                    _leie_date(row.get("WAIVERDATE", "")),
                )
            )  # fmt: skip
    return out


def _tokens(name: str) -> list[str]:
    if "," in name:
        last, first = name.split(",", 1)
        name = f"{first} {last}"
    return re.findall(r"[a-z]+", name.lower().replace("-", " "))


def name_match_confidence(
    query: str, first: str, last: str, middle: str = "", other_last_names: tuple[str, ...] = ()
) -> float:
    """How sure a query name ("Jane A. Doe-Smith", "Doe, Jane") names this person, 0..1.

    Last name: exact, any part of a hyphenated name, or a former (maiden) name counts; first
    name: exact, or an initial for half credit; a middle name or initial that disagrees costs.
    """
    q = _tokens(query)
    if not q:
        return 0.0
    lasts = set(_tokens(last)) | {t for n in other_last_names for t in _tokens(n)}
    firsts = _tokens(first)
    score = 0.0
    if q[-1] in lasts or any(t in lasts for t in q[1:]):
        score += 0.6 if q[-1] in _tokens(last) or "-" not in last else 0.5
    else:
        return 0.0
    if firsts and q[0] == firsts[0]:
        score += 0.35
    elif firsts and len(q[0]) == 1 and firsts[0].startswith(q[0]):
        score += 0.15
    elif firsts:
        return round(score * 0.3, 2)
    middle_q = q[1:-1]
    mid = _tokens(middle)
    if middle_q and mid:
        score += 0.05 if middle_q[0][0] == mid[0][0] else -0.2
    elif not middle_q:
        score += 0.03
    return round(max(0.0, min(1.0, score)), 2)


@dataclass
class Fact:
    """One profile fact with where it came from and when it was retrieved."""

    field: str
    value: object
    source: str
    retrieved_at: str


@dataclass
class ProviderProfile:
    npi: str | None
    name: str
    name_match_confidence: float
    facts: list[Fact] = field(default_factory=list)
    exclusions: list[LeieRecord] = field(default_factory=list)

    def summary(self) -> str:
        specialty = next(
            (f.value for f in self.facts if f.field == "primary_taxonomy"), "specialty unknown"
        )
        excluded = (
            f"; {len(self.exclusions)} OIG exclusion(s)"
            if self.exclusions
            else "; no OIG exclusion found"
        )
        return f"NPI {self.npi or '-'}, {specialty} (name match {self.name_match_confidence:.2f}){excluded}"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def build_profile(
    query_name: str,
    record: NpiRecord | None,
    *,
    source: str,
    taxonomy: dict[str, TaxonomyEntry] | None = None,
    leie: list[LeieRecord] | None = None,
    retrieved_at: datetime | None = None,
    leie_source: str = "OIG LEIE",
    min_confidence: float = 0.8,
) -> ProviderProfile:
    """Merge NPPES, NUCC and LEIE facts for one defendant, each fact with source and time."""
    stamp = (retrieved_at or datetime.now(UTC)).isoformat()
    if record is None:
        profile = ProviderProfile(None, query_name, 0.0)
    else:
        others = tuple(o.get("last_name", "") for o in record.other_names)
        confidence = name_match_confidence(
            query_name, record.first_name, record.last_name, record.middle_name, others
        )
        profile = ProviderProfile(record.number, record.name, confidence)
        add = lambda f, v: profile.facts.append(Fact(f, v, source, stamp))  # noqa: E731
        add("name", record.name)
        add("credential", record.credential)
        add("sex", record.sex)
        add("status", record.status)
        add("enumeration_date", record.enumeration_date)
        for t in record.taxonomies:
            entry = (taxonomy or {}).get(t.code)
            label = t.desc or (entry.display_name or entry.classification if entry else t.code)
            if entry:
                profile.facts.append(
                    Fact(
                        "taxonomy_nucc",
                        f"{entry.classification} / {entry.specialization}".rstrip(" /"),
                        "NUCC taxonomy",
                        stamp,
                    )
                )
            add("primary_taxonomy" if t.primary else "taxonomy", f"{t.code} {label}")
            if t.license:
                add("license", f"{t.state or ''} {t.license}".strip())
        for a in record.addresses:
            if a.get("address_purpose") == "LOCATION":
                add("practice_location", f"{a.get('city', '')}, {a.get('state', '')}")
    for ex in leie or []:
        by_npi = record is not None and ex.npi == record.number
        by_name = (
            name_match_confidence(query_name, ex.first_name, ex.last_name, ex.middle_name)
            >= min_confidence
        )
        if by_npi or (by_name and ex.reinstatement_date is None):
            profile.exclusions.append(ex)
            match = "NPI" if by_npi else "name"
            profile.facts.append(
                Fact(
                    "oig_exclusion",
                    f"{ex.exclusion_type} on {ex.exclusion_date} (matched by {match})",
                    leie_source,
                    stamp,
                )
            )
    return profile
