"""A MoneyKit webhook receiver with the standard library only (`http.server`).

    MONEYKIT_CLIENT_ID=... MONEYKIT_CLIENT_SECRET=... python webhook_server.py --port 8000
    python webhook_server.py --demo     # against a local moneykit-sandbox, then exits

Every POST is verified by the library (signature, timestamps, body hash, duplicates;
docs/C-API.md "Webhooks") and answered as MoneyKit expects: 200 handled (or a duplicate),
409 another copy is being handled, 400 not genuine, 500 the handler failed (MoneyKit
retries it), 503 the signing keys could not be fetched. The body is read raw: a
framework that parses JSON first would break the body hash.
"""

from __future__ import annotations

import argparse
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional

import moneykit_native as mk

MAX_BODY = 1 << 20  # the verifier's default max_body_bytes


def handle_event(event: mk.WebhookEvent) -> None:
    """The application's work, once per event (never for a duplicate)."""
    if isinstance(event, mk.LinkProductRefresh):
        print(f"{event.link_id}: {event.product} refresh {event.state}", flush=True)
    elif isinstance(event, mk.LinkStateChanged):
        print(f"{event.link_id}: link {event.state}", flush=True)
    else:  # TransactionsUpdatesAvailable, or an UnknownEvent newer than this library
        print(f"{event.link_id}: {event.webhook_event}", flush=True)


def make_server(
    verifier: mk.WebhookVerifier,
    on_event: Callable[[mk.WebhookEvent], Any],
    host: str = "127.0.0.1",
    port: int = 8000,
) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                status = 413
            else:
                body = self.rfile.read(length)
                status = verifier.respond(self.headers, body, on_event)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, fmt: str, *args: Any) -> None:
            pass  # the handler prints what matters

    return ThreadingHTTPServer((host, port), Handler)


def demo() -> int:
    """Starts a sandbox that delivers to this server, refreshes a link, prints its events
    and returns once the refresh's webhook arrived (RefreshWaiter: no polling)."""
    from moneykit_native.testing import Sandbox

    with Sandbox("--refresh-delay-ms", "500") as sb, sb.client() as client:
        with client.webhook_verifier() as verifier:
            waiter = mk.RefreshWaiter(client)

            def on_event(event: mk.WebhookEvent) -> None:
                handle_event(event)
                waiter.offer(event)

            server = make_server(verifier, on_event, port=0)
            url = f"http://127.0.0.1:{server.server_address[1]}/moneykit"
            threading.Thread(target=server.serve_forever, daemon=True).start()
            sb_admin_set_url(sb.url, url)
            identity = waiter.refresh_identity("mk_sandbox_ok", wait=30, fallback=20)
            product = identity.link.products["identity"]
            print(f"refreshed at {product.refreshed_at}", flush=True)
            server.shutdown()
            server.server_close()
    return 0


def sb_admin_set_url(sandbox_url: str, url: str) -> None:
    """The sandbox's admin call: every link's webhooks go to `url`."""
    import json
    import urllib.request

    req = urllib.request.Request(
        f"{sandbox_url}/_sandbox/webhooks/url",
        data=json.dumps({"url": url}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(req, timeout=10) as resp:
        resp.read()


def main(argv: Optional[list] = None) -> int:  # type: ignore[type-arg]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--demo", action="store_true", help="run against a local sandbox, then exit")
    args = ap.parse_args(argv)
    if args.demo:
        return demo()
    with mk.Client() as client, client.webhook_verifier() as verifier:
        server = make_server(verifier, handle_event, args.host, args.port)
        print(f"listening on http://{args.host}:{server.server_address[1]}/", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
