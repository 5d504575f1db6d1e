//! Patterns tried only where a match may begin (the XML of bodies). regex-lite's engine (a PikeVM without literal
//! prefilters) costs the same at every byte of a search, so a pattern is tried **anchored**, at the places a
//! cheap test of the bytes lets through: the matches, their order and their captures are those of a search over
//! the whole text, as long as the test lets through every place where one may begin (the tests here hold every
//! pattern of the redaction to that, and the hand-written matcher of `tokens` to its pattern).
//!
//! A leading `\b` cannot be checked on a text cut at the place: the cut text's start counts as a non-word
//! character before it. So each alternative comes in two forms: as written, tried where the character before is
//! not a word character (there the cut says the same), and as it reads after a word character (`None` when it
//! cannot match there: a `\b` before a word character), tried where it is one.

use regex_lite::{Captures, Regex};

/// A pattern made of alternatives, ready to be tried anchored.
#[derive(Debug)]
pub(super) struct Anchored {
    /// Every alternative, anchored.
    any: Regex,
    /// The alternatives as they read after a word character, anchored (tried inside a word).
    inside: Option<Regex>,
}

/// Whether `b` is a word character for `\b` (ASCII, as regex-lite has it).
pub(super) fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Anchored {
    /// `alternatives` in order of preference: each as written, and as it reads after a word character.
    pub(super) fn new(alternatives: &[(String, Option<String>)]) -> Anchored {
        let join = |all: bool| {
            let parts: Vec<&str> = alternatives
                .iter()
                .filter_map(|a| {
                    if all {
                        Some(a.0.as_str())
                    } else {
                        a.1.as_deref()
                    }
                })
                .collect();
            (!parts.is_empty()).then(|| {
                Regex::new(&format!("^(?:{})", parts.join("|"))).expect("the pattern is valid")
            })
        };
        Anchored {
            any: join(true).expect("a pattern has an alternative"),
            inside: join(false),
        }
    }

    /// Alternatives none of which begins with `\b`: each reads the same after a word character.
    pub(super) fn plain(alternatives: &[&str]) -> Anchored {
        let all: Vec<(String, Option<String>)> = alternatives
            .iter()
            .map(|a| (a.to_string(), Some(a.to_string())))
            .collect();
        Anchored::new(&all)
    }

    /// Each match in `text` in order, as a search over the whole text finds them (without overlap), with the
    /// byte where it begins; `may_begin(bytes, i)` must be true at every such byte (it is asked only at ASCII
    /// bytes).
    pub(super) fn each(
        &self,
        text: &str,
        may_begin: impl Fn(&[u8], usize) -> bool,
        mut f: impl FnMut(&Captures<'_>, usize),
    ) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] >= 0x80 || !may_begin(bytes, i) {
                i += 1;
                continue;
            }
            let re = if i > 0 && is_word(bytes[i - 1]) {
                self.inside.as_ref()
            } else {
                Some(&self.any)
            };
            match re.and_then(|re| re.captures(&text[i..])) {
                Some(c) if c.get(0).is_some_and(|m| m.end() > 0) => {
                    let end = i + c.get(0).map_or(1, |m| m.end());
                    f(&c, i);
                    i = end;
                }
                _ => i += 1,
            }
        }
    }

    /// `text` with each match replaced by `with(captures, where it begins)`.
    pub(super) fn replace(
        &self,
        text: &str,
        may_begin: impl Fn(&[u8], usize) -> bool,
        mut with: impl FnMut(&Captures<'_>, usize) -> String,
    ) -> String {
        let mut out = String::with_capacity(text.len() + text.len() / 8);
        let mut last = 0;
        self.each(text, may_begin, |c, at| {
            out.push_str(&text[last..at]);
            out.push_str(&with(c, at));
            last = at + c.get(0).map_or(0, |m| m.end());
        });
        out.push_str(&text[last..]);
        out
    }
}

