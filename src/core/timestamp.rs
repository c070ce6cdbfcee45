//! ISO-8601 timestamps as MoneyKit sends them (docs/moneykit-api.md, "Timestamps";
//! grammar in schema/README.md): a bare date, a naive time, fractional seconds,
//! `Z` or an offset. Parsed without allocating, so the shape check can use it.

use std::fmt;

/// What the original text said about its time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampKind {
    /// A time with `Z` or a numeric offset: an exact instant.
    Offset,
    /// A time without an offset: read as UTC.
    NoOffset,
    /// A bare date (`YYYY-MM-DD`): midnight UTC.
    DateOnly,
}

/// A timestamp: the text as sent, the instant it names, and how it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timestamp {
    raw: String,
    unix_micros: i64,
    kind: TimestampKind,
}

impl Timestamp {
    pub fn parse(text: &str) -> Option<Timestamp> {
        let (unix_micros, kind) = parse(text)?;
        Some(Timestamp {
            raw: text.to_string(),
            unix_micros,
            kind,
        })
    }

    /// The text exactly as the server sent it.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// Microseconds since 1970-01-01T00:00:00Z (fraction digits past 6 are cut).
    pub fn unix_micros(&self) -> i64 {
        self.unix_micros
    }

    pub fn kind(&self) -> TimestampKind {
        self.kind
    }

    /// The canonical form: `YYYY-MM-DDTHH:MM:SS.ffffffZ` in UTC.
    pub fn canonical(&self) -> String {
        format_utc_micros(self.unix_micros)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an ISO-8601 date-time")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Timestamp, E> {
                Timestamp::parse(s).ok_or_else(|| E::custom("expected ISO-8601 date-time"))
            }
        }
        d.deserialize_str(V)
    }
}

const MICROS_PER_SEC: i64 = 1_000_000;

