//! Import: log formats → records (one SIP message's text with its time, addresses and place in the file).
//!
//! Each format has a streaming importer fed chunk by chunk; the format is detected from the content of the
//! first bytes, never from the file name. Importers never fail: what they cannot read becomes a diagnostic.

pub mod archive;
pub mod cls;
pub mod lines;
pub mod pcap;
pub mod siptext;
pub mod split;
pub mod tls;
pub mod trace;
pub mod uccapi;

pub use siptext::vendor::Product;

use crate::base::diag::{Code, Diagnostic, Problem};
use crate::base::time::Timestamp;

/// A detected input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Skype for Business / Lync client log (Lync-UccApi-0.UccApilog).
    UccApiLog,
    /// Skype for Business / Lync Server SIPStack trace as text (CLS logger, OCSLogger, Snooper export).
    ServerTrace,
    /// SIP messages as plain text (pasted, saved from a tool, quoted in a document).
    SipText,
    /// An SBC's or proxy's log with SIP messages in it (Cisco Expressway, AudioCodes, Ribbon, FreeSWITCH,
    /// drachtio, Kamailio, syslog): SIP text whose lines the product's reader sees first ([`siptext::vendor`]).
    SbcLog(Product),
    /// A pcap capture (Wireshark, tcpdump).
    Pcap,
    /// A pcapng capture.
    PcapNg,
    /// A Microsoft Network Monitor 2.x capture (`.cap`, written by Network Monitor 3.x).
    NetMon,
    /// A gzip archive; the file inside is analyzed as an input of its own.
    Gzip,
    /// A zip archive; every file inside is analyzed as an input of its own.
    Zip,
    /// Not yet decided (too few bytes seen).
    #[default]
    Pending,
    /// A format sipscope recognises but cannot read yet (the diagnostic says which).
    Unsupported,
    /// Nothing SIP-like was found.
    Unknown,
}

/// Whose point of view a log is written from (it decides which addresses are the log's own host).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointOfView {
    /// A client's own log (UccApiLog): its local address is the client.
    Client,
    /// A server's trace: its local address is the server.
    Server,
    /// A capture or SIP text: no side of its own.
    Neutral,
}

impl Format {
    /// The archive kind to unpack, for gzip and zip.
    pub fn archive(self) -> Option<archive::Kind> {
        match self {
            Format::Gzip => Some(archive::Kind::Gzip),
            Format::Zip => Some(archive::Kind::Zip),
            _ => None,
        }
    }

    /// Not yet decided: too few bytes seen.
    pub fn is_pending(self) -> bool {
        self == Format::Pending
    }

    /// Bytes of the file per SIP message it holds, at the dense end of what the format usually holds: how much
    /// room the analysis reserves for a file's messages once its format is known. Client logs and server traces
    /// carry a message per 1.4–2.5 KB (presence-heavy logs the densest); captures a message per ~0.9 KB (each
    /// with its packet's few dozen bytes of headers); the rest as a presence-heavy log.
    pub fn bytes_per_message(self) -> u64 {
        match self {
            Format::UccApiLog | Format::ServerTrace => 1280,
            Format::Pcap | Format::PcapNg | Format::NetMon => 640,
            _ => 1536,
        }
    }

    /// Whether `redact` writes the format back: client logs, server traces and SIP text, whose messages are
    /// text in the file, and pcap/pcapng captures, whose packets are rewritten (a Network Monitor capture is
    /// not written back).
    pub fn rewritable(self) -> bool {
        matches!(
            self,
            Format::UccApiLog | Format::ServerTrace | Format::SipText | Format::SbcLog(_)
        ) || self.is_capture()
    }

    /// The product whose log this is (an SBC or proxy log).
    pub fn product(self) -> Option<siptext::vendor::Product> {
        match self {
            Format::SbcLog(p) => Some(p),
            _ => None,
        }
    }

    /// A packet capture (pcap or pcapng).
    pub fn is_capture(self) -> bool {
        matches!(self, Format::Pcap | Format::PcapNg)
    }

    pub fn point_of_view(self) -> PointOfView {
        match self {
            Format::UccApiLog => PointOfView::Client,
            Format::ServerTrace | Format::SbcLog(_) => PointOfView::Server,
            _ => PointOfView::Neutral,
        }
    }

