#!/usr/bin/env python3
"""Emulator throughput on loopback: requests/s with N concurrent keep-alive clients.

    .venv/bin/python bench/emulator_throughput.py [--clients 8] [--seconds 3] [--client httpx|raw]
                                                  [--in-process] [--latency-ms 0]

Starts `reconciler emulator --port 0 --rate-limit 0` as a subprocess (or in-process with
--in-process), seeds 20 hooks, then for each scenario runs N threads, each with its own
persistent connection, for a fixed time, and prints a table. `--client raw` uses
http.client (much less client-side CPU than httpx, closer to the server's own limit).
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from bench.common import environment_note  # noqa: E402
from reconciler.emulator.process import EmulatorProcess  # noqa: E402

SCRIPT = "module.exports = function (user, context, cb) { cb(null, { user }); };"


class RawClient:
    """Minimal keep-alive JSON client on http.client."""

    def __init__(self, base_url: str, token: str):
        u = urlsplit(base_url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def request(self, method: str, path: str, body: Any = None) -> int:
        data = None if body is None else json.dumps(body)
        self.conn.request(method, path, body=data, headers=self.headers)
        resp = self.conn.getresponse()
        resp.read()
        return resp.status

    def close(self) -> None:
        self.conn.close()


class HttpxClient:
    def __init__(self, base_url: str, token: str):
        self.http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def request(self, method: str, path: str, body: Any = None) -> int:
        return self.http.request(method, path, json=body).status_code

    def close(self) -> None:
        self.http.close()


def run(make_client: Callable[[], Any], clients: int, seconds: float, op: Callable[[Any, int, int], int]) -> dict[str, Any]:
    barrier = threading.Barrier(clients + 1)
    stop_at = [0.0]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients

    def worker(i: int) -> None:
        client = make_client()
        op(client, i, -1)  # warm the connection
        barrier.wait()
        lat = latencies[i]
        n = 0
        while True:
            t0 = time.perf_counter()
            if t0 >= stop_at[0]:
                break
            status = op(client, i, n)
            lat.append(time.perf_counter() - t0)
            if status >= 400:
                errors[i] += 1
            n += 1
        client.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + 1e9
    barrier.wait()
    start = time.perf_counter()
    stop_at[0] = start + seconds
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    flat = sorted(x for lat in latencies for x in lat)
    return {
        "requests": len(flat),
        "seconds": elapsed,
        "rps": len(flat) / elapsed,
        "p50_ms": statistics.median(flat) * 1000 if flat else 0.0,
        "p99_ms": flat[int(len(flat) * 0.99) - 1] * 1000 if flat else 0.0,
        "errors": sum(errors),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--client", choices=("httpx", "raw", "both"), default="both")
    ap.add_argument("--in-process", action="store_true", help="serve from this process (shares its GIL)")
    ap.add_argument("--latency-ms", type=float, default=0.0)
    ap.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = ap.parse_args()

    if args.in_process:
        from reconciler.emulator.server import start

        emu: Any = start(port=0, rate_limit=0, latency_ms=args.latency_ms)
        token = emu.token()
    else:
        emu = EmulatorProcess({"rate_limit": 0, "latency_ms": args.latency_ms or None}, cwd=str(Path(__file__).resolve().parents[1]))
        token = emu.token()
    base = emu.base_url
    try:
        seeded = emu.seed([{"name": f"bench-{i}", "script": SCRIPT, "triggerId": "pre-user-registration"} for i in range(20)])
        ids = [h["id"] for h in seeded]
        per_client = [emu.seed([{"name": f"bench-client-{i}", "script": SCRIPT, "triggerId": "post-change-password"}])[0]["id"]
                      for i in range(args.clients)]

        scenarios: list[tuple[str, Callable[[Any, int, int], int]]] = [
            ("GET /hooks/{id}", lambda c, i, n: c.request("GET", f"/api/v2/hooks/{ids[n % 20]}")),
            ("GET /hooks?per_page=50", lambda c, i, n: c.request("GET", "/api/v2/hooks?per_page=50&include_totals=true")),
            ("PATCH /hooks/{id}", lambda c, i, n: c.request("PATCH", f"/api/v2/hooks/{per_client[i]}", {"script": f"// {n}"})),
            ("mixed 80% GET / 20% PATCH", lambda c, i, n: c.request("PATCH", f"/api/v2/hooks/{per_client[i]}", {"script": f"// {n}"})
             if n % 5 == 0 else c.request("GET", f"/api/v2/hooks/{ids[n % 20]}")),
        ]
        kinds = ["raw", "httpx"] if args.client == "both" else [args.client]
        rows = []
        for kind in kinds:
            factory = (lambda: RawClient(base, token)) if kind == "raw" else (lambda: HttpxClient(base, token))
            for name, op in scenarios:
                res = run(factory, args.clients, args.seconds, op)
                rows.append({"client": kind, "scenario": name, **res})

        mode = "in-process" if args.in_process else "subprocess"
        print(f"\nAuth0 emulator throughput: {base} ({mode}), {args.clients} concurrent keep-alive clients, "
              f"{args.seconds:g}s per row ({environment_note()})")
        header = f"{'client':<7} {'scenario':<28} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
        print(header)
        print("-" * len(header))
        for r in rows:
            print(f"{r['client']:<7} {r['scenario']:<28} {r['requests']:>9} {r['rps']:>9.0f} {r['p50_ms']:>8.2f} "
                  f"{r['p99_ms']:>8.2f} {r['errors']:>7}")
        stats = emu.stats()
        print(f"\nserver: {stats['requests']} requests, {stats['writes']} writes, by_status {stats['by_status']}")
        if args.json:
            print(json.dumps(rows, indent=2))
        return 0 if all(r["errors"] == 0 for r in rows) else 1
    finally:
        emu.stop()


if __name__ == "__main__":
    raise SystemExit(main())
