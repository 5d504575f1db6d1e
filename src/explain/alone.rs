//! Headers alone: text that holds SIP header lines but no start line (an `ms-diagnostics:` line copied from
//! Snooper, a header block pasted from a ticket) is read as the headers of a message that is not there, and each
//! header explained as in a message.

use super::{annotate_headers, Annotation};
use crate::sip::Message;

/// Header lines read at most.
pub const MAX_LINES: usize = 500;

/// The header lines of `text` as a message with a stand-in start line (`SIP/2.0 100 Headers alone`, never shown), with their
/// explanations; `None` when no line is a header sipscope explains. A line counts when it reads `Name: value`
/// with a token for a name (a log prefix before it, such as Snooper's time, is not stripped: such a line is
/// not a header line); a line that starts with a space or tab continues the header before it.
pub fn headers_alone(text: &[u8]) -> Option<(Message, Vec<Annotation>)> {
    let text = String::from_utf8_lossy(text);
    let mut raw = String::from("SIP/2.0 100 Headers alone\r\n");
    let mut in_header = false;
    let mut lines = 0;
    for line in text.lines().take(MAX_LINES) {
        let line = line.trim_end();
        if in_header && line.starts_with([' ', '\t']) && !line.trim().is_empty() {
            raw.push_str(line);
            raw.push_str("\r\n");
            continue;
        }
        in_header = false;
        let line = line.trim_start();
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let token = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b));
        if !token || value.trim().is_empty() {
            continue;
        }
        raw.push_str(name);
        raw.push_str(": ");
        raw.push_str(value.trim());
        raw.push_str("\r\n");
        in_header = true;
        lines += 1;
    }
    if lines == 0 {
        return None;
    }
    raw.push_str("\r\n");
    let msg = crate::sip::parse_message(raw.into_bytes()).ok()?;
    let notes = annotate_headers(&msg);
    (!notes.is_empty()).then_some((msg, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_block_and_a_snooper_line() {
        let (m, notes) = headers_alone(
            b"From the ticket:\n\nms-diagnostics: 1033;reason=\"Previous hop server component did not respond\";source=\"fe01.contoso.com\"\nVia: SIP/2.0/TLS 192.168.1.51:51882;branch=z9hG4bK1;received=203.0.113.9;ms-received-port=51882\nUser-Agent: UCCAPI/16.0.4849.1000 OC/16.0.4849.1000\n  (Skype for Business)\nThanks, Bob\n",
        )
        .unwrap();
        let names: Vec<&str> = m.headers.iter().map(|h| m.name(h)).collect();
        assert_eq!(names, ["ms-diagnostics", "Via", "User-Agent"]);
        assert!(
            m.value(&m.headers[2]).contains("Skype for Business"),
            "a folded line continues its header"
        );
        assert!(
            notes
                .iter()
                .any(|a| a.header == "ms-diagnostics" && a.text.contains("1033")),
            "{notes:?}"
        );
        assert!(notes.iter().any(|a| a.header == "Via"));
    }

    #[test]
    fn prose_is_not_headers() {
        assert!(headers_alone(b"Note: the user could not sign in\nTime: 10:00\n").is_none());
        assert!(headers_alone(b"").is_none());
        assert!(headers_alone(b"\x00\x01binary").is_none());
    }
}
