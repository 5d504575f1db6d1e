//! IP fragment reassembly: fragments put back together by (source, destination, protocol, identification), in
//! any order and overlapping (the first copy of a byte wins), with bounded memory and age.
//!
//! A set that is not complete within 30 s of capture time or 20,000 packets, or that does not fit the memory bound
//! (1024 sets, 32 MiB), is dropped and counted.

use super::report::{Kind, Report};
use super::{Cx, FxMap, Meta};
use std::net::IpAddr;

/// Which datagram a fragment belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct FragKey {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub id: u32,
    pub proto: u8,
}

#[derive(Debug)]
struct FragSet {
    data: Vec<u8>,
    /// Byte ranges received, sorted and merged.
    have: Vec<(usize, usize)>,
    /// Length of the whole datagram, once the last fragment is in.
    total: Option<usize>,
    /// The first fragment to arrive: the reassembled datagram's place in the capture.
    meta: Meta,
    born_pkt: u64,
    born_ms: Option<i64>,
}

/// Largest datagram accepted (IPv4 and IPv6 without jumbograms).
const MAX_DATAGRAM: usize = 65_535;
/// Fragment sets kept at once, and their bytes.
const MAX_SETS: usize = 1024;
const MAX_FRAG_BYTES: usize = 32 << 20;
/// Age limits for an incomplete set.
const FRAG_MAX_PACKETS: u64 = 20_000;
const FRAG_MAX_MS: i64 = 30_000;

#[derive(Debug, Default)]
pub(super) struct Frags {
    sets: FxMap<FragKey, FragSet>,
    /// Sets in the order they were opened (with their packet index), for eviction; entries of sets already
    /// gone are skipped when met.
    order: std::collections::VecDeque<(u64, FragKey)>,
    bytes: usize,
}

impl Frags {
    /// Add a fragment; returns the whole datagram and where its first fragment was when it is complete.
    pub(super) fn add(
        &mut self,
        key: FragKey,
        offset: usize,
        more: bool,
        data: &[u8],
        cx: &Cx,
        report: &mut Report,
    ) -> Option<(Vec<u8>, Meta)> {
        let end = offset + data.len();
        if end > MAX_DATAGRAM || (more && data.is_empty()) {
            report.note(Kind::FragmentBad, cx.meta.frame);
            return None;
        }
        if !self.sets.contains_key(&key) {
            while !self.sets.is_empty()
                && (self.sets.len() >= MAX_SETS || self.bytes + end > MAX_FRAG_BYTES)
            {
                self.evict_oldest(report);
            }
            if self.order.len() > 4 * MAX_SETS {
                let mut live: Vec<(u64, FragKey)> =
                    self.sets.iter().map(|(k, s)| (s.born_pkt, *k)).collect();
                live.sort_unstable_by_key(|(born, k)| {
                    (*born, self.sets.get(k).map_or(0, |s| s.meta.frame))
                });
                self.order = live.into();
            }
            self.order.push_back((cx.pkt_no, key));
            self.sets.insert(
                key,
                FragSet {
                    data: Vec::new(),
                    have: Vec::new(),
                    total: None,
                    meta: cx.meta,
                    born_pkt: cx.pkt_no,
                    born_ms: cx.now(),
                },
            );
        }
        let set = self.sets.get_mut(&key)?;
        if !more {
            // The last fragment fixes the length; one that contradicts it (or data past it) is ignored.
            if set.total.is_some_and(|t| t != end) || set.have.iter().any(|&(_, e)| e > end) {
                report.note(Kind::FragmentBad, cx.meta.frame);
                return None;
            }
            set.total = Some(end);
        } else if set.total.is_some_and(|t| end > t) {
            report.note(Kind::FragmentBad, cx.meta.frame);
            return None;
        }
        if set.data.len() < end {
            self.bytes += end - set.data.len();
            set.data.resize(end, 0);
        }
        if let Some(dst) = set.data.get_mut(offset..end) {
            dst.copy_from_slice(data);
        }
        insert_range(&mut set.have, offset, end);
        let complete = matches!((set.total, set.have.as_slice()), (Some(t), [(0, e)]) if *e == t);
        if !complete {
            return None;
        }
        let set = self.sets.remove(&key)?;
        self.bytes = self.bytes.saturating_sub(set.data.len());
        let mut data = set.data;
        data.truncate(set.total.unwrap_or(0));
        Some((data, set.meta))
    }

    fn evict_oldest(&mut self, report: &mut Report) {
        while let Some((born, key)) = self.order.pop_front() {
            if self.sets.get(&key).is_some_and(|s| s.born_pkt == born) {
                if let Some(s) = self.sets.remove(&key) {
                    self.bytes = self.bytes.saturating_sub(s.data.len());
                    report.note(Kind::FragmentDropped, s.meta.frame);
                }
                return;
            }
        }
        // The order lost track (it never should): drop any set.
        if let Some(key) = self.sets.keys().next().copied() {
            if let Some(s) = self.sets.remove(&key) {
                self.bytes = self.bytes.saturating_sub(s.data.len());
                report.note(Kind::FragmentDropped, s.meta.frame);
            }
        }
    }

