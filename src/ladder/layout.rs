//! Ladder geometry: where every column and row goes (fixed row height, so the page can render any window of
//! rows), from glyph-width estimates of the labels, and the label texts as they fit. Computed once per ladder;
//! the SVG renderer and the page's virtualized view both read it.

use super::{arrow_extras, clean_text, text_width, truncate_width, ArrowKind, Column, Ladder, Row};
use crate::base::fxhash::FxMap;
use crate::base::time::delta_len;
use std::collections::BTreeMap;
use std::ops::Range;

/// Height of one row (one arrow), in px.
pub const ROW_HEIGHT: u32 = 28;
/// Height of the column headers, in px.
pub const HEADER_HEIGHT: u32 = 48;
/// Arrow label length (characters) before it is cut with `…`.
pub const MAX_LABEL_CHARS: usize = 44;
/// Arrow note length (characters) before it is cut with `…`.
pub const MAX_NOTE_CHARS: usize = 32;
/// Header line length (characters) before it is cut with `…`.
pub const MAX_HEADER_CHARS: usize = 32;
/// Longest label told in an arrow's `aria-label` and `<title>` (guards the DOM against absurd log lines).
pub const MAX_TITLE_CHARS: usize = 1000;
/// Smallest distance between neighbouring lifelines, in px.
pub const MIN_GAP: u32 = 120;

pub const PAD: u32 = 10;
pub const BOTTOM: u32 = 8;
/// Estimated glyph widths in tenths of a px: 12 px label (often capitals), 10.5 px note, 12 px semibold
/// column name, 11 px address, 11 px monospace time.
pub const W_LABEL: u32 = 76;
pub const W_NOTE: u32 = 62;
pub const W_NAME: u32 = 78;
pub const W_ADDR: u32 = 68;
pub const W_MONO: u32 = 67;
/// Space an arrow needs besides its text: padding on both sides and the arrowhead.
pub const ARROW_SPARE: u32 = 40;
pub const HEAD: u32 = 8;
pub const LOOP_W: u32 = 22;

/// Where everything goes; computed once per ladder ([`Layout::new`] is O(rows)), then reused for every
/// window. Compute it after the column labels are set: they decide the spacing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Total size of the full ladder, in px.
    pub width: u32,
    pub height: u32,
    pub header_height: u32,
    pub row_height: u32,
    /// Width of the time column (absolute time and delta) at the left.
    pub time_width: u32,
    /// x of each lifeline, by column.
    pub xs: Vec<u32>,
    /// Number of rows the layout was made for.
    pub rows: usize,
}

impl Layout {
    pub fn new(ladder: &Ladder) -> Layout {
        let n = ladder.columns.len();
        let has_time = ladder.rows.iter().any(|r| r.time.is_some());
        let delta_chars = ladder
            .rows
            .iter()
            .filter_map(|r| r.delta_ms)
            .map(delta_len)
            .max()
            .unwrap_or(0);
        let time_width = if has_time {
            PAD + px(12, W_MONO) + PAD + px(delta_chars, W_MONO) + PAD
        } else {
            PAD
        };

        let head_w: Vec<u32> = ladder.columns.iter().map(header_width).collect();
        let mut gaps = vec![MIN_GAP; n.saturating_sub(1)];
        for (i, g) in gaps.iter_mut().enumerate() {
            *g = (*g).max(head_w[i] / 2 + head_w[i + 1] / 2 + 2 * PAD);
        }
        let mut needs: BTreeMap<(usize, usize), u32> = BTreeMap::new();
        let mut last_self = 0;
        // Labels and notes repeat from row to row: measure each distinct text once.
        let mut widths: FxMap<(&str, Option<&str>, bool, bool), u32> = FxMap::default();
        for row in &ladder.rows {
            if row.from >= n || row.to >= n {
                continue;
            }
            let key = (
                row.label.as_str(),
                row.note.as_deref(),
                row.retransmission,
                row.kind == ArrowKind::Unanswered,
            );
            let w = *widths.entry(key).or_insert_with(|| arrow_text_width(row));
            let (lo, hi) = (row.from.min(row.to), row.from.max(row.to));
            if lo == hi {
                let need = LOOP_W + 8 + w + PAD;
                if lo + 1 == n {
                    last_self = last_self.max(need);
                } else {
                    let e = needs.entry((1, lo)).or_insert(0);
                    *e = (*e).max(need);
                }
            } else {
                let e = needs.entry((hi - lo, lo)).or_insert(0);
                *e = (*e).max(w + ARROW_SPARE);
            }
        }
        for ((span, lo), need) in needs {
            let have: u32 = gaps[lo..lo + span].iter().sum();
            if have < need {
                let (extra, k) = (need - have, span as u32);
                for (j, g) in gaps[lo..lo + span].iter_mut().enumerate() {
                    *g += extra / k + u32::from((j as u32) < extra % k);
                }
            }
        }

        let mut xs = Vec::with_capacity(n);
        let mut x = time_width + head_w.first().map_or(0, |w| w / 2 + PAD).max(40);
        for i in 0..n {
            xs.push(x);
            x = x.saturating_add(gaps.get(i).copied().unwrap_or(0));
        }
        let width = match (xs.last(), head_w.last()) {
            (Some(&x), Some(&w)) => x.saturating_add((w / 2 + PAD).max(40).max(last_self)),
            _ => time_width + 40,
        };
        let rows = ladder.rows.len();
        let height = HEADER_HEIGHT
            .saturating_add(ROW_HEIGHT.saturating_mul(rows.min(u32::MAX as usize) as u32))
            .saturating_add(BOTTOM);
        Layout {
            width,
            height,
            header_height: HEADER_HEIGHT,
            row_height: ROW_HEIGHT,
            time_width,
            xs,
            rows,
        }
    }

