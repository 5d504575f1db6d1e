//! TCP streams rewritten: each direction that carries SIP is redacted as the stream the importer read (its
//! messages on their parsed form, the bytes between scrubbed as text), and every segment of it — a
//! retransmission too — gets the redacted bytes of the stream range it carried. Sequence numbers move by what
//! the stream before them gained or lost; the other direction's acknowledgements move with them.
//!
//! A direction that carries no SIP keeps its sequence numbers and loses its payloads (a TLS direction keeps
//! the first record header it starts with: the copy still says the connection was TLS). A connection the importer
//! opened again without a SYN on the same endpoints is the one before it, going on.

use std::collections::BTreeMap;
use std::ops::Range;

use super::edits::{self, Edits};
use super::headers::{Fix, Payload, Stack};
use super::input::Capture;
use crate::base::fxhash::FxMap;
use crate::import::pcap::is_tls_record;
use crate::import::pcap::layout::Layer;
use crate::redact::{Keep, Pseudonyms};

const SYN: u8 = 0x02;

/// A direction: (connection, direction) as the importer numbered them.
type Key = (u32, u8);

/// One direction's stream.
#[derive(Debug, Default)]
struct Dir {
    /// The sequence number of stream byte 0.
    seq0: Option<u32>,
    edits: Edits,
    sip: bool,
}

/// A TCP segment the importer put in a connection.
#[derive(Debug)]
struct Seg {
    key: Key,
    seq: u32,
    syn: bool,
    /// Where its payload's captured bytes are in the file.
    file: Range<u64>,
}

/// A segment's two endpoints (address bytes and port each), the lower first.
fn endpoints(data: &[u8], st: &Stack, at: usize) -> Vec<u8> {
    let (ip, v6) = st.ip().unwrap_or((0, false));
    let (n, src, dst) = if v6 {
        (16, ip + 8, ip + 24)
    } else {
        (4, ip + 12, ip + 16)
    };
    let end = |from: usize, port: usize| {
        let mut e = data.get(from..from + n).unwrap_or(&[]).to_vec();
        e.extend_from_slice(data.get(port..port + 2).unwrap_or(&[]));
        e
    };
    let (a, b) = (end(src, at), end(dst, at + 2));
    let (mut lo, hi) = if a <= b { (a, b) } else { (b, a) };
    lo.extend(hi);
    lo
}

/// Every TCP direction of a capture, redacted.
#[derive(Debug, Default)]
pub struct Streams {
    dirs: BTreeMap<Key, Dir>,
    /// Per frame, its segment when it is one.
    segs: Vec<Option<Seg>>,
}

