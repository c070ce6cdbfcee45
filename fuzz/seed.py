#!/usr/bin/env python3
"""Writes the initial seeds of every fuzz target into fuzz/corpus/<target>/ (issue 23).

Run once when a target is added (`python3 fuzz/seed.py [target ...]`); afterwards the
corpora grow by `make fuzz`, which minimizes each queue back into fuzz/corpus/. Files are
named by the SHA-1 of their content (first 16 hex digits), so re-running adds nothing twice.
Sources: tests/corpus/ (identity bodies), the options documented in the README and
tests/option_bounds.rs, tests/matching/pairs.json (claim and owner pairs), hand-written HTTP
requests, links and resume files.
"""

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    (d / name).write_bytes(data)


def identity():
    for f in sorted((ROOT / "tests" / "corpus").glob("*.json")):
        if not f.name.endswith(".expected.json"):
            write("identity", f.read_bytes())


def identity_shapes():
    # fuzz/targets/src/identity_shapes.rs: a body index, then (node u16 LE, op) triples.
    for body in range(16):
        write("identity_shapes", bytes([body]))
        for node, op in [(1, 0), (5, 1), (9, 3), (17, 8), (3, 10)]:
            write("identity_shapes", bytes([body, node & 255, node >> 8, op]))


def options():
    every = {
        "base_url": "http://127.0.0.1:8080/prefix/",
        "access_token": "tok_0123456789abcdef",
        "auth": "headers",
        "moneykit_version": "2023-02-18",
        "timeout_ms": 10000,
        "deadline_ms": 60000,
        "connect_timeout_ms": 10000,
        "max_retries": 2,
        "retry_base_ms": 500,
        "max_retry_after_ms": 60000,
        "max_response_bytes": 16777216,
        "user_agent": "my-app/1.2",
        "proxy": "socks5h://user:pw@proxy.example:1080",
        "ca_file": "/etc/ssl/certs/extra.pem",
        "log_level": "debug",
    }
    seeds = [
        "",
        "{}",
        '{"timeout_ms": 10000}',
        json.dumps(every),
        json.dumps({k: None for k in every}),
        '{"base_url": "https://api.moneykit.com"}',
        '{"base_url": "http://[::1]:9/x"}',
        '{"base_url": "https://user@host"}',
        '{"proxy": "http://proxy.example:3128"}',
        '{"auth": "token", "log_level": "warn"}',
        '{"timeout_ms": -1}',
        '{"max_retries": 11}',
        '{"access_token": 987654321}',
        '{"access_token": 987654321} x',
        '{"access_token": 987654321, "access_token": "tok"}',
        '{"log_level": "sekret-Value-0123456789"}',
        '{"timeout": 5}',
        '["http://127.0.0.1:9", null, null]',
        '{"user_agent": "caf\\u00e9"}',
        '{"timeout_ms": 5',
    ]
    for s in seeds:
        write("options", s)


def claim_match():
    pairs = json.loads((ROOT / "tests" / "matching" / "pairs.json").read_text())["pairs"]
    for p in pairs:
        field, claim, owner_value = p["field"], p["claim"], p["owner"]
        owner = {"names": [], "addresses": [], "phone_numbers": [], "emails": []}
        if field == "name":
            owner["names"] = [owner_value]
        elif field == "email":
            owner["emails"] = [{"address": owner_value}]
        elif field == "phone":
            owner["phone_numbers"] = [{"number": owner_value, "type": "mobile"}]
        else:
            owner["addresses"] = [owner_value]
        write("claim_match", json.dumps({field: claim}) + "\0" + json.dumps(owner))
    docs_claim = {
        "name": "Peggy OBrien", "email": "M.OBrien@example.com", "phone": "(617) 555-1212",
        "address": {"street": "77 Beacon Street", "city": "Boston", "region": "Massachusetts",
                    "postal_code": "02116-4501", "country": "USA"},
    }
    for s in [
        json.dumps(docs_claim),
        '{"name": "Jane Roe", "phone": "020 7946 0958", "address": {"country": "United Kingdom"}}',
        '{"phone": "+44 7911 123456"}',
        '{"phone": "(030) 1234567", "address": {"country": "DE"}}',
        '{"name": null, "email": " ", "address": {"street": ""}}',
        '{"name": "!!!"}',
        '{"phone": "12"}',
        '{"nmae": "x"}',
        '{"name": "a", "name": "b"}',
        '["Jane Roe"]',
    ]:
        write("claim_match", s)


