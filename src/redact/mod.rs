//! Redaction: a log written back in its own format with consistent pseudonyms, to share and still analyze to
//! the same flow (client logs, server traces, SIP text and SBC or proxy logs, in UTF-8 or UTF-16; gzip and zip
//! archives of them; and pcap/pcapng captures in `capture`; other formats are refused).
//!
//! `names` holds the one table of stand-ins of a redaction; `text` is the token pass over any text (trace lines,
//! header values, bodies); `message` redacts one parsed SIP message and moves its Content-Length; `server` puts a
//! server trace's records back line by line; `sbc` an SBC or proxy log's messages into their product's framing;
//! `archive` packs an archive's redacted files again. This module finds the messages with the format's importer, redacts each where it is in the file, scrubs the text between
//! them, and moves a client log's packet sizes (`N bytes`) by what the messages gained or lost.

pub mod archive;
pub mod capture;
mod find;
pub mod message;
pub mod names;
mod packet;
mod raw;
mod sbc;
mod server;
pub mod text;
mod tokens;

use std::ops::Range;

use crate::base::fxhash::FxMap;
use crate::import::{self, lines, Importer, InFile, PointOfView, Sink};

pub use names::{Category, Pseudonyms};

/// Categories left as they are (`--keep`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Keep(u16);

impl Keep {
    pub fn has(self, c: Category) -> bool {
        self.0 & (1 << c as u16) != 0
    }

    pub fn with(self, c: Category) -> Keep {
        Keep(self.0 | (1 << c as u16))
    }
}

/// Why a file was not redacted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// A format redaction does not write back (unrecognised input, …).
    Format(&'static str),
    /// An archive none of whose files could be redacted (each is in [`Redactor::left_out`]).
    Archive,
    /// An archive inside more archives than the analysis opens ([`import::archive::MAX_DEPTH`]).
    TooDeep,
    /// A capture that cannot be written back soundly: why.
    Capture(String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Format(name) => write!(
                f,
                "not redacted: redaction does not write back this format ({name})"
            ),
            Refused::Archive => {
                write!(f, "not redacted: nothing in this archive could be redacted")
            }
            Refused::TooDeep => write!(
                f,
                "not redacted: an archive inside {} archives (the analysis opens none deeper)",
                import::archive::MAX_DEPTH
            ),
            Refused::Capture(why) => write!(f, "{why} (not redacted)"),
        }
    }
}

/// One redaction of several files: the same value gets the same stand-in in all of them.
#[derive(Debug, Default)]
pub struct Redactor {
    pub names: Pseudonyms,
    keep: Keep,
    /// The first pass: values are learnt, nothing is written.
    warming: bool,
    /// Files inside the archive being redacted that its copy leaves out, and why.
    leaving: Vec<(String, String)>,
    /// How the text being redacted carries bytes that are not UTF-8.
    raw: raw::Raw,
    left_out: Vec<LeftOut>,
}

/// A file inside an archive that its copy leaves out (it is never copied through unredacted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// The input, by its place in [`redact_all`]'s files.
    pub file: usize,
    /// Its path inside the archive (`Tracing/readme.txt`; `logs.zip/a.log.gz/a.log` when nested); empty when
    /// the note is about the archive itself.
    pub entry: String,
    pub reason: String,
}

/// Redact every file with one table of pseudonyms. Every file is read twice: the first time learns the domains
/// and identifiers, so a value named alone in a trace line before its SIP is renamed too.
pub fn redact_all(files: &[&[u8]], keep: Keep) -> (Vec<Result<Vec<u8>, Refused>>, Redactor) {
    let mut r = Redactor {
        names: Pseudonyms::keeping(keep),
        keep,
        ..Redactor::default()
    };
    r.warming = true;
    for f in files {
        let _ = r.redact(f);
    }
    r.warming = false;
    let mut out = Vec::with_capacity(files.len());
    for (i, f) in files.iter().enumerate() {
        out.push(r.redact(f));
        for (entry, reason) in std::mem::take(&mut r.leaving) {
            r.left_out.push(LeftOut {
                file: i,
                entry,
                reason,
            });
        }
    }
    (out, r)
}

impl Redactor {
    /// How many distinct values of each category were renamed (for a kept category: would have been).
    pub fn counts(&self) -> Vec<(Category, usize)> {
        Category::ALL
            .into_iter()
            .map(|c| (c, self.names.count(c)))
            .collect()
    }

