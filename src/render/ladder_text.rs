//! Text renderer for the ladder: the terminal view and the golden-test format.
//!
//! The format, like sngrep's ladder or Wireshark's flow-graph text export:
//!
//! ```text
//!                            on1 client                           Access Edge
//!                        192.168.1.51:51882                   211.208.253.66:5061
//!                                 |                                    |
//! 10:57:58.371                    |-------------SUBSCRIBE------------->|
//! 10:57:58.434   +63 ms           |<----------200 OK (63 ms)-----------|
//! 10:57:59.621   +1.2 s           |<--!! 480 Temporarily Unavailable---|
//! 10:57:59.771  +150 ms           |-------SERVICE (no response)------->|
//! 10:58:00.271  +500 ms           |------SERVICE (retransmission)----->|
//! ```
//!
//! - Header: each column label centred over its lifeline; two-line labels (`role\naddress`) take two header
//!   lines, one-line labels sit on the lower one. A line of bare lifelines follows.
//! - One line per row: `HH:MM:SS.mmm`, the delta since the previous timed row (right-aligned), then the
//!   lifelines with the arrow drawn from the source to the destination lifeline (it runs over intermediate
//!   lifelines); `-->` points right, `<--` left.
//! - Arrow text: label, then note and retransmission mark in parentheses: `200 OK (63 ms)`,
//!   `REGISTER (retransmission)`, `SUBSCRIBE (no response)`. Failures start with `!! `
//!   (`!! 480 Temporarily Unavailable`). Self-arrows are drawn `|<-' LABEL` right of their lifeline.
//! - The gap between two neighbouring lifelines is at least [`MIN_GAP`] and grows to fit the header labels and
//!   the arrow texts between them; arrow texts are cut to [`MAX_LABEL`] cells and header lines to
//!   [`MAX_HEADER`] cells with `…`.
//! - Untrusted text is made single-line and printable (see [`crate::ladder::clean_text`]); widths count East Asian
//!   wide characters as two cells. Output is deterministic, every line ends in `\n`, no trailing spaces.
//!   The time column is left out when no row has a time; an empty ladder renders as an empty string.

use crate::base::time::{format_clock, format_delta};
use crate::ladder::{arrow_extras, clean_text, truncate_width, ArrowKind, Ladder, Row};
use std::collections::BTreeMap;

/// Longest arrow text, in cells, before it is cut with `…`.
pub const MAX_LABEL: usize = 40;
/// Longest header line, in cells, before it is cut with `…`.
pub const MAX_HEADER: usize = 40;
/// Smallest distance between neighbouring lifelines.
pub const MIN_GAP: usize = 12;

const TIME_W: usize = 12;
const FAIL_MARK: &str = "!! ";
const SELF_MARK: &str = "<-' ";

