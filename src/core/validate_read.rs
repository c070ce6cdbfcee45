//! Reading a body into a builder (see validate.rs's module comment): the [`Read`]
//! trait, and the rule of every leaf of the schema as one function, which the
//! validator's leaf types (validate.rs) and the typed view's (src/ffi/view_read.rs)
//! both call, so both accept the same values.

use super::{Key, Num, Opaque};
use crate::core::timestamp::{self, TimestampKind};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::fmt;
use std::marker::PhantomData;

/// A value of the schema read through serde into a builder `B`: like
/// `Deserialize`, with somewhere to put what is read. The validator's types
/// (below and `model_gen::shape`) read into `()` through their `Deserialize`;
/// the typed view's (src/ffi/view_read.rs) into its builder, each with the same
/// rule function as the validator's type of that schema type.
pub(crate) trait Read<'de, B>: Sized {
    fn read<D: Deserializer<'de>>(b: &mut B, d: D) -> Result<Self, D::Error>;
}

impl<'de, T: Deserialize<'de>> Read<'de, ()> for T {
    #[inline]
    fn read<D: Deserializer<'de>>(_: &mut (), d: D) -> Result<Self, D::Error> {
        T::deserialize(d)
    }
}

/// Reads one `T` into a builder where serde wants a seed (array items, member values).
pub(crate) struct Seed<'b, B, T>(&'b mut B, PhantomData<T>);

impl<'b, B, T> Seed<'b, B, T> {
    #[inline]
    pub(crate) fn new(b: &'b mut B) -> Self {
        Seed(b, PhantomData)
    }
}

impl<'de, B, T: Read<'de, B>> DeserializeSeed<'de> for Seed<'_, B, T> {
    type Value = T;
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        T::read(self.0, d)
    }
}

/// How deep the builder is in the body's arrays and objects (the root object is
/// 1), which an opaque value needs: see [`read_opaque_text`].
pub(crate) trait Nest {
    fn depth(&mut self) -> &mut usize;
}

/// serde_json's nesting limit: a body whose arrays and objects nest deeper is refused.
const MAX_DEPTH: usize = 127;

// ---------------------------------------------------------------- the rules of the leaves

/// A string: `f` gets it unescaped.
#[inline]
pub(crate) fn read_str<'de, D: Deserializer<'de>, R>(
    d: D,
    f: impl FnOnce(&str) -> R,
) -> Result<R, D::Error> {
    struct V<F>(F);
    impl<R, F: FnOnce(&str) -> R> Visitor<'_> for V<F> {
        type Value = R;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }
        #[inline]
        fn visit_str<E: de::Error>(self, s: &str) -> Result<R, E> {
            Ok((self.0)(s))
        }
    }
    d.deserialize_str(V(f))
}

/// A timestamp in the schema's grammar: `f` gets the text, the instant in
/// microseconds and how it was written.
#[inline]
pub(crate) fn read_date_time<'de, D: Deserializer<'de>, R>(
    d: D,
    f: impl FnOnce(&str, i64, TimestampKind) -> R,
) -> Result<R, D::Error> {
    struct V<F>(F);
    impl<R, F: FnOnce(&str, i64, TimestampKind) -> R> Visitor<'_> for V<F> {
        type Value = R;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an ISO-8601 date-time")
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<R, E> {
            match timestamp::parse(s) {
                Some((micros, kind)) => Ok((self.0)(s, micros, kind)),
                None => Err(E::custom("expected ISO-8601 date-time")),
            }
        }
    }
    d.deserialize_str(V(f))
}