/// Parses the schema's timestamp grammar into (unix microseconds, kind).
pub fn parse(text: &str) -> Option<(i64, TimestampKind)> {
    let b = text.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let d = b.get(r)?;
        d.iter()
            .all(u8::is_ascii_digit)
            .then(|| d.iter().fold(0i64, |acc, c| acc * 10 + i64::from(c - b'0')))
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    if year < 1 || !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if b.len() == 10 {
        return Some((days * 86_400 * MICROS_PER_SEC, TimestampKind::DateOnly));
    }
    if !matches!(b[10], b'T' | b't' | b' ') || b.get(13) != Some(&b':') {
        return None;
    }
    let (hour, minute) = (num(11..13)?, num(14..16)?);
    let mut i = 16;
    let mut second = 0;
    if b.get(i) == Some(&b':') {
        second = num(17..19)?;
        i = 19;
    }
    let mut micros = 0;
    if i == 19 && b.get(i) == Some(&b'.') {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        micros = (0..6).fold(0i64, |acc, k| {
            acc * 10
                + b.get(i + 1 + k)
                    .filter(|_| k < digits)
                    .map_or(0, |c| i64::from(c - b'0'))
        });
        i += 1 + digits;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let (offset_secs, kind) = match &b[i..] {
        [] => (0, TimestampKind::NoOffset),
        [b'Z' | b'z'] => (0, TimestampKind::Offset),
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (h, m) = match rest {
                [_, _] => (num(i + 1..i + 3)?, 0),
                [_, _, b':', _, _] => (num(i + 1..i + 3)?, num(i + 4..i + 6)?),
                [_, _, _, _] => (num(i + 1..i + 3)?, num(i + 3..i + 5)?),
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let secs = h * 3600 + m * 60;
            (
                if *sign == b'-' { -secs } else { secs },
                TimestampKind::Offset,
            )
        }
        _ => return None,
    };
    let local = days * 86_400 + hour * 3600 + minute * 60 + second;
    let utc = local - offset_secs;
    // The instant must fall within years 1..=9999 in UTC, as it does locally: every
    // binding's date type (Python's datetime, C++'s, Go's) then holds what was accepted
    // (`0001-01-01T00:00:00+01:00` is year 0 in UTC; issue 23).
    if !(MIN_UTC_SECS..=MAX_UTC_SECS).contains(&utc) {
        return None;
    }
    Some((utc * MICROS_PER_SEC + micros, kind))
}

/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, in seconds since the Unix epoch.
const MIN_UTC_SECS: i64 = -62_135_596_800;
const MAX_UTC_SECS: i64 = 253_402_300_799;

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
pub fn format_utc_micros(unix_micros: i64) -> String {
    let secs = unix_micros.div_euclid(MICROS_PER_SEC);
    let micros = unix_micros.rem_euclid(MICROS_PER_SEC);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        Timestamp::parse(s)
            .unwrap_or_else(|| panic!("{s}"))
            .canonical()
    }

    #[test]
    fn accepted_forms() {
        assert_eq!(canon("1970-01-01T00:00:00Z"), "1970-01-01T00:00:00.000000Z");
        assert_eq!(canon("2023-02-16"), "2023-02-16T00:00:00.000000Z");
        assert_eq!(canon("2023-02-16T09:14"), "2023-02-16T09:14:00.000000Z");
        assert_eq!(
            canon("2023-02-16t09:14:11.5+02:00"),
            "2023-02-16T07:14:11.500000Z"
        );
        assert_eq!(
            canon("2023-02-16 09:14:11-0500"),
            "2023-02-16T14:14:11.000000Z"
        );
        assert_eq!(
            canon("2023-02-16T23:30:00+05"),
            "2023-02-16T18:30:00.000000Z"
        );
        assert_eq!(
            canon("2023-12-31T23:59:59.999999999-01:00"),
            "2024-01-01T00:59:59.999999Z"
        );
        assert_eq!(
            canon("1969-12-31T23:59:59.5Z"),
            "1969-12-31T23:59:59.500000Z"
        );
        assert_eq!(canon("0001-01-01"), "0001-01-01T00:00:00.000000Z");
        assert_eq!(canon("2020-02-29T00:00:00z"), "2020-02-29T00:00:00.000000Z");
        let kinds = [
            ("2023-02-16", TimestampKind::DateOnly),
            ("2023-02-16T09:14:11", TimestampKind::NoOffset),
            ("2023-02-16T09:14:11Z", TimestampKind::Offset),
            ("2023-02-16T09:14:11+01", TimestampKind::Offset),
        ];
        for (s, k) in kinds {
            assert_eq!(parse(s).map(|p| p.1), Some(k), "{s}");
        }
    }

    #[test]
    fn refused_forms() {
        for s in [
            "",
            "2023",
            "2023-2-16",
            "2023-02-30",
            "2021-02-29",
            "0000-01-01",
            "2023-13-01",
            "2023-02-16T24:00:00",
            "2023-02-16T09:60",
            "2023-02-16T09:14:60",
            "2023-02-16T09",
            "2023-02-16T09:14:11.",
            "2023-02-16T09:14.5",
            "2023-02-16T09:14:11+2",
            "2023-02-16T09:14:11+24:00",
            "2023-02-16T09:14:11+02:60",
            "2023-02-16T09:14:11ZZ",
            "2023-02-16X09:14:11",
            "2023-02-16T09:14:11 ",
            "２０２３-02-16",
            // Within years 1..=9999 locally, outside them in UTC.
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:30:00-01:00",
        ] {
            assert!(parse(s).is_none(), "{s:?} should be refused");
        }
    }

    #[test]
    fn the_utc_range_ends_are_accepted() {
        assert_eq!(canon("0001-01-01T00:00:00Z"), "0001-01-01T00:00:00.000000Z");
        assert_eq!(
            canon("9999-12-31T23:59:59.999999Z"),
            "9999-12-31T23:59:59.999999Z"
        );
        assert_eq!(days_from_civil(1, 1, 1) * 86_400, MIN_UTC_SECS);
        assert_eq!(days_from_civil(10_000, 1, 1) * 86_400 - 1, MAX_UTC_SECS);
    }

    #[test]
    fn civil_round_trip() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
