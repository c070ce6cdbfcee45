//! The timestamp grammar (schema/README.md, "Timestamps"; the Rust core's
//! `src/core/timestamp.rs` is the validator) described once, as data, and
//! `_timestamp_gen.py` emitted from it: the regex Python reads a timestamp with and
//! the range of every numeric field. Python is the binding that still decodes JSON
//! itself (the view is slower there, see bindings/python/README.md), so it is the
//! one that needs a parser; the C++ and Go bindings read the core's parse through the
//! typed view. `tests/test_timestamps.py` checks the emitted parser against the core's
//! verdict, instant and kind on every timestamp of the corpus and on edge cases.

use super::lit;
use std::fmt::Write;

/// One piece of the grammar.
enum G {
    /// Literal text (regex-escaped when emitted).
    Lit(&'static str),
    /// One character of a set, e.g. the date/time separator.
    OneOf(&'static str),
    /// `digits` ASCII digits as a named number; `range` is its inclusive bounds (None:
    /// any value, or a rule the grammar cannot say, like the days of a month).
    Num {
        name: &'static str,
        digits: usize,
        range: Option<(u32, u32)>,
    },
    /// One or more ASCII digits, named.
    Digits(&'static str),
    /// Optional: all of these or nothing.
    Opt(&'static [G]),
    /// One of several alternatives, captured under `name`.
    Alt(&'static str, &'static [&'static [G]]),
}

use G::*;

/// schema/README.md's grammar: `YYYY-MM-DD`, optionally `T`/`t`/space, `HH:MM`,
/// optional `:SS` with optional `.` and fraction digits, then optional `Z`, `z`,
/// `±HH:MM`, `±HHMM` or `±HH`. The day's bound depends on the month and year (the
/// calendar decides it), and the instant in UTC must fall in years 0001-9999.
const GRAMMAR: &[G] = &[
    Num {
        name: "year",
        digits: 4,
        range: Some((1, 9999)),
    },
    Lit("-"),
    Num {
        name: "month",
        digits: 2,
        range: Some((1, 12)),
    },
    Lit("-"),
    Num {
        name: "day",
        digits: 2,
        range: None,
    },
    Opt(&[
        OneOf("Tt "),
        Num {
            name: "hour",
            digits: 2,
            range: Some((0, 23)),
        },
        Lit(":"),
        Num {
            name: "minute",
            digits: 2,
            range: Some((0, 59)),
        },
        Opt(&[
            Lit(":"),
            Num {
                name: "second",
                digits: 2,
                range: Some((0, 59)),
            },
            Opt(&[Lit("."), Digits("fraction")]),
        ]),
        Opt(&[Alt(
            "offset",
            &[
                &[OneOf("Zz")],
                &[
                    Alt("sign", &[&[Lit("+")], &[Lit("-")]]),
                    Num {
                        name: "offset_hour",
                        digits: 2,
                        range: Some((0, 23)),
                    },
                    Opt(&[
                        Opt(&[Lit(":")]),
                        Num {
                            name: "offset_minute",
                            digits: 2,
                            range: Some((0, 59)),
                        },
                    ]),
                ],
            ],
        )]),
    ]),
];

fn regex(parts: &[G], out: &mut String) {
    for g in parts {
        match g {
            Lit(t) => {
                for c in t.chars() {
                    if "\\.^$|?*+()[]{}".contains(c) {
                        out.push('\\');
                    }
                    out.push(c);
                }
            }
            OneOf(set) => {
                let _ = write!(out, "[{set}]");
            }
            Num { name, digits, .. } => {
                let _ = write!(out, "(?P<{name}>[0-9]{{{digits}}})");
            }
            Digits(name) => {
                let _ = write!(out, "(?P<{name}>[0-9]+)");
            }
            Opt(inner) => {
                out.push_str("(?:");
                regex(inner, out);
                out.push_str(")?");
            }
            Alt(name, alts) => {
                let _ = write!(out, "(?P<{name}>");
                for (i, a) in alts.iter().enumerate() {
                    if i > 0 {
                        out.push('|');
                    }
                    regex(a, out);
                }
                out.push(')');
            }
        }
    }
}

fn ranges(parts: &[G], out: &mut Vec<(&'static str, (u32, u32))>) {
    for g in parts {
        match g {
            Num {
                name,
                range: Some(r),
                ..
            } => out.push((name, *r)),
            Opt(inner) => ranges(inner, out),
            Alt(_, alts) => alts.iter().for_each(|a| ranges(a, out)),
            _ => {}
        }
    }
}

/// `_timestamp_gen.py`.
pub fn timestamp_py() -> String {
    let mut re = String::new();
    regex(GRAMMAR, &mut re);
    let mut rs = Vec::new();
    ranges(GRAMMAR, &mut rs);
    let mut m = String::from(
        r#""""schema/README.md's timestamp grammar, emitted from its one description in
gen/src/python/timestamp.rs: `DATETIME` matches a timestamp's text (named groups
`year` ... `fraction`, `offset`, `sign`, `offset_hour`, `offset_minute`) and `RANGES`
bounds its numeric fields. The day's bound is the calendar's, and the instant in UTC
must fall in years 0001-9999 (`_values.parse_datetime` checks both).
"""

from __future__ import annotations

import re
from typing import Dict, Tuple

__all__ = ["DATETIME", "RANGES"]

"#,
    );
    // A raw string: the pattern has backslashes (escaped literals) but never a quote.
    assert!(!re.contains('"'));
    let _ = writeln!(m, "DATETIME = re.compile(r\"{re}\")");
    m.push_str("\n#: Inclusive bounds of each numeric field the grammar bounds.\n");
    m.push_str("RANGES: Dict[str, Tuple[int, int]] = {\n");
    for (name, (lo, hi)) in rs {
        let _ = writeln!(m, "    {}: ({lo}, {hi}),", lit(name));
    }
    m.push_str("}\n");
    m
}
