//! The leaf types of the typed view (`mk_str`, `mk_decimal`, `mk_timestamp`,
//! `mk_opt_bool`) and the builder that fills the generated view structs
//! (view_gen.rs) while the core's one validator reads the body
//! (`crate::core::validate`, "reading into a builder"): the view is built in the
//! same pass that checks the body, so it accepts exactly what
//! `mk_validate_identity` accepts. Every string is copied (unescaped,
//! NUL-terminated) into one buffer sized up front, every array into a chunked
//! arena, and everything is kept until the handle is freed.

use crate::core::model::TimestampKind;
use crate::core::validate::{
    read_date_time, read_map, read_number_text, read_opaque_text, read_option, read_seq, read_str,
    Nest, Read,
};
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use std::ffi::c_char;
use std::mem::{ManuallyDrop, MaybeUninit};
use std::ptr;

/// A string of the view: `len` bytes of UTF-8 at `ptr`, followed by a NUL
/// (`ptr[len] == '\0'`). `ptr` is NULL when the value is absent or null; an
/// empty string has a non-NULL `ptr` and `len` 0. A string holding U+0000
/// (sent as `\u0000`) is longer than `strlen` says: `len` is exact.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct MkStr {
    pub ptr: *const c_char,
    pub len: usize,
}

impl MkStr {
    pub(super) const ABSENT: MkStr = MkStr {
        ptr: ptr::null(),
        len: 0,
    };
}

/// An optional boolean: absent (or null), false or true.
#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MkOptBool {
    /// Absent or null.
    MkBoolAbsent = -1,
    /// `false`.
    MkBoolFalse = 0,
    /// `true`.
    MkBoolTrue = 1,
}

impl MkOptBool {
    pub(super) const ABSENT: MkOptBool = MkOptBool::MkBoolAbsent;
}

/// An amount: the JSON number exactly as sent (`text`, e.g. `"340.12"` or
/// `"1e3"`) and the nearest `double` (`value`, a convenience: use `text` when
/// exactness matters). Absent: `text.ptr` is NULL and `value` is NaN.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct MkDecimal {
    pub text: MkStr,
    pub value: f64,
}

impl MkDecimal {
    pub(super) const ABSENT: MkDecimal = MkDecimal {
        text: MkStr::ABSENT,
        value: f64::NAN,
    };
}

/// How a timestamp was written.
#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MkTimestampKind {
    /// Absent or null.
    MkTimestampAbsent = 0,
    /// A time with `Z` or a numeric offset: an exact instant.
    MkTimestampOffset = 1,
    /// A time without an offset: read as UTC.
    MkTimestampNoOffset = 2,
    /// A bare date (`YYYY-MM-DD`): midnight UTC.
    MkTimestampDateOnly = 3,
}

/// A timestamp: the text as sent, the instant it names (microseconds and whole
/// seconds since 1970-01-01T00:00:00Z, seconds rounded down; fraction digits
/// past 6 are cut) and how it was written. Absent: `text.ptr` is NULL, `kind`
/// is `MK_TIMESTAMP_ABSENT`, both times 0.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct MkTimestamp {
    pub text: MkStr,
    pub unix_micros: i64,
    pub unix_seconds: i64,
    pub kind: MkTimestampKind,
}

impl MkTimestamp {
    pub(super) const ABSENT: MkTimestamp = MkTimestamp {
        text: MkStr::ABSENT,
        unix_micros: 0,
        unix_seconds: 0,
        kind: MkTimestampKind::MkTimestampAbsent,
    };
}

/// An array the view hands out, kept until the handle is freed.
pub(super) struct Kept {
    ptr: *mut u8,
    len: usize,
    cap: usize,
    free: unsafe fn(*mut u8, usize, usize),
}

/// Frees a `Vec<T>` given up by [`Builder::keep`].
///
/// # Safety
/// `(p, len, cap)` are the raw parts of a `Vec<T>` not freed yet.
unsafe fn free_vec<T>(p: *mut u8, len: usize, cap: usize) {
    // SAFETY: by this function's contract these are the parts of a live Vec<T>.
    drop(unsafe { Vec::from_raw_parts(p.cast::<T>(), len, cap) });
}

