//! IM text for people: the text of `ms-text-format` / `X-MMS-IM-Format` headers (base64 UTF-8 and UTF-16LE),
//! the font they name, and HTML or RTF bodies turned into plain lines (shown as text, never run).

use super::util::{base64_decode, clip, find, one_line, semi_params, utf16le};
use crate::sip::grammar::split_top_level;

/// Lines of an IM: trimmed, empty lines dropped, at most 50 lines of 500 characters.
pub fn text_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim_end_matches('\r').trim())
        .filter(|l| !l.is_empty())
        .take(50)
        .map(|l| clip(l, 500))
        .collect()
}

/// The visible text of an HTML IM, then notes about active content that was left out (it is never run: the
/// page shows every string as text).
pub fn html_lines(html: &str) -> Vec<String> {
    let mut lines = text_lines(&html_to_text(html));
    if lines.is_empty() {
        lines.push("(no visible text)".into());
    }
    let lower = html.to_ascii_lowercase();
    if lower.contains("<script") {
        lines.push("[The HTML contains a <script> element; it is left out of this view.]".into());
    }
    if lower.contains("javascript:") {
        lines.push("[The HTML contains a javascript: link.]".into());
    }
    lines
}

/// HTML as plain text: script/style content dropped, tags removed (block tags become line breaks), the
/// common entities decoded. The result is meant to be shown as text, never as HTML.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let lower = html.to_ascii_lowercase();
    let mut i = 0usize;
    let bytes = html.as_bytes();
    while i < bytes.len() {
        if bytes[i] == b'<' {
            // Skip whole script / style elements.
            let rest = &lower[i..];
            let skip_to = if rest.starts_with("<script") {
                rest.find("</script").map(|e| i + e)
            } else if rest.starts_with("<style") {
                rest.find("</style").map(|e| i + e)
            } else {
                None
            };
            let start = skip_to.unwrap_or(i);
            let end = match lower[start..].find('>') {
                Some(e) => start + e + 1,
                None => bytes.len(),
            };
            let tag = &lower[i..end.min(lower.len())];
            if ["<br", "<p", "</p", "<div", "</div", "<li", "<tr"]
                .iter()
                .any(|t| tag.starts_with(t))
            {
                out.push('\n');
            }
            i = end;
            continue;
        }
        let next = html[i..].find('<').map(|n| i + n).unwrap_or(html.len());
        out.push_str(&decode_entities(&html[i..next]));
        i = next;
    }
    out
}

pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(semi) = after.find(';').filter(|&n| n <= 10) else {
            out.push('&');
            rest = after;
            continue;
        };
        let name = &after[..semi];
        let ch = match name {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" | "#39" => Some('\''),
            "nbsp" => Some(' '),
            n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16)
                .ok()
                .and_then(char::from_u32),
            n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// RTF as plain text (control words and groups dropped; a rough view for display only).
pub fn rtf_to_text(rtf: &str) -> String {
    let mut out = String::new();
    let mut chars = rtf.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                // Control word or escaped character.
                match chars.peek() {
                    Some('\\') | Some('{') | Some('}') => {
                        if let Some(e) = chars.next() {
                            out.push(e);
                        }
                    }
                    _ => {
                        let mut word = String::new();
                        while let Some(&n) = chars.peek() {
                            if n.is_ascii_alphanumeric() || n == '-' {
                                word.push(n);
                                chars.next();
                            } else {
                                break;
                            }
                        }
                        if chars.peek() == Some(&' ') {
                            chars.next();
                        }
                        if word == "par" || word == "line" {
                            out.push('\n');
                        }
                    }
                }
            }
            '{' | '}' => {}
            _ => out.push(c),
        }
    }
    out
}

/// Decode `msgr=` (base64 UTF-16LE, the Messenger format header) and `ms-body=` (base64 UTF-8 text).
pub fn decode_im_format(value: &str) -> (Option<String>, Option<String>) {
    let (_, p) = semi_params(value);
    let body = find(&p, "ms-body")
        .and_then(base64_decode)
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    let msgr = find(&p, "msgr")
        .and_then(base64_decode)
        .map(|b| utf16le(&b))
        .map(|s| one_line(&s));
    (body, msgr)
}

/// `X-MMS-IM-Format: FN=Segoe%20UI; EF=; CO=0; CS=0; PF=0` → `font Segoe UI, colour 0`.
pub fn font_of(msgr: &str) -> Option<String> {
    let rest = msgr.split_once(':').map(|(_, r)| r)?;
    let mut font = None;
    for item in split_top_level(rest, b';') {
        if let Some((k, v)) = item.split_once('=') {
            if k.trim().eq_ignore_ascii_case("FN") {
                font = Some(v.trim().replace("%20", " "));
            }
        }
    }
    font.filter(|f| !f.is_empty())
}
