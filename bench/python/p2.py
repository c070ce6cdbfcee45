"""P2: moneykit_native (get_identity, get_identity_json) vs the official MoneyKit SDK
(`moneykit` on PyPI) vs requests.Session + json, against the sandbox at
$MONEYKIT_BASE_URL, interleaved batches. Prints one JSON line.

P2d (same process, same batches): `native_typed_read` is `get_identity` followed by reading
every field of the result recursively (read_all.py), against `native_json`
(`get_identity_json`, the body as a str, not parsed); the ratio of their client CPU per
call is printed on stderr and reported against the target (<= 1.5x).

Wall per call: time.perf_counter_ns around each call (median over all calls).
Client CPU per call: time.process_time_ns over each batch / batch size (median over
batches); the sandbox runs in another process, so this is the client's own CPU.

    python p2.py [--rounds R] [--batch B]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from typing import Callable, Dict, List

TOKEN = "sandbox-access-token"
LINK = "mk_sandbox_ok"
VERSION = "2023-02-18"


def percentile(sorted_v: List[float], p: float) -> float:
    return sorted_v[int(round((len(sorted_v) - 1) * p))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--batch", type=int, default=60)
    args = ap.parse_args()
    base = os.environ.get("MONEYKIT_BASE_URL")
    if not base:
        print("MONEYKIT_BASE_URL is not set", file=sys.stderr)
        return 2

    sides: Dict[str, Callable[[], object]] = {}
    versions: Dict[str, str] = {}
    skipped: Dict[str, str] = {}

    # Ours.
    try:
        import moneykit_native as mkn  # type: ignore[import-not-found]

        client = mkn.Client(base_url=base, access_token=TOKEN, max_retries=0)
        sides["native_typed"] = lambda: client.get_identity(LINK)
        sides["native_json"] = lambda: client.get_identity_json(LINK)
        versions["moneykit_native"] = getattr(mkn, "__version__", "?")
        try:
            from moneykit_native import _models  # type: ignore[import-not-found]

            sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
            from read_all import count_generic, make_reader

            read_all = make_reader(mkn.IdentityResponse, vars(_models))
            sample = client.get_identity(LINK)
            fields_read = read_all(sample)
            assert fields_read == count_generic(sample), (fields_read, count_generic(sample))
            sides["native_typed_read"] = lambda: read_all(client.get_identity(LINK))
            versions["fields_read"] = str(fields_read)
            versions["decoder"] = getattr(_models, "DECODER", "json")
        except Exception as e:
            skipped["native_typed_read"] = f"{type(e).__name__}: {e}"
    except Exception as e:  # the binding may not exist yet
        skipped["native"] = f"moneykit_native unavailable: {type(e).__name__}: {e}"

    # The official SDK, configured with the static token against the sandbox.
    try:
        import moneykit  # type: ignore[import-untyped]
        from moneykit.api.identity_api import IdentityApi  # type: ignore[import-untyped]

        conf = moneykit.Configuration(host=base, access_token=TOKEN)
        api_client = moneykit.ApiClient(conf)
        api_client.set_default_header("moneykit-version", VERSION)
        sdk = IdentityApi(api_client)
        sides["sdk"] = lambda: sdk.get_identities(id=LINK)
        versions["moneykit"] = getattr(moneykit, "__version__", "?")
    except Exception as e:
        skipped["sdk"] = f"moneykit SDK unavailable: {type(e).__name__}: {e}"

    # requests.Session + json.
    try:
        import requests

        session = requests.Session()
        session.headers.update(
            {
                "Authorization": f"Bearer {TOKEN}",
                "moneykit-version": VERSION,
                "Accept": "application/json",
            }
        )
        url = f"{base}/links/{LINK}/identity"

        def via_requests() -> object:
            r = session.get(url, timeout=30)
            r.raise_for_status()
            return json.loads(r.content)

        sides["requests"] = via_requests
        versions["requests"] = requests.__version__
    except Exception as e:
        skipped["requests"] = f"requests unavailable: {type(e).__name__}: {e}"

    # Sanity: every side returns the same two accounts.
    for name, fn in list(sides.items()):
        try:
            out = fn()
            for _ in range(30):  # warm connections, caches, imports
                fn()
        except Exception as e:
            skipped[name] = f"{type(e).__name__}: {e}"
            del sides[name]
            continue
        if isinstance(out, int):  # native_typed_read: the fields it read (checked above)
            continue
        if isinstance(out, str):
            n = len(json.loads(out)["accounts"])
        elif isinstance(out, dict):
            n = len(out["accounts"])
        else:
            n = len(out.accounts)  # type: ignore[attr-defined]
        assert n >= 2, (name, n)

    names = list(sides)
    wall: Dict[str, List[float]] = {n: [] for n in names}
    cpu: Dict[str, List[float]] = {n: [] for n in names}
    t0 = time.perf_counter()
    for r in range(args.rounds):
        for k in range(len(names)):
            name = names[(r + k) % len(names)]  # rotate the order every round
            fn = sides[name]
            w = wall[name]
            c0 = time.process_time_ns()
            for _ in range(args.batch):
                s = time.perf_counter_ns()
                fn()
                w.append(time.perf_counter_ns() - s)
            cpu[name].append((time.process_time_ns() - c0) / args.batch)
    out: Dict[str, object] = {
        "bench": "p2",
        "python": sys.version.split()[0],
        "versions": versions,
        "rounds": args.rounds,
        "batch": args.batch,
        "seconds": time.perf_counter() - t0,
        "skipped": skipped,
    }
    for name in names:
        w = sorted(wall[name])
        out[name] = {
            "calls": len(w),
            "median_ns": statistics.median(w),
            "p10_ns": percentile(w, 0.1),
            "p90_ns": percentile(w, 0.9),
            "cpu_ns_per_call": statistics.median(cpu[name]),
        }
    if "native_typed_read" in out and "native_json" in out:
        typed = out["native_typed_read"]["cpu_ns_per_call"]  # type: ignore[index]
        js = out["native_json"]["cpu_ns_per_call"]  # type: ignore[index]
        print(
            f"P2d: get_identity + read every field {typed / 1000:.1f} us vs get_identity_json "
            f"{js / 1000:.1f} us client CPU per call: {typed / js:.2f}x (target <= 1.5x)",
            file=sys.stderr,
        )
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