def sandbox_http():
    # Two bytes first (fuzz/targets/src/sandbox_http.rs): the limits (0x0f: the server's
    # 64 KiB head, 1 MiB body; 0x05: 512 and 16) and the seed of the read splits.
    reqs = [
        "GET /links/mk_sandbox_ok/identity HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Authorization: Bearer tok\r\nmoneykit-version: 2023-02-18\r\n\r\n",
        "GET /links/mk_sandbox_ok/identity?account_ids=acc_1&account_ids=acc_2 HTTP/1.1\r\n"
        "Host: localhost:8080\r\nConnection: close\r\n\r\n",
        "POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: 64\r\n\r\ngrant_type=client_credentials&client_id=id&client_secret=secret12",
        "POST /links/mk_sandbox_ok/products HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        "Expect: 100-continue\r\n\r\n1a;ext=1\r\n{\"products\":[\"identity\"]}\r\n0\r\nX-Trailer: 1\r\n\r\n",
        "\r\nGET http://localhost/x?y#z HTTP/1.0\n\n",
        "OPTIONS * HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc"
        "GET /second HTTP/1.1\r\nHost: a\r\n\r\nGET /third HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX-Long: " + "a" * 600 + "\r\n\r\n",
        "GET / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
    ]
    for r in reqs:
        for limits in (b"\x0f", b"\x05"):
            write("sandbox_http", limits + b"\x2a" + r.encode())


def cli_files():
    # A selector byte first (fuzz/targets/src/cli_files.rs): 0 a links file, 1 an output
    # file to resume, 2 a result line (key byte, link id, NUL, JSON).
    links = [
        "mk_sandbox_ok\nmk_sandbox_unicode\n",
        "\ufeff# links\n  mk_a  \r\n\nmk_b\nmk_a\n#mk_c",
        "mk_a\x00b\n",
    ]
    for text in links:
        write("cli_files", b"\x00" + text.encode())
    ok = '{"link_id":"mk_sandbox_ok","identity":{"accounts":[],"link":{"link_id":"mk_sandbox_ok"}}}'
    err = '{"link_id":"mk_sandbox_404","error":{"status":7,"name":"MK_ERR_NOT_FOUND","message":"x"}}'
    for text in [ok + "\n" + err + "\n", ok + "\n  \n" + '{"link_id":"mk_cu', "\n", "not json\n",
                 ok + "\n" + ok]:
        write("cli_files", b"\x01" + text.encode())
    for choice, link, body in [(0, "mk_sandbox_ok", '{ "accounts" : [ ], "s": "a \\" b" }'),
                               (1, "mk_sandbox_404", '{"status": 7, "n": 1.0e3}')]:
        write("cli_files", b"\x02" + bytes([choice]) + link.encode() + b"\x00" + body.encode())


def cli_http():
    # One byte first (fuzz/targets/src/cli_http.rs): the limits (0x0e: the listener's 16 KiB
    # head and 1 MiB body; 0x05: 512 and 16).
    body = '{"webhook_event":"link.product_refresh","link_id":"mk_sandbox_ok","state":"completed"}'
    reqs = [
        "POST /hook HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/json\r\n"
        "MoneyKit-Signature: eyJhbGciOiJFUzI1NiJ9.eyJpYXQiOjF9.c2ln\r\n"
        "MoneyKit-Delivery-Token: dlv_0123\r\nMoneyKit-Delivery-Attempt: 1\r\n"
        f"Connection: close\r\nContent-Length: {len(body)}\r\n\r\n{body}",
        "GET / HTTP/1.0\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}x",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 1\r\n\r\nx",
        "POST / HTTP/1.1\nHost: a\n\n",
        "POST /a HTTP/1.1\r\nX:  \t v \t\r\n folded\r\n\r\n",
        "POST / HTTP/2.0\r\n\r\n",
    ]
    for r in reqs:
        for limits in (b"\x0e", b"\x05"):
            write("cli_http", limits + r.encode())


def _b64(data):
    import base64
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def webhook_jws():
    # fuzz/targets/src/webhook_jws.rs: a MoneyKit-Signature value (the signature bytes need
    # not verify: the target checks the parser, not the key).
    h = '{"alg":"ES256","kid":"kid-1","typ":"JWT"}'
    c = '{"iat":1700000000,"request_body_sha256":"%s"}' % ("ab" * 32)
    sig = _b64(bytes(range(64)))
    for header, claims, s in [
        (h, c, sig),
        (h, '{"iat":1700000000,"exp":1700000300,"request_body_sha256":"%s"}' % ("CD" * 32), sig),
        ('{"alg":"none","kid":"kid-1"}', c, ""),
        ('{"alg":"HS256","kid":"kid-1"}', c, _b64(bytes(32))),
        ('{"alg":"ES256","kid":"kid-1","crit":["b64"],"b64":false}', c, sig),
        ('{"alg":"ES256","kid":"a","kid":"b"}', c, sig),
        (h, '{"iat":1.5e9,"request_body_sha256":"00"}', sig),
        (h, '{"iat":-1,"iat":2}', _b64(bytes(63))),
    ]:
        write("webhook_jws", f"{_b64(header)}.{_b64(claims)}.{s}")
    write("webhook_jws", f" {_b64(h)}.{_b64(c)}.{sig}=\t")
    write("webhook_jws", "a.b")
    write("webhook_jws", "eyJ.eyJ.AA.AA")


def webhook_jwks():
    x, y = _b64(bytes(range(32))), _b64(bytes(range(32, 64)))
    ec = '{"kty":"EC","crv":"P-256","x":"%s","y":"%s","kid":"k1","alg":"ES256","use":"sig"}' % (x, y)
    for body in [
        '{"keys":[%s]}' % ec,
        '{"keys":[%s,%s]}' % (ec, ec.replace("k1", "k2").replace('"alg":"ES256",', "")),
        '{"keys":[%s]}' % ec.replace("P-256", "P-384"),
        '{"keys":[{"kty":"RSA","kid":"r","n":"AQAB","e":"AQAB"}, 1, null, []]}',
        '{"keys":[]}',
        '{"keys":[], "keys":[]}',
        '[{"keys":[]}]',
        '{"keys":{}}',
    ]:
        write("webhook_jwks", body)


def webhook_event():
    base = {
        "webhook_event": "link.product_refresh", "webhook_major_version": 1,
        "webhook_minor_version": 0, "webhook_idempotency_key": "idem-1",
        "webhook_timestamp": "2024-01-31T12:00:00Z", "link_id": "mk_sandbox_ok",
        "link_tags": ["a"],
    }
    for extra in [
        {"product": "identity", "state": "completed", "state_changed_at": "2024-01-31T12:00:01Z"},
        {"webhook_event": "link.state_changed", "state": "error", "error": "auth_expired",
         "error_message": "x"},
        {"webhook_event": "transactions.updates_available", "has_history": True},
        {"webhook_event": "product.state_changed", "anything": [1, {"a": None}]},
        {"webhook_major_version": 2, "product": 5},
        {"product": "identity"},
    ]:
        write("webhook_event", json.dumps({**base, **extra}))
    write("webhook_event", '{"webhook_event":"a","webhook_event":"b"}')
    write("webhook_event", "[]")


ALL = {
    "identity": identity,
    "identity_shapes": identity_shapes,
    "options": options,
    "claim_match": claim_match,
    "sandbox_http": sandbox_http,
    "cli_files": cli_files,
    "cli_http": cli_http,
    "webhook_jws": webhook_jws,
    "webhook_jwks": webhook_jwks,
    "webhook_event": webhook_event,
}

if __name__ == "__main__":
    for name in sys.argv[1:] or ALL:
        ALL[name]()
        print(f"{name}: {len(list((CORPUS / name).iterdir()))} seeds in fuzz/corpus/{name}/")
