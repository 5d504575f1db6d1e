//! Ladder: a render-agnostic sequence-diagram model (columns = endpoints, rows = messages) and its renderers.

pub mod layout;

use crate::base::fxhash::FxMap;
use crate::base::time::Timestamp;
use std::borrow::Cow;

/// How an arrow should look; decided by the analysis, drawn by the renderers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrowKind {
    /// A request that got (or needs) no special mark.
    Request,
    /// A request that never got a final response.
    Unanswered,
    /// 1xx.
    Provisional,
    /// 2xx.
    Success,
    /// 3xx.
    Redirect,
    /// 401 / 407: an authentication challenge, the normal first answer to a sign-in, not a failure.
    Challenge,
    /// 4xx, 5xx, 6xx other than a challenge.
    Failure,
}

/// What the analysis hands the ladder for one message.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrowInput<'a> {
    /// Message index in the analysis.
    pub msg: u32,
    /// Endpoint keys, e.g. `192.168.1.51:51882` (borrowed from the analysis: only a new column copies one).
    pub src: Cow<'a, str>,
    pub dst: Cow<'a, str>,
    /// `SUBSCRIBE`, `200 OK`, …
    pub label: String,
    pub time: Option<Timestamp>,
    pub kind: ArrowKind,
    pub retransmission: bool,
    /// Short extra text shown after the label, e.g. `63 ms` on a final response, `no response`.
    pub note: Option<String>,
}

/// A lifeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Endpoint key (address).
    pub key: String,
    /// Display label (role and name when known, else the key).
    pub label: String,
}

/// One arrow, one row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub msg: u32,
    pub from: usize,
    pub to: usize,
    pub label: String,
    pub time: Option<Timestamp>,
    /// Milliseconds since the previous row with a time.
    pub delta_ms: Option<i64>,
    pub kind: ArrowKind,
    pub retransmission: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ladder {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

impl Column {
    /// The display label as (first line, second line): role/name, then address. A label without a line
    /// break has no second line; further line breaks stay in the second line (renderers show them as spaces).
    pub fn lines(&self) -> (&str, Option<&str>) {
        match self.label.split_once('\n') {
            Some((a, b)) => (a, Some(b)),
            None => (&self.label, None),
        }
    }
}

impl Row {
    /// An arrow from an endpoint to itself (drawn as a loop).
    pub fn is_self(&self) -> bool {
        self.from == self.to
    }
}

impl Ladder {
    /// Build from arrows in display order. Columns appear in order of first use.
    pub fn build<'a>(arrows: impl IntoIterator<Item = ArrowInput<'a>>) -> Ladder {
        let mut ladder = Ladder::default();
        let mut index: FxMap<String, usize> = FxMap::default();
        let mut folded = 0usize;
        let mut last_time: Option<Timestamp> = None;
        for a in arrows {
            let from = column_for(&mut ladder.columns, &mut index, &mut folded, &a.src);
            let to = column_for(&mut ladder.columns, &mut index, &mut folded, &a.dst);
            let delta_ms = match (a.time, last_time) {
                (Some(t), Some(prev)) => Some(t.0.saturating_sub(prev.0)),
                _ => None,
            };
            if a.time.is_some() {
                last_time = a.time;
            }
            ladder.rows.push(Row {
                msg: a.msg,
                from,
                to,
                label: a.label,
                time: a.time,
                delta_ms,
                kind: a.kind,
                retransmission: a.retransmission,
                note: a.note,
            });
        }
        if let Some(last) = ladder
            .columns
            .get_mut(MAX_COLUMNS - 1)
            .filter(|_| folded > 0)
        {
            last.label = format!("{folded} more endpoints\nnarrow to a conversation to see them");
        }
        ladder
    }

    /// Give a column a display label (role, name); unknown keys are ignored.
    ///
    /// A label may have two lines separated by `'\n'`: role/name first, address second
    /// (e.g. `"on1 client\n192.168.1.51:51882"`).
    pub fn set_label(&mut self, key: &str, label: impl Into<String>) {
        if let Some(c) = self.columns.iter_mut().find(|c| c.key == key) {
            c.label = label.into();
        }
    }

    /// The column of an endpoint key.
    pub fn column_index(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.key == key)
    }

    /// No rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// A ladder draws at most this many lifelines: the endpoints met after the first `MAX_COLUMNS - 1` share the