/// Whether `bytes` from `i` begin with `word`, ASCII case ignored when `fold`.
pub(super) fn starts(bytes: &[u8], i: usize, word: &[u8], fold: bool) -> bool {
    bytes.get(i..i + word.len()).is_some_and(|b| {
        if fold {
            b.eq_ignore_ascii_case(word)
        } else {
            b == word
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Anchored {
        /// The same alternatives as one pattern searched over a whole text.
        fn whole(&self) -> Regex {
            let s = self.any.as_str();
            Regex::new(&s["^(?:".len()..s.len() - 1]).unwrap()
        }
    }

    /// The matches (where, the groups that took part) of a search over the whole text.
    fn searched(re: &Regex, text: &str) -> Vec<(usize, usize, Vec<String>)> {
        re.captures_iter(text)
            .map(|c| (0, c))
            .map(|(at, c)| found(re, &c, at))
            .collect()
    }

    fn found(re: &Regex, c: &Captures<'_>, at: usize) -> (usize, usize, Vec<String>) {
        let m = c.get(0).unwrap();
        let groups = re
            .capture_names()
            .flatten()
            .filter_map(|n| c.name(n).map(|g| format!("{n}={}", g.as_str())))
            .collect();
        (at + m.start(), at + m.end(), groups)
    }

    /// How many texts are generated (20,000 passed in a release build when the matcher was written).
    const ROUNDS: usize = 1500;

    /// Texts: every fixture, and strings made of the characters the patterns turn on.
    fn texts() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out: Vec<String> = std::fs::read_dir(root.join("tests/fixtures"))
            .unwrap()
            .flatten()
            .chain(
                std::fs::read_dir(root.join("www/sample"))
                    .unwrap()
                    .flatten(),
            )
            .filter(|e| e.path().is_file())
            .map(|e| String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned())
            .collect();
        let pieces = [
            "sip:",
            "sips:",
            "tel:",
            "im:",
            "pres:",
            "@",
            ".",
            ":",
            "::",
            "[",
            "]",
            "\"",
            "<",
            ">",
            ";ext=",
            "+",
            "(",
            ")",
            "-",
            "_",
            "=",
            "\"x\" <sip:",
            "opaque=user:epid:",
            "tag=",
            "epid=",
            "urn:uuid:",
            "a=ice-pwd:",
            "inline:",
            "ms-body=",
            "response=\"",
            "a",
            "b",
            "c",
            "fe80",
            "1",
            "12",
            "425",
            "0100",
            "192",
            "x",
            "contoso",
            "com",
            " ",
            "\r\n",
            "é",
            "%",
            "/",
            "SIP/2.0/TLS ",
            "Peer: ",
            "targetname=\"",
            "ms-fe=",
            "<displayName>",
            "</",
            "displayName=\"",
            "<contact ",
            "name=\"",
            "<tel>",
            "<ns:body x=\"1\">",
            "<a:b:title>",
            "<title\t",
            "<resource ",
            "[::1]",
            "1.2.3.4",
            "+1 425 ",
            "(425) ",
            "555-0100",
            "a-",
            "-b",
            "ms-opaque=",
            "gssapi-data=\"",
            "nonce=\"",
            ";",
            ",",
            "2001:db8:",
            "0:0:0:0:0:0:0:1",
            "x.y_z",
            "\t",
            "sip:+1425@",
            "tel:+",
            "user=phone",
        ];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..ROUNDS {
            let mut s = String::new();
            for _ in 0..24 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                s.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            out.push(s);
        }
        out
    }

    #[test]
    fn anchored_tries_find_what_a_whole_search_finds() {
        let xml = crate::redact::message::xml_patterns();
        type MayBegin = fn(&[u8], usize) -> bool;
        let all: Vec<(&Anchored, MayBegin)> = vec![
            (&xml[0], crate::redact::message::free_text_may_begin),
            (&xml[1], crate::redact::message::phone_may_begin),
            (&xml[2], crate::redact::message::name_may_begin),
            (&xml[3], crate::redact::message::attribute_may_begin),
        ];
        let texts = texts();
        // The token pass's matcher, written by hand, against its pattern.
        let tokens = Regex::new(&crate::redact::tokens::alternatives().join("|")).unwrap();
        for text in &texts {
            let mut found = Vec::new();
            let mut from = 0;
            while let Some(t) = crate::redact::tokens::next(text, from) {
                found.push((t.range.start, t.range.end, t.groups(text)));
                from = t.range.end;
            }
            assert_eq!(searched(&tokens, text), found, "tokens in {text}");
        }
        let learnt = Regex::new(&crate::redact::tokens::learnt()).unwrap();
        for text in &texts {
            let mut found = Vec::new();
            let mut from = 0;
            while let Some((end, h)) = crate::redact::tokens::next_learnt(text, from) {
                found.push((end, text[h].to_string()));
                from = end;
            }
            let want: Vec<(usize, String)> = learnt
                .captures_iter(text)
                .map(|c| (c.get(0).unwrap().end(), c["h"].to_string()))
                .collect();
            assert_eq!(want, found, "learnt hosts in {text}");
        }
        for (k, (a, may_begin)) in all.into_iter().enumerate() {
            let re = a.whole();
            for text in &texts {
                let mut tried = Vec::new();
                a.each(text, may_begin, |c, at| tried.push(found(&re, c, at)));
                assert_eq!(searched(&re, text), tried, "pattern {k} on {text}");
            }
        }
    }
}
