//! Microsoft Network Monitor 2.x capture files (`.cap`, magic `GMBU`; what Network Monitor 3.x writes) → frames.
//!
//! The layout (Network Monitor 3.x help, "capture file format"; all fields little-endian):
//!
//! * a 128-byte file header: `GMBU`, minor and major version (bytes 4, 5), the media type of the file (16 bits at
//!   6), the capture start as a Windows SYSTEMTIME (eight 16-bit fields at 8: year, month, day of week, day,
//!   hour, minute, second, millisecond; UTC), then 32-bit offset/length pairs: the frame table (24, 28), user
//!   data (32, 36), comments (40, 44), process info (offset 48, count 52), network info (56, 60);
//! * frames: a 16-byte header — the time since the capture start in µs (64 bits; Microsoft says to read it
//!   multiplied by ten as a signed count of 100 ns), the length on the wire and the length captured (32 bits
//!   each) — the captured bytes, then from version 2.1 a trailer: the frame's media type (2.1), its process
//!   info index (2.2: 6 bytes), its UTC time as a FILETIME and a time zone index (2.3 and later: 15 bytes);
//! * the frame table: one 32-bit file offset per frame, in frame order.
//!
//! The file is read in one pass, as it arrives: frames one after the other from the end of the header up to
//! the first table the header places after it, then the frame table, which is checked against the frames
//! read (an entry pointing elsewhere — a hole, or past the end of the file — is a diagnostic: what is not
//! read in order is not read). A frame's time is its FILETIME when the file has one, else the start plus the
//! offset. Media types: Ethernet, raw IP (tunnel, WWAN, raw IP frames), 802.11 with Network Monitor's radio
//! metadata header (stripped, handed on as LINKTYPE 105, which the link layers do not read yet), and converted pcap link types (`0xE000` + LINKTYPE); Network Monitor's own
//! frames (network info, DNS cache, filters, events) are skipped quietly; any other type is counted.

use crate::base::diag::{Code, Diagnostic};
use crate::base::time::Timestamp;
use crate::import::Sink;

pub const MAGIC: &[u8; 4] = b"GMBU";
pub const HEADER: usize = 128;
const FRAME_HEADER: usize = 16;
/// Milliseconds from 1601-01-01 (FILETIME's epoch) to 1970-01-01.
const FILETIME_EPOCH_MS: i64 = 11_644_473_600_000;

/// Whether `head` starts a Network Monitor 2.x file.
pub fn sniff(head: &[u8]) -> bool {
    head.get(..4) == Some(&MAGIC[..]) && head.get(5) == Some(&2)
}

#[inline]
fn u16_le(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

#[inline]
fn u32_le(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

#[inline]
fn u64_le(d: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(d.get(at..at + 8)?.try_into().ok()?))
}

/// What a frame's media type says to do with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Media {
    /// Hand it to the link layers as this LINKTYPE_ value.
    Link(u32),
    /// 802.11 behind Network Monitor's radio metadata header.
    Wifi,
    /// One of Network Monitor's own records (network info, DNS cache, filter, event, reassembly header).
    Own,
    /// A type this reader does not know.
    Unknown(u16),
}

fn media(network: u16) -> Media {
    match network {
        // 0 is what some VPN captures write for Ethernet frames.
        0 | 1 => Media::Link(1),
        6 => Media::Wifi,
        // Tunnel interfaces, wireless WAN, raw IP frames.
        7..=9 => Media::Link(101),
        0xE080 => Media::Link(105),
        n if (0xE081..=0xE08A).contains(&n) => Media::Unknown(n),
        n if n & 0xF000 == 0xE000 => Media::Link(u32::from(n & 0x0FFF)),
        n if n >= 0xFFE0 => Media::Own,
        n => Media::Unknown(n),
    }
}

/// What the bytes at the current position are.
pub enum Next<'a> {
    /// A frame record of `total` bytes; `data` (its captured bytes) starts 16 bytes into it. `linktype` is
    /// `None` for a frame that is not handed on (Network Monitor's own records, unknown media, counted here).
    Frame {
        total: usize,
        data: &'a [u8],
        data_skip: usize,
        linktype: Option<u32>,
        orig_len: u32,
        time: Option<Timestamp>,
    },
    /// Bytes that are not frames (the frame table, other tables, gaps): used.
    Skip(usize),
    /// This many bytes from the current position are needed.
    Need(usize),
    /// The file is damaged here.
    Damaged(String),
}

