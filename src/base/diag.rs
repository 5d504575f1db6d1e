//! Diagnostics: every problem met while importing or analysing, with a severity, a kind ([`Code`]) and a place, never
//! a panic. [`Problem`] is the same kind plus text for one message, before it has a place.

use serde::Serialize;

/// How bad a problem is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing, nothing was lost (e.g. "log starts inside a packet, fragment skipped" is a warning, not info).
    Info,
    /// Something could not be read completely; what could be read is still shown.
    Warning,
    /// Input that could not be used at all (unsupported format, binary junk).
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The lower-case name; width and alignment apply (`{:7}`).
impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// What kind of problem a [`Diagnostic`] or a [`Problem`] is: code decides by this, never by the text (which is
/// for people and may change). Serialized in kebab-case (`content-length-mismatch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    // The input as a whole.
    /// A binary file that is no log sipscope reads.
    BinaryInput,
    /// A text in none of the known formats: no packet lines, server trace records or SIP start lines.
    UnknownFormat,
    /// A file of a known format holds no SIP message at all.
    NoSipMessages,
    /// An entry of the log is not a SIP message (its first line is no request or status line, …).
    NotSip,

    // Entries of a log (client log packets, server trace records, blocks of SIP text).
    /// The log starts inside an entry: lines whose beginning is not in the file were skipped.
    FragmentAtStart,
    /// The log ends inside an entry: the fragment is not shown as a message.
    FragmentAtEnd,
    /// An entry cut off without its end and with incomplete SIP text: not shown as a message.
    IncompleteEntry,
    /// An end line or SIP start line outside any entry; ignored.
    StrayLine,
    /// An entry without its end marker (`End of packet`, `$$end_record`): the message may be incomplete.
    NoEndMarker,
    /// An entry larger than the importer keeps: its end was dropped or it was cut.
    EntryTooLarge,
    /// A client log packet header announces another size than the log holds.
    PacketSizeMismatch,
    /// Server trace records that are not SIP messages (counted by kind); skipped.
    SkippedRecords,
    /// A server trace protocol record without a usable Start-Line; skipped.
    BadProtocolRecord,
    /// A server trace record with a missing or unknown Direction: the message has no direction.
    UnknownDirection,
    /// A diagnostic record the server itself wrote (`LogType: diagnostic`).
    ServerDiagnostic,
    /// A message rebuilt from text whose line breaks were lost.
    LostLineBreaks,
    /// Bytes before a message that are not SIP were skipped.
    SkippedText,
    /// A log writes some times without their date or year (a time of day, BSD syslog): a stand-in is shown.
    MissingDate,

    // One SIP message.
    /// The message is cut off: the header section or the body is incomplete.
    TruncatedMessage,
    /// The body is longer or shorter than Content-Length says.
    ContentLengthMismatch,
    /// Content-Length is not a number, is given more than once with different values, or is too large.
    BadContentLength,
    /// The header section does not end with a blank line before the body or the next message.
    NoBlankLine,
    /// A second start line among the headers; the rest is kept as the body.
    SecondStartLine,
    /// A line in the header section that is not a header (or a continuation of none).
    MalformedHeaderLine,
    /// A start line that was read but is not well-formed (whitespace in the Request-URI, not SIP/2.0).
    BadStartLine,
    /// Bytes that are not valid UTF-8 in the start line or a header.
    InvalidUtf8,
    /// A request or response without a Call-ID header.
    MissingCallId,
    /// A CSeq that is not `number METHOD`, or whose method is not the request's.
    BadCseq,

    // The flow.
    /// A request that expects a final response got none in the log.
    NoFinalResponse,

    // Captures (pcap, pcapng).
    /// The capture file is damaged; the rest of it was not read.
    CaptureDamaged,
    /// The capture file is cut off; the last packet is missing.
    CaptureCutOff,
    /// The capture has no file header.
    CaptureEmpty,
    /// pcapng blocks that are malformed, or packets naming an interface the file does not describe; skipped.
    CaptureBadBlock,
    /// Packets of a link type sipscope does not read, or nesting tunnels too deeply; skipped.
    CaptureUnsupported,
    /// Packets cut short by the capture's snapshot length.
    CaptureSnaplen,
    /// Packets or frames with a malformed header (link, IP, TCP, UDP, SCTP, GRE, WebSocket, IP fragment); skipped.
    CaptureMalformed,
    /// Fragmented IP datagrams or SCTP user messages that could not be put back together.
    CaptureReassembly,
    /// Bytes of a TCP stream missing from the capture, or segments far outside the stream; skipped.
    CaptureGap,
    /// TCP streams that started before the capture did; bytes before the first SIP start line skipped.
    CaptureMidStream,
    /// A TLS connection: encrypted, the SIP inside cannot be read.
    TlsConnection,
    /// A TLS connection's records matched to the messages a client log holds decrypted.
    TlsRecordsMatched,
    /// A capture's TLS records fit none of a client log's messages.
    TlsRecordsUnmatched,
    /// A WebSocket connection that compresses its messages: the SIP inside cannot be read.
    WebsocketCompressed,

    // Archives (zip, gzip).
    /// The archive ends early: it is cut off or damaged.
    ArchiveCutOff,
    /// A zip archive that holds no file sipscope could read.
    ArchiveEmpty,
    /// Damaged archive data (a compressed stream, an entry header, not gzip at all); the rest is skipped.
    ArchiveDamaged,
    /// An encrypted archive entry; skipped.
    ArchiveEncrypted,
    /// An archive entry compressed by a method sipscope cannot unpack; skipped.
    ArchiveUnsupported,
    /// An archive inside archives deeper than [`crate::import::archive::MAX_DEPTH`] levels; not opened.
    ArchiveTooDeep,
    /// An archive that unpacks to more than [`crate::import::archive::MAX_RATIO`] times its size (a
    /// decompression bomb); unpacking stopped there.
    ArchiveBomb,
    /// An archive with more than [`crate::import::archive::MAX_ENTRIES`] files; the rest are skipped.
    ArchiveTooManyEntries,

    // Reading back.
    /// A message's text could not be read back from its file (the file changed or went away after it was
    /// analyzed): what the analysis kept of it (start line, Call-ID, CSeq) is shown instead.
    TextUnreadable,
}

