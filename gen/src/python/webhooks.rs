//! `_webhooks_gen.py`: the schema's `webhook_events` (`Schema::webhook_events()`) and
//! `webhook_options` as Python: the open enums only webhooks use, the frozen event classes
//! (`WebhookEvent`, the fields every event has; one subclass per known event; `UnknownEvent`
//! for any other type or major version), their flat builders (`build_event`, which refuses
//! nothing: the library checked the body in `mk_webhook_verify`), the option table
//! `WEBHOOK_OPTIONS` and `WebhookSurface.webhook_verifier`'s keywords and docstring.
//! The hand-written rest (the verifier, deliveries, the refresh waiter) is `_webhooks.py`.

use super::surface::{build_call, option_params, options_doc, py_options, spec_table};
use super::{docstring, lit, wrap};
use crate::out::{Comment, Out};
use crate::rust_meta::webhook_schema::{WTy, WebhookField};
use crate::schema::{upper, Schema};
use std::fmt::Write;

const PKG: &str = "bindings/python/src/moneykit_native";

pub fn emit(s: &Schema, out: &mut Out) {
    out.file(
        &format!("{PKG}/_webhooks_gen.py"),
        Comment::Hash,
        &webhooks_py(s),
    );
}

fn table(name: &str) -> String {
    format!("_E_{name}")
}

fn annotation(f: &WebhookField) -> String {
    let base = match &f.ty {
        WTy::Str => "str".to_string(),
        WTy::Bool => "bool".to_string(),
        WTy::Int => "int".to_string(),
        WTy::Timestamp => "Timestamp".to_string(),
        WTy::StrList => "Tuple[str, ...]".to_string(),
        WTy::Enum(n) => format!("Union[{n}, str]"),
    };
    if f.def.required {
        base
    } else {
        format!("Optional[{base}]")
    }
}

/// The statement setting `f` on the instance dict `s` from the body dict `d`.
fn build_line(f: &WebhookField) -> String {
    let n = &f.def.name;
    let conv = |v: &str| match &f.ty {
        WTy::Str | WTy::Bool | WTy::Int => v.to_string(),
        WTy::Timestamp => format!("read_timestamp({v})"),
        WTy::StrList => format!("tuple({v})"),
        WTy::Enum(e) => format!("{}.get({v}, {v})", table(e)),
    };
    if f.def.required {
        format!("    s[{}] = {}\n", lit(n), conv(&format!("d[{}]", lit(n))))
    } else {
        let plain = matches!(f.ty, WTy::Str | WTy::Bool | WTy::Int);
        if plain {
            format!("    s[{}] = d.get({})\n", lit(n), lit(n))
        } else {
            format!(
                "    v = d.get({})\n    s[{}] = None if v is None else {}\n",
                lit(n),
                lit(n),
                conv("v")
            )
        }
    }
}

fn fields_block(fields: &[WebhookField]) -> String {
    let mut b = String::new();
    for f in fields {
        let note = if f.def.required {
            ""
        } else {
            " None when absent or null."
        };
        b.push_str(&wrap(&format!("{}{note}", f.def.doc), "    #: ", 88));
        let _ = writeln!(b, "    {}: {}", f.def.name, annotation(f));
    }
    b
}

