//! CSV renderer: one row per message, the columns a support engineer filters in a spreadsheet. RFC 4180 (a header
//! row, CRLF line ends, fields holding `,` `"` CR or LF quoted, quotes doubled), UTF-8 with a byte-order mark so
//! that Excel reads it as UTF-8 (Korean names survive). Logs are written by whoever sends the SIP, so no cell may
//! start a formula: a cell beginning with `=` `+` `-` `@`, tab or CR (after any spaces, or in their full-width
//! forms) gets a leading `'` (OWASP's advice against CSV injection). Made from the view's `MessageRow`s: the
//! numbers people see (message, transaction and conversation from 1, as the page lists them and the query
//! language takes them) are the only thing added.

use crate::ladder::clean_text;
use crate::view::{FileRow, MessageRow};
use std::borrow::Cow;

/// The header row.
pub const COLUMNS: [&str; 15] = [
    "#",
    "time",
    "file",
    "line",
    "direction",
    "source",
    "destination",
    "method",
    "status",
    "start line",
    "Call-ID",
    "CSeq",
    "transaction",
    "conversation",
    "retransmission",
];

/// `rows` as CSV; `files` names each row's file.
pub fn render(files: &[FileRow], rows: impl IntoIterator<Item = MessageRow>) -> String {
    let mut out = String::from("\u{feff}");
    record(&mut out, COLUMNS.iter().map(|&c| Cow::Borrowed(c)));
    for r in rows {
        let c = &r.core;
        let file = files.get(c.file as usize).map(|f| f.name.as_str());
        record(
            &mut out,
            [
                number(Some(c.index)),
                text(c.time.as_deref()),
                text(file),
                r.line.to_string().into(),
                c.direction.as_str().into(),
                c.src.as_str().into(),
                c.dst.as_str().into(),
                text(c.method.as_deref()),
                c.status.map_or(Cow::Borrowed(""), |s| s.to_string().into()),
                c.start_line.as_str().into(),
                text(c.call_id.as_deref()),
                text(c.cseq.as_deref()),
                number(r.transaction),
                number(r.conversation),
                if c.retransmission { "yes" } else { "no" }.into(),
            ]
            .into_iter(),
        );
    }
    out
}

/// A number as people count (from 1), or nothing.
fn number(n: Option<u32>) -> Cow<'static, str> {
    n.map_or(Cow::Borrowed(""), |n| (n + 1).to_string().into())
}

fn text(s: Option<&str>) -> Cow<'_, str> {
    Cow::Borrowed(s.unwrap_or(""))
}

/// One line of fields, each made one printable line, kept from starting a formula and quoted as needed.
fn record<'a>(out: &mut String, fields: impl Iterator<Item = Cow<'a, str>>) {
    for (i, f) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(&clean_text(&f)));
    }
    out.push_str("\r\n");
}

/// The first characters of a formula in Excel, LibreOffice and Google Sheets.
fn starts_formula(s: &str) -> bool {
    s.trim_start_matches(' ').starts_with([
        '=', '+', '-', '@', '\t', '\r', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}',
    ])
}

/// A field as RFC 4180 writes it: quoted when it holds `,` `"` CR or LF, with its quotes doubled; a field that
/// would start a formula begins with `'`.
fn field(s: &str) -> Cow<'_, str> {
    let guarded: Cow<'_, str> = if starts_formula(s) {
        format!("'{s}").into()
    } else {
        s.into()
    };
    if !guarded.contains([',', '"', '\r', '\n']) {
        return guarded;
    }
    let mut out = String::with_capacity(guarded.len() + 2);
    out.push('"');
    for ch in guarded.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    out.push('"');
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_as_rfc_4180_says() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("a\r\nb"), "\"a\r\nb\"");
        assert_eq!(field("a\nb"), "\"a\nb\"");
        assert_eq!(field(""), "");
        assert_eq!(field("회의 중"), "회의 중");
    }

    #[test]
    fn no_cell_starts_a_formula() {
        for bad in [
            "=HYPERLINK(\"http://x\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\tcmd",
            "\r=1",
            "  =1+1",
            "＝1+1",
        ] {
            let f = field(bad);
            let inner = f.strip_prefix('"').unwrap_or(&f);
            assert!(inner.starts_with('\''), "{bad:?} → {f:?}");
        }
        assert_eq!(field("=a,b"), "\"'=a,b\"");
        assert_eq!(field("SIP/2.0 200 OK"), "SIP/2.0 200 OK");
        assert_eq!(field("1-2"), "1-2");
    }

    #[test]
    fn directions_are_their_json_words() {
        use crate::view::rows::Direction;
        for d in [Direction::Sent, Direction::Received, Direction::Unknown] {
            assert_eq!(
                serde_json::to_value(d).unwrap(),
                serde_json::Value::from(d.as_str())
            );
        }
    }
}
