//! `_surface_gen.py`: the signature and docstring of every call that takes the schema's
//! options or claim (`ClientSurface`, `AsyncClientSurface`, `match_owners`), each delegating to
//! a private method of the class that inherits the mixin.

use super::records::{record_name, rty_ann};
use super::{build_call, bullet, option_params, options_doc, py_options, wrapped};
use crate::python::lit;
use crate::records::RTy;
use crate::schema::Schema;
use std::fmt::Write;

/// A call whose keywords come from the schema: an option group or the claim's fields.
struct Shell {
    /// `client`, `async` or `module`.
    on: &'static str,
    name: &'static str,
    /// The parameters before the schema's keywords (after `self`), each a line.
    before: &'static [&'static str],
    /// `client`, `batch`, `refresh` or `claim`.
    group: &'static str,
    /// Keyword parameters after the schema's.
    after: &'static [&'static str],
    ret: &'static str,
    /// The body's call, with `{opts}` for the options JSON (or the claim JSON).
    call: &'static str,
    doc: &'static str,
}

const CLAIM_BEFORE: &str = "claim: Optional[ClaimLike] = None";

const SHELLS: &[Shell] = &[
    Shell {
        on: "module",
        name: "match_owners",
        before: &["identity: Union[IdentityResponse, str, bytes]", CLAIM_BEFORE, "*"],
        group: "claim",
        after: &[],
        ret: "OwnerMatch",
        call: "match_claim(identity, {opts})",
        doc: "Compares a claim with the owners of a Get Identity response, offline (no request, \
              nothing logged): does this account belong to the person in front of me?\n\n\
              `identity`: an `IdentityResponse` or the body's JSON text. The claim: a `Claim`, or a \
              dict in the same format, and the keywords below, which win; at least one field is \
              required. `address` is a `ClaimAddress`, a dict with its keys, or an `Address` from \
              a response.\n\n\
              Raises `InvalidArgumentError` for a bad claim (unknown key, nothing given, a value \
              over 1024 bytes, a name without letters, a phone without 7 digits) and `DecodeError` \
              for a body the validator refuses; messages never hold a value.",
    },
    Shell {
        on: "client",
        name: "__init__",
        before: &[
            "client_id: Optional[str] = None",
            "client_secret: Optional[str] = None",
            "*",
        ],
        group: "client",
        after: &[],
        ret: "None",
        call: "self._open(client_id, client_secret, {opts})",
        doc: "Opens a client (`mk_client_new`).\n\n\
              Credentials: `client_id` / `client_secret`, or (when None) the environment variables \
              `MONEYKIT_CLIENT_ID` / `MONEYKIT_CLIENT_SECRET`; not needed with `access_token`. \
              Durations are seconds (floats).",
    },
    Shell {
        on: "client",
        name: "get_identities",
        before: &["link_ids: Iterable[str]", "*"],
        group: "batch",
        after: &[],
        ret: "Batch",
        call: "self._get_identities(link_ids, {opts})",
        doc: "Fetches the identity of every link in `link_ids` (`mk_batch_start`): a `Batch` \
              to iterate, which yields one `BatchResult` per link as each call completes.\n\n\
              A 429 pauses the whole batch for its `Retry-After`. Raises at once (nothing started) \
              for an invalid link id or option; a link's own failure is its result's `error`.",
    },
    Shell {
        on: "client",
        name: "refresh_identity",
        before: &["link_id: str", "*", "wait: float", "cancel: Optional[Cancel] = None"],
        group: "refresh",
        after: &[],
        ret: "IdentityResponse",
        call: "self._refresh_identity(link_id, wait, cancel, {opts})",
        doc: "Requests an identity refresh (`POST /links/{id}/products`) and returns the fresh \
              identity once `refreshed_at` has increased (`mk_refresh_identity`).\n\n\
              It reads the identity once, requests the refresh, then polls Get Identity one call \
              per `60 / link_per_minute` s, so the fresh body comes within one poll interval of \
              the update. `wait` (seconds, > 0) bounds the whole call.\n\n\
              Raises `RequestTimeoutError` when no fresh data came within `wait`, \
              `RateLimitedError` when MoneyKit refused the refresh (its daily limit per link; \
              `retry_after` when sent), `CallCancelledError` when `cancel` was triggered, or the \
              error of a call that failed for good. Each of these carries `.stale`, the last (not \
              refreshed) `IdentityResponse` seen, or None.",
    },
    Shell {
        on: "client",
        name: "wait_identity_newer",
        before: &[
            "link_id: str",
            "after: Union[IdentityResponse, datetime, str, None] = None",
            "*",
            "wait: float",
            "cancel: Optional[Cancel] = None",
        ],
        group: "refresh",
        after: &[],
        ret: "IdentityResponse",
        call: "self._wait_identity_newer(link_id, after, wait, cancel, {opts})",
        doc: "Polls Get Identity (the first poll at once, then within the per-link limit) until \
              `refreshed_at` is later than `after`, for a refresh requested elsewhere \
              (`request_identity_refresh`, a webhook, another process) (`mk_wait_identity_newer`).\n\n\
              `after`: an earlier `IdentityResponse` (its `refreshed_at` exactly as sent), an \
              aware `datetime`, an ISO-8601 string, or None (any `refreshed_at` at all). `wait`, \
              `cancel` and the errors (with `.stale`) as `refresh_identity`, without the \
              daily-limit outcome.",
    },
    Shell {
        on: "client",
        name: "match_owners",
        before: &["link_id: str", CLAIM_BEFORE, "*"],
        group: "claim",
        after: &["timeout: Optional[float] = None", "cancel: Optional[Cancel] = None"],
        ret: "OwnerMatch",
        call: "self._match_owners(link_id, {opts}, timeout, cancel)",
        doc: "Fetches the link's identity, then `moneykit_native.match_owners` on it (the \
              claim is checked first, so a bad claim sends nothing). `timeout` and `cancel` as \
              for `get_identity`.",
    },
    Shell {
        on: "async",
        name: "__init__",
        before: &[
            "client_id: Optional[str] = None",
            "client_secret: Optional[str] = None",
            "*",
            "executor: Optional[concurrent.futures.Executor] = None",
        ],
        group: "client",
        after: &[],
        ret: "None",
        call: "self._open(client_id, client_secret, {opts}, executor)",
        doc: "Opens a client (`mk_client_new`) whose calls run on `executor` (None: the event \
              loop's default executor).\n\n\
              Credentials: `client_id` / `client_secret`, or (when None) the environment variables \
              `MONEYKIT_CLIENT_ID` / `MONEYKIT_CLIENT_SECRET`; not needed with `access_token`. \
              Durations are seconds (floats).",
    },
    Shell {
        on: "async",
        name: "get_identities",
        before: &["link_ids: Iterable[str]", "*"],
        group: "batch",
        after: &[],
        ret: "AsyncBatch",
        call: "self._get_identities(link_ids, {opts})",
        doc: "`Client.get_identities` for asyncio: an `AsyncBatch` to iterate with `async for`, \
              which yields one `BatchResult` per link as each call completes, without blocking \
              the event loop (each wait for a result runs on the executor, 100 ms at a time).\n\n\
              Starts at once (not a coroutine). A 429 pauses the whole batch for its \
              `Retry-After`. Raises at once (nothing started) for an invalid link id or option; a \
              link's own failure is its result's `error`. Use it as `async with` to cancel what \
              is left when the block ends.",
    },
    Shell {
        on: "async",
        name: "refresh_identity",
        before: &["link_id: str", "*", "wait: float"],
        group: "refresh",
        after: &[],
        ret: "IdentityResponse",
        call: "await self._refresh_identity(link_id, wait, {opts})",
        doc: "`Client.refresh_identity` off the event loop (holds a thread up to `wait`).",
    },
    Shell {
        on: "async",
        name: "wait_identity_newer",
        before: &[
            "link_id: str",
            "after: Union[IdentityResponse, datetime, str, None] = None",
            "*",
            "wait: float",
        ],
        group: "refresh",
        after: &[],
        ret: "IdentityResponse",
        call: "await self._wait_identity_newer(link_id, after, wait, {opts})",
        doc: "`Client.wait_identity_newer` off the event loop (holds a thread up to `wait`).",
    },
    Shell {
        on: "async",
        name: "match_owners",
        before: &["link_id: str", CLAIM_BEFORE, "*"],
        group: "claim",
        after: &["timeout: Optional[float] = None"],
        ret: "OwnerMatch",
        call: "await self._match_owners(link_id, {opts}, timeout)",
        doc: "`Client.match_owners` off the event loop (a bad claim raises before any request).",
    },
];

