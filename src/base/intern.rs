//! String interning: the short strings every message repeats (Call-IDs, methods, URIs, tags, branches) stored
//! once, each message keeping a 4-byte [`Sym`] instead of its own copy.
//!
//! One text arena holds every distinct string; a table keyed by the string's 64-bit hash finds it again (a second
//! table holds the rare strings whose hash another string already took, so equal symbols always mean equal
//! strings). Written here rather than taken from a crate: it is forty lines over the crate's own hasher, and the
//! interning crates in the registry either allocate per string or are thread-safe at a cost this single-threaded
//! engine does not need.

use super::fxhash::{FxHasher, FxMap};
use std::hash::Hasher;
use std::num::NonZeroU32;

/// An interned string: equal symbols of one [`Interner`] are equal strings and the other way round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(NonZeroU32);

/// Bytes of one block of the text arena (a longer string gets a block of its own).
const TEXT_BLOCK: usize = 256 << 10;
/// Spans in one block of the span table.
const SPAN_BLOCK_BITS: u32 = 14;
const SPAN_BLOCK: usize = 1 << SPAN_BLOCK_BITS;

/// Where a symbol's string is: its text block and its range there.
#[derive(Debug, Clone, Copy)]
struct Span {
    block: u32,
    start: u32,
    end: u32,
}

/// The strings of one analysis.
///
/// The text and the spans grow in fixed blocks, never by doubling: a doubling vector holds its last two sizes at
/// once and copies everything into fresh memory at every step.
#[derive(Debug, Clone, Default)]
pub struct Interner {
    /// The text arena, in blocks of [`TEXT_BLOCK`] bytes (or one string's, when longer): a block is never grown.
    text: Vec<String>,
    /// Where each symbol's string is: symbol `n` is span `n - 1`, in blocks of [`SPAN_BLOCK`].
    spans: Vec<Vec<Span>>,
    /// Symbols given so far.
    len: u32,
    by_hash: FxMap<u64, Sym>,
    /// Strings whose hash another string took first.
    collided: FxMap<Box<str>, Sym>,
}

fn hash(s: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(s.as_bytes());
    h.finish()
}

impl Interner {
    /// The symbol of `s`, adding it when new.
    pub fn intern(&mut self, s: &str) -> Sym {
        let h = hash(s);
        match self.by_hash.get(&h) {
            Some(&sym) if self.get(sym) == s => sym,
            Some(_) => match self.collided.get(s) {
                Some(&sym) => sym,
                None => {
                    let sym = self.add(s);
                    self.collided.insert(s.into(), sym);
                    sym
                }
            },
            None => {
                let sym = self.add(s);
                self.by_hash.insert(h, sym);
                sym
            }
        }
    }

    fn add(&mut self, s: &str) -> Sym {
        let fits = self
            .text
            .last()
            .is_some_and(|b| b.capacity() - b.len() >= s.len());
        if !fits {
            self.text
                .push(String::with_capacity(s.len().max(TEXT_BLOCK)));
        }
        let block = self.text.len() - 1;
        let text = &mut self.text[block];
        let start = text.len();
        text.push_str(s);
        let span = Span {
            block: block as u32,
            start: start as u32,
            end: text.len() as u32,
        };
        if self.spans.last().is_none_or(|b| b.len() == SPAN_BLOCK) {
            self.spans.push(Vec::with_capacity(SPAN_BLOCK));
        }
        self.spans.last_mut().expect("a block").push(span);
        self.len = self
            .len
            .checked_add(1)
            .expect("fewer than 2^32 distinct strings");
        Sym(NonZeroU32::new(self.len).expect("n ≥ 1"))
    }

    /// The string of a symbol (empty for a symbol of another interner that is out of range).
    pub fn get(&self, sym: Sym) -> &str {
        let n = sym.0.get() as usize - 1;
        self.spans
            .get(n >> SPAN_BLOCK_BITS)
            .and_then(|b| b.get(n & (SPAN_BLOCK - 1)))
            .map_or("", |sp| self.text_of(sp))
    }

