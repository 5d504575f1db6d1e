//! Times in queries (`after:` / `before:`): a moment on the merged timeline, written the way logs write it.
//!
//! Accepted: `08:30`, `08:30:05`, `08:30:05.250` (a time of day: on the day of the timeline's first message),
//! `2018-03-30`, `2018-03-30 08:30:05`, `2018-03-30T08:30:05.250` (ISO 8601, as the page shows times), and a
//! client log's own `03/30/2018|08:30:05.250`. A bound covers what it names: `before:08:30` ends before 08:30,
//! `after:08:30` starts at 08:30; seconds and milliseconds left out are zero.

use crate::base::time::Timestamp;

/// A parsed time: a full timestamp, or a time of day to be put on the timeline's first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    At(Timestamp),
    /// Milliseconds since midnight.
    TimeOfDay(i64),
}

impl Bound {
    pub fn parse(v: &str) -> Result<Bound, String> {
        let v = v.trim();
        let bad = || format!("{v:?} is not a time");
        // A client log's `MM/DD/YYYY|HH:MM:SS.mmm`.
        if let Some((date, clock)) = v.split_once('|') {
            let mut p = date.split('/');
            let (Some(mo), Some(d), Some(y), None) = (p.next(), p.next(), p.next(), p.next())
            else {
                return Err(bad());
            };
            return full(y, mo, d, Some(clock)).ok_or_else(bad);
        }
        let (date, clock) = match v.split_once(['T', ' ']) {
            Some((d, c)) => (Some(d), Some(c)),
            None if v.contains('-') => (Some(v), None),
            None => (None, Some(v)),
        };
        match date {
            Some(date) => {
                let mut p = date.split('-');
                let (Some(y), Some(mo), Some(d), None) = (p.next(), p.next(), p.next(), p.next())
                else {
                    return Err(bad());
                };
                full(y, mo, d, clock).ok_or_else(bad)
            }
            None => clock_ms(clock.unwrap_or(""))
                .map(Bound::TimeOfDay)
                .ok_or_else(bad),
        }
    }

    /// The moment, a time of day put on the day of `first` (the timeline's first message).
    pub fn resolve(self, first: Option<Timestamp>) -> Option<Timestamp> {
        match self {
            Bound::At(t) => Some(t),
            Bound::TimeOfDay(ms) => first.map(|f| Timestamp(f.0 - f.0.rem_euclid(86_400_000) + ms)),
        }
    }
}

fn full(y: &str, mo: &str, d: &str, clock: Option<&str>) -> Option<Bound> {
    let day = Timestamp::from_parts(
        y.parse().ok()?,
        mo.parse().ok()?,
        d.parse().ok()?,
        0,
        0,
        0,
        0,
    )?;
    let ms = match clock {
        Some(c) => clock_ms(c)?,
        None => 0,
    };
    Some(Bound::At(Timestamp(day.0 + ms)))
}

/// `HH:MM`, `HH:MM:SS`, `HH:MM:SS.mmm` (fewer or more digits of fraction: read as a fraction) → ms.
fn clock_ms(c: &str) -> Option<i64> {
    let c = c.strip_suffix('Z').unwrap_or(c);
    let (hms, frac) = match c.split_once(['.', ',']) {
        Some((a, f)) => (a, Some(f)),
        None => (c, None),
    };
    let mut p = hms.split(':');
    let h: i64 = p.next()?.parse().ok()?;
    let m: i64 = p.next()?.parse().ok()?;
    let s: i64 = p.next().map_or(Some(0), |s| s.parse().ok())?;
    if p.next().is_some() || h > 23 || m > 59 || s > 59 {
        return None;
    }
    let ms = match frac {
        None => 0,
        Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
            let f3: String = f.chars().chain("000".chars()).take(3).collect();
            f3.parse::<i64>().ok()?
        }
        Some(_) => return None,
    };
    Some(((h * 60 + m) * 60 + s) * 1000 + ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> String {
        match Bound::parse(s).unwrap() {
            Bound::At(t) => t.to_string(),
            Bound::TimeOfDay(ms) => format!("day+{ms}"),
        }
    }

    #[test]
    fn the_ways_logs_write_times() {
        assert_eq!(at("08:30"), "day+30600000");
        assert_eq!(at("08:30:05"), "day+30605000");
        assert_eq!(at("08:30:05.25"), "day+30605250");
        assert_eq!(at("2018-03-30"), "2018-03-30T00:00:00.000");
        assert_eq!(at("2018-03-30 08:30:05"), "2018-03-30T08:30:05.000");
        assert_eq!(at("2018-03-30T08:30:05.250"), "2018-03-30T08:30:05.250");
        assert_eq!(at("2018-03-30T08:30:05.250Z"), "2018-03-30T08:30:05.250");
        assert_eq!(at("03/30/2018|08:30:05.250"), "2018-03-30T08:30:05.250");
        for bad in [
            "",
            "8",
            "25:00",
            "08:61",
            "2018-13-01",
            "2018-02-30 08:00",
            "08:30:05.x",
            "yesterday",
        ] {
            assert!(Bound::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_time_of_day_lands_on_the_first_day() {
        let first = Timestamp::from_parts(2018, 3, 30, 23, 59, 0, 0);
        let t = Bound::parse("08:00").unwrap().resolve(first).unwrap();
        assert_eq!(t.to_string(), "2018-03-30T08:00:00.000");
        assert_eq!(Bound::TimeOfDay(0).resolve(None), None);
    }
}