    /// The mapping as text, one `category<TAB>original<TAB>stand-in` a line (never written into a copy).
    pub fn mapping_text(&self) -> String {
        let mut out = String::new();
        for (c, from, to) in self.names.entries() {
            out.push_str(&format!("{}\t{from}\t{to}\n", c.name()));
        }
        out
    }

    /// The files inside archives that their copies leave out, and why, in the order of the inputs.
    pub fn left_out(&self) -> &[LeftOut] {
        &self.left_out
    }

    /// One file redacted in its own format.
    pub fn redact(&mut self, bytes: &[u8]) -> Result<Vec<u8>, Refused> {
        self.leaving.clear();
        self.file(bytes, 0, &mut archive::Budget::of(bytes.len()), "")
    }

    /// A file inside an archive (`path`) that the copy leaves out, and why (said on the pass that writes).
    fn leave_out(&mut self, path: &str, reason: String) {
        if !self.warming {
            let entry = path.trim_end_matches('/').to_string();
            self.leaving.push((entry, reason));
        }
    }

    /// One file (`depth` archives deep; `path` names it inside the outermost) redacted in its own format.
    fn file(
        &mut self,
        bytes: &[u8],
        depth: u32,
        budget: &mut archive::Budget,
        path: &str,
    ) -> Result<Vec<u8>, Refused> {
        let head = &bytes[..bytes.len().min(import::SNIFF_BYTES)];
        let (format, _) = import::detect(head, true);
        if let Some(kind) = format.archive() {
            if depth >= import::archive::MAX_DEPTH {
                return Err(Refused::TooDeep);
            }
            return self.archive(bytes, kind, depth, budget, path);
        }
        if format.is_capture() {
            return capture::redact(&mut self.names, self.keep, bytes).map_err(Refused::Capture);
        }
        if !format.rewritable() {
            return Err(Refused::Format(format.display_name()));
        }
        match lines::Encoding::sniff(head) {
            lines::Encoding::Utf16Le => Ok(self.utf16(bytes, true, format)),
            lines::Encoding::Utf16Be => Ok(self.utf16(bytes, false, format)),
            _ => Ok(self.text(bytes, format)),
        }
    }