    /// The format's name for people.
    pub fn display_name(self) -> &'static str {
        match self {
            Format::UccApiLog => "UccApi log",
            Format::ServerTrace => "server trace",
            Format::SipText => "SIP text",
            Format::SbcLog(p) => p.display_name(),
            Format::Pcap => "pcap",
            Format::PcapNg => "pcapng",
            Format::NetMon => "Network Monitor capture",
            Format::Gzip => "gzip archive",
            Format::Zip => "zip archive",
            Format::Pending => "not read yet",
            Format::Unsupported => "not readable yet",
            Format::Unknown => "unrecognized",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::UccApiLog => "uccapilog",
            Format::ServerTrace => "server-trace",
            Format::SipText => "sip-text",
            Format::SbcLog(p) => p.name(),
            Format::Pcap => "pcap",
            Format::PcapNg => "pcapng",
            Format::NetMon => "netmon",
            Format::Gzip => "gzip",
            Format::Zip => "zip",
            Format::Pending => "pending",
            Format::Unsupported => "unsupported",
            Format::Unknown => "unknown",
        }
    }
}

/// How a message was seen from the log's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Sent,
    Received,
    Unknown,
}

/// One SIP message as found in a file, before parsing.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The SIP text (start line, headers, blank line, body).
    pub sip: Vec<u8>,
    pub time: Option<Timestamp>,
    /// Sender and receiver as `host:port`, when the log says.
    pub src: Option<String>,
    pub dst: Option<String>,
    pub direction: Direction,
    /// Byte range of the whole entry in the original file (packet header to end line).
    pub span: (u64, u64),
    /// Where the SIP text is in the original file, when the importer copied it unchanged (or in two pieces): the
    /// store then leaves it there and reads it back when asked. `None` for text the importer rebuilt.
    pub at: Option<InFile>,
    /// 1-based line where the entry starts.
    pub line: u32,
    /// Framing problems found by the importer (attached to the message as diagnostics).
    pub problems: Vec<Problem>,
    /// The message already parsed (an importer that had to parse it to frame it hands it on: `sip` is then
    /// empty and the text is in the message).
    pub parsed: Option<crate::sip::Message>,
}

/// Where a record's SIP text is in its file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InFile {
    /// The text is the file's bytes from this offset.
    At(u64),
    /// The text is `head_len` bytes from `head`, a CRLF, `tail_len` bytes from `tail`, then a CRLF when `crlf`:
    /// a server trace's record, whose header lines and `Message-Body:` value are written apart.
    Split {
        head: u64,
        head_len: u32,
        tail: u64,
        tail_len: u32,
        crlf: bool,
    },
    /// The text is these ranges of the file, one after the other: a message cut from a TCP stream, its bytes in
    /// the payloads of the segments that carried it.
    Pieces(Box<[(u64, u32)]>),
}

impl InFile {
    /// The `len` bytes of text this names, its pieces appended by `read(offset, len, into)`.
    pub fn gather(
        &self,
        len: usize,
        mut read: impl FnMut(u64, usize, &mut Vec<u8>) -> Option<()>,
    ) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(len);
        match *self {
            InFile::At(at) => read(at, len, &mut out)?,
            InFile::Split {
                head,
                head_len,
                tail,
                tail_len,
                crlf,
            } => {
                read(head, head_len as usize, &mut out)?;
                out.extend_from_slice(b"\r\n");
                if tail_len > 0 {
                    read(tail, tail_len as usize, &mut out)?;
                }
                if crlf {
                    out.extend_from_slice(b"\r\n");
                }
            }
            InFile::Pieces(ref pieces) => {
                for &(at, n) in pieces.iter() {
                    read(at, n as usize, &mut out)?;
                }
            }
        }
        Some(out)
    }

    /// Where `len` bytes from `start` of this text are (a message framed out of a longer block); `None` when
    /// they straddle a server trace's two pieces.
    pub fn slice(&self, start: usize, len: usize) -> Option<InFile> {
        match self {
            InFile::At(at) => Some(InFile::At(at + start as u64)),
            InFile::Split { .. } => None,
            InFile::Pieces(pieces) => {
                InFile::from_pieces(pieces.iter().copied(), start as u64, len as u64)
            }
        }
    }

    /// The place of bytes `from .. from + len` of a run of `(offset in the file, length)` pieces; `None` when
    /// the run is shorter.
    pub fn from_pieces(
        pieces: impl IntoIterator<Item = (u64, u32)>,
        from: u64,
        len: u64,
    ) -> Option<InFile> {
        let end = from + len;
        let mut out: Vec<(u64, u32)> = Vec::new();
        let mut pos = 0u64;
        for (at, n) in pieces {
            let (a, b) = (pos, pos + u64::from(n));
            pos = b;
            let (s, e) = (a.max(from), b.min(end));
            if s >= e {
                continue;
            }
            let piece = (at + (s - a), (e - s) as u32);
            match out.last_mut() {
                // Pieces that touch in the file are one.
                Some(last) if last.0 + u64::from(last.1) == piece.0 => last.1 += piece.1,
                _ => out.push(piece),
            }
        }
        let covered: u64 = out.iter().map(|p| u64::from(p.1)).sum();
        match out.as_slice() {
            _ if covered != len || len == 0 => None,
            [(at, _)] => Some(InFile::At(*at)),
            _ => Some(InFile::Pieces(out.into_boxed_slice())),
        }
    }
}

