//! Finding messages: free-text search, and the query language (`method:INVITE status:4xx -from:alice`) that the
//! page's filter box and the CLI's `--filter` share.
//!
//! Free text: a message matches when its SIP text (start line, headers, body), one of its endpoints (`host:port`
//! as the log or the inference gave them, the merged lifeline name included) or the endpoints of another
//! sighting of it in a merged file contain the words. ASCII letters match without case; letters outside ASCII
//! (Korean display names, accented names) match exactly.
//!
//! The query language: [`parse`] (the grammar, fields and errors) gives an [`Expr`] of [`Term`]s; [`Query`]
//! evaluates it per message ([`eval`]), from what the analysis holds first (method, status, Call-ID, CSeq,
//! direction, file, conversation, findings, times, endpoints) and reading a message's text back only when a term
//! needs it (words, `from:`, `to:`, `user:`, `header:`, `code:`) and the rest did not already decide.

mod eval;
pub mod ip;
pub mod parse;
pub mod time;

pub use eval::Query;
pub use parse::{parse, Expr, QueryError, FIELDS};

use crate::base::diag::Severity;
use crate::explain::findings::FindingKind;
use crate::import::Direction;
use memchr::{memchr2_iter, memchr_iter};

/// One condition of a query.
#[derive(Debug, Clone)]
pub enum Term {
    /// Words, a phrase or a /regex/ anywhere: text, endpoints, lifeline names.
    Text(Needle),
    /// A request's method, or a response's CSeq method (upper case).
    Method(String),
    /// A response status within the inclusive range.
    Status((u16, u16)),
    From(Needle),
    To(Needle),
    /// From, To, the Request-URI, P-Asserted-Identity or Contact.
    User(Needle),
    CallId(Needle),
    /// CSeq number, and method when given (upper case).
    CSeq(u32, Option<String>),
    /// A header by name (compact forms too); with a value, one of its values must match.
    Header(String, Option<Needle>),
    /// An ms-diagnostics, ms-diagnostics-public or ms-client-diagnostics code.
    Code(u32),
    Direction(Direction),
    /// A file by index (0-based; written 1-based).
    FileNumber(u32),
    FileName(Needle),
    /// A conversation by index (0-based; written 1-based, as the page lists them).
    Conversation(u32),
    /// Messages a finding names (its message and the related ones): of one kind, of one severity, or any.
    Finding(Option<FindingKind>, Option<Severity>),
    After(time::Bound),
    Before(time::Bound),
    Ip(ip::Address),
    /// Trace lines of this level (or of it and worse, when the flag says so); never a message.
    Level(crate::import::trace::Level, bool),
    /// Trace lines of a thread (hex ids as written: `2738:14E0`, or the thread id alone); never a message.
    Thread(String),
}

/// Whether thread `name` (as a log writes it: `2738:14E0`, `0A3C.1B2C`) is the one `want` names: all its ids,
/// or the thread id alone; hex digits compared without case or leading zeros.
pub fn thread_is(name: &str, want: &str) -> bool {
    fn ids(s: &str) -> Vec<&str> {
        s.split([':', '.'])
            .map(|p| p.trim_start_matches('0'))
            .collect()
    }
    let (have, want) = (ids(name), ids(want));
    let same = |a: &[&str], b: &[&str]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
    };
    same(&have, &want)
        || (want.len() == 1 && have.last().is_some_and(|t| t.eq_ignore_ascii_case(want[0])))
}

/// Text to look for: a word or phrase (ASCII case-insensitive), or a regular expression (case-insensitive
/// unless it says `(?-i)`).
#[derive(Debug, Clone)]
pub enum Needle {
    Text(Finder),
    Regex(regex_lite::Regex),
}

impl Needle {
    pub fn text(t: &str) -> Needle {
        Needle::Text(Finder {
            needle: t.as_bytes().to_ascii_lowercase(),
        })
    }

    /// A case-insensitive regular expression, or why `pattern` is not one.
    pub fn regex(pattern: &str) -> Result<Needle, String> {
        regex_lite::RegexBuilder::new(pattern)
            .case_insensitive(true)
            .size_limit(1 << 20)
            .build()
            .map(Needle::Regex)
            .map_err(|e| {
                let first = e.to_string();
                let reason = first
                    .lines()
                    .last()
                    .unwrap_or("")
                    .trim()
                    .trim_start_matches("error: ");
                format!("not a regular expression: {reason}")
            })
    }