impl Drop for Kept {
    fn drop(&mut self) {
        // SAFETY: `Builder::keep` built this from a `Vec` it gave up, freed only here.
        unsafe { (self.free)(self.ptr, self.len, self.cap) }
    }
}

/// The memory of a view: the string bytes and every array.
#[allow(dead_code)] // never read: it owns what the view's pointers point into
pub(super) struct Storage {
    /// Every string of the view, each followed by a NUL. Sized before the walk
    /// and never reallocated, so pointers into it stay valid.
    pub(super) strings: Vec<u8>,
    pub(super) kept: Vec<Kept>,
    /// The arrays of [`List`], packed into a few chunks.
    pub(super) chunks: Vec<Vec<Word>>,
}

/// The unit of the list arena: every view struct has an alignment of at most 8.
type Word = MaybeUninit<u64>;

/// Words per arena chunk: about the body's size, from 2 KiB to 64 KiB (a small
/// body does not pay for a large chunk); a longer list gets a chunk of its own.
fn chunk_words(body_len: usize) -> usize {
    (body_len / 8).clamp(256, 8192)
}

/// Where the view is built while the validator reads the body.
pub(super) struct Builder {
    /// `strings`' buffer, written only through this pointer while building.
    base: *mut u8,
    cap: usize,
    used: usize,
    kept: Vec<Kept>,
    chunks: Vec<Vec<Word>>,
    chunk_words: usize,
    /// The free words of the last chunk, written only through this pointer.
    next: *mut Word,
    left: usize,
    /// Items of the lists being read (innermost on top), before they are copied
    /// into the arena as one array.
    stack: Vec<Word>,
    /// The arrays and objects around the value being read (see `Nest`).
    depth: usize,
    /// Not touched while building (written only through `base`).
    strings: Vec<u8>,
}

impl Nest for Builder {
    #[inline]
    fn depth(&mut self) -> &mut usize {
        &mut self.depth
    }
}

impl Builder {
    /// A builder for a view of a body of `body_len` bytes.
    pub(super) fn new(body_len: usize) -> Builder {
        // Every stored string is at most its JSON text (escapes only shrink) plus a
        // NUL, every JSON value in an object or array is followed by at least one
        // byte (a quote, `,`, `]` or `}`), and no text of the body is stored twice
        // (a map's key once, each value once), so the body's length plus one bounds
        // the total.
        let cap = body_len + 1;
        let mut strings = Vec::<u8>::with_capacity(cap);
        let base = strings.as_mut_ptr();
        Builder {
            base,
            cap,
            used: 0,
            kept: Vec::new(),
            chunks: Vec::new(),
            chunk_words: chunk_words(body_len),
            next: ptr::null_mut(),
            left: 0,
            stack: Vec::new(),
            depth: 0,
            strings,
        }
    }

    /// Ends the build: the storage that every pointer handed out points into.
    pub(super) fn finish(self) -> Storage {
        let Builder {
            mut strings,
            kept,
            used,
            chunks,
            ..
        } = self;
        // SAFETY: the first `used` bytes of the buffer were initialised through `base`
        // (`store`), and `used <= cap`, its capacity; moving the Vec left its heap
        // buffer (and so every pointer into it) where it was.
        unsafe { strings.set_len(used) };
        Storage {
            strings,
            kept,
            chunks,
        }
    }

    /// Copies `bytes` and a NUL into the string buffer.
    #[inline]
    fn store(&mut self, bytes: &[u8]) -> MkStr {
        let n = bytes.len();
        assert!(self.used + n < self.cap, "view string buffer bound");
        // SAFETY: `used + n + 1 <= cap` (checked), so the n + 1 bytes from `used` lie in
        // the buffer allocated with capacity `cap`; `bytes` is another allocation (the
        // body or a temporary), so they do not overlap.
        let dst = unsafe {
            let dst = self.base.add(self.used);
            ptr::copy_nonoverlapping(bytes.as_ptr(), dst, n);
            *dst.add(n) = 0;
            dst
        };
        self.used += n + 1;
        MkStr {
            ptr: dst.cast::<c_char>().cast_const(),
            len: n,
        }
    }