impl Streams {
    /// Read every segment's direction and place, find the importer's messages in the streams (marking the
    /// records found in `handled`), and redact each direction that carries SIP.
    pub fn new(
        names: &mut Pseudonyms,
        keep: Keep,
        cap: &Capture<'_>,
        handled: &mut [bool],
    ) -> Result<Streams, String> {
        let mut s = Streams::default();
        // A connection the importer opened again without a SYN (the one before went idle, or closed and was
        // forgotten) goes on in the same sequence numbers: one stream with the one before on the same endpoints.
        let mut alias: FxMap<u32, u32> = FxMap::default();
        let mut last_on: FxMap<Vec<u8>, u32> = FxMap::default();
        for (i, (f, st)) in cap.frames.iter().zip(&cap.stacks).enumerate() {
            let seg = match st.l4() {
                Some((
                    at,
                    Layer::Tcp {
                        conn: Some(c),
                        dir,
                        seq0,
                    },
                )) => {
                    let data = cap.data(i);
                    let syn = data[at + 13] & SYN != 0;
                    let c = *alias.entry(c).or_insert_with(|| {
                        let pair = endpoints(data, st, at);
                        let k = match last_on.get(&pair) {
                            Some(&k) if !syn => k,
                            _ => c,
                        };
                        last_on.insert(pair, k);
                        k
                    });
                    let d = s.dirs.entry((c, dir)).or_default();
                    d.seq0 = d.seq0.or(seq0);
                    let start = f.data_at + st.payload.start as u64;
                    Some(Seg {
                        key: (c, dir),
                        seq: u32::from_be_bytes([
                            data[at + 4],
                            data[at + 5],
                            data[at + 6],
                            data[at + 7],
                        ]),
                        syn,
                        file: start..f.data_at + st.payload.end as u64,
                    })
                }
                _ => None,
            };
            s.segs.push(seg);
        }
        // The messages, by direction: where each starts in the stream and its length.
        let mut messages: BTreeMap<Key, Vec<(i64, usize)>> = BTreeMap::new();
        for (i, r) in cap.records.iter().enumerate() {
            let Some((f, x, _)) = cap.place(r) else {
                continue;
            };
            let Some(seg) = s.segs[f].as_ref() else {
                continue;
            };
            if let Some(abs) = s.abs(seg) {
                messages
                    .entry(seg.key)
                    .or_default()
                    .push((abs + (x - seg.file.start) as i64, r.sip.len()));
                handled[i] = true;
            }
        }
        let mut of_key: BTreeMap<Key, Vec<&Seg>> = BTreeMap::new();
        for g in s.segs.iter().flatten() {
            if messages.contains_key(&g.key) {
                of_key.entry(g.key).or_default().push(g);
            }
        }
        let mut redacted = Vec::new();
        for (key, mut msgs) in messages {
            msgs.sort_unstable();
            let runs = s.runs(of_key.get(&key).map_or(&[][..], Vec::as_slice), cap.bytes);
            let mut list = Vec::new();
            let mut m = msgs.iter().peekable();
            for (start, run) in &runs {
                let end = start + run.len() as i64;
                let mut inside: Vec<Range<usize>> = Vec::new();
                while let Some(&&(at, len)) = m.peek() {
                    if at >= end {
                        break;
                    }
                    if at < *start || at + len as i64 > end {
                        return Err("a TCP message is not where its segments are".into());
                    }
                    inside.push((at - start) as usize..(at - start) as usize + len);
                    m.next();
                }
                edits::block(names, keep, run, &inside, *start, &mut list);
            }
            if m.next().is_some() {
                return Err("a TCP message is not where its segments are".into());
            }
            redacted.push((key, Edits::new(list)));
        }
        drop(of_key);
        for (key, edits) in redacted {
            if let Some(d) = s.dirs.get_mut(&key) {
                d.sip = true;
                d.edits = edits;
            }
        }
        Ok(s)
    }

    /// The stream offset of a segment's first payload byte.
    fn abs(&self, seg: &Seg) -> Option<i64> {
        let seq0 = self.dirs.get(&seg.key)?.seq0?;
        let first = seg.seq.wrapping_add(u32::from(seg.syn));
        Some(i64::from(first.wrapping_sub(seq0) as i32))
    }

    /// A direction's captured bytes as contiguous runs (the first copy of a byte wins), by stream offset.
    fn runs(&self, segs: &[&Seg], bytes: &[u8]) -> Vec<(i64, Vec<u8>)> {
        let mut segs: Vec<(i64, &[u8])> = segs
            .iter()
            .filter_map(|g| {
                Some((
                    self.abs(g)?,
                    &bytes[g.file.start as usize..g.file.end as usize],
                ))
            })
            .collect();
        segs.sort_by_key(|g| g.0);
        let mut runs: Vec<(i64, Vec<u8>)> = Vec::new();
        for (at, data) in segs {
            match runs.last_mut() {
                Some((start, run)) if at <= *start + run.len() as i64 => {
                    let skip = (*start + run.len() as i64 - at) as usize;
                    run.extend_from_slice(data.get(skip..).unwrap_or(&[]));
                }
                _ => runs.push((at, data.to_vec())),
            }
        }
        runs.retain(|r| !r.1.is_empty());
        runs
    }

    /// What becomes of frame `f`, when it is a TCP segment of a connection.
    pub fn fix(&self, f: usize, st: &Stack, data: &[u8]) -> Option<Fix<'_>> {
        let seg = self.segs.get(f)?.as_ref()?;
        let dir = self.dirs.get(&seg.key)?;
        let payload = &data[st.payload.clone()];
        let abs = self.abs(seg);
        let moved = dir.seq0.filter(|_| !dir.edits.is_empty());
        let payload = match abs {
            _ if payload.is_empty() => Payload::Keep,
            Some(at) if dir.sip => Payload::New(dir.edits.slice(at, payload)),
            Some(0) if is_tls_record(payload) => Payload::Cut(payload.len().min(6)),
            _ => Payload::Cut(0),
        };
        let other = self.dirs.get(&(seg.key.0, 1 - seg.key.1));
        Some(Fix {
            payload,
            seq: moved.map(|seq0| dir.edits.map_seq(seq0, seg.seq)),
            ack: other.and_then(|o| Some((&o.edits, o.seq0?)).filter(|_| !o.edits.is_empty())),
            frag_at: None,
        })
    }
}
