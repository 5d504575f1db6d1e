//! Message bodies for display: multipart split by boundary, XML pretty-printed with quick-xml.
//!
//! [`parts`] turns a message body into displayable parts: a `multipart/*` body (RFC 2046 §5.1) is split at its
//! `boundary` delimiter lines, each part with its own headers (parsed like message headers, folding included),
//! and a part that is itself multipart is split once more; any other body is one part. [`pretty_xml`] re-indents
//! XML (two spaces per level) keeping text, namespaces, attributes, CDATA, comments and entity references as
//! written. Nothing here panics: what cannot be split stays one part, what is not well-formed XML is not
//! pretty-printed.

use super::parser::{scan_head, HeadEnd};
use super::{name_matches, param, Header, Message};
use memchr::memmem;
use quick_xml::events::Event;
use quick_xml::Reader;

/// One displayable body (the whole body, or one part of a multipart body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyPart {
    /// Content-Type of this part, as written (parameters kept).
    pub content_type: String,
    /// Part headers (for multipart parts), in order.
    pub headers: Vec<(String, String)>,
    /// The part's bytes as text (lossy UTF-8).
    pub text: String,
    /// Pretty-printed form when the part is XML and well-formed enough, else `None`.
    pub pretty: Option<String>,
}

/// Multipart bodies inside multipart bodies are split this many levels deep.
const MAX_DEPTH: usize = 2;

/// The message body as a list of displayable parts (empty when there is no body).
pub fn parts(msg: &Message) -> Vec<BodyPart> {
    let body = msg.body();
    if body.iter().all(u8::is_ascii_whitespace) {
        return Vec::new();
    }
    let content_type = msg
        .header("Content-Type")
        .map(|v| v.trim().to_string())
        .unwrap_or_default();
    let mut out = Vec::new();
    push_parts(&mut out, content_type, Vec::new(), body, 0);
    out
}

/// Push `body` (of type `content_type`, with part `headers`) as one part, or as its parts when it is multipart.
fn push_parts(
    out: &mut Vec<BodyPart>,
    content_type: String,
    headers: Vec<(String, String)>,
    body: &[u8],
    depth: usize,
) {
    if depth < MAX_DEPTH && media_type(&content_type).starts_with("multipart/") {
        if let Some(boundary) = param(&content_type, "boundary").filter(|b| !b.is_empty()) {
            let split = split_multipart(body, boundary.as_bytes());
            if !split.is_empty() {
                for part in split {
                    let (headers, content) = part_headers(part);
                    let ct = headers
                        .iter()
                        .find(|(n, _)| name_matches(n, "Content-Type"))
                        .map(|(_, v)| v.clone())
                        .unwrap_or_else(|| "text/plain".to_string());
                    push_parts(out, ct, headers, content, depth + 1);
                }
                return;
            }
        }
    }
    let text = String::from_utf8_lossy(body).into_owned();
    let pretty = if is_xml(&content_type, &text) {
        pretty_xml(&text)
    } else {
        None
    };
    out.push(BodyPart {
        content_type,
        headers,
        text,
        pretty,
    });
}

/// `multipart/related; type=…` → `multipart/related` (lower case).
pub fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn is_xml(content_type: &str, text: &str) -> bool {
    let mt = media_type(content_type);
    mt.ends_with("+xml")
        || mt.ends_with("/xml")
        || text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('<')
}

/// The parts of a multipart body: the bytes between delimiter lines `--boundary`, without the line break that
/// precedes each delimiter (it belongs to the delimiter). The preamble and epilogue are dropped. A body cut off
/// before its close delimiter keeps its last part up to the end.
fn split_multipart<'a>(body: &'a [u8], boundary: &[u8]) -> Vec<&'a [u8]> {
    let mut delim = Vec::with_capacity(boundary.len() + 2);
    delim.extend_from_slice(b"--");
    delim.extend_from_slice(boundary);
    let finder = memmem::Finder::new(&delim);
    // Delimiter lines: at a line start, followed by `--`, whitespace or the end.
    let lines: Vec<(usize, bool)> = finder
        .find_iter(body)
        .filter(|&at| at == 0 || body.get(at - 1) == Some(&b'\n'))
        .filter_map(|at| {
            let after = body.get(at + delim.len()..).unwrap_or(&[]);
            match after {
                [b'-', b'-', ..] => Some((at, true)),
                [] | [b' ' | b'\t' | b'\r' | b'\n', ..] => Some((at, false)),
                _ => None,
            }
        })
        .collect();
    let mut parts = Vec::new();
    for (i, &(at, close)) in lines.iter().enumerate() {
        if close {
            break;
        }
        // The part starts on the line after the delimiter (transport padding skipped).
        let start = match memchr::memchr(b'\n', body.get(at..).unwrap_or(&[])) {
            Some(j) => at + j + 1,
            None => body.len(),
        };
        let end = match lines.get(i + 1) {
            Some(&(next, _)) => {
                let before = body.get(..next).unwrap_or(&[]);
                let before = before.strip_suffix(b"\n").unwrap_or(before);
                before.strip_suffix(b"\r").unwrap_or(before).len()
            }
            None => body.len(),
        };
        parts.push(body.get(start..end.max(start)).unwrap_or(&[]));
    }
    parts
}

