//! The ladder of an analysis: which arrow each message is (label, kind, note) and what each lifeline is called.

use crate::base::time::format_ms;
use crate::ladder::layout::Layout;
use crate::ladder::{ArrowInput, ArrowKind, Ladder};
use crate::store::Analysis;
use crate::view::LadderMeta;
use std::borrow::Cow;
use std::collections::HashMap;
#[cfg(test)]
use ts_rs::TS;

/// A lifeline: its key (an endpoint address) and its label (role and name, then addresses).
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct ColumnRow {
    pub key: String,
    pub label: String,
}

impl Analysis {
    /// The ladder of all messages, or of the given message indices (in order).
    pub fn ladder(&self, only: Option<&[u32]>) -> Ladder {
        let all: Vec<u32>;
        let indices: &[u32] = match only {
            Some(ix) => ix,
            None => {
                all = (0..self.messages.len() as u32).collect();
                &all
            }
        };
        let mut ladder = Ladder::build(indices.iter().filter_map(|&i| self.arrow(i)));
        // Role and name from what the messages reveal ("on1 client", "Access Edge acc.limcm.com"), then every
        // address the host is known by.
        let roles: HashMap<String, String> =
            crate::explain::lifeline_names(self).into_iter().collect();
        let groups: HashMap<&str, &[String]> = self
            .aliases
            .iter()
            .map(|(k, names)| (k.as_str(), names.as_slice()))
            .collect();
        for i in 0..ladder.columns.len() {
            let key = ladder.columns[i].key.clone();
            let group = groups.get(key.as_str()).copied();
            let addresses = match group {
                Some(names) => alias_label(names),
                None => key.clone(),
            };
            let names = group.map_or_else(|| vec![key.clone()], <[String]>::to_vec);
            let role = names
                .iter()
                .find_map(|n| roles.get(n))
                .and_then(|l| l.split('\n').next())
                .map(str::to_string);
            let label = match role {
                Some(role) => {
                    let addrs: Vec<&str> = names
                        .iter()
                        .filter(|n| is_address(n))
                        .map(String::as_str)
                        .collect();
                    let line = if addrs.is_empty() {
                        key.clone()
                    } else {
                        addrs.join(" = ")
                    };
                    format!("{role}\n{line}")
                }
                None => addresses,
            };
            if label != key && key != crate::ladder::OTHERS_KEY {
                ladder.columns[i].label = label;
            }
        }
        ladder
    }

    /// How message `i`'s arrow looks: the one place that decides what is a failure, a challenge, unanswered.
    pub fn arrow_kind(&self, i: u32) -> ArrowKind {
        let Some(m) = self.messages.get(i as usize) else {
            return ArrowKind::Request;
        };
        let tx = self.transaction_of(i);
        match m.brief.status {
            None => {
                if tx.is_some_and(|t| t.unanswered && t.request == Some(i)) {
                    ArrowKind::Unanswered
                } else {
                    ArrowKind::Request
                }
            }
            Some(status) => match status {
                100..=199 => ArrowKind::Provisional,
                200..=299 => ArrowKind::Success,
                300..=399 => ArrowKind::Redirect,
                401 | 407 => ArrowKind::Challenge,
                _ => ArrowKind::Failure,
            },
        }
    }

    fn arrow(&self, i: u32) -> Option<ArrowInput<'_>> {
        let m = self.messages.get(i as usize)?;
        let links = self.flow.links.get(i as usize)?;
        let tx = self.transaction_of(i);
        let kind = self.arrow_kind(i);
        let syms = self.syms();
        // A C3P command names the arrow too ([MS-CONFPRO]): `INFO addUser`, `200 OK (addUser success)`.
        let c3p = m.brief.c3p(syms);
        let (label, note) = match m.brief.method {
            Some(method) => (
                match c3p {
                    Some(c) => format!("{} {c}", syms.get(method)),
                    None => syms.get(method).to_string(),
                },
                (kind == ArrowKind::Unanswered).then(|| "no response".to_string()),
            ),
            None => {
                let status = m.brief.status.unwrap_or(0);
                let reason = m.brief.reason.map_or("", |r| syms.get(r));
                let mut label = if reason.is_empty() {
                    status.to_string()
                } else {
                    format!("{status} {reason}")
                };
                if let Some(c) = c3p {
                    label.push_str(&format!(" ({c})"));
                }
                let first_final = tx.and_then(|t| {
                    t.responses.iter().find(|&&r| {
                        self.messages[r as usize]
                            .brief
                            .status
                            .is_some_and(|s| s >= 200)
                    })
                });
                let note = match (tx, first_final) {
                    (Some(t), Some(&r)) if r == i => t.response_ms.map(format_ms),
                    _ => None,
                };
                (label, note)
            }
        };
        Some(ArrowInput {
            msg: i,
            src: Cow::Borrowed(self.lifeline(&m.src)),
            dst: Cow::Borrowed(self.lifeline(&m.dst)),
            label,
            time: m.time,
            kind,
            retransmission: links.retransmission,
            note,
        })
    }
}

/// `192.168.1.7:5061`, `[2001:db8::1]:5061`, `10.0.0.1` — not a host name like `FE01`.
fn is_address(name: &str) -> bool {
    name.contains(':') || (!name.is_empty() && name.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Two lines for a host known by several names: its names (`EDGE01`), then its addresses joined by `=`.
fn alias_label(names: &[String]) -> String {
    let is_addr = |n: &&String| is_address(n);
    let addrs: Vec<&str> = names.iter().filter(is_addr).map(String::as_str).collect();
    let hosts: Vec<&str> = names
        .iter()
        .filter(|n| !is_addr(n))
        .map(String::as_str)
        .collect();
    match (hosts.is_empty(), addrs.split_first()) {
        (false, _) => format!("{}\n{}", hosts.join(" / "), addrs.join(" = ")),
        (true, Some((first, rest))) => format!("{first}\n= {}", rest.join(" = ")),
        (true, None) => names.join(" = "),
    }
}

impl LadderMeta {
    /// The page's layout of `ladder`: columns, the message of each row, and the geometry `layout` computed.
    pub fn of(ladder: &Ladder, layout: &Layout) -> LadderMeta {
        LadderMeta {
            columns: ladder
                .columns
                .iter()
                .map(|c| ColumnRow {
                    key: c.key.clone(),
                    label: c.label.clone(),
                })
                .collect(),
            rows: ladder.rows.len(),
            messages: ladder.rows.iter().map(|r| r.msg).collect(),
            width: layout.width,
            height: layout.height,
            header_height: layout.header_height,
            row_height: layout.row_height,
        }
    }
}
