//! Archives: .gz and .zip opened as streams; every file inside becomes an input of its own, detected by content.
//!
//! Both readers are push-based like the importers: bytes in (any chunking), [`Event`]s out. gzip: one or more
//! members (RFC 1952) make one file, named by the header's FNAME or the archive's name without `.gz`. zip:
//! entries are read through their local headers in order (stored or deflated; sizes from the header, a data
//! descriptor, or zip64 extra field), so a zipped Tracing folder streams without seeking to the central
//! directory; directories are skipped, encrypted entries are reported.

use crate::base::diag::{Code, Diagnostic};
use miniz_oxide::inflate::stream::{inflate, InflateState};
use miniz_oxide::{DataFormat, MZFlush, MZStatus};

/// What an archive reader found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A file inside begins; its header is at byte `at` of the archive (where [`Reader::restart`] reads it
    /// again).
    Begin { name: String, at: u64 },
    /// Decompressed bytes of the current file.
    Data(Vec<u8>),
    /// The current file is complete.
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Gzip,
    Zip,
}

/// Which archive format the first bytes announce.
pub fn sniff(head: &[u8]) -> Option<Kind> {
    match head {
        [0x1F, 0x8B, 8, ..] => Some(Kind::Gzip),
        [b'P', b'K', 3, 4, ..] | [b'P', b'K', 5, 6, ..] => Some(Kind::Zip),
        _ => None,
    }
}

#[derive(Clone)]
enum State {
    /// gzip: waiting for a member header; zip: waiting for the next signature.
    Header,
    /// Inflating an entry; `remaining` is the compressed size when known.
    Inflate {
        remaining: Option<u64>,
        descriptor: bool,
    },
    /// Copying a stored entry.
    Stored { remaining: u64 },
    /// Skipping bytes (an encrypted or unsupported entry).
    Skip { remaining: u64 },
    /// gzip trailer (CRC-32 and size, 8 bytes) or zip data descriptor.
    Trailer,
    /// Central directory or end reached: the rest is ignored.
    Done,
}

/// A streaming archive reader.
pub struct Reader {
    kind: Kind,
    name: String,
    buf: Vec<u8>,
    pos: usize,
    /// Bytes of the archive fed so far (from where the reader started): `buf` ends there.
    fed: u64,
    /// Where the header being read began.
    header_at: u64,
    state: State,
    inflater: Box<InflateState>,
    out: Vec<u8>,
    /// A file is open (Begin sent, End not yet).
    open: bool,
    members: u32,
    entries: u32,
    /// The current zip entry ends with a data descriptor.
    zip_descriptor: bool,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("archive::Reader")
            .field("kind", &self.kind)
            .field("name", &self.name)
            .finish()
    }
}

const OUT_CHUNK: usize = 256 * 1024;

/// Archives inside archives are opened this many levels deep (a log bundle zip holding `.gz` files is two);
/// deeper ones are reported ([`Code::ArchiveTooDeep`]) and not opened.
pub const MAX_DEPTH: u32 = 3;
/// An archive (with everything nested in it) may unpack to this many times its own size, plus
/// [`RATIO_SLACK`]; past that it is a decompression bomb ([`Code::ArchiveBomb`]). Logs compress 5–30 times.
pub const MAX_RATIO: u64 = 200;
/// Bytes any archive may unpack to whatever its size.
pub const RATIO_SLACK: u64 = 64 << 20;
/// Files read from one archive; the rest are reported ([`Code::ArchiveTooManyEntries`]) and skipped.
pub const MAX_ENTRIES: u32 = 10_000;

fn u16le(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 2)
        .map_or(0, |s| u64::from(u16::from_le_bytes([s[0], s[1]])))
}

fn u32le(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 4).map_or(0, |s| {
        u64::from(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    })
}

fn u64le(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).map_or(0, |s| {
        u64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]])
    })
}

impl Reader {
    /// `name` is the archive's own file name (a gzip without FNAME is named after it).
    pub fn new(kind: Kind, name: &str) -> Reader {
        Reader {
            kind,
            name: name.to_string(),
            buf: Vec::new(),
            pos: 0,
            fed: 0,
            header_at: 0,
            state: State::Header,
            inflater: InflateState::new_boxed(DataFormat::Raw),
            out: Vec::new(),
            open: false,
            members: 0,
            entries: 0,
            zip_descriptor: false,
        }
    }

    /// A reader that starts at byte `at` of the archive, where a file's header begins (an [`Event::Begin`]'s
    /// `at`): feed it the archive from there.
    pub fn restart(kind: Kind, at: u64) -> Reader {
        Reader {
            fed: at,
            ..Reader::new(kind, "")
        }
    }