/// A part's headers (name, unfolded value) and its content.
fn part_headers(part: &[u8]) -> (Vec<(String, String)>, &[u8]) {
    let mut headers: Vec<Header> = Vec::new();
    let mut problems = Vec::new();
    let content_start = match scan_head(part, 0, 1, &mut headers, &mut problems) {
        HeadEnd::Blank { body } | HeadEnd::Body { body } => body,
        HeadEnd::StartLine { at } => at,
        HeadEnd::Eof { .. } => part.len(),
    };
    let text = |s: &super::Span| {
        String::from_utf8_lossy(part.get(s.start as usize..s.end as usize).unwrap_or(&[]))
    };
    let list = headers
        .iter()
        .map(|h| (text(&h.name).into_owned(), unfold(&text(&h.value))))
        .collect();
    (list, part.get(content_start..).unwrap_or(&[]))
}

/// Join folded lines with one space (as `Message::value` does).
fn unfold(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for (i, line) in v.split('\n').enumerate() {
        let line = line.trim_end_matches('\r');
        if i > 0 {
            out.push(' ');
            out.push_str(line.trim_start());
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Collapse whitespace runs outside quoted attribute values to one space and trim the end: `<publish \n   xmlns="…"`
/// becomes `<publish xmlns="…"`. Values are kept byte for byte.
fn tidy_tag(raw: &[u8], out: &mut Vec<u8>) {
    let mut quote = None;
    let mut space = false;
    for &b in raw {
        match quote {
            Some(q) => {
                out.push(b);
                if b == q {
                    quote = None;
                }
            }
            None if b.is_ascii_whitespace() => space = true,
            None => {
                if space {
                    out.push(b' ');
                    space = false;
                }
                if b == b'"' || b == b'\'' {
                    quote = Some(b);
                }
                out.push(b);
            }
        }
    }
}

/// Indentation stops growing at this depth: deeper levels line up with it, so the output stays within a
/// small multiple of the input however deep a hostile document nests.
pub const MAX_INDENT: usize = 16;

fn newline(out: &mut Vec<u8>, depth: usize) {
    if !out.is_empty() {
        out.push(b'\n');
    }
    out.extend(std::iter::repeat_n(b' ', depth.min(MAX_INDENT) * 2));
}

/// Pretty-print XML with two-space indentation; `None` when it is not XML.
pub fn pretty_xml(text: &str) -> Option<String> {
    let text = text.trim_start_matches('\u{feff}').trim();
    if !text.starts_with('<') {
        return None;
    }
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.trim_text(false);
    config.check_end_names = true;
    config.check_comments = true;

    let mut out: Vec<u8> = Vec::with_capacity(text.len() + text.len() / 2);
    let mut depth = 0usize;
    let mut elements = 0usize;
    // Text and entity references between two tags, written as one trimmed run (whitespace-only runs dropped).
    let mut run: Vec<u8> = Vec::new();
    // What was written last: an open tag (so an end tag right after it stays on its line) or inline text.
    let (mut after_open, mut after_text) = (false, false);

    loop {
        let event = reader.read_event().ok()?;
        match &event {
            Event::Text(t) => {
                run.extend_from_slice(t);
                continue;
            }
            Event::GeneralRef(r) => {
                run.push(b'&');
                run.extend_from_slice(r);
                run.push(b';');
                continue;
            }
            _ => {}
        }
        let trimmed = run.trim_ascii();
        if !trimmed.is_empty() {
            if depth == 0 {
                return None; // text outside the root element: not an XML document
            }
            out.extend_from_slice(trimmed);
            after_text = true;
            after_open = false;
        }
        run.clear();
        match event {
            Event::Start(e) => {
                newline(&mut out, depth);
                out.push(b'<');
                tidy_tag(&e, &mut out);
                out.push(b'>');
                depth += 1;
                elements += 1;
                (after_open, after_text) = (true, false);
            }
            Event::End(e) => {
                depth = depth.checked_sub(1)?;
                if !after_open && !after_text {
                    newline(&mut out, depth);
                }
                out.extend_from_slice(b"</");
                out.extend_from_slice(e.as_ref());
                out.push(b'>');
                (after_open, after_text) = (false, false);
            }
            Event::Empty(e) => {
                newline(&mut out, depth);
                out.push(b'<');
                tidy_tag(&e, &mut out);
                out.extend_from_slice(b"/>");
                elements += 1;
                (after_open, after_text) = (false, false);
            }
            Event::CData(c) => {
                if !after_open && !after_text {
                    newline(&mut out, depth);
                }
                out.extend_from_slice(b"<![CDATA[");
                out.extend_from_slice(&c);
                out.extend_from_slice(b"]]>");
                (after_open, after_text) = (false, true);
            }
            Event::Comment(c) => {
                newline(&mut out, depth);
                out.extend_from_slice(b"<!--");
                out.extend_from_slice(&c);
                out.extend_from_slice(b"-->");
                (after_open, after_text) = (false, false);
            }
            Event::Decl(d) => {
                newline(&mut out, depth);
                out.extend_from_slice(b"<?");
                out.extend_from_slice(&d);
                out.extend_from_slice(b"?>");
                (after_open, after_text) = (false, false);
            }
            Event::PI(p) => {
                newline(&mut out, depth);
                out.extend_from_slice(b"<?");
                out.extend_from_slice(&p);
                out.extend_from_slice(b"?>");
                (after_open, after_text) = (false, false);
            }
            Event::DocType(d) => {
                newline(&mut out, depth);
                out.extend_from_slice(b"<!DOCTYPE ");
                out.extend_from_slice(&d);
                out.push(b'>');
                (after_open, after_text) = (false, false);
            }
            Event::Eof => break,
            Event::Text(_) | Event::GeneralRef(_) => {}
        }
    }
    if depth != 0 || elements == 0 {
        return None;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip::parse_message;

    const BOUNDARY: &str = "5163ac81d4494d259d913ed7e3ea321e";

    fn rlmi_ok() -> Message {
        let body = format!(
            "--{BOUNDARY}\r\n\
Content-Transfer-Encoding: 7bit\r\n\
Content-ID: <5f1a2f3d3c4e4f0b8a2e@limcm.com>\r\n\
Content-Type: application/rlmi+xml\r\n\
\r\n\
<list xmlns=\"urn:ietf:params:xml:ns:rlmi\" uri=\"sip:on1@limcm.com\" version=\"0\" fullState=\"false\"><resource uri=\"sip:on2@limcm.com\"><instance id=\"0\" state=\"active\" cid=\"5f1a2f3d3c4e4f0b8a2e@limcm.com\"/></resource></list>\r\n\
--{BOUNDARY}\r\n\
Content-Transfer-Encoding: 7bit\r\n\
Content-ID: <5f1a2f3d3c4e4f0b8a2e@limcm.com>\r\n\
Content-Type: application/msrtc-event-categories+xml\r\n\
\r\n\
<categories xmlns=\"http://schemas.microsoft.com/2006/09/sip/categories\" uri=\"sip:on2@limcm.com\"><category name=\"note\" instance=\"0\" publishTime=\"2020-05-11T06:20:21.693\" container=\"400\" version=\"3\" expireType=\"static\"><note xmlns=\"http://schemas.microsoft.com/2006/09/sip/note\"><body type=\"personal\" uri=\"\">회의 중 · В отпуске &amp; busy</body></note></category></categories>\r\n\
--{BOUNDARY}--\r\n"
        );
        let head = "SIP/2.0 200 OK\r\n\
Via: SIP/2.0/TLS 192.168.1.51:51882;branch=z9hG4bK1\r\n\
From: <sip:on1@limcm.com>;tag=0bc7b0fc1e;epid=08b5b444f3\r\n\
To: <sip:on1@limcm.com>;tag=E8C2A1F4\r\n\
Call-ID: 3e027202ab3c4ccabed634c1edd89f72\r\n\
CSeq: 1 SUBSCRIBE\r\n\
Require: eventlist\r\n\
Content-Type: multipart/related; type=\"application/rlmi+xml\";start=resourceList; boundary=";
        let raw = format!(
            "{head}{BOUNDARY}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        parse_message(raw.into_bytes()).unwrap()
    }

    #[test]
    fn multipart_related_is_split() {
        let m = rlmi_ok();
        assert!(m.problems.is_empty(), "{:?}", m.problems);
        let p = parts(&m);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].content_type, "application/rlmi+xml");
        assert_eq!(
            p[0].headers[1],
            (
                "Content-ID".to_string(),
                "<5f1a2f3d3c4e4f0b8a2e@limcm.com>".to_string()
            )
        );
        assert!(
            p[0].text.starts_with("<list ") && p[0].text.ends_with("</list>"),
            "{:?}",
            p[0].text
        );
        assert_eq!(p[1].content_type, "application/msrtc-event-categories+xml");
        let pretty = p[1].pretty.as_deref().unwrap();
        assert!(
            pretty.contains(
                "\n      <body type=\"personal\" uri=\"\">회의 중 · В отпуске &amp; busy</body>\n"
            ),
            "{pretty}"
        );
        assert!(pretty.starts_with(
            "<categories xmlns=\"http://schemas.microsoft.com/2006/09/sip/categories\""
        ));
    }

    #[test]
    fn quoted_boundary_and_lf_lines() {
        let raw = "MESSAGE sip:a@b SIP/2.0\nCall-ID: 1\nCSeq: 1 MESSAGE\nContent-Type: multipart/mixed; boundary=\"b 1\"\n\npreamble\n--b 1\nContent-Type: text/plain\n\nHello\n--b 1\n\nno headers\n--b 1--\nepilogue\n";
        let m = parse_message(raw.as_bytes().to_vec()).unwrap();
        let p = parts(&m);
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].content_type.as_str(), p[0].text.as_str()),
            ("text/plain", "Hello")
        );
        assert_eq!(
            (p[1].content_type.as_str(), p[1].text.as_str()),
            ("text/plain", "no headers")
        );
        assert!(p[1].headers.is_empty());
        assert_eq!(p[0].pretty, None);
    }

    #[test]
    fn nested_multipart_is_split_once_more() {
        let raw = "NOTIFY sip:a@b SIP/2.0\r\nCall-ID: 1\r\nCSeq: 1 NOTIFY\r\nContent-Type: multipart/mixed;boundary=outer\r\n\r\n--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n--inner\r\nContent-Type: text/plain\r\n\r\nA\r\n--inner\r\nContent-Type: application/pidf+xml\r\n\r\n<presence><tuple id=\"1\"/></presence>\r\n--inner--\r\n--outer\r\nContent-Type: text/plain\r\n\r\nB\r\n--outer--\r\n";
        let p = parts(&parse_message(raw.as_bytes().to_vec()).unwrap());
        let texts: Vec<&str> = p.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, ["A", "<presence><tuple id=\"1\"/></presence>", "B"]);
        assert_eq!(
            p[1].pretty.as_deref(),
            Some("<presence>\n  <tuple id=\"1\"/>\n</presence>")
        );
    }

    #[test]
    fn single_and_empty_bodies() {
        let m =
            parse_message(b"SIP/2.0 200 OK\r\nCall-ID: 1\r\nContent-Length: 0\r\n\r\n".to_vec())
                .unwrap();
        assert!(parts(&m).is_empty());
        let raw = "SERVICE sip:on1@limcm.com SIP/2.0\r\nCall-ID: 1\r\nCSeq: 3 SERVICE\r\nContent-Type: application/msrtc-category-publish+xml\r\n\r\n<publish xmlns=\"http://schemas.microsoft.com/2006/09/sip/rich-presence\"><publications uri=\"sip:on1@limcm.com\"><publication categoryName=\"state\" instance=\"1\" container=\"2\" version=\"0\" expireType=\"endpoint\"><state xmlns=\"http://schemas.microsoft.com/2006/09/sip/state\" manual=\"false\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"machineState\"><availability>3500</availability></state></publication></publications></publish>";
        let p = parts(&parse_message(raw.as_bytes().to_vec()).unwrap());
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].content_type, "application/msrtc-category-publish+xml");
        assert!(p[0].headers.is_empty());
        let expected = "<publish xmlns=\"http://schemas.microsoft.com/2006/09/sip/rich-presence\">
  <publications uri=\"sip:on1@limcm.com\">
    <publication categoryName=\"state\" instance=\"1\" container=\"2\" version=\"0\" expireType=\"endpoint\">
      <state xmlns=\"http://schemas.microsoft.com/2006/09/sip/state\" manual=\"false\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"machineState\">
        <availability>3500</availability>
      </state>
    </publication>
  </publications>
