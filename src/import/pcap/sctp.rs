//! SCTP: DATA (RFC 9260) and I-DATA (RFC 8260) chunks → user messages, each framed as a block of SIP.
//!
//! A user message in one chunk (B and E flags) is used at once. Fragments are kept per association direction:
//! DATA fragments by TSN (a message's fragments have consecutive TSNs), I-DATA fragments by stream, message id
//! and fragment sequence number. A chunk whose TSN was seen recently is a retransmission and is skipped.
//! Memory is bounded: at most 1024 fragments or 4 MiB per direction; what is dropped is counted.

use super::report::{Kind, Report};
use super::{be16, be32, cut_problem, emit_block, starts_with_sip, Cx, Ep, FxMap, Meta};
use crate::import::{InFile, Sink};
use std::collections::{BTreeMap, VecDeque};
use std::net::IpAddr;

const FLAG_E: u8 = 0x01;
const FLAG_B: u8 = 0x02;
const FLAG_U: u8 = 0x04;

/// Recent TSNs remembered per direction for duplicate detection.
const RECENT_TSNS: usize = 4096;
const MAX_FRAGMENTS: usize = 1024;
const MAX_FRAGMENT_BYTES: usize = 4 << 20;
/// A direction idle this many packets is forgotten.
const IDLE_PACKETS: u64 = 1_000_000;

#[derive(Debug)]
struct Fragment {
    flags: u8,
    stream: u16,
    data: Vec<u8>,
    meta: Meta,
}

#[derive(Debug)]
struct IMessage {
    parts: BTreeMap<u32, Vec<u8>>,
    last: Option<u32>,
    have_first: bool,
    meta: Meta,
}

#[derive(Debug, Default)]
struct Direction {
    recent: VecDeque<u32>,
    recent_set: crate::base::fxhash::FxSet<u32>,
    /// DATA fragments by TSN.
    frags: FxMap<u32, Fragment>,
    /// I-DATA fragments by (stream, unordered, message id).
    imsgs: FxMap<(u16, bool, u32), IMessage>,
    bytes: usize,
    last_pkt: u64,
}

#[derive(Debug, Default)]
pub struct Sctp {
    dirs: FxMap<(Ep, Ep), Direction>,
}

/// A chunk's user data.
struct UserData<'a> {
    tsn: u32,
    flags: u8,
    stream: u16,
    /// I-DATA: (message id, fragment sequence number; 0 for the first fragment).
    idata: Option<(u32, u32)>,
    data: &'a [u8],
    cut: bool,
}

impl Sctp {
    #[allow(clippy::too_many_arguments)]
    pub fn packet(
        &mut self,
        src: IpAddr,
        dst: IpAddr,
        p: &[u8],
        missing: usize,
        cx: &Cx,
        report: &mut Report,
        sink: &mut Sink,
    ) {
        let (Some(sport), Some(dport)) = (be16(p, 0), be16(p, 2)) else {
            if !cx.cut {
                report.note(Kind::BadSctp, cx.meta.frame);
            }
            return;
        };
        let src = Ep {
            ip: src,
            port: sport,
        };
        let dst = Ep {
            ip: dst,
            port: dport,
        };
        let mut at = 12;
        while let (Some(&kind), Some(&flags), Some(len)) =
            (p.get(at), p.get(at + 1), be16(p, at + 2))
        {
            let len = usize::from(len);
            if len < 4 {
                report.note(Kind::BadSctp, cx.meta.frame);
                return;
            }
            let (chunk, cut) = match p.get(at..at + len) {
                Some(c) => (c, false),
                None if missing > 0 || cx.cut => (p.get(at..).unwrap_or(&[]), true),
                None => {
                    report.note(Kind::BadSctp, cx.meta.frame);
                    return;
                }
            };
            let user = match kind {
                0 => match (be32(chunk, 4), be16(chunk, 8), chunk.get(16..)) {
                    (Some(tsn), Some(stream), Some(data)) => Some(UserData {
                        tsn,
                        flags,
                        stream,
                        idata: None,
                        data,
                        cut,
                    }),
                    _ => None,
                },
                64 => match (
                    be32(chunk, 4),
                    be16(chunk, 8),
                    be32(chunk, 12),
                    be32(chunk, 16),
                    chunk.get(20..),
                ) {
                    (Some(tsn), Some(stream), Some(mid), Some(fsn), Some(data)) => Some(UserData {
                        tsn,
                        flags,
                        stream,
                        idata: Some((mid, if flags & FLAG_B != 0 { 0 } else { fsn })),
                        data,
                        cut,
                    }),
                    _ => None,
                },
                _ => {
                    at += len.div_ceil(4) * 4;
                    continue;
                }
            };
            match user {
                Some(u) => self.user_data(src, dst, u, cx, report, sink),
                None if cut => {}
                None => report.note(Kind::BadSctp, cx.meta.frame),
            }
            if cut {
                return;
            }
            at += len.div_ceil(4) * 4;
        }
    }