/// last one ([`OTHERS_KEY`]), labelled with how many they are. A trace of a busy pool can name 100,000
/// endpoints; drawn side by side they are unreadable and cost space in proportion to lifelines × arrows.
pub const MAX_COLUMNS: usize = 64;
/// The key of the lifeline that stands for the endpoints past [`MAX_COLUMNS`].
pub const OTHERS_KEY: &str = "…";

fn column_for(
    columns: &mut Vec<Column>,
    index: &mut FxMap<String, usize>,
    folded: &mut usize,
    key: &str,
) -> usize {
    if let Some(&i) = index.get(key) {
        return i;
    }
    let i = columns.len();
    if i == MAX_COLUMNS - 1 || i == MAX_COLUMNS {
        if i == MAX_COLUMNS - 1 {
            columns.push(Column {
                key: OTHERS_KEY.to_string(),
                label: OTHERS_KEY.to_string(),
            });
        }
        *folded += 1;
        index.insert(key.to_string(), MAX_COLUMNS - 1);
        return MAX_COLUMNS - 1;
    }
    columns.push(Column {
        key: key.to_string(),
        label: key.to_string(),
    });
    index.insert(key.to_string(), i);
    i
}

/// What both renderers show after an arrow's label: the note, then the retransmission mark; the text
/// renderer writes them in parentheses (`200 OK (63 ms)`, `REGISTER (retransmission)`), the SVG renderer
/// in smaller muted text. Unanswered requests without a note get `no response`.
pub fn arrow_extras(row: &Row) -> Vec<&str> {
    let mut extras = Vec::new();
    match row.note.as_deref() {
        Some(n) if !n.trim().is_empty() => extras.push(n),
        _ if row.kind == ArrowKind::Unanswered => extras.push("no response"),
        _ => {}
    }
    if row.retransmission {
        extras.push("retransmission");
    }
    extras
}

impl ArrowKind {
    /// The kind as a word, for CSS classes and text alternatives.
    pub fn as_str(self) -> &'static str {
        match self {
            ArrowKind::Request => "request",
            ArrowKind::Unanswered => "unanswered",
            ArrowKind::Provisional => "provisional",
            ArrowKind::Success => "success",
            ArrowKind::Redirect => "redirect",
            ArrowKind::Challenge => "challenge",
            ArrowKind::Failure => "failure",
        }
    }
}

/// Make untrusted log text safe to display on one line: tab, LF and CR become spaces; other control
/// characters (C0, DEL, C1) and the non-characters U+FFFE/U+FFFF become U+FFFD; invisible bidirectional
/// and zero-width format characters (which could reorder or hide what a reader sees) are dropped.
/// The result contains only characters legal in XML 1.0.
pub fn clean_text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_cleaning) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().filter_map(clean_char).collect())
}