impl Record {
    /// The parsed message: the one the importer already parsed, or the text parsed now.
    pub fn into_message(self) -> Result<crate::sip::Message, crate::sip::parser::NotSip> {
        match self.parsed {
            Some(m) => Ok(m),
            None => crate::sip::parse_message(self.sip),
        }
    }
}

/// What an importer produces as it goes.
#[derive(Debug, Default)]
pub struct Sink {
    pub records: Vec<Record>,
    pub diagnostics: Vec<Diagnostic>,
    /// The log's lines that are not SIP (client logs and server traces).
    pub trace: trace::Traces,
    /// TLS connections and application-data records (captures).
    pub tls: tls::TlsRecords,
    /// Where the entries are that the importer read but made no record of (a client log's packet whose SIP text
    /// is incomplete): file spans, as a record's. A redacted copy keeps their framing, so they make none either.
    pub dropped: Vec<(u64, u64)>,
}

/// An importer that reads its input line by line through a [`lines::LineReader`] it owns: the chunk-feeding
/// plumbing is here once.
pub trait LineImporter {
    fn reader(&mut self) -> &mut lines::LineReader;
    fn on_line(&mut self, line: lines::Line<'_>, sink: &mut Sink);

    /// Feed a chunk: every complete line goes to [`LineImporter::on_line`].
    fn feed(&mut self, chunk: &[u8], sink: &mut Sink) {
        let mut reader = std::mem::take(self.reader());
        reader.push(chunk, &mut |l| self.on_line(l, sink));
        *self.reader() = reader;
    }

    /// End of input: a last line without a line break goes to [`LineImporter::on_line`] too.
    fn feed_end(&mut self, sink: &mut Sink) {
        let mut reader = std::mem::take(self.reader());
        reader.finish(&mut |l| self.on_line(l, sink));
        *self.reader() = reader;
    }
}

/// The text of a trace line from its bytes as they are in the file (`encoding`): the text after the line's
/// prefix, then each line that continues it. `None` when the bytes are not a trace line of that shape (the file
/// changed since it was read).
pub fn trace_text(bytes: &[u8], encoding: lines::Encoding, shape: trace::Shape) -> Option<String> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut reader = lines::LineReader::resume(encoding, 0, 0);
    let mut take = |l: lines::Line<'_>| lines.push(l.text.to_vec());
    reader.push(bytes, &mut take);
    reader.finish(&mut take);
    let (first, rest) = lines.split_first()?;
    let head: &[u8] = match shape {
        trace::Shape::UccApi => uccapi::parse_prefix(first)?.text,
        trace::Shape::Sbc(p) => siptext::vendor::line_text(p, first),
        trace::Shape::Server => {
            let t = cls::parse_header(first)?.text;
            // The record's number (`[3151890001]`) says nothing to a reader.
            match t.strip_prefix(b"[").and_then(|r| r.split_last()) {
                Some((b']', n)) if n.iter().all(u8::is_ascii_digit) => b"",
                _ => t,
            }
        }
    };
    let mut out = String::from_utf8_lossy(head).trim_end().to_string();
    for l in rest {
        let l = match shape {
            trace::Shape::Server => {
                let t = l.trim_ascii_end();
                t.strip_suffix(b"$$end_record")
                    .unwrap_or(t)
                    .trim_ascii_end()
            }
            trace::Shape::UccApi | trace::Shape::Sbc(_) => l.as_slice(),
        };
        if l.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(String::from_utf8_lossy(l).trim_end());
    }
    Some(out)
}

