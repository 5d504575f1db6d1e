//! Merging: the files' messages on one timeline (clocks aligned, messages seen twice drawn once, one host's
//! names joined), correlated, endpoints inferred where the log gave none, diagnostics gathered: what
//! [`super::Analyzer::finish`] and [`super::Analysis::with_clock_offsets`] build an [`Analysis`] with.

use super::text::Texts;
use super::{shared, Analysis, FileInfo, FileState, Msg};
use crate::base::diag::{Code, Diagnostic};
use crate::base::fxhash::FxMap;
use crate::base::intern::Interner;
use crate::base::time::Timestamp;
use crate::flow::merge::{self, Aliases, FileClock, Sighting};
use crate::flow::{self, Flow};
use crate::import::tls::TlsRecords;
use crate::import::{self, Importer};
use crate::sip;
use std::collections::HashMap;
use std::rc::Rc;

/// A step of finishing an analysis, as progress names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Aligning the files' clocks and putting their messages on one timeline.
    Merging,
    /// Transactions, dialogs, conversations and subscriptions.
    Correlating,
    /// Sender and receiver of messages whose log does not say.
    Endpoints,
    /// Collecting the diagnostics in file order.
    Diagnostics,
}

impl Step {
    /// The step's name in progress messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Merging => "merging",
            Step::Correlating => "correlating",
            Step::Endpoints => "endpoints",
            Step::Diagnostics => "diagnostics",
        }
    }
}

/// Put the files' messages on one timeline: align clocks, order by time, draw a message seen in two files once,
/// join the names of one host, correlate. `messages` may hold earlier sightings in `also` (a re-merge).
/// What an analysis holds besides its messages, carried through a merge as it is.
pub(super) struct Held {
    /// The strings the messages' briefs name.
    pub syms: Interner,
    /// Where the messages' text is.
    pub texts: Texts,
    /// The captures' TLS records.
    pub tls: Rc<TlsRecords>,
}

pub(super) fn merge_files(
    files: Vec<FileInfo>,
    messages: Vec<Msg>,
    base_diagnostics: Vec<Diagnostic>,
    manual: &[Option<i64>],
    held: Held,
    progress: &mut dyn FnMut(Step, usize, usize),
) -> Analysis {
    let Held { syms, texts, tls } = held;
    progress(Step::Merging, 0, messages.len());
    // A first merge (no earlier sightings) takes the messages as they are: no copying a big single file around.
    let mut all = messages;
    if all.iter().any(|m| !m.also.is_empty()) {
        let mut flat = Vec::with_capacity(all.len());
        for mut m in all {
            flat.extend(std::mem::take(&mut m.also));
            flat.push(m);
        }
        flat.sort_by_key(|m| m.seq);
        all = flat;
    }
    let mut with_messages: Vec<u32> = all.iter().map(|m| m.file).collect();
    with_messages.dedup();
    with_messages.sort_unstable();
    with_messages.dedup();
    let multi = with_messages.len() > 1;
    let mut clocks = if multi || manual.iter().any(Option::is_some) {
        let sightings: Vec<Sighting> = all
            .iter()
            .map(|m| m.brief.sighting(m.file, m.file_time))
            .collect();
        let client_log = files
            .iter()
            .position(|f| f.format.point_of_view() == import::PointOfView::Client);
        merge::align(files.len(), &sightings, manual, client_log)
    } else {
        (0..files.len() as u32)
            .map(|f| FileClock {
                file: f,
                offset_ms: 0,
                source: if with_messages.contains(&f) && all.iter().any(|m| m.time.is_some()) {
                    merge::ClockSource::Reference
                } else {
                    merge::ClockSource::Unknown
                },
                shared: 0,
            })
            .collect()
    };
    for m in &mut all {
        let offset = clocks.get(m.file as usize).map_or(0, |c| c.offset_ms);
        m.time = m.file_time.map(|t| Timestamp(t.0 + offset));
    }
    let mut aliases = Aliases::default();
    let mut kept: Vec<Msg>;
    if multi {
        kept = Vec::with_capacity(all.len());
        // Stable merge by time; a message without time keeps the time of the one before it in its file.
        let mut last: Vec<Option<Timestamp>> = vec![None; files.len()];
        let mut keyed: Vec<(Option<Timestamp>, Msg)> = all
            .into_iter()
            .map(|m| {
                let slot = &mut last[m.file as usize];
                if m.time.is_some() {
                    *slot = m.time;
                }
                (*slot, m)
            })
            .collect();
        keyed.sort_by_key(|(t, m)| (*t, m.file));
        let sightings: Vec<Sighting> = keyed
            .iter()
            .map(|(_, m)| m.brief.sighting(m.file, m.time))
            .collect();
        let dups = merge::duplicates(&sightings);
        let mut kept_at = vec![0usize; keyed.len()];
        for (i, (_, m)) in keyed.into_iter().enumerate() {
            match dups[i] {
                Some(j) => {
                    let k = kept_at[j as usize];
                    kept_at[i] = k;
                    let first = &mut kept[k];
                    aliases.join(&first.src, &m.src);
                    aliases.join(&first.dst, &m.dst);
                    first.also.push(m);
                }
                None => {
                    kept_at[i] = kept.len();
                    kept.push(m);
                }
            }
        }
    } else {
        kept = all;
    }
    let (tls_lineup, tls_diagnostics) = super::tls::line_up(&files, &kept, &tls, &mut clocks);
    let alias_groups = aliases.groups();
    let alias_of: HashMap<String, String> = alias_groups
        .iter()
        .flat_map(|(k, names)| names.iter().map(move |n| (n.clone(), k.clone())))
        .collect();
    // Message seqs are 0..n over all sightings: a vector maps them to indices.
    let all_seqs = || {
        kept.iter()
            .flat_map(|m| std::iter::once(m.seq).chain(m.also.iter().map(|a| a.seq)))
    };
    // `NONE` for a seq no message has (4 bytes a message, not the 8 of an `Option<u32>`).
    const NONE: u32 = u32::MAX;
    let mut index_of_seq: Vec<u32> = vec![NONE; all_seqs().max().map_or(0, |s| s as usize + 1)];
    for (i, m) in kept.iter().enumerate() {
        for seq in std::iter::once(m.seq).chain(m.also.iter().map(|a| a.seq)) {
            if let Some(slot) = index_of_seq.get_mut(seq as usize) {
                *slot = i as u32;
            }
        }
    }
    let flow = flow::correlate(&syms, &kept, |m| (m.time, &m.brief), &mut |done, total| {
        progress(Step::Correlating, done, total)
    });
    progress(Step::Endpoints, 0, kept.len());
    infer_endpoints(&mut kept, &flow, &syms);
    progress(Step::Diagnostics, 0, kept.len());
    let mut diagnostics: Vec<Diagnostic> = base_diagnostics
        .iter()
        .cloned()
        .map(|mut d| {
            d.msg = d
                .msg
                .and_then(|s| index_of_seq.get(s as usize).copied())
                .filter(|&i| i != NONE);
            d
        })
        .collect();
    for (i, m) in kept.iter().enumerate() {
        for p in &m.problems {
            diagnostics.push(
                Diagnostic::warning(p.code, p.text.clone())
                    .at(m.file, m.line)
                    .about(i as u32),
            );
        }
    }
    for t in &flow.transactions {
        if let (true, Some(r)) = (t.unanswered, t.request) {
            let m = &kept[r as usize];
            diagnostics.push(
                Diagnostic::info(
                    Code::NoFinalResponse,
                    format!(
                        "{} (CSeq {}) got no final response in the log.",
                        t.method, t.cseq
                    ),
                )
                .at(m.file, m.line)
                .about(r),
            );
        }
    }
    diagnostics.extend(tls_diagnostics);
    diagnostics.sort_by_key(|d| (d.file, d.line));
    Analysis {
        files,
        messages: kept,
        flow,
        diagnostics,
        clocks,
        aliases: alias_groups,
        alias_of,
        base_diagnostics,
        syms,
        texts,
        trace: Rc::default(),
        tls,
        tls_lineup,
    }
}

