//! The redaction property, shared by the tests of every format: the copy analyzes to the same flow (messages,
//! transactions, conversations, subscriptions, kinds of findings and diagnostics), each identifier renamed one
//! way, and none of the original's sensitive values left in it.
// Each test file that includes `common` uses part of it.
#![allow(dead_code)]

use regex_lite::Regex;
use sipscope::explain::findings::findings;
use sipscope::redact::{redact_all, Category, Keep, Redactor};
use sipscope::Analysis;
use std::collections::{BTreeSet, HashMap, HashSet};

pub fn analyze(bytes: &[u8]) -> Analysis {
    Analysis::of_files([("input", bytes)])
}

/// What must not change: messages (method or status), transactions, conversations, subscriptions, the kinds
/// of findings and diagnostics.
#[derive(Debug, PartialEq)]
pub struct Shape {
    pub messages: Vec<String>,
    pub transactions: usize,
    pub conversations: usize,
    pub subscriptions: usize,
    pub findings: BTreeSet<String>,
    pub diagnostics: BTreeSet<String>,
}

/// The shape a copy must keep: a capture's copy leaves out the payloads that are not SIP, and says so as packets
/// cut short by the snapshot length (the one diagnostic a copy may add).
pub fn copy_shape(a: &Analysis) -> Shape {
    let mut s = shape(a);
    s.diagnostics.remove("CaptureSnaplen");
    // The redacted messages change length, so a capture's TLS records no longer line up with them (and the copy
    // leaves the records' payloads out).
    s.diagnostics.remove("TlsRecordsMatched");
    s.diagnostics.remove("TlsRecordsUnmatched");
    s
}

pub fn shape(a: &Analysis) -> Shape {
    Shape {
        messages: (0..a.messages.len() as u32)
            .map(|i| {
                let m = a.sip(i);
                m.method()
                    .map_or_else(|| m.status().unwrap_or(0).to_string(), str::to_string)
            })
            .collect(),
        transactions: a.flow.transactions.len(),
        conversations: a.flow.conversations.len(),
        subscriptions: a.flow.subscriptions.len(),
        findings: findings(a)
            .iter()
            .map(|f| format!("{:?}", f.kind))
            .collect(),
        diagnostics: a
            .diagnostics
            .iter()
            .map(|d| format!("{:?}", d.code))
            .collect(),
    }
}

/// Where the sensitive values stand: in the first group of each pattern.
fn patterns() -> [Regex; 9] {
    [
        r"(?im)^(?:call-id|i)[ \t]*:[ \t]*([^\s]+)",
        r"(?i)\bsips?:([^@\s;<>,:]+)@",
        r"(?i)\bsips?:(?:[^@\s;<>,:]+@)?([A-Za-z0-9.-]+\.[A-Za-z]{2,})",
        r"SIP/2\.0/[A-Z]+ ([A-Za-z0-9.-]+)",
        r"\b(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\b",
        r"\b(?:tag|epid|branch)=([^;>\s,]+)",
        r"opaque=user:epid:([^;>\s,]+)",
        r#""([^"\r\n]+)"\s*<sip"#,
        r#"\b(?:gssapi-data|response|rspauth|crand|srand|opaque|signature)="([^"]+)""#,
    ]
    .map(|p| Regex::new(p).unwrap())
}

/// Every sensitive value of the original: URI users and domains, addresses, host names, Call-IDs, tags, epids,
/// branches, display names, authentication values.
pub fn originals(a: &Analysis) -> BTreeSet<String> {
    let patterns = patterns();
    // Display names anywhere in a message: unquoted before a URI, and a body's names of people.
    let names = [
        r"(?m)^(?:From|To|Contact|P-Asserted-Identity|Referred-By|f|t|m)[ \t]*:[ \t]*([^\x22<>,;\r\n]*[^\x22<>,;\s])[ \t]*<",
        r#"\bdisplayName="([^"]+)""#,
        r"<displayName>([^<]+)</displayName>",
        r#"<contact\b[^<>]*?\bname="([^"]+)""#,
    ]
    .map(|p| Regex::new(p).unwrap());
    let mut out = BTreeSet::new();
    for i in 0..a.messages.len() as u32 {
        let m = a.sip(i);
        if let Some(c) = m.call_id() {
            out.insert(c.into_owned());
        }
        let text = String::from_utf8_lossy(&m.raw[..m.body.start as usize]).into_owned();
        for re in &patterns {
            for c in re.captures_iter(&text) {
                out.insert(c[1].to_string());
            }
        }
        let whole = String::from_utf8_lossy(&m.raw);
        for re in &names {
            for c in re.captures_iter(&whole) {
                out.insert(c[1].to_string());
            }
        }
        // An IM's text, line by line.
        if m.content_type()
            .is_some_and(|t| t.starts_with("text/plain"))
        {
            let body = String::from_utf8_lossy(m.body()).into_owned();
            out.extend(
                body.lines()
                    .map(str::trim)
                    .filter(|l| l.len() >= 4)
                    .map(str::to_string),
            );
        }
    }
    // Loopback, unspecified, the vocabularies' own domains and those kept for documentation (RFC 2606: the
    // `example` domains and the `.example` top-level domain, which the stand-ins use) are not anyone's.
    out.retain(|v| {
        v.len() >= 3
            && !v.starts_with("127.")
            && v != "0.0.0.0"
            && !["microsoft.com", "example.com", "example.net", "example.org"]
                .iter()
                .any(|d| v.ends_with(d))
            && !v.ends_with(".example")
            && v != "z9hG4bK"
    });
    out
}

