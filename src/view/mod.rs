//! View: the only serialized types — what the CLI's JSON, the page's data and every export are made of. Each
//! is built here from the store and the explanations; renderers and the page show them and never decide again
//! what the engine decided (arrow kind, durations, clock offsets, availability class, format names).
//!
//! `www/types/view.d.ts` is generated from these types (`cargo test`, see `ts.rs`) and checked fresh.

pub mod alone;
pub mod calls;
pub mod diff;
pub mod ladder;
pub mod message;
pub mod redact;
pub mod rows;
pub mod timing;
pub mod trace;
#[cfg(test)]
mod ts;

pub use message::{MessageCore, MessageDetail, MessageRow};
pub use rows::{DiagnosticRow, FileClockRow, FileRow, Finding, Presence};

use crate::store::Analysis;
use rows::{ConversationListRow, ConversationRow, Severity, SubscriptionRow, TransactionRow};
use serde::Serialize;
use std::collections::BTreeMap;
#[cfg(test)]
use ts_rs::TS;

/// How many diagnostics the summary carries; the rest come a page at a time.
pub const DIAGNOSTICS_PAGE: usize = 200;

/// Counts and span for the page's summary bar and `sipscope --summary`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct Summary {
    pub files: Vec<FileRow>,
    pub message_count: usize,
    pub first_time: Option<String>,
    pub last_time: Option<String>,
    /// `last_time - first_time` for people (`2 min 5 s`).
    pub span: Option<String>,
    pub conversations: usize,
    pub transactions: usize,
    pub subscriptions: usize,
    pub unanswered: usize,
    /// Transactions whose final response is a failure (a 401/407 challenge is not one).
    pub failures: usize,
    pub diagnostic_counts: DiagnosticCounts,
    /// The first [`DIAGNOSTICS_PAGE`] diagnostics, errors first, then warnings, then info (each in file order).
    pub diagnostics: Vec<DiagnosticRow>,
    pub diagnostics_total: usize,
    /// Each file's clock offset on the merged timeline.
    pub clocks: Vec<FileClockRow>,
    /// Messages seen in more than one file (drawn once).
    pub shared_messages: usize,
    /// Hosts known by several names: lifeline key → all its names.
    pub aliases: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct DiagnosticCounts {
    pub info: usize,
    pub warning: usize,
    pub error: usize,
}

/// A page of findings, with the counts of all of them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct FindingsPage {
    pub total: usize,
    pub counts: DiagnosticCounts,
    pub items: Vec<Finding>,
}

/// Which messages contain a text or match a query, and the conversations they belong to.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct SearchHits {
    /// Message indices, in ladder order.
    pub hits: Vec<u32>,
    /// Conversations holding a hit, ascending.
    pub conversations: Vec<u32>,
    /// What is wrong with the query (no hits then).
    pub error: Option<QueryProblem>,
    /// Texts to mark in the message panel (lower case): the words and text values the query looks for.
    pub marks: Vec<String>,
}

/// Where a query is wrong and why: `start..end` in UTF-16 code units of the query (what a text field's
/// selection counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct QueryProblem {
    pub start: u32,
    pub end: u32,
    pub message: String,
}

impl QueryProblem {
    /// The problem of `query` with its byte span turned into UTF-16 offsets.
    pub fn of(query: &str, e: &crate::query::QueryError) -> QueryProblem {
        let units = |byte: usize| {
            let b = byte.min(query.len());
            let b = (0..=b)
                .rev()
                .find(|&i| query.is_char_boundary(i))
                .unwrap_or(0);
            query[..b].encode_utf16().count() as u32
        };
        QueryProblem {
            start: units(e.start),
            end: units(e.end).max(units(e.start) + 1),
            message: e.message.clone(),
        }
    }
}

/// `sipscope --filter QUERY --json`: the messages that match, each with its index in the whole analysis.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct FilteredReport {
    pub query: String,
    /// Messages in the whole analysis.
    pub total: usize,
    pub messages: Vec<MessageRow>,
}