/// The state of a Network Monitor file being read, after its header.
#[derive(Debug)]
pub struct NetMon {
    minor: u8,
    /// The file's media type (2.0 frames have no type of their own).
    network: u16,
    /// Capture start, ms since 1970 (UTC); `None` when the SYSTEMTIME is not a date.
    start: Option<i64>,
    trailer: usize,
    /// Where the frames end: the first table the header places after them.
    frames_end: u64,
    table_at: u64,
    table_len: u64,
    /// The file offset of every frame read, in order (what the frame table should list).
    offsets: Vec<u32>,
    /// Frame table entries read, and how many name no frame read (first: its index and value).
    entries: u64,
    stray: u64,
    stray_first: (u64, u32),
    unknown: Vec<(u16, u64, u32)>,
}

impl NetMon {
    /// Read the 128-byte header (`d` holds at least that).
    pub fn new(d: &[u8]) -> Result<NetMon, String> {
        let field = |at| u16_le(d, at).unwrap_or(0);
        let off = |at| u64::from(u32_le(d, at).unwrap_or(0));
        let (minor, major) = (
            d.get(4).copied().unwrap_or(0),
            d.get(5).copied().unwrap_or(0),
        );
        if major != 2 {
            return Err(format!(
                "Network Monitor file version {major}.{minor}; only 2.x is read"
            ));
        }
        let start = Timestamp::from_parts(
            i32::from(field(8)),
            u32::from(field(10)),
            u32::from(field(14)),
            u32::from(field(16)),
            u32::from(field(18)),
            u32::from(field(20)),
            u32::from(field(22)),
        )
        .map(|t| t.0);
        let (table_at, table_len) = (off(24), off(28));
        // Tables the header places after the frames (the comment and process tables exist from 2.2 on).
        let mut ends = vec![table_at];
        for (at, len, from_minor) in [(32, 36, 0), (40, 44, 2), (48, 52, 2), (56, 60, 0)] {
            if minor >= from_minor && off(len) > 0 {
                ends.push(off(at));
            }
        }
        let frames_end = ends
            .into_iter()
            .filter(|&e| e >= HEADER as u64)
            .min()
            .unwrap_or(u64::MAX);
        Ok(NetMon {
            minor,
            network: field(6),
            start,
            trailer: match minor {
                0 => 0,
                1 => 2,
                2 => 6,
                _ => 15,
            },
            frames_end,
            table_at,
            table_len,
            offsets: Vec::new(),
            entries: 0,
            stray: 0,
            stray_first: (0, 0),
            unknown: Vec::new(),
        })
    }

