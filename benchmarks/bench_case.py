"""Time ``case analyze`` on a 200-page case file built by repeating the synthetic records.

    python benchmarks/bench_case.py [--pages 200] [--no-code]

Builds a text-layer PDF from the fixture records (tests/fixtures/casework), each record on
its own page and shifted forward by a week per repetition so dates stay distinct, then runs
the full pipeline (read, chronology, checks, issues, ICD-10-CM coding, report HTML + PDF) with
a rich progress bar. Target: <= 60 s. Synthetic data only.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "casework"


def _records() -> list[str]:
    out = []
    for folder in ("ed_missed_mi", "lap_chole", "opinion_sea", "opinion_ob"):
        for path in sorted((FIXTURES / folder).glob("*.txt")):
            if "other_patient" not in path.name:
                out.append(path.read_text())
    return out


def _shift(text: str, weeks: int) -> str:
    def numeric(m: re.Match[str]) -> str:
        try:
            d = date(int(m.group(3)), int(m.group(1)), int(m.group(2))) + timedelta(weeks=weeks)
        except ValueError:
            return m.group(0)
        return d.strftime("%m/%d/%Y")

    return re.sub(r"\b(\d{2})/(\d{2})/(\d{4})\b", numeric, text)


def build_pdf(path: Path, pages: int) -> None:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    records = _records()
    c = canvas.Canvas(str(path), pagesize=letter)
    header = "Patient: Sam Q. Benchperson\nMRN: 99001\n"
    for page in range(pages):
        record = _shift(records[page % len(records)], page // len(records))
        body = header + re.sub(r"^(Patient|MRN|DOB):.*\n", "", record, flags=re.M)
        y = 740
        for line in body.splitlines():
            while line:
                chunk, line = line[:95], line[95:]
                c.drawString(50, y, chunk)
                y -= 13
        c.showPage()
    c.save()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--no-code", action="store_true")
    args = parser.parse_args()
    from rich.progress import Progress

    from medcoder.casework.analyze import analyze_case
    from medcoder.casework.case import load_case
    from medcoder.casework.render import render_html, render_pdf

    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "case_file.pdf"
        build_pdf(pdf, args.pages)
        start = time.perf_counter()
        case = load_case([pdf])
        read_s = time.perf_counter() - start
        with Progress() as bar:
            tasks: dict[str, int] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=max(total, 1))
                bar.update(tasks[stage], completed=done, total=max(total, 1))

            report = analyze_case(case, code=not args.no_code, progress=progress)
            html = render_html(report)
            out = render_pdf(report)
        total = time.perf_counter() - start
    c = report.chronology
    print(
        f"{args.pages} pages: read {read_s:.1f} s, total {total:.1f} s "
        f"({len(c.events)} events, {len(c.flags)} flags, {len(report.issues)} issues, "
        f"{len(report.codes)} codes, html {len(html) // 1024} KiB, pdf {len(out) // 1024} KiB)"
    )
    return 0 if total <= 60 else 1


if __name__ == "__main__":
    sys.exit(main())