    /// Top of row `i`.
    pub fn row_top(&self, i: usize) -> u32 {
        HEADER_HEIGHT.saturating_add(ROW_HEIGHT.saturating_mul(i.min(u32::MAX as usize) as u32))
    }

    /// The row at height `y` (full-ladder coordinates), if any.
    pub fn row_at(&self, y: u32) -> Option<usize> {
        let i = (y.checked_sub(HEADER_HEIGHT)? / ROW_HEIGHT) as usize;
        (i < self.rows).then_some(i)
    }

    /// The rows that intersect `top .. top + height` (full-ladder coordinates), clamped to the ladder.
    pub fn rows_in_view(&self, top: u32, height: u32) -> Range<usize> {
        let first = (top.saturating_sub(HEADER_HEIGHT) / ROW_HEIGHT) as usize;
        let bottom = top.saturating_add(height).saturating_sub(HEADER_HEIGHT);
        let end = bottom.div_ceil(ROW_HEIGHT) as usize;
        let end = end.min(self.rows);
        first.min(end)..end
    }
}

pub fn px(chars: usize, tenths: u32) -> u32 {
    (chars.min(100_000) as u32 * tenths).div_ceil(10)
}

pub fn header_lines(c: &Column) -> (Option<String>, String) {
    let cut = |s: &str| {
        truncate_width(clean_text(s).trim(), MAX_HEADER_CHARS)
            .0
            .into_owned()
    };
    match c.lines() {
        (a, Some(b)) => (Some(cut(a)), cut(b)),
        (a, None) => (None, cut(a)),
    }
}

pub fn header_width(c: &Column) -> u32 {
    let (top, bottom) = header_lines(c);
    let bottom_w = if top.is_none() && c.label != c.key {
        W_NAME
    } else {
        W_ADDR
    };
    px(top.map_or(0, |t| text_width(&t)), W_NAME).max(px(text_width(&bottom), bottom_w))
}

/// The label cut to size, and the note text (note, retransmission) cut to size.
pub fn arrow_texts(row: &Row) -> (String, String) {
    let label = truncate_width(clean_text(&row.label).trim(), MAX_LABEL_CHARS)
        .0
        .into_owned();
    let note = arrow_extras(row)
        .iter()
        .map(|e| clean_text(e).trim().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let note = truncate_width(&note, MAX_NOTE_CHARS).0.into_owned();
    (label, note)
}

pub fn arrow_text_width(row: &Row) -> u32 {
    let (label, note) = arrow_texts(row);
    let note_w = if note.is_empty() {
        0
    } else {
        px(text_width(&note) + 1, W_NOTE)
    };
    px(text_width(&label), W_LABEL) + note_w
}
