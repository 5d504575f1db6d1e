//! Streaming line reader: bytes in chunks (UTF-8 with or without BOM, UTF-16 LE/BE with BOM) → UTF-8 lines
//! with their byte offsets in the original file and 1-based line numbers.
//!
//! Lines end at LF; a CR before the LF is dropped. A chunk boundary may fall anywhere (inside a line, inside a
//! CRLF, inside a UTF-16 code unit); the reader carries the partial tail over to the next chunk. In the UTF-8
//! case lines that lie wholly inside a chunk are handed out without copying.

use memchr::memchr;

/// The text encoding of a file, decided from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    /// Sniff the encoding from the first bytes (BOM; or NUL patterns of BOM-less UTF-16 ASCII text).
    pub fn sniff(head: &[u8]) -> Encoding {
        match head {
            [0xEF, 0xBB, 0xBF, ..] => Encoding::Utf8Bom,
            [0xFF, 0xFE, ..] => Encoding::Utf16Le,
            [0xFE, 0xFF, ..] => Encoding::Utf16Be,
            [a, 0, b, 0, ..] if a.is_ascii() && *a != 0 && b.is_ascii() && *b != 0 => {
                Encoding::Utf16Le
            }
            [0, a, 0, b, ..] if a.is_ascii() && *a != 0 && b.is_ascii() && *b != 0 => {
                Encoding::Utf16Be
            }
            _ => Encoding::Utf8,
        }
    }

    fn bom_len(self) -> usize {
        match self {
            Encoding::Utf8 => 0,
            Encoding::Utf8Bom => 3,
            Encoding::Utf16Le | Encoding::Utf16Be => 2,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
        }
    }
}

/// One line of text, without its line break.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// The line as UTF-8 bytes (invalid sequences are kept as they are in UTF-8 files).
    pub text: &'a [u8],
    /// Offset of the line's first byte in the original file.
    pub start: u64,
    /// Offset just past the line break (or the end of file for the last line).
    pub end: u64,
    /// 1-based line number.
    pub number: u32,
    /// The line ended with a line break (false only for a last line cut off at the end of the file).
    pub terminated: bool,
    /// `text` is the file's own bytes at `start` (UTF-8 files; a UTF-16 line is decoded).
    pub verbatim: bool,
}

impl Line<'_> {
    /// Where `tail` (the end of `text`, or all of it) is in the file, when the file holds exactly `tail`
    /// followed by CRLF there: an importer that copies `tail` and a CRLF copies the file's bytes unchanged.
    pub fn crlf_copy_at(&self, tail: &[u8]) -> Option<u64> {
        let skipped = self.text.len().checked_sub(tail.len())?;
        let at = self.start + skipped as u64;
        (self.verbatim && self.terminated && self.end == at + tail.len() as u64 + 2).then_some(at)
    }
}

/// Turns chunks of a file into lines. Call [`LineReader::push`] per chunk and [`LineReader::finish`] once.
#[derive(Debug)]
pub struct LineReader {
    encoding: Option<Encoding>,
    /// Bytes of an unfinished line (original encoding), starting at `carry_start`.
    carry: Vec<u8>,
    carry_start: u64,
    /// Offset of the next byte to be pushed.
    offset: u64,
    line: u32,
    /// Scratch buffer for decoded UTF-16 lines.
    decoded: Vec<u8>,
    /// The first bytes, held until the encoding can be decided.
    head: Vec<u8>,
}

impl Default for LineReader {
    fn default() -> Self {
        Self::new()
    }
}

impl LineReader {
    pub fn new() -> Self {
        LineReader {
            encoding: None,
            carry: Vec::new(),
            carry_start: 0,
            offset: 0,
            line: 0,
            decoded: Vec::new(),
            head: Vec::new(),
        }
    }

    /// A reader that goes on in the middle of a file whose encoding is known: the next byte pushed is at `offset`
    /// and follows line `line` (a piece of a file cut at a line start, read on a thread of its own).
    pub fn resume(encoding: Encoding, offset: u64, line: u32) -> Self {
        LineReader {
            encoding: Some(encoding),
            carry_start: offset,
            offset,
            line,
            ..Self::new()
        }
    }

    /// The encoding, once the first bytes have been seen.
    pub fn encoding(&self) -> Option<Encoding> {
        self.encoding
    }

