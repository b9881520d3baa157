"""A very large note must not take long, nor hold up anyone else (issue 18, finding 9).

Run:  python benchmarks/bench_slow_input.py [--size 1000000] [--db URL]
(`--db` defaults to $MEDCODER_TEST_POSTGRES_URL, else a SQLite file; the packs are those of
$MEDCODER_DATA_DIR.)

Starts ``medcoder serve`` (one coding process, the default, plus its large-document lane) on
127.0.0.1 and, after warming both lanes: user A uploads a note of ``--size`` characters of
dictation with no punctuation and no line breaks and asks for it to be coded; half a second
later user B uploads a 2 KB note and asks for it to be coded. Prints the time each coding
request took (targets: A <= 5 s, B <= 1 s) and how many codes each got. Traffic stays on
127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from bench_workbench import free_port, fresh_database, make_tokens, wait_healthy  # noqa: E402

WORDS = (  # noqa: SIM905 - a phrase to read, split into words
    "patient seen today for follow up of type 2 diabetes mellitus with chronic kidney disease "
    "stage 3 blood pressure remains elevated on lisinopril denies chest pain or shortness of "
    "breath lungs clear heart regular abdomen soft nontender plan continue metformin recheck "
    "hemoglobin a1c in three months congestive heart failure compensated no edema"
).split()
SMALL = (
    "CHIEF COMPLAINT: Follow-up.\n\nASSESSMENT AND PLAN:\n"
    "1. Type 2 diabetes mellitus with diabetic chronic kidney disease, stage 3.\n"
    "2. Essential hypertension, controlled on lisinopril.\n"
    "3. Hyperlipidemia. Continue atorvastatin.\n"
) * 8


def dictation(chars: int, seed: int = 18) -> str:
    """Dictation run together with no punctuation and no line break."""
    rng = random.Random(seed)
    out, size = [], 0
    while size < chars:
        word = rng.choice(WORDS)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)[:chars]


def code(base: str, token: str, text: str, out: dict, key: str) -> None:
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=600) as http:
        up = http.post(
            "/api/documents", files={"file": (f"{key}.txt", text.encode(), "text/plain")}
        )
        up.raise_for_status()
        eid = up.json()["encounter_id"]
        started = time.perf_counter()
        coded = http.post(f"/api/encounters/{eid}/code")
        out[key] = (time.perf_counter() - started, coded.status_code, coded)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000, help="characters of the big note")
    parser.add_argument("--db", default=os.environ.get("MEDCODER_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    url = fresh_database(args.db)
    tokens = make_tokens(url, 2)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "MEDCODER_SECRET_KEY": "bench"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "medcoder",
            "serve",
            "--db",
            url,
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_healthy(base, tries=240)
        warm: dict = {}
        code(base, tokens[1], SMALL, warm, "warm-small")  # loads the packs in each lane
        code(base, tokens[0], dictation(150_000, seed=1), warm, "warm-large")
        out: dict = {}
        big = threading.Thread(target=code, args=(base, tokens[0], dictation(args.size), out, "A"))
        big.start()
        time.sleep(0.5)
        code(base, tokens[1], SMALL[:2048], out, "B")
        big.join()
        for key, label in (
            ("A", f"{args.size:,}-character note, no punctuation"),
            ("B", "2 KB note by another user, meanwhile"),
        ):
            seconds, status, response = out[key]
            codes = len(response.json()["encounter"]["codes"]) if status == 200 else "-"
            print(f"{label}: coded in {seconds:.2f} s (HTTP {status}, {codes} codes)")
        print(f"database: {url.split('://')[0]}; machine: {os.cpu_count()} CPUs")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
