//! Wall-clock formatting without a date library. Reads time only through
//! `std::time::SystemTime`, which the simulator virtualises.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// Now as RFC 3339 UTC with millisecond precision.
pub fn rfc3339_now() -> String {
    Clock::SYSTEM.rfc3339_now()
}

/// A node's wall clock: the system's, off by `offset_ms` (production runs
/// with 0; the simulation skews each node's clock to show that nothing
/// about a key depends on a service node's clock: a key's age is judged by
/// the database's). It dates executions (`created_at`, today's date).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    pub offset_ms: i64,
}

impl Clock {
    pub const SYSTEM: Self = Self { offset_ms: 0 };

    /// Milliseconds since the epoch on this clock.
    pub fn now_ms(self) -> i64 {
        let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        (d.as_millis() as i64).saturating_add(self.offset_ms)
    }

    /// Now on this clock as RFC 3339 UTC with millisecond precision.
    pub fn rfc3339_now(self) -> String {
        let ms = self.now_ms();
        rfc3339(ms.div_euclid(1000), ms.rem_euclid(1000) as u32)
    }
}

pub fn rfc3339(secs: i64, millis: u32) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z", rem / 3600, (rem % 3600) / 60, rem % 60)
}

/// Parses `YYYY-MM-DD?HH:MM:SS[.fff…][Z|+00]` (UTC) into (seconds since
/// the epoch, milliseconds). Both SQL dialects' timestamp text fits.
pub fn parse_utc(s: &str) -> Option<(i64, u32)> {
    let b = s.as_bytes();
    if b.len() < 19 || !matches!(b[10], b'T' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let date = Date::parse(&s[..10])?;
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (h, m, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let millis = match b.get(19) {
        Some(b'.') => {
            let digits: String = s[20..].chars().take_while(|c| c.is_ascii_digit()).take(3).collect();
            format!("{digits:0<3}").parse().ok()?
        }
        _ => 0,
    };
    let days = days_from_civil(i64::from(date.year), u32::from(date.month), u32::from(date.day));
    Some((days * 86_400 + h * 3600 + m * 60 + sec, millis))
}

/// (year, month, day) to days since 1970-01-01 (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (H. Hinnant's public-domain algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A calendar date `YYYY-MM-DD`, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u16> {
            let part = &s[r];
            part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        if !(1900..=9999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let dim = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        (1..=dim).contains(&day).then_some(Self { year, month: month as u8, day: day as u8 })
    }

    /// The calendar date of an RFC 3339 UTC timestamp (`rfc3339_now`).
    pub fn of_timestamp(ts: &str) -> Option<Self> {
        Self::parse(ts.get(..10)?)
    }

    pub fn period(self) -> Period {
        Period { year: self.year, month: self.month }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// An accounting period: one calendar month, `YYYY-MM`. Ordered
/// chronologically, so "has this period ended" is a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Period {
    pub year: u16,
    pub month: u8,
}

impl Period {
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 7 || b[4] != b'-' || !s[..4].bytes().chain(s[5..].bytes()).all(|c| c.is_ascii_digit()) {
            return None;
        }
        let (year, month): (u16, u8) = (s[..4].parse().ok()?, s[5..].parse().ok()?);
        ((1900..=9999).contains(&year) && (1..=12).contains(&month)).then_some(Self { year, month })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400, 5), "2000-02-29T00:00:00.005Z");
        assert_eq!(rfc3339(1_798_761_599, 999), "2026-12-31T23:59:59.999Z");
    }

    #[test]
    fn a_skewed_clock_is_off_by_its_offset() {
        let ahead = Clock { offset_ms: 86_400_000 };
        let (sys, skewed) = (Clock::SYSTEM.now_ms(), ahead.now_ms());
        assert!((skewed - sys - 86_400_000).abs() < 60_000, "{sys} {skewed}");
        let (today, tomorrow) = (Clock::SYSTEM.rfc3339_now(), ahead.rfc3339_now());
        assert!(parse_utc(&tomorrow).unwrap().0 > parse_utc(&today).unwrap().0 + 86_000);
    }

    #[test]
    fn parses_both_dialects_timestamps() {
        assert_eq!(parse_utc("2026-11-27T21:15:41.298Z"), Some((1_795_814_141, 298)));
        assert_eq!(parse_utc("2026-11-27 21:15:41.298123+00"), Some((1_795_814_141, 298)));
        assert_eq!(parse_utc("2026-11-27 21:15:41+00"), Some((1_795_814_141, 0)));
        let (secs, ms) = parse_utc("2000-02-29T00:00:00.005Z").unwrap();
        assert_eq!(rfc3339(secs, ms), "2000-02-29T00:00:00.005Z");
        assert_eq!(parse_utc("2026-11-27"), None);
    }

    #[test]
    fn dates_are_validated() {
        assert!(Date::parse("2026-02-28").is_some());
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2026-02-29").is_none());
        assert!(Date::parse("2026-13-01").is_none());
        assert!(Date::parse("2026-1-01").is_none());
        assert!(Date::parse("+026-01-01").is_none());
    }

    #[test]
    fn periods_parse_order_and_format() {
        let p = Period::parse("2026-03").unwrap();
        assert_eq!(p.to_string(), "2026-03");
        assert!(Period::parse("2026-02").unwrap() < p);
        assert!(Period::parse("2025-12").unwrap() < p);
        for bad in ["2026-3", "2026-13", "2026-00", "26-03", "2026/03", "2026-03-01", "+026-03", "2026-0a"] {
            assert!(Period::parse(bad).is_none(), "{bad}");
        }
        let d = Date::of_timestamp("2026-03-31T23:59:59.999Z").unwrap();
        assert_eq!(d.to_string(), "2026-03-31");
        assert_eq!(d.period(), p);
    }
}
