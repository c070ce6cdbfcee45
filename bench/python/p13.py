"""P13 (Python, issue 26): webhook verifications per second from Python, moneykit_native's
`WebhookVerifier.verify` (the library's checks, then a typed event) vs the PyJWT route of
MoneyKit's example code (PyJWT + `cryptography`: read the unverified header's kid, take the
cached JWK's key, `jwt.decode(..., algorithms=["ES256"])`, check `iat` within 5 minutes,
compare the body's SHA-256 with `request_body_sha256`, `json.loads` the body).

Both routes verify the same deliveries: a moneykit-sandbox (its own, `--webhook-url`) signs
and POSTs `--deliveries` test events to an http.server here. Keys are fetched once before
timing (the verifier with one warm-up verification, the PyJWT route by building its key
object), so both measure cached-key work only; the verifier's duplicate check is off
(`seen_max=0`), as in the Rust P13. Per second of this process's CPU, median of `--rounds`
interleaved rounds of `--batch` verifications each. Prints one JSON line.

    python p13.py [--rounds R] [--batch B] [--deliveries N]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import queue
import statistics
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Tuple

try:
    import jwt  # PyJWT
    from jwt.algorithms import ECAlgorithm
    import cryptography
except ImportError as e:  # the harness skips P13-Python with this message
    print(f"p13.py: PyJWT and cryptography are needed for the comparison ({e})", file=sys.stderr)
    sys.exit(3)

import moneykit_native as mk
from moneykit_native.testing import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, Sandbox

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
Delivery = Tuple[Dict[str, str], bytes]


def receiver() -> Tuple[ThreadingHTTPServer, "queue.Queue[Delivery]"]:
    got: "queue.Queue[Delivery]" = queue.Queue()

    class H(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            got.put((dict(self.headers.items()), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a: Any) -> None:
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, got


def post(url: str, body: Dict[str, Any], headers: Dict[str, str]) -> bytes:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", **headers})
    with OPENER.open(req, timeout=10) as r:
        out: bytes = r.read()
    return out


def pyjwt_route(base_url: str) -> Callable[[Dict[str, str], bytes], Dict[str, Any]]:
    """MoneyKit's example steps with PyJWT; the key set fetched once, key objects cached."""
    req = urllib.request.Request(f"{base_url}/.well-known/jwks.json",
                                 headers={"X-Client-Id": SANDBOX_CLIENT_ID})
    with OPENER.open(req, timeout=10) as r:
        jwks = json.loads(r.read())
    keys = {k["kid"]: ECAlgorithm.from_jwk(json.dumps(k)) for k in jwks["keys"]}

    def verify(headers: Dict[str, str], body: bytes) -> Dict[str, Any]:
        token = headers["MoneyKit-Signature"]
        kid = jwt.get_unverified_header(token)["kid"]
        claims = jwt.decode(token, keys[kid], algorithms=["ES256"])
        if abs(time.time() - claims["iat"]) > 300:
            raise ValueError("stale")
        if not hmac.compare_digest(hashlib.sha256(body).hexdigest(), claims["request_body_sha256"]):
            raise ValueError("body hash")
        event: Dict[str, Any] = json.loads(body)
        return event

    return verify


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--batch", type=int, default=2000)
    ap.add_argument("--deliveries", type=int, default=50)
    a = ap.parse_args()

    srv, got = receiver()
    url = f"http://127.0.0.1:{srv.server_address[1]}/hook"
    with Sandbox("--webhook-url", url) as sb, sb.client() as client, \
            client.webhook_verifier(seen_max=0) as verifier:
        auth = {"X-Client-Id": SANDBOX_CLIENT_ID, "X-Client-Secret": SANDBOX_CLIENT_SECRET,
                "moneykit-version": "2023-02-18"}
        events = ["link.product_refresh", "link.state_changed", "transactions.updates_available"]
        for i in range(a.deliveries):
            post(f"{sb.url}/webhooks/test/link/mk_sandbox_ok",
                 {"webhook_event": events[i % len(events)], "webhook_idempotency_key": f"p13-{i}"}, auth)
        deliveries = [got.get(timeout=10) for _ in range(a.deliveries)]
        pyjwt = pyjwt_route(sb.url)
        native = verifier.verify
        # Warm-up (the verifier fetches its keys here) and a check that both accept all.
        for h, b in deliveries:
            ev = native(h, b).event
            assert ev.webhook_idempotency_key == pyjwt(h, b)["webhook_idempotency_key"]

        def rate(fn: Callable[[Dict[str, str], bytes], Any]) -> float:
            n = len(deliveries)
            t0 = time.process_time_ns()
            for i in range(a.batch):
                h, b = deliveries[i % n]
                fn(h, b)
            return a.batch / ((time.process_time_ns() - t0) / 1e9)

        nat: List[float] = []
        pj: List[float] = []
        for r in range(a.rounds):
            if r % 2:
                pj.append(rate(pyjwt)); nat.append(rate(native))
            else:
                nat.append(rate(native)); pj.append(rate(pyjwt))
    srv.shutdown()
    n, p = statistics.median(nat), statistics.median(pj)
    print(json.dumps({
        "rounds": a.rounds, "batch": a.batch, "deliveries": a.deliveries,
        "body_bytes": round(statistics.mean(len(b) for _, b in deliveries)),
        "native_per_s": n, "pyjwt_per_s": p, "native_over_pyjwt": n / p,
        "pyjwt_version": jwt.__version__, "cryptography_version": cryptography.__version__,
        "python": sys.version.split()[0],
    }))


if __name__ == "__main__":
    main()
