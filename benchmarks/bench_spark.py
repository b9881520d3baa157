"""Notes per second on one process, Spark local[1] and Spark local[2], on the same notes.

Run:  python benchmarks/bench_spark.py [--shared ../shared/data] [--notes 2000]

Builds a folder of NOTES English notes (CodiEsp dev and train, English translation, then
the mtsamples transcriptions, repeated under new names until there are enough), imports the
official ICD-10-CM and ICD-10-PCS files into a private data folder, and times exactly these
commands, each in a fresh process (setting abstraction: ICD-10-CM and ICD-10-PCS):

    medcoder code NOTES/ -s abstraction --format jsonl -o single.jsonl
    medcoder code NOTES/ -s abstraction --spark local[1] -o local1.parquet
    medcoder code NOTES/ -s abstraction --spark local[2] -o local2.parquet

While each runs, the resident memory of its processes (the coding process or Spark's Python
workers, and Spark's JVM) is sampled from /proc. The three outputs are compared code by code.
Then, in this process set up as a Spark worker is, the memory a batch holds per note is
measured: the engine is loaded, one note coded, and the growth of resident memory while BATCH
more notes are coded and their output rows kept (as a Spark worker keeps a batch's rows) is
divided by BATCH.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BATCH = 256  # notes per Arrow batch (medcoder.spark.job.BATCH_NOTES)


def rss_mb(pid: int | str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants(root: int) -> dict[int, str]:
    """Every live process under ``root``, with its command line."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = {}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in found:
                try:
                    cmd = (Path(f"/proc/{child}/cmdline").read_bytes()).replace(b"\0", b" ")
                except OSError:
                    continue
                found[child] = cmd.decode(errors="replace")
                frontier.append(child)
    return found


