//! The leaf types of the typed view (`mk_str`, `mk_decimal`, `mk_timestamp`,
//! `mk_opt_bool`) and the reader that fills the generated view structs
//! (view_gen.rs) from a body **the core has already accepted**
//! (`crate::core::validate_identity`). The core stays the only validator: this
//! reader decides nothing; it walks JSON known to be well formed and of the
//! schema's shape, copies every string (unescaped, NUL-terminated) into one
//! buffer sized up front, and keeps every array until the handle is freed.
//! Anything unexpected is a bug and panics (the FFI boundary turns that into
//! `MK_ERR_INTERNAL`) rather than reading out of bounds.

use crate::core::model::{Timestamp, TimestampKind};
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

/// Frees a `Vec<T>` given up by [`Reader::list`].
///
/// # Safety
/// `(p, len, cap)` are the raw parts of a `Vec<T>` not freed yet.
unsafe fn free_vec<T>(p: *mut u8, len: usize, cap: usize) {
    // SAFETY: by this function's contract these are the parts of a live Vec<T>.
    drop(unsafe { Vec::from_raw_parts(p.cast::<T>(), len, cap) });
}

impl Drop for Kept {
    fn drop(&mut self) {
        // SAFETY: `Reader::keep` built this from a `Vec` it gave up, freed only here.
        unsafe { (self.free)(self.ptr, self.len, self.cap) }
    }
}

/// The index of the first `"` or `\\` in `b` (a closing quote exists in an
/// accepted body), eight bytes at a time.
#[inline]
fn quote_or_backslash(b: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let found = |x: u64, c: u8| {
        let y = x ^ (ONES * u64::from(c));
        y.wrapping_sub(ONES) & !y & HIGH // exact for the lowest matching byte
    };
    let mut i = 0;
    while i + 8 <= b.len() {
        let x = u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        let m = found(x, b'"') | found(x, b'\\');
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + b[i..]
        .iter()
        .position(|&c| c == b'"' || c == b'\\')
        .expect("accepted body: a closing quote")
}

/// The memory of a view: the string bytes and every array.
#[allow(dead_code)] // never read: it owns what the view's pointers point into
pub(super) struct Storage {
    /// Every string of the view, each followed by a NUL. Sized before the walk
    /// and never reallocated, so pointers into it stay valid.
    pub(super) strings: Vec<u8>,
    pub(super) kept: Vec<Kept>,
    /// The arrays of [`Reader::list`], packed into a few chunks.
    pub(super) chunks: Vec<Vec<Word>>,
}

/// The unit of the list arena: every view struct has an alignment of at most 8.
type Word = MaybeUninit<u64>;

/// Words per arena chunk: about the body's size, from 2 KiB to 64 KiB (a small
/// body does not pay for a large chunk); a longer list gets a chunk of its own.
fn chunk_words(body_len: usize) -> usize {
    (body_len / 8).clamp(256, 8192)
}

/// Walks an accepted body (see the module comment).
pub(super) struct Reader<'a> {
    b: &'a [u8],
    i: usize,
    /// `strings`' buffer, written only through this pointer during the walk.
    base: *mut u8,
    cap: usize,
    used: usize,
    kept: Vec<Kept>,
    chunks: Vec<Vec<Word>>,
    /// The free words of the last chunk, written only through this pointer.
    next: *mut Word,
    left: usize,
    /// Items of the lists being read (innermost on top), before they are copied
    /// into the arena as one array.
    stack: Vec<Word>,
    /// Not touched during the walk (written only through `base`).
    strings: Vec<u8>,
}

