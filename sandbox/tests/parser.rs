//! The sandbox's request parser through its public, socket-free API (what the fuzz harness
//! calls): known inputs, then a bounded run of pseudo-random mutations checking the
//! invariants documented in `moneykit_sandbox::http`.

use std::io::Read;

use moneykit_sandbox::http::{
    parse_request, Limits, ParsedRequest, ReadError, RequestReader, MAX_BODY,
};

fn parse(bytes: &[u8]) -> Result<ParsedRequest, ReadError> {
    parse_request(bytes, Limits::default())
}

#[test]
fn known_requests() {
    let p = parse(b"\r\nGET /links/x/identity?a=1 HTTP/1.1\r\nHost: h\r\nX-A:  b c \r\n\r\nNEXT")
        .unwrap();
    assert_eq!(p.request.method, "GET");
    assert_eq!(p.request.path(), "/links/x/identity");
    assert_eq!(p.request.query(), "a=1");
    assert_eq!(p.request.header("x-a"), Some("b c"));
    assert_eq!(p.consumed, 61, "up to NEXT, the next pipelined request");

    let p = parse(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcdef").unwrap();
    assert_eq!((p.request.body.as_slice(), p.consumed), (&b"abc"[..], 41));

    let p = parse(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n002\r\nde\r\n0\r\nT: v\r\n\r\n")
        .unwrap();
    assert_eq!(p.request.body, b"abcde");

    assert_eq!(parse(b"").unwrap_err(), ReadError::Closed);
    assert_eq!(parse(b"\r\n\r\n").unwrap_err(), ReadError::Closed);
    assert_eq!(
        parse(b"GET / HTTP/1.1\r\nHost").unwrap_err(),
        ReadError::Bad("incomplete request")
    );
    assert_eq!(
        parse(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nab").unwrap_err(),
        ReadError::Closed
    );
    assert_eq!(
        parse(b"GET /\xc3\xa9 HTTP/1.1\r\n\r\n").unwrap_err(),
        ReadError::Bad("malformed request target"),
        "non-ASCII targets are refused"
    );
    assert_eq!(
        parse(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n")
            .unwrap_err(),
        ReadError::Unsupported,
        "every Transfer-Encoding header counts"
    );
    assert_eq!(
        parse(
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\nffffffffffffffff\r\n"
        )
        .unwrap_err(),
        ReadError::BodyTooLarge
    );
    assert_eq!(
        parse(b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n").unwrap_err(),
        ReadError::BodyTooLarge
    );
    // Limits are the caller's.
    let small = Limits {
        max_head: 40,
        max_body: 4,
    };
    assert_eq!(
        parse_request(
            b"GET / HTTP/1.1\r\nX-Long-Header: yes, it is\r\n\r\n",
            small
        )
        .unwrap_err(),
        ReadError::HeadTooLarge
    );
    assert_eq!(
        parse_request(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n", small).unwrap_err(),
        ReadError::BodyTooLarge
    );
    assert_eq!(ReadError::BodyTooLarge.status(), Some(413));
    assert_eq!(Limits::default().max_body, MAX_BODY);
}

/// A reader handing out its bytes a few at a time (1..=`step`).
struct Trickle<'a> {
    data: &'a [u8],
    rng: u64,
    step: u64,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (1 + next(&mut self.rng) % self.step) as usize;
        let n = n.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// SplitMix64.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

/// The documented invariants of an `Ok` parse of `input`.
fn check(input: &[u8], limits: Limits, p: &ParsedRequest) {
    let r = &p.request;
    let ctx = || String::from_utf8_lossy(input).into_owned();
    assert!(r.body.len() <= limits.max_body, "{}", ctx());
    assert!(
        !r.method.is_empty() && r.method.bytes().all(is_tchar),
        "{}",
        ctx()
    );
    assert!(
        !r.target.is_empty() && r.target.bytes().all(|c| c.is_ascii_graphic()),
        "{}",
        ctx()
    );
    assert!(
        r.target.starts_with('/')
            || r.target.starts_with("http://")
            || r.target.starts_with("https://")
            || r.target == "*"
    );
    assert!(r.minor <= 1);
    for (k, v) in &r.headers {
        assert!(!k.is_empty() && k.bytes().all(is_tchar), "{k:?}");
        assert!(!v.contains(['\r', '\n', '\0']), "{v:?}");
        assert_eq!(v.trim_matches(|c: char| c.is_ascii_whitespace()), v);
    }
    let has = |n: &str| r.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
    if let Some(cl) = r.header("content-length") {
        assert!(!has("transfer-encoding"));
        let n: u64 = cl.split(',').next().unwrap().trim().parse().unwrap();
        assert_eq!(r.body.len() as u64, n, "{}", ctx());
    } else if !has("transfer-encoding") {
        assert!(r.body.is_empty());
    }
    assert!(p.consumed <= input.len());
    // The request is all in what it consumed.
    let again = parse_request(&input[..p.consumed], limits).unwrap();
    assert_eq!(&again, p);
    // None of these panic.
    let _ = (r.path(), r.query(), r.keep_alive());
}

const SEEDS: [&[u8]; 8] = [
    b"GET /links/mk_sandbox_ok/identity HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer t\r\n\r\n",
    b"POST /auth/token HTTP/1.1\r\nContent-Length: 29\r\nExpect: 100-continue\r\n\r\ngrant_type=client_credentials",
    b"POST /links/x/products HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0A\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n",
    b"\r\n\nGET http://h:1/p?q=1#f HTTP/1.0\nConnection: keep-alive\n\n",
    b"GET / HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\nabGET / HTTP/1.1\r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\nX: \t y \t\r\n\r\n",
    b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n",
    b"PUT /x HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n",
];

const INTERESTING: [&[u8]; 14] = [
    b"\r\n",
    b"\n",
    b"\r",
    b":",
    b" ",
    b";",
    b",",
    b"\0",
    b"\xff",
    b"0",
    b"f",
    b"ffffffffffffffff",
    b"Content-Length: 1\r\n",
    b"Transfer-Encoding: chunked\r\n",
];

fn mutate(rng: &mut u64) -> Vec<u8> {
    let mut v = SEEDS[(next(rng) % SEEDS.len() as u64) as usize].to_vec();
    for _ in 0..1 + next(rng) % 4 {
        let at = (next(rng) % (v.len() as u64 + 1)) as usize;
        match next(rng) % 5 {
            0 if at < v.len() => v[at] = next(rng) as u8,
            1 => {
                let ins = INTERESTING[(next(rng) % INTERESTING.len() as u64) as usize];
                v.splice(at..at, ins.iter().copied());
            }
            2 => {
                let end = (at + (next(rng) % 16) as usize).min(v.len());
                v.drain(at..end);
            }
            3 => {
                let end = (at + (next(rng) % 32) as usize).min(v.len());
                let dup = v[at..end].to_vec();
                v.splice(at..at, dup);
            }
            _ => {
                let other = SEEDS[(next(rng) % SEEDS.len() as u64) as usize];
                v.truncate(at);
                v.extend_from_slice(&other[(next(rng) % other.len() as u64) as usize..]);
            }
        }
    }
    v
}

#[test]
fn random_inputs_keep_the_invariants_however_they_are_split() {
    let mut rng = 23u64;
    let mut ok = 0;
    for i in 0..20_000 {
        let input = mutate(&mut rng);
        let limits = if i % 8 == 0 {
            Limits::default()
        } else {
            Limits {
                max_head: 16 + (next(&mut rng) % 200) as usize,
                max_body: (next(&mut rng) % 64) as usize,
            }
        };
        let whole = parse_request(&input, limits);
        // The same bytes a few at a time through the reader API: the same result.
        let mut reader = RequestReader::new(limits);
        let mut src = Trickle {
            data: &input,
            rng: next(&mut rng),
            step: 1 + next(&mut rng) % 7,
        };
        let split = reader.read_request(&mut src);
        match (&whole, &split) {
            (Ok(p), Ok(r)) => {
                assert_eq!(&p.request, r, "{:?}", String::from_utf8_lossy(&input));
                let consumed = input.len() - src.data.len() - reader.buffered().len();
                assert_eq!(p.consumed, consumed);
                check(&input, limits, p);
                ok += 1;
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "{:?}", String::from_utf8_lossy(&input)),
            _ => panic!(
                "{whole:?} vs {split:?} for {:?}",
                String::from_utf8_lossy(&input)
            ),
        }
    }
    assert!(
        ok > 1_000,
        "only {ok} parsed: the mutations are too harsh to test much"
    );
}