    /// A file of text in UTF-8 in its format, whose importer finds its messages.
    fn text(&mut self, bytes: &[u8], format: import::Format) -> Vec<u8> {
        self.raw = raw::Raw::for_file(bytes);
        if self.warming {
            // Every domain the text's SIP names is known before any of its host names is renamed.
            text::learn(&mut self.names, &String::from_utf8_lossy(bytes));
        }
        let mut importer = Importer::new(format, 0);
        let mut sink = Sink::default();
        importer.push(bytes, &mut sink);
        importer.finish(&mut sink);
        // Every Call-ID is known before any text is scrubbed, so one named alone in a trace line is renamed too.
        for r in &sink.records {
            let call_id = match &r.parsed {
                Some(m) => m.call_id().map(|c| c.into_owned()),
                None => crate::sip::parse_message(r.sip.clone())
                    .ok()
                    .and_then(|m| m.call_id().map(|c| c.into_owned())),
            };
            if let Some(c) = call_id.filter(|c| !c.is_empty()) {
                self.names.token(Category::Ids, &c);
            }
        }
        if let Some(product) = format.product() {
            let edits = sbc::edits(&mut self.names, self.keep, self.raw, bytes, product);
            return self.write_back(bytes, edits, text::scrub);
        }
        if format.point_of_view() == PointOfView::Server {
            return self.server_trace(bytes, &sink);
        }
        // A client log's packets announce their size: it moves with their messages.
        let client = format.point_of_view() == PointOfView::Client;
        // The messages whose text is the file's bytes at a place, by packet; the others by their entry.
        let mut placed: Vec<(Range<usize>, (u64, u64))> = Vec::new();
        let mut unplaced: Vec<(u64, u64)> = Vec::new();
        for r in &sink.records {
            let text = r
                .parsed
                .as_ref()
                .map_or(r.sip.as_slice(), |m| m.raw.as_slice());
            let range = match r.at {
                Some(InFile::At(at)) => Some(at as usize..at as usize + text.len()),
                _ => None,
            };
            match range {
                Some(range) if !text.is_empty() && bytes.get(range.clone()) == Some(text) => {
                    placed.push((range, r.span));
                }
                _ => unplaced.push(r.span),
            }
        }
        placed.sort_by_key(|p| p.0.start);
        placed.dedup_by(|b, a| b.0.start < a.0.end);
        let mut edits: Vec<(Range<usize>, Vec<u8>)> = Vec::new();
        let mut grown: FxMap<(u64, u64), i64> = FxMap::default();
        for (range, span) in &placed {
            let old = &bytes[range.clone()];
            let text = self.raw.text(old);
            let new = message::redact(&mut self.names, self.keep, self.raw, &text)
                .unwrap_or_else(|| text::scrub(&mut self.names, self.keep, &text));
            let new = self.raw.into_bytes(&new);
            *grown.entry(*span).or_default() += new.len() as i64 - old.len() as i64;
            edits.push((range.clone(), new));
        }
        // A packet the importer made no record of (its SIP text incomplete) is redacted as one it rebuilt, so its
        // Content-Length still asks for more than the copy holds: scrubbed as text between records, its body would
        // grow and the copy would read a message the original does not.
        unplaced.extend(&sink.dropped);
        // A message the importer rebuilt (LF line ends, quoted or folded lines): its entry scrubbed as text, its
        // Content-Length moved by what the text after its first blank line gained or lost.
        unplaced.sort_unstable();
        unplaced.dedup();
        for span in unplaced {
            let (mut start, end) = (span.0 as usize, (span.1 as usize).min(bytes.len()));
            let mut stop = end;
            if client {
                // Between the packet's header line and its End line.
                let entry = &bytes[start.min(end)..end];
                let first = entry
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(entry.len(), |i| i + 1);
                let trimmed = entry.strip_suffix(b"\n").unwrap_or(entry);
                let last = trimmed
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(entry.len(), |i| i + 1);
                if last > first && is_end_line(&entry[last..]) {
                    stop = start + last;
                }
                start += first;
            }
            if start >= stop || edits.iter().any(|e| e.0.start < stop && start < e.0.end) {
                continue;
            }
            let old = &bytes[start..stop];
            let text = self.raw.text(old);
            // A client log's packet as the importer reads it; anything else (or a packet whose lines would not
            // stay as they are) as text.
            let header = self.raw.text(&bytes[span.0 as usize..start]);
            let raw = self.raw;
            let (new, delta) = client
                .then(|| packet::redact(&mut self.names, self.keep, raw, &header, &text))
                .flatten()
                .unwrap_or_else(|| {
                    let new = region(&mut self.names, self.keep, raw, &text, client);
                    let delta = raw.len(&new) as i64 - raw.len(&text) as i64;
                    (new, delta)
                });
            *grown.entry(span).or_default() += delta;
            edits.push((start..stop, self.raw.into_bytes(&new)));
        }
        if client {
            for (span, delta) in grown {
                edits.extend(packet_sizes(bytes, span, delta));
            }
        }
        self.write_back(bytes, edits, if client { client_gap } else { text::scrub })
    }