impl<'a> Reader<'a> {
    pub(super) fn new(body: &'a str) -> Reader<'a> {
        // Every stored string is at most its JSON text (escapes only shrink) plus a
        // NUL, and every JSON value in an object or array is followed by at least one
        // byte (a quote, `,`, `]` or `}`), so the body's length plus one bounds the total.
        let cap = body.len() + 1;
        let mut strings = Vec::<u8>::with_capacity(cap);
        let base = strings.as_mut_ptr();
        Reader {
            b: body.as_bytes(),
            i: 0,
            base,
            cap,
            used: 0,
            kept: Vec::new(),
            chunks: Vec::new(),
            next: ptr::null_mut(),
            left: 0,
            stack: Vec::new(),
            strings,
        }
    }

    /// Ends the walk: the storage that every pointer handed out points into.
    pub(super) fn finish(self) -> Storage {
        let Reader {
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

    fn peek(&self) -> u8 {
        *self.b.get(self.i).expect("accepted body: a value follows")
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    /// Consumes `null` if it is next.
    pub(super) fn null(&mut self) -> bool {
        self.ws();
        if self.b[self.i..].starts_with(b"null") {
            self.i += 4;
            true
        } else {
            false
        }
    }

    pub(super) fn begin_object(&mut self) {
        self.ws();
        assert_eq!(self.peek(), b'{', "accepted body: an object");
        self.i += 1;
    }

    /// The next key of the object being read (positioned at its value), or None
    /// at its end.
    pub(super) fn key(&mut self) -> Option<Cow<'a, [u8]>> {
        self.ws();
        if self.peek() == b',' {
            self.i += 1;
            self.ws();
        }
        if self.peek() == b'}' {
            self.i += 1;
            return None;
        }
        let k = self.json_string();
        self.ws();
        assert_eq!(self.peek(), b':', "accepted body: a colon");
        self.i += 1;
        Some(k)
    }

    /// The string at the cursor, unescaped: borrowed from the body when it has
    /// no escapes.
    #[inline]
    fn json_string(&mut self) -> Cow<'a, [u8]> {
        self.ws();
        assert_eq!(self.peek(), b'"', "accepted body: a string");
        let start = self.i + 1;
        let j = start + quote_or_backslash(&self.b[start..]);
        if self.b[j] == b'"' {
            self.i = j + 1;
            return Cow::Borrowed(&self.b[start..j]);
        }
        Cow::Owned(self.escaped_string(start, j))
    }

    /// The rest of a string with escapes: `start` is its first byte, `j` its first
    /// backslash. Leaves the cursor after the closing quote.
    #[cold]
    #[inline(never)]
    fn escaped_string(&mut self, start: usize, mut j: usize) -> Vec<u8> {
        let mut out = self.b[start..j].to_vec();
        while self.b[j] != b'"' {
            if self.b[j] != b'\\' {
                out.push(self.b[j]);
                j += 1;
                continue;
            }
            let e = self.b[j + 1];
            j += 2;
            let c = match e {
                b'n' => '\n',
                b't' => '\t',
                b'r' => '\r',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'u' => {
                    let hi = self.hex4(j);
                    j += 4;
                    let code = if (0xD800..0xDC00).contains(&hi) && self.b[j..].starts_with(b"\\u")
                    {
                        let lo = self.hex4(j + 2);
                        j += 6;
                        0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF)
                    } else {
                        hi
                    };
                    char::from_u32(code).unwrap_or('\u{FFFD}')
                }
                other => char::from(other), // `"`, `\`, `/`
            };
            let mut tmp = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
        }
        self.i = j + 1;
        out
    }

    fn hex4(&self, at: usize) -> u32 {
        let s = std::str::from_utf8(&self.b[at..at + 4]).expect("accepted body: hex digits");
        u32::from_str_radix(s, 16).expect("accepted body: hex digits")
    }

    /// Copies `bytes` and a NUL into the string buffer.
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

    pub(super) fn string(&mut self) -> MkStr {
        let s = self.json_string();
        self.store(&s)
    }

    /// A string and what `of` makes of it (an enum's member).
    pub(super) fn enumeration<T>(&mut self, of: fn(&[u8]) -> T) -> (MkStr, T) {
        let s = self.json_string();
        (self.store(&s), of(&s))
    }

    pub(super) fn boolean(&mut self) -> MkOptBool {
        self.ws();
        if self.b[self.i..].starts_with(b"true") {
            self.i += 4;
            MkOptBool::MkBoolTrue
        } else {
            assert!(
                self.b[self.i..].starts_with(b"false"),
                "accepted body: a boolean"
            );
            self.i += 5;
            MkOptBool::MkBoolFalse
        }
    }

    pub(super) fn decimal(&mut self) -> MkDecimal {
        self.ws();
        let start = self.i;
        while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = self.b.get(self.i) {
            self.i += 1;
        }
        let text = &self.b[start..self.i];
        assert!(!text.is_empty(), "accepted body: a number");
        let value = std::str::from_utf8(text)
            .ok()
            .and_then(|t| t.parse::<f64>().ok())
            .unwrap_or(f64::NAN);
        MkDecimal {
            text: self.store(text),
            value,
        }
    }

    pub(super) fn timestamp(&mut self) -> MkTimestamp {
        let s = self.json_string();
        let text = std::str::from_utf8(&s).expect("accepted body: UTF-8");
        let t = Timestamp::parse(text).expect("accepted body: a timestamp");
        let micros = t.unix_micros();
        MkTimestamp {
            text: self.store(&s),
            unix_micros: micros,
            unix_seconds: micros.div_euclid(1_000_000),
            kind: match t.kind() {
                TimestampKind::Offset => MkTimestampKind::MkTimestampOffset,
                TimestampKind::NoOffset => MkTimestampKind::MkTimestampNoOffset,
                TimestampKind::DateOnly => MkTimestampKind::MkTimestampDateOnly,
            },
        }
    }

    /// Skips any value.
    pub(super) fn skip(&mut self) {
        self.ws();
        match self.peek() {
            b'"' => {
                self.json_string();
            }
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek() {
                        b'"' => {
                            self.json_string();
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => depth -= 1,
                        _ => {}
                    }
                    self.i += 1;
                    if depth == 0 {
                        break;
                    }
                }
            }
            _ => {
                while !matches!(
                    self.b.get(self.i),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')
                ) {
                    self.i += 1;
                }
            }
        }
    }

