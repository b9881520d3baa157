"""Tables of the work around coded encounters: claims and their scrub findings, CDI queries,
cases (the material claims examiners and attorneys read), reports with tracked versions, and
comments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from medcoder.store.base import Base, JsonType, QueryState, ReportState, utcnow


class Claim(Base):
    """An exported claim and, with it, the scrub run on exactly what was exported: ``scrub``
    the run's summary (ready to submit, counts, code set, rules skipped), ``findings`` its
    findings (``medcoder.store.scrubs``)."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"), index=True)
    format: Mapped[str] = mapped_column(String(16), default="837p")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)  # claims.model input JSON
    x12: Mapped[str | None] = mapped_column(Text)
    total_charge: Mapped[float | None] = mapped_column(Numeric(12, 2))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    scrub: Mapped[dict[str, Any] | None] = mapped_column(JsonType)

    findings: Mapped[list[ScrubFinding]] = relationship(order_by="ScrubFinding.id")


class ScrubFinding(Base):
    """One finding of the scrubber (``medcoder.edits.Finding``): ``rule`` its rule id,
    ``message`` its reason, ``fix`` how to fix it, the codes and 1-based service lines
    involved, and the denial (group + CARC) it pre-empts."""

    __tablename__ = "scrub_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    rule: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(String(128))
    resolved: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    fix: Mapped[str | None] = mapped_column(Text)
    codes: Mapped[list[Any]] = mapped_column(default=list)
    lines: Mapped[list[Any]] = mapped_column(default=list)
    carc: Mapped[str | None] = mapped_column(String(16))


class Query(Base):
    """A CDI query to a physician about an encounter's documentation.

    ``draft`` is the drafted query (``medcoder.cdi.DraftQuery.to_dict``: cited indicators,
    format, full text) when it came from an opportunity; ``lint`` the linter's findings on its
    text; ``recode`` what the answer changed (answer document, codes before and after).
    """

    __tablename__ = "queries"
    __table_args__ = (Index("ix_queries_state", "state", "addressed_to"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    options: Mapped[list[Any]] = mapped_column(default=list)
    state: Mapped[str] = mapped_column(String(16), default=QueryState.OPEN.value)
    answer: Mapped[str | None] = mapped_column(Text)
    asked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    addressed_to: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[dt.datetime | None]  # answered, declined or expired: when it closed
    rule_id: Mapped[str | None] = mapped_column(String(64))
    code: Mapped[str | None] = mapped_column(String(16))  # the coded dx a POA query is about
    draft: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    lint: Mapped[list[Any] | None] = mapped_column(JsonType)
    sent_at: Mapped[dt.datetime | None]
    recode: Mapped[dict[str, Any] | None] = mapped_column(JsonType)


class CaseRow(Base):
    """A matter (claim review, litigation) that gathers encounters and reports."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32), default="review")
    status: Mapped[str] = mapped_column(String(16), default="open")
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    encounter_ids: Mapped[list[Any]] = mapped_column(default=list)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Report(Base):
    """A report moving draft -> physician_review -> corrections -> approved -> submitted."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    encounter_id: Mapped[int | None] = mapped_column(ForeignKey("encounters.id"))
    state: Mapped[str] = mapped_column(String(32), default=ReportState.DRAFT.value)
    current_version: Mapped[int] = mapped_column(Integer, default=1)  # report_versions.number
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic lock

    versions: Mapped[list[ReportVersion]] = relationship(
        back_populates="report", order_by="ReportVersion.number"
    )

    __mapper_args__ = {"version_id_col": version}


class ReportVersion(Base):
    """One text of a report; ``diff`` is the unified diff from the previous version."""

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("report_id", "number", name="uq_report_versions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    diff: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    report: Mapped[Report] = relationship(back_populates="versions")


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(16))  # encounter | report | case
    target_id: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    mentions: Mapped[list[Any]] = mapped_column(default=list)  # usernames found by @name
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
