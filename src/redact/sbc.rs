//! SBC and proxy logs written back: each message the product's reader finds (`import::siptext::vendor::places`)
//! redacted on its parsed form, as the importer reads it, and its lines' new text put back into the pieces of the
//! file they came from, in the product's framing (prefixes and indentation kept, `#015#012` and `\r\n` escapes
//! written again, a line continued in the next syslog packet or call-trace entry cut where it was cut); every
//! other byte (the products' own log lines, announcing lines, framing) goes through the token pass, line by line.

use std::ops::Range;

use super::names::Pseudonyms;
use super::raw::Raw;
use super::{message, Keep};
use crate::import::siptext::vendor::{self, PlacedLine, Product};

/// The edits of a product's log (`bytes`, UTF-8): each piece of each message with its new text.
pub(super) fn edits(
    p: &mut Pseudonyms,
    keep: Keep,
    raw: Raw,
    bytes: &[u8],
    product: Product,
) -> Vec<(Range<usize>, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in vendor::places(product, bytes) {
        if let Some(e) = entry_edits(p, keep, raw, bytes, &entry) {
            out.extend(e);
        }
    }
    out
}

/// A piece's text as the importer reads it (escapes undone).
fn decoded(bytes: &[u8], piece: &vendor::Piece) -> Option<Vec<u8>> {
    let b = bytes.get(piece.range.start as usize..piece.range.end as usize)?;
    Some(match piece.escapes {
        Some(e) => e.undo_map(b, &mut None),
        None => b.to_vec(),
    })
}

/// One message's edits; `None` when its pieces do not read back as its lines, or its redaction changes its
/// number of lines (its text is then scrubbed with the rest).
fn entry_edits(
    p: &mut Pseudonyms,
    keep: Keep,
    raw: Raw,
    bytes: &[u8],
    entry: &[PlacedLine],
) -> Option<Vec<(Range<usize>, Vec<u8>)>> {
    // Each line's pieces, read back, must be its text.
    let mut pieces: Vec<Vec<Vec<u8>>> = Vec::with_capacity(entry.len());
    for l in entry {
        let texts: Vec<Vec<u8>> = l
            .from
            .iter()
            .map(|f| decoded(bytes, f))
            .collect::<Option<_>>()?;
        if texts.concat() != l.text {
            return None;
        }
        pieces.push(texts);
    }
    // The message text as the importer reads it: each line, a CRLF after each line that ended.
    let mut sip = String::with_capacity(entry.iter().map(|l| l.text.len() + 2).sum());
    for l in entry {
        sip.push_str(&raw.text(&l.text));
        if l.terminated {
            sip.push_str("\r\n");
        }
    }
    let new = message::each(p, keep, raw, &sip);
    let mut lines = new.split("\r\n");
    let mut out = Vec::new();
    for (l, old) in entry.iter().zip(&pieces) {
        let line = lines.next()?;
        let line = raw.into_bytes(line);
        // The new text cut where the old one was cut: each piece but the last as long as it was.
        let mut rest: &[u8] = &line;
        for (k, (f, o)) in l.from.iter().zip(old).enumerate() {
            let take = if k + 1 == l.from.len() {
                rest.len()
            } else {
                boundary(rest, o.len().min(rest.len()))
            };
            let (part, after) = rest.split_at(take);
            rest = after;
            let range = f.range.start as usize..f.range.end as usize;
            let new = if part == o.as_slice() {
                bytes[range.clone()].to_vec()
            } else {
                match f.escapes {
                    Some(e) => e.redo(part, &bytes[range.clone()]),
                    None => part.to_vec(),
                }
            };
            out.push((range, new));
        }
    }
    // Nothing may be left: the last line's CRLF ends the text (or it ended without one).
    match (entry.last().is_some_and(|l| l.terminated), lines.next()) {
        (true, Some("")) | (false, None) => {}
        _ => return None,
    }
    lines.next().is_none().then_some(out)
}

/// The largest index at most `at` that does not cut a UTF-8 character.
fn boundary(s: &[u8], mut at: usize) -> usize {
    while at > 0 && at < s.len() && (s[at] & 0xC0) == 0x80 {
        at -= 1;
    }
    at
}
