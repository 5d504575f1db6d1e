//! Runs the built `sipscope` binary: text ladder, --summary, --json shape, several files, stdin, errors, trace
//! lines.

use std::io::Write;
use std::process::{Command, Stdio};

fn sipscope(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_sipscope"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn text_ladder_for_people() {
    let (out, _, code) = sipscope(&["tests/fixtures/seed-presence.uccapilog"]);
    assert_eq!(code, 0);
    assert!(out.contains("SUBSCRIBE"), "{out}");
    assert!(out.contains("200 OK (63 ms)"), "{out}");
}

#[test]
fn json_has_the_documented_shape() {
    let (out, _, code) = sipscope(&[
        "--json",
        "tests/fixtures/seed-presence.uccapilog",
        "tests/fixtures/rotated-mid-packet.uccapilog",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    for f in files {
        assert_eq!(f["format"], "uccapilog");
        assert!(f["name"].is_string() && f["bytes"].as_u64().unwrap() > 0);
    }
    let msgs = v["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 8);
    let first = &msgs[0];
    for key in [
        "index",
        "file",
        "time",
        "src",
        "dst",
        "start_line",
        "method",
        "status",
        "call_id",
        "cseq",
        "truncated",
    ] {
        assert!(
            first.get(key).is_some(),
            "messages[0].{key} missing: {first}"
        );
    }
    assert_eq!(first["time"], "2018-03-30T10:57:58.371");
    assert_eq!(first["method"], "SUBSCRIBE");
    assert!(first["status"].is_null());
    let response = msgs.iter().find(|m| m["status"] == 200).unwrap();
    assert_eq!(
        response["method"], "SUBSCRIBE",
        "a response's method comes from its CSeq"
    );
    // Merged by time: the March 2018 seed messages come before the rotated log's.
    let times: Vec<&str> = msgs.iter().map(|m| m["time"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 2);
    for d in diags {
        assert_eq!(d["severity"], "warning");
        assert_eq!(d["file"], 1);
        assert!(d["line"].as_u64().unwrap() > 0 && d["message"].is_string());
    }
}

#[test]
fn summary_and_stdin() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sipscope"))
        .args(["--summary", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"OPTIONS sip:pool.limcm.com SIP/2.0\r\nVia: SIP/2.0/TLS 10.0.0.5:5061;branch=z9hG4bK1\r\nCall-ID: x1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("(sip-text,"), "{text}");
    assert!(text.contains("messages:      1"), "{text}");
    assert!(text.contains("1 unanswered"), "{text}");
}

#[test]
fn errors_are_reported_not_panicked() {
    let (_, err, code) = sipscope(&["no/such/file.log"]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot open"), "{err}");
    let (_, err, code) = sipscope(&["--frobnicate"]);
    assert_eq!(code, 2);
    assert!(err.contains("unexpected argument '--frobnicate'"), "{err}");
    let (out, _, code) = sipscope(&["--summary", "Cargo.toml"]);
    assert_eq!(code, 0);
    assert!(out.contains("1 errors"), "{out}");
}

#[test]
fn clock_offsets_by_hand() {
    let (out, _, code) = sipscope(&[
        "--clock-offset",
        "2=0",
        "www/sample/sample.uccapilog",
        "tests/fixtures/server-edge.log",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("server-edge.log +0.000 s (set by hand)"),
        "{out}"
    );
    let (_, err, code) = sipscope(&["--clock-offset", "9=0", "www/sample/sample.uccapilog"]);
    assert_eq!(code, 2);
    assert!(err.contains("names file 9"), "{err}");
    let (_, err, code) = sipscope(&["--clock-offset", "x", "www/sample/sample.uccapilog"]);
    assert_eq!(code, 2);
    assert!(err.contains("is not N=MS"), "{err}");
}

#[test]
fn json_carries_annotations_presence_by_contact_and_findings() {
    let (out, _, code) = sipscope(&["--json", "www/sample/sample.uccapilog"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ua = v["messages"][0]["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["header"] == "User-Agent")
        .unwrap();
    assert!(
        ua["text"].as_str().unwrap().contains("Skype for Business"),
        "{ua}"
    );
    let on2: Vec<&str> = v["presence_by_contact"]["sip:on2@limcm.com"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(on2, ["Available", "Busy"]);
    let kinds: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"subscription-failed") && kinds.contains(&"no-response"),
        "{kinds:?}"
    );
}

#[test]
fn every_format_from_the_command_line() {
    let sample = "www/sample/sample.uccapilog";
    let (mermaid, _, code) = sipscope(&["--format", "mermaid", sample]);
    assert_eq!(code, 0);
    assert!(mermaid.starts_with("sequenceDiagram\n    participant P0 as "));
    assert!(mermaid.contains("REGISTER"));
    let (svg, _, _) = sipscope(&["-f", "svg", sample]);
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "{}",
        &svg[..40]
    );
    let (json, _, _) = sipscope(&["--format", "json", sample]);
    let (json2, _, _) = sipscope(&["--json", sample]);
    assert_eq!(json, json2);
    let (summary, _, _) = sipscope(&["--format", "summary", sample]);
    let (summary2, _, _) = sipscope(&["--summary", sample]);
    assert_eq!(summary, summary2);
    let (puml, _, code) = sipscope(&["--format", "plantuml", sample]);
    assert_eq!(code, 0);
    assert!(puml.starts_with("@startuml\nparticipant \""), "{puml}");
    assert!(puml.ends_with("@enduml\n") && puml.contains(" -> P1 : "));
    let (csv, _, code) = sipscope(&["-f", "csv", sample]);
    assert_eq!(code, 0);
    assert!(
        csv.starts_with("\u{feff}#,time,file,line,direction,"),
        "{csv}"
    );
    assert_eq!(csv.matches("\r\n").count(), 35, "a header and 34 messages");
    let (snooper, _, code) = sipscope(&["-f", "snooper", sample]);
    assert_eq!(code, 0);
    assert_eq!(snooper.matches(" INFO  :: Sending Packet - ").count(), 17);
    assert_eq!(snooper.matches(" INFO  :: Data Received -").count(), 17);
    // The filter narrows the tables to its messages too.
    let (failures, _, code) = sipscope(&["-f", "csv", "--filter", "status:>=500", sample]);
    assert_eq!(code, 0);
    assert_eq!(failures.matches("\r\n").count(), 2, "{failures}");
    assert!(failures.contains("SIP/2.0 503 Service Unavailable"));
    let (_, err, code) = sipscope(&["--format", "pdf", sample]);
    assert_eq!(code, 2);
    assert!(
        err.contains("one of: text, json, summary, svg, mermaid, plantuml, csv, snooper"),
        "{err}"
    );
    let (help, _, code) = sipscope(&["--help"]);
    assert_eq!(code, 0);
    assert!(help.contains("--format") && help.contains("--clock-offset"));
}

#[test]
fn help_names_every_format() {
    let (help, _, code) = sipscope(&["--help"]);
    assert_eq!(code, 0);
    for f in sipscope::render::OutputFormat::ALL {
        assert!(help.contains(f.name()), "--help does not name {}", f.name());
    }
}

/// A zip entry name carrying terminal escapes (ESC ] 0 ; … BEL retitles a terminal, ESC [ 2 J clears it) is
/// printed as visible replacement characters by every text output; `--json` escapes it as JSON does.
#[test]
fn terminal_escapes_in_names_are_never_printed_raw() {
    let file = "tests/regressions/analysis/zip-entry-name-terminal-escapes.zip";
    for args in [&[file][..], &["--summary", file], &["-f", "mermaid", file]] {
        let (out, err, code) = sipscope(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(
            out.contains("OPTIONS") || out.contains("messages:"),
            "{args:?}: {out}"
        );
        for (what, text) in [("stdout", &out), ("stderr", &err)] {
            let bad: Vec<char> = text
                .chars()
                .filter(|&c| {
                    c != '\n' && (c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c))
                })
                .collect();
            assert!(
                bad.is_empty(),
                "{args:?}: {what} carries control characters {bad:?}:\n{text}"
            );
        }
    }
}

#[test]
fn threads_give_the_one_thread_output() {
    // Pieces of 1 byte cut before every record; 700 and 4096 bytes, a few records per piece. Formats that are
    // not cut (captures, UTF-16, SIP text) are read by one thread and must come out the same too.
    let mut fixtures: Vec<_> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e != "md" && e != "py"))
            .collect();
    fixtures.sort();
    for path in fixtures {
        let path = path.to_str().unwrap();
        for format in ["--json", "--summary", "--trace"] {
            let (want, _, code) = sipscope(&[format, "--threads", "1", path]);
            assert_eq!(code, 0);
            for piece in ["1", "700", "4096"] {
                let (got, _, code) =
                    sipscope(&[format, "--threads", "3", "--piece-bytes", piece, path]);
                assert_eq!(code, 0);
                assert!(
                    got == want,
                    "{path} {format} in pieces of {piece} bytes differs"
                );
            }
        }
    }
}

#[test]
fn filter_prints_the_matching_messages_with_their_index() {
    let sample = "www/sample/sample.uccapilog";
    let (all, _, code) = sipscope(&["--json", sample]);
    assert_eq!(code, 0);
    let all: serde_json::Value = serde_json::from_str(&all).unwrap();
    let rows = all["messages"].as_array().unwrap();
    let (out, err, code) = sipscope(&["--filter", "status:4xx -status:401", "--json", sample]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["query"], "status:4xx -status:401");
    assert_eq!(v["total"].as_u64().unwrap() as usize, rows.len());
    let got = v["messages"].as_array().unwrap();
    let want: Vec<&serde_json::Value> = rows
        .iter()
        .filter(|r| {
            r["status"]
                .as_u64()
                .is_some_and(|s| (400..500).contains(&s) && s != 401)
        })
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        // The same row as in the whole report, with its index there.
        assert_eq!(g, w);
    }
    // Text: how many matched, then their ladder.
    let (out, _, code) = sipscope(&["--filter", "method:REGISTER status:401", sample]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("3 of 34 messages match method:REGISTER status:401\n"),
        "{out}"
    );
    assert_eq!(out.matches("401 Unauthorized").count(), 3, "{out}");
    let (out, _, _) = sipscope(&["--filter", "method:REGISTER", "--summary", sample]);
    assert!(
        out.contains("matching:      8 of 34 messages match method:REGISTER"),
        "{out}"
    );
}

#[test]
fn a_bad_query_exits_2_with_the_bad_part_underlined() {
    // Said before any file is read: the file does not even exist.
    let (out, err, code) = sipscope(&["--filter", "method:INVITE frm:alice", "no-such-file.log"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(
        err.lines().collect::<Vec<_>>()[1..],
        ["  method:INVITE frm:alice", "                ^^^^"],
        "{err}"
    );
    assert!(
        err.starts_with("sipscope: --filter: frm: is not a field"),
        "{err}"
    );
    let (_, err, code) = sipscope(&[
        "--filter",
        "홍길동 (status:4xx",
        "www/sample/sample.uccapilog",
    ]);
    assert_eq!(code, 2);
    assert!(err.ends_with("  홍길동 (status:4xx\n      ^\n"), "{err:?}");
}

#[test]
fn trace_prints_the_logs_lines_that_are_not_sip() {
    let sample = "www/sample/sample.uccapilog";
    let (text, err, code) = sipscope(&["--trace", sample]);
    assert_eq!(code, 0, "{err}");
    let (json, _, code) = sipscope(&["--trace", "--json", sample]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let lines = v.as_array().unwrap();
    assert_eq!(
        lines.len(),
        text.lines().count(),
        "one text line per trace line (none continues)"
    );
    for l in lines {
        let mut keys: Vec<&str> = l.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["file", "level", "line", "text", "thread", "time"]);
    }
    let first = &lines[0];
    assert_eq!(first["file"], sample);
    assert_eq!(first["line"], 1);
    assert_eq!(first["time"], "2018-03-30T10:57:40.812");
    assert_eq!(first["level"], "info");
    assert_eq!(first["thread"], "2738:2510");
    // --level error: the error lines only; --level warn adds the warnings.
    let (errors, _, code) = sipscope(&["--level", "error", sample]);
    assert_eq!(code, 0);
    let want = lines.iter().filter(|l| l["level"] == "error").count();
    assert_eq!(errors.lines().count(), want);
    assert!(errors.lines().all(|l| l.contains("  ERROR  ")), "{errors}");
    let (warn, _, _) = sipscope(&["--trace", "--level", "warn", "--json", sample]);
    let warn: serde_json::Value = serde_json::from_str(&warn).unwrap();
    let want = lines
        .iter()
        .filter(|l| l["level"] == "error" || l["level"] == "warn")
        .count();
    assert_eq!(warn.as_array().unwrap().len(), want);
    // --filter narrows the lines: words, thread.
    let (out, _, _) = sipscope(&["--trace", "--filter", "thread:3A4 DnsQuery", sample]);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("DnsQuery(_sipinternaltls._tcp.limcm.com, SRV) failed"));
    // A bad level is refused by the argument parser; a bad query exits 2 with the bad part underlined.
    let (_, err, code) = sipscope(&["--level", "loud", sample]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a level"), "{err}");
    let (_, err, code) = sipscope(&["--trace", "--filter", "level:loud", sample]);
    assert_eq!(code, 2);
    assert!(err.contains("        ^^^^"), "{err}");
    // Standard input cannot be read again: its lines' text is kept, and comes out the same.
    let mut child = Command::new(env!("CARGO_BIN_EXE_sipscope"))
        .args(["--trace", "--json", "-"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../www/sample/sample.uccapilog"
    ))
    .unwrap();
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    let piped: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let piped = piped.as_array().unwrap();
    assert_eq!(piped.len(), lines.len());
    for (p, l) in piped.iter().zip(lines) {
        assert_eq!(
            (&p["line"], &p["text"], &p["thread"]),
            (&l["line"], &l["text"], &l["thread"])
        );
    }
}

#[test]
fn redact_writes_each_file_under_its_name_with_counts_and_refuses_what_it_cannot_read() {
    let dir = std::env::temp_dir().join(format!("sipscope-redact-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let map = dir.with_extension("map");
    let notes = dir.with_extension("txt");
    std::fs::write(
        &notes,
        "Collected for case 123 after the user could not sign in.\n",
    )
    .unwrap();
    let (_, err, code) = sipscope(&[
        "redact",
        "www/sample/sample.uccapilog",
        "tests/fixtures/server-edge.log",
        notes.to_str().unwrap(),
        "-o",
        dir.to_str().unwrap(),
        "--keep",
        "media",
        "--mapping",
        map.to_str().unwrap(),
    ]);
    assert_eq!(code, 3, "a refused file makes exit code 3: {err}");
    assert!(
        err.contains(&format!(
            "{}: not redacted: redaction does not write back this format (unrecognized)",
            notes.display()
        )),
        "{err}"
    );
    assert!(
        err.contains("SIP URI users: ") && err.contains("SDP keys: 0 (kept)"),
        "{err}"
    );
    let copy = dir.join("sample.uccapilog");
    let text = std::fs::read_to_string(&copy).unwrap();
    assert!(!text.contains("limcm.com") && !text.contains("192.168.1.51"));
    assert!(
        !dir.join(notes.file_name().unwrap()).exists(),
        "nothing written for a refused file"
    );
    let edge = std::fs::read_to_string(dir.join("server-edge.log")).unwrap();
    assert!(
        !edge.contains("limcm.com") && !edge.contains("EDGE01"),
        "{edge}"
    );
    let mapping = std::fs::read_to_string(&map).unwrap();
    assert!(mapping.contains("users\ton1\tuser"), "{mapping}");
    // The copy analyzes to the same summary as the original, but for its file name and size.
    let summary = |p: &str| {
        let (out, _, code) = sipscope(&["--summary", p]);
        assert_eq!(code, 0);
        out.lines().skip(1).map(str::to_string).collect::<Vec<_>>()
    };
    assert_eq!(
        summary("www/sample/sample.uccapilog"),
        summary(copy.to_str().unwrap())
    );
    // An archive comes back in its container; a file inside that cannot be redacted is left out and said.
    let zip = dir.with_extension("zip");
    let sample = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../www/sample/sample.uccapilog"
    ))
    .unwrap();
    let note = std::fs::read(&notes).unwrap();
    std::fs::write(
        &zip,
        sipscope::redact::archive::zip(&[
            ("Tracing/Lync-UccApi-0.UccApilog", &sample, true, false),
            ("Tracing/notes.txt", &note, true, false),
        ]),
    )
    .unwrap();
    let (_, err, code) = sipscope(&["redact", zip.to_str().unwrap(), "-o", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("Tracing/notes.txt left out of the copy: not redacted"),
        "{err}"
    );
    let copy = std::fs::read(dir.join(zip.file_name().unwrap())).unwrap();
    assert!(copy.starts_with(b"PK\x03\x04"));
    assert_eq!(
        summary("www/sample/sample.uccapilog")[..],
        summary(dir.join(zip.file_name().unwrap()).to_str().unwrap())[1..]
    );
    std::fs::remove_file(&zip).unwrap();
    let (_, err, code) = sipscope(&["redact", "x", "-o", "y", "--keep", "everything"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("one of: users, domains"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_file(&map).unwrap();
    std::fs::remove_file(&notes).unwrap();
}

#[test]
fn calls_lists_each_call_with_its_outcome_media_and_quality() {
    let f = "tests/fixtures/calls/vq-poor-network.uccapilog";
    let (text, err, code) = sipscope(&["--calls", f]);
    assert_eq!(code, 0, "{err}");
    let first = text.lines().next().unwrap();
    assert!(
        first.contains("alice@contoso.com -> bob@contoso.com  [audio]  answered"),
        "{text}"
    );
    assert!(
        text.contains("POOR: network MOS degradation above 1.0"),
        "{text}"
    );
    assert!(text.contains("quality report cut off in the log"), "{text}");
    // The user's rating, with the problems ticked and the comment.
    assert!(
        text.contains(
            "rated 2 of 5 stars (poor) by sip:alice@contoso.com (message #10); problems: audio: distorted speech (Audio_DistortedSpeech), audio: interrupted (Audio_Interrupted); wrote: \"Bob kept cutting out"
        ),
        "{text}"
    );
    let (json, _, code) = sipscope(&["--calls", "--json", f]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let (full, _, _) = sipscope(&["--json", f]);
    let full: serde_json::Value = serde_json::from_str(&full).unwrap();
    assert_eq!(v, full["calls"], "--calls --json is the report's calls");
    assert_eq!(v[0]["outcome"], "answered");
    assert_eq!(
        v[0]["quality"][0]["media"][0]["inbound"]["listen_mos"],
        2.05
    );
    assert_eq!(v[0]["feedback"][0]["rating"], 2);
    assert_eq!(v[0]["feedback"][0]["low"], true);
    assert_eq!(v[1]["feedback"], serde_json::json!([]));
    let (none, _, code) = sipscope(&["--calls", "www/sample/sample.uccapilog"]);
    assert_eq!(code, 0);
    assert!(none.starts_with("No calls"), "{none}");
}

/// Issue 14: the media relay's user name and password are in no output — every format, the JSON, the calls, the
/// trace, in pieces too — a query does not find them, and a redacted copy renames them.
#[test]
fn media_relay_credentials_are_in_no_output() {
    let f = "tests/fixtures/calls/call-relay.uccapilog";
    let secrets = [
        "FWkvQLuR5qREC8tnECJ9InoRJJ5vFQrtK8J1D/BwwBJKLOg1qx64=",
        "7KDnL9CdO/+gBvmSZVr4/epzgZ3Z",
    ];
    let input = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/calls/call-relay.uccapilog"
    ))
    .unwrap();
    assert!(secrets.iter().all(|s| input.contains(s)));
    let mut runs: Vec<Vec<&str>> = [
        "text", "json", "summary", "svg", "mermaid", "plantuml", "csv", "snooper", "html",
    ]
    .iter()
    .map(|format| vec!["--format", format, f])
    .collect();
    runs.extend([
        vec!["--calls", f],
        vec!["--calls", "--json", f],
        vec!["--trace", f],
        vec!["--trace", "--json", f],
        vec![
            "--format",
            "snooper",
            "--threads",
            "3",
            "--piece-bytes",
            "700",
            f,
        ],
        vec!["--format", "html", "--filter", "method:SERVICE", f],
    ]);
    for args in &runs {
        let (out, err, code) = sipscope(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(!out.is_empty(), "{args:?}");
        for s in secrets {
            assert!(!out.contains(s) && !err.contains(s), "{args:?} prints {s}");
        }
    }
    let (html, _, _) = sipscope(&["--format", "html", f]);
    assert!(html.contains("2 credentials masked"), "the report says so");
    assert!(html.contains(&format!(
        "&lt;password&gt;{}&lt;/password&gt;",
        "*".repeat(secrets[1].len())
    )));
    // Not found by a search: no match, so nothing to print but the empty list.
    let (json, _, code) = sipscope(&["--json", "--filter", secrets[1], f]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["messages"].as_array().map(Vec::len), Some(0), "{json}");
    // A redacted copy renames them.
    let dir = std::env::temp_dir().join(format!("sipscope-mras-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (_, err, code) = sipscope(&["redact", f, "-o", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let copy = std::fs::read_to_string(dir.join("call-relay.uccapilog")).unwrap();
    for s in secrets {
        assert!(!copy.contains(s), "the redacted copy keeps {s}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn redact_writes_captures_back_as_pcap_and_pcapng() {
    let dir = std::env::temp_dir().join(format!("sipscope-redact-capture-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let pcap = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/lab-tcp5060.pcap"
    ))
    .unwrap();
    let ng = dir.join("lab-tcp5060.pcapng");
    let extras = sipscope_harness::packets::NgExtras {
        section: &[(2, b"FE01-LAB.contoso.local")],
        ..Default::default()
    };
    std::fs::write(
        &ng,
        sipscope_harness::packets::pcapng_from_pcap(&pcap, true, &extras),
    )
    .unwrap();
    let out = dir.join("out");
    let (_, err, code) = sipscope(&[
        "redact",
        "tests/fixtures/lab-tcp5060.pcap",
        ng.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("IP addresses: "), "{err}");
    // Each copy analyzes like its original, but for its name, its size and the payloads left out.
    let summary = |p: &str| {
        let (out, _, code) = sipscope(&["--summary", p]);
        assert_eq!(code, 0);
        out.lines()
            .filter(|l| !l.starts_with("file:") && !l.starts_with("diagnostics:"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    for (original, copy) in [
        (
            "tests/fixtures/lab-tcp5060.pcap",
            out.join("lab-tcp5060.pcap"),
        ),
        (ng.to_str().unwrap(), out.join("lab-tcp5060.pcapng")),
    ] {
        let bytes = std::fs::read(&copy).unwrap();
        for gone in ["limcm.com", "FE01-LAB", "192.168.1.51"] {
            assert!(
                !bytes.windows(gone.len()).any(|w| w == gone.as_bytes()),
                "{gone} in {}",
                copy.display()
            );
        }
        assert!(
            !bytes.windows(4).any(|w| w == [192, 168, 1, 51]),
            "an address in a header"
        );
        assert_eq!(summary(original), summary(copy.to_str().unwrap()));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
