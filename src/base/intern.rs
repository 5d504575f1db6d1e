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

/// The strings of one analysis.
#[derive(Debug, Clone, Default)]
pub struct Interner {
    text: String,
    /// Where each symbol's string is in `text`: symbol `n` is `spans[n - 1]`.
    spans: Vec<(usize, usize)>,
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
        let start = self.text.len();
        self.text.push_str(s);
        self.spans.push((start, self.text.len()));
        let n = u32::try_from(self.spans.len()).expect("fewer than 2^32 distinct strings");
        Sym(NonZeroU32::new(n).expect("n ≥ 1"))
    }

    /// The string of a symbol (empty for a symbol of another interner that is out of range).
    pub fn get(&self, sym: Sym) -> &str {
        self.spans
            .get(sym.0.get() as usize - 1)
            .map_or("", |&(a, b)| &self.text[a..b])
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
                .map(|&(a, b)| self.intern(&other.text[a..b]))
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
