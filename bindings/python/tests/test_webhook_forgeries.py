"""The sandbox's shared table of forged or damaged deliveries (`GET
/_sandbox/webhooks/forgeries`, made with its current key and clock): each one refused by
`WebhookVerifier.verify` with `WebhookSignatureError` and exactly the entry's reason; none
accepted. The Rust core, Go and C++ check the same table."""

from __future__ import annotations

from typing import Any, Dict, List

import moneykit_native as mk

from conftest import Sandbox

REASONS = {
    "malformed",
    "alg",
    "kid_unknown",
    "signature",
    "body_hash",
    "iat_too_old",
    "iat_in_future",
    "expired",
    "body_too_large",
}


def test_every_forgery_is_refused_with_its_reason(sandbox: Sandbox, client: mk.Client) -> None:
    table: List[Dict[str, Any]] = sandbox.admin("GET", "/_sandbox/webhooks/forgeries")["forgeries"]
    assert len(table) >= 30
    failures: List[str] = []
    seen = set()
    # The session client has an access token only: the key fetch sends this client id.
    with client.webhook_verifier(client_id="sandbox-client") as v:
        for f in table:
            sig = f["signature"]
            headers = {} if sig is None else {"MoneyKit-Signature": sig}
            body = f["body"].encode()
            try:
                got = v.verify(headers, body)
            except mk.WebhookSignatureError as e:
                if e.reason != f["reason"] or e.status != mk.Status.SIGNATURE:
                    failures.append(f"{f['name']}: want {f['reason']}, got {e.reason} ({e.message})")
                else:
                    seen.add(e.reason)
                continue
            except mk.MoneyKitError as e:
                failures.append(f"{f['name']}: want {f['reason']}, got {type(e).__name__}: {e}")
                continue
            failures.append(f"{f['name']}: ACCEPTED ({got.status})")
    assert not failures, "\n".join(failures)
    assert seen == REASONS