    /// Bytes of the archive fed so far, counted from its start: where the next chunk to feed begins.
    pub fn fed(&self) -> u64 {
        self.fed
    }

    /// Byte of the archive the reader reads next: what was fed and not yet used ends at `fed`.
    pub fn consumed(&self) -> u64 {
        self.fed - (self.buf.len() - self.pos) as u64
    }

    /// The reader as it is, without the input it holds: feed the copy the archive from [`Reader::consumed`]
    /// and it goes on exactly as this one would (a restart point; about 45 KB, mostly the inflater's window).
    pub fn snapshot(&self) -> Reader {
        Reader {
            kind: self.kind,
            name: self.name.clone(),
            buf: Vec::new(),
            pos: 0,
            fed: self.consumed(),
            header_at: self.header_at,
            state: self.state.clone(),
            inflater: self.inflater.clone(),
            out: Vec::new(),
            open: self.open,
            members: self.members,
            entries: self.entries,
            zip_descriptor: self.zip_descriptor,
        }
    }

    /// Take the next chunk of the archive; [`Reader::pump`] unpacks it.
    pub fn feed(&mut self, chunk: &[u8]) {
        self.fed += chunk.len() as u64;
        if self.pos > 0 && self.pos * 2 >= self.buf.len() {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// Unpack what was fed, a bounded amount at a time: stops once `events` hold [`OUT_CHUNK`] bytes of data
    /// (so a bomb never sits in memory at once) and says whether to call again; false when it needs input.
    pub fn pump(&mut self, events: &mut Vec<Event>, diags: &mut Vec<Diagnostic>) -> bool {
        let mut data = 0;
        while data < OUT_CHUNK {
            let before = events.len();
            if !self.step(events, diags) {
                return false;
            }
            data += events[before..]
                .iter()
                .map(|e| match e {
                    Event::Data(d) => d.len(),
                    _ => 0,
                })
                .sum::<usize>();
        }
        true
    }

    /// Feed and unpack all of `chunk` at once (tests and small inputs; the store pumps).
    pub fn push(&mut self, chunk: &[u8], events: &mut Vec<Event>, diags: &mut Vec<Diagnostic>) {
        self.feed(chunk);
        while self.pump(events, diags) {}
    }

    /// Stop reading: what follows is skipped (the caller found the archive unsafe to go on with).
    pub fn stop(&mut self, events: &mut Vec<Event>) {
        if self.open {
            events.push(Event::End);
            self.open = false;
        }
        self.state = State::Done;
    }

    pub fn finish(&mut self, events: &mut Vec<Event>, diags: &mut Vec<Diagnostic>) {
        while self.step(events, diags) {}
        if matches!(self.state, State::Inflate { .. }) {
            // The stream is cut off: what the inflater decoded but kept (it waits for more input before it
            // hands out the rest of its window) comes out now, so the output does not depend on how the bytes
            // arrived.
            self.out.resize(OUT_CHUNK, 0);
            loop {
                let r = inflate(&mut self.inflater, &[], &mut self.out, MZFlush::Finish);
                if r.bytes_written == 0 {
                    break;
                }
                events.push(Event::Data(self.out[..r.bytes_written].to_vec()));
            }
        }
        let cut = match self.state {
            State::Inflate { .. } | State::Stored { .. } => true,
            State::Header | State::Trailer if self.kind == Kind::Gzip => {
                self.members == 0 || self.pos < self.buf.len()
            }
            _ => false,
        };
        if self.open {
            events.push(Event::End);
            self.open = false;
        }
        if cut {
            diags.push(Diagnostic::warning(
                Code::ArchiveCutOff,
                format!(
                    "{} ends early (the archive is cut off or damaged); what was read is shown.",
                    self.name
                ),
            ));
        } else if self.kind == Kind::Zip && self.entries == 0 {
            diags.push(Diagnostic::warning(
                Code::ArchiveEmpty,
                format!("{} holds no files sipscope could read.", self.name),
            ));
        }
        self.state = State::Done;
    }

    fn avail(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    fn begin(&mut self, name: String, events: &mut Vec<Event>) {
        if self.open {
            events.push(Event::End);
        }
        events.push(Event::Begin {
            name,
            at: self.header_at,
        });
        self.open = true;
        self.entries += 1;
    }

    /// One step of the state machine; false when it needs more input.
    fn step(&mut self, events: &mut Vec<Event>, diags: &mut Vec<Diagnostic>) -> bool {
        match self.state {
            State::Done => {
                self.pos = self.buf.len();
                false
            }
            State::Header => match self.kind {
                Kind::Gzip => self.gzip_header(events, diags),
                Kind::Zip => self.zip_header(events, diags),
            },
            State::Inflate {
                remaining,
                descriptor,
            } => {
                let limit =
                    remaining.map_or(self.avail().len(), |r| (r as usize).min(self.avail().len()));
                if limit == 0 && remaining != Some(0) {
                    return false;
                }
                // The output buffer is made on first use: a snapshot holds none.
                self.out.resize(OUT_CHUNK, 0);
                let input = &self.buf[self.pos..self.pos + limit];
                let r = inflate(&mut self.inflater, input, &mut self.out, MZFlush::None);
                self.pos += r.bytes_consumed;
                if r.bytes_written > 0 {
                    events.push(Event::Data(self.out[..r.bytes_written].to_vec()));
                }
                let remaining = remaining.map(|x| x.saturating_sub(r.bytes_consumed as u64));
                match r.status {
                    Ok(MZStatus::StreamEnd) => {
                        self.inflater.reset(DataFormat::Raw);
                        if let Some(left) = remaining.filter(|&x| x > 0) {
                            // Compressed size said more than the stream used: skip the rest.
                            self.state = State::Skip { remaining: left };
                        } else {
                            self.state = State::Trailer;
                        }
                        let _ = descriptor;
                        true
                    }
                    Ok(_) => {
                        self.state = State::Inflate {
                            remaining,
                            descriptor,
                        };
                        r.bytes_consumed > 0 || r.bytes_written > 0
                    }
                    Err(_) => {
                        diags.push(Diagnostic::warning(Code::ArchiveDamaged, format!(
                            "{}: a compressed stream is damaged; the rest of this archive is skipped.",
                            self.name
                        )));
                        self.state = State::Done;
                        true
                    }
                }
            }
            State::Stored { remaining } => {
                let n = (remaining as usize).min(self.avail().len());
                if n == 0 && remaining > 0 {
                    return false;
                }
                events.push(Event::Data(self.avail()[..n].to_vec()));
                self.pos += n;
                let left = remaining - n as u64;
                self.state = if left == 0 {
                    State::Trailer
                } else {
                    State::Stored { remaining: left }
                };
                true
            }
            State::Skip { remaining } => {
                let n = (remaining as usize).min(self.avail().len());
                if n == 0 && remaining > 0 {
                    return false;
                }
                self.pos += n;
                let left = remaining - n as u64;
                self.state = if left == 0 {
                    State::Header
                } else {
                    State::Skip { remaining: left }
                };
                true
            }
            State::Trailer => self.trailer(events),
        }
    }

    fn gzip_header(&mut self, events: &mut Vec<Event>, diags: &mut Vec<Diagnostic>) -> bool {
        self.header_at = self.consumed();
        let b = self.avail();
        if b.is_empty() {
            return false;
        }
        if b.len() < 10 {
            return false;
        }
        if b[0] != 0x1F || b[1] != 0x8B || b[2] != 8 {
            // Trailing zeros or junk after the last member.
            if self.members == 0 {
                diags.push(Diagnostic::error(
                    Code::ArchiveDamaged,
                    format!("{} is not a gzip file.", self.name),
                ));
            }
            self.state = State::Done;
            return true;
        }
        let flags = b[3];
        let mut at = 10usize;
        if flags & 4 != 0 {
            if b.len() < at + 2 {
                return false;
            }
            at += 2 + u16le(b, at) as usize;
        }
        let mut fname = None;
        for bit in [8u8, 16] {
            if flags & bit != 0 {
                let Some(nul) = b.get(at..).and_then(|r| r.iter().position(|&c| c == 0)) else {
                    return false;
                };
                if bit == 8 {
                    // FNAME is ISO 8859-1.
                    fname = Some(
                        b[at..at + nul]
                            .iter()
                            .map(|&c| c as char)
                            .collect::<String>(),
                    );
                }
                at += nul + 1;
            }
        }
        if flags & 2 != 0 {
            at += 2;
        }
        if b.len() < at {
            return false;
        }
        self.pos += at;
        if self.members == 0 {
            let name = fname.unwrap_or_else(|| {
                let n = self.name.rsplit(['/', '\\']).next().unwrap_or(&self.name);
                n.strip_suffix(".gz")
                    .or_else(|| n.strip_suffix(".GZ"))
                    .unwrap_or(n)
                    .to_string()
            });
            self.begin(name, events);
        }
        self.members += 1;
        self.state = State::Inflate {
            remaining: None,
            descriptor: false,
        };
        true
    }

    fn zip_header(&mut self, events: &mut Vec<Event>, diags: &mut Vec<Diagnostic>) -> bool {
        self.header_at = self.consumed();
        let b = self.avail();
        if b.len() < 4 {
            return false;
        }
        match u32le(b, 0) {
            0x0403_4b50 => {}
            0x0201_4b50 | 0x0605_4b50 | 0x0606_4b50 => {
                // Central directory: every entry has been read.
                if self.open {
                    events.push(Event::End);
                    self.open = false;
                }
                self.state = State::Done;
                return true;
            }
            _ => {
                diags.push(Diagnostic::warning(
                    Code::ArchiveDamaged,
                    format!(
                        "{}: unexpected data where a zip entry should start; the rest is skipped.",
                        self.name
                    ),
                ));
                self.state = State::Done;
                return true;
            }
        }
        if b.len() < 30 {
            return false;
        }
        let (flags, method) = (u16le(b, 6), u16le(b, 8));
        let (mut csize, mut usize_) = (u32le(b, 18), u32le(b, 22));
        let (name_len, extra_len) = (u16le(b, 26) as usize, u16le(b, 28) as usize);
        if b.len() < 30 + name_len + extra_len {
            return false;
        }
        let name = String::from_utf8_lossy(&b[30..30 + name_len]).into_owned();
        let extra = &b[30 + name_len..30 + name_len + extra_len];
        // zip64: sizes in the extra field 0x0001.
        let mut e = 0;
        while e + 4 <= extra.len() {
            let (id, len) = (u16le(extra, e), u16le(extra, e + 2) as usize);
            if id == 1 {
                let mut f = e + 4;
                if usize_ == 0xFFFF_FFFF {
                    usize_ = u64le(extra, f);
                    f += 8;
                }
                if csize == 0xFFFF_FFFF {
                    csize = u64le(extra, f);
                }
            }
            e += 4 + len;
        }
        let _ = usize_;
        self.pos += 30 + name_len + extra_len;
        let descriptor = flags & 8 != 0;
        let known = !(descriptor && csize == 0);
        self.zip_descriptor = descriptor;
        if name.ends_with('/') {
            self.state = State::Skip {
                remaining: if known { csize } else { 0 },
            };
            return true;
        }
        if flags & 1 != 0 {
            diags.push(Diagnostic::warning(
                Code::ArchiveEncrypted,
                format!("{}: {name} is encrypted; skipped.", self.name),
            ));
            self.state = if known {
                State::Skip { remaining: csize }
            } else {
                State::Done
            };
            return true;
        }
        match method {
            0 if known => {
                self.begin(name, events);
                self.state = State::Stored { remaining: csize };
            }
            8 => {
                self.begin(name, events);
                self.state = State::Inflate {
                    remaining: known.then_some(csize),
                    descriptor,
                };
            }
            m => {
                diags.push(Diagnostic::warning(Code::ArchiveUnsupported, format!(
                    "{}: {name} uses compression method {m}, which sipscope cannot unpack; skipped.",
                    self.name
                )));
                self.state = if known {
                    State::Skip { remaining: csize }
                } else {
                    State::Done
                };
            }
        }
        true
    }

    fn trailer(&mut self, events: &mut Vec<Event>) -> bool {
        match self.kind {
            Kind::Gzip => {
                if self.avail().len() < 8 {
                    return false;
                }
                self.pos += 8;
                self.state = State::Header;
                true
            }
            Kind::Zip => {
                if self.zip_descriptor {
                    // Optional signature, CRC-32, then 4- or 8-byte sizes: take the 32-bit form unless the next
                    // signature only fits after the 64-bit one.
                    let b = self.avail();
                    if b.len() < 24 {
                        return false;
                    }
                    let sig = if u32le(b, 0) == 0x0807_4b50 { 4 } else { 0 };
                    let short = sig + 12;
                    let long = sig + 20;
                    let is_sig = |at: usize| {
                        matches!(
                            u32le(b, at),
                            0x0403_4b50 | 0x0201_4b50 | 0x0605_4b50 | 0x0606_4b50
                        )
                    };
                    self.pos += if !is_sig(short) && is_sig(long) {
                        long
                    } else {
                        short
                    };
                }
                if self.open {
                    events.push(Event::End);
                    self.open = false;
                }
                self.state = State::Header;
                true
            }
        }
    }
}