class Sampler(threading.Thread):
    """Peak resident memory of a command's processes: coding processes, JVM, all together."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root, self.done = root, threading.Event()
        self.peak_total = self.peak_jvm = 0.0
        self.peak_coder: dict[int, float] = {}

    def run(self) -> None:
        while not self.done.wait(0.25):
            procs = {self.root: "driver", **descendants(self.root)}
            total = 0.0
            for pid, cmd in procs.items():
                mb = rss_mb(pid)
                total += mb
                if "java" in cmd.split(" ", 1)[0]:
                    self.peak_jvm = max(self.peak_jvm, mb)
                elif pid == self.root or "pyspark" in cmd:
                    self.peak_coder[pid] = max(self.peak_coder.get(pid, 0.0), mb)
            self.peak_total = max(self.peak_total, total)


def timed(args: list[str], env: dict[str, str]) -> tuple[float, Sampler, str]:
    print("$ medcoder " + " ".join(args), flush=True)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "medcoder", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    sampler = Sampler(proc.pid)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}):\n{err[-2000:]}")
    return seconds, sampler, out


def write_notes(shared: Path, count: int, folder: Path) -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    for split in ("dev", "train"):
        for path in sorted((shared / "codiesp" / split / "text_files_en").glob("*.txt")):
            texts.append((path.stem, path.read_text(encoding="utf-8")))
    with (shared / "mtsamples" / "mtsamples_first401.csv").open(encoding="utf-8") as fh:
        for row in csv.reader(fh):
            if len(row) > 4 and row[4].strip():
                texts.append((f"mtsamples-{row[0]}", row[4]))
    notes = []
    for i in range(count):
        name, text = texts[i % len(texts)]
        copy = i // len(texts)
        notes.append((f"{name}-r{copy}" if copy else name, text))
    folder.mkdir(parents=True)
    for name, text in notes:
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return notes


def codes_of_jsonl(path: Path) -> dict[str, list]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out[row["document"]] = [
            (c["system"], c["code"], c["score"], [(e["start"], e["end"]) for e in c["evidence"]])
            for c in row["codes"]
        ]
    return out


def codes_of_parquet(path: Path) -> dict[str, list]:
    import pyarrow.parquet as pq

    out = {}
    for row in pq.read_table(path).to_pylist():
        out[row["note_id"]] = [
            (c["system"], c["code"], c["score"], [(e["start"], e["end"]) for e in c["evidence"]])
            for c in sorted(row["codes"], key=lambda c: c["rank"])
        ]
    return out


def per_note_memory(notes: list[tuple[str, str]], data_dir: Path) -> tuple[float, float, float]:
    """(MB with the engine loaded, KB per note kept in a batch, notes/s) in this process."""
    from medcoder.spark.notes import CodingOptions, NoteInput, code_note
    from medcoder.spark.worker import prepare

    options = prepare(  # what a Spark worker does first: packs, lean medspaCy imports
        CodingOptions(
            setting="abstraction",
            systems={"abstraction": ("ICD-10-CM", "ICD-10-PCS")},
            data_dir=str(data_dir),
        )
    )
    code_note(NoteInput(notes[0][0], text=notes[0][1]), options)
    loaded = rss_mb("self")
    rows = []
    started = time.perf_counter()
    for name, text in notes[1 : BATCH + 1]:
        rows.extend(code_note(NoteInput(name, text=text), options))
    seconds = time.perf_counter() - started
    grown = rss_mb("self") - loaded
    return loaded, grown * 1024 / BATCH, BATCH / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--notes", type=int, default=2000)
    args = parser.parse_args()
    if not (args.shared / "codiesp").is_dir():
        sys.exit(f"CodiEsp not found under {args.shared}; pass --shared")
    work = Path(tempfile.mkdtemp(prefix="medcoder-bench-spark-"))
    data_dir = work / "data"
    env = {
        **os.environ,
        "MEDCODER_DATA_DIR": str(data_dir),
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")])
        ),
    }
    subprocess.run(
        [sys.executable, "-m", "medcoder", "data", "import",
         str(args.shared / "icd10cm"), str(args.shared / "icd10pcs")],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    notes = write_notes(args.shared, args.notes, work / "notes")
    words = sum(len(t.split()) for _, t in notes) / len(notes)
    print(f"{len(notes)} notes, {words:.0f} words on average, in {work / 'notes'}")
    # Build the vocabulary cache once, so that no timed run pays for it.
    subprocess.run(
        [sys.executable, "-m", "medcoder", "code", str(work / "notes" / f"{notes[0][0]}.txt"),
         "-s", "abstraction", "--format", "jsonl"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    common = [str(work / "notes"), "-s", "abstraction"]
    runs = {
        "1 process": [*common, "--format", "jsonl", "-o", str(work / "single.jsonl")],
        "Spark local[1]": [*common, "--spark", "local[1]", "-o", str(work / "local1.parquet")],
        "Spark local[2]": [*common, "--spark", "local[2]", "-o", str(work / "local2.parquet")],
    }
    results = {}
    for label, command in runs.items():
        seconds, sampler, out = timed(["code", *command], env)
        job = out.strip().splitlines()[-1] if "--spark" in command else ""
        results[label] = (seconds, sampler, job)
        coders = sorted(sampler.peak_coder.values(), reverse=True)
        print(
            f"  {label}: {seconds:.1f} s wall, {len(notes) / seconds:.1f} notes/s; peak RSS: "
            f"all processes {sampler.peak_total:.0f} MB, coding processes "
            f"{', '.join(f'{mb:.0f}' for mb in coders if mb > 100)} MB"
            + (f", JVM {sampler.peak_jvm:.0f} MB" if sampler.peak_jvm else "")
        )
        if job:
            print(f"    summary: {job}")
    single = codes_of_jsonl(work / "single.jsonl")
    for name in ("local1", "local2"):
        same = codes_of_parquet(work / f"{name}.parquet") == single
        print(f"  codes of {name} == codes of 1 process: {same}")
    loaded, per_note, rate = per_note_memory(notes, data_dir)
    print(
        f"  in-process: {loaded:.0f} MB resident with the engine loaded; {per_note:.1f} KB more "
        f"per note while a batch of {BATCH} notes and their rows is held ({rate:.1f} notes/s)"
    )


if __name__ == "__main__":
    main()
