//! Edits of a byte stream (a datagram's payload, a TCP direction's bytes): what redaction replaces, where, and
//! how the offsets after each edit move.
//!
//! A message's redacted text differs from its original in a few places (a URI, a tag, a Content-Length), so
//! its edits are found line by line and kept small: a TCP segment boundary rarely falls inside one. An edit
//! that does straddle a boundary goes whole to the segment where it starts; a segment keeps its share of
//! everything else.

use std::ops::Range;

use crate::redact::raw::Raw;
use crate::redact::{message, text, Keep, Pseudonyms};

/// The bytes `at..end` of the stream replaced by `new` (an insertion when `at == end`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub at: i64,
    pub end: i64,
    pub new: Vec<u8>,
}

/// A stream's edits in order, none overlapping, with what the stream gained before each.
#[derive(Debug, Default)]
pub struct Edits {
    list: Vec<Edit>,
    /// `grown[i]`: the sum of what edits `0..i` gained (or lost).
    grown: Vec<i64>,
}

impl Edits {
    /// Sorted edits over disjoint ranges (the callers make them from disjoint messages and gaps).
    pub fn new(mut list: Vec<Edit>) -> Edits {
        list.sort_by_key(|e| (e.at, e.end));
        let mut grown = Vec::with_capacity(list.len());
        let mut sum = 0i64;
        for e in &list {
            grown.push(sum);
            sum += e.new.len() as i64 - (e.end - e.at);
        }
        Edits { list, grown }
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Where stream offset `o` is after the edits: moved by what the edits before it gained; an offset inside
    /// an edit goes to the edit's end (the edit belongs to the segment where it starts).
    pub fn map(&self, o: i64) -> i64 {
        // The edits that start before `o`.
        let n = self.list.partition_point(|e| e.at < o);
        let Some(last) = n.checked_sub(1) else {
            return o;
        };
        let e = &self.list[last];
        let before = self.grown[last];
        if o < e.end {
            e.at + before + e.new.len() as i64
        } else {
            o + before + e.new.len() as i64 - (e.end - e.at)
        }
    }

    /// Where TCP sequence number `seq` goes, in a direction whose stream byte 0 has sequence number `seq0`.
    pub fn map_seq(&self, seq0: u32, seq: u32) -> u32 {
        let o = i64::from(seq.wrapping_sub(seq0) as i32);
        seq0.wrapping_add(self.map(o) as u32)
    }

    /// The new bytes of the stretch `old` that starts at stream offset `at`: the edits that start in it go in
    /// whole, the bytes of an edit that started before it are left out. `map(at)` is where they start.
    pub fn slice(&self, at: i64, old: &[u8]) -> Vec<u8> {
        let end = at + old.len() as i64;
        let first = self.list.partition_point(|e| e.end <= at && e.at < at);
        let mut out = Vec::with_capacity(old.len());
        let mut pos = at;
        for e in self.list[first..].iter().take_while(|e| e.at < end) {
            if e.at >= at {
                out.extend_from_slice(&old[(pos - at) as usize..(e.at - at) as usize]);
                out.extend_from_slice(&e.new);
            }
            pos = pos.max(e.end.min(end));
        }
        out.extend_from_slice(&old[(pos - at) as usize..]);
        out
    }

    /// `old` (the whole stream from offset 0) with every edit made.
    pub fn apply(&self, old: &[u8]) -> Vec<u8> {
        self.slice(0, old)
    }
}

/// The small edits that turn `old` into `new`, at stream offset `base`: line by line when both have as many
/// lines (each changed line trimmed to what differs), else one edit trimmed the same way.
pub fn fine(old: &[u8], new: &[u8], base: i64, out: &mut Vec<Edit>) {
    if old == new {
        return;
    }
    let lines = |t: &[u8]| t.split_inclusive(|&b| b == b'\n').count();
    if lines(old) != lines(new) {
        return trimmed(old, new, base, out);
    }
    let mut at = base;
    for (a, b) in old
        .split_inclusive(|&b| b == b'\n')
        .zip(new.split_inclusive(|&b| b == b'\n'))
    {
        if a != b {
            trimmed(a, b, at, out);
        }
        at += a.len() as i64;
    }
}

/// One edit turning `old` into `new` at `base`, without what they share at the start and the end.
fn trimmed(old: &[u8], new: &[u8], base: i64, out: &mut Vec<Edit>) {
    let pre = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let room = old.len().min(new.len()) - pre;
    let post = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    out.push(Edit {
        at: base + pre as i64,
        end: base + (old.len() - post) as i64,
        new: new[pre..new.len() - post].to_vec(),
    });
}

/// The edits that redact `block` (at stream offset `base`): each of its `messages` (ranges of it, in order)
/// on its parsed form (scrubbed as text when it does not parse), the bytes between them scrubbed as text.
pub fn block(
    names: &mut Pseudonyms,
    keep: Keep,
    block: &[u8],
    messages: &[Range<usize>],
    base: i64,
    out: &mut Vec<Edit>,
) {
    let mut at = 0;
    let scrub = |names: &mut Pseudonyms, old: &[u8]| {
        text::scrub(names, keep, &String::from_utf8_lossy(old)).into_bytes()
    };
    for m in messages {
        let m = m.start.min(block.len())..m.end.min(block.len());
        if m.start < at {
            // Overlapping the message before (never from a well-read stream): what is left of it is text.
            let old = &block[at.min(m.end)..m.end];
            fine(old, &scrub(names, old), base + at as i64, out);
            at = at.max(m.end);
            continue;
        }
        let gap = &block[at..m.start];
        fine(gap, &scrub(names, gap), base + at as i64, out);
        let old = &block[m.clone()];
        let stray = Raw::for_file(old);
        let text = stray.text(old);
        let new = message::redact(names, keep, stray, &text)
            .map_or_else(|| scrub(names, old), |t| stray.into_bytes(&t));
        fine(old, &new, base + m.start as i64, out);
        at = m.end;
    }
    let rest = &block[at.min(block.len())..];
    fine(rest, &scrub(names, rest), base + at as i64, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(at: i64, end: i64, new: &str) -> Edit {
        Edit {
            at,
            end,
            new: new.as_bytes().to_vec(),
        }
    }

    #[test]
    fn slices_give_each_segment_its_share_and_a_straddling_edit_to_where_it_starts() {
        let old = b"0123456789abcdef";
        // "23" -> "XYZW" (grows 2), "78a" straddles 8|… -> "-" (shrinks 2), an insertion at 12.
        let e = Edits::new(vec![
            edit(2, 4, "XYZW"),
            edit(7, 10, "-"),
            edit(12, 12, "++"),
        ]);
        let whole = e.apply(old);
        assert_eq!(whole, b"01XYZW456-ab++cdef");
        // Any cut of the stream into segments gives the same bytes, each segment starting at map(start).
        for cuts in [
            vec![0, 8, 16],
            vec![0, 3, 8, 12, 16],
            vec![0, 1, 2, 4, 7, 9, 10, 13, 16],
        ] {
            let mut joined = Vec::new();
            for w in cuts.windows(2) {
                let (a, b) = (w[0], w[1]);
                assert_eq!(e.map(a as i64), joined.len() as i64, "{cuts:?} at {a}");
                joined.extend(e.slice(a as i64, &old[a..b]));
            }
            assert_eq!(joined, whole, "{cuts:?}");
            assert_eq!(e.map(16), whole.len() as i64);
        }
        // A retransmission of 7..9 carries what the first copy of that range carried: the edit starting at 7.
        assert_eq!(e.slice(7, &old[7..9]), b"-");
        assert_eq!(e.slice(8, &old[8..10]), b"");
        assert_eq!(e.map(-1), -1);
    }

    #[test]
    fn fine_edits_are_per_line_and_trimmed() {
        let mut out = Vec::new();
        fine(
            b"A: x\r\nFrom: alice\r\nLen: 5\r\n",
            b"A: x\r\nFrom: user1\r\nLen: 6\r\n",
            100,
            &mut out,
        );
        assert_eq!(out, vec![edit(112, 117, "user1"), edit(124, 125, "6")]);
        let mut out = Vec::new();
        fine(b"ab\ncd", b"ab\nc\nd", 0, &mut out);
        assert_eq!(out, vec![edit(4, 4, "\n")]);
        let mut out = Vec::new();
        fine(b"aaa", b"aa", 0, &mut out);
        assert_eq!(Edits::new(out).apply(b"aaa"), b"aa");
    }
}
