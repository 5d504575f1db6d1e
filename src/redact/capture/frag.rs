//! IP fragments rewritten: the fragments of a datagram put back together (in capture order, as the importer does:
//! a set is whole when its pieces cover it without overlapping), a UDP datagram that carries SIP redacted whole
//! (its length and checksum made again), then cut into as many fragments as before, each where it was in the
//! capture: every piece as long as it was (offsets stay multiples of 8) but the last, which takes what the
//! datagram gained or lost.
//!
//! A set that is not whole, or that carries no SIP, loses its payloads like any other packet.

use std::collections::BTreeMap;
use std::ops::Range;

use super::addr::Renamer;
use super::edits::{self, Edits};
use super::headers::{Payload, Stack};
use super::input::Capture;
use super::sum::pseudo;
use crate::base::fxhash::FxMap;
use crate::import::pcap::layout::Layer;
use crate::redact::{Keep, Pseudonyms};
use crate::sip::framing;

/// Which datagram a fragment belongs to: IPv6, source and destination, identification, protocol.
type Key = (bool, Vec<u8>, Vec<u8>, u32, u8);

/// One fragment: its frame, where its piece goes in the datagram, and whether more follow.
#[derive(Debug, Clone)]
struct Piece {
    frame: usize,
    at: usize,
    bytes: Range<usize>,
    more: bool,
    cut: bool,
}

/// The fragments of one datagram met so far.
#[derive(Debug, Default)]
struct Set {
    pieces: Vec<Piece>,
    /// The distinct places (offset, length) with whether more follow, in order.
    places: BTreeMap<(usize, usize), bool>,
    /// The bytes the distinct places cover (more than the datagram when they overlap), and where the last
    /// fragment ends.
    covered: usize,
    end: Option<usize>,
}

/// More distinct fragments than a datagram of 64 KiB needs in 256-byte pieces: not one datagram.
const MAX_PIECES: usize = 256;

impl Set {
    fn add(&mut self, p: Piece) {
        let len = p.bytes.len();
        if self.places.insert((p.at, len), p.more).is_none() {
            self.covered += len;
        }
        if !p.more {
            self.end = Some(p.at + len);
        }
        self.pieces.push(p);
    }

    /// The distinct places in order, when they cover the whole datagram without overlapping.
    fn whole(&self) -> Option<Vec<(usize, usize)>> {
        if self.end.is_none_or(|e| self.covered < e) {
            return None;
        }
        let mut end = 0;
        for (i, (&(at, len), &more)) in self.places.iter().enumerate() {
            let last = i + 1 == self.places.len();
            if at != end || more == last || (len == 0 && !last) {
                return None;
            }
            end = at + len;
        }
        Some(self.places.keys().copied().collect())
    }
}

/// What a fragment becomes: its frame, its new piece and where that goes in the datagram.
pub type Rewritten = (usize, Payload, usize);

fn be16(d: &[u8], at: usize) -> usize {
    d.get(at..at + 2)
        .map_or(0, |b| usize::from(u16::from_be_bytes([b[0], b[1]])))
}

/// The fragment a frame is, when it is one: its datagram and its piece.
fn piece(f: usize, st: &Stack, data: &[u8]) -> Option<(Key, Piece)> {
    let (ip, v6) = st.ip()?;
    let (at, more, id, proto) = match *st.layers.last()? {
        (_, Layer::Ipv4) => {
            let ff = be16(data, ip + 6);
            (
                (ff & 0x1FFF) * 8,
                ff & 0x2000 != 0,
                be16(data, ip + 4) as u32,
                *data.get(ip + 9)?,
            )
        }
        (x, Layer::Ipv6Ext(44)) => {
            let fo = be16(data, x + 2);
            let id = data.get(x + 4..x + 8)?;
            (
                fo & 0xFFF8,
                fo & 1 != 0,
                u32::from_be_bytes([id[0], id[1], id[2], id[3]]),
                *data.get(x)?,
            )
        }
        _ => return None,
    };
    let (a, b) = if v6 { (8, 24) } else { (12, 16) };
    let n = if v6 { 16 } else { 4 };
    let key = (
        v6,
        data.get(ip + a..ip + a + n)?.to_vec(),
        data.get(ip + b..ip + b + n)?.to_vec(),
        id,
        proto,
    );
    Some((
        key,
        Piece {
            frame: f,
            at,
            bytes: st.payload.clone(),
            more,
            cut: st.missing() > 0,
        },
    ))
}