/// The private method a shell delegates to (from its call).
fn delegate(sh: &Shell) -> Option<&str> {
    let call = sh.call.trim_start_matches("await ");
    let rest = call.strip_prefix("self.")?;
    rest.split_once('(').map(|(name, _)| name)
}

/// The claim's keywords: (name, annotation) per field of the `Claim` record.
fn claim_fields(s: &Schema) -> Vec<(String, String)> {
    let claim = s.record("Claim");
    claim
        .fields
        .iter()
        .map(|(f, t)| {
            let ann = match t {
                RTy::Record(r) => format!("Optional[{}Like]", record_name(r)),
                t => format!("Optional[{}]", rty_ann(t)),
            };
            (f.name.clone(), ann)
        })
        .collect()
}

fn shell(s: &Schema, sh: &Shell, indent: &str) -> String {
    let is_async = sh.call.starts_with("await ");
    let inner = format!("{indent}    ");
    let mut params = String::new();
    if sh.on != "module" {
        let _ = writeln!(params, "{inner}self,");
    }
    for p in sh.before {
        let _ = writeln!(params, "{inner}{p},");
    }
    let (kw_params, pre, doc_tail) = if sh.group == "claim" {
        let fields = claim_fields(s);
        let mut p = String::new();
        for (n, a) in &fields {
            let _ = writeln!(p, "{inner}{n}: {a} = None,");
        }
        let given: Vec<String> = fields
            .iter()
            .map(|(n, _)| format!("{}: {n}", lit(n)))
            .collect();
        let claim = s.record("Claim");
        let mut d = crate::python::wrap(
            "The claim's keywords (None: not given; `Claim`'s fields):",
            &inner,
            88,
        );
        d.push('\n');
        for (f, _) in &claim.fields {
            d.push_str(&bullet(&format!("`{}`: {}", f.name, f.doc), &inner, 88));
        }
        let pre = wrapped(&inner, "claim_data = ", "claim_json(claim, {", &given, "})");
        (p, pre, d)
    } else {
        let options = match sh.group {
            "client" => py_options(&s.options),
            "batch" => py_options(&s.batch_options),
            "refresh" => py_options(&s.refresh_options),
            g => panic!("unknown group {g}"),
        };
        (
            option_params(&options, &inner),
            build_call(sh.group, &options, &inner, "options = "),
            options_doc(&options, &inner),
        )
    };
    params.push_str(&kw_params);
    for p in sh.after {
        let _ = writeln!(params, "{inner}{p},");
    }
    let mut doc = String::new();
    let mut paras = sh.doc.split("\n\n");
    let first = paras.next().unwrap_or_default();
    let summary = crate::python::wrap(first, &inner, 85);
    let summary = summary.trim_start();
    let _ = write!(doc, "{inner}\"\"\"{summary}");
    for p in paras {
        doc.push('\n');
        doc.push_str(&crate::python::wrap(p, &inner, 88));
    }
    doc.push('\n');
    doc.push_str(&doc_tail);
    let _ = writeln!(doc, "{inner}\"\"\"");
    let var = if sh.group == "claim" {
        "claim_data"
    } else {
        "options"
    };
    let call = sh.call.replace("{opts}", var);
    let ret = if sh.ret == "None" {
        format!("{pre}{inner}{call}\n")
    } else {
        format!("{pre}{inner}return {call}\n")
    };
    format!(
        "\n{indent}{}def {}(\n{params}{indent}) -> {}:\n{doc}{ret}",
        if is_async { "async " } else { "" },
        sh.name,
        sh.ret
    )
}

