//! What the text sequence diagrams (Mermaid, PlantUML) share: one participant a lifeline, one message an arrow
//! whose shape carries its kind and whose text is its time, label and extras; every string from the log escaped by
//! the dialect's own rule. A [`Dialect`] says only how its language writes each of these.

use crate::base::time::format_clock;
use crate::ladder::{arrow_extras, clean_text, ArrowKind, Ladder};
use std::fmt::Write;

/// How one diagram language writes a ladder.
pub(super) struct Dialect {
    /// The text before the participants (`sequenceDiagram\n`, `@startuml\n`).
    pub begin: &'static str,
    /// The text after the last arrow.
    pub end: &'static str,
    /// Log text as safe text of the language.
    pub escape: fn(&str) -> String,
    /// What ends the first line of a lifeline's two-line label (role, then address).
    pub line_break: &'static str,
    /// Writes lifeline `P{i}` with its (escaped) label.
    pub participant: fn(&mut String, usize, &str),
    /// The arrow shape of a kind.
    pub arrow: fn(ArrowKind) -> &'static str,
    /// Writes an arrow: from, shape, to, (escaped) text.
    pub message: fn(&mut String, usize, &str, usize, &str),
}

/// The whole ladder in `dialect`.
pub(super) fn render(dialect: &Dialect, ladder: &Ladder) -> String {
    let escape = dialect.escape;
    let mut out = String::from(dialect.begin);
    for (i, c) in ladder.columns.iter().enumerate() {
        let (first, second) = c.lines();
        let mut label = escape(first);
        if let Some(second) = second {
            label.push_str(dialect.line_break);
            label.push_str(&escape(second));
        }
        (dialect.participant)(&mut out, i, &label);
    }
    for row in &ladder.rows {
        let mut text = String::new();
        let time = format_clock(row.time);
        if !time.is_empty() {
            text.push_str(&time);
            text.push(' ');
        }
        text.push_str(&escape(&row.label));
        let extras = arrow_extras(row);
        if !extras.is_empty() {
            let _ = write!(text, " ({})", escape(&extras.join(", ")));
        }
        (dialect.message)(&mut out, row.from, (dialect.arrow)(row.kind), row.to, &text);
    }
    out.push_str(dialect.end);
    out
}

/// Log text made safe inside a diagram statement: one printable line ([`clean_text`]), trimmed, every character
/// `special` names written by `code` (the language's character reference), and `empty` when nothing is left (a
/// label the language would read as missing).
pub(super) fn escape_with(
    s: &str,
    special: fn(char) -> bool,
    code: fn(&mut String, char),
    empty: &str,
) -> String {
    let clean = clean_text(s);
    let mut out = String::with_capacity(clean.len());
    for ch in clean.trim().chars() {
        if special(ch) {
            code(&mut out, ch);
        } else {
            out.push(ch);
        }
    }
    if out.is_empty() {
        out.push_str(empty);
    }
    out
}
