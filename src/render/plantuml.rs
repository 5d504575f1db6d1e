//! PlantUML sequence-diagram renderer: the ladder between `@startuml` and `@enduml`, one
//! `participant "role\naddress" as P0` per lifeline, one arrow per message. The shapes say what Mermaid's do
//! (request `->`, unanswered request `->x`, provisional `-->>`, final response `-->`, failure `-->x`) and the text
//! says it again in words, after the time; no `autonumber`.
//!
//! Every string from the log is written as plain text: each ASCII punctuation character PlantUML could read as
//! syntax (quotes ending a name, `\n` escapes, creole markup such as `**`, `//`, `--`, `""`, `~`, `[[links]]`,
//! `<img:…>` and other `<tags>`, `&#…;` entities, preprocessor `%functions()` and `$variables`, `'` comments) and
//! the quote marks PlantUML takes for `"` becomes PlantUML's Unicode escape `<U+XXXX>`, which PlantUML turns back
//! into the character only when it draws the text, after reading its markup.

use super::sequence::{self, Dialect};
use crate::ladder::{ArrowKind, Ladder};
use std::fmt::Write;

const PLANTUML: Dialect = Dialect {
    begin: "@startuml\n",
    end: "@enduml\n",
    escape,
    // Inside a quoted name, PlantUML's own line break.
    line_break: "\\n",
    participant: |out, i, label| {
        let _ = writeln!(out, "participant \"{label}\" as P{i}");
    },
    arrow: |kind| match kind {
        ArrowKind::Request => "->",
        ArrowKind::Unanswered => "->x",
        ArrowKind::Provisional => "-->>",
        ArrowKind::Success | ArrowKind::Redirect | ArrowKind::Challenge => "-->",
        ArrowKind::Failure => "-->x",
    },
    // The spaces around the arrow matter: PlantUML reads an `x` head only before a space.
    message: |out, from, arrow, to, text| {
        let _ = writeln!(out, "P{from} {arrow} P{to} : {text}");
    },
};

/// The whole ladder as a PlantUML sequence diagram.
pub fn render(ladder: &Ladder) -> String {
    sequence::render(&PLANTUML, ladder)
}

/// ASCII punctuation that never means anything inside a PlantUML name or message text.
fn plain(c: char) -> bool {
    matches!(c, '.' | ',' | ':' | ';' | '(' | ')' | '?' | '@' | '+')
}

/// Log text made safe inside a PlantUML name or message: one printable line, every other ASCII punctuation
/// character and the typographic quotes written as `<U+XXXX>`.
fn escape(s: &str) -> String {
    sequence::escape_with(
        s,
        |c| (c.is_ascii_punctuation() && !plain(c)) || matches!(c, '“' | '”' | '«' | '»'),
        |out, c| {
            let _ = write!(out, "<U+{:04X}>", c as u32);
        },
        "<U+00A0>",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ladder::tests::sign_in;

    #[test]
    fn a_sign_in_as_a_sequence_diagram() {
        let text = render(&sign_in());
        assert!(text.starts_with("@startuml\nparticipant \""), "{text}");
        assert!(text.ends_with("\n@enduml\n"), "{text}");
        assert!(text.contains(" -> P1 : "), "{text}");
        assert!(text.contains(" --> P0 : "), "{text}");
        assert!(!text.contains("autonumber"));
        for line in text.lines() {
            assert!(
                line.starts_with("participant \"")
                    || line.starts_with('P')
                    || line.starts_with('@'),
                "{line}"
            );
        }
    }

    #[test]
    fn log_text_cannot_break_out_of_a_name_or_a_message() {
        let hostile = "a\"b\\nc\n@enduml\n**bold** //it// --st-- \"\"m\"\" ~~w~~ __u__ [[javascript:x]] \
                       <img:http://x/y.png> <color:red> &#60; %getenv(\"HOME\") $x /' c '/ {{ }} “q” «g»";
        let e = escape(hostile);
        for bad in [
            "\"", "\\", "\n", "**", "//", "--", "~", "[[", "<img", "<color", "&#", "%", "$", "'",
            "{{", "“", "”", "«", "»",
        ] {
            assert!(!e.contains(bad), "{bad:?} in {e}");
        }
        // Every `<` left opens one of our escapes.
        assert!(e.match_indices('<').all(|(i, _)| e[i..].starts_with("<U+")));
        assert!(e.contains("<U+003C>img:http:<U+002F><U+002F>x"), "{e}");
        assert_eq!(escape("  "), "<U+00A0>");
        // Korean and other letters stay as they are.
        assert_eq!(escape("회의 중 (on2)"), "회의 중 (on2)");
    }

    #[test]
    fn a_lifeline_label_keeps_its_two_lines() {
        let mut ladder = sign_in();
        ladder.columns[0].label = "on1 \"client\"\n192.168.1.51:51882".into();
        let text = render(&ladder);
        assert!(
            text.contains(
                "participant \"on1 <U+0022>client<U+0022>\\n192.168.1.51:51882\" as P0\n"
            ),
            "{text}"
        );
    }
}
