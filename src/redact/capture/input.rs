//! The capture as read for redaction: its bytes, its packets with the headers the importer read in each and
//! what the redaction makes of them, and the importer's records (where each SIP message is).

use super::headers::{self, Stack};
use crate::base::fxhash::FxMap;
use crate::import::pcap::layout::Frame;
use crate::import::{InFile, Record};

#[derive(Debug)]
pub struct Capture<'a> {
    pub bytes: &'a [u8],
    pub frames: Vec<Frame>,
    /// Per frame: the headers the redaction rewrites and where its payload is.
    pub stacks: Vec<Stack>,
    pub records: Vec<Record>,
    /// Frames by where their record starts in the file (a record's `span`).
    by_span: FxMap<u64, usize>,
}

impl<'a> Capture<'a> {
    pub fn new(bytes: &'a [u8], frames: Vec<Frame>, records: Vec<Record>) -> Self {
        let mut c = Capture {
            bytes,
            stacks: Vec::with_capacity(frames.len()),
            by_span: FxMap::default(),
            frames,
            records,
        };
        for (i, f) in c.frames.iter().enumerate() {
            c.by_span.insert(f.span.0, i);
            c.stacks.push(headers::stack(c.data(i), &f.layers));
        }
        c
    }

    /// Frame `f`'s captured bytes.
    pub fn data(&self, f: usize) -> &'a [u8] {
        let frame = &self.frames[f];
        &self.bytes[frame.data_at as usize..][..frame.caplen]
    }

    /// The frame a record was read from (the one holding its first byte).
    pub fn frame_of(&self, r: &Record) -> Option<usize> {
        self.by_span.get(&r.span.0).copied()
    }

    /// A record's frame and the file offset of its first byte, when its text is the file's bytes, and where that
    /// byte is in the frame's payload.
    pub fn place(&self, r: &Record) -> Option<(usize, u64, usize)> {
        let x = match r.at.as_ref()? {
            InFile::At(x) => *x,
            InFile::Pieces(p) => p.first()?.0,
            InFile::Split { .. } => return None,
        };
        let f = self.frame_of(r)?;
        let payload = &self.stacks[f].payload;
        let start = self.frames[f].data_at + payload.start as u64;
        (start..start + payload.len() as u64)
            .contains(&x)
            .then(|| (f, x, (x - start) as usize))
    }
}