    /// Whether `hay` holds the needle (a regex on bytes that are not UTF-8 sees them replaced).
    pub fn is_in(&self, hay: &[u8]) -> bool {
        match self {
            Needle::Text(f) => f.is_in(hay),
            Needle::Regex(r) => match std::str::from_utf8(hay) {
                Ok(s) => r.is_match(s),
                Err(_) => r.is_match(&String::from_utf8_lossy(hay)),
            },
        }
    }
}

/// A word or phrase prepared for repeated case-insensitive matching ([`Needle::text`] makes one).
#[derive(Debug, Clone)]
pub struct Finder {
    needle: Vec<u8>,
}

impl Finder {
    /// Whether `hay` contains the query, ASCII letters compared without case.
    pub fn is_in(&self, hay: &[u8]) -> bool {
        let n = &self.needle;
        let Some(&first) = n.first() else {
            return true;
        };
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Analysis;

    #[test]
    fn threads_match_by_all_ids_or_the_thread_id() {
        assert!(thread_is("2738:14E0", "2738:14e0"));
        assert!(thread_is("2738:14E0", "14E0"));
        assert!(thread_is("00002738:000014E0", "2738:14E0"));
        assert!(thread_is("0A3C.1B2C", "1b2c"));
        assert!(thread_is("0A3C.1B2C", "a3c.1b2c"));
        assert!(!thread_is("2738:14E0", "2738"));
        assert!(!thread_is("2738:14E0", "2738:14E1"));
        assert!(!thread_is("2738:114E0", "14E0"));
    }

    #[test]
    fn finder_ignores_ascii_case_only() {
        let f = Needle::text("On2@LimCM.com");
        assert!(f.is_in(b"To: <sip:on2@limcm.com>;tag=1"));
        assert!(f.is_in(b"ON2@LIMCM.COM"));
        assert!(!f.is_in(b"on2@limcm.co"));
        assert!(!f.is_in(b""));
        let f = Needle::text("192.168.1.51");
        assert!(f.is_in(b"Via: SIP/2.0/TLS 192.168.1.51:51882"));
        assert!(!f.is_in(b"192.168.1.5"));
        let f = Needle::text("홍길동");
        assert!(f.is_in("From: \"홍길동\" <sip:hong@limcm.com>".as_bytes()));
    }

    #[test]
    fn search_matches_text_and_endpoints() {
        let a = Analysis::of_files([(
            "sample.uccapilog",
            include_bytes!("../../www/sample/sample.uccapilog").as_slice(),
        )]);
        let n = a.messages.len();
        let search = |q: &str| Query::new(&a, q).unwrap().run(&a);
        assert_eq!(search("").len(), n, "the empty query is everything");
        assert_eq!(search("no-such-text-anywhere-42").len(), 0);
        // Every message of the sample is sent to or received from the Access Edge's public address.
        assert_eq!(search("211.208.253.66").len(), n);
        let benotify = search("benotify");
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

#[cfg(test)]
mod query_tests {
    use super::*;
    use crate::sip::Message;
    use crate::store::Analysis;

    fn fixture(name: &str) -> Analysis {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(root.join(name)).unwrap();
        Analysis::of_files([(name, bytes.as_slice())])
    }

    /// `q` gives exactly the messages for which `want` holds of the parsed message; returns how many.
    fn agrees(a: &Analysis, q: &str, want: impl Fn(u32, &Message) -> bool) -> usize {
        let got = Query::new(a, q).unwrap().run(a);
        let expect: Vec<u32> = (0..a.messages.len() as u32)
            .filter(|&i| want(i, &a.sip(i)))
            .collect();
        assert_eq!(got, expect, "{q}");
        got.len()
    }

    fn header_has(m: &Message, name: &str, part: &str) -> bool {
        m.headers_named(name)
            .any(|v| v.to_ascii_lowercase().contains(&part.to_ascii_lowercase()))
    }

    fn method_of(m: &Message) -> String {
        m.method()
            .map(str::to_string)
            .or(m.cseq_method())
            .unwrap_or_default()
    }

    #[test]
    fn fields_agree_with_the_parsed_messages() {
        for name in [
            "www/sample/sample.uccapilog",
            "tests/fixtures/server-edge.log",
            "tests/fixtures/seed-presence.uccapilog",
        ] {
            let a = fixture(name);
            let n = a.messages.len();
            assert!(n > 1, "{name}");
            let registers = agrees(&a, "method:register", |_, m| method_of(m) == "REGISTER");
            agrees(&a, "method:BENOTIFY OR method:NOTIFY", |_, m| {
                ["BENOTIFY", "NOTIFY"].contains(&method_of(m).as_str())
            });
            let challenged = agrees(&a, "status:401", |_, m| m.status() == Some(401));
            agrees(&a, "status:>=400 -status:401", |_, m| {
                m.status().is_some_and(|s| s >= 400 && s != 401)
            });
            let requests = agrees(&a, "status:<100 OR -status:100-699", |_, m| m.is_request());
            agrees(&a, "from:on1", |_, m| header_has(m, "From", "on1"));
            agrees(&a, "to:/on[0-9]@/", |_, m| {
                m.headers_named("To").any(|v| {
                    let v = v.to_ascii_lowercase();
                    (0..10).any(|d| v.contains(&format!("on{d}@")))
                })
            });
            agrees(&a, "user:limcm", |_, m| {
                m.start_line().to_ascii_lowercase().contains("limcm") && m.is_request()
                    || ["From", "To", "P-Asserted-Identity", "Contact"]
                        .iter()
                        .any(|h| header_has(m, h, "limcm"))
            });
            agrees(&a, "header:ms-diagnostics", |_, m| {
                m.header("ms-diagnostics").is_some()
            });
            agrees(&a, "header:Content-Type=pidf", |_, m| {
                header_has(m, "Content-Type", "pidf")
            });
            agrees(&a, "code:1007", |_, m| {
                header_has(m, "ms-diagnostics", "1007;")
            });
            agrees(&a, "cseq:1", |_, m| m.cseq().is_some_and(|(c, _)| c == 1));
            agrees(&a, "cseq:\"1 register\"", |_, m| {
                m.cseq().is_some_and(|(c, x)| c == 1 && x == "REGISTER")
            });
            let cid = a.syms().get(a.messages[0].brief.call_id).to_string();
            agrees(
                &a,
                &format!("callid:{}", &cid[..8.min(cid.len())]),
                |_, m| {
                    m.call_id()
                        .is_some_and(|c| c.contains(&cid[..8.min(cid.len())]))
                },
            );
            let inbound = agrees(&a, "direction:in", |i, _| {
                a.messages[i as usize].direction == Direction::Received
            });
            agrees(&a, "direction:out", |i, _| {
                a.messages[i as usize].direction == Direction::Sent
            });
            agrees(&a, "conversation:1", |i, _| {
                a.flow.links[i as usize].conversation == Some(0)
            });
            agrees(&a, "file:1", |_, _| true);
            agrees(&a, "file:2", |_, _| false);
            // The first message's time: `after:` takes it, `before:` does not.
            if let Some(t) = a.messages[0].time {
                let at = t.to_string();
                agrees(&a, &format!("after:\"{at}\""), |i, _| {
                    a.messages[i as usize].time.is_some_and(|x| x >= t)
                });
                agrees(&a, &format!("before:{}", t.clock()), |i, _| {
                    a.messages[i as usize].time.is_some_and(|x| x < t)
                });
            }
            let ip = a.messages[0].dst.to_string();
            agrees(&a, &format!("ip:{ip}"), |i, _| {
                let m = &a.messages[i as usize];
                *m.src == *ip || *m.dst == *ip
            });
            // Words: exactly what search finds; a negated word is the rest.
            let words = Query::new(&a, "benotify").unwrap().run(&a);
            for &i in &words {
                let m = &a.messages[i as usize];
                let raw = String::from_utf8_lossy(&a.sip(i).raw).to_ascii_lowercase();
                assert!(
                    raw.contains("benotify")
                        || m.src.contains("benotify")
                        || m.dst.contains("benotify")
                );
            }
            let not = Query::new(&a, "-benotify").unwrap().run(&a);
            assert_eq!(words.len() + not.len(), n, "{name}");
            assert!(Query::new(&a, "").unwrap().is_all());
            assert_eq!(Query::new(&a, "").unwrap().run(&a).len(), n);
            if name.ends_with("sample.uccapilog") {
                assert!(registers > 0 && challenged > 0 && requests > 0 && inbound > 0);
            }
        }
    }

    #[test]
    fn findings_select_the_messages_they_name() {
        let a = fixture("www/sample/sample.uccapilog");
        let all = crate::explain::findings::findings(&a);
        assert!(!all.is_empty());
        let mut named: Vec<u32> = all
            .iter()
            .flat_map(|f| std::iter::once(f.msg).chain(f.related.iter().copied()))
            .collect();
        named.sort_unstable();
        named.dedup();
        assert_eq!(Query::new(&a, "finding:any").unwrap().run(&a), named);
        let kind = all[0].kind;
        let one = Query::new(
            &a,
            &format!(
                "finding:{}",
                serde_json::to_value(kind).unwrap().as_str().unwrap()
            ),
        )
        .unwrap()
        .run(&a);
        assert!(one.contains(&all[0].msg));
        assert!(one.len() <= named.len());
    }
}
