//! The one validator (schema/README.md, "One validator"): decides whether a
//! Get Identity body is acceptable. Every 200 body goes through the shape
//! check of `model_gen::shape`, which allocates nothing per value; only a
//! refused body is parsed again, into a `serde_json::Value`, so the path walker
//! of `model_gen` can name where and what is wrong. Messages never carry a
//! value from the body (owner data must not reach callers' logs).
//!
//! The typed C view (src/ffi/view_read.rs) is built by the same check in the
//! same pass: the shape check is written once, generic over what a value is read
//! into ([`Read`]): `()` for the validator (nothing kept), the view's builder for
//! `mk_identity_parse`. Objects come from one macro ([`shape_object!`]) and every
//! leaf's rule from one function here, so both accept exactly the same bodies.

use super::input_json;
use super::model_gen;
use super::timestamp;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// Checks that `body` is an `IdentityResponse`; the error is `<path>: <problem>`.
pub fn validate_identity(body: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(body).map_err(|_| "body is not UTF-8".to_string())?;
    validate_identity_str(text)
}

/// As [`validate_identity`], for a body already known to be UTF-8 (the parser
/// then skips re-checking every string, which is most of its work).
pub fn validate_identity_str(body: &str) -> Result<(), String> {
    read_identity::<(), model_gen::shape::IdentityResponse>(&mut (), body).map(|_| ())
}

/// The shape check of a whole body, reading it into `b` as a `T` (the root
/// object): the validator with `()`, the typed view with its builder. The error
/// is the validator's `<path>: <problem>`.
pub(crate) fn read_identity<'de, B, T: Read<'de, B>>(
    b: &mut B,
    body: &'de str,
) -> Result<T, String> {
    // As `serde_json::from_str`: the value, then nothing but whitespace.
    let mut de = serde_json::Deserializer::from_str(body);
    match T::read(b, &mut de).and_then(|t| de.end().map(|()| t)) {
        Ok(t) => Ok(t),
        Err(_) => Err(explain(body)),
    }
}

/// Why the shape check refused `body`, as `<path>: <problem>`.
fn explain(body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        // serde_json's syntax messages name a position, never the text there.
        Err(e) => format!("body is not valid JSON: {e}"),
        Ok(v) => match model_gen::check_identity_response(&v, &Path::Root) {
            Err(problem) => problem,
            // The shape check is stricter than the walker only on duplicate keys.
            Ok(()) => "body: an object has a duplicate key".to_string(),
        },
    }
}

#[path = "validate_read.rs"]
mod read;
pub(crate) use read::*;

// ---------------------------------------------------------------- the shape check's leaves

/// Any JSON string, looked at but not kept.
pub(crate) struct Str;

impl<'de> Deserialize<'de> for Str {
    #[inline]
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        read_str(d, |_| Str)
    }
}

/// A timestamp in the schema's grammar.
pub(crate) struct DateTime;

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        read_date_time(d, |_, _, _| DateTime)
    }
}

/// A JSON number (amounts: integers or decimals).
pub(crate) struct Num;

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Num, E> {
                Ok(Num)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Num, E> {
                Ok(Num)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Num, E> {
                Ok(Num)
            }
        }
        d.deserialize_any(V)
    }
}

/// A JSON array whose every element is a valid `T`; elements are not kept.
pub(crate) struct Seq<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Seq<T> {
    #[inline]
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        read_seq::<D, (), T>(&mut (), d, |_, _| ()).map(|()| Seq(PhantomData))
    }
}

/// An object member's name: borrowed from the body unless it holds an escape.
pub(crate) struct Key<'de>(Cow<'de, str>);

