//! `sipscope --calls`: every call as text — when, who called whom, media, outcome and reason, setup/ring/talk
//! time, who hung up, each media line's codecs, SRTP, candidates by type and ICE's path, and the quality
//! reports' figures and the users' ratings — or as JSON (the `calls` of `--json`).

use crate::ladder::clean_text;
use crate::store::Analysis;
use crate::view::calls::{CallRow, CandidateCounts, StreamRow};
use std::io::Write;

/// Write every call; returns how many.
pub fn write_calls(analysis: &Analysis, json: bool, mut out: impl Write) -> std::io::Result<usize> {
    let calls = analysis.calls_view();
    if json {
        serde_json::to_writer_pretty(&mut out, &calls).map_err(std::io::Error::other)?;
        out.write_all(b"\n")?;
        return Ok(calls.len());
    }
    if calls.is_empty() {
        out.write_all(b"No calls: no INVITE with audio, video, application sharing or data.\n")?;
    }
    for c in &calls {
        out.write_all(call_text(c).as_bytes())?;
    }
    Ok(calls.len())
}

fn party(uri: &str, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("{} <{}>", clean_text(n), clean_text(uri)),
        None => clean_text(uri).into_owned(),
    }
}

fn counts(n: &CandidateCounts) -> String {
    let parts: Vec<String> = [
        ("host", n.host),
        ("srflx", n.srflx),
        ("prflx", n.prflx),
        ("relay", n.relay),
        ("x-candidate", n.microsoft),
    ]
    .iter()
    .filter(|(_, v)| *v > 0)
    .map(|(k, v)| format!("{v} {k}"))
    .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

fn stream(s: &StreamRow) -> String {
    let f = |v: Option<f64>, unit: &str, scale: f64| {
        v.map(|v| format!("{}{unit}", (v * scale * 100.0).round() / 100.0))
    };
    let parts: Vec<String> = [
        s.codec.clone(),
        f(s.listen_mos, "", 1.0).map(|v| format!("MOS {v}")),
        f(s.network_mos, "", 1.0).map(|v| format!("network MOS {v}")),
        f(s.loss_rate, " %", 100.0).map(|v| format!("loss {v}")),
        f(s.jitter_ms, " ms", 1.0).map(|v| format!("jitter {v}")),
        f(s.round_trip_ms, " ms", 1.0).map(|v| format!("round trip {v}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    let poor = if s.poor.is_empty() {
        String::new()
    } else {
        format!("  POOR: {}", s.poor.join(", "))
    };
    format!("{}{poor}", parts.join(", "))
}

fn call_text(c: &CallRow) -> String {
    let mut s = format!(
        "{}  {} -> {}  [{}]  {}\n",
        c.started,
        party(&c.caller, c.caller_name.as_deref()),
        party(&c.callee, c.callee_name.as_deref()),
        if c.media_kinds.is_empty() {
            "no media agreed".to_string()
        } else {
            c.media_kinds.join("+")
        },
        c.outcome_text
    );
    if let Some(r) = &c.reason {
        s.push_str(&format!(
            "    reason: {}{}: {} (message #{})\n",
            r.header,
            r.code.map(|c| format!(" {c}")).unwrap_or_default(),
            clean_text(r.text.as_deref().unwrap_or("no reason text")),
            r.msg + 1
        ));
    }
    let times: Vec<String> = [
        c.setup.as_ref().map(|t| {
            if c.status.is_some_and(|s| (200..300).contains(&s)) {
                format!("answered after {t}")
            } else {
                format!("final response after {t}")
            }
        }),
        c.ring.as_ref().map(|t| format!("rang {t}")),
        c.talk.as_ref().map(|t| format!("talk {t}")),
        c.ended_by.as_ref().map(|p| format!("{p} hung up")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !times.is_empty() {
        s.push_str(&format!("    {}\n", times.join(", ")));
    }
    for m in &c.media {
        let codecs = if m.answered_codecs.is_empty() {
            &m.offered_codecs
        } else {
            &m.answered_codecs
        };
        s.push_str(&format!(
            "    {}{}: {}; SRTP {}; candidates offer {} / answer {}{}\n",
            m.kind,
            if m.declined { " (declined)" } else { "" },
            codecs.first().map_or("no codec", String::as_str),
            if m.srtp.is_empty() {
                "none".to_string()
            } else {
                m.srtp.join(", ")
            },
            counts(&m.offer_counts),
            counts(&m.answer_counts),
            match (&m.path_local, &m.path_remote) {
                (Some(l), Some(r)) => format!("; path {l} <-> {r}"),
                _ => String::new(),
            }
        ));
    }
    for q in &c.quality {
        for m in &q.media {
            s.push_str(&format!(
                "    quality {} (message #{}): received {}; sent {}\n",
                m.label,
                q.msg + 1,
                stream(&m.inbound),
                stream(&m.outbound)
            ));
        }
        if let Some(t) = &q.truncated {
            s.push_str(&format!(
                "    quality report cut off in the log ({})\n",
                clean_text(t)
            ));
        }
    }
    for f in &c.feedback {
        let ticked: Vec<String> = f
            .tokens
            .iter()
            .filter(|t| t.ticked)
            .map(|t| clean_text(&t.text).into_owned())
            .collect();
        s.push_str(&format!(
            "    rated {}{} (message #{}){}{}\n",
            clean_text(&f.rating_text),
            f.user
                .as_deref()
                .map(|u| format!(" by {}", clean_text(u)))
                .unwrap_or_default(),
            f.msg + 1,
            if ticked.is_empty() {
                String::new()
            } else {
                format!("; problems: {}", ticked.join(", "))
            },
            f.comment
                .as_deref()
                .map(|c| format!("; wrote: \"{}\"", clean_text(c)))
                .unwrap_or_default()
        ));
        if let Some(t) = &f.truncated {
            s.push_str(&format!(
                "    rating cut off in the log ({})\n",
                clean_text(t)
            ));
        }
    }
    s
}
