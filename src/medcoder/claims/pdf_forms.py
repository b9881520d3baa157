"""Drawing helpers shared by the CMS-1500 and UB-04 paper claim renderers.

Both forms are laid out here as plain black-and-white grids drawn with reportlab, not as the
red OCR originals: the printed drop-out forms are only needed when a payer scans paper, and a
clean grid with the official item / form-locator numbers is what a person reviewing a claim
reads. Layouts are written top-down in points (1/72 inch) on a US letter page, the way the
NUCC and NUBC manuals describe the forms; :class:`Box` converts to PDF's bottom-up frame.

Captions are Helvetica; claim data is Courier, the fixed-pitch face both manuals recommend
for entered data, so a reader (and the tests) can tell the two apart by font. Output is
deterministic: reportlab's ``invariant`` mode fixes the creation date and document id, so the
same encounter always renders to the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

PAGE_WIDTH, PAGE_HEIGHT = letter
CAPTION_FONT = "Helvetica"
CAPTION_BOLD = "Helvetica-Bold"
DATA_FONT = "Courier"
CAPTION_SIZE = 5.0
DATA_SIZE = 8.5
#: Height of the caption strip at the top of a box; data starts below it.
CAPTION_STRIP = 7.0
SHADE = 0.9


@dataclass(frozen=True)
class Box:
    """One box of a form: ``item`` is the NUCC item / NUBC form locator it carries.

    ``x``/``top`` are the top-left corner measured from the page's top-left, in points.
    """

    item: str
    caption: str
    x: float
    top: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.top + self.h

    def pdf_rect(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) in PDF user space (origin bottom-left), for text-position checks."""
        return (self.x, PAGE_HEIGHT - self.bottom, self.right, PAGE_HEIGHT - self.top)

    def sub(self, item: str, dx: float, w: float, caption: str = "") -> Box:
        """A column of this box (same top and height), e.g. a modifier cell inside 24D."""
        return Box(item, caption, self.x + dx, self.top, w, self.h)


class FormCanvas:
    """A reportlab canvas with the few primitives the two claim forms need."""

    def __init__(self, title: str, subject: str, *, data_only: bool = False) -> None:
        """``data_only`` prints the claim data alone, for the red preprinted forms payers
        scan with OCR: no grid, captions, shading or checkbox squares (an X marks a checked
        box), Courier throughout as the NUCC and NUBC print guidelines ask."""
        self.data_only = data_only
        self._buffer = io.BytesIO()
        self.c = canvas.Canvas(self._buffer, pagesize=letter, invariant=1, pageCompression=1)
        self.c.setTitle(title)
        self.c.setSubject(subject)
        self.c.setCreator("medcoder")
        self.c.setAuthor("medcoder")
        self.c.setLineWidth(0.5)

    # --- coordinates --------------------------------------------------------------------

    @staticmethod
    def y(top: float) -> float:
        """Top-down distance -> PDF y."""
        return PAGE_HEIGHT - top

    # --- grid ---------------------------------------------------------------------------

    def box(self, box: Box, *, shade: bool = False, caption_bold: bool = False) -> None:
        """Rectangle with ``"<item> <caption>"`` in the top-left caption strip."""
        if self.data_only:
            return
        c = self.c
        if shade:
            c.setFillGray(SHADE)
            c.rect(box.x, self.y(box.bottom), box.w, box.h, stroke=0, fill=1)
            c.setFillGray(0)
        c.rect(box.x, self.y(box.bottom), box.w, box.h, stroke=1, fill=0)
        label = f"{box.item} {box.caption}".strip() if box.caption else box.item
        font = CAPTION_BOLD if caption_bold else CAPTION_FONT
        c.setFont(font, CAPTION_SIZE)
        for n, text in enumerate(self._wrap(label, box.w - 3, font)):
            c.drawString(box.x + 1.5, self.y(box.top + CAPTION_SIZE + 0.5 + n * 5.5), text)

    def _wrap(self, text: str, width: float, font: str) -> list[str]:
        """Caption words on as many lines as the box width needs."""
        lines: list[str] = []
        for word in text.split():
            if lines and self.c.stringWidth(f"{lines[-1]} {word}", font, CAPTION_SIZE) <= width:
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
        return lines

    def shade(self, x: float, top: float, w: float, h: float) -> None:
        """A grey band without border: the supplemental (shaded) half of a 24 line, POA cells."""
        if self.data_only:
            return
        self.c.setFillGray(SHADE)
        self.c.rect(x, self.y(top + h), w, h, stroke=0, fill=1)
        self.c.setFillGray(0)

    def hline(self, x0: float, x1: float, top: float, *, dashed: bool = False) -> None:
        if self.data_only:
            return
        if dashed:
            self.c.setDash(1, 1.5)
        self.c.line(x0, self.y(top), x1, self.y(top))
        if dashed:
            self.c.setDash()

    def vline(self, x: float, top: float, bottom: float, *, dashed: bool = False) -> None:
        if self.data_only:
            return
        if dashed:
            self.c.setDash(1, 1.5)
        self.c.line(x, self.y(top), x, self.y(bottom))
        if dashed:
            self.c.setDash()

    def label(
        self, x: float, top: float, text: str, *, size: float = CAPTION_SIZE, bold: bool = False
    ) -> None:
        """Caption text whose top edge is at ``top`` (column headings, checkbox labels)."""
        if self.data_only:
            return
        self.c.setFont(CAPTION_BOLD if bold else CAPTION_FONT, size)
        self.c.drawString(x, self.y(top + size), text)

    def checkbox(self, x: float, top: float, caption: str, checked: bool) -> float:
        """A 6-point square followed by its caption; an X when checked. Returns the next x."""
        c = self.c
        if not self.data_only:
            c.rect(x, self.y(top + 6), 6, 6, stroke=1, fill=0)
        if checked:
            c.setFont(DATA_FONT, DATA_SIZE)
            c.drawString(x + 0.5, self.y(top + 5.8), "X")
        self.label(x + 8, top + 0.5, caption)
        return x + 8 + c.stringWidth(caption, CAPTION_FONT, CAPTION_SIZE) + 6

    # --- data ---------------------------------------------------------------------------

    def text(
        self,
        x: float,
        baseline: float,
        value: str | None,
        *,
        align: str = "left",
        size: float = DATA_SIZE,
    ) -> None:
        """Claim data in Courier; ``baseline`` is top-down. Nothing is drawn for empty values."""
        if not value:
            return
        c = self.c
        c.setFont(DATA_FONT, size)
        y = self.y(baseline)
        if align == "right":
            c.drawRightString(x, y, value)
        elif align == "center":
            c.drawCentredString(x, y, value)
        else:
            c.drawString(x, y, value)

    def put(
        self,
        box: Box,
        value: str | None,
        *,
        line: int = 0,
        line_height: float = 10.0,
        align: str = "left",
        size: float = DATA_SIZE,
        caption: bool = True,
    ) -> None:
        """Data on line ``line`` of a box (line 0 sits just below the caption strip)."""
        first = box.top + (CAPTION_STRIP if caption else 0) + size
        baseline = first + line * line_height
        size = self.fit(value, box.w - 4, size)
        if align == "right":
            self.text(box.right - 2, baseline, value, align="right", size=size)
        elif align == "center":
            self.text(box.x + box.w / 2, baseline, value, align="center", size=size)
        else:
            self.text(box.x + 2, baseline, value, size=size)

    def fit(self, value: str | None, width: float, size: float) -> float:
        """Shrink the font (down to 5 points) so a long value stays inside its box: paper
        claims never cut a name or address short."""
        while value and size > 5 and self.c.stringWidth(value, DATA_FONT, size) > width:
            size -= 0.5
        return size

    def money(
        self, box: Box, value: Decimal | None, *, line: int = 0, line_height: float = 10.0
    ) -> None:
        """Dollars right-aligned to a dotted cents divider, cents after it: no ``$``, commas or
        decimal point, as NUCC (items 24F, 28) and NUBC (FL47) instruct for money fields."""
        divider = box.right - 14
        self.vline(divider, box.top + CAPTION_STRIP, box.bottom, dashed=True)
        if value is None:
            return
        dollars, cents = money_parts(value)
        baseline = box.top + CAPTION_STRIP + DATA_SIZE + line * line_height
        self.text(divider - 1.5, baseline, dollars, align="right")
        self.text(divider + 1.5, baseline, cents)

    def new_page(self) -> None:
        self.c.showPage()
        self.c.setLineWidth(0.5)

    def finish(self) -> bytes:
        self.c.showPage()
        self.c.save()
        return self._buffer.getvalue()