/// The abstract private methods each mixin delegates to, declared for type checkers.
const STUBS: &[(&str, &str)] = &[
    (
        "client",
        "def _open(self, client_id: Optional[str], client_secret: Optional[str], options: str) -> None",
    ),
    (
        "client",
        "def _get_identities(self, link_ids: Iterable[str], options: str) -> Batch",
    ),
    (
        "client",
        "def _refresh_identity(\n        self, link_id: str, wait: float, cancel: Optional[Cancel], options: str\n    ) -> IdentityResponse",
    ),
    (
        "client",
        "def _wait_identity_newer(\n        self,\n        link_id: str,\n        after: Union[IdentityResponse, datetime, str, None],\n        wait: float,\n        cancel: Optional[Cancel],\n        options: str,\n    ) -> IdentityResponse",
    ),
    (
        "client",
        "def _match_owners(\n        self, link_id: str, claim: bytes, timeout: Optional[float], cancel: Optional[Cancel]\n    ) -> OwnerMatch",
    ),
    (
        "async",
        "def _open(\n        self,\n        client_id: Optional[str],\n        client_secret: Optional[str],\n        options: str,\n        executor: Optional[concurrent.futures.Executor],\n    ) -> None",
    ),
    (
        "async",
        "def _get_identities(self, link_ids: Iterable[str], options: str) -> AsyncBatch",
    ),
    (
        "async",
        "async def _refresh_identity(self, link_id: str, wait: float, options: str) -> IdentityResponse",
    ),
    (
        "async",
        "async def _wait_identity_newer(\n        self,\n        link_id: str,\n        after: Union[IdentityResponse, datetime, str, None],\n        wait: float,\n        options: str,\n    ) -> IdentityResponse",
    ),
    (
        "async",
        "async def _match_owners(self, link_id: str, claim: bytes, timeout: Optional[float]) -> OwnerMatch",
    ),
];

