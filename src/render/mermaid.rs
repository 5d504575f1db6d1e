//! Mermaid sequence-diagram renderer: the ladder as `sequenceDiagram` text, to paste into a ticket, a wiki or a
//! Markdown file. Arrow shapes carry the kind (request `->>`, unanswered request `-x`, provisional `--)`, final
//! response `-->>`, failure `--x`) and the label says it again in words; every string from the log is escaped
//! with Mermaid's entity codes, so log text can never end a statement or open a directive.

use crate::base::time::format_clock;
use crate::ladder::{arrow_extras, clean_text, ArrowKind, Ladder};
use std::fmt::Write;

/// The whole ladder as a Mermaid `sequenceDiagram`.
pub fn render(ladder: &Ladder) -> String {
    let mut out = String::from("sequenceDiagram\n");
    for (i, c) in ladder.columns.iter().enumerate() {
        let (first, second) = c.lines();
        let mut label = escape(first);
        if let Some(second) = second {
            label.push_str("<br/>");
            label.push_str(&escape(second));
        }
        let _ = writeln!(out, "    participant P{i} as {label}");
    }
    for row in &ladder.rows {
        let arrow = match row.kind {
            ArrowKind::Request => "->>",
            ArrowKind::Unanswered => "-x",
            ArrowKind::Provisional => "--)",
            ArrowKind::Success | ArrowKind::Redirect | ArrowKind::Challenge => "-->>",
            ArrowKind::Failure => "--x",
        };
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
        let _ = writeln!(out, "    P{}{arrow}P{}: {text}", row.from, row.to);
    }
    out
}

/// Log text made safe inside a Mermaid statement: one printable line, and every character that Mermaid reads
/// as syntax (`#` entities, `;` statement ends, `<`/`>` markup, `%` directives, `:` label starts, quotes)
/// written as a numeric entity code.
fn escape(s: &str) -> String {
    let clean = clean_text(s);
    let mut out = String::with_capacity(clean.len());
    for ch in clean.trim().chars() {
        match ch {
            '#' | ';' | '<' | '>' | '%' | ':' | '"' | '{' | '}' | '\\' | '`' => {
                let _ = write!(out, "#{};", ch as u32);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    if out.is_empty() {
        out.push_str("#160;");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ladder::tests::sign_in;

    #[test]
    fn a_sign_in_as_a_sequence_diagram() {
        let text = render(&sign_in());
        assert!(text.starts_with("sequenceDiagram\n    participant P0 as "));
        assert!(text.contains("->>P1: "), "{text}");
        assert!(text.contains("-->>P0: "), "{text}");
        for line in text.lines().skip(1) {
            assert!(
                line.starts_with("    participant P") || line.starts_with("    P"),
                "{line}"
            );
        }
    }

    #[test]
    fn log_text_cannot_break_out_of_a_statement() {
        let hostile = "x;\n%%{init: {'theme':'dark'}}%%\nP0->>P1: <script>alert(1)</script> #lt;";
        let e = escape(hostile);
        assert!(!e.contains(';') || e.split('#').skip(1).all(|p| p.contains(';')));
        for bad in ['\n', '<', '>', '%', ':', '{', '}', '"'] {
            assert!(!e.contains(bad), "{bad:?} in {e}");
        }
        assert!(e.contains("#60;script#62;"));
        assert_eq!(escape(""), "#160;");
    }
}
