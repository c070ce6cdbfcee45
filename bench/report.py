"""Writes bench/RESULTS.md from the raw results of bench/run.sh (stdlib only).

    python3 bench/report.py build/bench/results bench/RESULTS.md
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

RES: Path
J = Dict[str, Any]


def load(name: str) -> Optional[J]:
    p = RES / f"{name}.json"
    if not p.exists():
        return None
    try:
        return json.loads(p.read_text().strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def text(name: str) -> Optional[str]:
    p = RES / name
    return p.read_text() if p.exists() else None


def skipped(name: str) -> str:
    return (text(f"{name}.skipped.txt") or "no result").strip()


def sh(*cmd: str) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def us(ns: Optional[float]) -> str:
    if ns is None:
        return "—"
    return f"{ns / 1000:.1f} µs"


def ratio(x: float) -> str:
    return f"{x:.2f}×"


def verdict(ok: Optional[bool]) -> str:
    return {True: "**met**", False: "**missed**", None: "not run"}[ok]


# ------------------------------------------------------------------ machine


def machine() -> List[str]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    commit = sh("git", "rev-parse", "--short=12", "HEAD") or "?"
    dirty = sh("git", "status", "--porcelain", "--untracked-files=no", "--", "src", "sandbox",
               "include", "Cargo.toml", "Cargo.lock", "bindings", "bench")
    if dirty:
        commit += f" (plus uncommitted changes in {len(dirty.splitlines())} tracked file(s))"
    ls = (text("load_start.txt") or "?").strip()
    le = (text("load_end.txt") or "?").strip()
    tools = [
        sh("rustc", "--version"),
        (sh("cc", "--version").splitlines() or [""])[0],
        f"Python {platform.python_version()}",
        sh("go", "version").replace("go version ", "Go "),
    ]
    p4 = load("p4")
    if p4:
        tools.append(f"libcurl {p4.get('curl_version', '?')}")
    p2 = load("p2")
    if p2:
        v = p2.get("versions", {})
        tools.append(f"moneykit (official SDK) {v.get('moneykit', '?')}, requests {v.get('requests', '?')}")
    return [
        f"- Machine: {os.cpu_count()} cores, {model}, {mem} RAM, Linux {platform.release()}",
        f"- Date: {dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Commit: `{commit}`",
        f"- Load average (1/5/15 min) at start: {ls}; at end: {le}",
        (f"- Single-connection pairs (P1-P4, profiles) ran with client and sandbox pinned to CPU "
         f"{pin} (`taskset`): see \"Method\" in README.md"
         if (pin := (text("pin_cpu.txt") or "").strip()) else
         "- Not pinned to a CPU (BENCH_PIN_CPU=none or no taskset)"),
        f"- Whole run: {(text('elapsed_s.txt') or '?').strip()} s",
        f"- Tools: {'; '.join(t for t in tools if t)}",
    ]


# ------------------------------------------------------------------ Go


def p3_results(name: str = "p3.txt") -> Optional[Dict[str, Dict[str, float]]]:
    t = text(name)
    if not t:
        return None
    runs: Dict[str, Dict[str, List[float]]] = {}
    for line in t.splitlines():
        m = re.match(r"Benchmark(\w+?)(?:-\d+)?\s+(\d+)\s+(.*)", line)
        if not m:
            continue
        name, rest = m.group(1), m.group(3)
        metrics = dict((unit, float(val)) for val, unit in re.findall(r"([\d.]+) (\S+)", rest))
        d = runs.setdefault(name, {})
        for unit, val in metrics.items():
            d.setdefault(unit, []).append(val)
    return {n: {u: statistics.median(v) for u, v in d.items()} | {"rounds": len(d.get("ns/op", []))}
            for n, d in runs.items()}


# ------------------------------------------------------------------ profiles


def callgrind_total(side: str) -> Optional[int]:
    log = text(f"callgrind.{side}.log") or ""
    m = re.search(r"Collected : (\d+)", log)
    return int(m.group(1)) if m else None


def callgrind_top(side: str, n: int = 15) -> List[Tuple[int, float, str]]:
    t = text(f"callgrind.{side}.txt") or ""
    out = []
    for line in t.splitlines():
        m = re.match(r"\s*([\d,]+) \(\s*([\d.]+)%\)\s+(.*)", line)
        if m and "PROGRAM TOTALS" not in line:
            fn = m.group(3)
            fn = re.sub(r"\s*\[[^\]]*\]$", "", fn)  # object file
            fn = re.sub(r"^.*?/(registry/src/[^/]+/|rustc/[0-9a-f]+/)", "", fn)
            fn = fn.replace("/work/main/", "")
            out.append((int(m.group(1).replace(",", "")), float(m.group(2)), fn))
    return out[:n]


def perf_p6() -> Optional[J]:
    """The P6 2-thread perf profile: kernel share, lock-code share, top symbols."""
    rows = []
    for line in (text("perf.p6.txt") or "").splitlines():
        m = re.match(r"\s*([\d.]+)%\s+\[(k|\.)\]\s+(.+?)\s*(?:-\s+-)?\s*$", line)
        if m:
            rows.append((float(m.group(1)), m.group(2) == "k", m.group(3)))
    if not rows:
        return None
    lock = re.compile(r"futex|mutex|rwlock|RwLock|Mutex|parking_lot|sys::sync|lll_lock", re.I)
    return {
        "kernel": sum(pct for pct, k, _ in rows if k),
        "locks": sum(pct for pct, _, name in rows if lock.search(name)),
        "top": rows[:3],
    }


def strace_counts(side: str) -> Dict[str, int]:
    t = text(f"strace.{side}.txt") or ""
    out: Dict[str, int] = {}
    for line in t.splitlines():
        parts = line.split()
        if len(parts) >= 5 and parts[0][0].isdigit() and parts[-1] != "total":
            try:
                out[parts[-1]] = int(parts[3])
            except ValueError:
                pass
    return out


# ------------------------------------------------------------------ report


def batch_section() -> List[str]:
    """P9 (issue 15): the batch API vs a thread pool of 16 over the single call."""
    b = load("batch")
    if not b:
        return ["### P9: Batch (issue 15)", "", f"Not run: {skipped('batch')}", ""]
    rows = []
    for key, name in (("ours", "mk_batch (defaults)"), ("baseline_pool16", "pool of 16 over mk_get_identity")):
        s = b[key]
        rows.append(f"| {name} | {s['links']} | {s['ok']} | {s['secs']:.2f} s | {s['allowed_secs']:.2f} s "
                    f"| {s['time_over_allowed']:.3f}× | {s['achieved_over_allowed']:.3f} | {s['rate_limited']} |")
    ok = b["ours"]["time_over_allowed"] <= 1.05 and b["ours"]["rate_limited"] == 0
    return [
        "### P9: Batch (issue 15)",
        "",
        f"Realistic sandbox in-process: {b['app_per_minute']:.0f}/min per app, {b['link_per_minute']}/min per link, "
        f"latency {b['latency_ms']} ms, time scale {b['time_scale']:.0f} (a minute lasts "
        f"{60 / b['time_scale']:.1f} s). Target: within 1.05× the time the app limit allows, 0 rate-limited "
        f"answers: {verdict(ok)}.",
        "",
        "| side | links | ok | wall | allowed | time / allowed | achieved / allowed rate | 429s |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]


def fleet_section() -> List[str]:
    """P12 (issue 28): four processes, one app budget through Redis (moneykit-bench fleet)."""
    f = load("fleet")
    if not f:
        return ["### P12: Fleet coordination through Redis (issue 28)", "", f"Not run: {skipped('fleet')}", ""]
    c, u, lat = f["coordinated"], f["uncoordinated"], f["latency"]
    rows = []
    for s, name in ((c, "with `coordination_url` (one Redis)"), (u, "without coordination")):
        trips = (f"{s['round_trips_per_1000_calls']:.0f} ({s['redis_round_trips']}; Redis counted "
                 f"{s['redis_scripts']} scripts)") if "redis_round_trips" in s else "—"
        rows.append(f"| {name} | {s['processes']} × {s['links'] // s['processes']} | {s['ok']} | {s['failed']} "
                    f"| {s['secs']:.2f} s | {s['allowed_secs']:.2f} s | {s['time_over_allowed']:.3f}× "
                    f"| {s['rate_limited']} (app {s['rate_limited_app']}, link {s['rate_limited_link']}) | {trips} |")
    ok = c["time_over_allowed"] <= 1.05 and c["rate_limited"] == 0 and c["failed"] == 0
    on, off = lat["on"], lat["off"]
    lrows = [
        f"| {name} | {us(s['median_ns'])} | {us(s['p10_ns'])} | {us(s['p90_ns'])} | {us(s['p99_ns'])} "
        f"| {us(s['cpu_ns_per_call'])} |"
        for s, name in ((off, "`get_identity`, no coordination"),
                        (on, "`get_identity` with coordination (one permit per call)"))
    ]
    return [
        "### P12: Fleet coordination through Redis (issue 28)",
        "",
        f"Four processes (`moneykit-bench fleet-worker`), each a batch (defaults) over its own "
        f"{c['links'] // c['processes']} distinct `mk_sandbox_bulk_<n>` links, against one realistic sandbox "
        f"({f['app_per_minute']:.0f}/min per app, {f['link_per_minute']}/min per link, latency {f['latency_ms']} ms, "
        f"time scale {f['time_scale']:.0f}) and one `redis-server` {f['redis_version']} started by the bench "
        "(loopback, no persistence). Wall time from the start signal to the last result. Target with "
        f"coordination: within 1.05× the time the app limit allows, 0 rate-limited answers: {verdict(ok)}. "
        "Without coordination every process believes it owns the whole budget; the 429s are the point.",
        "",
        "| run | processes × links | ok | failed | wall | allowed | time / allowed | 429s | Redis round trips per 1,000 calls |",
        "|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"Cost of coordination per single call: {lat['calls_per_side']} `get_identity` calls per side, two clients "
        "in one process against a plain sandbox (no limits, no latency) on loopback, interleaved batches with "
        f"rotating order, {lat['round_trips_per_call']:.2f} Redis round trips per call (the coordinated client's "
        "budget is far above what the calls use, so no call waits for room). Median "
        f"{lat['median_ratio']:.2f}× (+{lat['median_added_us']:.0f} µs), p99 {lat['p99_ratio']:.2f}× "
        f"(+{lat['p99_added_us']:.0f} µs), client CPU +{lat['cpu_added_us']:.0f} µs per call.",
        "",
        "| side | median | p10 | p90 | p99 | client CPU/call |",
        "|---|---|---|---|---|---|",
        *lrows,
        "",
    ]


def view_section() -> List[str]:
    """P11 (issue 16): the typed C view (moneykit-bench view)."""
    v = load("view")
    if not v:
        return ["### P11: Typed view (issue 16)", "", f"Not run: {skipped('view')}", ""]
    us = lambda ns: f"{ns / 1000:.1f} µs" if ns < 1e6 else f"{ns / 1e6:.2f} ms"
    return [
        "### P11: Typed view (issue 16)",
        "",
        f"`mk_identity_parse` of `{v['link']}` ({v['body_bytes']} bytes), {v['iters']} iterations interleaved "
        f"with the validator alone; median MB/s (10^6 bytes). `mk_identity_parse` checks the body and "
        f"builds the view in one pass (the validator's own, reading into the view). Target ≥ 500 MB/s "
        f"parse-to-view: {verdict(v['parse_to_view_mb_s'] >= 500)}.",
        "",
        "| what | MB/s |",
        "|---|---|",
        f"| **P11** `mk_identity_parse` (validate and build the view, one pass) | {v['parse_to_view_mb_s']:.0f} |",
        f"| `validate_identity` alone (the same pass, nothing kept) | {v['validate_only_mb_s']:.0f} |",
        f"| what building adds to the pass (derived: 1 / (1/parse − 1/validate)) | {v['build_only_mb_s']:.0f} |",
        "",
        f"Per call, median of {v['rounds']} interleaved batches of {v['batch']} (`mk_sandbox_large`: 5 × 2), "
        "including the free; `mk_get_identity_view` is the get (which validates the body) and then "
        "`mk_identity_parse`'s pass:",
        "",
        "| link | `mk_get_identity` (JSON) | `mk_get_identity_view` (typed) |",
        "|---|---|---|",
        f"| `mk_sandbox_ok` | {us(v['ok_json_get_ns'])} | {us(v['ok_typed_get_ns'])} |",
        f"| `mk_sandbox_large` | {us(v['large_json_get_ns'])} | {us(v['large_typed_get_ns'])} |",
        "",
    ]


def webhooks_section() -> List[str]:
    """P13 (issue 26): webhook verification (moneykit-bench webhooks)."""
    w = load("webhooks")
    if not w:
        return ["### P13: Webhook verification (issue 26)", "", f"Not run: {skipped('webhooks')}", ""]
    return [
        "### P13: Webhook verification (issue 26)",
        "",
        f"A `link.product_refresh` delivery ({w['body_bytes']} B body, {w['header_bytes']} B "
        "`MoneyKit-Signature`) signed by a key the in-process sandbox publishes; the keys are "
        "fetched once before timing, so every verification is cached-key work only. Per second of "
        f"the bench thread's CPU, median of {w['rounds']} interleaved rounds of {w['batch']}:",
        "",
        "| what | per second | of raw verify |",
        "|---|---|---|",
        f"| `ring` P-256 verify (`ECDSA_P256_SHA256_FIXED`) of the token: the floor | {w['raw_verify_per_s']:,.0f} | 1.00 |",
        f"| the same plus SHA-256 of the body | {w['raw_verify_sha256_per_s']:,.0f} | "
        f"{w['raw_verify_sha256_per_s'] / w['raw_verify_per_s']:.2f} |",
        f"| **P13** `mk_webhook_verify` (C ABI; parse, key, signature, times, body hash, event check, strings out) | "
        f"{w['c_abi_per_s']:,.0f} | {w['c_abi_over_raw']:.2f} |",
        f"| `core::WebhookVerifier::verify` (Rust) | {w['rust_per_s']:,.0f} | {w['rust_over_raw']:.2f} |",
        f"| `mk_webhook_verify` with the duplicate check, a new key each time, then `mk_webhook_done` | "
        f"{w['c_abi_seen_per_s']:,.0f} | {w['c_abi_seen_over_raw']:.2f} |",
        "",
    ]


def match_section() -> List[str]:
    """P10 (issue 14): owner match (moneykit-bench match)."""
    m = load("match")
    if not m:
        return ["### P10: Owner match (issue 14)", "", f"Not run: {skipped('match')}", ""]
    ok, lg = m["ok"], m["large"]
    rate = lambda r: f"{r:,.0f}" if r >= 100 else f"{r:.1f}"
    return [
        "### P10: Owner match (issue 14)",
        "",
        f"Claims per second of CPU time (wall-clock beside it), median of {m['rounds']} rounds, four claim "
        f"shapes in turn; load average {m['load_avg_1m']} at the start. Target ≥ 100,000 claim checks per "
        f"second per core on `mk_sandbox_ok` (identity parsed once): "
        f"{verdict(ok['prepared_identity_claims_per_s'] >= 100_000)}.",
        "",
        "| identity | owners | `mk_match_owners` per call | identity parsed once, per claim |",
        "|---|---|---|---|",
        f"| `mk_sandbox_ok` | {ok['owners']} | {rate(ok['c_abi_per_s'])} ({rate(ok['c_abi_wall_per_s'])}) "
        f"| {rate(ok['prepared_identity_claims_per_s'])} ({rate(ok['prepared_identity_claims_wall_per_s'])}) |",
        f"| `mk_sandbox_large` | {lg['owners']} | {rate(lg['c_abi_per_s'])} ({rate(lg['c_abi_wall_per_s'])}) "
        f"| {rate(lg['prepared_identity_claims_per_s'])} ({rate(lg['prepared_identity_claims_wall_per_s'])}) |",
        "",
    ] + ([
        "P10b (issue 25): `mk_match_owners` per call on `mk_sandbox_ok` (two accounts) with the full claim and "
        f"a different phone number in every call: {rate(m['unique_phone_c_abi_per_s'])}/s of CPU "
        f"({rate(m['unique_phone_c_abi_wall_per_s'])}/s wall), target ≥ 50,000/s per core: "
        f"{verdict(m['unique_phone_c_abi_per_s'] >= 50_000)}. The first `mk_match_owners` call in a fresh "
        f"process (median of several processes): {m['first_match_cpu_ms']:.1f} ms of CPU "
        f"({m['first_match_wall_ms']:.1f} ms wall), target ≤ 5 ms: {verdict(m['first_match_cpu_ms'] <= 5)}.",
        "",
    ] if "first_match_cpu_ms" in m else [])


def main() -> int:
    global RES
    RES = Path(sys.argv[1])
    dest = Path(sys.argv[2])
    rows: List[str] = []
    details: List[str] = []
    findings: List[str] = []
    thread_per_call = False

    def row(num: str, pair: str, ours: str, theirs: str, r: str, cpu: str, target: str,
            ok: Optional[bool]) -> None:
        rows.append(f"| {num} | {pair} | {ours} | {theirs} | {r} | {cpu} | {target} | {verdict(ok)} |")

    rps = load("rps")
    rps_pinned = load("rps_pinned")
    p1, p2, p4, p5, p6, p7, p8 = (load(n) for n in ("p1", "p2", "p4", "p5", "p6", "p7", "p8"))
    p3 = p3_results()

    # P1
    if p1:
        o, t = p1["ours"], p1["theirs"]
        r = o["median_ns"] / t["median_ns"]
        rc = o["cpu_ns_per_call"] / t["cpu_ns_per_call"]
        row("P1", "Rust: `mk_get_identity` via the C ABI vs raw `ureq` Agent + serde_json typed struct",
            us(o["median_ns"]), us(t["median_ns"]), ratio(r),
            f"{us(o['cpu_ns_per_call'])} vs {us(t['cpu_ns_per_call'])} ({ratio(rc)})", "≤ 1.05×", r <= 1.05)
        details += [
            "### P1: Rust, C ABI vs raw ureq + serde_json (in-process sandbox)",
            "",
            f"`{p1['link']}` ({p1['body_bytes']} bytes), {p1['rounds']} rounds × {p1['batch']} calls per side, "
            "sides rotated every round. Wall = per-call `Instant` (median over all calls); client CPU = "
            "process CPU minus the sandbox threads' CPU (`/proc/self/task/*/schedstat`) per batch, median "
            "over batches (threads the client starts are counted). Client and sandbox threads pinned to "
            "one CPU (see the machine section).",
            "",
            "| side | median | p10 | p90 | p99 | client CPU/call | ratio to raw ureq (median) |",
            "|---|---|---|---|---|---|---|",
        ]
        labels = [
            ("ours", "**ours**: `mk_get_identity` (C ABI)"),
            ("ours_token", "`mk_get_identity`, client id + secret (cached token, the default auth)"),
            ("core", "`moneykit::core::Client::get_identity` (Rust, no C ABI)"),
            ("theirs", "**theirs**: raw ureq `Agent::new_with_defaults()` + serde_json"),
            ("theirs_timeouts", "raw ureq + the core's timeouts (global 30 s, connect 10 s)"),
            ("theirs_timeouts_caching_resolver", "raw ureq + timeouts + a caching resolver (the fix, as in `src/core/resolver.rs`)"),
        ]
        for key, label in labels:
            s = p1.get(key)
            if not s:
                continue
            details.append(
                f"| {label} | {us(s['median_ns'])} | {us(s['p10_ns'])} | {us(s['p90_ns'])} | "
                f"{us(s['p99_ns'])} | {us(s['cpu_ns_per_call'])} | {ratio(s['median_ns'] / t['median_ns'])} |")
        details.append("")
    else:
        row("P1", "Rust C ABI vs raw ureq", "—", "—", "—", "—", "≤ 1.05×", None)
        details += ["### P1", "", f"Not run: {skipped('p1')}", ""]

    # P2
    if p2 and "native_typed" in p2:
        ty, js = p2["native_typed"], p2["native_json"]
        sdk, rq = p2.get("sdk"), p2.get("requests")

        def sp(base: Optional[J], ours: J, target: float, pair: str, num: str) -> None:
            if not base:
                row(num, pair, us(ours["median_ns"]), "—", "—", "—", f"≥ {target:g}× faster", None)
                return
            s = base["median_ns"] / ours["median_ns"]
            sc = base["cpu_ns_per_call"] / ours["cpu_ns_per_call"]
            row(num, pair, us(ours["median_ns"]), us(base["median_ns"]), f"{s:.2f}× faster",
                f"{us(ours['cpu_ns_per_call'])} vs {us(base['cpu_ns_per_call'])} ({sc:.2f}× less)",
                f"≥ {target:g}× faster", s >= target)

        sp(sdk, ty, 10, "Python: `moneykit_native` `get_identity` (typed) vs official SDK `moneykit`", "P2a")
        sp(rq, ty, 5, "Python: `get_identity` (typed) vs `requests.Session` + `json`", "P2b")
        sp(sdk, js, 20, "Python: `get_identity_json` vs official SDK", "P2c")
        tr = p2.get("native_typed_read")
        pair_d = "Python typed / JSON client CPU: `get_identity` + reading every field vs `get_identity_json`"
        if tr:
            rd = tr["cpu_ns_per_call"] / js["cpu_ns_per_call"]
            row("P2d", pair_d, us(tr["median_ns"]), us(js["median_ns"]),
                ratio(tr["median_ns"] / js["median_ns"]),
                f"{us(tr['cpu_ns_per_call'])} vs {us(js['cpu_ns_per_call'])} ({ratio(rd)})",
                "CPU ≤ 1.5×", rd <= 1.5)
        else:
            row("P2d", pair_d, "—", "—", "—", "—", "CPU ≤ 1.5×", None)
        details += [
            "### P2: Python (sandbox in another process)",
            "",
            f"{p2['rounds']} rounds × {p2['batch']} calls per side, order rotated every round. Wall = "
            "`perf_counter_ns` per call (median); client CPU = `time.process_time_ns` per batch / batch "
            "(median). Official SDK configured with `Configuration(host=<sandbox>, "
            "access_token='sandbox-access-token')`.",
            "",
            "| side | median | p10 | p90 | client CPU/call |",
            "|---|---|---|---|---|",
        ]
        for key, label in [("native_typed", "`moneykit_native` `get_identity` (dataclasses, Decimal, datetime)"),
                           ("native_json", "`moneykit_native` `get_identity_json` (str)"),
                           ("native_typed_read", "P2d: `get_identity` + reading every field "
                            f"({p2.get('versions', {}).get('fields_read', '?')} fields, "
                            "bench/python/read_all.py; JSON decoder: "
                            f"{p2.get('versions', {}).get('decoder', '?')})"),
                           ("sdk", "official SDK `IdentityApi.get_identities` (pydantic)"),
                           ("requests", "`requests.Session().get` + `json.loads`")]:
            s = p2.get(key)
            if s:
                details.append(f"| {label} | {us(s['median_ns'])} | {us(s['p10_ns'])} | {us(s['p90_ns'])} | "
                               f"{us(s['cpu_ns_per_call'])} |")
        if p2.get("skipped"):
            details.append("")
            details.append(f"Skipped sides: {p2['skipped']}")
        details.append("")
    else:
        reason = skipped("p2") if not p2 else f"moneykit_native not importable: {p2.get('skipped')}"
        for num, pair, tg in [("P2a", "Python typed vs SDK", 10), ("P2b", "Python typed vs requests", 5),
                              ("P2c", "Python JSON vs SDK", 20)]:
            row(num, pair, "—", "—", "—", "—", f"≥ {tg}× faster", None)
        row("P2d", "Python typed / JSON client CPU", "—", "—", "—", "—", "CPU ≤ 1.5×", None)
        details += ["### P2", "", f"Not run: {reason}", ""]

    # P3
    if p3 and "GetIdentity" in p3 and "NetHTTP" in p3:
        o, t, j = p3["GetIdentity"], p3["NetHTTP"], p3.get("GetIdentityJSON")
        r = o["ns/op"] / t["ns/op"]
        cpu = ""
        if "cpu-ns/op" in o and "cpu-ns/op" in t:
            cpu = (f"{us(o['cpu-ns/op'])} vs {us(t['cpu-ns/op'])} "
                   f"({ratio(o['cpu-ns/op'] / t['cpu-ns/op'])})")
        row("P3", "Go: `GetIdentity` vs net/http + encoding/json into the same structs",
            us(o["ns/op"]), us(t["ns/op"]), ratio(r), cpu, "≤ 1.0×", r <= 1.0)
        details += [
            "### P3: Go (`go test -bench`, sandbox in another process)",
            "",
            f"{int(o['rounds'])} rounds, the three benchmarks in rotating order (one process each, "
            "same sandbox); median over rounds of ns/op. cpu-ns/op = `getrusage` user+sys of the "
            "test process / b.N. Judged with GOMAXPROCS = the machine's core count (Go's default "
            "here; pinning alone would make it 1); GOMAXPROCS=1 shown too: net/http's "
            "connection goroutines and a cgo call that blocks fare differently with one P.",
            "",
            "| benchmark | GOMAXPROCS | ns/op | cpu-ns/op | B/op | allocs/op |",
            "|---|---|---|---|---|---|",
        ]
        p3_1 = p3_results("p3_gomaxprocs1.txt") or {}
        for label, res_ in ((f"{os.cpu_count()} (judged)", p3), ("1", p3_1)):
            for name in ("GetIdentity", "GetIdentityJSON", "NetHTTP"):
                s = res_.get(name)
                if s:
                    details.append(f"| {name} | {label} | {us(s['ns/op'])} | {us(s.get('cpu-ns/op'))} | "
                                   f"{s.get('B/op', 0):.0f} | {s.get('allocs/op', 0):.0f} |")
        if p3_1.get("GetIdentity") and p3_1.get("NetHTTP"):
            details.append("")
            details.append(f"With GOMAXPROCS=1: GetIdentity / net/http = "
                           f"{ratio(p3_1['GetIdentity']['ns/op'] / p3_1['NetHTTP']['ns/op'])}.")
        if j:
            details.append("")
            details.append(f"`GetIdentityJSON` (raw bytes, no Go decoding) / net/http: "
                           f"{ratio(j['ns/op'] / t['ns/op'])}. GetIdentity − GetIdentityJSON = "
                           f"{us(o['ns/op'] - j['ns/op'])} is encoding/json into the binding's structs, which "
                           "the net/http side pays too.")
        details.append("")
    else:
        row("P3", "Go GetIdentity vs net/http", "—", "—", "—", "—", "≤ 1.0×", None)
        details += ["### P3", "", f"Not run: {skipped('p3')}", ""]

    # P4
    if p4:
        o, t = p4["ours"], p4["theirs"]
        r = o["median_ns"] / t["median_ns"]
        rc = o["cpu_ns_per_call"] / t["cpu_ns_per_call"]
        row("P4", "C: `mk_get_identity` vs libcurl (reused easy handle) + cJSON",
            us(o["median_ns"]), us(t["median_ns"]), ratio(r),
            f"{us(o['cpu_ns_per_call'])} vs {us(t['cpu_ns_per_call'])} ({ratio(rc)})", "≤ 1.0×", r <= 1.0)
        details += [
            "### P4: C, `mk_get_identity` vs libcurl + cJSON (sandbox in another process)",
            "",
            f"`{p4['link']}` ({p4['body_bytes']} bytes), libcurl {p4['curl_version']}, {p4['rounds']} rounds × "
            f"{p4['batch']} calls per side, alternating which side goes first. libcurl: one easy handle "
            "reused (keep-alive), the same headers and timeouts (30 s / 10 s), body into a growing "
            "buffer, `cJSON_ParseWithLength` + check `accounts` is an array and `link` an object. "
            "Client CPU = `CLOCK_PROCESS_CPUTIME_ID` per batch / batch.",
            "",
            "| side | median | p10 | p90 | p99 | client CPU/call |",
            "|---|---|---|---|---|---|",
        ]
        for key, label in [("ours", "ours"), ("theirs", "libcurl + cJSON")]:
            s = p4[key]
            details.append(f"| {label} | {us(s['median_ns'])} | {us(s['p10_ns'])} | {us(s['p90_ns'])} | "
                           f"{us(s['p99_ns'])} | {us(s['cpu_ns_per_call'])} |")
        details.append("")
    else:
        row("P4", "C vs libcurl + cJSON", "—", "—", "—", "—", "≤ 1.0×", None)
        details += ["### P4", "", f"Not run: {skipped('p4')}", ""]

    # P5
    if p5:
        v = p5["validate_mb_s"]
        row("P5", f"decode + validate `mk_sandbox_large` ({p5['body_bytes'] / 1e6:.2f} MB), client side",
            f"{v:.0f} MB/s", f"{p5['typed_serde_mb_s']:.0f} MB/s (serde typed struct)", "—",
            f"full call: {p5['full_call_cpu_mb_s']:.0f} MB/s of client CPU", "≥ 500 MB/s", v >= 500)
        details += [
            "### P5: decode + validate throughput (in-process sandbox)",
            "",
            f"Body: `{p5['link']}`, {p5['body_bytes']} bytes. {p5['iters']} iterations per decoder, "
            "interleaved; median MB/s (10^6 bytes).",
            "",
            "| decoder | MB/s |",
            "|---|---|",
            f"| **`moneykit::core::validate_identity`** (what every call runs) | {v:.0f} |",
        ]
        if "validate_from_str_mb_s" in p5:
            details.append(f"| `validate_identity_str` after one `str::from_utf8` (serde_json `from_str`) | "
                           f"{p5['validate_from_str_mb_s']:.0f} |")
        details += [
            f"| serde_json into the typed struct of P1 (owned Strings) | {p5['typed_serde_mb_s']:.0f} |",
            f"| `serde_json::Value` | {p5['value_mb_s']:.0f} |",
            f"| `serde::de::IgnoredAny` (JSON syntax only: the floor for serde_json) | {p5['ignored_any_mb_s']:.0f} |",
        ]
        if "utf8_check_mb_s" in p5:
            details.append(f"| `std::str::from_utf8` of the whole body | {p5['utf8_check_mb_s']:.0f} |")
        details += [
            "",
            f"Full `mk_get_identity` calls on `{p5['link']}` ({p5['full_calls']}): "
            f"{p5['full_call_wall_mb_s']:.0f} MB/s wall (includes the sandbox sending on loopback), "
            f"{p5['full_call_cpu_mb_s']:.0f} MB/s per client CPU second.",
            "",
        ]
    else:
        row("P5", "decode + validate large body", "—", "—", "—", "—", "≥ 500 MB/s", None)
        details += ["### P5", "", f"Not run: {skipped('p5')}", ""]

    # P6
    if p6:
        t1, t2, t8 = p6["t1"], p6["t2"], p6["t8"]
        s2 = t2["median_rps"] / t1["median_rps"]
        s8 = t8["median_rps"] / t1["median_rps"]
        row("P6a", "one shared client: 2 threads vs 1 thread, throughput",
            f"{t2['median_rps']:.0f} calls/s", f"{t1['median_rps']:.0f} calls/s (1 thread)", f"{s2:.2f}×",
            f"{us(t2['client_cpu_ns_per_call'])} vs {us(t1['client_cpu_ns_per_call'])}", "≥ 1.8×", s2 >= 1.8)
        row("P6b", "one shared client: 8 threads, errors",
            f"{t8['errors']} errors / {t8['calls']} calls", "—", f"{s8:.2f}× vs 1 thread",
            us(t8["client_cpu_ns_per_call"]), "no errors", t8["errors"] == 0)
        where = p6.get("sandbox", "?")
        details += [
            f"### P6: one shared client, 1 / 2 / 8 threads ({where} sandbox)",
            "",
            f"{p6['rounds']} rounds × {p6['secs_per_run']} s per configuration, order rotated; median calls/s. "
            "Client and sandbox CPU per call are measured separately (the sandbox's threads by "
            "`/proc/self/task/*/schedstat`).",
            "",
            "| threads | calls/s | vs 1 thread | client CPU/call | sandbox CPU/call | calls | errors |",
            "|---|---|---|---|---|---|---|",
        ]
        for t in (t1, t2, t8):
            details.append(f"| {t['threads']} | {t['median_rps']:.0f} | {t['median_rps'] / t1['median_rps']:.2f}× | "
                           f"{us(t['client_cpu_ns_per_call'])} | {us(t.get('sandbox_cpu_ns_per_call'))} | "
                           f"{t['calls']} | {t['errors']} |")
        if p6.get("first_error_status") is not None:
            details.append(f"\nFirst error status: {p6['first_error_status']}")
        cores = p6.get("cores") or os.cpu_count() or 1
        total = t1["client_cpu_ns_per_call"] + (t1.get("sandbox_cpu_ns_per_call") or 0)
        if total > 0 and t1.get("sandbox_cpu_ns_per_call"):
            wall1 = 1e9 / t1["median_rps"]
            ceiling = cores * wall1 / total
            details += [
                "",
                f"Client and sandbox share the machine's {cores} cores. With 1 thread a call takes "
                f"{wall1 / 1000:.1f} µs of wall time and {total / 1000:.1f} µs of CPU (client + sandbox), so "
                f"even a perfectly scaling client cannot do more than {cores} × {wall1 / 1000:.1f} / "
                f"{total / 1000:.1f} = **{ceiling:.2f}×** the 1-thread throughput on this machine, and "
                "less when other processes use the cores (see the load average above).",
            ]
        details.append("")
    else:
        row("P6a", "shared client 2 vs 1 threads", "—", "—", "—", "—", "≥ 1.8×", None)
        row("P6b", "8 threads errors", "—", "—", "—", "—", "no errors", None)
        details += ["### P6", "", f"Not run: {skipped('p6')}", ""]

    # P7
    if p7:
        g = p7["growth_kib"]
        row("P7", f"RSS after 1k vs after {p7['calls'] // 1000}k calls, one client",
            f"{p7['rss_end_kib']} KiB", f"{p7['rss_1k_kib']} KiB (after 1k)", f"+{g} KiB", "—",
            "growth ≤ 1 MiB", g <= 1024 and p7["errors"] == 0)
        marks = ", ".join(f"{m['calls'] // 1000}k: {m['rss_kib']} KiB" for m in p7["marks"])
        details += [
            "### P7: RSS growth (sandbox in another process)",
            "",
            f"VmRSS of the client process: before the first call {p7['rss_before_kib']} KiB; {marks}. "
            f"{p7['calls']} calls in {p7['seconds']:.1f} s, {p7['errors']} errors.",
            "",
        ]
    else:
        row("P7", "RSS growth", "—", "—", "—", "—", "growth ≤ 1 MiB", None)
        details += ["### P7", "", f"Not run: {skipped('p7')}", ""]

    # P8
    if p8:
        tok, at = p8["token"], p8["access_token"]
        row("P8a", "process start to first identity (dlopen + `mk_client_new` + first call), with client credentials (token fetch)",
            f"{tok['total_us'] / 1000:.2f} ms", "—", "—", f"{tok['process_cpu_us'] / 1000:.2f} ms process CPU",
            "≤ 5 ms", tok["total_us"] <= 5000)
        row("P8b", "same, with the `access_token` option (no token request)",
            f"{at['total_us'] / 1000:.2f} ms", "—", "—", f"{at['process_cpu_us'] / 1000:.2f} ms process CPU",
            "≤ 5 ms", at["total_us"] <= 5000)
        details += [
            "### P8: process start to first identity (C program using dlopen, sandbox in another process)",
            "",
            f"Median of {p8['runs']} processes per mode (modes alternated). Times from `main()` with "
            "`CLOCK_MONOTONIC`; fork→exit measured by the parent (includes exec, the dynamic loader and "
            "process teardown).",
            "",
            "| mode | dlopen | mk_client_new | first mk_get_identity | total (main → identity) | process CPU | fork → exit |",
            "|---|---|---|---|---|---|---|",
        ]
        for label, m in [("client id + secret (POST /auth/token, then GET)", tok),
                         ("`access_token` option", at)]:
            details.append(f"| {label} | {m['dlopen_us']:.0f} µs | {m['client_new_us']:.0f} µs | "
                           f"{m['first_call_us']:.0f} µs | {m['total_us']:.0f} µs | {m['process_cpu_us']:.0f} µs | "
                           f"{m['fork_to_exit_us']:.0f} µs |")
        details.append("")
    else:
        row("P8a", "process start to first identity, client credentials", "—", "—", "—", "—", "≤ 5 ms", None)
        row("P8b", "process start to first identity, `access_token`", "—", "—", "—", "—", "≤ 5 ms", None)
        details += ["### P8", "", f"Not run: {skipped('p8')}", ""]

    # P9-P11: one summary row each; their sections are after the details of P1-P8.
    bt = load("batch")
    if bt:
        o = bt["ours"]
        row("P9", "batch of links through one client (`mk_batch`, defaults) vs the time the app's rate limit allows",
            f"{o['secs']:.2f} s", f"{o['allowed_secs']:.2f} s allowed", f"{o['time_over_allowed']:.3f}×",
            f"{o['rate_limited']} rate-limited answers", "≤ 1.05×, no 429",
            o["time_over_allowed"] <= 1.05 and o["rate_limited"] == 0)
    else:
        row("P9", "batch vs the app's rate limit", "—", "—", "—", "—", "≤ 1.05×, no 429", None)
    mt = load("match")
    if mt:
        ok_ = mt["ok"]
        row("P10", "owner match: claims per CPU second against `mk_sandbox_ok` parsed once (`PreparedIdentity`)",
            f"{ok_['prepared_identity_claims_per_s']:,.0f}/s", "—", "—",
            f"`mk_match_owners` per call: {ok_['c_abi_per_s']:,.0f}/s", "≥ 100,000/s per core",
            ok_["prepared_identity_claims_per_s"] >= 100_000)
    else:
        row("P10", "owner match claims per second", "—", "—", "—", "—", "≥ 100,000/s per core", None)
    if mt and "first_match_cpu_ms" in mt:
        row("P10b", "owner match: `mk_match_owners` per call, a different phone in every claim (`mk_sandbox_ok`, "
            "two accounts); first call in a fresh process",
            f"{mt['unique_phone_c_abi_per_s']:,.0f}/s", "—", "—",
            f"first call: {mt['first_match_cpu_ms']:.1f} ms CPU", "≥ 50,000/s per core; first ≤ 5 ms",
            mt["unique_phone_c_abi_per_s"] >= 50_000 and mt["first_match_cpu_ms"] <= 5)
    else:
        row("P10b", "owner match per call with unique phones; first call in a fresh process", "—", "—", "—", "—",
            "≥ 50,000/s per core; first ≤ 5 ms", None)
    vw = load("view")
    if vw:
        row("P11", f"typed C view: `mk_identity_parse` of `mk_sandbox_large` ({vw['body_bytes'] / 1e6:.2f} MB), "
            "validate and build in one pass",
            f"{vw['parse_to_view_mb_s']:.0f} MB/s", f"{vw['validate_only_mb_s']:.0f} MB/s (validator alone)", "—",
            "—", "≥ 500 MB/s", vw["parse_to_view_mb_s"] >= 500)
    else:
        row("P11", "typed C view parse-to-view", "—", "—", "—", "—", "≥ 500 MB/s", None)
    fl = load("fleet")
    if fl:
        c, u, lat = fl["coordinated"], fl["uncoordinated"], fl["latency"]
        row("P12", f"four processes × {c['links'] // c['processes']} links, one app budget through Redis "
            "(`coordination_url`) vs the time the app's rate limit allows",
            f"{c['secs']:.2f} s", f"{c['allowed_secs']:.2f} s allowed", f"{c['time_over_allowed']:.3f}×",
            f"{c['rate_limited']} rate-limited answers; {c['round_trips_per_1000_calls']:.0f} Redis round trips "
            "per 1,000 calls", "≤ 1.05×, no 429",
            c["time_over_allowed"] <= 1.05 and c["rate_limited"] == 0 and c["failed"] == 0)
        rows.append(f"| P12 | the same four processes without coordination (context: each believes it owns the "
                    f"budget) | {u['secs']:.2f} s | {u['allowed_secs']:.2f} s allowed | {u['time_over_allowed']:.3f}× "
                    f"| {u['rate_limited']} rate-limited answers | 429s expected | context |")
        rows.append(f"| P12 | added latency of coordination per single call (`get_identity`, coordination on vs "
                    f"off, same run, plain sandbox) | {us(lat['on']['median_ns'])} | {us(lat['off']['median_ns'])} "
                    f"| {lat['median_ratio']:.2f}× | +{lat['median_added_us']:.0f} µs median, "
                    f"+{lat['p99_added_us']:.0f} µs p99; CPU +{lat['cpu_added_us']:.0f} µs | measured | context |")
    else:
        row("P12", "four processes, one app budget through Redis", "—", "—", "—", "—", "≤ 1.05×, no 429", None)
    wh = load("webhooks")
    if wh:
        row("P13", "webhook verification (`mk_webhook_verify`, cached keys, duplicate check off) vs `ring`'s raw "
            "P-256 verify of the same token, same run, per CPU second",
            f"{wh['c_abi_per_s']:,.0f}/s", f"{wh['raw_verify_per_s']:,.0f}/s", f"{wh['c_abi_over_raw']:.2f}×",
            f"Rust {wh['rust_over_raw']:.2f}×; with the duplicate check and done {wh['c_abi_seen_over_raw']:.2f}×",
            "≥ 0.90× raw", wh["c_abi_over_raw"] >= 0.9)
    else:
        row("P13", "webhook verifications per second vs raw P-256 verify", "—", "—", "—", "—", "≥ 0.90× raw", None)
    whp = load("p13py")
    if whp:
        row("P13", f"from Python: `WebhookVerifier.verify` (typed event) vs the PyJWT {whp['pyjwt_version']} + "
            f"cryptography {whp['cryptography_version']} route of MoneyKit's example (kid, `jwt.decode` ES256, iat, "
            "body SHA-256, `json.loads`), same deliveries, cached keys, per CPU second",
            f"{whp['native_per_s']:,.0f}/s", f"{whp['pyjwt_per_s']:,.0f}/s", f"{whp['native_over_pyjwt']:.2f}×",
            f"median of {whp['rounds']} rounds of {whp['batch']}", "faster than PyJWT",
            whp["native_over_pyjwt"] > 1.0)
    else:
        row("P13", "from Python: verifications per second vs PyJWT + cryptography", "—", "—", "—", "—",
            "faster than PyJWT", None)

    # Sandbox throughput
    sandbox = ["## The sandbox's own throughput", ""]
    if rps:
        sandbox += [
            "A minimal keep-alive HTTP/1.1 client (one prebuilt request, reads `Content-Length` "
            "bytes) against the sandbox process, `mk_sandbox_ok`:",
            "",
            "| connections | requests/s | minimal client's CPU per request |",
            "|---|---|---|",
        ]
        for k in ("t1", "t2"):
            s = rps[k]
            sandbox.append(f"| {s['threads']} | {s['rps']:.0f} | {us(s['process_cpu_ns_per_request'])} |")
        base = rps_pinned["t1"] if rps_pinned else rps["t1"]
        if rps_pinned:
            sandbox.append(f"| 1, client and sandbox pinned to one CPU (as P1-P4) | {base['rps']:.0f} | "
                           f"{us(base['process_cpu_ns_per_request'])} |")
        if p1:
            best = 1e9 / min(p1["ours"]["median_ns"], p1["theirs"]["median_ns"])
            sandbox += ["", f"The fastest client of P1 does {best:.0f} calls/s on one connection, "
                            f"{100 * best / base['rps']:.0f}% of the minimal client's rate under the same "
                            "conditions; the rest of each P1 round trip is the clients' own work, and client "
                            "CPU per call is reported beside every wall time."]
    else:
        sandbox.append(f"Not run: {skipped('rps')}")
    sandbox.append("")

    # Profile
    prof = ["## Profile of P1 (client only: sandbox in another process)", ""]
    calls = int((text("profile_calls.txt") or "0").strip() or 0)
    io_, it = callgrind_total("ours"), callgrind_total("theirs")
    if calls and io_ and it:
        prof += [
            f"callgrind, {calls} calls per side, collection only inside the call loop "
            "(`--toggle-collect`), user-space instructions of the calling thread:",
            "",
            f"- ours (`mk_get_identity`): **{io_ / calls:,.0f} instructions per call**",
            f"- raw ureq + serde_json typed struct: **{it / calls:,.0f} instructions per call**",
            "",
            "Top functions of ours (self cost):",
            "",
            "| Ir per call | % | function |",
            "|---|---|---|",
        ]
        for ir, pc, fn in callgrind_top("ours"):
            prof.append(f"| {ir / calls:,.0f} | {pc:.1f} | `{fn[:150]}` |")
        prof.append("")
    else:
        prof += [f"callgrind: not run ({skipped('callgrind')})", ""]
    scalls = int((text("strace_calls.txt") or "0").strip() or 0)
    so, st = strace_counts("ours"), strace_counts("theirs")
    if scalls and so and st:
        names = sorted(set(so) | set(st), key=lambda n: -(so.get(n, 0) + st.get(n, 0)))
        prof += [
            f"Syscalls per call (`strace -f -c`, {scalls} calls per side, all threads; the kernel "
            "time these cost is invisible to callgrind):",
            "",
            "| syscall | ours | raw ureq |",
            "|---|---|---|",
        ]
        for n in names:
            a, b = so.get(n, 0) / scalls, st.get(n, 0) / scalls
            if max(a, b) >= 0.5:
                prof.append(f"| {n} | {a:.2f} | {b:.2f} |")
        prof += [f"| **total** | {sum(so.values()) / scalls:.2f} | {sum(st.values()) / scalls:.2f} |", ""]
        clones = (so.get("clone3", 0) + so.get("clone", 0)) / scalls
        if clones >= 0.5:
            thread_per_call = True
            findings.append(
                f"**A thread is created for every call ({clones:.2f} clone per call).** ureq 3 resolves the "
                "host name before every request, pooled connection or not "
                "(`ureq::run::connect` → `Resolver::resolve`), and its `DefaultResolver` does the lookup "
                "on a new thread whenever a timeout applies (`resolve_async`); the core always sets "
                "`timeout_global` and `timeout_connect`. Thread creation, its stack mmap/mprotect/munmap, "
                "futex wake-ups and signal-mask calls are kernel time, which is why callgrind (user space) "
                "shows ours *cheaper* than raw ureq while the CPU clock shows it dearer. P1's variants prove "
                "it: raw ureq with the core's timeouts costs as much as ours, and with a caching resolver "
                "it is back to plain raw ureq."
                + (f" (P1 here: ours {us(p1['ours']['median_ns'])}, raw ureq + timeouts "
                   f"{us(p1['theirs_timeouts']['median_ns'])}, raw ureq + timeouts + caching resolver "
                   f"{us(p1['theirs_timeouts_caching_resolver']['median_ns'])}.)"
                   if p1 and "theirs_timeouts" in p1 else ""))
    else:
        prof += [f"strace: not run ({skipped('strace')})", ""]

    top = callgrind_top("ours", 40)
    memchr = sum(ir for ir, _, fn in top if "memchr" in fn)
    if calls and memchr:
        findings.append(
            f"**The body is scanned for NUL before it is handed to C** (`ffi::into_c_string` → "
            f"`CString::new`, `memchr`: {memchr / calls:,.0f} instructions per call here, a full pass over "
            "multi-MB bodies). A body that serde_json accepted cannot contain a raw NUL byte (control "
            "characters are rejected inside strings and are not JSON outside them), so after "
            "validation `CString::from_vec_unchecked` is sound and saves the pass.")

    # Why targets are missed, from this run's numbers.
    why: List[str] = []
    floor_src = rps_pinned or rps
    floor = 1e9 / floor_src["t1"]["rps"] if floor_src else None
    if p2 and "native_typed" in p2 and p2.get("sdk"):
        sdk_ns = p2["sdk"]["median_ns"]
        ty, js = p2["native_typed"]["median_ns"], p2["native_json"]["median_ns"]
        line = (f"**P2**: 10× and 20× the SDK mean {us(sdk_ns / 10)} (typed) and {us(sdk_ns / 20)} (JSON) per "
                f"call from Python. `get_identity_json` takes {us(js)}; building the typed dataclasses "
                f"(Decimal, datetime, lists) in pure Python adds {us(ty - js)} on top.")
        if floor:
            line += (f" A loopback round trip to the sandbox with a minimal raw client (no HTTP library, "
                     f"no parsing) already takes {us(floor)} under the same conditions (pinned 1-connection "
                     f"requests/s, below)"
                     + (f", more than the {us(sdk_ns / 20)} that 20× allows: that target is out of reach "
                        f"for any client on this machine" if sdk_ns / 20 < floor else "")
                     + (f". For 10× with typed results, the round trip and the model building together "
                        f"would have to fit in {us(sdk_ns / 10)}, leaving {us(max(0.0, sdk_ns / 10 - floor))} "
                        f"for what the binding now does in {us(ty - floor)}"
                        if sdk_ns / 10 < ty else "")
                     + ". The CPU column compares the clients' own cost.")
        why.append(line)
    if p6:
        t1 = p6["t1"]
        total = t1["client_cpu_ns_per_call"] + (t1.get("sandbox_cpu_ns_per_call") or 0)
        if total and t1.get("sandbox_cpu_ns_per_call"):
            ceiling = (p6.get("cores") or os.cpu_count() or 1) * (1e9 / t1["median_rps"]) / total
            s2 = p6["t2"]["median_rps"] / t1["median_rps"]
            p6prof = perf_p6()
            if s2 < 1.8:
                why.append(
                    f"**P6**: client and sandbox share {p6.get('cores')} cores; from the 1-thread run's wall time "
                    f"and CPU per call (client {us(t1['client_cpu_ns_per_call'])} + sandbox "
                    f"{us(t1['sandbox_cpu_ns_per_call'])}) no client could exceed {ceiling:.2f}× with 2 threads "
                    f"on this machine; measured {s2:.2f}×. The client's own CPU per call at 2 threads is "
                    f"{us(p6['t2']['client_cpu_ns_per_call'])} vs {us(t1['client_cpu_ns_per_call'])} at 1 "
                    f"({p6['t2']['client_cpu_ns_per_call'] / t1['client_cpu_ns_per_call']:.2f}×). "
                    + (f"A perf profile of the 2-thread run (whole process: client and in-process sandbox) "
                       f"puts {p6prof['kernel']:.0f}% of samples in the kernel (top symbols: "
                       + ", ".join(f"`{name}` {pct:.1f}%" for pct, _, name in p6prof["top"])
                       + f") and {p6prof['locks']:.1f}% in lock code (futex, mutex, rwlock symbols): the "
                       "threads do not wait on each other inside the client; the cost is"
                       if p6prof else "The rest is")
                    + " four threads ping-ponging over two vCPUs, whose cross-CPU wake-ups cost this VM "
                    "tens of µs (see the unpinned 1-connection sandbox rate below). Less CPU per call, "
                    "client or sandbox, raises the ceiling.")
    vw = load("view")
    if p5 and p5["validate_mb_s"] < 500:
        # The same function is timed in P11 (interleaved with the view) and, after one
        # whole-body UTF-8 check, as validate_identity_str in P5 itself.
        others = [f"{p5['validate_from_str_mb_s']:.0f} MB/s as `validate_identity_str` (the same pass "
                  "after one whole-body UTF-8 check) in P5 itself"] if "validate_from_str_mb_s" in p5 else []
        if vw:
            others.append(f"{vw['validate_only_mb_s']:.0f} MB/s in P11's loop")
        if others and all(x >= 500 for x in [p5.get("validate_from_str_mb_s", 0)]
                          + ([vw["validate_only_mb_s"]] if vw else [])):
            why.append(f"**P5**: {p5['validate_mb_s']:.0f} MB/s here, while the same validator ran at "
                       + " and ".join(others) + " in this run: P5's figure was taken while other work "
                       "loaded the machine (load average above). `moneykit-bench p5` on a quiet machine "
                       "measures it again.")
    if thread_per_call and (p1 and p1["ours"]["median_ns"] > 1.05 * p1["theirs"]["median_ns"]
                     or p4 and p4["ours"]["median_ns"] > p4["theirs"]["median_ns"]):
        why.insert(0, "**P1, P4** (and the native share of P2, P3, P6): the per-call thread of finding 1 below.")

    out = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`bench/run.sh` → `bench/report.py`); how each pair is measured is in "
        "[README.md](README.md). Every comparison was run side by side in one process or one run "
        "(interleaved batches), against the bundled sandbox on loopback, warm connections.",
        "",
        *machine(),
        "",
        "## Summary",
        "",
        "Every figure has a label (P1 … P13) that README.md and the issues cite. "
        "Medians per call. *ratio* is ours / theirs for P1, P3, P4 (lower is better), the time over the "
        "allowed time for P9 and P12, and the speed-up "
        "for P2. Targets are judged on the median wall time; client CPU per call is beside it.",
        "",
        "| # | pair | ours | theirs | ratio | client CPU/call (ours vs theirs) | target | result |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]
    if why:
        out += ["## Why targets are missed", ""]
        out += [f"- {w}" for w in why]
        out.append("")
    if findings:
        out += ["## What the profile says (costs in the core, with the fix)", ""]
        out += [f"{i + 1}. {f}" for i, f in enumerate(findings)]
        out.append("")
    out += sandbox + ["## Details", ""] + details + batch_section() + fleet_section() + match_section() + view_section() + webhooks_section() + prof
    dest.write_text("\n".join(out).rstrip() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
