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
}