/// How many bytes detection looks at before deciding.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// Decide the format from the first bytes of a file. `complete` says `head` is the whole file.
///
/// The decision reads exactly the first [`SNIFF_BYTES`] (or the whole file when it is shorter) and nothing
/// else, so it cannot depend on how the file arrives in chunks: until that much is there, it is
/// [`Format::Pending`].
pub fn detect(head: &[u8], complete: bool) -> (Format, Option<Diagnostic>) {
    if head.len() < SNIFF_BYTES && !complete {
        return (Format::Pending, None);
    }
    let whole = head.len() <= SNIFF_BYTES;
    let head = &head[..head.len().min(SNIFF_BYTES)];
    match pcap::CaptureImporter::sniff(head) {
        Some(pcap::CaptureKind::Pcap) => return (Format::Pcap, None),
        Some(pcap::CaptureKind::PcapNg) => return (Format::PcapNg, None),
        Some(pcap::CaptureKind::NetMon) => return (Format::NetMon, None),
        None => {}
    }
    match archive::sniff(head) {
        Some(archive::Kind::Gzip) => return (Format::Gzip, None),
        Some(archive::Kind::Zip) => return (Format::Zip, None),
        None => {}
    }
    let enc = lines::Encoding::sniff(head);
    let mut reader = lines::LineReader::new();
    let (mut ucc, mut server, mut sip, mut binary) = (0usize, 0usize, 0usize, 0usize);
    let mut products = [0usize; Product::ALL.len()];
    let mut probe = |l: lines::Line<'_>| {
        if cls::sniff_line(l.text) {
            server += 1;
        } else if let Some(p) = siptext::vendor::sniff_line(l.text) {
            products[Product::ALL.iter().position(|&q| q == p).unwrap_or(0)] += 1;
        } else if siptext::is_collapsed_line(l.text) {
            // A client log excerpt whose line breaks were lost (pasted from a web page): SIP text, not a log.
            sip += 1;
        } else if uccapi::parse_prefix(l.text).is_some() {
            ucc += 1;
        } else if siptext::sniff_line(l.text) {
            sip += 1;
        }
        binary += l
            .text
            .iter()
            .filter(|&&b| b == 0 || (b < 0x20 && b != b'\t' && b != 0x0C))
            .count();
    };
    // Whole lines in the first SNIFF_BYTES decide (a last line without its end counts only when the file ends
    // there); a 4 MiB first chunk is not probed whole.
    reader.push(head, &mut probe);
    if whole {
        reader.finish(&mut probe);
    }
    if server > 0 && server >= ucc {
        return (Format::ServerTrace, None);
    }
    if ucc > 0 {
        return (Format::UccApiLog, None);
    }
    // A product's log: the product most of its lines show (the first listed on a tie).
    let (best, &count) = products
        .iter()
        .enumerate()
        .max_by_key(|&(i, n)| (n, std::cmp::Reverse(i)))
        .unwrap_or((0, &0));
    if count > 0 {
        return (Format::SbcLog(Product::ALL[best]), None);
    }
    if sip > 0 {
        return (Format::SipText, None);
    }
    if matches!(enc, lines::Encoding::Utf8)
        && (binary * 20 > head.len() || head.iter().take(4096).any(|&b| b == 0))
    {
        return (
            Format::Unknown,
            Some(Diagnostic::error(Code::BinaryInput,
                "This is a binary file, not a log sipscope can read. Drop a Skype for Business client log (Lync-UccApi-0.UccApilog), a server SIPStack trace saved as text, a pcap/pcapng capture, or SIP messages as text. An .etl trace (server CLS or OCSLogger) must be converted to text first: Search-CsClsLogging -OutputFilePath trace.txt, or open it in Snooper and save it as text.",
            )),
        );
    }
    (
        Format::Unknown,
        Some(Diagnostic::error(Code::UnknownFormat,
            "No SIP messages found: this text has neither UccApiLog packet lines, server trace records, nor SIP start lines (e.g. \"INVITE sip:… SIP/2.0\", \"SIP/2.0 200 OK\").",
        )),
    )
}

/// A streaming importer for one file, chosen by [`detect`].
#[derive(Debug)]
pub enum Importer {
    UccApi(uccapi::UccApiImporter),
    Server(Box<cls::ClsImporter>),
    Capture(pcap::CaptureImporter),
    SipText(siptext::SipTextImporter),
    /// Input that yields nothing; bytes are counted and dropped.
    Nothing,
}

impl Importer {
    pub fn new(format: Format, file: u32) -> Importer {
        match format {
            Format::UccApiLog => Importer::UccApi(uccapi::UccApiImporter::new(file)),
            Format::ServerTrace => Importer::Server(Box::new(cls::ClsImporter::new(file))),
            Format::Pcap | Format::PcapNg | Format::NetMon => {
                Importer::Capture(pcap::CaptureImporter::new(file))
            }
            Format::SipText => Importer::SipText(siptext::SipTextImporter::new(file)),
            Format::SbcLog(p) => Importer::SipText(siptext::SipTextImporter::with_product(file, p)),
            _ => Importer::Nothing,
        }
    }

