//! Timestamps: milliseconds on a log's own clock (client local time or server UTC), formatted as ISO 8601.

use std::fmt;

/// Milliseconds since 1970-01-01T00:00:00 on the clock of the log that wrote it. Client logs write local
/// time, server traces UTC; the zone is a property of the file, not of the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// From calendar fields; `None` when a field is out of range.
    pub fn from_parts(
        year: i32,
        month: u32,
        day: u32,
        h: u32,
        m: u32,
        s: u32,
        ms: u32,
    ) -> Option<Self> {
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || h > 23
            || m > 59
            || s > 60
            || ms > 999
        {
            return None;
        }
        let days = days_from_civil(year, month, day);
        Some(Timestamp(
            ((days * 24 + h as i64) * 60 + m as i64) * 60_000 + s as i64 * 1000 + ms as i64,
        ))
    }

    /// Calendar fields: (year, month, day, hour, minute, second, millisecond).
    pub fn fields(self) -> (i64, u32, u32, u32, u32, u32, u32) {
        let (y, mo, d) = civil_from_days(self.0.div_euclid(86_400_000));
        let ms = self.0.rem_euclid(86_400_000);
        let f = |v: i64| v as u32;
        (
            y,
            mo,
            d,
            f(ms / 3_600_000),
            f(ms / 60_000 % 60),
            f(ms / 1000 % 60),
            f(ms % 1000),
        )
    }

    /// `HH:MM:SS.mmm`, the short form used in ladders.
    pub fn clock(self) -> String {
        let ms_of_day = self.0.rem_euclid(86_400_000);
        let (h, rest) = (ms_of_day / 3_600_000, ms_of_day % 3_600_000);
        let (m, rest) = (rest / 60_000, rest % 60_000);
        format!("{:02}:{:02}:{:02}.{:03}", h, m, rest / 1000, rest % 1000)
    }
}

impl fmt::Display for Timestamp {
    /// ISO 8601 with milliseconds, no zone: `2018-03-30T10:57:58.371`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(86_400_000);
        let (y, mo, d) = civil_from_days(days);
        write!(f, "{:04}-{:02}-{:02}T{}", y, mo, d, self.clock())
    }
}

/// A duration for people — the one formatter of every duration and delta the engine shows: `63 ms`, `1.2 s`
/// (tenths rounded half up), `2 min 5 s`, `1 h 4 min`. Negative values keep their sign; with `plus`, positive
/// ones get a `+` (deltas between ladder rows: `+63 ms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub ms: i64,
    pub plus: bool,
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = match (self.ms < 0, self.plus) {
            (true, _) => "-",
            (false, true) => "+",
            (false, false) => "",
        };
        let a = self.ms.unsigned_abs();
        if a < 1000 {
            write!(f, "{sign}{a} ms")
        } else if a < 60_000 {
            let tenths = (a + 50) / 100;
            write!(f, "{sign}{}.{} s", tenths / 10, tenths % 10)
        } else if a < 3_600_000 {
            write!(f, "{sign}{} min {} s", a / 60_000, (a % 60_000) / 1000)
        } else {
            write!(
                f,
                "{sign}{} h {} min",
                a / 3_600_000,
                (a % 3_600_000) / 60_000
            )
        }
    }
}

/// A duration: `63 ms`, `1.2 s`, `2 min 5 s`, `1 h 4 min` (see [`Span`]).
pub fn format_ms(ms: i64) -> String {
    Span { ms, plus: false }.to_string()
}

/// A delta between ladder rows: `+63 ms`, `+1.2 s`, `+2 min 5 s`, `+1 h 4 min`; negative deltas (clock skew
/// between merged logs) keep their sign: `-40 ms`.
pub fn format_delta(ms: i64) -> String {
    Span { ms, plus: true }.to_string()
}

/// The length of [`format_delta`]'s text, without building it (the layout measures every row's delta).
pub fn delta_len(ms: i64) -> usize {
    struct Count(usize);
    impl fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut c = Count(0);
    let _ = fmt::write(&mut c, format_args!("{}", Span { ms, plus: true }));
    c.0
}

/// A file's clock offset for people, exact to the millisecond: `+9 h 0 min 0.004 s`.
pub fn format_offset(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "+" };
    let a = ms.unsigned_abs();
    let (h, m, rest) = (a / 3_600_000, a / 60_000 % 60, a % 60_000);
    match (h, m) {
        (0, 0) => format!("{sign}{}.{:03} s", rest / 1000, rest % 1000),
        (0, _) => format!("{sign}{m} min {}.{:03} s", rest / 1000, rest % 1000),
        _ => format!("{sign}{h} h {m} min {}.{:03} s", rest / 1000, rest % 1000),
    }
}

/// The absolute time of a ladder row as `HH:MM:SS.mmm`, or an empty string.
pub fn format_clock(time: Option<Timestamp>) -> String {
    time.map(Timestamp::clock).unwrap_or_default()
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days.
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y as i64 - 1 } else { y as i64 };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_calendar_dates() {
        let t = Timestamp::from_parts(2018, 3, 30, 10, 57, 58, 371).unwrap();
        assert_eq!(t.to_string(), "2018-03-30T10:57:58.371");
        assert_eq!(t.clock(), "10:57:58.371");
        let leap = Timestamp::from_parts(2024, 2, 29, 23, 59, 59, 999).unwrap();
        assert_eq!(leap.to_string(), "2024-02-29T23:59:59.999");
        assert_eq!(Timestamp::from_parts(1970, 1, 1, 0, 0, 0, 0).unwrap().0, 0);
    }

    #[test]
    fn rejects_impossible_dates() {
        assert!(Timestamp::from_parts(2023, 2, 29, 0, 0, 0, 0).is_none());
        assert!(Timestamp::from_parts(2023, 13, 1, 0, 0, 0, 0).is_none());
        assert!(Timestamp::from_parts(2023, 1, 1, 24, 0, 0, 0).is_none());
    }
}