/// An export: what to save, and how.
#[derive(Debug, Clone)]
#[cfg_attr(test, derive(TS))]
pub struct Export {
    pub mime: String,
    /// A file name to offer.
    pub name: String,
    #[cfg_attr(test, ts(type = "Uint8Array"))]
    pub bytes: Vec<u8>,
}

/// The ladder as the page lays it out: columns, rows and geometry.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct LadderMeta {
    pub columns: Vec<ladder::ColumnRow>,
    pub rows: usize,
    /// Message index of each row, in order.
    pub messages: Vec<u32>,
    pub width: u32,
    pub height: u32,
    pub header_height: u32,
    pub row_height: u32,
}

/// The CLI's `--json` document.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct Report {
    pub files: Vec<FileRow>,
    pub messages: Vec<MessageRow>,
    pub diagnostics: Vec<DiagnosticRow>,
    pub transactions: Vec<TransactionRow>,
    pub conversations: Vec<ConversationRow>,
    pub subscriptions: Vec<SubscriptionRow>,
    /// Each file's clock offset on the merged timeline.
    pub clocks: Vec<FileClockRow>,
    /// Hosts known by several names: lifeline key → all its names.
    pub aliases: Vec<(String, Vec<String>)>,
    /// Availability and notes per contact over time, and each subscription's lifecycle.
    pub presence: Presence,
    /// The same availability timeline keyed by contact URI: `{"sip:on2@limcm.com": [{availability, name, …}]}`.
    pub presence_by_contact: BTreeMap<String, Vec<rows::AvailabilityChange>>,
    /// Problems worth a look, each linked to its message.
    pub findings: Vec<Finding>,
    /// Lifelines with their role and name when the messages reveal them: key → label.
    pub lifelines: Vec<(String, String)>,
    /// Each INVITE dialog that is not an IM session: who called whom, how it ended and why, its media.
    pub calls: Vec<calls::CallRow>,
}

fn counts(severities: impl Iterator<Item = Severity>) -> DiagnosticCounts {
    let mut c = DiagnosticCounts::default();
    for s in severities {
        match s {
            Severity::Info => c.info += 1,
            Severity::Warning => c.warning += 1,
            Severity::Error => c.error += 1,
        }
    }
    c
}

impl Analysis {
    /// Counts, time span, files, clocks and the first page of diagnostics.
    pub fn summary(&self) -> Summary {
        let order = self.diagnostic_order();
        let first = self.messages.iter().filter_map(|m| m.time).min();
        let last = self.messages.iter().filter_map(|m| m.time).max();
        Summary {
            files: self.files.iter().map(Into::into).collect(),
            message_count: self.messages.len(),
            first_time: rows::time(first),
            last_time: rows::time(last),
            span: first
                .zip(last)
                .map(|(a, b)| crate::base::time::format_ms(b.0 - a.0)),
            conversations: self.flow.conversations.len(),
            transactions: self.flow.transactions.len(),
            subscriptions: self.flow.subscriptions.len(),
            unanswered: self
                .flow
                .transactions
                .iter()
                .filter(|t| t.unanswered)
                .count(),
            failures: self
                .flow
                .transactions
                .iter()
                .filter(|t| {
                    t.final_status
                        .is_some_and(|s| s >= 400 && s != 401 && s != 407)
                })
                .count(),
            diagnostic_counts: counts(self.diagnostics.iter().map(|d| d.severity.into())),
            diagnostics: self.diagnostics_page(&order, 0, DIAGNOSTICS_PAGE),
            diagnostics_total: self.diagnostics.len(),
            clocks: self.clocks.iter().map(Into::into).collect(),
            shared_messages: self.messages.iter().filter(|m| !m.also.is_empty()).count(),
            aliases: self.aliases.clone(),
        }
    }