    /// Feed the next chunk; `on_line` is called for every complete line.
    pub fn push(&mut self, chunk: &[u8], on_line: &mut dyn FnMut(Line<'_>)) {
        if self.encoding.is_none() {
            // The encoding is decided on the first 4 bytes (a BOM is at most 3).
            self.head.extend_from_slice(chunk);
            if self.head.len() >= 4 {
                self.start_decoding(on_line);
            }
            return;
        }
        self.push_decoded(chunk, on_line);
    }

    fn start_decoding(&mut self, on_line: &mut dyn FnMut(Line<'_>)) {
        let head = std::mem::take(&mut self.head);
        let enc = Encoding::sniff(&head);
        self.encoding = Some(enc);
        let bom = enc.bom_len().min(head.len());
        self.offset = bom as u64;
        self.carry_start = bom as u64;
        self.push_decoded(&head[bom..], on_line);
    }

    fn push_decoded(&mut self, chunk: &[u8], on_line: &mut dyn FnMut(Line<'_>)) {
        match self.encoding {
            Some(Encoding::Utf16Le) | Some(Encoding::Utf16Be) => self.push_utf16(chunk, on_line),
            _ => self.push_utf8(chunk, on_line),
        }
    }

    fn push_utf8(&mut self, chunk: &[u8], on_line: &mut dyn FnMut(Line<'_>)) {
        let base = self.offset;
        self.offset += chunk.len() as u64;
        let mut pos = 0usize;
        if !self.carry.is_empty() {
            match memchr(b'\n', chunk) {
                Some(nl) => {
                    self.carry.extend_from_slice(&chunk[..nl]);
                    let carry = std::mem::take(&mut self.carry);
                    self.line += 1;
                    on_line(Line {
                        text: strip_cr(&carry),
                        start: self.carry_start,
                        end: base + nl as u64 + 1,
                        number: self.line,
                        terminated: true,
                        verbatim: true,
                    });
                    self.carry = carry;
                    self.carry.clear();
                    pos = nl + 1;
                }
                None => {
                    self.carry.extend_from_slice(chunk);
                    return;
                }
            }
        }
        while let Some(nl) = memchr(b'\n', &chunk[pos..]) {
            let end = pos + nl;
            self.line += 1;
            on_line(Line {
                text: strip_cr(&chunk[pos..end]),
                start: base + pos as u64,
                end: base + end as u64 + 1,
                number: self.line,
                terminated: true,
                verbatim: true,
            });
            pos = end + 1;
        }
        if pos < chunk.len() {
            self.carry_start = base + pos as u64;
            self.carry.extend_from_slice(&chunk[pos..]);
        } else {
            self.carry_start = self.offset;
        }
    }

    fn push_utf16(&mut self, chunk: &[u8], on_line: &mut dyn FnMut(Line<'_>)) {
        let le = self.encoding == Some(Encoding::Utf16Le);
        self.offset += chunk.len() as u64;
        self.carry.extend_from_slice(chunk);
        let buf = std::mem::take(&mut self.carry);
        let mut line_start = 0usize;
        let mut i = 0usize;
        while i + 1 < buf.len() {
            let unit = if le {
                u16::from_le_bytes([buf[i], buf[i + 1]])
            } else {
                u16::from_be_bytes([buf[i], buf[i + 1]])
            };
            i += 2;
            if unit == u16::from(b'\n') {
                self.emit_utf16(
                    &buf[line_start..i - 2],
                    le,
                    self.carry_start + line_start as u64,
                    self.carry_start + i as u64,
                    true,
                    on_line,
                );
                line_start = i;
            }
        }
        self.carry_start += line_start as u64;
        self.carry = buf[line_start..].to_vec();
    }

    fn emit_utf16(
        &mut self,
        bytes: &[u8],
        le: bool,
        start: u64,
        end: u64,
        terminated: bool,
        on_line: &mut dyn FnMut(Line<'_>),
    ) {
        self.decoded.clear();
        decode_utf16(bytes, le, &mut self.decoded);
        self.line += 1;
        let decoded = std::mem::take(&mut self.decoded);
        on_line(Line {
            text: strip_cr(&decoded),
            start,
            end,
            number: self.line,
            terminated,
            verbatim: false,
        });
        self.decoded = decoded;
    }

    /// End of input: hands out the last line if it had no line break.
    pub fn finish(&mut self, on_line: &mut dyn FnMut(Line<'_>)) {
        if self.encoding.is_none() {
            // Fewer than 4 bytes in the whole file.
            self.start_decoding(on_line);
        }
        if self.carry.is_empty() {
            return;
        }
        let carry = std::mem::take(&mut self.carry);
        match self.encoding {
            Some(Encoding::Utf16Le) | Some(Encoding::Utf16Be) => {
                let le = self.encoding == Some(Encoding::Utf16Le);
                let even = carry.len() & !1;
                self.emit_utf16(
                    &carry[..even],
                    le,
                    self.carry_start,
                    self.offset,
                    false,
                    on_line,
                );
            }
            _ => {
                self.line += 1;
                on_line(Line {
                    text: strip_cr(&carry),
                    start: self.carry_start,
                    end: self.offset,
                    number: self.line,
                    terminated: false,
                    verbatim: true,
                });
            }
        }
    }
}

/// UTF-16 code units (little-endian when `le`; an odd last byte is left out) appended to `out` as UTF-8, a
/// unit that is not part of a character as U+FFFD.
pub fn decode_utf16(bytes: &[u8], le: bool, out: &mut Vec<u8>) {
    let units = bytes.chunks_exact(2).map(|p| {
        if le {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    });
    for c in char::decode_utf16(units) {
        let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
        let mut b = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
    }
}

fn strip_cr(line: &[u8]) -> &[u8] {
    match line.last() {
        Some(b'\r') => &line[..line.len() - 1],
        _ => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(chunks: &[&[u8]]) -> Vec<(String, u64, u64, u32)> {
        let mut r = LineReader::new();
        let mut out = Vec::new();
        for c in chunks {
            r.push(c, &mut |l| {
                out.push((
                    String::from_utf8_lossy(l.text).into_owned(),
                    l.start,
                    l.end,
                    l.number,
                ))
            });
        }
        r.finish(&mut |l| {
            out.push((
                String::from_utf8_lossy(l.text).into_owned(),
                l.start,
                l.end,
                l.number,
            ))
        });
        out
    }

    #[test]
    fn crlf_and_lf_lines_with_offsets() {
        let text = b"first\r\nsecond\nthird";
        let lines = collect(&[text]);
        assert_eq!(
            lines,
            vec![
                ("first".into(), 0, 7, 1),
                ("second".into(), 7, 14, 2),
                ("third".into(), 14, 19, 3)
            ]
        );
    }

    #[test]
    fn every_chunking_gives_the_same_lines() {
        let text = "\u{feff}03/30/2018|10:57:58.371 2738:14E0 INFO  :: hello\r\nSIP/2.0 200 OK\r\n\r\n회의 중\r\nlast".as_bytes();
        let whole = collect(&[text]);
        assert_eq!(whole[0].1, 3, "BOM skipped, offsets still count it");
        assert_eq!(whole[3].0, "회의 중");
        for cut in 0..=text.len() {
            for cut2 in cut..=text.len() {
                let parts = collect(&[&text[..cut], &text[cut..cut2], &text[cut2..]]);
                assert_eq!(parts, whole, "cuts at {cut}, {cut2}");
            }
        }
    }

    #[test]
    fn utf16_files_are_decoded_with_original_offsets() {
        let text = "REGISTER sip:limcm.com SIP/2.0\r\nSubject: 회의\r\n";
        for le in [true, false] {
            let mut bytes = if le {
                vec![0xFF, 0xFE]
            } else {
                vec![0xFE, 0xFF]
            };
            for u in text.encode_utf16() {
                bytes.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
            }
            let whole = collect(&[&bytes]);
            assert_eq!(whole.len(), 2);
            assert_eq!(whole[0].0, "REGISTER sip:limcm.com SIP/2.0");
            assert_eq!(whole[0].1, 2);
            assert_eq!(whole[0].2, 2 + 2 * 32);
            assert_eq!(whole[1].0, "Subject: 회의");
            for cut in 0..bytes.len() {
                assert_eq!(
                    collect(&[&bytes[..cut], &bytes[cut..]]),
                    whole,
                    "cut at {cut}"
                );
            }
        }
    }

    #[test]
    fn tiny_files() {
        assert_eq!(collect(&[b""]), vec![]);
        assert_eq!(collect(&[b"a"]), vec![("a".into(), 0, 1, 1)]);
        assert_eq!(collect(&[b"\xEF\xBB\xBF"]), vec![]);
        assert_eq!(collect(&[b"a\n"]), vec![("a".into(), 0, 2, 1)]);
    }
}