impl<'de> Key<'de> {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn into_cow(self) -> Cow<'de, str> {
        self.0
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    #[inline]
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

/// Any JSON value, read and not kept: unlike serde's `IgnoredAny`, which skips a
/// number without converting it, numbers are parsed, so `1e400` is refused in an
/// unknown member as it is in an amount (a fuzz finding: whether a body was valid
/// JSON depended on where the number sat, and most JSON readers refuse it).
pub(crate) struct Any;

impl<'de> Deserialize<'de> for Any {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Any;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Any, E> {
                Ok(Any)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Any, E> {
                Ok(Any)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Any, E> {
                Ok(Any)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Any, E> {
                Ok(Any)
            }
            fn visit_str<E>(self, _: &str) -> Result<Any, E> {
                Ok(Any)
            }
            fn visit_unit<E>(self) -> Result<Any, E> {
                Ok(Any)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Any, A::Error> {
                while seq.next_element::<Any>()?.is_some() {}
                Ok(Any)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Any, A::Error> {
                while map.next_entry::<IgnoredAny, Any>()?.is_some() {}
                Ok(Any)
            }
        }
        d.deserialize_any(V)
    }
}

/// Declares how a schema object is read: only from a JSON object (an array of
/// its fields is refused), its members as the given types (`Option<T>` for an
/// optional one), unknown members as [`Any`]; a member given twice or a required
/// one missing is refused. A visitor rather than a derive, which would take an
/// array and skip unknown numbers unchecked (issue 23). Two forms, one rule:
/// - the validator's (`model_gen::shape`): `shape_object!(Name, n, { index "key":
///   Type, ... }, required { index "key", ... })` declares the unit struct `Name`,
///   read into `()`;
/// - a builder's (the typed view, src/ffi/view_gen.rs): `shape_object!(build B,
///   Out = init, n, { index "key": Type => setter, ... }, required { ... })`
///   implements [`Read`]`<B>` for `Out`: it starts from `init` and hands each
///   member's value to `setter(&mut out, value)`; `B` must implement [`Nest`].
macro_rules! shape_object {
    ($name:ident, $n:literal, { $($i:literal $key:literal : $ty:ty),* $(,)? },
     required { $($ri:literal $rkey:literal),* $(,)? }) => {
        pub(crate) struct $name;

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("an object")
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$name, A::Error> {
                        let mut o = $name;
                        $crate::core::validate::shape_object!(@members map, &mut (), o, $n,
                            { $($i $key : $ty => |_: &mut $name, _: $ty| ()),* },
                            required { $($ri $rkey),* });
                        Ok(o)
                    }
                }
                d.deserialize_map(V)
            }
        }
    };
    (build $b:ty, $out:ty = $init:expr, $n:literal,
     { $($i:literal $key:literal : $ty:ty => $set:expr),* $(,)? },
     required { $($ri:literal $rkey:literal),* $(,)? }) => {
        impl<'de> $crate::core::validate::Read<'de, $b> for $out {
            fn read<D: serde::Deserializer<'de>>(b: &mut $b, d: D) -> Result<Self, D::Error> {
                struct V<'b>(&'b mut $b);
                impl<'de> serde::de::Visitor<'de> for V<'_> {
                    type Value = $out;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("an object")
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$out, A::Error> {
                        let mut o = $init;
                        $crate::core::validate::shape_object!(@members map, &mut *self.0, o, $n,
                            { $($i $key : $ty => $set),* }, required { $($ri $rkey),* });
                        Ok(o)
                    }
                }
                use $crate::core::validate::Nest as _;
                *b.depth() += 1;
                let o = d.deserialize_map(V(&mut *b));
                *b.depth() -= 1;
                o
            }
        }
    };
    // The members' loop, shared by both forms.
    (@members $map:ident, $b:expr, $o:ident, $n:literal,
     { $($i:literal $key:literal : $ty:ty => $set:expr),* },
     required { $($ri:literal $rkey:literal),* }) => {
        use serde::de::Error as _;
        let mut seen = [false; $n];
        while let Some(key) = $map.next_key::<$crate::core::validate::Key<'de>>()? {
            let i: usize = match key.as_str() {
                $($key => {
                    let v = $map.next_value_seed(
                        $crate::core::validate::Seed::<_, $ty>::new($b))?;
                    ($set)(&mut $o, v);
                    $i
                })*
                _ => {
                    $map.next_value::<$crate::core::validate::Any>()?;
                    continue;
                }
            };
            if std::mem::replace(&mut seen[i], true) {
                return Err(A::Error::custom("duplicate field"));
            }
        }
        $(if !seen[$ri] {
            return Err(A::Error::missing_field($rkey));
        })*
    };
}
pub(crate) use shape_object;