    /// The importer of a piece of a file ([`split`]): the piece's first byte is at `offset` and follows line
    /// `line`; `offset` 0 is the file's first piece, read as a whole file is.
    pub fn resume(format: Format, file: u32, offset: u64, line: u32) -> Importer {
        if offset == 0 {
            return Importer::new(format, file);
        }
        let lines = lines::LineReader::resume(lines::Encoding::Utf8, offset, line);
        match format {
            Format::UccApiLog => Importer::UccApi(uccapi::UccApiImporter::resume(file, lines)),
            Format::ServerTrace => {
                Importer::Server(Box::new(cls::ClsImporter::resume(file, lines)))
            }
            _ => Importer::Nothing,
        }
    }

    /// The piece ends at `at`, where the next piece's first record begins: what is open is closed as that
    /// record's first line would close it.
    pub fn end_piece(&mut self, at: u64, sink: &mut Sink) {
        match self {
            Importer::UccApi(i) => i.end_piece(at, sink),
            Importer::Server(i) => i.end_piece(sink),
            _ => {}
        }
    }

    /// Go on with the importer of the next piece, which read the bytes after this one's: the result finishes
    /// the file as one importer over all of it would.
    pub fn then(self, later: Importer) -> Importer {
        match (self, later) {
            (Importer::UccApi(a), Importer::UccApi(b)) => Importer::UccApi(a.then(b)),
            (Importer::Server(a), Importer::Server(b)) => Importer::Server(Box::new(a.then(*b))),
            (_, later) => later,
        }
    }

    /// The text encoding of a file read line by line, once known, and the shape of its trace lines.
    pub fn trace_shape(&mut self) -> Option<(lines::Encoding, trace::Shape)> {
        match self {
            Importer::UccApi(i) => Some((i.reader().encoding()?, trace::Shape::UccApi)),
            Importer::Server(i) => Some((i.reader().encoding()?, trace::Shape::Server)),
            Importer::SipText(i) => {
                let product = i.product()?;
                Some((i.reader().encoding()?, trace::Shape::Sbc(product)))
            }
            _ => None,
        }
    }

    pub fn push(&mut self, chunk: &[u8], sink: &mut Sink) {
        match self {
            Importer::UccApi(i) => i.push(chunk, sink),
            Importer::Server(i) => i.push(chunk, sink),
            Importer::Capture(i) => i.push(chunk, sink),
            Importer::SipText(i) => i.push(chunk, sink),
            Importer::Nothing => {}
        }
    }

    pub fn finish(&mut self, sink: &mut Sink) {
        match self {
            Importer::UccApi(i) => i.finish(sink),
            Importer::Server(i) => i.finish(sink),
            Importer::Capture(i) => i.finish(sink),
            Importer::SipText(i) => i.finish(sink),
            Importer::Nothing => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cut_out_of_the_bytes() {
        let ucc =
            b"03/30/2018|10:57:58.355 2738:1B4C ERROR :: CUccX::Y - failed\r\n  detail line\r\n";
        assert_eq!(
            trace_text(ucc, lines::Encoding::Utf8, trace::Shape::UccApi).as_deref(),
            Some("CUccX::Y - failed\n  detail line")
        );
        let cls = b"TL_WARN(TF_CONNECTION) [FE01\\FE01]0A3C.1B2C::03/30/2018-01:57:42.080.0001C44F (SIPStack,A::B:a.cpp(160))[31] $$begin_record\r\nLogType: connection\r\nText: timed out\r\n$$end_record\r\n";
        assert_eq!(
            trace_text(cls, lines::Encoding::Utf8, trace::Shape::Server).as_deref(),
            Some("LogType: connection\nText: timed out")
        );
        // Bytes that are not a trace line (the file changed): no text.
        assert_eq!(
            trace_text(
                b"Via: SIP/2.0/TLS x\r\n",
                lines::Encoding::Utf8,
                trace::Shape::UccApi
            ),
            None
        );
        // UTF-16LE, as a UTF-16 log holds it.
        let wide: Vec<u8> = "04/03/2018|09:00:00.000 1EC:1F0 INFO  :: 출장 중\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(
            trace_text(&wide, lines::Encoding::Utf16Le, trace::Shape::UccApi).as_deref(),
            Some("출장 중")
        );
    }
}
