//! Where each message's text is, and reading it back: the analysis keeps byte positions, not text.
//!
//! A message logged verbatim in a file the user gave (a client log's packet, SIP text) is a [`Text::File`]:
//! offset and length in that file, read back through the shell's [`Source`] when a view asks (the CLI reads the
//! file; the page's worker reads the `File` with `FileReaderSync`). Text the importer had to rebuild (a server
//! trace's records, TCP streams of a capture, UTF-16 logs, lines with prefixes, archive entries) is appended to
//! one arena, a [`Text::Kept`]. Without a source (tests, inputs held in memory) every text is kept.
//!
//! Reads go through a one-block cache per file ([`BLOCK`] bytes), so a pass over the messages in order reads
//! each file in large slices, and the last parsed messages are kept ([`PARSED`]) for the views that ask for the
//! same message several times in a row.

use crate::base::diag::{Code, Problem};
use crate::base::intern::Interner;
use crate::flow::Brief;
use crate::import::InFile;
use crate::sip::Message;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// Reads the bytes of the files the user gave. The shells implement it; the core does no I/O.
pub trait Source {
    /// Replace `into`'s contents with up to `len` bytes of file `file` from `offset` (fewer at the end of the
    /// file); `false` when the file cannot be read. `into` is the reader's own buffer, reused from read to
    /// read: fresh memory for every block costs more than reading it.
    fn read(&self, file: u32, offset: u64, len: usize, into: &mut Vec<u8>) -> bool;
}

/// Files held in memory as a [`Source`] (tests, the fuzz harness, inputs that are already bytes).
#[derive(Debug, Clone, Default)]
pub struct MemorySource(pub Vec<Vec<u8>>);

impl Source for MemorySource {
    fn read(&self, file: u32, offset: u64, len: usize, into: &mut Vec<u8>) -> bool {
        let Some(bytes) = self.0.get(file as usize) else {
            return false;
        };
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        into.clear();
        into.extend_from_slice(&bytes[start..(start.saturating_add(len)).min(bytes.len())]);
        true
    }
}

/// A 32-bit digest of a text (XXH3): what reading back compares to be sure it read the same bytes. Every
/// message's whole text is digested at import, so it must be fast on long inputs: XXH3 takes several bytes per
/// cycle where FxHash, one multiply after another, took eight bytes per multiply.
pub fn check(bytes: &[u8]) -> u32 {
    let v = xxhash_rust::xxh3::xxh3_64(bytes);
    (v ^ (v >> 32)) as u32
}

/// Bytes of one arena chunk.
pub const ARENA_CHUNK: usize = 4 << 20;

/// Bytes read from a file at once when reading on from the last read: a pass in order makes one read per block,
/// not one per message.
pub const BLOCK: usize = 1 << 20;
/// Bytes read for a message far from the last read: a jump (a view of one message, the messages of one
/// endpoint across a big trace) reads little, so that many jumps do not read the whole file again and again
/// (in the page every read is a round trip through `FileReaderSync`).
pub const JUMP: usize = 16 << 10;
/// Parsed messages kept for repeated requests.
pub const PARSED: usize = 32;

/// Where one message's text is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Text {
    /// In file `file` of the analysis, where `at` says (`len` bytes in all); `check` is [`check`] of the
    /// text, so a file that changed since (a client log rotated over) is noticed, not misread.
    File {
        file: u32,
        at: InFile,
        len: u32,
        check: u32,
    },
    /// In the analysis's own arena: `len` bytes at `at` in chunk `chunk`.
    Kept { chunk: u32, at: u32, len: u32 },
}

impl Text {
    /// Bytes of the text.
    pub fn bytes(&self) -> u32 {
        match *self {
            Text::File { len, .. } | Text::Kept { len, .. } => len,
        }
    }
}

#[derive(Debug, Clone)]
struct Block {
    file: u32,
    start: u64,
    bytes: Vec<u8>,
}