/// A server trace's diagnostic records name the message they are about (Call-ID, CSeq): link each to it (by
/// the message's `seq`; the merge turns it into an index). The importer pushed one `server-diagnostic` diagnostic
/// per record, in the order of `server_diagnostics()`.
pub(super) fn attach_server_diagnostics(
    files: &[FileState],
    messages: &[Msg],
    syms: &Interner,
    diagnostics: &mut [Diagnostic],
) {
    for (fi, f) in files.iter().enumerate() {
        let Some(Importer::Server(imp)) = &f.importer else {
            continue;
        };
        let records = imp.server_diagnostics();
        if records.is_empty() {
            continue;
        }
        // The file's messages by (Call-ID, CSeq number), in order: each record finds its message in one lookup
        // (a scan of all messages per record was quadratic on big traces).
        let mut by_key: FxMap<(&str, u32), Vec<(&str, u32)>> = FxMap::default();
        for m in messages.iter().filter(|m| m.file == fi as u32) {
            let call_id = syms.get(m.brief.call_id);
            if call_id.is_empty() {
                continue;
            }
            let (n, method) = m.brief.cseq.map_or((0, ""), |(n, s)| (n, syms.get(s)));
            by_key
                .entry((call_id, n))
                .or_default()
                .push((method, m.seq));
        }
        let sink = diagnostics
            .iter_mut()
            .filter(|d| d.file == Some(fi as u32) && d.code == Code::ServerDiagnostic);
        for (d, rec) in sink.zip(records) {
            d.msg = rec.key().and_then(|(call_id, n, method)| {
                by_key.get(&(call_id, n)).and_then(|list| {
                    list.iter()
                        .find(|(m, _)| method.is_empty() || m.eq_ignore_ascii_case(method))
                        .map(|&(_, seq)| seq)
                })
            });
        }
    }
}

/// Host (and port) of a SIP URI: `sip:on1@limcm.com;transport=tls` → `limcm.com`.
fn uri_host(uri: &str) -> String {
    uri[sip::grammar::uri_host_port(uri)].to_string()
}

/// Fill in endpoints for messages whose log gave none (SIP text): requests go from the top Via's sent-by to the
/// Request-URI's host; responses go back the way their request came.
fn infer_endpoints(messages: &mut [Msg], flow: &Flow, syms: &Interner) {
    let mut names: FxMap<String, Rc<str>> = FxMap::default();
    for i in 0..messages.len() {
        if !messages[i].inferred {
            continue;
        }
        let m = &messages[i];
        let via = m.brief.sent_by.map_or("?", |v| syms.get(v)).to_string();
        let (src, dst) = match m.brief.uri {
            Some(uri) => (
                shared(&mut names, Some(via)),
                shared(&mut names, Some(uri_host(syms.get(uri)))),
            ),
            None => {
                let req = flow.links[i]
                    .transaction
                    .and_then(|t| flow.transactions[t as usize].request);
                match req {
                    Some(r) if (r as usize) < i => (
                        Rc::clone(&messages[r as usize].dst),
                        Rc::clone(&messages[r as usize].src),
                    ),
                    _ => (
                        shared(&mut names, Some("?".into())),
                        shared(&mut names, Some(via)),
                    ),
                }
            }
        };
        let m = &mut messages[i];
        if m.src.is_empty() {
            m.src = src;
        }
        if m.dst.is_empty() {
            m.dst = dst;
        }
    }
}
