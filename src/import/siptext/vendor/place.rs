//! Where each message's text is in a product's log: each rebuilt line's pieces of the file (with the escapes they
//! were written with), and each message's lines as the importer reads them — what the redaction writes back into.

use super::{is_blank, Escapes, Out, Product, Reader};
use crate::import::lines::Line;

/// Escaped text with its escapes undone, and where each byte came from in the file.
pub struct Mapped {
    pub text: Vec<u8>,
    map: Vec<usize>,
    /// The file offset of the escaped text.
    base: u64,
    escapes: Option<Escapes>,
}

impl Mapped {
    /// `s` (a slice of line `l`'s text) with the escapes it has undone.
    pub fn of(l: &Line<'_>, s: &[u8]) -> Mapped {
        let base = l.start + (s.as_ptr() as usize).saturating_sub(l.text.as_ptr() as usize) as u64;
        let escapes = Escapes::of(s);
        let mut map = Some(Vec::with_capacity(s.len() + 1));
        let text = match escapes {
            Some(e) => e.undo_map(s, &mut map),
            None => {
                map = Some((0..=s.len()).collect());
                s.to_vec()
            }
        };
        Mapped {
            text,
            map: map.unwrap_or_default(),
            base,
            escapes,
        }
    }

    /// Where `text[a..b]` is in the file.
    pub fn piece(&self, a: usize, b: usize) -> Piece {
        let at = |i: usize| self.base + *self.map.get(i).or(self.map.last()).unwrap_or(&0) as u64;
        Piece {
            range: at(a)..at(b),
            escapes: self.escapes,
        }
    }
}

/// Where a piece of a message line is in the file, and how it is escaped there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub range: std::ops::Range<u64>,
    pub escapes: Option<Escapes>,
}

/// `s`, a slice of line `l`'s text, as a piece written as it is.
pub(super) fn piece(l: &Line<'_>, s: &[u8]) -> Piece {
    let at = l.start + (s.as_ptr() as usize).saturating_sub(l.text.as_ptr() as usize) as u64;
    Piece {
        range: at..at + s.len() as u64,
        escapes: None,
    }
}

/// A line of a message as a product's log holds it: its text (escapes undone, pieces joined), whether a line
/// break ended it, and where its pieces are in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedLine {
    pub text: Vec<u8>,
    pub terminated: bool,
    pub from: Vec<Piece>,
}

/// Each message of a product's log (UTF-8 text) as the importer reads it: its lines, from its start line on.
pub fn places(product: Product, bytes: &[u8]) -> Vec<Vec<PlacedLine>> {
    let mut reader = Reader::new(product);
    let mut lines = crate::import::lines::LineReader::new();
    let mut entries: Vec<Vec<PlacedLine>> = Vec::new();
    let mut open: Option<Vec<PlacedLine>> = None;
    let mut take = |l: Line<'_>| {
        let mut outs = Vec::new();
        reader.line(&l, &mut outs);
        collect(outs, Some(&l), &mut open, &mut entries);
    };
    lines.push(bytes, &mut take);
    lines.finish(&mut take);
    let mut outs = Vec::new();
    reader.finish(&mut outs);
    collect(outs, None, &mut open, &mut entries);
    entries.extend(open);
    entries.retain(|e| !e.is_empty());
    entries
}

fn collect(
    outs: Vec<Out<'_>>,
    l: Option<&Line<'_>>,
    open: &mut Option<Vec<PlacedLine>>,
    entries: &mut Vec<Vec<PlacedLine>>,
) {
    for o in outs {
        let line = match o {
            Out::Begin(_) => {
                entries.extend(open.replace(Vec::new()));
                continue;
            }
            Out::End | Out::Cut(_) | Out::Other | Out::Log(_) => {
                entries.extend(open.take());
                continue;
            }
            Out::Tail(s) => match l {
                Some(l) => PlacedLine {
                    text: s.to_vec(),
                    terminated: l.terminated,
                    from: vec![piece(l, s)],
                },
                None => continue,
            },
            Out::Rebuilt {
                text,
                terminated,
                from,
                ..
            } => PlacedLine {
                text,
                terminated,
                from,
            },
            _ => continue,
        };
        // The lines before the start line are not the message's (the importer skips them).
        if let Some(e) = open.as_mut() {
            if !e.is_empty() || !is_blank(&line.text) {
                e.push(line);
            }
        }
    }
}