    /// A file in UTF-16 (little-endian when `le`): read as the importer reads it, as UTF-8 (so a client log's
    /// `N bytes` move by what the UTF-8 text gained or lost, as the importer counts them), redacted, and written
    /// back in the same byte order after the same BOM, or none.
    fn utf16(&mut self, bytes: &[u8], le: bool, format: import::Format) -> Vec<u8> {
        let bom = [0xFEFF_u16.to_le_bytes(), 0xFEFF_u16.to_be_bytes()]
            .into_iter()
            .find(|b| bytes.starts_with(b))
            .map_or(0, |b| b.len());
        let mut text = Vec::with_capacity(bytes.len());
        lines::decode_utf16(&bytes[bom..], le, &mut text);
        let copy = self.text(&text, format);
        let mut out = Vec::with_capacity(copy.len() * 2 + 4);
        out.extend_from_slice(&bytes[..bom]);
        for unit in String::from_utf8_lossy(&copy).encode_utf16() {
            out.extend_from_slice(&if le {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        // An odd last byte the importer leaves out stays as it was.
        if (bytes.len() - bom) % 2 == 1 {
            out.extend_from_slice(&bytes[bytes.len() - 1..]);
        }
        out
    }

    /// A server trace: each protocol record redacted where the importer found it, the rest line by line.
    fn server_trace(&mut self, bytes: &[u8], sink: &Sink) -> Vec<u8> {
        let mut spans: Vec<(usize, usize)> = sink
            .records
            .iter()
            .map(|r| (r.span.0 as usize, (r.span.1 as usize).min(bytes.len())))
            .filter(|s| s.0 < s.1)
            .collect();
        spans.sort_unstable();
        spans.dedup();
        let mut edits = Vec::with_capacity(spans.len());
        let mut at = 0;
        for (start, end) in spans {
            if start < at {
                continue;
            }
            let entry = self.raw.text(&bytes[start..end]);
            let new = server::record(&mut self.names, self.keep, self.raw, &entry);
            edits.push((start..end, self.raw.into_bytes(&new)));
            at = end;
        }
        self.write_back(bytes, edits, server::scrub)
    }

    /// `bytes` with each edit's range replaced by its text (in order; one overlapping an earlier one is
    /// dropped) and the text between them scrubbed by `gap`.
    fn write_back(
        &mut self,
        bytes: &[u8],
        mut edits: Vec<(Range<usize>, Vec<u8>)>,
        gap: fn(&mut Pseudonyms, Keep, &str) -> String,
    ) -> Vec<u8> {
        edits.sort_by_key(|e| e.0.start);
        let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 8);
        let mut at = 0;
        for (range, new) in edits {
            if range.start < at {
                continue;
            }
            let text = self.raw.text(&bytes[at..range.start]);
            self.raw
                .bytes(&gap(&mut self.names, self.keep, &text), &mut out);
            out.extend_from_slice(&new);
            at = range.end;
        }
        let text = self.raw.text(&bytes[at..]);
        self.raw
            .bytes(&gap(&mut self.names, self.keep, &text), &mut out);
        out
    }
}

/// A client log's text between messages scrubbed, each prefixed line keeping its prefix, and a packet's header and
/// End line the words that make them one: the copy's lines must be read as the original's (a level `INF` that is
/// also a user's name renamed, or `End of Data Received` followed by a user name becoming `End of Data user1@…`,
/// and the copy would lose the line's shape, its packet, or its format).
fn client_gap(p: &mut Pseudonyms, keep: Keep, text: &str) -> String {
    const MARKS: [&str; 4] = [
        "End of Sending Packet",
        "End of Data Received",
        "Sending Packet -",
        "Data Received -",
    ];
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut run = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if let Some(pre) = import::uccapi::parse_prefix(line.as_bytes()) {
            let from = line.len() - pre.text.len();
            let kept = MARKS
                .iter()
                .find(|m| line[from..].starts_with(**m))
                .map_or(from, |m| from + m.len());
            out.push_str(&text::scrub(p, keep, &text[run..at]));
            out.push_str(&line[..kept]);
            out.push_str(&text::scrub(p, keep, &line[kept..]));
            run = at + line.len();
        }
        at += line.len();
    }
    out.push_str(&text::scrub(p, keep, &text[run..]));
    out
}

/// An entry's text scrubbed, its Content-Length moved by what its body (after the first line that is blank
/// but for quote marks) gained or lost as the importer reads it (line by line; a `client` log's lines from other
/// threads left out).
fn region(p: &mut Pseudonyms, keep: Keep, stray: raw::Raw, text: &str, client: bool) -> String {
    let mut body_at = None;
    let mut at = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i > 0
            && line
                .trim_matches(|c: char| c.is_whitespace() || c == '>' || c == '|')
                .is_empty()
        {
            body_at = Some(at + line.len());
            break;
        }
        at += line.len();
    }
    // A blank line at the end of the entry is not the start of a body.
    let body_at = body_at.filter(|&b| b < text.trim_end().len());
    let Some(b) = body_at.or_else(|| collapsed_body(text)) else {
        return text::scrub(p, keep, text);
    };
    if body_at.is_none() {
        // Lines run together: the body runs from the Content-Length value to the packet's End line.
        let end = text[b..].find("End of ").map_or(text.len(), |i| b + i);
        let head = text::scrub(p, keep, &text[..b]);
        let body = text::scrub(p, keep, &text[b..end]);
        let grown = body.len() as i64 - (end - b) as i64;
        return move_content_length(&head, grown, false)
            + &body
            + &text::scrub(p, keep, &text[end..]);
    }
    let declared = content_length(&text[..b], true).and_then(|(_, n)| usize::try_from(n).ok());
    // The body's type, from its header line (quote marks before it left out): an IM's text is free text.
    let content_type = text[..b]
        .lines()
        .map(|l| l.trim_start_matches(|c: char| c.is_whitespace() || c == '>' || c == '|'))
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            let name = name.trim();
            (name.eq_ignore_ascii_case("content-type") || name.eq_ignore_ascii_case("c"))
                .then(|| value.trim().to_ascii_lowercase())
        })
        .unwrap_or_default();
    let head = text::scrub(p, keep, &text[..b]);
    let reading = message::Reading::Lines { client, stray };
    let (body, grown) = message::framed_body(p, keep, &content_type, &text[b..], declared, reading);
    let head = move_content_length(&head, grown, true);
    head + &body
}

