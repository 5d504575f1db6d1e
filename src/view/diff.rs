//! Two messages side by side (a REGISTER that worked and one that failed, two NOTIFYs): headers aligned by name
//! and order, each row same, changed, added or removed; the bodies compared line by line. Diffs come from the
//! `similar` crate (Myers' algorithm).

use crate::store::Analysis;
use serde::Serialize;
use similar::{capture_diff_slices, Algorithm, ChangeTag, DiffOp, TextDiff};
#[cfg(test)]
use ts_rs::TS;

/// Body lines compared at most, per side: past that the rest is left out and said.
pub const MAX_BODY_LINES: usize = 5_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    Same,
    Changed,
    /// Only on the right (the second message).
    Added,
    /// Only on the left (the first message).
    Removed,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct MessageDiff {
    pub left: u32,
    pub right: u32,
    pub left_start: String,
    pub right_start: String,
    pub start_changed: bool,
    pub headers: Vec<DiffRow>,
    pub body: Vec<DiffRow>,
    /// Said when the bodies were too long to compare whole.
    pub body_note: Option<String>,
    /// Rows of each kind, headers and body together.
    pub changed: usize,
    pub added: usize,
    pub removed: usize,
}

/// One aligned row: a header (`name` set) or a body line (`name` empty).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct DiffRow {
    pub name: String,
    pub left: Option<String>,
    pub right: Option<String>,
    pub change: Change,
}

fn row(name: &str, left: Option<&str>, right: Option<&str>) -> DiffRow {
    let change = match (left, right) {
        (Some(a), Some(b)) if a == b => Change::Same,
        (Some(_), Some(_)) => Change::Changed,
        (Some(_), None) => Change::Removed,
        _ => Change::Added,
    };
    DiffRow {
        name: name.to_string(),
        left: left.map(str::to_string),
        right: right.map(str::to_string),
        change,
    }
}

/// Rows from a diff of `a` against `b`: equal elements pair up; what the diff replaced is removed on the left,
/// then added on the right (a header of another name is not a changed value).
fn align<T>(ops: &[DiffOp], a: &[T], b: &[T], mut emit: impl FnMut(Option<&T>, Option<&T>)) {
    for op in ops {
        let (tag, old, new) = op.as_tag_tuple();
        if tag == similar::DiffTag::Equal {
            for (l, r) in old.zip(new) {
                emit(Some(&a[l]), Some(&b[r]));
            }
        } else {
            old.for_each(|l| emit(Some(&a[l]), None));
            new.for_each(|r| emit(None, Some(&b[r])));
        }
    }
}