/// Every fragmented datagram of the capture: those that are whole UDP datagrams carrying SIP redacted (their
/// records marked in `handled`), and what each of their fragments becomes.
pub fn rewrite(
    names: &mut Pseudonyms,
    keep: Keep,
    ren: &mut Renamer,
    cap: &Capture<'_>,
    handled: &mut [bool],
) -> Result<Vec<Rewritten>, String> {
    // The records of datagrams put together from fragments: by the frame of their first fragment to arrive.
    let mut unplaced: FxMap<usize, Vec<usize>> = FxMap::default();
    for (i, r) in cap.records.iter().enumerate() {
        if let Some(f) = cap.frame_of(r).filter(|_| r.at.is_none()) {
            unplaced.entry(f).or_default().push(i);
        }
    }
    let mut open: FxMap<Key, Set> = FxMap::default();
    let mut out = Vec::new();
    for (f, st) in cap.stacks.iter().enumerate() {
        if !st.fragment {
            continue;
        }
        let Some((key, p)) = piece(f, st, cap.data(f)) else {
            continue;
        };
        let set = open.entry(key.clone()).or_default();
        set.add(p);
        if set.places.len() > MAX_PIECES {
            // Its fragments keep no payload (the importer's datagram, if any, is refused below).
            open.remove(&key);
            continue;
        }
        let Some(places) = set.whole() else {
            continue;
        };
        let set = open.remove(&key).unwrap_or_default().pieces;
        let first = &cap.frames[set[0].frame];
        let Some(recs) = unplaced.get(&set[0].frame).filter(|_| key.4 == 17) else {
            continue;
        };
        if set.iter().any(|p| p.cut) {
            return Err(format!(
                "a fragment of a SIP datagram was cut short by the snapshot length (frame {})",
                first.number
            ));
        }
        let mut dg = Vec::new();
        for &(at, len) in &places {
            if let Some(p) = set.iter().find(|p| p.at == at && p.bytes.len() == len) {
                dg.extend_from_slice(&cap.data(p.frame)[p.bytes.clone()]);
            }
        }
        let Some(new) = datagram(names, keep, ren, &key, &dg, recs.len())? else {
            continue;
        };
        for &i in recs {
            handled[i] = true;
        }
        let lens = split(&places, new.len()).ok_or_else(|| {
            format!(
                "a fragmented SIP datagram (frame {}) shrank too much to keep its fragments",
                first.number
            )
        })?;
        let mut at = 0;
        let mut new_at = Vec::new();
        for len in &lens {
            new_at.push((at, *len));
            at += len;
        }
        for p in &set {
            if let Some(k) = places
                .iter()
                .position(|&(a, len)| a == p.at && len == p.bytes.len())
            {
                let (a, len) = new_at[k];
                out.push((p.frame, Payload::New(new[a..a + len].to_vec()), a));
            }
        }
    }
    Ok(out)
}

/// A UDP datagram (header and payload) redacted, or `None` when its payload does not frame into the `n`
/// messages the importer found in it.
fn datagram(
    names: &mut Pseudonyms,
    keep: Keep,
    ren: &mut Renamer,
    key: &Key,
    dg: &[u8],
    n: usize,
) -> Result<Option<Vec<u8>>, String> {
    let ulen = be16(dg, 4);
    if dg.len() < 8 || (ulen != 0 && ulen < 8) {
        return Ok(None);
    }
    let end = if ulen == 0 {
        dg.len()
    } else {
        ulen.min(dg.len())
    };
    let payload = &dg[8..end];
    let messages: Vec<Range<usize>> = framing::frame_block(payload)
        .into_iter()
        .map(|f| f.range)
        .collect();
    if messages.len() != n {
        return Ok(None);
    }
    let mut list = Vec::new();
    edits::block(names, keep, payload, &messages, 0, &mut list);
    let redacted = Edits::new(list).apply(payload);
    let grown = redacted.len() as i64 - payload.len() as i64;
    let mut new = dg[..8].to_vec();
    new.extend_from_slice(&redacted);
    new.extend_from_slice(&dg[end..]);
    if ulen != 0 {
        let v = ulen as i64 + grown;
        if v > 0xFFFF {
            return Err("a redacted UDP datagram would be longer than UDP can say".into());
        }
        new[4..6].copy_from_slice(&(v as u16).to_be_bytes());
    }
    let (v6, src, dst) = (key.0, &key.1, &key.2);
    if be16(dg, 6) != 0 || v6 {
        // The pseudo-header reads the addresses where an IP header has them.
        let mut ip = vec![0u8; if v6 { 40 } else { 20 }];
        let (a, b) = if v6 { (8, 24) } else { (12, 16) };
        if v6 {
            let mut s = [0u8; 16];
            s.copy_from_slice(src);
            ip[a..a + 16].copy_from_slice(&ren.v6(names, s));
            s.copy_from_slice(dst);
            ip[b..b + 16].copy_from_slice(&ren.v6(names, s));
        } else {
            ip[a..a + 4].copy_from_slice(&ren.v4(names, [src[0], src[1], src[2], src[3]]));
            ip[b..b + 4].copy_from_slice(&ren.v4(names, [dst[0], dst[1], dst[2], dst[3]]));
        }
        new[6..8].copy_from_slice(&[0, 0]);
        let len = if ulen == 0 { new.len() } else { be16(&new, 4) };
        let c = match pseudo(&ip, v6, 17, len).add(&new).checksum() {
            0 => 0xFFFF,
            c => c,
        };
        new[6..8].copy_from_slice(&c.to_be_bytes());
    }
    Ok(Some(new))
}

/// The new lengths of a datagram's pieces when it is `total` bytes long: each as before but the last, which takes
/// the difference; when the last would be empty, the pieces before it give up 8 bytes at a time (none shorter
/// than 8). `None` when they cannot.
fn split(places: &[(usize, usize)], total: usize) -> Option<Vec<usize>> {
    let mut lens: Vec<usize> = places.iter().map(|p| p.1).collect();
    let n = lens.len();
    let before = |lens: &[usize]| lens[..n - 1].iter().sum::<usize>();
    let mut i = n - 1;
    while before(&lens) >= total {
        i = i.checked_sub(1)?;
        let over = before(&lens) - total + 1;
        let give = (lens[i].saturating_sub(8) / 8 * 8).min(over.div_ceil(8) * 8);
        lens[i] -= give;
    }
    lens[n - 1] = total - before(&lens);
    Some(lens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_keep_their_lengths_but_the_last() {
        let places = [(0, 1232), (1232, 1232), (2464, 100)];
        assert_eq!(split(&places, 2600), Some(vec![1232, 1232, 136]));
        assert_eq!(split(&places, 2464), Some(vec![1232, 1224, 8]));
        assert_eq!(split(&places, 1000), Some(vec![984, 8, 8]));
        assert_eq!(split(&[(0, 8), (8, 4)], 8), None);
    }
}
