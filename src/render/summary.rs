//! `sipscope --summary`: counts, time span and diagnostic counts, one line each.

use crate::view::Summary;
use std::fmt::Write;

pub fn render(s: &Summary) -> String {
    let mut out = String::new();
    for f in &s.files {
        let _ = writeln!(
            out,
            "file:          {} ({}, {} bytes, {} messages)",
            f.name, f.format, f.bytes, f.messages
        );
    }
    let _ = writeln!(out, "messages:      {}", s.message_count);
    let _ = writeln!(out, "conversations: {}", s.conversations);
    let _ = writeln!(
        out,
        "transactions:  {} ({} unanswered, {} failed)",
        s.transactions, s.unanswered, s.failures
    );
    let _ = writeln!(out, "subscriptions: {}", s.subscriptions);
    match (&s.first_time, &s.last_time, &s.span) {
        (Some(a), Some(b), Some(span)) => {
            let _ = writeln!(out, "time span:     {a} – {b} ({span})");
        }
        _ => out.push_str("time span:     (no times in the input)\n"),
    }
    let c = &s.diagnostic_counts;
    let _ = writeln!(
        out,
        "diagnostics:   {} errors, {} warnings, {} info",
        c.error, c.warning, c.info
    );
    crate::ladder::clean_lines(&out).into_owned()
}