    /// Keeps `v` until the handle is freed; returns where it lives. An empty
    /// `v` allocates nothing: its (dangling, aligned, non-NULL) pointer is
    /// returned and nothing is kept.
    fn keep<T>(&mut self, v: Vec<T>) -> (*const T, usize) {
        let mut v = ManuallyDrop::new(v);
        let (p, len, cap) = (v.as_mut_ptr(), v.len(), v.capacity());
        if cap > 0 && std::mem::size_of::<T>() > 0 {
            self.kept.push(Kept {
                ptr: p.cast::<u8>(),
                len,
                cap,
                free: free_vec::<T>,
            });
        }
        (p.cast_const(), len)
    }

    /// `words` free words of the arena (a new chunk when the last one lacks them).
    fn alloc(&mut self, words: usize) -> *mut Word {
        if words > self.left {
            let n = words.max(self.chunk_words);
            let mut chunk: Vec<Word> = Vec::with_capacity(n);
            self.next = chunk.as_mut_ptr();
            self.left = n;
            self.chunks.push(chunk); // moves the Vec, not its buffer
        }
        let p = self.next;
        // SAFETY: `words <= left`, the words still free after `next` in the chunk.
        self.next = unsafe { p.add(words) };
        self.left -= words;
        p
    }
}

// ---------------------------------------------------------------- the leaves, read into the view
// Each with the rule function of the validator's type for the same schema type
// (crate::core::validate), so both accept the same values.

impl<'de> Read<'de, Builder> for MkStr {
    #[inline]
    fn read<D: Deserializer<'de>>(b: &mut Builder, d: D) -> Result<Self, D::Error> {
        read_str(d, |s| b.store(s.as_bytes()))
    }
}

impl<'de> Read<'de, Builder> for MkOptBool {
    fn read<D: Deserializer<'de>>(_: &mut Builder, d: D) -> Result<Self, D::Error> {
        Ok(match bool::deserialize(d)? {
            true => MkOptBool::MkBoolTrue,
            false => MkOptBool::MkBoolFalse,
        })
    }
}

impl<'de> Read<'de, Builder> for MkDecimal {
    fn read<D: Deserializer<'de>>(b: &mut Builder, d: D) -> Result<Self, D::Error> {
        let text = read_number_text(d)?;
        Ok(MkDecimal {
            // Rust's parse rounds correctly (the nearest double); the text is JSON's
            // number grammar, which it always takes.
            value: text.parse::<f64>().unwrap_or(f64::NAN),
            text: b.store(text.as_bytes()),
        })
    }
}

impl<'de> Read<'de, Builder> for MkTimestamp {
    fn read<D: Deserializer<'de>>(b: &mut Builder, d: D) -> Result<Self, D::Error> {
        read_date_time(d, |text, micros, kind| MkTimestamp {
            text: b.store(text.as_bytes()),
            unix_micros: micros,
            unix_seconds: micros.div_euclid(1_000_000),
            kind: match kind {
                TimestampKind::Offset => MkTimestampKind::MkTimestampOffset,
                TimestampKind::NoOffset => MkTimestampKind::MkTimestampNoOffset,
                TimestampKind::DateOnly => MkTimestampKind::MkTimestampDateOnly,
            },
        })
    }
}

impl<'de, T: Read<'de, Builder>> Read<'de, Builder> for Option<T> {
    #[inline]
    fn read<D: Deserializer<'de>>(b: &mut Builder, d: D) -> Result<Self, D::Error> {
        read_option(b, d)
    }
}

/// An opaque value: its JSON text as sent.
#[repr(transparent)]
pub(super) struct Raw(pub(super) MkStr);

impl<'de> Read<'de, Builder> for Raw {
    fn read<D: Deserializer<'de>>(b: &mut Builder, d: D) -> Result<Self, D::Error> {
        let text = read_opaque_text(d, b.depth)?;
        Ok(Raw(b.store(text.as_bytes())))
    }
}

/// A C enum of the view: the member for a value as sent (UNKNOWN for any other).
pub(super) trait Known {
    fn of(text: &[u8]) -> Self;
}

/// An enum value: the string as sent and its member.
pub(super) struct Enum<E> {
    pub(super) text: MkStr,
    pub(super) value: E,
}

impl<'de, E: Known> Read<'de, Builder> for Enum<E> {
    #[inline]
    fn read<D: Deserializer<'de>>(b: &mut Builder, d: D) -> Result<Self, D::Error> {
        read_str(d, |s| Enum {
            text: b.store(s.as_bytes()),
            value: E::of(s.as_bytes()),
        })
    }
}

