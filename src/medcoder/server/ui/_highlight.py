"""Cut a document's text into segments so each code's evidence spans can be wrapped in
``<mark>``: overlapping spans of several codes become one segment listing every code.

Offsets are the engine's (``evidence.start``/``end`` on the document named ``doc<id>``, see
medcoder.server.coding.engine_coder). Segments carry raw text; the template escapes it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    text: str
    codes: tuple[int, ...] = ()  # suggestion ids whose evidence covers this text


def document_key(document_id: int) -> str:
    return f"doc{document_id}"


def spans_for(document_id: int, suggestions: list) -> list[tuple[int, int, int]]:
    """``(start, end, suggestion id)`` of every evidence span on this document."""
    key = document_key(document_id)
    out = []
    for s in suggestions:
        for ev in s.evidence or []:
            if not isinstance(ev, dict) or ev.get("document") not in (key, None):
                continue
            start, end = ev.get("start"), ev.get("end")
            if isinstance(start, int) and isinstance(end, int) and end > start:
                out.append((start, end, s.id))
    return out


def segments(text: str, spans: list[tuple[int, int, int]]) -> list[Segment]:
    """The text in order, split at every span boundary; spans outside the text are clipped."""
    size = len(text)
    clipped = [(max(0, a), min(size, b), sid) for a, b, sid in spans]
    clipped = [(a, b, sid) for a, b, sid in clipped if b > a]
    cuts = sorted({0, size, *(a for a, _, _ in clipped), *(b for _, b, _ in clipped)})
    out: list[Segment] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        codes = tuple(sorted({sid for a, b, sid in clipped if a <= start and end <= b}))
        if out and out[-1].codes == codes:
            out[-1] = Segment(out[-1].text + text[start:end], codes)
        else:
            out.append(Segment(text[start:end], codes))
    return out