    /// Any value, as the JSON text sent (an opaque field).
    pub(super) fn raw(&mut self) -> MkStr {
        self.ws();
        let start = self.i;
        self.skip();
        let text = &self.b[start..self.i];
        self.store(text)
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

    /// One value kept on its own (an optional object).
    #[allow(dead_code)] // used when the schema has an optional object field
    pub(super) fn keep_one<T>(&mut self, v: T) -> *const T {
        self.keep(vec![v]).0
    }

    /// `words` free words of the arena (a new chunk when the last one lacks them).
    fn alloc(&mut self, words: usize) -> *mut Word {
        if words > self.left {
            let n = words.max(chunk_words(self.b.len()));
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

    /// An array, each item read by `item`: one allocation-free pass (items go to
    /// a stack, then as one block into the arena).
    pub(super) fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> T) -> (*const T, usize) {
        self.ws();
        assert_eq!(self.peek(), b'[', "accepted body: an array");
        self.i += 1;
        self.ws();
        if self.peek() == b']' {
            self.i += 1;
            return (ptr::NonNull::<T>::dangling().as_ptr().cast_const(), 0);
        }
        let size = std::mem::size_of::<T>();
        if size == 0 || size % 8 != 0 || std::mem::align_of::<T>() > 8 {
            return self.list_vec(item); // items do not tile the words
        }
        let words = size / 8;
        let start = self.stack.len();
        let mut n = 0;
        loop {
            self.ws();
            match self.peek() {
                b']' => {
                    self.i += 1;
                    break;
                }
                b',' => self.i += 1,
                _ => {
                    let v = item(self); // nested lists push and pop above `start`
                    let at = self.stack.len();
                    self.stack.resize(at + words, MaybeUninit::uninit());
                    // SAFETY: `at .. at + words` are the stack's last `words` words, 8-aligned,
                    // `size` bytes: room for one `T` (align <= 8, checked above).
                    unsafe { ptr::write(self.stack.as_mut_ptr().add(at).cast::<T>(), v) };
                    n += 1;
                }
            }
        }
        let total = self.stack.len() - start;
        let dst = self.alloc(total);
        // SAFETY: `dst` has `total` free words (`alloc`) in a chunk, not in the stack; the
        // stack holds `total` initialised words from `start`: `n` items of `T`, back to back.
        unsafe { ptr::copy_nonoverlapping(self.stack.as_ptr().add(start), dst, total) };
        self.stack.truncate(start);
        (dst.cast::<T>().cast_const(), n)
    }

    /// As [`Reader::list`], one `Vec` per list (items whose size is not a whole
    /// number of words); the `[` and any leading whitespace are consumed.
    fn list_vec<T>(&mut self, mut item: impl FnMut(&mut Self) -> T) -> (*const T, usize) {
        let mut v = Vec::with_capacity(8);
        loop {
            self.ws();
            match self.peek() {
                b']' => {
                    self.i += 1;
                    break;
                }
                b',' => self.i += 1,
                _ => v.push(item(self)),
            }
        }
        self.keep(v)
    }

    /// An object of string keys to `T` (null entries dropped, a repeated key's
    /// last value wins, as in the core's model), as entries sorted by key.
    pub(super) fn map<T, E>(
        &mut self,
        mut value: impl FnMut(&mut Self) -> T,
        entry: fn(MkStr, T) -> E,
    ) -> (*const E, usize) {
        self.begin_object();
        let mut all: Vec<(Cow<'a, [u8]>, Option<T>)> = Vec::new();
        while let Some(key) = self.key() {
            let v = if self.null() { None } else { Some(value(self)) };
            all.push((key, v));
        }
        all.sort_by(|a, b| a.0.cmp(&b.0)); // stable: repeated keys keep their order
        let mut entries = Vec::with_capacity(all.len());
        let mut it = all.into_iter().peekable();
        while let Some((key, v)) = it.next() {
            if it.peek().is_some_and(|next| next.0 == key) {
                continue; // a later value for the same key wins
            }
            if let Some(v) = v {
                let key = self.store(&key);
                entries.push(entry(key, v));
            }
        }
        self.keep(entries)
    }
}