/// The texts of an analysis: the kept arena, the source of the rest, and the read caches.
#[derive(Clone, Default)]
pub struct Texts {
    /// The arena, in chunks of [`ARENA_CHUNK`] bytes (a longer text gets a chunk of its own): it grows without
    /// ever copying what it holds, so it never holds it twice.
    kept: Vec<Vec<u8>>,
    source: Option<Rc<dyn Source>>,
    blocks: RefCell<Vec<Block>>,
    parsed: RefCell<VecDeque<(Text, Rc<Message>)>>,
}

impl std::fmt::Debug for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Texts")
            .field("kept", &self.kept_bytes())
            .field("source", &self.source.is_some())
            .finish()
    }
}

impl Texts {
    pub fn new(source: Option<Rc<dyn Source>>) -> Texts {
        Texts {
            source,
            ..Texts::default()
        }
    }

    /// Whether texts logged verbatim can be left in their files.
    pub fn has_source(&self) -> bool {
        self.source.is_some()
    }

    /// Keep `bytes` in the arena.
    pub fn keep(&mut self, bytes: &[u8]) -> Text {
        let fits = self
            .kept
            .last()
            .is_some_and(|c| c.capacity() - c.len() >= bytes.len());
        if !fits {
            self.kept
                .push(Vec::with_capacity(ARENA_CHUNK.max(bytes.len())));
        }
        let chunk = self.kept.len() - 1;
        let c = &mut self.kept[chunk];
        let at = c.len();
        c.extend_from_slice(bytes);
        Text::Kept {
            chunk: chunk as u32,
            at: at as u32,
            len: bytes.len() as u32,
        }
    }

    /// Bytes held in the arena.
    pub fn kept_bytes(&self) -> usize {
        self.kept.iter().map(Vec::len).sum()
    }

    /// A copy holding the same source and the arena's first `chunks` chunks (a preview of the first messages).
    pub fn prefix(&self, chunks: usize) -> Texts {
        Texts {
            kept: self.kept[..chunks.min(self.kept.len())].to_vec(),
            source: self.source.clone(),
            ..Texts::default()
        }
    }

    /// Up to `len` bytes of file `file` from its start, read again through the source (`None` without one).
    pub fn file_head(&self, file: u32, len: usize) -> Option<Vec<u8>> {
        let mut into = Vec::new();
        self.source
            .as_ref()?
            .read(file, 0, len, &mut into)
            .then_some(into)
    }

    /// The bytes of a text; `None` when its file cannot be read back as it was.
    pub fn bytes(&self, text: &Text) -> Option<Vec<u8>> {
        self.with_bytes(text, <[u8]>::to_vec)
    }

    /// `f` of the bytes of a text, without copying them out of the arena or the read cache (a text in two
    /// pieces is put together first).
    pub fn with_bytes<R>(&self, text: &Text, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        match *text {
            Text::Kept { chunk, at, len } => self
                .kept
                .get(chunk as usize)?
                .get(at as usize..at as usize + len as usize)
                .map(f),
            Text::File {
                file,
                at: InFile::At(offset),
                len,
                check: want,
            } => self
                .read(file, offset, len as usize, |b| {
                    (check(b) == want).then(|| f(b))
                })
                .flatten(),
            Text::File {
                file,
                ref at,
                len,
                check: want,
            } => {
                let whole = at.gather(len as usize, |offset, n, into| {
                    self.read(file, offset, n, |b| into.extend_from_slice(b))
                })?;
                (check(&whole) == want).then(|| f(&whole))
            }
        }
    }

    /// `f` of `len` bytes of file `file` from `offset` (text that is not a message's: no check to compare).
    pub fn read_at<R>(
        &self,
        file: u32,
        offset: u64,
        len: usize,
        f: impl FnOnce(&[u8]) -> R,
    ) -> Option<R> {
        self.read(file, offset, len, f)
    }