/// Where the body of text whose line breaks were lost starts: right after its Content-Length value.
fn collapsed_body(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let at = lower.find("content-length:")? + "content-length:".len();
    let digits = text[at..].trim_start();
    let skip = text.len() - at - digits.len();
    let n = digits.bytes().take_while(u8::is_ascii_digit).count();
    (n > 0).then_some(at + skip + n)
}

/// The first `Content-Length: N` (or `l: N`) of a header section (at a line's start when `lines`), N moved by
/// `grown`.
fn move_content_length(head: &str, grown: i64, lines: bool) -> String {
    match content_length(head, lines) {
        Some((at, v)) if v + grown >= 0 => {
            format!("{}{}{}", &head[..at.start], v + grown, &head[at.end..])
        }
        _ => head.to_string(),
    }
}

/// Where the first `Content-Length: N` (or `l: N`) of a header section is (at a line's start when `lines`), and N.
fn content_length(head: &str, lines: bool) -> Option<(Range<usize>, i64)> {
    static RE: std::sync::OnceLock<[regex_lite::Regex; 2]> = std::sync::OnceLock::new();
    let [at_line, anywhere] = RE.get_or_init(|| {
        [
            r"(?im)^[>| \t]*(?:content-length|l)[ \t]*:[ \t]*(?P<n>\d+)",
            r"(?i)\bcontent-length[ \t]*:[ \t]*(?P<n>\d+)",
        ]
        .map(|p| regex_lite::Regex::new(p).expect("the Content-Length pattern is valid"))
    });
    let re = if lines { at_line } else { anywhere };
    let n = re.captures(head)?.name("n")?;
    Some((n.range(), n.as_str().parse().ok()?))
}

/// The `N bytes` of a packet's header line (its first line) and End line (its last), moved by `delta`.
fn packet_sizes(bytes: &[u8], span: (u64, u64), delta: i64) -> Vec<(Range<usize>, Vec<u8>)> {
    let (start, end) = (span.0 as usize, (span.1 as usize).min(bytes.len()));
    let Some(entry) = bytes.get(start..end) else {
        return Vec::new();
    };
    let first_end = entry
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(entry.len());
    let body = entry.strip_suffix(b"\n").unwrap_or(entry);
    let last_start = body.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let mut out = Vec::new();
    for (from, to, end_line) in [(0, first_end, false), (last_start, entry.len(), true)] {
        if end_line && last_start < first_end {
            break;
        }
        let line = &entry[from..to];
        if end_line && !is_end_line(line) {
            continue;
        }
        if let Some(r) = count_before_bytes(line) {
            let old: i64 = std::str::from_utf8(&line[r.clone()])
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(-1);
            if old >= 0 && old + delta >= 0 {
                let at = start + from;
                out.push((
                    at + r.start..at + r.end,
                    (old + delta).to_string().into_bytes(),
                ));
            }
        }
    }
    out
}

/// Whether a client log's line is a packet's End line as the importer reads one (a prefixed line; a line that
/// only holds `End of` is text of the packet).
fn is_end_line(line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    import::uccapi::parse_prefix(line).is_some_and(|p| import::uccapi::is_packet_end(p.text))
}

/// The digits of the last `N bytes` in a line.
fn count_before_bytes(line: &[u8]) -> Option<Range<usize>> {
    let pos = line.windows(6).rposition(|w| w == b" bytes")?;
    let digits = line[..pos]
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    (digits > 0).then(|| pos - digits..pos)
}
