//! Mermaid sequence-diagram renderer: the ladder as `sequenceDiagram` text, to paste into a ticket, a wiki or a
//! Markdown file. Arrow shapes carry the kind (request `->>`, unanswered request `-x`, provisional `--)`, final
//! response `-->>`, failure `--x`) and the label says it again in words; every string from the log is escaped
//! with Mermaid's entity codes, so log text can never end a statement or open a directive.

use super::sequence::{self, Dialect};
use crate::ladder::{ArrowKind, Ladder};
use std::fmt::Write;

const MERMAID: Dialect = Dialect {
    begin: "sequenceDiagram\n",
    end: "",
    escape,
    line_break: "<br/>",
    participant: |out, i, label| {
        let _ = writeln!(out, "    participant P{i} as {label}");
    },
    arrow: |kind| match kind {
        ArrowKind::Request => "->>",
        ArrowKind::Unanswered => "-x",
        ArrowKind::Provisional => "--)",
        ArrowKind::Success | ArrowKind::Redirect | ArrowKind::Challenge => "-->>",
        ArrowKind::Failure => "--x",
    },
    message: |out, from, arrow, to, text| {
        let _ = writeln!(out, "    P{from}{arrow}P{to}: {text}");
    },
};

/// The whole ladder as a Mermaid `sequenceDiagram`.
pub fn render(ladder: &Ladder) -> String {
    sequence::render(&MERMAID, ladder)
}

/// Log text made safe inside a Mermaid statement: one printable line, and every character that Mermaid reads
/// as syntax (`#` entities, `;` statement ends, `<`/`>` markup, `%` directives, `:` label starts, quotes)
/// written as a numeric entity code.
fn escape(s: &str) -> String {
    sequence::escape_with(
        s,
        |c| {
            matches!(
                c,
                '#' | ';' | '<' | '>' | '%' | ':' | '"' | '{' | '}' | '\\' | '`'
            )
        },
        |out, c| {
            let _ = write!(out, "#{};", c as u32);
        },
        "#160;",
    )
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