impl Analysis {
    /// Message `left` against message `right`; `None` when either is not in the analysis.
    pub fn diff(&self, left: u32, right: u32) -> Option<MessageDiff> {
        let (a, b) = (
            self.sip_of(self.messages.get(left as usize)?),
            self.sip_of(self.messages.get(right as usize)?),
        );
        let heads = |m: &crate::sip::Message| -> Vec<(String, String, String)> {
            m.headers
                .iter()
                .map(|h| {
                    let name = m.name(h).to_string();
                    let key = crate::sip::canonical_name(&name).to_ascii_lowercase();
                    (key, name, m.value(h).into_owned())
                })
                .collect()
        };
        let (ha, hb) = (heads(&a), heads(&b));
        let keys =
            |h: &[(String, String, String)]| h.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
        let (ka, kb) = (keys(&ha), keys(&hb));
        let ops = capture_diff_slices(Algorithm::Myers, &ka, &kb);
        let mut headers = Vec::new();
        align(&ops, &ha, &hb, |l, r| {
            let name = l.or(r).map_or("", |x| x.1.as_str());
            headers.push(row(name, l.map(|x| x.2.as_str()), r.map(|x| x.2.as_str())));
        });

        let text = |m: &crate::sip::Message| String::from_utf8_lossy(m.body()).into_owned();
        let (ta, tb) = (text(&a), text(&b));
        let cut = |t: &str| -> (String, bool) {
            let mut lines = t.split_inclusive('\n');
            let kept: String = lines.by_ref().take(MAX_BODY_LINES).collect();
            (kept, lines.next().is_some())
        };
        let ((ta, cut_a), (tb, cut_b)) = (cut(&ta), cut(&tb));
        let mut body = Vec::new();
        let d = TextDiff::configure()
            .algorithm(Algorithm::Myers)
            .diff_lines(&ta, &tb);
        // Pair a run of removed lines with the added run after it: a changed line is one row.
        let (mut gone, mut came): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
        let flush = |gone: &mut Vec<String>, came: &mut Vec<String>, body: &mut Vec<DiffRow>| {
            let n = gone.len().max(came.len());
            for k in 0..n {
                body.push(row(
                    "",
                    gone.get(k).map(String::as_str),
                    came.get(k).map(String::as_str),
                ));
            }
            gone.clear();
            came.clear();
        };
        for c in d.iter_all_changes() {
            let line = c.value().trim_end_matches(['\r', '\n']).to_string();
            match c.tag() {
                ChangeTag::Delete => {
                    if !came.is_empty() {
                        flush(&mut gone, &mut came, &mut body);
                    }
                    gone.push(line);
                }
                ChangeTag::Insert => came.push(line),
                ChangeTag::Equal => {
                    flush(&mut gone, &mut came, &mut body);
                    body.push(row("", Some(&line), Some(&line)));
                }
            }
        }
        flush(&mut gone, &mut came, &mut body);
        let body_note = (cut_a || cut_b).then(|| {
            format!("The bodies are longer than {MAX_BODY_LINES} lines: the first {MAX_BODY_LINES} of each are compared.")
        });
        let count = |c: Change| {
            headers
                .iter()
                .chain(&body)
                .filter(|r| r.change == c)
                .count()
        };
        let (la, lb) = (a.start_line(), b.start_line());
        Some(MessageDiff {
            left,
            right,
            start_changed: la != lb,
            left_start: la,
            right_start: lb,
            changed: count(Change::Changed),
            added: count(Change::Added),
            removed: count(Change::Removed),
            headers,
            body,
            body_note,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sip_text(messages: &[&str]) -> Analysis {
        let text: String = messages
            .iter()
            .map(|m| m.replace('\n', "\r\n"))
            .collect::<Vec<_>>()
            .join("\r\n");
        Analysis::of_files([("pasted.txt", text.as_bytes())])
    }

    #[test]
    fn headers_align_by_name_and_order_and_bodies_by_line() {
        let a = sip_text(&[
            "NOTIFY sip:a@contoso.com SIP/2.0\nVia: SIP/2.0/TLS 10.0.0.7:5061;branch=z9hG4bK1\nFrom: <sip:b@contoso.com>;tag=1\nTo: <sip:a@contoso.com>;tag=2\nCall-ID: c1\nCSeq: 5 NOTIFY\nEvent: presence\nSubscription-State: active;expires=3600\nContent-Type: text/plain\nContent-Length: 18\n\nline one\nline two\n",
            "NOTIFY sip:a@contoso.com SIP/2.0\nVia: SIP/2.0/TLS 10.0.0.7:5061;branch=z9hG4bK2\nFrom: <sip:b@contoso.com>;tag=1\nTo: <sip:a@contoso.com>;tag=2\nCall-ID: c1\nCSeq: 6 NOTIFY\nEvent: presence\nContent-Type: text/plain\nms-diagnostics: 1033;reason=\"x\"\nContent-Length: 29\n\nline one\nline 2\nline three\n",
        ]);
        assert_eq!(a.messages.len(), 2, "{:?}", a.diagnostics);
        let d = a.diff(0, 1).unwrap();
        assert!(!d.start_changed);
        let changes: Vec<(&str, Change)> = d
            .headers
            .iter()
            .map(|r| (r.name.as_str(), r.change))
            .collect();
        assert_eq!(
            changes,
            [
                ("Via", Change::Changed),
                ("From", Change::Same),
                ("To", Change::Same),
                ("Call-ID", Change::Same),
                ("CSeq", Change::Changed),
                ("Event", Change::Same),
                ("Subscription-State", Change::Removed),
                ("Content-Type", Change::Same),
                ("ms-diagnostics", Change::Added),
                ("Content-Length", Change::Changed),
            ]
        );
        let body: Vec<(Option<&str>, Option<&str>, Change)> = d
            .body
            .iter()
            .map(|r| (r.left.as_deref(), r.right.as_deref(), r.change))
            .collect();
        assert_eq!(
            body,
            [
                (Some("line one"), Some("line one"), Change::Same),
                (Some("line two"), Some("line 2"), Change::Changed),
                (None, Some("line three"), Change::Added),
            ]
        );
        assert_eq!((d.changed, d.added, d.removed), (4, 2, 1));
        assert!(a.diff(0, 2).is_none());
        // Another header in the place of one: removed and added, never a changed value under one name.
        let b = sip_text(&[
            "SIP/2.0 200 OK\nCall-ID: c\nCSeq: 1 REGISTER\nContact: <sip:a@10.0.0.1>\nContent-Length: 0\n\n",
            "SIP/2.0 503 Service Unavailable\nCall-ID: c\nCSeq: 1 REGISTER\nms-diagnostics: 1007;reason=\"x\"\nContent-Length: 0\n\n",
        ]);
        let d = b.diff(0, 1).unwrap();
        assert!(d.start_changed);
        let rows: Vec<(&str, Change)> = d
            .headers
            .iter()
            .map(|r| (r.name.as_str(), r.change))
            .collect();
        assert_eq!(
            rows,
            [
                ("Call-ID", Change::Same),
                ("CSeq", Change::Same),
                ("Contact", Change::Removed),
                ("ms-diagnostics", Change::Added),
                ("Content-Length", Change::Same),
            ]
        );
        // A message against itself: all the same.
        let same = a.diff(1, 1).unwrap();
        assert_eq!((same.changed, same.added, same.removed), (0, 0, 0));
    }
}
