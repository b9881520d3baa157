"""Tables of a malpractice case file (issue 9): the claim facts, the records filed with the
case, and each analysis run.

Kept beside ``case_models.CaseRow`` rather than in it: a case opened for any review has a title
and linked encounters; a claim file adds facts (claim and suit numbers, parties, dates, policy),
records that belong to no coded encounter (the complaint letter, depositions), and analyses
whose result is read by the case pages without running the pipeline again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from medcoder.store.base import Base, utcnow


class CaseFile(Base):
    """The claim facts of a case and the examiner's classification decision.

    ``details`` holds the ``case.json`` manifest fields (``medcoder.casework.case``);
    ``classification`` the NPDB allegation, severity and contributing factors a person
    confirmed or changed, with who and when. ``version`` guards both against lost updates.
    """

    __tablename__ = "case_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    classification: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class CaseDocument(Base):
    """A record filed with a case; like ``models.DocumentRow``, text only, never a path."""

    __tablename__ = "case_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(128))
    format: Mapped[str] = mapped_column(String(16))
    media_type: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[str | None] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)  # warnings, page starts
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CaseAnalysis(Base):
    """One run of ``medcoder.casework.analyze_case`` over a case's records.

    ``result`` is ``CaseReport.to_dict()`` (chronology, issues, classification suggestions,
    codes, data quality); ``synopsis`` its plain-text rendering, the first text of the case's
    synopsis report.
    """

    __tablename__ = "case_analyses"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    synopsis: Mapped[str] = mapped_column(Text, default="")
    engine_version: Mapped[str] = mapped_column(String(32))
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
