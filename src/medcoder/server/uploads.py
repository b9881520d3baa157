"""Reading an uploaded document safely: size limit, allowed content types, clean file names.

Uploads are held in memory (at most ``max_upload_bytes``) and stored as text in the database;
they never touch the file system, and the file name the client sends is only a label, cleaned
so it cannot carry a path, control characters or markup.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medcoder.documents.readers import ReadOutcome, read_source, sniff_format
from medcoder.server.errors import ApiError, error_response

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# The most each format may bring (issue 18, finding 9): what reading and coding handle in a
# few seconds. A PDF's bytes are mostly layout; an HL7 message is parsed segment by segment by
# hl7apy (about 1 s per 100 KB); a note of text is coded at about 2 s per MB.
FORMAT_LIMITS = {
    "text": 2 * 1024 * 1024,
    "pdf": MAX_UPLOAD_BYTES,
    "hl7v2": 256 * 1024,
    "fhir": 1024 * 1024,
}
JSON_TYPES = ("application/json", "application/fhir+json")
HL7_TYPES = ("application/hl7-v2", "x-application/hl7-v2+er7", "application/x-hl7")
# Raw-body media types; multipart/form-data carries one of these (or octet-stream) per file.
DOCUMENT_TYPES = (
    "text/plain",
    "application/pdf",
    "application/json",
    "application/fhir+json",
    "application/hl7-v2",
    "x-application/hl7-v2+er7",
    "application/x-hl7",
    "application/octet-stream",  # sniffed from the content (medcoder.documents.readers)
)
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_file_name(name: str | None, default: str = "upload.txt") -> str:
    """The last path component, in letters, digits, ``._ -``; never empty, never dot-leading."""
    if not name:
        return default
    name = unicodedata.normalize("NFKC", name)
    name = re.split(r"[\\/]", name)[-1]  # both separators, whatever the client's OS
    name = _UNSAFE.sub("_", name).strip(" .")
    name = re.sub(r"_+", "_", name)[:128].strip(" .")
    return name or default


@dataclass(frozen=True)
class Upload:
    data: bytes
    file_name: str
    media_type: str

    def document_fields(self, document, outcome, kind: str | None, **meta: object) -> dict:  # noqa: ANN001
        """What the store keeps of one document read from this upload (``documents.read_source``
        gives ``document`` and ``outcome``): the file, its text and format, the reader's
        warnings and page count, plus ``meta``."""
        return {
            "file_name": self.file_name,
            "text": document.text,
            "format": document.format,
            "raw": self.data,
            "media_type": self.media_type,
            "kind": kind or document.kind,
            "meta": {
                "warnings": list(document.warnings) + list(outcome.warnings),
                "pages": len(document.pages),
                **meta,
            },
        }


def _media_type(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


def _unsupported(media_type: str) -> ApiError:
    allowed = ", ".join(("multipart/form-data", *DOCUMENT_TYPES))
    return ApiError(
        415,
        f"content type {media_type or '(none)'!r} is not accepted; send one of: {allowed}",
        field="content-type",
    )


async def read_upload(request: Request) -> Upload:
    """The uploaded document from a multipart ``file`` field or the raw body."""
    media_type = _media_type(request.headers.get("content-type"))
    limit = request.app.state.workbench.max_upload_bytes
    if media_type == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=20)
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise ApiError(422, "multipart upload needs a 'file' part", field="file")
        part_type = _media_type(part.content_type) or "application/octet-stream"
        if part_type not in DOCUMENT_TYPES:
            raise _unsupported(part_type)
        data = await part.read(limit + 1)
        name, media_type = part.filename, part_type
    elif media_type in DOCUMENT_TYPES:
        data = await request.body()
        name = request.query_params.get("filename") or request.headers.get("x-filename")
    else:
        raise _unsupported(media_type)
    if len(data) > limit:
        raise ApiError(413, f"the document is larger than {limit} bytes")
    if not data.strip():
        raise ApiError(422, "the document is empty", field="file")
    return Upload(data, safe_file_name(name), media_type)


class BodyLimitMiddleware:
    """Refuse request bodies over ``limit`` bytes before any parser buffers them.

    A declared ``Content-Length`` over the limit is answered 413 at once; a chunked body is
    counted as it arrives and cut off with 413 when it passes the limit.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        too_large = error_response(413, f"the request body is larger than {self.limit} bytes")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await too_large(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise ApiError(413, f"the request body is larger than {self.limit} bytes")
            return message

        await self.app(scope, counted, send)


def read_document(upload: Upload) -> ReadOutcome:
    """Read an upload into documents, or refuse it with the reason (issue 18, finding 10):
    over its format's size limit (413); declared FHIR or HL7 but not that; nested too deeply
    to read; holding no document with text (a bare MSH, an ADT message, a FHIR resource that
    carries no clinical text); text with NUL characters (422). Nothing is stored before this
    has passed."""
    try:
        fmt = sniff_format(upload.data, upload.file_name)
    except RecursionError:
        fmt = "fhir"
    limit = FORMAT_LIMITS[fmt]
    if len(upload.data) > limit:
        raise ApiError(
            413,
            f"a {fmt} document may be at most {limit:,} bytes; this one has "
            f"{len(upload.data):,}: split it",
            field="file",
        )
    declared = {"fhir": JSON_TYPES, "hl7v2": HL7_TYPES}
    for wanted, types in declared.items():
        if upload.media_type in types and fmt != wanted:
            raise ApiError(
                422,
                f"the upload is sent as {upload.media_type} but is not "
                f"{'a FHIR resource' if wanted == 'fhir' else 'an HL7 v2 message'}",
                code="unreadable_document",
                field="file",
            )
    try:
        outcome = read_source(upload.data, name=upload.file_name, max_bytes=limit + 1)
    except RecursionError:
        raise ApiError(
            422,
            f"{upload.file_name}: nested too deeply to read",
            code="unreadable_document",
            field="file",
        ) from None
    if not outcome.documents:
        what = {"hl7v2": "HL7 message", "fhir": "FHIR resource"}.get(fmt, "file")
        raise ApiError(
            422,
            f"{upload.file_name}: the {what} holds no clinical document to code (an HL7 "
            "message needs an ORU or MDM with text; a FHIR input a DocumentReference, "
            "Composition, DiagnosticReport or coded resources)",
            code="unreadable_document",
            field="file",
        )
    for document in outcome.documents:
        if "\x00" in document.text:
            raise ApiError(
                422,
                f"{upload.file_name}: the text contains NUL characters",
                code="unreadable_document",
                field="file",
            )
        if not document.text.strip():
            raise ApiError(
                422,
                f"{upload.file_name}: a document in it has no text",
                code="unreadable_document",
                field="file",
            )
    return outcome
