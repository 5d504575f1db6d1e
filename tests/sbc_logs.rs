//! SBC and proxy logs (tests/fixtures/sbc/): each file detected as its product's format, and its messages with
//! the times, directions and ends the story in `make.py` gave them (`expected.json`, written by the same
//! script); the same result in any chunking; cut-off and damaged copies read without panics, with problems.
#![cfg(not(target_arch = "wasm32"))]

use serde_json::Value;
use sipscope::base::diag::Code;
use sipscope::import::{detect, Direction, Format, Importer, Sink};
use sipscope::sip::parse_message;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sbc")
}

fn expected() -> Vec<(String, Value)> {
    let text = std::fs::read_to_string(dir().join("expected.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let mut out: Vec<(String, Value)> = v.as_object().unwrap().clone().into_iter().collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn import(format: Format, bytes: &[u8], chunk: usize) -> Sink {
    let mut imp = Importer::new(format, 0);
    let mut sink = Sink::default();
    for c in bytes.chunks(chunk.max(1)) {
        imp.push(c, &mut sink);
    }
    imp.finish(&mut sink);
    sink
}

fn direction(d: Direction) -> &'static str {
    match d {
        Direction::Sent => "sent",
        Direction::Received => "received",
        Direction::Unknown => "unknown",
    }
}

/// One message as the test compares it: start line, time, direction, source, destination.
fn row(r: &sipscope::import::Record) -> Vec<String> {
    let m = parse_message(r.sip.clone()).expect("every record is a SIP message");
    vec![
        m.start_line(),
        r.time.map(|t| t.to_string()).unwrap_or_default(),
        direction(r.direction).to_string(),
        r.src.clone().unwrap_or_default(),
        r.dst.clone().unwrap_or_default(),
    ]
}

#[test]
fn every_fixture_is_its_story() {
    let all = expected();
    assert_eq!(all.len(), 8, "one expectation per fixture");
    for (name, want) in all {
        let bytes = std::fs::read(dir().join(&name)).unwrap();
        let (format, diag) = detect(&bytes, true);
        assert!(diag.is_none(), "{name}: {diag:?}");
        assert_eq!(format.name(), want["format"], "{name}: detected as");
        let sink = import(format, &bytes, 1 << 20);
        let got: Vec<Vec<String>> = sink.records.iter().map(row).collect();
        let wanted: Vec<Vec<String>> = want["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                ["start", "time", "direction", "src", "dst"]
                    .iter()
                    .map(|k| m[k].as_str().unwrap().to_string())
                    .collect()
            })
            .collect();
        for (i, (g, w)) in got.iter().zip(&wanted).enumerate() {
            assert_eq!(g, w, "{name}: message {i}");
        }
        assert_eq!(got.len(), wanted.len(), "{name}: messages");
        for r in &sink.records {
            assert!(
                r.problems.is_empty(),
                "{name} line {}: {:?}",
                r.line,
                r.problems
            );
            let m = parse_message(r.sip.clone()).unwrap();
            // Every message is whole: its body as long as Content-Length says (CRLF counted).
            let body = m.body();
            let crlf = body.len() + body.iter().filter(|&&b| b == b'\n').count()
                - body.windows(2).filter(|w| w == b"\r\n").count();
            if let Some(cl) = m
                .header("Content-Length")
                .or_else(|| m.header("CONTENT-LENGTH"))
            {
                assert_eq!(
                    cl.trim().parse::<usize>().unwrap(),
                    crlf,
                    "{name} line {}",
                    r.line
                );
            }
        }
        // The product's own lines are trace lines, with the level the product gave them.
        let trace: Vec<(u64, String)> = sink
            .trace
            .lines
            .iter()
            .map(|l| (u64::from(l.line), l.level.name().to_string()))
            .collect();
        let want_trace: Vec<(u64, String)> = want["trace"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t[0].as_u64().unwrap(), t[1].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(trace, want_trace, "{name}: trace lines");
        assert!(
            sink.trace.lines.iter().all(|l| l.time.is_some()) || name.ends_with(".txt"),
            "{name}: a trace line without its time"
        );
        let codes: Vec<String> = sink
            .diagnostics
            .iter()
            .map(|d| {
                serde_json::to_value(d.code)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        let want_codes: Vec<String> = want["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            codes, want_codes,
            "{name}: diagnostics {:?}",
            sink.diagnostics
        );
    }
}

#[test]
fn chunking_changes_nothing() {
    for (name, want) in expected() {
        let bytes = std::fs::read(dir().join(&name)).unwrap();
        let format = detect(&bytes, true).0;
        assert_eq!(format.name(), want["format"]);
        let whole = import(format, &bytes, bytes.len());
        for chunk in [1, 2, 3, 7, 64, 4093] {
            let got = import(format, &bytes, chunk);
            assert!(
                got.records == whole.records,
                "{name}: chunks of {chunk}: records differ"
            );
            assert!(
                got.diagnostics == whole.diagnostics,
                "{name}: chunks of {chunk}: diagnostics differ"
            );
        }
    }
}

/// Every prefix of every fixture (a log cut anywhere): no panic, every record a SIP message, and a message cut
/// inside says so.
#[test]
fn cut_anywhere() {
    for (name, want) in expected() {
        let bytes = std::fs::read(dir().join(&name)).unwrap();
        let format = detect(&bytes, true).0;
        let total = want["messages"].as_array().unwrap().len();
        let step = (bytes.len() / 300).max(1);
        let mut n = 0;
        while n < bytes.len() {
            let sink = import(format, &bytes[..n], 4096);
            assert!(sink.records.len() <= total, "{name} cut at {n}");
            for r in &sink.records {
                assert!(parse_message(r.sip.clone()).is_ok(), "{name} cut at {n}");
            }
            n += step;
        }
    }
}

/// The last message of each product's log cut in its body: what was read is shown, with a warning.
#[test]
fn a_message_cut_in_its_body_is_shown_with_a_problem() {
    for (name, want) in expected() {
        if name == "pipe-indented.txt" {
            continue;
        }
        let bytes = std::fs::read(dir().join(&name)).unwrap();
        let format = detect(&bytes, true).0;
        let text = String::from_utf8(bytes.clone()).unwrap();
        // The carrier's INVITE to the unassigned number is the last one with a body: cut the log inside its
        // SDP, after `s=SIP Call`.
        let last = text.rfind("s=SIP Call").unwrap() + "s=SIP Call".len();
        let sink = import(format, &bytes[..last], 4096);
        let r = sink.records.last().unwrap();
        let m = parse_message(r.sip.clone()).unwrap();
        assert!(
            m.start_line().starts_with("INVITE sip:+14255550177@"),
            "{name}: {}",
            m.start_line()
        );
        assert!(
            r.problems
                .iter()
                .any(|p| matches!(p.code, Code::TruncatedMessage | Code::ContentLengthMismatch)),
            "{name}: {:?}",
            r.problems
        );
        let n = want["messages"].as_array().unwrap().len();
        assert!(sink.records.len() < n, "{name}");
    }
}

/// The files that were here before are detected as before.
#[test]
fn other_fixtures_keep_their_format() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (file, want) in [
        ("www/sample/sample.uccapilog", "uccapilog"),
        ("tests/fixtures/server-frontend.log", "server-trace"),
        ("tests/fixtures/server-edge.log", "server-trace"),
        ("tests/fixtures/sip-quoted.txt", "sip-text"),
        ("tests/fixtures/sip-collapsed.txt", "sip-text"),
        ("tests/fixtures/lab-tcp5060.pcap", "pcap"),
        ("tests/fixtures/calls/call-relay.uccapilog", "uccapilog"),
    ] {
        let bytes = std::fs::read(root.join(file)).unwrap();
        assert_eq!(detect(&bytes, true).0.name(), want, "{file}");
    }
}

/// A server trace (CLS / OCSLogger text) cut off in the middle of a protocol record, in its headers or in its
/// body: the part read is still a message, with a warning.
#[test]
fn a_server_trace_record_cut_off_is_shown_with_a_warning() {
    let bytes = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/server-frontend.log"),
    )
    .unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let service = text.find("Start-Line: SERVICE").unwrap();
    for cut in [
        text[service..].find("User-Agent:").unwrap(),
        text[service..].find("Message-Body:").unwrap() + 40,
    ] {
        let sink = import(Format::ServerTrace, &bytes[..service + cut], 4096);
        let r = sink.records.last().unwrap();
        let m = parse_message(r.sip.clone()).unwrap();
        assert_eq!(m.start_line(), "SERVICE sip:on1@limcm.com SIP/2.0");
        assert!(
            r.problems.iter().any(|p| p.code == Code::NoEndMarker),
            "cut at {cut}: {:?}",
            r.problems
        );
    }
}

/// An SBC's own errors and warnings are trace lines like a client log's: the 404 the proxy relayed shows the
/// script's warning and the core's error logged next to it, and the trace view reads their text back.
#[test]
fn the_sbc_errors_near_a_failure_are_shown_with_it() {
    let bytes = std::fs::read(dir().join("kamailio-xlog.log")).unwrap();
    let a = sipscope::Analysis::of_files([("kamailio-xlog.log", &bytes[..])]);
    let failed = (0..a.messages.len() as u32)
        .find(|&i| a.messages[i as usize].brief.status == Some(404))
        .unwrap();
    let near = a.nearby_trace(failed).expect("lines near the 404");
    let texts: Vec<&str> = near.lines.iter().map(|l| l.text.as_str()).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("<core> [core/tcp_read.c:267]: tcp_read_data(): error reading")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("<script>: failure_route: 404")),
        "{texts:?}"
    );
    // A success has none.
    let ok = (0..a.messages.len() as u32)
        .find(|&i| a.messages[i as usize].brief.status == Some(200))
        .unwrap();
    assert!(a.nearby_trace(ok).is_none());
}
