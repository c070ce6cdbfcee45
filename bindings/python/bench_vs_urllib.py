#!/usr/bin/env python3
"""Per-call time of `client.get_identity("mk_sandbox_ok")` next to a plain
`urllib.request` + `json` call to the same sandbox, in one process and one run.

    python3 bindings/python/bench_vs_urllib.py [--calls 2000] [--rounds 5]

Starts its own sandbox (`$MONEYKIT_SANDBOX_BIN`, else the repository's target/release or
target/debug binary), warms every variant up, then times single calls in interleaved
rounds (so machine load hits every variant alike) and prints the median and 90th
percentile of each, and the ratios. Both sides send the same request: bearer token,
`moneykit-version`, `Accept: application/json`; both decode amounts as Decimal.

Variants:
  moneykit_native get_identity       typed dataclasses (the API most users call)
  moneykit_native get_identity_json  the JSON text only (the native call itself)
  urllib.request + json.loads        a new connection per call (urllib has no keep-alive)
  http.client keep-alive + json      one persistent connection (stdlib at its best)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Callable, Dict, List

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
if (HERE / "src" / "moneykit_native").is_dir():
    sys.path.insert(0, str(HERE / "src"))  # this checkout's code, not an installed copy

import moneykit_native as mk  # noqa: E402

TOKEN = "sandbox-access-token"
LINK = "mk_sandbox_ok"


def sandbox_binary() -> str:
    env = os.environ.get("MONEYKIT_SANDBOX_BIN")
    if env:
        return env
    for profile in ("release", "debug"):
        p = REPO / "target" / profile / "moneykit-sandbox"
        if p.is_file():
            return str(p)
    sys.exit("moneykit-sandbox not found: run `make build` or set MONEYKIT_SANDBOX_BIN")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=2000, help="timed calls per variant (default 2000)")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    ap.add_argument("--warmup", type=int, default=200, help="untimed calls per variant first")
    args = ap.parse_args()

    for var in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        os.environ.pop(var, None)
    proc = subprocess.Popen(
        [sandbox_binary(), "--addr", "127.0.0.1:0"], stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("listening on "):
            sys.exit(f"sandbox did not start: {line!r}")
        url = line[len("listening on "):].strip()
        run(url, args.calls, args.rounds, args.warmup)
    finally:
        proc.kill()
        proc.wait()


def run(url: str, calls: int, rounds: int, warmup: int) -> None:
    headers = {
        "Authorization": f"Bearer {TOKEN}",
        "moneykit-version": "2023-02-18",
        "Accept": "application/json",
    }
    path = f"/links/{LINK}/identity"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    client = mk.Client(access_token=TOKEN, base_url=url, max_retries=0)
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)

    def native_typed() -> None:
        r = client.get_identity(LINK)
        assert len(r.accounts) == 2

    def native_json() -> None:
        assert client.get_identity_json(LINK)

    def urllib_json() -> None:
        req = urllib.request.Request(url + path, headers=headers)
        with opener.open(req, timeout=10) as resp:
            data = json.loads(resp.read(), parse_float=Decimal)
        assert len(data["accounts"]) == 2

    def keepalive_json() -> None:
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        data = json.loads(resp.read(), parse_float=Decimal)
        assert resp.status == 200 and len(data["accounts"]) == 2

    variants: Dict[str, Callable[[], None]] = {
        "moneykit_native get_identity": native_typed,
        "moneykit_native get_identity_json": native_json,
        "urllib.request + json.loads": urllib_json,
        "http.client keep-alive + json": keepalive_json,
    }
    samples: Dict[str, List[int]] = {name: [] for name in variants}
    for fn in variants.values():
        for _ in range(warmup):
            fn()
    per_round = max(1, calls // rounds)
    for _ in range(rounds):
        for name, fn in variants.items():
            out = samples[name]
            for _ in range(per_round):
                t0 = time.perf_counter_ns()
                fn()
                out.append(time.perf_counter_ns() - t0)
    client.close()
    conn.close()

    def q(xs: List[int], p: float) -> float:
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(p * len(xs)))] / 1000.0

    print(f"moneykit_native {mk.__version__} (libmoneykit {mk.library_version()}), "
          f"Python {platform.python_version()}, sandbox {url}, {LINK} "
          f"({body_len(url, headers, path)} byte body)")
    print(f"{rounds} interleaved rounds x {per_round} calls per variant, after {warmup} warm-up calls")
    print(f"{'variant':<36} {'median us':>10} {'p90 us':>10}")
    medians: Dict[str, float] = {}
    for name, xs in samples.items():
        medians[name] = statistics.median(xs) / 1000.0
        print(f"{name:<36} {medians[name]:>10.1f} {q(xs, 0.9):>10.1f}")
    base = medians["moneykit_native get_identity"]
    print(f"ratio urllib.request / moneykit_native get_identity:   "
          f"{medians['urllib.request + json.loads'] / base:.2f}x")
    print(f"ratio http.client keep-alive / moneykit_native get_identity: "
          f"{medians['http.client keep-alive + json'] / base:.2f}x")
    print(f"ratio urllib.request / moneykit_native get_identity_json: "
          f"{medians['urllib.request + json.loads'] / medians['moneykit_native get_identity_json']:.2f}x")


def body_len(url: str, headers: Dict[str, str], path: str) -> int:
    req = urllib.request.Request(url + path, headers=headers)
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req, timeout=10) as r:
        return len(r.read())


if __name__ == "__main__":
    main()
