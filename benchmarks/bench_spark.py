"""Notes per second on one process, Spark local[1] and Spark local[2], on the same notes.

Run:  python benchmarks/bench_spark.py [--shared ../shared/data] [--notes 2000]

Builds a folder of NOTES English notes (CodiEsp dev and train, English translation, then
the mtsamples transcriptions, repeated under new names until there are enough), imports the
official ICD-10-CM and ICD-10-PCS files into a private data folder, and times exactly these
commands, each in a fresh process (setting abstraction: ICD-10-CM and ICD-10-PCS):

    medcoder code NOTES/ -s abstraction --format jsonl -o single.jsonl
    medcoder code NOTES/ -s abstraction --spark local[1] -o local1.parquet
    medcoder code NOTES/ -s abstraction --spark local[2] -o local2.parquet

While each runs, the resident memory and CPU time of its processes (the coding process, or
Spark's driver, Python workers and JVM) are sampled from /proc: notes per CPU-second is the
figure that other jobs on the machine disturb least, and core-hours follow from it. The three outputs are compared code by code.
Then, in a fresh process set up as a Spark worker is (lean medspaCy imports, the packs), the
memory a batch holds per note is measured: BATCH notes are coded to warm the caches, and the
growth of resident memory while BATCH more are coded and their output rows kept (as a worker
keeps a batch's rows) is divided by BATCH; then one note is coded with DATES new dates of service, each of which
builds a pipeline of its own.
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
DATES = 4  # new dates of service coded one after another (pipelines kept: 8)


def rss_mb(pid: int | str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


def kind_of(pid: int, root: int, cmd: str) -> str:
    """``driver`` (the command's own process), ``jvm``, ``workers`` (Spark's Python daemon
    and workers) or ``other`` (the spark-submit shell before it becomes the JVM, ...)."""
    if pid == root:
        return "driver"
    program = Path(cmd.split(" ", 1)[0]).name
    if program == "java":
        return "jvm"
    if program.startswith("python") and ("pyspark.daemon" in cmd or "pyspark.worker" in cmd):
        return "workers"
    return "other"


class Sampler(threading.Thread):
    """Peak resident memory and CPU time of a command's processes, by kind (the driver or
    single coding process, Spark's Python workers, the JVM), sampled every 0.25 s."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root, self.done = root, threading.Event()
        self.peak_total = self.peak_jvm = 0.0
        self.peak_coder: dict[int, float] = {}
        self.cpu: dict[int, tuple[str, float]] = {}

    def run(self) -> None:
        while not self.done.wait(0.25):
            procs = {self.root: "driver", **descendants(self.root)}
            total = 0.0
            for pid, cmd in procs.items():
                mb = rss_mb(pid)
                total += mb
                known, used = self.cpu.get(pid, ("other", 0.0))
                # A process may exec another program (spark-submit's shell becomes the JVM);
                # an exited one has no command line left: keep what it was.
                kind = kind_of(pid, self.root, cmd) if cmd.strip() else known
                self.cpu[pid] = (kind, max(cpu_seconds(pid), used))
                if kind == "jvm":
                    self.peak_jvm = max(self.peak_jvm, mb)
                elif kind in ("driver", "workers"):
                    self.peak_coder[pid] = max(self.peak_coder.get(pid, 0.0), mb)
            self.peak_total = max(self.peak_total, total)

    def cpu_by_kind(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for kind, seconds in self.cpu.values():
            out[kind] = out.get(kind, 0.0) + seconds
        return out


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


def per_note_memory(work: Path) -> None:
    """Print (as JSON) the memory of a process set up as a Spark worker is: resident MB once
    the engine is loaded and BATCH notes were coded (caches warm), then the KB each note adds
    while the next BATCH notes are coded and their rows kept, as a worker keeps a batch."""
    from medcoder.spark.notes import CodingOptions, NoteInput, code_note
    from medcoder.spark.worker import prepare

    options = prepare(  # what a Spark worker does first: packs, lean medspaCy imports
        CodingOptions(setting="abstraction", data_dir=str(work / "data"))
    )
    paths = sorted((work / "notes").glob("*.txt"))[: 2 * BATCH]
    half = len(paths) // 2
    for path in paths[:half]:
        code_note(NoteInput(path.stem, text=path.read_text(encoding="utf-8")), options)
    warm = rss_mb("self")
    rows = []
    for path in paths[half:]:
        rows.extend(code_note(NoteInput(path.stem, text=path.read_text(encoding="utf-8")), options))
    failed = [r["note_id"] for r in rows if r["status"] != "coded"]
    if failed:
        sys.exit(f"in-process coding failed for {len(failed)} notes, e.g. {failed[:3]}")
    kept = len(paths) - half
    grown_kb = (rss_mb("self") - warm) * 1024 / kept
    # A pipeline is bound to a date of service: what does each new date cost a worker?
    first = paths[0].read_text(encoding="utf-8")
    before, started = rss_mb("self"), time.perf_counter()
    for day in range(1, DATES + 1):
        code_note(NoteInput("dated", text=first, service_date=f"2025-11-{day:02d}"), options)
    per_date_mb = (rss_mb("self") - before) / DATES
    per_date_s = (time.perf_counter() - started) / DATES
    print(
        json.dumps(
            {
                "warm_mb": warm,
                "kb_per_note": grown_kb,
                "warmed": half,
                "notes": kept,
                "per_date_mb": per_date_mb,
                "per_date_s": per_date_s,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--per-note-memory", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.per_note_memory:
        per_note_memory(args.per_note_memory)
        return
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
        cpu = sampler.cpu_by_kind()
        print(
            f"  {label}: {seconds:.1f} s wall, {len(notes) / seconds:.1f} notes/s; peak RSS: "
            f"all processes {sampler.peak_total:.0f} MB, coding processes "
            f"{', '.join(f'{mb:.0f}' for mb in coders if mb > 100)} MB"
            + (f", JVM {sampler.peak_jvm:.0f} MB" if sampler.peak_jvm else "")
        )
        print(
            f"    CPU: {sum(cpu.values()):.1f} s in all "
            f"({', '.join(f'{k} {v:.1f} s' for k, v in sorted(cpu.items()))}); "
            f"{len(notes) / sum(cpu.values()):.1f} notes per CPU-second"
        )
        if job:
            print(f"    summary: {job}")
    single = codes_of_jsonl(work / "single.jsonl")
    for name in ("local1", "local2"):
        same = codes_of_parquet(work / f"{name}.parquet") == single
        print(f"  codes of {name} == codes of 1 process: {same}")
    measured = subprocess.run(
        [sys.executable, __file__, "--per-note-memory", str(work)],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    memory = json.loads(measured.stdout.strip().splitlines()[-1])
    print(
        f"  a process set up as a Spark worker: {memory['warm_mb']:.0f} MB resident with the "
        f"engine loaded and {memory['warmed']} notes coded; {memory['kb_per_note']:.1f} KB more per note "
        f"while the next {memory['notes']} notes are coded and their rows kept; each new "
        f"date of service: {memory['per_date_mb']:.0f} MB and {memory['per_date_s']:.2f} s"
    )


if __name__ == "__main__":
    main()