/// Render the whole ladder as monospaced text.
pub fn render(ladder: &Ladder) -> String {
    let n = ladder.columns.len();
    if n == 0 && ladder.rows.is_empty() {
        return String::new();
    }

    // Header cells: [upper line, lower line] per column.
    let headers: Vec<[Option<(String, usize)>; 2]> = ladder
        .columns
        .iter()
        .map(|c| {
            let cell = |s: &str| {
                let clean = clean_text(s);
                let (t, w) = truncate_width(clean.trim(), MAX_HEADER);
                (t.into_owned(), w)
            };
            match c.lines() {
                (a, Some(b)) => [Some(cell(a)), Some(cell(b))],
                (a, None) => [None, Some(cell(a))],
            }
        })
        .collect();
    let two_line_header = headers.iter().any(|h| h[0].is_some());

    let texts: Vec<(String, usize)> = ladder.rows.iter().map(arrow_text).collect();
    let deltas: Vec<String> = ladder
        .rows
        .iter()
        .map(|r| r.delta_ms.map(format_delta).unwrap_or_default())
        .collect();
    let has_time = ladder.rows.iter().any(|r| r.time.is_some());
    let delta_w = deltas.iter().map(|d| d.len()).max().unwrap_or(0);
    let prefix_w = if !has_time {
        0
    } else if delta_w > 0 {
        TIME_W + 2 + delta_w + 2
    } else {
        TIME_W + 2
    };

    // Gaps between neighbouring lifelines.
    let mut gaps = vec![MIN_GAP; n.saturating_sub(1)];
    for (i, gap) in gaps.iter_mut().enumerate() {
        for (l, r) in headers[i].iter().zip(&headers[i + 1]) {
            let wl = l.as_ref().map_or(0, |h| h.1);
            let wr = r.as_ref().map_or(0, |h| h.1);
            *gap = (*gap).max(wl - wl / 2 + wr / 2 + 2);
        }
    }
    // (span, leftmost column) -> cells needed between the two lifelines.
    let mut needs: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for (row, (_, w)) in ladder.rows.iter().zip(&texts) {
        if row.from >= n || row.to >= n {
            continue;
        }
        let (lo, hi) = (row.from.min(row.to), row.from.max(row.to));
        let (key, need) = if lo == hi {
            if lo + 1 >= n {
                continue; // the last lifeline's self-arrows run off to the right
            }
            ((1, lo), SELF_MARK.len() + w + 2)
        } else {
            ((hi - lo, lo), w + 7)
        };
        let e = needs.entry(key).or_insert(0);
        *e = (*e).max(need);
    }
    for ((span, lo), need) in needs {
        let have: usize = gaps[lo..lo + span].iter().sum();
        if have < need {
            let extra = need - have;
            for (k, g) in gaps[lo..lo + span].iter_mut().enumerate() {
                *g += extra / span + usize::from(k < extra % span);
            }
        }
    }

    // Lifeline positions.
    let first_half = headers.first().map_or(0, |h| {
        h.iter().flatten().map(|(_, w)| w / 2).max().unwrap_or(0)
    });
    let mut xs = Vec::with_capacity(n);
    let mut x = prefix_w + first_half.max(1);
    for i in 0..n {
        xs.push(x);
        x += gaps.get(i).copied().unwrap_or(0);
    }

    let mut out = String::new();
    // Header.
    for line in if two_line_header { 0..2 } else { 1..2 } {
        let mut buf = LineBuf::default();
        for (h, &x) in headers.iter().zip(&xs) {
            if let Some((t, w)) = &h[line] {
                buf.pad_to((x - w / 2).max(buf.col));
                buf.put(t, *w);
            }
        }
        buf.finish(&mut out);
    }
    if n > 0 {
        let mut buf = LineBuf::default();
        lifelines(&mut buf, &xs, 0, usize::MAX);
        buf.finish(&mut out);
    }

    // Rows.
    for ((row, (text, w)), delta) in ladder.rows.iter().zip(&texts).zip(&deltas) {
        let mut buf = LineBuf::default();
        if has_time {
            let t = format_clock(row.time);
            buf.put(&t, t.len());
            if !delta.is_empty() {
                buf.pad_to(TIME_W + 2 + delta_w - delta.len());
                buf.put(delta, delta.len());
            }
        }
        if row.from >= n || row.to >= n {
            lifelines(&mut buf, &xs, 0, usize::MAX);
            buf.pad_to(buf.col + 2);
            buf.put(text, *w);
        } else if row.is_self() {
            let x = xs[row.from];
            lifelines(&mut buf, &xs, 0, x);
            buf.pad_to(x);
            buf.put("|", 1);
            buf.put(SELF_MARK, SELF_MARK.len());
            buf.put(text, *w);
            let end = buf.col + 1;
            lifelines(&mut buf, &xs, end, usize::MAX);
        } else {
            let (xl, xr) = (xs[row.from.min(row.to)], xs[row.from.max(row.to)]);
            lifelines(&mut buf, &xs, 0, xl);
            buf.pad_to(xl);
            draw_arrow(&mut buf, xr - xl - 1, text, *w, row.from < row.to);
            lifelines(&mut buf, &xs, xr + 1, usize::MAX);
        }
        buf.finish(&mut out);
    }
    out
}

/// The text on an arrow: failure mark, label, then note and retransmission mark in parentheses; cut to
/// [`MAX_LABEL`] cells.
fn arrow_text(row: &Row) -> (String, usize) {
    let mut s = String::new();
    if row.kind == ArrowKind::Failure {
        s.push_str(FAIL_MARK);
    }
    s.push_str(clean_text(&row.label).trim());
    let extras = arrow_extras(row);
    if !extras.is_empty() {
        s.push_str(" (");
        for (i, e) in extras.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(clean_text(e).trim());
        }
        s.push(')');
    }
    let (t, w) = truncate_width(&s, MAX_LABEL);
    (t.into_owned(), w)
}

/// `|--LABEL-->|` (or `|<--LABEL--|`) with `inner` cells between the two lifelines.
fn draw_arrow(buf: &mut LineBuf, inner: usize, text: &str, w: usize, rightward: bool) {
    let (text, w) = if w + 2 > inner {
        truncate_width(text, inner.saturating_sub(2))
    } else {
        (text.into(), w)
    };
    let dashes = inner.saturating_sub(w);
    let (left, right) = if rightward {
        (dashes / 2, dashes - dashes / 2)
    } else {
        (dashes - dashes / 2, dashes / 2)
    };
    buf.put("|", 1);
    if rightward {
        buf.repeat('-', left);
        buf.put(&text, w);
        buf.repeat('-', right.saturating_sub(1));
        buf.put(">", 1);
    } else {
        buf.put("<", 1);
        buf.repeat('-', left.saturating_sub(1));
        buf.put(&text, w);
        buf.repeat('-', right);
    }
    buf.put("|", 1);
}

