//! Merge: several files into one timeline — clock offsets estimated from shared messages, the same message seen
//! in two files recognised as one, and the endpoint names each file uses for the same host joined.
//!
//! - A message's *identity* is its Call-ID, CSeq, start line, the sent-by and branch of its top Via and (for
//!   responses) its status: the same message on the same hop, whichever side logged it. A request forwarded by a
//!   proxy gets a new top Via, so each hop stays an arrow of its own.
//! - Clock offsets: files are aligned one by one to the first file with times (the reference), then to any file
//!   already aligned, by the median of the time differences of messages they share (identity first; if none, the
//!   same Call-ID, CSeq and start line on another hop). A client log writes local time and a server trace UTC:
//!   the offset is usually whole hours plus a few milliseconds of transit. A hand-set offset wins.
//! - Duplicates: a message whose identity was already seen in another file within [`SAME_MESSAGE_WINDOW_MS`]
//!   (after offsets) is a second sighting of it.
//! - Aliases: the two sightings of one message name the same sender and the same receiver (the client's private
//!   address and the public address the Edge saw; the Edge's address and the Edge's own name). Names joined this
//!   way become one lifeline.

use crate::base::time::Timestamp;
use crate::sip::{Message, StartLine};
use std::collections::HashMap;

/// Two sightings of one message further apart than this (after clock offsets) are two messages.
pub const SAME_MESSAGE_WINDOW_MS: i64 = 2_000;

/// How a file's clock was set against the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockSource {
    /// The file the others are aligned to.
    Reference,
    /// Estimated from shared messages.
    Estimated,
    /// Set by hand.
    Manual,
    /// No shared messages and no times: left as it is.
    Unknown,
    /// A capture of TLS connections, from its records matched to a client log's messages (`store::tls`).
    TlsRecords,
}

/// A file's clock against the merged timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileClock {
    pub file: u32,
    /// Milliseconds added to the file's times to put them on the reference's clock.
    pub offset_ms: i64,
    pub source: ClockSource,
    /// Messages shared with already-aligned files that the estimate rests on.
    pub shared: u32,
}

/// What merge needs of a message.
#[derive(Debug, Clone)]
pub struct Sighting {
    pub file: u32,
    pub time: Option<Timestamp>,
    /// Same message, same hop.
    pub identity: u64,
    /// Same message, any hop (Call-ID, CSeq, start line).
    pub trip: u64,
}

/// FNV-1a over a message's key parts, each part ended by `0xFF`: stable across runs and platforms, and fed piece
/// by piece so no key string is built.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, b: &[u8]) -> &mut Fnv {
        for &x in b {
            self.0 = (self.0 ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3);
        }
        self
    }

    /// The words of `s` joined by single spaces (how two logs may space one header differently).
    fn words(&mut self, s: &str) -> &mut Fnv {
        for (i, w) in s.split_whitespace().enumerate() {
            if i > 0 {
                self.bytes(b" ");
            }
            self.bytes(w.as_bytes());
        }
        self
    }

    fn end(&mut self) -> &mut Fnv {
        self.bytes(&[0xFF])
    }
}

/// A 64-bit FNV-1a hash of some bytes (keys compared for equality only).
pub fn hash_of(bytes: &[u8]) -> u64 {
    Fnv::new().bytes(bytes).0
}

/// The [`Sighting`] keys of a message: `(identity, trip)`. Taken once, at import (see `Brief`), from the parts
/// the brief has already found: Call-ID, the CSeq value, the top Via entry and its branch. The trip is Call-ID,
/// CSeq and start line; the identity adds the top Via's protocol and sent-by, its branch and the status.
pub fn keys(msg: &Message, call_id: &str, cseq: &str, top_via: &str, branch: &str) -> (u64, u64) {
    let mut h = Fnv::new();
    h.bytes(call_id.as_bytes()).end();
    h.words(cseq).end();
    // The start line as written, words single-spaced: `METHOD uri version`, `version status[ reason]`.
    match &msg.start {
        StartLine::Request {
            method,
            uri,
            version,
        } => {
            h.bytes(method.as_bytes()).bytes(b" ").bytes(uri.as_bytes());
            h.bytes(b" ").bytes(version.as_bytes())
        }
        StartLine::Response {
            version,
            status,
            reason,
        } => {
            h.bytes(version.as_bytes()).bytes(b" ");
            h.bytes(status.to_string().as_bytes());
            if !reason.is_empty() {
                h.bytes(b" ").bytes(reason.as_bytes());
            }
            &mut h
        }
    }
    .end();
    let trip = h.0;
    h.words(top_via.split(';').next().unwrap_or("")).end();
    h.bytes(branch.as_bytes()).end();
    if let Some(status) = msg.status() {
        h.bytes(status.to_string().as_bytes());
    }
    h.end();
    (h.0, trip)
}

fn median(v: &mut [i64]) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    Some(v[v.len() / 2])
}