    fn text_of(&self, sp: &Span) -> &str {
        &self.text[sp.block as usize][sp.start as usize..sp.end as usize]
    }
}

/// The symbols of one interner as symbols of another ([`Interner::absorb`]).
#[derive(Debug, Clone, Default)]
pub struct Remap(Vec<Sym>);

impl Remap {
    /// The other interner's symbol for `sym`.
    pub fn sym(&self, sym: Sym) -> Sym {
        self.0[sym.0.get() as usize - 1]
    }
}

impl Interner {
    /// Intern every string of `other`, in the order `other` took them. Strings interned one after the other in
    /// two interners, then absorbed in that order, get the symbols one interner would have given them.
    pub fn absorb(&mut self, other: &Interner) -> Remap {
        Remap(
            other
                .spans
                .iter()
                .flatten()
                .map(|sp| self.intern(other.text_of(sp)))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_get_equal_symbols_and_read_back() {
        let mut i = Interner::default();
        let a = i.intern("3c5e0b1a2f@limcm.com");
        let b = i.intern("SUBSCRIBE");
        assert_eq!(i.intern("3c5e0b1a2f@limcm.com"), a);
        assert_ne!(a, b);
        assert_eq!(i.get(a), "3c5e0b1a2f@limcm.com");
        assert_eq!(i.get(b), "SUBSCRIBE");
        assert_ne!(i.intern("NOTIFY"), b);
        let empty = i.intern("");
        assert_eq!(i.get(empty), "");
    }

    #[test]
    fn strings_across_blocks_read_back() {
        let mut i = Interner::default();
        let long = "x".repeat(TEXT_BLOCK + 3);
        let words: Vec<String> = (0..2 * SPAN_BLOCK + 5).map(|n| format!("w{n}")).collect();
        let mut syms: Vec<Sym> = words.iter().map(|w| i.intern(w)).collect();
        syms.push(i.intern(&long));
        syms.push(i.intern("after"));
        assert!(i.text.len() >= 2 && i.spans.len() == 3);
        for (w, &s) in words.iter().zip(&syms) {
            assert_eq!(i.get(s), w);
            assert_eq!(i.intern(w), s);
        }
        assert_eq!(i.get(syms[words.len()]), long);
        assert_eq!(i.get(syms[words.len() + 1]), "after");
    }

    #[test]
    fn a_hash_collision_still_gives_distinct_symbols() {
        let mut i = Interner::default();
        let a = i.intern("first");
        // Force a collision: file "second" under the hash of "first".
        let h = hash("second");
        i.by_hash.insert(h, a);
        let b = i.intern("second");
        assert_ne!(a, b);
        assert_eq!(i.get(b), "second");
        assert_eq!(i.intern("second"), b);
    }

    #[test]
    fn absorbing_pieces_in_order_gives_the_symbols_of_one_interner() {
        let words = [
            "INVITE", "a@b", "INVITE", "z9hG4bK1", "a@b", "BYE", "z9hG4bK2",
        ];
        let mut one = Interner::default();
        let want: Vec<Sym> = words.iter().map(|w| one.intern(w)).collect();
        for cut in 0..=words.len() {
            let (mut a, mut b, mut all) = (
                Interner::default(),
                Interner::default(),
                Interner::default(),
            );
            let first: Vec<Sym> = words[..cut].iter().map(|w| a.intern(w)).collect();
            let second: Vec<Sym> = words[cut..].iter().map(|w| b.intern(w)).collect();
            let (ra, rb) = (all.absorb(&a), all.absorb(&b));
            let got: Vec<Sym> = first
                .iter()
                .map(|&s| ra.sym(s))
                .chain(second.iter().map(|&s| rb.sym(s)))
                .collect();
            assert_eq!(got, want, "cut at {cut}");
        }
    }
}
