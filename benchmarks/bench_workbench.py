"""Concurrent coders against the workbench API on loopback (PostgreSQL or SQLite).

Run:  eval "$(bash .ci/postgres.sh)"; python benchmarks/bench_workbench.py [--clients 50] [--seconds 60]
(`--db URL` picks another database; without PostgreSQL it falls back to a SQLite file.)

Each client uploads a synthetic note, has it coded, then reviews its codes (accept, reject
with a reason, alternating) as fast as it can for the duration, with optimistic-locking
versions. Afterwards every suggestion's version in the database is compared with the number
of review actions the clients saw succeed: nothing lost, nothing applied twice.
Traffic stays on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter

NOTE = (
    "ASSESSMENT AND PLAN:\n1. Type 2 diabetes mellitus with diabetic chronic kidney disease.\n"
    "2. Essential hypertension.\n3. Hyperlipidemia.\n4. Acute bronchitis.\n"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_database(url: str | None) -> str:
    if url and url.startswith("postgresql"):
        import psycopg

        name = f"medcoder_bench_{int(time.time())}"
        admin = (
            url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
        )
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return url.rsplit("/", 1)[0] + "/" + name
    return f"sqlite:///{tempfile.mkdtemp(prefix='medcoder-bench-')}/workbench.db"


def make_tokens(url: str, clients: int) -> list[str]:
    from medcoder.store import Database
    from medcoder.store.users import create_token, create_user

    db = Database(url)
    db.migrate()
    tokens = []
    with db.session() as session:
        for i in range(clients):
            user = create_user(session, f"coder{i:02d}", "correct-horse-battery", "coder")
            session.flush()
            tokens.append(create_token(session, user, "bench")[1])
    db.dispose()
    return tokens


def wait_healthy(base: str, tries: int = 120) -> None:
    """Poll ``base``/healthz until the server answers (half a second between tries)."""
    import httpx

    for _ in range(tries):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.5)


async def client(
    base: str,
    token: str,
    until: float,
    latencies: list[float],
    errors: Counter,
    done: Counter,
    think: float,
) -> None:
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
        up = await http.post(
            "/api/documents", files={"file": ("note.txt", NOTE.encode(), "text/plain")}
        )
        if up.status_code != 201:
            errors[f"upload {up.status_code}"] += 1
            return
        coded = await http.post(f"/api/encounters/{up.json()['encounter_id']}/code")
        if coded.status_code != 200:
            errors[f"code {coded.status_code}"] += 1
            return
        suggestions = [(s["id"], s["version"]) for s in coded.json()["encounter"]["codes"]]
        versions = dict(suggestions)
        i = 0
        while time.monotonic() < until and suggestions:
            sid = suggestions[i % len(suggestions)][0]
            action = "accept" if i % 2 == 0 else "reject"
            body = {"version": versions[sid]} | (
                {"reason": "not supported"} if action == "reject" else {}
            )
            t = time.perf_counter()
            r = await http.post(f"/api/suggestions/{sid}/{action}", json=body)
            latencies.append(time.perf_counter() - t)
            if r.status_code == 200:
                versions[sid] = r.json()["suggestion"]["version"]
                done[sid] += 1
            else:
                errors[f"{action} {r.status_code}"] += 1
            i += 1
            if think:
                await asyncio.sleep(think)


def check(url: str, done: Counter) -> tuple[int, int]:
    from sqlalchemy import select

    from medcoder.store import Database
    from medcoder.store.models import CodeSuggestionRow

    db = Database(url)
    mismatched = 0
    with db.session() as session:
        rows = dict(session.execute(select(CodeSuggestionRow.id, CodeSuggestionRow.version)).all())
    db.dispose()
    for sid, count in done.items():
        if rows.get(sid) != 1 + count:
            mismatched += 1
    return len(done), mismatched


async def run(
    base: str, tokens: list[str], seconds: float, think: float
) -> tuple[list[float], Counter, Counter]:
    latencies: list[float] = []
    errors: Counter = Counter()
    done: Counter = Counter()
    until = time.monotonic() + seconds
    await asyncio.gather(*(client(base, t, until, latencies, errors, done, think) for t in tokens))
    return latencies, errors, done


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--db", default=os.environ.get("MEDCODER_TEST_POSTGRES_URL"))
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument(
        "--coding-processes",
        type=int,
        default=1,
        help="engine processes per server process (0: code in the server's thread pool)",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="seconds a client waits between review actions (0: as fast as it can)",
    )
    args = parser.parse_args()
    os.environ.setdefault("MEDCODER_DATA_DIR", tempfile.mkdtemp(prefix="medcoder-bench-"))
    url = fresh_database(args.db)
    tokens = make_tokens(url, args.clients)
    port = free_port()
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
            "--workers",
            str(args.workers),
            "--coding-processes",
            str(args.coding_processes),
            "--log-level",
            "warning",
        ],
        env=os.environ,
        stderr=subprocess.DEVNULL,
    )
    try:
        import httpx

        wait_healthy(f"http://127.0.0.1:{port}")
        warm = httpx.post(
            f"http://127.0.0.1:{port}/api/documents",
            timeout=120,
            headers={"Authorization": f"Bearer {tokens[0]}"},
            files={"file": ("warm.txt", NOTE.encode(), "text/plain")},
        )
        httpx.post(
            f"http://127.0.0.1:{port}/api/encounters/{warm.json()['encounter_id']}/code",
            headers={"Authorization": f"Bearer {tokens[0]}"},
            timeout=120,
        )
        latencies, errors, done = asyncio.run(
            run(f"http://127.0.0.1:{port}", tokens, args.seconds, args.think)
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    suggestions, mismatched = check(url, done)
    latencies.sort()
    kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(
        f"{args.clients} clients x {args.seconds:.0f} s (think {args.think:g} s, {args.workers} server "
        f"processes, {args.coding_processes} coding processes each) "
        f"against {kind}: {len(latencies)} review actions "
        f"({len(latencies) / args.seconds:.0f}/s), errors {dict(errors) or 0}"
    )
    if latencies:
        print(
            f"review action latency: median {statistics.median(latencies) * 1000:.1f} ms, "
            f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.1f} ms, max {latencies[-1] * 1000:.0f} ms"
        )
    print(
        f"suggestions reviewed: {suggestions}; version != 1 + successful actions: {mismatched} "
        "(lost or duplicated review actions)"
    )


if __name__ == "__main__":
    main()
