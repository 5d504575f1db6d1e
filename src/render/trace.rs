//! `sipscope --trace`: the trace lines as text (one per line, continuation lines indented under the text) or
//! as JSON (`[{file, line, time, level, thread, text}]`, one object per line of output so it streams).

use crate::ladder::{clean_lines, clean_text};
use crate::store::Analysis;
use crate::view::trace::{TraceFilter, TraceLevel, TraceLineOut};
use std::io::Write;

/// Write the lines `filter` keeps; returns how many, or the query's error.
pub fn write_trace(
    analysis: &Analysis,
    filter: &TraceFilter,
    json: bool,
    mut out: impl Write,
) -> Result<std::io::Result<u64>, crate::query::QueryError> {
    let several = analysis.traces().iter().filter(|t| !t.is_empty()).count() > 1;
    let mut result = Ok(());
    let mut first = true;
    if json {
        result = out.write_all(b"[");
    }
    let n = analysis.each_trace_line(filter, |l| {
        if result.is_err() {
            return;
        }
        result = if json {
            let sep: &[u8] = if first { b"\n  " } else { b",\n  " };
            out.write_all(sep)
                .and_then(|_| serde_json::to_writer(&mut out, &l).map_err(std::io::Error::other))
        } else {
            out.write_all(text_line(&l, several).as_bytes())
        };
        first = false;
    })?;
    if json && result.is_ok() {
        result = out.write_all(if first { b"]\n" } else { b"\n]\n" });
    }
    Ok(result.map(|_| n))
}

/// `file:line  time  LEVEL  thread  text` (the file's name only when several files have trace lines). Log
/// text goes through [`clean_lines`]: no line can send escape sequences to a terminal.
fn text_line(l: &TraceLineOut, several: bool) -> String {
    let place = if several {
        format!("{}:{}", clean_text(&l.file), l.line)
    } else {
        format!("{:>6}", l.line)
    };
    let level = match l.level {
        TraceLevel::Error => "ERROR",
        TraceLevel::Warn => "WARN",
        TraceLevel::Info => "INFO",
        TraceLevel::Trace => "TRACE",
    };
    let head = format!(
        "{place}  {:<23}  {level:<5}  {}  ",
        l.time.as_deref().unwrap_or("-"),
        clean_text(&l.thread)
    );
    let indent = " ".repeat(head.chars().count());
    let mut out = head;
    for (k, text) in clean_lines(&l.text).split('\n').enumerate() {
        if k > 0 {
            out.push_str(&indent);
        }
        out.push_str(text);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_lines_sit_under_the_text() {
        let l = TraceLineOut {
            file: "a.log".into(),
            line: 12,
            time: Some("2018-03-30T10:57:58.355".into()),
            level: TraceLevel::Error,
            thread: "2738:1B4C".into(),
            text: "failed\nsecond".into(),
        };
        let t = text_line(&l, false);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(
            lines[0],
            "    12  2018-03-30T10:57:58.355  ERROR  2738:1B4C  failed"
        );
        assert_eq!(lines[1].trim_start(), "second");
        assert_eq!(lines[1].find("second"), lines[0].find("failed"));
        assert!(text_line(&l, true).starts_with("a.log:12  "));
        let hostile = TraceLineOut {
            text: "\u{1b}]0;owned\u{7}red \u{1b}[31m\u{202e}txt".into(),
            ..l
        };
        let t = text_line(&hostile, true);
        assert!(
            !t.chars()
                .any(|c| c != '\n' && (c.is_control() || c == '\u{202e}')),
            "{t:?}"
        );
    }
}