/// Align every file's clock. `manual[f]`, when set, is used as it is. The reference is `preferred` when it has
/// times (the analysis prefers a client log: its local time is what the admin remembers), else the first file
/// with times.
pub fn align(
    files: usize,
    sightings: &[Sighting],
    manual: &[Option<i64>],
    preferred: Option<usize>,
) -> Vec<FileClock> {
    let mut clocks: Vec<Option<FileClock>> = vec![None; files];
    for (f, m) in manual.iter().enumerate().take(files) {
        if let Some(ms) = m {
            clocks[f] = Some(FileClock {
                file: f as u32,
                offset_ms: *ms,
                source: ClockSource::Manual,
                shared: 0,
            });
        }
    }
    let has_time = |f: usize| {
        sightings
            .iter()
            .any(|s| s.file as usize == f && s.time.is_some())
    };
    // The first file with times is the reference, unless its own offset was set by hand.
    if let Some(r) = preferred
        .filter(|&f| f < files && has_time(f))
        .or_else(|| (0..files).find(|&f| has_time(f)))
    {
        if clocks[r].is_none() {
            clocks[r] = Some(FileClock {
                file: r as u32,
                offset_ms: 0,
                source: ClockSource::Reference,
                shared: 0,
            });
        }
    }
    // Index the aligned files' sightings by key, then align the others one at a time.
    loop {
        let mut by_identity: HashMap<u64, Vec<i64>> = HashMap::new();
        let mut by_trip: HashMap<u64, Vec<i64>> = HashMap::new();
        for s in sightings {
            if let (Some(c), Some(t)) = (&clocks[s.file as usize], s.time) {
                by_identity
                    .entry(s.identity)
                    .or_default()
                    .push(t.0 + c.offset_ms);
                by_trip.entry(s.trip).or_default().push(t.0 + c.offset_ms);
            }
        }
        let mut best: Option<(usize, Vec<i64>)> = None;
        for f in (0..files).filter(|&f| clocks[f].is_none()) {
            let diffs = |index: &HashMap<u64, Vec<i64>>, key: fn(&Sighting) -> u64| -> Vec<i64> {
                sightings
                    .iter()
                    .filter(|s| s.file as usize == f)
                    .filter_map(|s| {
                        let t = s.time?.0;
                        let seen = index.get(&key(s))?;
                        // The nearest sighting: repeated keys (retransmissions) must not pull the estimate.
                        seen.iter().map(|&a| a - t).min_by_key(|d| d.unsigned_abs())
                    })
                    .collect()
            };
            let mut d = diffs(&by_identity, |s| s.identity);
            if d.is_empty() {
                d = diffs(&by_trip, |s| s.trip);
            }
            if !d.is_empty() && best.as_ref().is_none_or(|(_, b)| d.len() > b.len()) {
                best = Some((f, d));
            }
        }
        let Some((f, mut d)) = best else { break };
        let shared = d.len() as u32;
        let offset_ms = median(&mut d).unwrap_or(0);
        clocks[f] = Some(FileClock {
            file: f as u32,
            offset_ms,
            source: ClockSource::Estimated,
            shared,
        });
    }
    clocks
        .into_iter()
        .enumerate()
        .map(|(f, c)| {
            c.unwrap_or(FileClock {
                file: f as u32,
                offset_ms: 0,
                source: ClockSource::Unknown,
                shared: 0,
            })
        })
        .collect()
}

/// For messages in merged order (times already on the common clock), the index of the earlier sighting each one
/// repeats, if any. Only sightings from different files count: within one file a repeat is a retransmission.
pub fn duplicates(sightings: &[Sighting]) -> Vec<Option<u32>> {
    let mut seen: HashMap<u64, Vec<u32>> = HashMap::new();
    let mut out = Vec::with_capacity(sightings.len());
    for (i, s) in sightings.iter().enumerate() {
        let earlier = seen.get(&s.identity).and_then(|v| {
            v.iter().rev().copied().find(|&j| {
                let o = &sightings[j as usize];
                o.file != s.file
                    && match (o.time, s.time) {
                        (Some(a), Some(b)) => (b.0 - a.0).abs() <= SAME_MESSAGE_WINDOW_MS,
                        _ => true,
                    }
            })
        });
        // A third sighting points at the first one.
        let first = earlier.map(|j| out.get(j as usize).copied().flatten().unwrap_or(j));
        out.push(first);
        if first.is_none() {
            seen.entry(s.identity).or_default().push(i as u32);
        }
    }
    out
}

/// Endpoint names joined by the sightings of one message: a map from every name to its lifeline's key (the
/// name seen first).
#[derive(Debug, Default)]
pub struct Aliases {
    parent: HashMap<String, String>,
}

impl Aliases {
    fn find(&self, name: &str) -> String {
        let mut cur = name.to_string();
        while let Some(p) = self.parent.get(&cur) {
            if *p == cur {
                break;
            }
            cur = p.clone();
        }
        cur
    }