/// An optional object, kept on its own (a pointer in its parent).
#[allow(dead_code)] // used when the schema has an optional object field
pub(super) struct Single<T>(pub(super) *const T);

impl<'de, T: Read<'de, Builder>> Read<'de, Builder> for Single<T> {
    fn read<D: Deserializer<'de>>(b: &mut Builder, d: D) -> Result<Self, D::Error> {
        let one = T::read(b, d)?;
        Ok(Single(b.keep(vec![one]).0))
    }
}

/// An array: `len` items at `ptr` (non-NULL, dangling when empty).
pub(super) struct List<T> {
    pub(super) ptr: *const T,
    pub(super) len: usize,
}

impl<'de, T: Read<'de, Builder>> Read<'de, Builder> for List<T> {
    fn read<D: Deserializer<'de>>(b: &mut Builder, d: D) -> Result<Self, D::Error> {
        const { assert!(!std::mem::needs_drop::<T>(), "view values own nothing") };
        let size = std::mem::size_of::<T>();
        b.depth += 1;
        if size == 0 || size % 8 != 0 || std::mem::align_of::<T>() > 8 {
            // Items that do not tile the arena's words: one Vec per list.
            let mut v = Vec::new();
            read_seq(b, d, |_, item: T| v.push(item))?;
            b.depth -= 1;
            let (ptr, len) = b.keep(v);
            return Ok(List { ptr, len });
        }
        // Items go to the stack (nested lists push and pop above `start`), then as
        // one block into the arena.
        let words = size / 8;
        let start = b.stack.len();
        let mut len = 0;
        read_seq(b, d, |b, item: T| {
            let at = b.stack.len();
            b.stack.resize(at + words, MaybeUninit::uninit());
            // SAFETY: `at .. at + words` are the stack's last `words` words, 8-aligned,
            // `size` bytes: room for one `T` (align <= 8, checked above).
            unsafe { ptr::write(b.stack.as_mut_ptr().add(at).cast::<T>(), item) };
            len += 1;
        })?;
        b.depth -= 1;
        if len == 0 {
            return Ok(List {
                ptr: ptr::NonNull::<T>::dangling().as_ptr().cast_const(),
                len,
            });
        }
        let total = b.stack.len() - start;
        let dst = b.alloc(total);
        // SAFETY: `dst` has `total` free words (`alloc`) in a chunk, not in the stack; the
        // stack holds `total` initialised words from `start`: `len` items of `T`, back to
        // back (a failed read returns above, before this).
        unsafe { ptr::copy_nonoverlapping(b.stack.as_ptr().add(start), dst, total) };
        b.stack.truncate(start);
        Ok(List {
            ptr: dst.cast::<T>().cast_const(),
            len,
        })
    }
}

/// An entry of a view map: its key and its (never null) value.
pub(super) trait Entry {
    type Value;
    fn new(key: MkStr, value: Self::Value) -> Self;
}

/// A map as its entries sorted by key (null entries dropped, a repeated key's
/// last value wins, as in the core's model).
pub(super) struct Entries<E> {
    pub(super) ptr: *const E,
    pub(super) len: usize,
}

impl<'de, E: Entry> Read<'de, Builder> for Entries<E>
where
    E::Value: Read<'de, Builder>,
{
    fn read<D: Deserializer<'de>>(b: &mut Builder, d: D) -> Result<Self, D::Error> {
        let mut all: Vec<(Cow<'de, str>, Option<E::Value>)> = Vec::new();
        b.depth += 1;
        read_map(b, d, |_, key, value: Option<E::Value>| {
            all.push((key.into_cow(), value))
        })?;
        b.depth -= 1;
        all.sort_by(|x, y| x.0.as_bytes().cmp(y.0.as_bytes())); // stable: repeats keep their order
        let mut entries = Vec::with_capacity(all.len());
        let mut it = all.into_iter().peekable();
        while let Some((key, v)) = it.next() {
            if it.peek().is_some_and(|next| next.0 == key) {
                continue; // a later value for the same key wins
            }
            if let Some(v) = v {
                let key = b.store(key.as_bytes());
                entries.push(E::new(key, v));
            }
        }
        let (ptr, len) = b.keep(entries);
        Ok(Entries { ptr, len })
    }
}
