//! Search: which messages contain a text (ASCII letters case-insensitive), over the text the analysis already
//! holds, so a search never reads the file again and never copies a message.
//!
//! A message matches when its SIP text (start line, headers, body), one of its endpoints (`host:port` as the log
//! or the inference gave them, the merged lifeline name included) or the endpoints of another sighting of it in a
//! merged file contain the query. Letters outside ASCII (Korean display names, accented names) match exactly.

use crate::store::{Analysis, Msg};
use memchr::{memchr2_iter, memchr_iter};

/// A query prepared for repeated case-insensitive matching.
#[derive(Debug, Clone)]
pub struct Finder {
    needle: Vec<u8>,
}

impl Finder {
    /// `None` for a query that is empty once trimmed (it would match everything).
    pub fn new(query: &str) -> Option<Finder> {
        let q = query.trim();
        (!q.is_empty()).then(|| Finder {
            needle: q.as_bytes().to_ascii_lowercase(),
        })
    }

    /// Whether `hay` contains the query, ASCII letters compared without case.
    pub fn is_in(&self, hay: &[u8]) -> bool {
        let n = &self.needle;
        let first = n[0];
        let fits = |i: usize| {
            hay.get(i..i + n.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(n))
        };
        if first.is_ascii_lowercase() {
            memchr2_iter(first, first.to_ascii_uppercase(), hay).any(fits)
        } else {
            memchr_iter(first, hay).any(fits)
        }
    }

    fn in_endpoints(&self, m: &Msg) -> bool {
        self.is_in(m.src.as_bytes()) || self.is_in(m.dst.as_bytes())
    }
}

impl Analysis {
    /// Indices of the messages that contain `query` (see the module comment), in ladder order. Empty for an
    /// empty query.
    pub fn search(&self, query: &str) -> Vec<u32> {
        let Some(f) = Finder::new(query) else {
            return Vec::new();
        };
        self.messages
            .iter()
            .enumerate()
            .filter(|&(i, m)| {
                f.in_endpoints(m)
                    || f.is_in(self.lifeline(&m.src).as_bytes())
                    || f.is_in(self.lifeline(&m.dst).as_bytes())
                    || m.also.iter().any(|a| f.in_endpoints(a))
                    || self.with_text(i as u32, |t| f.is_in(t)) == Some(true)
            })
            .map(|(i, _)| i as u32)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finder_ignores_ascii_case_only() {
        let f = Finder::new("  On2@LimCM.com ").unwrap();
        assert!(f.is_in(b"To: <sip:on2@limcm.com>;tag=1"));
        assert!(f.is_in(b"ON2@LIMCM.COM"));
        assert!(!f.is_in(b"on2@limcm.co"));
        assert!(!f.is_in(b""));
        let f = Finder::new("192.168.1.51").unwrap();
        assert!(f.is_in(b"Via: SIP/2.0/TLS 192.168.1.51:51882"));
        assert!(!f.is_in(b"192.168.1.5"));
        let f = Finder::new("홍길동").unwrap();
        assert!(f.is_in("From: \"홍길동\" <sip:hong@limcm.com>".as_bytes()));
        assert!(Finder::new("   ").is_none());
    }

    #[test]
    fn search_matches_text_and_endpoints() {
        let a = Analysis::of_files([(
            "sample.uccapilog",
            include_bytes!("../../www/sample/sample.uccapilog").as_slice(),
        )]);
        let n = a.messages.len();
        assert_eq!(a.search("").len(), 0);
        assert_eq!(a.search("no-such-text-anywhere-42").len(), 0);
        // Every message of the sample is sent to or received from the Access Edge's public address.
        assert_eq!(a.search("211.208.253.66").len(), n);
        let benotify = a.search("benotify");
        assert!(!benotify.is_empty());
        for &i in &benotify {
            let text = String::from_utf8_lossy(&a.sip(i).raw).to_lowercase();
            assert!(
                text.contains("benotify"),
                "message {i} does not hold BENOTIFY"
            );
        }
        // Hits come in ladder order.
        assert!(benotify.windows(2).all(|w| w[0] < w[1]));
    }
}