/// [`clean_text`] for text of several lines: each line is cleaned, the line breaks stay. What a terminal prints
/// (the CLI's text and summary) goes through this, so no log text can send escape sequences to it.
pub fn clean_lines(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && needs_cleaning(c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.split('\n')
            .map(|l| clean_text(l))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

fn needs_cleaning(c: char) -> bool {
    clean_char(c) != Some(c)
}

fn clean_char(c: char) -> Option<char> {
    match c {
        '\t' | '\n' | '\r' => Some(' '),
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}' => Some('\u{fffd}'),
        '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2069}'
        | '\u{feff}' => None,
        _ => Some(c),
    }
}

/// Display width of a character in a monospaced terminal cell grid (an approximation without tables):
/// combining marks 0, East Asian wide and emoji 2, everything else 1.
pub fn char_width(c: char) -> usize {
    match c as u32 {
        0x0300..=0x036F
        | 0x1AB0..=0x1AFF
        | 0x1DC0..=0x1DFF
        | 0x20D0..=0x20FF
        | 0xFE00..=0xFE0F
        | 0xFE20..=0xFE2F => 0,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

/// Display width of a string (see [`char_width`]).
pub fn text_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Cut `s` to at most `max` display cells, ending with `…` when cut. Returns the text and its width.
pub fn truncate_width(s: &str, max: usize) -> (Cow<'_, str>, usize) {
    let w = text_width(s);
    if w <= max {
        return (Cow::Borrowed(s), w);
    }
    if max == 0 {
        return (Cow::Borrowed(""), 0);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = char_width(c);
        if used + cw > max - 1 {
            break;
        }
        out.push(c);
        used += cw;
    }
    // Drop trailing spaces before the ellipsis: `Temporarily …` reads worse than `Temporarily…`.
    while out.ends_with(' ') {
        out.pop();
        used -= 1;
    }
    out.push('…');
    (Cow::Owned(out), used + 1)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::base::time::{delta_len, format_delta};

    pub(crate) fn at(h: u32, m: u32, s: u32, ms: u32) -> Option<Timestamp> {
        Timestamp::from_parts(2018, 3, 30, h, m, s, ms)
    }

    pub(crate) fn arrow(
        msg: u32,
        src: &str,
        dst: &str,
        label: &str,
        kind: ArrowKind,
    ) -> ArrowInput<'static> {
        ArrowInput {
            msg,
            src: Cow::Owned(src.to_string()),
            dst: Cow::Owned(dst.to_string()),
            label: label.into(),
            time: None,
            kind,
            retransmission: false,
            note: None,
        }
    }

    /// 100,000 endpoints once made a text ladder of 7 GB: past MAX_COLUMNS they share the last lifeline.
    #[test]
    fn endpoints_past_the_cap_share_one_lifeline() {
        let l = Ladder::build((0..1000u32).map(|i| {
            arrow(
                i,
                &format!("10.1.0.{i}:5061"),
                "10.0.0.1:5061",
                "INVITE",
                ArrowKind::Request,
            )
        }));
        assert_eq!(l.columns.len(), MAX_COLUMNS);
        assert_eq!(l.rows.len(), 1000);
        let others = &l.columns[MAX_COLUMNS - 1];
        assert_eq!(others.key, OTHERS_KEY);
        assert_eq!(
            others.lines().0,
            format!("{} more endpoints", 1000 - (MAX_COLUMNS - 2))
        );
        assert_eq!(l.rows[999].from, MAX_COLUMNS - 1);
        assert_eq!(l.rows[0].to, 1);
    }

    const CLIENT: &str = "192.168.1.51:51882";
    const EDGE: &str = "211.208.253.66:5061";

    /// A Skype for Business sign-in through the Access Edge, with a failure, an unanswered request and a
    /// retransmission.
    pub(crate) fn sign_in() -> Ladder {
        use ArrowKind::*;
        let rows = [
            (CLIENT, EDGE, "REGISTER", Request, (58, 371), None, false),
            (
                EDGE,
                CLIENT,
                "401 Unauthorized",
                Failure,
                (58, 434),
                Some("63 ms"),
                false,
            ),
            (CLIENT, EDGE, "REGISTER", Request, (58, 452), None, false),
            (
                EDGE,
                CLIENT,
                "200 OK",
                Success,
                (58, 611),
                Some("159 ms"),
                false,
            ),
            (CLIENT, EDGE, "SUBSCRIBE", Request, (58, 702), None, false),
            (
                EDGE,
                CLIENT,
                "200 OK",
                Success,
                (58, 790),
                Some("88 ms"),
                false,
            ),
            (CLIENT, EDGE, "SERVICE", Request, (59, 13), None, false),
            (
                EDGE,
                CLIENT,
                "200 OK",
                Success,
                (59, 101),
                Some("88 ms"),
                false,
            ),
            (EDGE, CLIENT, "BENOTIFY", Request, (59, 245), None, false),
            (CLIENT, EDGE, "SUBSCRIBE", Request, (60, 512), None, false),
            (
                EDGE,
                CLIENT,
                "480 Temporarily Unavailable",
                Failure,
                (60, 610),
                Some("98 ms"),
                false,
            ),
            (
                CLIENT,
                EDGE,
                "SERVICE",
                Unanswered,
                (61, 2),
                Some("no response"),
                false,
            ),
            (CLIENT, EDGE, "SERVICE", Request, (62, 502), None, true),
        ];
        Ladder::build(rows.iter().enumerate().map(
            |(i, &(src, dst, label, kind, (s, ms), note, re))| {
                let (m, s) = if s >= 60 { (58, s - 60) } else { (57, s) };
                ArrowInput {
                    time: at(10, m, s, ms),
                    note: note.map(String::from),
                    retransmission: re,
                    ..arrow(i as u32, src, dst, label, kind)
                }
            },
        ))
    }

    /// A call through a Front End: three lifelines, arrows crossing a lifeline, a self-arrow, a row without a
    /// time.
    pub(crate) fn three_columns() -> Ladder {
        use ArrowKind::*;
        let (a, fe, b) = ("10.0.0.5:5060", "10.0.0.20:5061", "10.0.0.9:5060");
        let rows = [
            (a, fe, "INVITE", Request, Some(0)),
            (fe, a, "100 Trying", Provisional, Some(12)),
            (fe, b, "INVITE", Request, Some(15)),
            (b, fe, "180 Ringing", Provisional, Some(230)),
            (fe, a, "180 Ringing", Provisional, Some(236)),
            (b, fe, "200 OK", Success, Some(4_100)),
            (fe, a, "200 OK", Success, Some(4_106)),
            (a, b, "ACK", Request, None),
            (fe, fe, "OPTIONS", Request, Some(5_000)),
            (b, a, "BYE", Request, Some(65_000)),
            (
                a,
                b,
                "481 Call/Transaction Does Not Exist",
                Failure,
                Some(65_020),
            ),
        ];
        let base = at(11, 0, 0, 0).unwrap().0;
        Ladder::build(
            rows.iter()
                .enumerate()
                .map(|(i, &(src, dst, label, kind, t))| ArrowInput {
                    time: t.map(|t| Timestamp(base + t)),
                    msg: 100 + i as u32,
                    ..arrow(0, src, dst, label, kind)
                }),
        )
    }

    #[test]
    fn builds_columns_in_order_of_first_use() {
        let l = sign_in();
        assert_eq!(
            l.columns.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(),
            [CLIENT, EDGE]
        );
        assert_eq!(l.columns[0].label, CLIENT);
        assert_eq!(l.rows.len(), 13);
        assert_eq!((l.rows[0].from, l.rows[0].to), (0, 1));
        assert_eq!((l.rows[1].from, l.rows[1].to), (1, 0));
        assert_eq!(l.rows[0].delta_ms, None);
        assert_eq!(l.rows[1].delta_ms, Some(63));
        assert_eq!(l.rows[9].delta_ms, Some(1267));
        assert_eq!(l.rows[12].msg, 12);
        assert!(l.rows[12].retransmission);

        let l = three_columns();
        let keys: Vec<_> = l.columns.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["10.0.0.5:5060", "10.0.0.20:5061", "10.0.0.9:5060"]);
        assert_eq!((l.rows[7].from, l.rows[7].to), (0, 2));
        assert!(l.rows[8].is_self());
        // The row without a time has no delta; the next timed row counts from the last timed one.
        assert_eq!(l.rows[7].delta_ms, None);
        assert_eq!(l.rows[8].delta_ms, Some(5_000 - 4_106));
    }

    #[test]
    fn labels_columns() {
        let mut l = sign_in();
        l.set_label(CLIENT, "on1 client\n192.168.1.51:51882");
        l.set_label("nobody:1", "ignored");
        assert_eq!(l.columns[0].lines(), ("on1 client", Some(CLIENT)));
        assert_eq!(l.columns[1].lines(), (EDGE, None));
        assert_eq!(l.column_index(EDGE), Some(1));
        assert_eq!(l.column_index("nobody:1"), None);
        assert!(Ladder::build([]).is_empty());
    }

    #[test]
    fn formats_deltas() {
        assert_eq!(format_delta(0), "+0 ms");
        assert_eq!(format_delta(63), "+63 ms");
        assert_eq!(format_delta(1_234), "+1.2 s");
        assert_eq!(format_delta(59_999), "+60.0 s");
        assert_eq!(format_delta(125_000), "+2 min 5 s");
        assert_eq!(format_delta(3_840_000), "+1 h 4 min");
        assert_eq!(format_delta(-40), "-40 ms");
        for ms in [
            0,
            9,
            999,
            1_000,
            59_949,
            59_999,
            60_000,
            3_599_999,
            3_600_000,
            360_000_000,
            -1_234,
            i64::MIN,
        ] {
            assert_eq!(delta_len(ms), format_delta(ms).len(), "{ms}");
        }
        assert_eq!(format_delta(i64::MIN).chars().next(), Some('-'));
    }

    #[test]
    fn cleans_and_cuts_text() {
        assert_eq!(clean_text("plain"), "plain");
        assert_eq!(
            clean_text("a\tb\nc\u{0}d\u{7f}e\u{202e}f\u{ffff}"),
            "a b c\u{fffd}d\u{fffd}ef\u{fffd}"
        );
        assert_eq!(truncate_width("REGISTER", 8), ("REGISTER".into(), 8));
        assert_eq!(truncate_width("REGISTER", 5), ("REGI…".into(), 5));
        assert_eq!(
            truncate_width("480 Temporarily Unavailable", 5),
            ("480…".into(), 4)
        );
        assert_eq!(truncate_width("漢字漢字", 5), ("漢字…".into(), 5));
        assert_eq!(truncate_width("abc", 0), ("".into(), 0));
    }
}