/// A problem with one message (import framing or parsing): what kind it is, and a sentence for people. The
/// message detail (`view`) still shows problems as their text; each also becomes a [`Diagnostic`] with its code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Problem {
    pub code: Code,
    pub text: String,
}

impl Problem {
    pub fn new(code: Code, text: impl Into<String>) -> Self {
        Problem {
            code,
            text: text.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// One problem, located in a file (by index into `Analysis::files`) and a 1-based line when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// What kind of problem it is: for code (and filters) to decide by.
    pub code: Code,
    /// The sentence for people.
    pub message: String,
    /// Index into the analysis' file list.
    pub file: Option<u32>,
    /// 1-based line number in that file.
    pub line: Option<u32>,
    /// Index of the message this diagnostic is about, when it is about one.
    pub msg: Option<u32>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            file: None,
            line: None,
            msg: None,
        }
    }
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }
    pub fn info(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Info, code, message)
    }
    pub fn at(mut self, file: u32, line: u32) -> Self {
        self.file = Some(file);
        self.line = Some(line);
        self
    }
    pub fn in_file(mut self, file: u32) -> Self {
        self.file = Some(file);
        self
    }
    pub fn about(mut self, msg: u32) -> Self {
        self.msg = Some(msg);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_in_kebab_case() {
        let d = Diagnostic::warning(Code::ContentLengthMismatch, "body has 3 bytes").at(0, 7);
        assert_eq!(
            serde_json::to_value(d.code).unwrap(),
            "content-length-mismatch"
        );
        assert_eq!(d.severity.as_str(), "warning");
        assert_eq!(d.message, "body has 3 bytes");
        for (code, name) in [
            (Code::InvalidUtf8, "invalid-utf8"),
            (Code::TlsConnection, "tls-connection"),
            (Code::CaptureCutOff, "capture-cut-off"),
            (Code::NotSip, "not-sip"),
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), name);
        }
    }
}