    /// `f` of `len` bytes of file `file` from `offset`, through the block cache.
    fn read<R>(&self, file: u32, offset: u64, len: usize, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        let within = |b: &Block| {
            b.file == file
                && b.start <= offset
                && offset + len as u64 <= b.start + b.bytes.len() as u64
        };
        let mut blocks = self.blocks.borrow_mut();
        if !blocks.iter().any(within) {
            // Reading on from the last read of this file, or just behind it: a block; a jump: a little.
            let near = blocks.iter().any(|b| {
                b.file == file
                    && offset + BLOCK as u64 >= b.start
                    && offset <= b.start + (b.bytes.len() + BLOCK) as u64
            });
            let want = len.max(if near { BLOCK } else { JUMP });
            // One block per file (files merged on one timeline are read side by side), its buffer reused.
            let at = match blocks.iter().position(|b| b.file == file) {
                Some(at) => at,
                None => {
                    blocks.push(Block {
                        file,
                        start: 0,
                        bytes: Vec::new(),
                    });
                    blocks.len() - 1
                }
            };
            let b = &mut blocks[at];
            b.start = offset;
            let source = self.source.as_ref()?;
            if !source.read(file, offset, want, &mut b.bytes) || b.bytes.len() < len {
                b.bytes.clear();
                return None;
            }
        }
        let b = blocks.iter().find(|b| within(b))?;
        let at = (offset - b.start) as usize;
        Some(f(&b.bytes[at..at + len]))
    }

    /// The parsed message of a text: read back, its secrets masked ([`crate::sip::secrets`]) and parsed again
    /// (the same bytes give the same message), or, when the text cannot be read, a stand-in made of what the
    /// brief kept, with a problem saying so.
    pub fn message(&self, text: &Text, brief: &Brief, syms: &Interner) -> Rc<Message> {
        if let Some((_, m)) = self.parsed.borrow().iter().find(|(t, _)| t == text) {
            return Rc::clone(m);
        }
        let parsed = self
            .bytes(text)
            .and_then(|mut b| {
                // What no view shows is masked where every view reads it (lengths and places kept).
                crate::sip::secrets::mask(&mut b);
                crate::sip::parse_message(b).ok()
            })
            .unwrap_or_else(|| stand_in(brief, syms));
        let m = Rc::new(parsed);
        let mut cache = self.parsed.borrow_mut();
        if cache.len() == PARSED {
            cache.pop_front();
        }
        cache.push_back((text.clone(), Rc::clone(&m)));
        m
    }
}

/// A message made of what the brief kept, for a text that cannot be read back.
fn stand_in(brief: &Brief, syms: &Interner) -> Message {
    let start = match (brief.method, brief.uri, brief.status) {
        (Some(m), u, _) => format!(
            "{} {} SIP/2.0",
            syms.get(m),
            u.map_or("sip:unknown", |u| syms.get(u))
        ),
        (None, _, status) => format!("SIP/2.0 {} ", status.unwrap_or(0)),
    };
    let mut text = format!("{start}\r\nCall-ID: {}\r\n", syms.get(brief.call_id));
    if let Some((n, m)) = brief.cseq {
        text.push_str(&format!("CSeq: {n} {}\r\n", syms.get(m)));
    }
    text.push_str("\r\n");
    let mut m = crate::sip::parse_message(text.clone().into_bytes()).unwrap_or_else(|_| {
        crate::sip::parse_message(b"SIP/2.0 0 \r\n\r\n".to_vec()).expect("a status line parses")
    });
    m.truncated = true;
    m.problems.push(Problem::new(
        Code::TextUnreadable,
        "This message's text could not be read back from its file (was the file changed or moved since it was opened?): only its start line, Call-ID and CSeq are shown.",
    ));
    m
}

#[cfg(test)]
mod tests {
    /// Every message keeps a `Text` and a `Msg`: their size is the analysis's memory and the cost of every pass
    /// over the messages (64-bit figures; smaller in wasm).
    #[test]
    fn per_message_records_stay_small() {
        #[cfg(target_pointer_width = "64")]
        {
            assert!(std::mem::size_of::<super::Text>() <= 48);
            assert!(std::mem::size_of::<crate::flow::Brief>() <= 80);
            assert!(std::mem::size_of::<super::super::Msg>() <= 240);
        }
    }
}