    /// The order people read diagnostics in: errors, warnings, then info; each in file and line order.
    pub fn diagnostic_order(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.diagnostics.len() as u32).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(self.diagnostics[i as usize].severity));
        order
    }

    /// Diagnostics `first .. first + count` in `order` (from [`Analysis::diagnostic_order`]).
    pub fn diagnostics_page(
        &self,
        order: &[u32],
        first: usize,
        count: usize,
    ) -> Vec<DiagnosticRow> {
        order
            .iter()
            .skip(first)
            .take(count)
            .filter_map(|&i| self.diagnostics.get(i as usize))
            .map(Into::into)
            .collect()
    }

    /// Availability per contact and subscription lifecycles.
    pub fn presence_view(&self) -> Presence {
        (&crate::explain::presence(self)).into()
    }

    /// Every finding, in the order the explanations give them.
    pub fn findings_view(&self) -> Vec<Finding> {
        crate::explain::findings(self)
            .iter()
            .map(Into::into)
            .collect()
    }

    /// The conversations as the page lists them (counts, not lists).
    pub fn conversation_list(&self) -> Vec<ConversationListRow> {
        self.flow.conversations.iter().map(Into::into).collect()
    }

    /// `hits` with the conversations that hold them.
    fn hits(&self, hits: Vec<u32>) -> SearchHits {
        let mut conversations: Vec<u32> = hits
            .iter()
            .filter_map(|&i| self.flow.links.get(i as usize)?.conversation)
            .collect();
        conversations.sort_unstable();
        conversations.dedup();
        SearchHits {
            hits,
            conversations,
            error: None,
            marks: Vec::new(),
        }
    }

    /// The messages `query` (the query language) selects, or where and why it is wrong.
    pub fn filter_hits(&self, query: &str) -> SearchHits {
        match crate::query::Query::new(self, query) {
            Ok(q) => SearchHits {
                marks: q.marks(),
                ..self.hits(q.run(self))
            },
            Err(e) => SearchHits {
                error: Some(QueryProblem::of(query, &e)),
                ..SearchHits::default()
            },
        }
    }

    /// `hits` and the other messages of their transactions (a request's responses, a response's request), in
    /// ladder order.
    pub fn with_transactions(&self, hits: &[u32]) -> Vec<u32> {
        let mut all: Vec<u32> = hits.to_vec();
        for &i in hits {
            if let Some(t) = self.transaction_of(i) {
                all.extend(t.request);
                all.extend(t.responses.iter().copied());
            }
        }
        all.sort_unstable();
        all.dedup();
        all
    }

    /// The rows of messages `hits` for `sipscope --filter QUERY --json`.
    pub fn filtered_report(&self, query: &str, hits: &[u32]) -> FilteredReport {
        FilteredReport {
            query: query.to_string(),
            total: self.messages.len(),
            messages: hits.iter().filter_map(|&i| self.message_row(i)).collect(),
        }
    }

    /// The CLI's `--json` document.
    pub fn report(&self) -> Report {
        let presence: Presence = (&crate::explain::presence(self)).into();
        Report {
            files: self.files.iter().map(Into::into).collect(),
            messages: (0..self.messages.len() as u32)
                .filter_map(|i| self.message_row(i))
                .collect(),
            diagnostics: self.diagnostics.iter().map(Into::into).collect(),
            transactions: self.flow.transactions.iter().map(Into::into).collect(),
            conversations: self.flow.conversations.iter().map(Into::into).collect(),
            subscriptions: self.flow.subscriptions.iter().map(Into::into).collect(),
            clocks: self.clocks.iter().map(Into::into).collect(),
            aliases: self.aliases.clone(),
            presence_by_contact: presence
                .contacts
                .iter()
                .map(|c| (c.uri.clone(), c.changes.clone()))
                .collect(),
            presence,
            findings: self.findings_view(),
            lifelines: self
                .ladder(None)
                .columns
                .iter()
                .map(|c| (c.key.clone(), c.label.clone()))
                .collect(),
            calls: self.calls_view(),
        }
    }
}

/// A page of `findings` with the counts of all of them.
pub fn findings_page(findings: &[Finding], first: usize, count: usize) -> FindingsPage {
    FindingsPage {
        total: findings.len(),
        counts: counts(findings.iter().map(|f| f.severity)),
        items: findings.iter().skip(first).take(count).cloned().collect(),
    }
}