# --- value formatting shared by both forms ------------------------------------------------


def money_parts(value: Decimal) -> tuple[str, str]:
    """``Decimal('1234.5')`` -> ``('1234', '50')``."""
    quantized = Decimal(value).quantize(Decimal("0.01"))
    sign = "-" if quantized < 0 else ""
    whole, _, frac = format(abs(quantized), "f").partition(".")
    return sign + whole, (frac or "00").ljust(2, "0")


def units_text(value: Decimal) -> str:
    """Units without trailing zeros; a fraction keeps its decimal point (NUCC 24G)."""
    rendered = format(Decimal(value).normalize(), "f")
    return rendered


def mmddyy(value: dt.date | None, *, spaced: bool = False) -> str:
    """Six-digit date: ``MM DD YY`` (1500 item 24A) or ``MMDDYY`` (UB-04 FL6, 12, 45, 74)."""
    if value is None:
        return ""
    return value.strftime("%m %d %y" if spaced else "%m%d%y")


def mmddyyyy(value: dt.date | None, *, spaced: bool = False) -> str:
    """Eight-digit date: ``MM DD YYYY`` (1500 items 3, 11a) or ``MMDDCCYY`` (UB-04 FL10)."""
    if value is None:
        return ""
    return value.strftime("%m %d %Y" if spaced else "%m%d%Y")


def no_decimal(code: str) -> str:
    """ICD codes are entered without the decimal point on both forms (NUCC item 21, NUBC
    FL67-74): the point is implied."""
    return code.replace(".", "").strip().upper()


def digits_only(value: str | None) -> str:
    """Tax ids and phone numbers without hyphens or spaces (NUCC items 25, 33)."""
    return "".join(ch for ch in value or "" if ch.isdigit())


def phone_text(value: str | None) -> str:
    """``6085550199`` -> ``(608) 555-0199`` for the 33 phone area; other shapes as given."""
    digits = digits_only(value)
    if len(digits) == 10:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return (value or "").strip()


def pages(count: int, per_page: int) -> int:
    """Number of form pages for ``count`` lines at ``per_page`` lines each (at least one)."""
    return max(1, -(-count // per_page))
