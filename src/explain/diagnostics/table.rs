//! The diagnostics code table: every code → reason pair with its source, read from the TSV files beside this one.
//!
//! `codes.tsv` is a byte-for-byte copy of the project's shared table (`ms-diagnostics-codes.tsv`, made from
//! [MS-OCER] and other cited sources; its `.md` says how): columns `code`, `header` (`ms-diagnostics`,
//! `ms-diagnostics-public`, `ms-client-diagnostics` or `any`), `reason` exactly as the source gives it, `source`;
//! lines starting with `#` are notes on a code (`# 1006: …`: a second source's text, a disagreement).
//! `observed.tsv` adds, in the same columns, codes that table lacks and this project saw quoted with a source.
//! A test checks that `codes.tsv` still matches the shared file, and that both parse whole.

use std::sync::OnceLock;

/// Which headers a code belongs to: the server's (`ms-diagnostics`, and `ms-diagnostics-public`, its copy that
/// crosses federation boundaries, share one code space) or the client's (`ms-client-diagnostics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Server,
    Client,
    /// The source gives the code in both.
    Any,
}

impl Side {
    /// The side of a header by its name; `None` for any other header.
    pub fn of_header(name: &str) -> Option<Side> {
        if name.eq_ignore_ascii_case("ms-client-diagnostics") {
            Some(Side::Client)
        } else if name.eq_ignore_ascii_case("ms-diagnostics")
            || name.eq_ignore_ascii_case("ms-diagnostics-public")
            || name.eq_ignore_ascii_case("x-ms-diagnostics")
        {
            Some(Side::Server)
        } else {
            None
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    pub code: u32,
    /// The header the source names, as written in the table.
    pub header: &'static str,
    pub side: Side,
    pub reason: &'static str,
    /// Where the reason comes from (a document and its address, or the quote's origin).
    pub source: &'static str,
    /// The table's `#` notes on this code.
    pub notes: Vec<&'static str>,
}

/// The shared table, as checked in.
pub const CODES_TSV: &str = include_str!("codes.tsv");
/// Codes the shared table lacks, each with where it was seen.
pub const OBSERVED_TSV: &str = include_str!("observed.tsv");

/// A line of a table file that is not a row: its number (from 1) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub line: usize,
    pub why: &'static str,
}

/// The rows of one table file (its header line skipped), with the lines that are not rows.
pub fn parse(text: &'static str) -> (Vec<Code>, Vec<BadLine>) {
    let mut rows: Vec<Code> = Vec::new();
    let mut bad = Vec::new();
    let mut notes: Vec<(u32, &'static str)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if i == 0 || line.trim().is_empty() {
            continue;
        }
        if let Some(note) = line.strip_prefix('#') {
            let note = note.trim();
            match note
                .split_once(':')
                .and_then(|(c, _)| c.trim().parse().ok())
            {
                Some(code) => notes.push((code, note)),
                None => bad.push(BadLine {
                    line: i + 1,
                    why: "a note that names no code",
                }),
            }
            continue;
        }
        let cols: Vec<&'static str> = line.split('\t').collect();
        let [code, header, reason, source] = cols[..] else {
            bad.push(BadLine {
                line: i + 1,
                why: "not four tab-separated columns",
            });
            continue;
        };
        let Ok(code) = code.trim().parse() else {
            bad.push(BadLine {
                line: i + 1,
                why: "the code is not a number",
            });
            continue;
        };
        let side = match header {
            "any" => Side::Any,
            h => match Side::of_header(h) {
                Some(s) => s,
                None => {
                    bad.push(BadLine {
                        line: i + 1,
                        why: "an unknown header",
                    });
                    continue;
                }
            },
        };
        rows.push(Code {
            code,
            header,
            side,
            reason: reason.trim(),
            source: source.trim(),
            notes: Vec::new(),
        });
    }
    for (code, note) in notes {
        match rows.iter_mut().find(|r| r.code == code) {
            Some(r) => r.notes.push(note),
            None => bad.push(BadLine {
                line: 0,
                why: "a note on a code the table does not list",
            }),
        }
    }
    (rows, bad)
}

/// Every row of both files, ordered by code.
pub fn codes() -> &'static [Code] {
    static ALL: OnceLock<Vec<Code>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut all = parse(CODES_TSV).0;
        all.extend(parse(OBSERVED_TSV).0);
        all.sort_by_key(|c| c.code);
        all
    })
}

/// The row for `code` as a header of `side` reports it: one of that side (or both sides) first; else a row of
/// the other side (the caller says so), since a source may have seen a code in the other header.
pub fn lookup(side: Side, code: u32) -> Option<&'static Code> {
    let all = codes();
    let at = all.partition_point(|c| c.code < code);
    let same: Vec<&Code> = all[at..].iter().take_while(|c| c.code == code).collect();
    same.iter()
        .find(|c| c.side == side || c.side == Side::Any || side == Side::Any)
        .or_else(|| same.first())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_files_parse_whole() {
        let (rows, bad) = parse(CODES_TSV);
        assert_eq!(bad, [], "codes.tsv");
        assert_eq!(rows.len(), 153, "the shared table's 153 rows");
        let (observed, bad) = parse(OBSERVED_TSV);
        assert_eq!(bad, [], "observed.tsv");
        for o in &observed {
            assert!(
                rows.iter().all(|r| r.code != o.code),
                "{} is in the shared table: take it out of observed.tsv",
                o.code
            );
            assert!(!o.source.is_empty() && !o.reason.is_empty());
        }
        let mut seen = std::collections::HashSet::new();
        for c in codes() {
            assert!(seen.insert((c.code, c.header)), "{} twice", c.code);
        }
    }

    /// The checked-in copy is the shared table (`../shared/ms-diagnostics-codes.tsv` beside the repository,
    /// where CI has it): re-copy it when it changes.
    #[test]
    fn the_copy_matches_the_shared_table() {
        let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/ms-diagnostics-codes.tsv");
        match std::fs::read_to_string(&shared) {
            Ok(text) => assert!(
                text == CODES_TSV,
                "src/explain/diagnostics/codes.tsv differs from {}: copy it again",
                shared.display()
            ),
            Err(_) => eprintln!(
                "note: {} not found; the copy was not compared",
                shared.display()
            ),
        }
    }

    #[test]
    fn lookups_by_side() {
        let r = lookup(Side::Server, 1007).unwrap();
        assert_eq!(r.reason, "Temporarily cannot route.");
        assert!(r.source.contains("MS-OCER"));
        let c = lookup(Side::Client, 23).unwrap();
        assert_eq!(c.side, Side::Client);
        assert!(c.reason.contains("media connectivity failure"));
        // A code the source saw only in the other header is still found (the caller says so).
        assert_eq!(lookup(Side::Server, 24067).unwrap().side, Side::Client);
        assert_eq!(lookup(Side::Client, 28020).unwrap().side, Side::Any);
        assert!(lookup(Side::Server, 4999).is_none());
        let noted = lookup(Side::Server, 3000).unwrap();
        assert!(noted
            .notes
            .iter()
            .any(|n| n.contains("Bad From in C3P request")));
    }
}
