//! Cutting a file into pieces at record boundaries, so that each piece can be imported on its own (the CLI
//! reads them on several threads) and the pieces, appended in order, give what one importer over the whole
//! file gives.
//!
//! A cut is made only before a line at which the format's importer starts afresh whatever came before: a
//! client log's packet header (`… :: Sending Packet - …` / `… :: Data Received - …`) and a server trace's
//! header line (`TL_…(TF_…) […]…::MM/DD/YYYY-…`). Such a line closes what is open, so the piece before it
//! ends by closing it the same way ([`super::Importer::end_piece`]); what a file counts over all its records
//! (server diagnostic records, skipped record kinds) is carried from piece to piece by
//! [`super::Importer::then`]. Other formats (SIP text, whose blocks and blank lines carry state; captures,
//! whose TCP streams cross any cut; archives; UTF-16 text) are not cut: [`splittable`] says no.

use super::lines::Encoding;
use super::{cls, uccapi, Format};
use memchr::memchr;

/// Whether a file of this format, whose first bytes are `head`, can be cut into pieces.
pub fn splittable(format: Format, head: &[u8]) -> bool {
    matches!(format, Format::UccApiLog | Format::ServerTrace)
        && matches!(Encoding::sniff(head), Encoding::Utf8 | Encoding::Utf8Bom)
}

/// Whether a line (without its line break) is one a piece of a file of this format may begin with.
pub fn starts_record(format: Format, line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    match format {
        Format::UccApiLog => uccapi::parse_prefix(line)
            .is_some_and(|p| uccapi::parse_packet_header(p.text).is_some()),
        Format::ServerTrace => cls::parse_header(line).is_some(),
        _ => false,
    }
}

/// A line longer than this is never a record's first line (those are a few hundred bytes): it is not held
/// whole to be looked at.
const LONGEST: usize = 64 << 10;

/// Finds the first record that begins after a given byte of a file: the first line that starts after it and
/// [`starts_record`]. Feed it the file's bytes from that byte on, in chunks of any size; the answer does not
/// depend on the chunks, so the two threads that read the pieces on either side of a cut agree on it.
#[derive(Debug)]
pub struct Cut {
    format: Format,
    /// File offset of the next byte fed.
    pos: u64,
    /// The line break that ends the line holding the first byte has been seen: lines start here on.
    started: bool,
    /// The line being read (its first [`LONGEST`] bytes), starting at `line_at`.
    line: Vec<u8>,
    line_at: u64,
    too_long: bool,
}

impl Cut {
    /// Looks for the first record that begins after byte `after`; the first byte fed is `after`.
    pub fn after(format: Format, after: u64) -> Cut {
        Cut {
            format,
            pos: after,
            started: false,
            line: Vec::new(),
            line_at: 0,
            too_long: false,
        }
    }

    /// Feed the next bytes; the offset of the record's first byte once it is found.
    pub fn push(&mut self, chunk: &[u8]) -> Option<u64> {
        let base = self.pos;
        self.pos += chunk.len() as u64;
        let mut i = 0;
        if !self.started {
            i = memchr(b'\n', chunk)? + 1;
            self.started = true;
            self.line_at = base + i as u64;
        }
        while let Some(n) = memchr(b'\n', &chunk[i..]) {
            let whole = if self.line.is_empty() && !self.too_long {
                starts_record(self.format, &chunk[i..i + n])
            } else {
                self.take(&chunk[i..i + n]);
                let found = !self.too_long && starts_record(self.format, &self.line);
                self.line.clear();
                self.too_long = false;
                found
            };
            if whole {
                return Some(self.line_at);
            }
            i += n + 1;
            self.line_at = base + i as u64;
        }
        self.take(&chunk[i..]);
        None
    }

    fn take(&mut self, bytes: &[u8]) {
        if self.line.len() + bytes.len() > LONGEST {
            self.too_long = true;
            self.line.clear();
        } else if !self.too_long {
            self.line.extend_from_slice(bytes);
        }
    }
}

/// Lines (line breaks) in a piece: the line number the next piece goes on from.
pub fn lines_in(bytes: &[u8]) -> u32 {
    // Counted in byte lanes, 255 bytes at a time (the compiler makes vector code of it: a byte loop with a
    // branch ran at 3 GB/s).
    bytes
        .chunks(255)
        .map(|c| u32::from(c.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n'))))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &[u8] = b"noise\r\n03/30/2018|10:57:58.371 2738:14E0 INFO  :: Sending Packet - 1.2.3.4:5061 (From Local Address: 5.6.7.8:5000) 20 bytes:\r\nOPTIONS sip:a SIP/2.0\r\n03/30/2018|10:57:58.371 2738:14E0 INFO  :: End of Sending Packet - 1.2.3.4:5061\r\n03/30/2018|10:57:58.400 2738:14E0 INFO  :: Data Received -1.2.3.4:5061 (To Local Address: 5.6.7.8:5000) 20 bytes:\r\n";

    fn cut(after: usize, chunk: usize) -> Option<u64> {
        let mut c = Cut::after(Format::UccApiLog, after as u64);
        LOG[after..].chunks(chunk).find_map(|b| c.push(b))
    }

    #[test]
    fn cuts_are_packet_headers_after_the_byte_whatever_the_chunks() {
        let at = |s: &[u8]| LOG.windows(s.len()).position(|w| w == s).unwrap();
        let first = at(b"03/30/2018|10:57:58.371 2738:14E0 INFO  :: Sending");
        let second = at(b"03/30/2018|10:57:58.400");
        for chunk in [1, 2, 7, 64, LOG.len()] {
            assert_eq!(cut(0, chunk), Some(first as u64));
            assert_eq!(cut(first - 1, chunk), Some(first as u64));
            assert_eq!(
                cut(first, chunk),
                Some(second as u64),
                "not the line it is in"
            );
            assert_eq!(
                cut(second, chunk),
                None,
                "the last header has no header after it"
            );
        }
    }

    #[test]
    fn only_utf8_client_logs_and_server_traces_are_cut() {
        assert!(splittable(Format::UccApiLog, b"\xEF\xBB\xBF03/30"));
        assert!(splittable(Format::ServerTrace, b"TL_INFO"));
        assert!(!splittable(Format::UccApiLog, b"\xFF\xFE0\x003\x00"));
        assert!(!splittable(Format::SipText, b"INVITE sip:a SIP/2.0"));
        assert!(!splittable(Format::Pcap, b"\xD4\xC3\xB2\xA1"));
    }
}
