//! Server traces written back: a protocol record's start line, SIP header lines and body redacted as one
//! message (Content-Length moved by what the body gained or lost) and put back, line by line, where they were;
//! every other line — header lines (their machine names), trace fields (`Peer`, `Peer-FQDN`, `SIP-Call-ID`,
//! `Data`, …), connection and diagnostic records — scrubbed line by line.

use std::ops::Range;

use super::names::Pseudonyms;
use super::raw::Raw;
use super::{message, text, Keep};
use crate::import::cls;

/// A record's line: its text without the line break, and the break (`\r\n`, `\n` or nothing at the end).
fn lines(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split_inclusive('\n').map(|l| {
        let content = l
            .strip_suffix('\n')
            .map_or(l, |c| c.strip_suffix('\r').unwrap_or(c));
        (content, &l[content.len()..])
    })
}

/// Text that is not a protocol record's message, line by line: a trace header line keeps its shape (only its
/// machine names and its text after the source location change), a `SIP-Call-ID` field is one identifier, any
/// other line goes through the token pass.
pub(super) fn scrub(p: &mut Pseudonyms, keep: Keep, text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (content, brk) in lines(text) {
        out.push_str(&line(p, keep, content));
        out.push_str(brk);
    }
    out
}

fn line(p: &mut Pseudonyms, keep: Keep, line: &str) -> String {
    // The file's first line may carry its byte order mark.
    if let Some(rest) = line.strip_prefix('\u{feff}') {
        return format!("\u{feff}{}", self::line(p, keep, rest));
    }
    if let Some(h) = cls::parse_header(line.as_bytes()) {
        let at = |s: &[u8]| {
            let from = s.as_ptr() as usize - line.as_ptr() as usize;
            from..from + s.len()
        };
        let (machine, rest) = (at(h.machine), at(h.text));
        if machine.end <= rest.start && line.is_char_boundary(rest.start) {
            let names: Vec<String> = line[machine.clone()]
                .split('\\')
                .map(|n| {
                    if n.is_empty() || n.bytes().all(|b| b.is_ascii_digit()) {
                        n.to_string()
                    } else {
                        p.machine(n)
                    }
                })
                .collect();
            return format!(
                "{}{}{}{}{}",
                &line[..machine.start],
                names.join("\\"),
                &line[machine.end..rest.start],
                text::scrub(p, keep, &line[rest.clone()]),
                &line[rest.end..]
            );
        }
    }
    match line.split_once(':') {
        Some((name, value)) if name.trim().eq_ignore_ascii_case("SIP-Call-ID") => {
            format!("{name}:{}", message::header(p, keep, "Call-ID", value, 0))
        }
        _ => text::scrub(p, keep, line),
    }
}

/// One protocol record (`entry`: from its header line to its `$$end_record` line, as the importer placed it).
pub(super) fn record(p: &mut Pseudonyms, keep: Keep, stray: Raw, entry: &str) -> String {
    let lines: Vec<(&str, &str)> = lines(entry).collect();
    // The field lines as the importer keeps them, and where each starts there.
    let mut kept = String::with_capacity(entry.len());
    let mut starts: Vec<(usize, usize)> = Vec::with_capacity(lines.len());
    for (i, (content, _)) in lines.iter().enumerate().skip(1) {
        if let (Some(c), _) = cls::record_line(content.as_bytes()) {
            starts.push((kept.len(), i));
            kept.push_str(&content[..c.len()]);
            kept.push('\n');
        }
    }
    let parts = cls::record_parts(kept.as_bytes());
    let mut new: Vec<(Range<usize>, String)> = Vec::new();
    if let Some(start) = parts.start_line.clone() {
        let pieces: Vec<Range<usize>> = std::iter::once(start)
            .chain(parts.headers.iter().cloned())
            .chain(parts.body.iter().cloned())
            .collect();
        let texts = message_parts(p, keep, stray, &kept, &pieces, parts.headers.len());
        new = pieces.into_iter().zip(texts).collect();
    }
    let mut out = String::with_capacity(entry.len() + entry.len() / 8);
    let mut next = new.into_iter().peekable();
    for (i, (content, brk)) in lines.iter().enumerate() {
        let from = starts.iter().find(|s| s.1 == i).map(|s| s.0);
        let (mut done, mut any) = (0, false);
        while let Some((r, _)) = next.peek() {
            let Some(f) = from.filter(|&f| r.start >= f && r.end <= f + content.len()) else {
                break;
            };
            let Some((r, t)) = next.next() else { break };
            // What stands before a part on its line (`Start-Line: `, `Message-Body: `) is kept.
            out.push_str(&content[done..r.start - f]);
            out.push_str(&t);
            done = r.end - f;
            any = true;
        }
        if !any {
            out.push_str(&self::line(p, keep, content));
        } else {
            out.push_str(&content[done..]);
        }
        out.push_str(brk);
    }
    out
}

/// The start line, header lines and body lines (`pieces` of `kept`; `headers` of them header lines) redacted as
/// one message, each piece's new text in order.
fn message_parts(
    p: &mut Pseudonyms,
    keep: Keep,
    stray: Raw,
    kept: &str,
    pieces: &[Range<usize>],
    headers: usize,
) -> Vec<String> {
    let texts: Vec<&str> = pieces.iter().map(|r| &kept[r.clone()]).collect();
    let (head, body) = texts.split_at(1 + headers);
    let mut sip = head.join("\r\n");
    sip.push_str("\r\n\r\n");
    sip.push_str(&body.join("\r\n"));
    if let Some(new) = message::redact(p, keep, stray, &sip) {
        let mut lines: Vec<String> = new.split("\r\n").map(str::to_string).collect();
        let blank = 1 + headers;
        // An empty body leaves one empty piece after the blank line.
        if body.is_empty() && lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        if lines.len() == texts.len() + 1 && lines[blank].is_empty() {
            lines.remove(blank);
            return lines;
        }
    }
    // Not a message the parser reads, or its lines came out otherwise: each piece as text, Content-Length
    // moved by what the body lines gained or lost.
    let mut out: Vec<String> = texts.iter().map(|t| text::scrub(p, keep, t)).collect();
    let grown: i64 = out[1 + headers..]
        .iter()
        .zip(body)
        .map(|(n, o)| n.len() as i64 - o.len() as i64)
        .sum();
    if let Some(h) = out[1..1 + headers].iter_mut().find(|h| {
        h.split_once(':').is_some_and(|(n, _)| {
            let n = n.trim();
            n.eq_ignore_ascii_case("content-length") || n.eq_ignore_ascii_case("l")
        })
    }) {
        if let Some((name, value)) = h.split_once(':') {
            *h = format!(
                "{name}:{}",
                message::header(p, keep, "Content-Length", value, grown)
            );
        }
    }
    out
}
