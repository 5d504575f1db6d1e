//! Times as the products write them: dates and years filled from earlier lines ([`Clock`]), and the time formats
//! their lines start with.

use super::super::{digits, parse_date_time};
use crate::base::time::Timestamp;

/// Dates for times logged without one.
#[derive(Debug, Default)]
pub(super) struct Clock {
    /// The date of the last full time seen.
    date: Option<(i32, u32, u32)>,
    last: Option<Timestamp>,
    /// A time was completed with a stand-in date or year.
    pub(super) guessed: bool,
}

impl Clock {
    /// A full time seen on a line: later times without a date get its date.
    pub(super) fn full(&mut self, t: Timestamp) -> Timestamp {
        let (y, mo, d, ..) = t.fields();
        self.date = Some((y as i32, mo, d));
        self.last = Some(t);
        t
    }

    /// A time of day: the date of the last full time (the next day when the clock went back by more than
    /// twelve hours: midnight passed), or 1970-01-01.
    pub(super) fn time_of_day(&mut self, h: u32, mi: u32, s: u32, ms: u32) -> Option<Timestamp> {
        let Some((y, mo, d)) = self.date else {
            self.guessed = true;
            return Timestamp::from_parts(1970, 1, 1, h, mi, s, ms);
        };
        let mut t = Timestamp::from_parts(y, mo, d, h, mi, s, ms)?;
        if self.last.is_some_and(|last| t.0 + 12 * 3_600_000 < last.0) {
            t = Timestamp(t.0 + 86_400_000);
        }
        Some(self.full(t))
    }

    /// A month, day and time: the year of the last full time (the next year when the month went back by more
    /// than six), or 1970.
    pub(super) fn month_day(
        &mut self,
        mo: u32,
        d: u32,
        h: u32,
        mi: u32,
        s: u32,
        ms: u32,
    ) -> Option<Timestamp> {
        let Some((y, last_mo, _)) = self.date else {
            self.guessed = true;
            return Timestamp::from_parts(1970, mo, d, h, mi, s, ms);
        };
        let y = if mo + 6 < last_mo { y + 1 } else { y };
        Timestamp::from_parts(y, mo, d, h, mi, s, ms).map(|t| self.full(t))
    }
}

/// A time of day: hours, minutes, seconds, milliseconds.
pub(super) type DayTime = (u32, u32, u32, u32);

/// A month, a day and a time of day (no year).
pub(super) type MonthDayTime = (u32, u32, DayTime);

/// `HH:MM:SS[.fff…]`.
pub(super) fn clock_time(t: &[u8]) -> Option<DayTime> {
    if t.len() < 8 || t[2] != b':' || t[5] != b':' {
        return None;
    }
    let (h, m, s) = (digits(&t[0..2])?, digits(&t[3..5])?, digits(&t[6..8])?);
    let ms = match t.get(8) {
        None => 0,
        Some(b'.' | b',') => {
            let frac = &t[9..];
            let n = frac.iter().take_while(|b| b.is_ascii_digit()).count();
            if n == 0 || n != frac.len() {
                return None;
            }
            let f = &frac[..n.min(3)];
            digits(f)? * 10u32.pow(3 - f.len() as u32)
        }
        _ => return None,
    };
    (h < 24 && m < 60 && s < 61).then_some((h, m, s, ms))
}

/// A time a line starts with, and the rest of the line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Stamp {
    Full(Timestamp),
    /// Month and day without a year (BSD syslog).
    MonthDay(MonthDayTime),
}

impl Stamp {
    pub(super) fn on(self, clock: &mut Clock) -> Option<Timestamp> {
        match self {
            Stamp::Full(t) => Some(clock.full(t)),
            Stamp::MonthDay((mo, d, (h, mi, s, ms))) => clock.month_day(mo, d, h, mi, s, ms),
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff]` or `YYYY-MM-DDTHH:MM:SS[.ffffff][zone]` and a space at the start of a line:
/// the time, the rest of the line, and whether it was the `T` form.
pub(super) fn iso_prefix(s: &[u8]) -> Option<(Timestamp, &[u8], bool)> {
    if s.len() < 20 || s[4] != b'-' || s[7] != b'-' || !matches!(s[10], b' ' | b'T') {
        return None;
    }
    let t_form = s[10] == b'T';
    let end = s[11..].iter().position(|&b| b == b' ')? + 11;
    let mut time = &s[11..end];
    if t_form {
        // A zone: `Z`, `+01:00`, `-0500`.
        if let Some(z) = time.iter().position(|&b| matches!(b, b'Z' | b'+' | b'-')) {
            time = &time[..z];
        }
    }
    let date = std::str::from_utf8(&s[..10]).ok()?;
    let t = parse_date_time(date, std::str::from_utf8(time).ok()?)?;
    Some((t, &s[end + 1..], t_form))
}

/// `Mmm dd HH:MM:SS` (BSD syslog) at the start of a line.
pub(super) fn bsd_prefix(s: &[u8]) -> Option<(MonthDayTime, &[u8])> {
    const MONTHS: [&[u8]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let mo = MONTHS.iter().position(|m| s.starts_with(m))? as u32 + 1;
    if s.get(3) != Some(&b' ') {
        return None;
    }
    let rest = &s[4..];
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if n == 0 || n > 2 || rest.get(n) != Some(&b' ') {
        return None;
    }
    let d = digits(&rest[..n])?;
    let rest = &rest[n + 1..];
    let end = rest.iter().position(|&b| b == b' ')?;
    let t = clock_time(&rest[..end])?;
    Some(((mo, d, t), &rest[end + 1..]))
}