    fn user_data(
        &mut self,
        src: Ep,
        dst: Ep,
        u: UserData<'_>,
        cx: &Cx,
        report: &mut Report,
        sink: &mut Sink,
    ) {
        let whole = u.flags & (FLAG_B | FLAG_E) == (FLAG_B | FLAG_E);
        let dir = self.dirs.entry((src, dst)).or_default();
        dir.last_pkt = cx.pkt_no;
        if !dir.recent_set.insert(u.tsn) {
            return; // a retransmission
        }
        dir.recent.push_back(u.tsn);
        if dir.recent.len() > RECENT_TSNS {
            if let Some(old) = dir.recent.pop_front() {
                dir.recent_set.remove(&old);
            }
        }
        if whole {
            if starts_with_sip(u.data) {
                let cut = u.cut.then(cut_problem);
                let place = cx.place(u.data).map(InFile::At);
                emit_block(u.data, place, &src, &dst, &cx.meta, cut.as_slice(), sink);
            }
            return;
        }
        if u.cut {
            // A fragment cut by the snapshot length can never complete its message.
            report.note(Kind::SctpIncomplete, cx.meta.frame);
            return;
        }
        if dir.frags.len() + dir.imsgs.len() >= MAX_FRAGMENTS
            || dir.bytes + u.data.len() > MAX_FRAGMENT_BYTES
        {
            let n = dir.frags.len() + dir.imsgs.len();
            for _ in 0..n.max(1) {
                report.note(Kind::SctpIncomplete, cx.meta.frame);
            }
            dir.frags.clear();
            dir.imsgs.clear();
            dir.bytes = 0;
        }
        dir.bytes += u.data.len();
        let done = match u.idata {
            None => {
                dir.frags.insert(
                    u.tsn,
                    Fragment {
                        flags: u.flags,
                        stream: u.stream,
                        data: u.data.to_vec(),
                        meta: cx.meta,
                    },
                );
                data_message(dir, u.tsn)
            }
            Some((mid, fsn)) => {
                let key = (u.stream, u.flags & FLAG_U != 0, mid);
                let m = dir.imsgs.entry(key).or_insert_with(|| IMessage {
                    parts: BTreeMap::new(),
                    last: None,
                    have_first: false,
                    meta: cx.meta,
                });
                if u.flags & FLAG_B != 0 {
                    m.have_first = true;
                    m.meta = cx.meta;
                }
                if u.flags & FLAG_E != 0 {
                    m.last = Some(fsn);
                }
                m.parts.entry(fsn).or_insert_with(|| u.data.to_vec());
                let complete = m.have_first
                    && m.last.is_some_and(|l| {
                        u64::from(l) + 1 == m.parts.len() as u64
                            && m.parts.keys().next_back() == Some(&l)
                    });
                if complete {
                    dir.imsgs.remove(&key).map(|m| {
                        let meta = m.meta;
                        let data: Vec<u8> = m.parts.into_values().flatten().collect();
                        (data, meta)
                    })
                } else {
                    None
                }
            }
        };
        if let Some((data, meta)) = done {
            dir.bytes = dir.bytes.saturating_sub(data.len());
            if starts_with_sip(&data) {
                emit_block(&data, None, &src, &dst, &meta, &[], sink);
            }
        }
    }

    /// Forget directions idle for long (their unfinished fragments are counted).
    pub fn sweep(&mut self, cx: &Cx, report: &mut Report) {
        self.dirs.retain(|_, d| {
            let keep = cx.pkt_no.saturating_sub(d.last_pkt) <= IDLE_PACKETS;
            if !keep {
                for _ in 0..d.frags.len() + d.imsgs.len() {
                    report.note(Kind::SctpIncomplete, cx.meta.frame);
                }
            }
            keep
        });
    }

    pub fn finish(&mut self, report: &mut Report) {
        let mut frames: Vec<u32> = self
            .dirs
            .values()
            .flat_map(|d| {
                d.frags
                    .values()
                    .filter(|f| f.flags & FLAG_B != 0)
                    .map(|f| f.meta.frame)
                    .chain(d.imsgs.values().map(|m| m.meta.frame))
            })
            .collect();
        frames.sort_unstable();
        for f in frames {
            report.note(Kind::SctpIncomplete, f);
        }
        self.dirs.clear();
    }
}

/// If the DATA fragment `tsn` completes a message (B … E with consecutive TSNs on one stream), take it out.
fn data_message(dir: &mut Direction, tsn: u32) -> Option<(Vec<u8>, Meta)> {
    let stream = dir.frags.get(&tsn)?.stream;
    let mut first = tsn;
    let mut steps = 0;
    while dir.frags.get(&first)?.flags & FLAG_B == 0 {
        first = first.wrapping_sub(1);
        steps += 1;
        if steps > MAX_FRAGMENTS || dir.frags.get(&first)?.stream != stream {
            return None;
        }
    }
    let mut last = tsn;
    while dir.frags.get(&last)?.flags & FLAG_E == 0 {
        last = last.wrapping_add(1);
        steps += 1;
        if steps > MAX_FRAGMENTS || dir.frags.get(&last)?.stream != stream {
            return None;
        }
    }
    let meta = dir.frags.get(&first)?.meta;
    let mut data = Vec::new();
    let mut t = first;
    loop {
        if let Some(f) = dir.frags.remove(&t) {
            data.extend_from_slice(&f.data);
        }
        if t == last {
            break;
        }
        t = t.wrapping_add(1);
    }
    Some((data, meta))
}