/// Where `value` stands in `text` as a token of its own (not inside a longer word).
fn tokens<'a>(text: &'a str, value: &'a str) -> impl Iterator<Item = usize> + 'a {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    text.match_indices(value)
        .filter(move |(at, _)| {
            !word(text[..*at].chars().next_back()) && !word(text[at + value.len()..].chars().next())
        })
        .map(|(at, _)| at)
}

/// Whether `value` stands in `text` as a token of its own.
pub fn contains_token(text: &str, value: &str) -> bool {
    tokens(text, value).next().is_some()
}

/// For each value, how often it stands as a token in `text` where no pattern finds a sensitive value: the
/// extension 101 that is also SDP's payload type 101 in `a=rtpmap:101`. A copy may keep those.
pub fn innocent<'a>(
    text: &str,
    values: impl Iterator<Item = &'a String>,
) -> HashMap<String, usize> {
    let sensitive: Vec<std::ops::Range<usize>> = patterns()
        .iter()
        .flat_map(|re| {
            re.captures_iter(text)
                .filter_map(|c| c.get(1).map(|m| m.range()))
        })
        .collect();
    values
        .map(|v| {
            let n = tokens(text, v)
                .filter(|at| !sensitive.iter().any(|r| r.contains(at)))
                .count();
            (v.clone(), n)
        })
        .collect()
}

/// Each original Call-ID and From tag became one stand-in, and no two became the same one.
pub fn renamed_consistently(before: &Analysis, after: &Analysis, name: &str) {
    let mut forward: HashMap<String, String> = HashMap::new();
    let mut backward: HashMap<String, String> = HashMap::new();
    for i in 0..before.messages.len() as u32 {
        let (b, a) = (before.sip(i), after.sip(i));
        for (x, y) in [
            (
                b.call_id().map(|c| c.into_owned()),
                a.call_id().map(|c| c.into_owned()),
            ),
            (b.from_tag(), a.from_tag()),
        ] {
            let (Some(x), Some(y)) = (x, y) else { continue };
            assert_eq!(
                forward.entry(x.clone()).or_insert(y.clone()),
                &y,
                "{name}: {x} renamed two ways"
            );
            assert_eq!(
                backward.entry(y.clone()).or_insert(x.clone()),
                &x,
                "{name}: two values renamed {y}"
            );
        }
    }
}

/// Redact `bytes` alone and check the promise; returns the copy and the redactor, for a format's own checks.
pub fn check(name: &str, bytes: &[u8]) -> (Vec<u8>, Redactor) {
    let (copies, redactor) = redact_all(&[bytes], Keep::default());
    let copy = copies
        .into_iter()
        .next()
        .unwrap()
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let (before, after) = (analyze(bytes), analyze(&copy));
    if before.messages.is_empty() && !before.tls.is_empty() {
        // A capture of TLS only: nothing to rename but its addresses (the copy leaves the payloads out).
        assert_eq!(copy_shape(&before), copy_shape(&after), "{name}");
        assert!(redactor.names.count(Category::Addresses) > 0, "{name}");
        return (copy, redactor);
    }
    assert!(!before.messages.is_empty(), "{name}: no messages");
    assert_eq!(
        copy_shape(&before),
        copy_shape(&after),
        "{name}: the copy analyzes differently"
    );
    renamed_consistently(&before, &after, name);
    let stand_ins: HashSet<&str> = redactor.names.entries().map(|e| e.2).collect();
    let text = String::from_utf8_lossy(&copy);
    let values = originals(&before);
    let allowed = innocent(&String::from_utf8_lossy(bytes), values.iter());
    let left: Vec<String> = values
        .into_iter()
        .filter(|v| !stand_ins.contains(v.as_str()) && tokens(&text, v).count() > allowed[v])
        .collect();
    assert!(
        left.is_empty(),
        "{name}: originals left in the copy: {left:?}"
    );
    for c in [Category::Addresses, Category::Ids] {
        assert!(
            redactor.names.count(c) > 0,
            "{name}: nothing counted as {c:?}"
        );
    }
    // Users that are numbers are phone numbers.
    assert!(
        redactor.names.count(Category::Users) + redactor.names.count(Category::Phones) > 0,
        "{name}: no user counted"
    );
    // The mapping is never in the copy: no line of it appears there.
    assert!(
        !text.contains(&redactor.mapping_text()),
        "{name}: mapping in the copy"
    );
    (copy, redactor)
}