/// Draw the lifelines with `from <= x < to` that are not left of what is already on the line.
fn lifelines(buf: &mut LineBuf, xs: &[usize], from: usize, to: usize) {
    for &x in xs {
        if x >= from && x < to && x >= buf.col {
            buf.pad_to(x);
            buf.put("|", 1);
        }
    }
}

/// A line being written left to right, tracking its width in cells.
#[derive(Default)]
struct LineBuf {
    s: String,
    col: usize,
}

impl LineBuf {
    fn pad_to(&mut self, col: usize) {
        if col > self.col {
            self.repeat(' ', col - self.col);
        }
    }

    fn repeat(&mut self, c: char, k: usize) {
        self.s.extend(std::iter::repeat_n(c, k));
        self.col += k;
    }

    fn put(&mut self, text: &str, width: usize) {
        self.s.push_str(text);
        self.col += width;
    }

    fn finish(self, out: &mut String) {
        out.push_str(self.s.trim_end());
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::render;
    use crate::ladder::tests::{arrow, sign_in, three_columns};
    use crate::ladder::*;

    #[test]
    fn renders_sign_in() {
        let mut l = sign_in();
        l.set_label("192.168.1.51:51882", "on1 client\n192.168.1.51:51882");
        l.set_label("211.208.253.66:5061", "Access Edge\n211.208.253.66:5061");
        let got = render(&l);
        let want = r#"
                           on1 client                                   Access Edge
                       192.168.1.51:51882                           211.208.253.66:5061
                                |                                            |
10:57:58.371                    |------------------REGISTER----------------->|
10:57:58.434   +63 ms           |<--------!! 401 Unauthorized (63 ms)--------|
10:57:58.452   +18 ms           |------------------REGISTER----------------->|
10:57:58.611  +159 ms           |<--------------200 OK (159 ms)--------------|
10:57:58.702   +91 ms           |-----------------SUBSCRIBE----------------->|
10:57:58.790   +88 ms           |<--------------200 OK (88 ms)---------------|
10:57:59.013  +223 ms           |------------------SERVICE------------------>|
10:57:59.101   +88 ms           |<--------------200 OK (88 ms)---------------|
10:57:59.245  +144 ms           |<-----------------BENOTIFY------------------|
10:58:00.512   +1.3 s           |-----------------SUBSCRIBE----------------->|
10:58:00.610   +98 ms           |<--!! 480 Temporarily Unavailable (98 ms)---|
10:58:01.002  +392 ms           |-----------SERVICE (no response)----------->|
10:58:02.502   +1.5 s           |----------SERVICE (retransmission)--------->|
"#;
        assert_eq!(got, want.strip_prefix('\n').unwrap(), "\n{got}");
    }

    #[test]
    fn renders_three_columns() {
        let got = render(&three_columns());
        let want = r#"
                          10.0.0.5:5060         10.0.0.20:5061         10.0.0.9:5060
                                |                      |                     |
11:00:00.000                    |--------INVITE------->|                     |
11:00:00.012      +12 ms        |<-----100 Trying------|                     |
11:00:00.015       +3 ms        |                      |-------INVITE------->|
11:00:00.230     +215 ms        |                      |<----180 Ringing-----|
11:00:00.236       +6 ms        |<-----180 Ringing-----|                     |
11:00:04.100      +3.9 s        |                      |<-------200 OK-------|
11:00:04.106       +6 ms        |<-------200 OK--------|                     |
                                |--------------------ACK-------------------->|
11:00:05.000     +894 ms        |                      |<-' OPTIONS          |
11:01:05.000  +1 min 0 s        |<--------------------BYE--------------------|
11:01:05.020      +20 ms        |---!! 481 Call/Transaction Does Not Exist-->|
"#;
        assert_eq!(got, want.strip_prefix('\n').unwrap(), "\n{got}");
    }

    #[test]
    fn empty_and_odd_ladders_do_not_panic() {
        assert_eq!(render(&Ladder::default()), "");
        let mut l = three_columns();
        l.rows[0].from = 99;
        l.rows[1].to = 7;
        l.rows[2].label = "x".repeat(500);
        l.rows[3].label = "a\u{0}b\nc\u{202e}d".into();
        let out = render(&l);
        assert!(out.lines().all(|line| line == line.trim_end()));
        assert!(!out.contains('\u{0}') && !out.contains('\u{202e}'));
        assert!(out.contains('…'));
    }

    #[test]
    fn long_labels_are_cut_and_widen_the_gap() {
        let l = Ladder::build([arrow(0, "a:1", "b:2", &"X".repeat(100), ArrowKind::Request)]);
        let out = render(&l);
        let line = out.lines().last().unwrap();
        assert!(
            line.contains(&format!("{}…", "X".repeat(super::MAX_LABEL - 1))),
            "{out}"
        );
        assert!(line.ends_with("-->|"), "{out}");
    }
}