/// A JSON object whose every value is a valid `T` (use `Option<T>` to allow
/// null entries); entries are not kept.
pub(crate) struct Map<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Map<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        read_map::<D, (), T>(&mut (), d, |_, _, _| ()).map(|()| Map(PhantomData))
    }
}

/// Any JSON object, skipped.
pub(crate) type Opaque = Map<Any>;

// ---------------------------------------------------------------- the path walker's leaves

/// Where a value sits in the body, formatted only for a message.
pub(crate) enum Path<'a> {
    Root,
    /// A field the schema names (always plain).
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
    /// A map entry: the key comes from the body, so it is quoted only when short
    /// and plain, else named by its position (`input_json::key_label`, issue 23).
    Entry(&'a Path<'a>, &'a str, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Path::Root => f.write_str("body"),
            Path::Key(Path::Root, k) => f.write_str(k),
            Path::Key(p, k) => write!(f, "{p}.{k}"),
            Path::Index(p, i) => write!(f, "{p}[{i}]"),
            Path::Entry(p, k, i) => write!(f, "{p}.{}", input_json::key_label(k, *i)),
        }
    }
}

pub(crate) type Check = fn(&Value, &Path) -> Result<(), String>;

fn expected(at: &Path, what: &str) -> String {
    format!("{at}: expected {what}")
}

pub(crate) fn object<'v>(
    v: &'v Value,
    at: &Path,
) -> Result<&'v serde_json::Map<String, Value>, String> {
    v.as_object().ok_or_else(|| expected(at, "object"))
}

/// A required field: present and not null, then checked by `check`.
pub(crate) fn required(
    o: &serde_json::Map<String, Value>,
    key: &str,
    at: &Path,
    check: Check,
) -> Result<(), String> {
    let here = Path::Key(at, key);
    match o.get(key) {
        None => Err(format!("{here}: required field missing")),
        Some(Value::Null) => Err(format!("{here}: required field is null")),
        Some(v) => check(v, &here),
    }
}

/// An optional field: absent and null are the same; anything else is checked.
pub(crate) fn optional(
    o: &serde_json::Map<String, Value>,
    key: &str,
    at: &Path,
    check: Check,
) -> Result<(), String> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(()),
        Some(v) => check(v, &Path::Key(at, key)),
    }
}

pub(crate) fn string(v: &Value, at: &Path) -> Result<(), String> {
    v.is_string()
        .then_some(())
        .ok_or_else(|| expected(at, "string"))
}

pub(crate) fn boolean(v: &Value, at: &Path) -> Result<(), String> {
    v.is_boolean()
        .then_some(())
        .ok_or_else(|| expected(at, "boolean"))
}

pub(crate) fn number(v: &Value, at: &Path) -> Result<(), String> {
    v.is_number()
        .then_some(())
        .ok_or_else(|| expected(at, "number"))
}

pub(crate) fn date_time(v: &Value, at: &Path) -> Result<(), String> {
    v.as_str()
        .and_then(timestamp::parse)
        .map(|_| ())
        .ok_or_else(|| expected(at, "ISO-8601 date-time"))
}

pub(crate) fn opaque(v: &Value, at: &Path) -> Result<(), String> {
    object(v, at).map(|_| ())
}

pub(crate) fn list(v: &Value, at: &Path, item: Check) -> Result<(), String> {
    let items = v.as_array().ok_or_else(|| expected(at, "array"))?;
    items
        .iter()
        .enumerate()
        .try_for_each(|(i, x)| item(x, &Path::Index(at, i)))
}

/// A map: an object whose non-null values are checked by `entry`.
pub(crate) fn map(v: &Value, at: &Path, entry: Check) -> Result<(), String> {
    object(v, at)?
        .iter()
        .enumerate()
        .filter(|(_, (_, x))| !x.is_null())
        .try_for_each(|(i, (k, x))| entry(x, &Path::Entry(at, k, i)))
}