    pub(super) fn sweep(&mut self, cx: &Cx, report: &mut Report) {
        let now = cx.now();
        let mut dropped: Vec<u32> = Vec::new();
        let mut freed = 0;
        self.sets.retain(|_, s| {
            let old_pkts = cx.pkt_no.saturating_sub(s.born_pkt) > FRAG_MAX_PACKETS;
            let old_time = matches!((now, s.born_ms), (Some(n), Some(b)) if n - b > FRAG_MAX_MS);
            if old_pkts || old_time {
                dropped.push(s.meta.frame);
                freed += s.data.len();
                false
            } else {
                true
            }
        });
        self.bytes = self.bytes.saturating_sub(freed);
        dropped.sort_unstable();
        for f in dropped {
            report.note(Kind::FragmentDropped, f);
        }
    }

    pub(super) fn drop_all(&mut self, report: &mut Report) {
        let mut frames: Vec<u32> = self.sets.values().map(|s| s.meta.frame).collect();
        frames.sort_unstable();
        for f in frames {
            report.note(Kind::FragmentDropped, f);
        }
        self.sets.clear();
        self.order.clear();
        self.bytes = 0;
    }
}

/// Add `[start, end)` to a sorted list of disjoint ranges, merging touching ones.
fn insert_range(have: &mut Vec<(usize, usize)>, start: usize, end: usize) {
    if start >= end {
        return;
    }
    let mut s = start;
    let mut e = end;
    let mut out = Vec::with_capacity(have.len() + 1);
    let mut placed = false;
    for &(a, b) in have.iter() {
        if b < s {
            out.push((a, b));
        } else if a > e {
            if !placed {
                out.push((s, e));
                placed = true;
            }
            out.push((a, b));
        } else {
            s = s.min(a);
            e = e.max(b);
        }
    }
    if !placed {
        out.push((s, e));
    }
    *have = out;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Sink;
    use std::net::Ipv4Addr;

    fn cx(frame: u32) -> Cx {
        Cx {
            meta: Meta {
                time: None,
                span: (0, 0),
                frame,
            },
            data: (0, 0, 0),
            pkt_no: u64::from(frame),
            cut: false,
        }
    }

    #[test]
    fn ranges_merge() {
        let mut h = Vec::new();
        insert_range(&mut h, 10, 20);
        insert_range(&mut h, 30, 40);
        assert_eq!(h, [(10, 20), (30, 40)]);
        insert_range(&mut h, 0, 5);
        assert_eq!(h, [(0, 5), (10, 20), (30, 40)]);
        insert_range(&mut h, 5, 10);
        assert_eq!(h, [(0, 20), (30, 40)]);
        insert_range(&mut h, 15, 35);
        assert_eq!(h, [(0, 40)]);
    }

    #[test]
    fn fragments_reassemble_in_any_order_and_overlapping() {
        let mut f = Frags::default();
        let mut r = Report::default();
        let key = FragKey {
            src: IpAddr::V4(Ipv4Addr::LOCALHOST),
            dst: IpAddr::V4(Ipv4Addr::LOCALHOST),
            id: 7,
            proto: 17,
        };
        let whole: Vec<u8> = (0..100u8).collect();
        assert!(f
            .add(key, 48, true, &whole[48..80], &cx(1), &mut r)
            .is_none());
        assert!(f
            .add(key, 80, false, &whole[80..], &cx(2), &mut r)
            .is_none());
        assert!(f
            .add(key, 40, true, &whole[40..56], &cx(3), &mut r)
            .is_none());
        let (got, meta) = f.add(key, 0, true, &whole[..48], &cx(4), &mut r).unwrap();
        assert_eq!(got, whole);
        assert_eq!(meta.frame, 1);
        assert!(f.sets.is_empty() && f.bytes == 0);
        // Incomplete sets are dropped and counted.
        assert!(f.add(key, 0, true, &whole[..8], &cx(5), &mut r).is_none());
        f.sweep(&cx(5 + FRAG_MAX_PACKETS as u32 + 1), &mut r);
        assert!(f.sets.is_empty());
        assert!(f
            .add(key, 65_530, false, &whole[..8], &cx(6), &mut r)
            .is_none());
        let mut sink = Sink::default();
        r.flush(0, &mut sink);
        assert_eq!(sink.diagnostics.len(), 2, "{:?}", sink.diagnostics);
    }

    #[test]
    fn fragment_memory_is_bounded() {
        let mut f = Frags::default();
        let mut r = Report::default();
        for id in 0..(MAX_SETS as u32 + 10) {
            let key = FragKey {
                src: IpAddr::V4(Ipv4Addr::LOCALHOST),
                dst: IpAddr::V4(Ipv4Addr::LOCALHOST),
                id,
                proto: 17,
            };
            f.add(key, 0, true, &[0; 64], &cx(id + 1), &mut r);
        }
        assert_eq!(f.sets.len(), MAX_SETS);
        f.drop_all(&mut r);
        let mut sink = Sink::default();
        r.flush(0, &mut sink);
        assert!(sink.diagnostics[0]
            .message
            .starts_with(&format!("{} fragmented", MAX_SETS + 10)));
    }
}