pub(super) fn surface_py(s: &Schema) -> String {
    // Every private method a shell calls has a stub (and no stub is unused).
    for sh in SHELLS.iter().filter(|sh| sh.on != "module") {
        let name = delegate(sh).unwrap_or_else(|| panic!("shell {}: no self call", sh.name));
        assert!(
            STUBS
                .iter()
                .any(|(on, st)| *on == sh.on && st.contains(&format!("def {name}("))),
            "shell {}.{}: no stub for {name}",
            sh.on,
            sh.name
        );
    }
    let mut m = String::from(
        r#""""The signatures and docstrings of every call that takes the schema's options or claim.

`Client` and `AsyncClient` inherit them from `ClientSurface` and `AsyncClientSurface` and
implement the private methods they delegate to, with the options (or claim) already turned
into the JSON the library takes. Every keyword defaults to None: the library's default
applies (the docstring shows it).
"""

from __future__ import annotations

import concurrent.futures
from datetime import datetime
from typing import Iterable, Literal, Optional, Union

from ._args import StrPath, build_options_json
from ._batch import AsyncBatch, Batch
from ._cancel import Cancel
"#,
    );
    let mut from_match = vec![
        "ClaimLike".to_string(),
        "claim_json".into(),
        "match_claim".into(),
    ];
    for (_, a) in claim_fields(s) {
        if let Some(like) = a
            .strip_prefix("Optional[")
            .and_then(|a| a.strip_suffix("]"))
        {
            if like.ends_with("Like") {
                from_match.push(like.to_string());
            }
        }
    }
    from_match.sort();
    let _ = write!(
        m,
        "from ._match import {}\nfrom ._models import IdentityResponse\n\
         from ._options_gen import BATCH_OPTIONS, CLIENT_OPTIONS, REFRESH_OPTIONS\n\
         from ._records_gen import OwnerMatch\n",
        from_match.join(", ")
    );
    m.push_str("\n__all__ = [\"AsyncClientSurface\", \"ClientSurface\", \"match_owners\"]\n");
    for sh in SHELLS.iter().filter(|sh| sh.on == "module") {
        m.push('\n');
        m.push_str(&shell(s, sh, ""));
    }
    for (on, class, doc) in [
        (
            "client",
            "ClientSurface",
            "`Client`'s constructor and the calls that take options or a claim.",
        ),
        (
            "async",
            "AsyncClientSurface",
            "`AsyncClient`'s constructor and the calls that take options or a claim.",
        ),
    ] {
        let _ = write!(m, "\n\nclass {class}:\n    \"\"\"{doc}\"\"\"\n");
        for sh in SHELLS.iter().filter(|sh| sh.on == on) {
            m.push_str(&shell(s, sh, "    "));
        }
        m.push_str("\n    # Implemented by the class that inherits this one.\n");
        for (_, st) in STUBS.iter().filter(|(o, _)| *o == on) {
            let _ = write!(m, "\n    {st}:\n        raise NotImplementedError\n");
        }
    }
    m
}
