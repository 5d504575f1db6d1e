//! SIP text importer: SIP messages pasted or saved as plain text (CRLF or LF), framed by start lines,
//! blank lines and Content-Length. Text before the first start line is not SIP and is skipped.

use super::lines::{Line, LineReader};
use super::{Direction, Record, Sink};
use crate::diag::Diagnostic;
use crate::sip::{framing, parser};

/// One run of lines that starts with a SIP start line.
#[derive(Debug, Default)]
struct Block {
    text: Vec<u8>,
    start: u64,
    end: u64,
    line: u32,
    /// Line numbers of the block's lines, for locating messages framed inside it.
    line_offsets: Vec<(usize, u32)>,
}

/// Streaming importer for SIP text.
#[derive(Debug)]
pub struct SipTextImporter {
    file: u32,
    lines: LineReader,
    block: Option<Block>,
    skipped_before: u32,
    /// The previous line was empty (a new message may start on a start line only after a blank line or at the top).
    after_blank: bool,
    messages: u32,
}

impl SipTextImporter {
    pub fn new(file: u32) -> Self {
        SipTextImporter {
            file,
            lines: LineReader::new(),
            block: None,
            skipped_before: 0,
            after_blank: true,
            messages: 0,
        }
    }

    pub fn push(&mut self, chunk: &[u8], sink: &mut Sink) {
        let mut lines = std::mem::take(&mut self.lines);
        lines.push(chunk, &mut |l| self.line(l, sink));
        self.lines = lines;
    }

    pub fn finish(&mut self, sink: &mut Sink) {
        let mut lines = std::mem::take(&mut self.lines);
        lines.finish(&mut |l| self.line(l, sink));
        self.lines = lines;
        if let Some(b) = self.block.take() {
            self.flush(b, sink);
        }
        if self.messages == 0 {
            sink.diagnostics
                .push(Diagnostic::error("No SIP message found in this text.").in_file(self.file));
        }
    }

    fn line(&mut self, l: Line<'_>, sink: &mut Sink) {
        let starts = parser::is_start_line(l.text);
        if starts && (self.after_blank || self.block.is_none()) {
            if let Some(b) = self.block.take() {
                self.flush(b, sink);
            }
            self.block = Some(Block {
                start: l.start,
                line: l.number,
                ..Block::default()
            });
        }
        self.after_blank = l.text.iter().all(u8::is_ascii_whitespace);
        match self.block.as_mut() {
            Some(b) => {
                b.line_offsets.push((b.text.len(), l.number));
                b.text.extend_from_slice(l.text);
                if l.terminated {
                    b.text.extend_from_slice(b"\r\n");
                }
                b.end = l.end;
            }
            None => self.skipped_before += 1,
        }
    }

    fn flush(&mut self, b: Block, sink: &mut Sink) {
        for f in framing::frame_block(&b.text) {
            let line = b
                .line_offsets
                .iter()
                .take_while(|(off, _)| *off <= f.range.start)
                .last()
                .map_or(b.line, |&(_, n)| n);
            let mut sip = b.text.get(f.range.clone()).unwrap_or(&[]).to_vec();
            // Trailing blank lines separate messages in text; they are not part of the message.
            while sip.ends_with(b"\r\n\r\n\r\n") {
                sip.truncate(sip.len() - 2);
            }
            self.messages += 1;
            sink.records.push(Record {
                sip,
                time: None,
                src: None,
                dst: None,
                direction: Direction::Unknown,
                span: (b.start, b.end),
                line,
                problems: f.problems,
            });
        }
    }
}
