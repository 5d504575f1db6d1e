//! Reading a file inside an archive again: from restart points saved while it was unpacked (zran's way).
//!
//! A message of a gzipped log or of a log in a zip is read back like any other (`Text::File` of the entry's
//! file id), but its bytes are not in a file the shell can read: they come out of the archive's compressed
//! stream. While the analysis unpacks an entry it saves a restart point every [`EVERY`] bytes of output: a
//! snapshot of the archive reader (its inflater's 32 KiB window and state, ~45 KB) and the archive offset to
//! feed it from. A read of an entry's bytes at offset `x` starts from the last point at or before `x` and
//! inflates forward; the reader is kept after the read, so a pass in order (search, lifelines, exports) goes
//! on where the last read stopped and inflates the entry once. An entry's first point is its header: a fresh
//! reader at the header's offset. An archive inside an archive reads its compressed bytes the same way, from
//! the outer entry.
//!
//! [`Unpacked`] wraps the shell's [`Source`]: files the user gave go straight to it.

use super::text::Source;
use crate::base::fxhash::FxMap;
use crate::import::archive::{Event, Kind, Reader};
use std::cell::RefCell;
use std::rc::Rc;

/// Entry bytes between two restart points: a read far from the last one inflates at most this much before it
/// reaches its bytes (about 10 ms natively, 40 ms in the page), and each point costs ~45 KB.
pub const EVERY: u64 = 2 << 20;

/// Archive bytes fed to a reader at once while reading an entry again.
const FEED: usize = 256 << 10;

struct Point {
    /// Entry bytes before this point.
    out: u64,
    reader: Reader,
}

/// A reader going through an entry, and where it is.
struct Cursor {
    out: u64,
    reader: Reader,
    /// The entry's own Begin was seen (a reader restarted at the header sees it first).
    begun: bool,
}

struct Entry {
    /// The file the entry's compressed bytes are in (an archive the user gave, or an entry of one).
    container: u32,
    points: Vec<Point>,
    /// The reader of the last read, to go on from.
    cursor: Option<Cursor>,
}

/// The shell's source, and the archive entries read again from restart points.
pub struct Unpacked {
    source: Rc<dyn Source>,
    entries: RefCell<FxMap<u32, Entry>>,
}

impl std::fmt::Debug for Unpacked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unpacked")
            .field("entries", &self.entries.borrow().len())
            .field("points", &self.points())
            .finish()
    }
}

impl Unpacked {
    pub fn new(source: Rc<dyn Source>) -> Unpacked {
        Unpacked {
            source,
            entries: RefCell::default(),
        }
    }

    /// File `file` is an entry of archive file `container` (format `kind`) whose header is at `at` there.
    pub fn begin(&self, file: u32, container: u32, kind: Kind, at: u64) {
        self.entries.borrow_mut().insert(
            file,
            Entry {
                container,
                points: vec![Point {
                    out: 0,
                    reader: Reader::restart(kind, at),
                }],
                cursor: None,
            },
        );
    }

    /// Entry `file` has `out` bytes so far and the archive's reader is `reader`: a restart point, when the
    /// last one is [`EVERY`] bytes behind.
    pub fn reached(&self, file: u32, out: u64, reader: &Reader) {
        if let Some(e) = self.entries.borrow_mut().get_mut(&file) {
            if e.points.last().is_some_and(|p| out >= p.out + EVERY) {
                e.points.push(Point {
                    out,
                    reader: reader.snapshot(),
                });
            }
        }
    }

    /// Whether file `file` is an archive entry read again from restart points.
    pub fn is_entry(&self, file: u32) -> bool {
        self.entries.borrow().contains_key(&file)
    }

    /// Restart points saved (for tests and measurements).
    pub fn points(&self) -> usize {
        self.entries.borrow().values().map(|e| e.points.len()).sum()
    }

    /// Entry `file`'s bytes `offset .. offset + len` into `into` (fewer at the entry's end).
    fn read_entry(&self, file: u32, offset: u64, len: usize, into: &mut Vec<u8>) -> bool {
        // Take the cursor out (or start one from a restart point): the read below may read the container
        // through `self` again, for an archive inside an archive.
        let (container, mut cursor) = {
            let mut entries = self.entries.borrow_mut();
            let Some(e) = entries.get_mut(&file) else {
                return false;
            };
            let near = e
                .cursor
                .as_ref()
                .is_some_and(|c| c.out <= offset && offset - c.out < EVERY);
            let cursor = match e.cursor.take() {
                Some(c) if near => c,
                _ => {
                    let at = e.points.partition_point(|p| p.out <= offset).max(1) - 1;
                    let p = &e.points[at];
                    Cursor {
                        out: p.out,
                        reader: p.reader.snapshot(),
                        begun: p.out > 0,
                    }
                }
            };
            (e.container, cursor)
        };
        into.clear();
        let end = offset.saturating_add(len as u64);
        let (mut events, mut diags) = (Vec::new(), Vec::new());
        let mut input = Vec::new();
        // `ended`: the entry's End was seen; `eof`: the archive ended (what the reader held came out).
        let (mut ended, mut eof) = (false, false);
        while cursor.out < end && !ended && !eof {
            if !cursor.reader.pump(&mut events, &mut diags) && events.is_empty() {
                // It needs input: the archive from where what it was fed ends.
                if !self.read(container, cursor.reader.fed(), FEED, &mut input) {
                    return false;
                }
                if input.is_empty() {
                    cursor.reader.finish(&mut events, &mut diags);
                    eof = true;
                } else {
                    cursor.reader.feed(&input);
                }
            }
            for e in events.drain(..) {
                match e {
                    Event::Begin { .. } if !cursor.begun => cursor.begun = true,
                    Event::Begin { .. } | Event::End => ended = true,
                    Event::Data(d) if !ended => {
                        let (from, to) = (cursor.out, cursor.out + d.len() as u64);
                        if to > offset && from < end {
                            let a = offset.saturating_sub(from) as usize;
                            let b = (end.min(to) - from) as usize;
                            into.extend_from_slice(&d[a..b]);
                        }
                        cursor.out = to;
                    }
                    Event::Data(_) => {}
                }
            }
            diags.clear();
        }
        if !ended && !eof {
            if let Some(e) = self.entries.borrow_mut().get_mut(&file) {
                e.cursor = Some(cursor);
            }
        }
        true
    }
}

impl Source for Unpacked {
    fn read(&self, file: u32, offset: u64, len: usize, into: &mut Vec<u8>) -> bool {
        if self.is_entry(file) {
            self.read_entry(file, offset, len, into)
        } else {
            self.source.read(file, offset, len, into)
        }
    }
}