/// A number as [`Num`] accepts it, and its text exactly as sent. serde_json hands
/// out no number's text, so the value is taken raw and then read as a [`Num`]:
/// the raw reader skips a number by the same grammar as the number parser (it
/// only leaves out the range check, which the second read makes), and anything
/// else it takes is refused by [`Num`], as in place.
pub(crate) fn read_number_text<'de, D: Deserializer<'de>>(d: D) -> Result<&'de str, D::Error> {
    let raw = <&'de RawValue>::deserialize(d)?;
    match serde_json::from_str::<Num>(raw.get()) {
        Ok(Num) => Ok(raw.get()),
        Err(_) => Err(de::Error::custom("expected number")),
    }
}

/// An opaque value as [`Opaque`] accepts it, and its JSON text as sent, read at
/// `depth` (the arrays and objects around it). Taken raw and then read as an
/// [`Opaque`], as [`read_number_text`]; the raw reader has no nesting limit and
/// the second read starts from the top, so the nesting limit the body would hit
/// in place is checked here.
pub(crate) fn read_opaque_text<'de, D: Deserializer<'de>>(
    d: D,
    depth: usize,
) -> Result<&'de str, D::Error> {
    let raw = <&'de RawValue>::deserialize(d)?.get();
    if depth + nesting(raw.as_bytes()) > MAX_DEPTH {
        return Err(de::Error::custom("recursion limit exceeded"));
    }
    match serde_json::from_str::<Opaque>(raw) {
        Ok(_) => Ok(raw),
        Err(_) => Err(de::Error::custom("expected object")),
    }
}

/// How deeply the arrays and objects of a JSON text nest (0 for a scalar).
fn nesting(json: &[u8]) -> usize {
    let (mut depth, mut max, mut in_str, mut escaped) = (0usize, 0usize, false, false);
    for &c in json {
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' => in_str = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// An array: each item read as a `T` into `b`, then handed to `each`.
#[inline]
pub(crate) fn read_seq<'de, D, B, T>(
    b: &mut B,
    d: D,
    each: impl FnMut(&mut B, T),
) -> Result<(), D::Error>
where
    D: Deserializer<'de>,
    T: Read<'de, B>,
{
    struct V<'b, B, T, F>(&'b mut B, F, PhantomData<T>);
    impl<'de, B, T: Read<'de, B>, F: FnMut(&mut B, T)> Visitor<'de> for V<'_, B, T, F> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an array")
        }
        #[inline]
        fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
            while let Some(item) = seq.next_element_seed(Seed::<B, T>::new(self.0))? {
                (self.1)(self.0, item);
            }
            Ok(())
        }
    }
    d.deserialize_seq(V(b, each, PhantomData))
}

/// A map: an object whose every value is read as a `T` into `b` (use an
/// `Option` to allow null values), then handed to `each` with its key.
pub(crate) fn read_map<'de, D, B, T>(
    b: &mut B,
    d: D,
    each: impl FnMut(&mut B, Key<'de>, T),
) -> Result<(), D::Error>
where
    D: Deserializer<'de>,
    T: Read<'de, B>,
{
    struct V<'b, B, T, F>(&'b mut B, F, PhantomData<T>);
    impl<'de, B, T: Read<'de, B>, F: FnMut(&mut B, Key<'de>, T)> Visitor<'de> for V<'_, B, T, F> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<Key<'de>>()? {
                let value = map.next_value_seed(Seed::<B, T>::new(self.0))?;
                (self.1)(self.0, key, value);
            }
            Ok(())
        }
    }
    d.deserialize_map(V(b, each, PhantomData))
}

/// An optional value: absent and `null` are the same. The rule of serde's
/// `Option` (the validator's optional members), for a value read into a builder.
pub(crate) fn read_option<'de, D, B, T>(b: &mut B, d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Read<'de, B>,
{
    struct V<'b, B, T>(&'b mut B, PhantomData<T>);
    impl<'de, B, T: Read<'de, B>> Visitor<'de> for V<'_, B, T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("option")
        }
        #[inline]
        fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }
        #[inline]
        fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }
        #[inline]
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
            T::read(self.0, d).map(Some)
        }
    }
    d.deserialize_option(V(b, PhantomData))
}