    /// What `d` (the file's bytes from `pos` on) starts with; `frame` is the number the next frame gets.
    pub fn next<'a>(&mut self, d: &'a [u8], pos: u64, frame: u32, max: usize) -> Next<'a> {
        if pos < self.frames_end {
            return self.frame(d, pos, frame, max);
        }
        let table_end = self.table_at.saturating_add(self.table_len);
        if pos >= self.table_at && pos < table_end {
            // Whole entries only; the table is checked entry by entry as it arrives.
            let want = usize::try_from((table_end - pos).min(4096)).unwrap_or(4096);
            let n = d.len().min(want) / 4 * 4;
            if n == 0 {
                return Next::Need(want.min(4));
            }
            for e in d.get(..n).unwrap_or(&[]).chunks_exact(4) {
                let v = u32_le(e, 0).unwrap_or(0);
                if self.offsets.get(self.entries as usize) != Some(&v) {
                    if self.stray == 0 {
                        self.stray_first = (self.entries, v);
                    }
                    self.stray += 1;
                }
                self.entries += 1;
            }
            return Next::Skip(n);
        }
        // Other tables and what follows: skipped up to the frame table, if it is still ahead.
        let upto = if pos < self.table_at {
            self.table_at - pos
        } else {
            u64::MAX
        };
        let n = usize::try_from(upto).unwrap_or(usize::MAX).min(d.len());
        if n == 0 {
            Next::Need(1)
        } else {
            Next::Skip(n)
        }
    }

    fn frame<'a>(&mut self, d: &'a [u8], pos: u64, frame: u32, max: usize) -> Next<'a> {
        let (Some(delta), Some(orig), Some(incl)) = (u64_le(d, 0), u32_le(d, 8), u32_le(d, 12))
        else {
            return Next::Need(FRAME_HEADER);
        };
        let incl = incl as usize;
        if incl > max {
            return Next::Damaged(format!("frame {frame} claims {incl} captured bytes"));
        }
        let total = FRAME_HEADER + incl + self.trailer;
        if pos.saturating_add(total as u64) > self.frames_end {
            return Next::Damaged(format!(
                "frame {frame} ({total} bytes) runs past the end of the frames, at byte {}",
                self.frames_end
            ));
        }
        let Some(rec) = d.get(..total) else {
            return Next::Need(total);
        };
        self.offsets.push(u32::try_from(pos).unwrap_or(u32::MAX));
        let data = rec.get(FRAME_HEADER..FRAME_HEADER + incl).unwrap_or(&[]);
        let trailer = rec.get(FRAME_HEADER + incl..).unwrap_or(&[]);
        let network = if self.minor >= 1 {
            u16_le(trailer, 0).unwrap_or(self.network)
        } else {
            self.network
        };
        // The FILETIME (2.3 on) when there is one; else the start plus the offset (µs, read as 100 ns × 10).
        let utc = u64_le(trailer, 6)
            .filter(|&ft| self.minor >= 3 && ft != 0)
            .and_then(|ft| i64::try_from(ft / 10_000).ok())
            .map(|ms| ms - FILETIME_EPOCH_MS);
        let ticks = (delta as i64).wrapping_mul(10);
        let time = utc
            .or_else(|| {
                self.start
                    .and_then(|s| s.checked_add(ticks.div_euclid(10_000)))
            })
            .map(Timestamp);
        let (linktype, data_skip) = match media(network) {
            Media::Link(l) => (Some(l), 0),
            // The radio metadata header says its own length (16 bits at 1); the 802.11 frame follows.
            Media::Wifi => match u16_le(data, 1).map(usize::from) {
                Some(n) if n <= data.len() => (Some(105), n),
                _ => (Some(105), data.len()),
            },
            Media::Own => (None, 0),
            Media::Unknown(n) => {
                match self.unknown.iter_mut().find(|u| u.0 == n) {
                    Some(u) => u.1 += 1,
                    None => self.unknown.push((n, 1, frame)),
                }
                (None, 0)
            }
        };
        Next::Frame {
            total,
            data: data.get(data_skip..).unwrap_or(&[]),
            data_skip,
            linktype,
            orig_len: orig.max(incl as u32),
            time,
        }
    }

    /// The diagnostics of the frame table and of the frames not read.
    pub fn finish(&self, file: u32, sink: &mut Sink) {
        let expected = self.table_len / 4;
        if self.stray > 0 {
            let (i, v) = self.stray_first;
            sink.diagnostics.push(
                Diagnostic::warning(Code::CaptureBadBlock, format!(
                    "{} entries of the Network Monitor frame table name no frame read in order (first: entry {}, byte {v}); what they point at was not read.",
                    self.stray, i + 1
                ))
                .at(file, u32::try_from(i + 1).unwrap_or(u32::MAX)),
            );
        }
        if self.entries < expected {
            sink.diagnostics.push(
                Diagnostic::warning(Code::CaptureCutOff, format!(
                    "The Network Monitor frame table is cut off: {} of its {expected} entries are in the file (it starts at byte {}).",
                    self.entries, self.table_at
                ))
                .in_file(file),
            );
        } else if (self.offsets.len() as u64) > expected {
            sink.diagnostics.push(
                Diagnostic::warning(
                    Code::CaptureBadBlock,
                    format!(
                    "{} frames are not in the Network Monitor frame table; they were read anyway.",
                    self.offsets.len() as u64 - expected
                ),
                )
                .in_file(file),
            );
        }
        for &(n, count, first) in &self.unknown {
            sink.diagnostics.push(
                Diagnostic::warning(Code::CaptureUnsupported, format!(
                    "Network Monitor media type {n:#06x} is not supported: {count} frame{} skipped (first: frame {first}).",
                    if count == 1 { " was" } else { "s were" }
                ))
                .at(file, first),
            );
        }
    }
}
