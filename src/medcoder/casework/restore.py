"""Rebuild a :class:`CaseReport` from its JSON form (:meth:`CaseReport.to_dict`).

The workbench stores each analysis as JSON and serves the report from it: a download must show
what the reviewers saw on the case page, not a fresh analysis that may differ after an engine
update or a new record. The renderers take a :class:`CaseReport`, so this is the exact inverse
of ``to_dict`` (a round trip renders the same HTML), and a stored analysis that no longer has
the shape fails loudly here instead of rendering a report with silent gaps.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from medcoder.casework.case import Citation, Party
from medcoder.casework.chronology import Chronology, DataQualityItem, Event, Flag
from medcoder.casework.classify import Classification, Suggestion
from medcoder.casework.coding import CaseCode
from medcoder.casework.issues import Issue
from medcoder.casework.providers import Fact, LeieRecord, ProviderProfile
from medcoder.casework.synopsis import (
    CaseReport,
    PhysicianSection,
    Question,
    SynopsisSection,
    SynopsisStatement,
)

_SUGGESTION_FIELDS = ("kind", "code", "label", "confidence", "rationale", "evidence")
_HEADER_DATES = ("incident_date", "notice_date", "suit_date")
_LEIE_DATES = ("dob", "exclusion_date", "reinstatement_date", "waiver_date")


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else value or None


def citation(raw: dict[str, Any]) -> Citation:
    return Citation(
        document=raw["document"],
        start=int(raw["start"]),
        end=int(raw["end"]),
        quote=raw["quote"],
        page=raw.get("page"),
    )


def _event(raw: dict[str, Any]) -> Event:
    return Event(
        id=raw["id"],
        citation=citation(raw["citation"]),
        type=raw["type"],
        types=tuple(raw.get("types") or ()),
        date=_date(raw.get("date")),
        time=time.fromisoformat(raw["time"]) if raw.get("time") else None,
        part_of_day=raw.get("part_of_day"),
        date_basis=raw.get("date_basis"),
        date_text=raw.get("date_text"),
        setting=raw.get("setting"),
        actor=raw.get("actor"),
        abnormal=bool(raw.get("abnormal")),
        late_entry=bool(raw.get("late_entry")),
        precision=raw.get("precision") or "day",  # analyses stored before issue 20: days
        approximate=bool(raw.get("approximate")),
        relative_to=raw.get("relative_to"),
    )


def chronology(raw: dict[str, Any]) -> Chronology:
    """The :class:`Chronology` a stored ``chronology`` dict was written from."""
    return _chronology(raw)


def _chronology(raw: dict[str, Any]) -> Chronology:
    return Chronology(
        events=[_event(e) for e in raw.get("events") or []],
        undated=[_event(e) for e in raw.get("undated") or []],
        excluded=[_event(e) for e in raw.get("excluded") or []],
        procedural=[_event(e) for e in raw.get("procedural") or []],
        flags=[
            Flag(f["kind"], f["message"], list(f["events"]), f.get("hours"))
            for f in raw.get("flags") or []
        ],
        data_quality=[
            DataQualityItem(
                d["kind"],
                d["message"],
                d["source"],
                citation(d["citation"]) if d.get("citation") else None,
            )
            for d in raw.get("data_quality") or []
        ],
    )


def _suggestion(raw: dict[str, Any]) -> Suggestion:
    """``to_dict`` spreads ``extra`` (group code, CRICO band) into the suggestion itself."""
    return Suggestion(
        kind=raw["kind"],
        code=raw["code"],
        label=raw["label"],
        confidence=float(raw["confidence"]),
        rationale=raw["rationale"],
        evidence=[citation(c) for c in raw.get("evidence") or []],
        extra={k: v for k, v in raw.items() if k not in _SUGGESTION_FIELDS},
    )


def _classification(raw: dict[str, Any]) -> Classification:
    return Classification(
        allegations=[_suggestion(a) for a in raw.get("allegations") or []],
        severity=_suggestion(raw["severity"]) if raw.get("severity") else None,
        contributing_factors=[_suggestion(f) for f in raw.get("contributing_factors") or []],
    )


def _profile(raw: dict[str, Any] | None) -> ProviderProfile | None:
    if not raw:
        return None
    return ProviderProfile(
        npi=raw.get("npi"),
        name=raw["name"],
        name_match_confidence=float(raw["name_match_confidence"]),
        facts=[Fact(**f) for f in raw.get("facts") or []],
        exclusions=[
            LeieRecord(**{k: _date(v) if k in _LEIE_DATES else v for k, v in x.items()})
            for x in raw.get("exclusions") or []
        ],
    )


def _header(raw: dict[str, Any]) -> dict[str, object]:
    header: dict[str, object] = dict(raw)
    for key in _HEADER_DATES:
        header[key] = _date(raw.get(key))
    if raw.get("policy_period"):
        start, end = raw["policy_period"]
        header["policy_period"] = (_date(start), _date(end))
    return header


def report_from_dict(data: dict[str, Any]) -> CaseReport:
    """The report that ``to_dict`` wrote ``data`` from (raises ``KeyError`` on a bad shape)."""
    return CaseReport(
        header=_header(data.get("header") or {}),
        synopsis=[
            SynopsisSection(
                s["title"],
                [
                    SynopsisStatement(st["text"], [citation(c) for c in st["citations"]])
                    for st in s.get("statements") or []
                ],
            )
            for s in data.get("synopsis") or []
        ],
        chronology=_chronology(data.get("chronology") or {}),
        critical_events=list(data.get("critical_events") or []),
        issues=[
            Issue(
                kind=i["kind"],
                title=i["title"],
                events=list(i["events"]),
                inflection_point=i.get("inflection_point"),
                rationale=i["rationale"],
                confidence=float(i["confidence"]),
                flags=list(i.get("flags") or []),
            )
            for i in data.get("issues") or []
        ],
        classification=_classification(data.get("classification") or {}),
        codes=[
            CaseCode(
                system=c["system"],
                code=c["code"],
                description=c["description"],
                kind=c["kind"],
                events=list(c.get("events") or []),
                citations=[citation(x) for x in c.get("citations") or []],
                score=float(c.get("score") or 0.0),
                guideline=c.get("guideline"),
            )
            for c in data.get("codes") or []
        ],
        physicians=[
            PhysicianSection(
                Party(
                    name=p["name"],
                    role=p.get("role") or "",
                    specialty=p.get("specialty"),
                    npi=p.get("npi"),
                ),
                _profile(p.get("profile")),
                p.get("status") or "",
            )
            for p in data.get("physicians") or []
        ],
        open_questions=[
            Question(q["text"], [citation(c) for c in q.get("citations") or []])
            for q in data.get("open_questions") or []
        ],
        generated_at=datetime.fromisoformat(data["generated_at"]),
    )
