//! The sandbox emitter: `sandbox/src/magic_gen.rs`, the magic link id table as Rust (the
//! `Answer` enum, the exact ids, the ordered prefix table and `classify`). The sandbox's
//! hand-written `magic.rs` implements every `Answer` in one exhaustive `match`.

use crate::out::{Comment, Out};
use crate::schema::{pascal, MagicId, Schema};

pub fn emit(s: &Schema, out: &mut Out) {
    out.file("sandbox/src/magic_gen.rs", Comment::Slash, &magic_gen(s));
}

/// How the rest of a `kind: prefix` id is matched, from its placeholder.
fn prefix_rule(m: &MagicId) -> (String, &'static str) {
    let (head, placeholder) =
        m.id.split_once('<')
            .unwrap_or_else(|| panic!("prefix id {} has no <placeholder>", m.id));
    match placeholder {
        // `mk_fault_500_once_<tag>` also matches `mk_fault_500_once` (an empty tag).
        "tag>" => (
            head.strip_suffix('_')
                .unwrap_or_else(|| panic!("{}: <tag> must follow `_`", m.id))
                .to_string(),
            "Tag",
        ),
        "ms>" | "bytes>" | "n>" => (head.to_string(), "Number"),
        "name>" => (head.to_string(), "Name"),
        other => panic!("{}: unknown placeholder <{other}", m.id),
    }
}

/// One tuple of a const array, laid out as rustfmt does: on one line up to 60 characters,
/// else one item per line (so the generated file is `cargo fmt` clean).
fn tuple_entry(items: &[String]) -> String {
    let one_line = format!("({})", items.join(", "));
    if one_line.len() <= 60 {
        format!("    {one_line},\n")
    } else {
        let mut o = String::from("    (\n");
        for item in items {
            o.push_str(&format!("        {item},\n"));
        }
        o.push_str("    ),\n");
        o
    }
}

fn doc_line(m: &MagicId) -> String {
    format!("    /// `{}`: {}\n", m.id, m.doc)
}

fn magic_gen(s: &Schema) -> String {
    let ids = &s.magic_ids.ids;
    // One variant per distinct answer, in first-use order (several ids may share one).
    let mut answers: Vec<(&str, Vec<&MagicId>)> = Vec::new();
    for m in ids {
        match answers.iter_mut().find(|(a, _)| *a == m.answer) {
            Some((_, users)) => users.push(m),
            None => answers.push((&m.answer, vec![m])),
        }
    }
    let defaults: Vec<&MagicId> = ids.iter().filter(|m| m.kind == "default").collect();
    assert_eq!(
        defaults.len(),
        1,
        "magic_ids needs exactly one kind: default"
    );

    let mut o = String::new();
    o.push_str(
        "//! The sandbox's magic link ids (schema/moneykit.json `magic_ids`): `classify` maps a\n\
         //! link id to its `Answer`; `magic.rs` implements every answer.\n\n",
    );
    o.push_str(
        "/// What the sandbox answers for a link id, one variant per schema `answer`.\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum Answer {\n",
    );
    for (answer, users) in &answers {
        for m in users {
            o.push_str(&doc_line(m));
        }
        o.push_str(&format!("    {},\n", pascal(answer)));
    }
    o.push_str("}\n\n");

    o.push_str(
        "/// What must follow a prefix for the id to match.\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq)]\npub enum Suffix {\n\
         \x20   /// `<tag>`: nothing, or `_` and anything (`mk_fault_500_once`, `mk_fault_500_once_t1`).\n\
         \x20   Tag,\n\
         \x20   /// `<ms>`, `<bytes>`, `<n>`: 1 to 19 ASCII digits (always fits a u64).\n\
         \x20   Number,\n\
         \x20   /// `<name>`: anything but nothing.\n\
         \x20   Name,\n}\n\n\
         impl Suffix {\n\
         \x20   pub fn accepts(self, rest: &str) -> bool {\n\
         \x20       match self {\n\
         \x20           Suffix::Tag => rest.is_empty() || rest.starts_with('_'),\n\
         \x20           Suffix::Number => {\n\
         \x20               !rest.is_empty() && rest.len() <= 19 && rest.bytes().all(|c| c.is_ascii_digit())\n\
         \x20           }\n\
         \x20           Suffix::Name => !rest.is_empty(),\n\
         \x20       }\n\
         \x20   }\n}\n\n",
    );

    o.push_str(
        "/// Every schema id (patterns as written) with its answer, in schema order.\n\
         pub const IDS: &[(&str, Answer)] = &[\n",
    );
    for m in ids {
        o.push_str(&tuple_entry(&[
            format!("{:?}", m.id),
            format!("Answer::{}", pascal(&m.answer)),
        ]));
    }
    o.push_str("];\n\n");

    o.push_str(
        "/// Prefix ids, tried in this order after the exact ids: the first match wins.\n\
         pub const PREFIXES: &[(&str, Suffix, Answer)] = &[\n",
    );
    for m in ids.iter().filter(|m| m.kind == "prefix") {
        let (prefix, rule) = prefix_rule(m);
        o.push_str(&tuple_entry(&[
            format!("{prefix:?}"),
            format!("Suffix::{rule}"),
            format!("Answer::{}", pascal(&m.answer)),
        ]));
    }
    o.push_str("];\n\n");

    o.push_str(&format!(
        "/// The answer for an id that matches nothing else.\n\
         pub const DEFAULT: Answer = Answer::{};\n\n",
        pascal(&defaults[0].answer)
    ));

    o.push_str(
        "/// A link id's answer and what follows its prefix (`\"\"` for an exact id, the whole\n\
         /// id for the default answer).\n\
         pub fn classify(id: &str) -> (Answer, &str) {\n\
         \x20   let answer = match id {\n",
    );
    for m in ids
        .iter()
        .filter(|m| !matches!(m.kind.as_str(), "prefix" | "default"))
    {
        o.push_str(&format!(
            "        {:?} => Answer::{},\n",
            m.id,
            pascal(&m.answer)
        ));
    }
    o.push_str(
        "        _ => return by_prefix(id),\n    };\n    (answer, \"\")\n}\n\n\
         fn by_prefix(id: &str) -> (Answer, &str) {\n\
         \x20   for &(prefix, suffix, answer) in PREFIXES {\n\
         \x20       if let Some(rest) = id.strip_prefix(prefix) {\n\
         \x20           if suffix.accepts(rest) {\n\
         \x20               return (answer, rest);\n\
         \x20           }\n\
         \x20       }\n\
         \x20   }\n\
         \x20   (DEFAULT, id)\n}\n",
    );
    o
}