fn webhooks_py(s: &Schema) -> String {
    let w = s.webhook_events();
    let opts = py_options(&s.webhook_options);
    // Every enum the events use, webhook-only ones first, then the identity's (imported).
    let mut used: Vec<String> = Vec::new();
    for f in w
        .common
        .iter()
        .chain(w.events.iter().flat_map(|e| e.fields.iter()))
    {
        if let WTy::Enum(n) = &f.ty {
            if !used.contains(n) {
                used.push(n.clone());
            }
        }
    }
    let own: Vec<&String> = w.enums.iter().map(|(n, _)| n).collect();
    let imported: Vec<&String> = used.iter().filter(|n| !own.contains(n)).collect();

    let mut all: Vec<String> = vec![
        "UnknownEvent".into(),
        "WEBHOOK_OPTIONS".into(),
        "WebhookEvent".into(),
        "WebhookSurface".into(),
        "build_event".into(),
    ];
    all.extend(w.enums.iter().map(|(n, _)| n.clone()));
    all.extend(w.events.iter().map(|e| e.name.clone()));
    all.sort();

    let mut m = String::from(
        "\"\"\"The webhook events MoneyKit POSTs (schema `webhook_events`; docs/C-API.md,\n\
         \"Webhooks\"), typed, and the verifier's options (schema `webhook_options`).\n\n\
         `WebhookVerifier` (in `_webhooks`) hands the events out after the library verified the\n\
         delivery and checked its body: the builders below refuse nothing. Every enum is open\n\
         (unknown values stay `str`) and an event of a type or major version this package does\n\
         not know is an `UnknownEvent`, never an error. Each event keeps the body's dict in\n\
         `.raw`; its repr shows only its type, link id and idempotency key.\n\"\"\"\n\n\
         from __future__ import annotations\n\n\
         from dataclasses import dataclass, field\n\
         from typing import TYPE_CHECKING, Any, Callable, Dict, Mapping, Optional, Tuple, Union\n\n\
         from ._args import OptionSpec, build_options_json\n",
    );
    if !imported.is_empty() {
        let names: Vec<String> = imported.iter().map(|n| n.to_string()).collect();
        let _ = writeln!(m, "from ._models import {}", names.join(", "));
    }
    m.push_str(
        "from ._values import StrEnum, Timestamp, read_timestamp\n\n\
         if TYPE_CHECKING:\n    from ._webhooks import WebhookVerifier\n\n__all__ = [\n",
    );
    for n in &all {
        let _ = writeln!(m, "    {},", lit(n));
    }
    m.push_str("]\n");
    for (name, def) in &w.enums {
        let _ = write!(m, "\n\nclass {name}(StrEnum):\n");
        m.push_str(&docstring(
            &format!("{} An open set: unknown values stay `str`.", def.doc),
            "",
            "    ",
        ));
        m.push('\n');
        for v in &def.values {
            let _ = writeln!(m, "    {} = {}", upper(v), lit(v));
        }
    }
    m.push('\n');
    for name in &used {
        let _ = write!(
            m,
            "\n{}: Dict[Any, Any] = {{m.value: m for m in {name}}}",
            table(name)
        );
    }
    m.push_str("\n\n");
    m.push_str(&spec_table("webhook", &opts));

    // The base class: every event's fields.
    m.push_str("\n\n@dataclass(frozen=True, repr=False)\nclass WebhookEvent:\n");
    m.push_str(&docstring(
        &w.common_doc,
        "The base of every event (`isinstance(e, WebhookEvent)`); `raw` is the body as a \
         dict (ignored by `==` and `hash`).",
        "    ",
    ));
    m.push('\n');
    m.push_str(&fields_block(&w.common));
    m.push_str(
        "    #: The body as a dict (every field, also those this package does not know).\n    \
         raw: Mapping[str, Any] = field(compare=False, hash=False)\n\n    \
         def __repr__(self) -> str:\n        \
         return (\n            \
         f\"{type(self).__name__}(webhook_event={str(self.webhook_event)!r}, \"\n            \
         f\"link_id={self.link_id!r}, \"\n            \
         f\"webhook_idempotency_key={self.webhook_idempotency_key!r})\"\n        )\n",
    );
    for e in &w.events {
        let _ = write!(
            m,
            "\n\n@dataclass(frozen=True, repr=False)\nclass {}(WebhookEvent):\n",
            e.name
        );
        m.push_str(&docstring(
            &format!("`{}`: {}", e.event, e.doc),
            "Besides every event's fields (`WebhookEvent`) it has its own.",
            "    ",
        ));
        m.push('\n');
        m.push_str(&fields_block(&e.fields));
    }
    m.push_str(
        "\n\n@dataclass(frozen=True, repr=False)\nclass UnknownEvent(WebhookEvent):\n    \
         \"\"\"An event this package does not know: another `webhook_event` (one newer than the\n    \
         library) or a `webhook_major_version` other than 1. Its own fields are in `raw`.\"\"\"\n",
    );

    // Builders.
    m.push_str(
        "\n\n# Builders: flat; each sets the instance's __dict__ at once (the library checked\n\
         # the body's fields and types, so nothing here can fail on it).\n\n\
         _new = object.__new__\n\n\n\
         def _common(o: WebhookEvent, d: Dict[str, Any]) -> Dict[str, Any]:\n    \
         s = o.__dict__\n",
    );
    for f in &w.common {
        m.push_str(&build_line(f));
    }
    m.push_str("    s[\"raw\"] = d\n    return s\n");
    for e in &w.events {
        let _ = write!(
            m,
            "\n\ndef _b_{n}(d: Dict[str, Any]) -> {n}:\n    o = _new({n})\n    s = _common(o, d)\n",
            n = e.name
        );
        if e.fields.is_empty() {
            m.push_str("    del s\n");
        }
        for f in &e.fields {
            m.push_str(&build_line(f));
        }
        m.push_str("    return o\n");
    }
    m.push_str("\n\n_KNOWN: Dict[Any, Callable[[Dict[str, Any]], WebhookEvent]] = {\n");
    for e in &w.events {
        let _ = writeln!(m, "    {}: _b_{},", lit(&e.event), e.name);
    }
    m.push_str(
        "}\n\n\n\
         def build_event(d: Dict[str, Any]) -> WebhookEvent:\n    \
         \"\"\"The typed event of a body `mk_webhook_verify` accepted (parsed to `d`).\"\"\"\n    \
         b = _KNOWN.get(d[\"webhook_event\"]) if d[\"webhook_major_version\"] == 1 else None\n    \
         if b is not None:\n        return b(d)\n    \
         o = _new(UnknownEvent)\n    _common(o, d)\n    return o\n",
    );

    // The verifier's keywords.
    m.push_str(
        "\n\nclass WebhookSurface:\n    \
         \"\"\"`Client.webhook_verifier`, its keywords from the schema's `webhook_options`.\"\"\"\n\n    \
         def _webhook_verifier(self, options: str) -> WebhookVerifier:\n        \
         raise NotImplementedError\n\n    \
         def webhook_verifier(\n        self,\n        *,\n",
    );
    m.push_str(&option_params(&opts, "        "));
    m.push_str("    ) -> WebhookVerifier:\n");
    let body = format!(
        "{}\n{}",
        wrap(
            "A `WebhookVerifier` for this client's deliveries (docs/C-API.md, \"Webhooks\"). \
             It fetches MoneyKit's signing keys through this client (`GET \
             /.well-known/jwks.json`, on first use, then cached) and keeps the client open \
             until it is closed. Nothing is fetched here.",
            "        ",
            88
        ),
        options_doc(&opts, "        ")
    );
    let _ = write!(m, "        \"\"\"{}", body.trim_start());
    m.push_str("        \"\"\"\n");
    // build_call closes with "))"; the verifier call's own parenthesis follows.
    let call = build_call(
        "webhook",
        &opts,
        "        ",
        "return self._webhook_verifier(",
    );
    m.push_str(call.trim_end());
    m.push_str(")\n");
    m
}