</publish>";
        assert_eq!(p[0].pretty.as_deref(), Some(expected));

        let sdp = "INVITE sip:a@b SIP/2.0\r\nCall-ID: 1\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n";
        let p = parts(&parse_message(sdp.as_bytes().to_vec()).unwrap());
        assert_eq!((p.len(), p[0].pretty.as_deref()), (1, None));
    }

    #[test]
    fn pretty_xml_keeps_everything() {
        let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?><!-- note --><roamingData xmlns=\"http://schemas.microsoft.com/2006/09/sip/roaming-self\"\n   xmlns:xsi=\"x\"><categories><![CDATA[a < b]]></categories><text>  Привет,   мир  </text><e a='1 \"2\"'   /></roamingData>";
        let out = pretty_xml(xml).unwrap();
        let expected = "<?xml version=\"1.0\" encoding=\"utf-8\"?>
<!-- note -->
<roamingData xmlns=\"http://schemas.microsoft.com/2006/09/sip/roaming-self\" xmlns:xsi=\"x\">
  <categories><![CDATA[a < b]]></categories>
  <text>Привет,   мир</text>
  <e a='1 \"2\"'/>
</roamingData>";
        assert_eq!(out, expected);
        // Already indented input comes out the same.
        assert_eq!(pretty_xml(&out).as_deref(), Some(expected));
    }

    /// 40,000 levels in 280 KB once became 6.4 GB of indentation (2 spaces per level on every line).
    #[test]
    fn pretty_xml_of_deep_nesting_stays_in_proportion() {
        let depth = 40_000;
        let xml = format!("{}x{}", "<a>".repeat(depth), "</a>".repeat(depth));
        let out = pretty_xml(&xml).unwrap();
        assert!(
            out.len() < 12 * xml.len(),
            "{} bytes from {}",
            out.len(),
            xml.len()
        );
        let deepest = out
            .lines()
            .map(|l| l.len() - l.trim_start().len())
            .max()
            .unwrap();
        assert_eq!(deepest, 2 * MAX_INDENT);
        assert!(out.starts_with("<a>\n  <a>\n    <a>"));
    }

    #[test]
    fn pretty_xml_rejects_what_is_not_xml() {
        for bad in [
            "",
            "hello",
            "v=0\r\no=- 1 1 IN IP4 1.2.3.4",
            "<a><b></a>",
            "<a>",
            "<a></a>trailing",
            "</a>",
            "<a",
            "<!-- only -->",
        ] {
            assert_eq!(pretty_xml(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn rfc4475_mpart01() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/fixtures/resip-rfc4475/mpart01.dat"
        );
        let Ok(raw) = std::fs::read(path) else {
            eprintln!("{path} not found: skipped");
            return;
        };
        let p = parts(&parse_message(raw).unwrap());
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].content_type.as_str(), p[0].text.as_str()),
            ("text/plain", "Hello")
        );
        assert_eq!(p[1].content_type, "application/octet-stream");
        assert_eq!(p[1].headers[1].1, "binary");
    }

    #[test]
    fn never_panics() {
        let m = rlmi_ok();
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let body_start = m.body.start as usize;
        for n in body_start..=m.raw.len() {
            let _ = parse_message(m.raw[..n].to_vec()).map(|m| parts(&m));
        }
        for _ in 0..300 {
            let mut raw = m.raw.clone();
            for _ in 0..3 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let i = body_start + (state % (raw.len() - body_start) as u64) as usize;
                raw[i] = [b'<', b'>', b'-', b'\n', b'"', 0xff, b'/', state as u8][i % 8];
            }
            if let Ok(m) = parse_message(raw) {
                for p in parts(&m) {
                    let _ = pretty_xml(&p.text);
                }
            }
        }
    }
}