    /// `a` (seen first) and `b` name the same host.
    pub fn join(&mut self, a: &str, b: &str) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb && !a.is_empty() && !b.is_empty() && a != "?" && b != "?" {
            self.parent.insert(rb, ra);
        }
    }

    /// The lifeline key for a name.
    pub fn key(&self, name: &str) -> String {
        self.find(name)
    }

    /// Every name with its key, for labels: key → all its names (key first).
    pub fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut groups: HashMap<String, Vec<String>> = HashMap::new();
        for name in self.parent.keys() {
            groups
                .entry(self.find(name))
                .or_default()
                .push(name.clone());
        }
        let mut out: Vec<(String, Vec<String>)> = groups
            .into_iter()
            .map(|(k, mut names)| {
                names.retain(|n| *n != k);
                names.sort();
                names.insert(0, k.clone());
                (k, names)
            })
            .collect();
        out.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(file: u32, t: i64, id: u64) -> Sighting {
        Sighting {
            file,
            time: Some(Timestamp(t)),
            identity: id,
            trip: id + 1000,
        }
    }

    #[test]
    fn offsets_are_the_median_of_shared_messages() {
        // File 1 is 9 h behind file 0, with 2–5 ms of transit either way and one outlier.
        let h9 = 9 * 3_600_000;
        let sightings = vec![
            s(0, 1000, 1),
            s(0, 2000, 2),
            s(0, 3000, 3),
            s(0, 9000, 4),
            s(1, 1000 - h9 + 3, 1),
            s(1, 2000 - h9 - 2, 2),
            s(1, 3000 - h9 + 5, 3),
            s(1, 9000 - h9 + 700, 4),
        ];
        let clocks = align(2, &sightings, &[None, None], None);
        assert_eq!(clocks[0].source, ClockSource::Reference);
        assert_eq!(clocks[1].source, ClockSource::Estimated);
        assert_eq!(clocks[1].shared, 4);
        assert_eq!(clocks[1].offset_ms, h9 - 3);
        // A hand-set offset wins; the reference stays the reference.
        let clocks = align(2, &sightings, &[None, Some(h9)], None);
        assert_eq!(
            (clocks[1].offset_ms, clocks[1].source),
            (h9, ClockSource::Manual)
        );
        assert_eq!(
            (clocks[0].offset_ms, clocks[0].source),
            (0, ClockSource::Reference)
        );
        // With the reference's own clock set by hand, the other file is aligned to it.
        let clocks = align(2, &sightings, &[Some(10), None], None);
        assert_eq!(clocks[0].source, ClockSource::Manual);
        assert_eq!(
            (clocks[1].offset_ms, clocks[1].source),
            (h9 - 3 + 10, ClockSource::Estimated)
        );
    }

    #[test]
    fn files_align_through_each_other_and_strangers_stay_unknown() {
        let sightings = vec![
            s(0, 100, 1),
            s(1, 50, 1),
            s(1, 500, 2),
            s(2, 700, 2),
            s(3, 5, 99),
        ];
        let clocks = align(4, &sightings, &[None; 4], None);
        assert_eq!(clocks[1].offset_ms, 50);
        assert_eq!(clocks[2].offset_ms, -150, "aligned through file 1");
        assert_eq!(clocks[3].source, ClockSource::Unknown);
        // A preferred reference (a client log) wins over the first file.
        let clocks = align(4, &sightings, &[None; 4], Some(2));
        assert_eq!(clocks[2].source, ClockSource::Reference);
        assert_eq!((clocks[1].offset_ms, clocks[0].offset_ms), (200, 150));
    }

    #[test]
    fn duplicates_are_other_files_sightings_within_the_window() {
        let sightings = vec![
            s(0, 0, 7),
            s(1, 3, 7),
            s(0, 10, 7),
            s(2, 5, 7),
            s(1, 60_000, 7),
        ];
        assert_eq!(
            duplicates(&sightings),
            // #2 repeats #0 in the same file (a retransmission, not a sighting); #3 is another file's
            // sighting of the latest one; #4 is a minute later: a new message.
            vec![None, Some(0), None, Some(2), None]
        );
    }

    #[test]
    fn aliases_join_names_of_one_host() {
        let mut a = Aliases::default();
        a.join("192.168.1.51:51882", "211.208.253.61:51882");
        a.join("211.208.253.66:5061", "EDGE01");
        a.join("EDGE01", "192.168.1.6:50001");
        assert_eq!(a.key("192.168.1.6:50001"), "211.208.253.66:5061");
        assert_eq!(a.key("211.208.253.61:51882"), "192.168.1.51:51882");
        assert_eq!(a.key("FE01"), "FE01");
        let groups = a.groups();
        assert_eq!(
            groups[1],
            (
                "211.208.253.66:5061".to_string(),
                vec![
                    "211.208.253.66:5061".into(),
                    "192.168.1.6:50001".into(),
                    "EDGE01".into()
                ]
            )
        );
    }
}
