//! Trace lines (a log's lines that are not SIP): what the importers find, what the trace view selects and where
//! it puts a message, the lines shown near a failure, and what they cost in memory.
#![cfg(not(target_arch = "wasm32"))]

use sipscope::import::trace::Level;
use sipscope::view::trace::{TraceFilter, TraceView};
use sipscope::Analysis;
use std::path::Path;

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

fn sample() -> Analysis {
    Analysis::of_files([(
        "sample.uccapilog",
        read("www/sample/sample.uccapilog").as_slice(),
    )])
}

fn merged() -> Analysis {
    let (c, e, f) = (
        read("www/sample/sample.uccapilog"),
        read("tests/fixtures/server-edge.log"),
        read("tests/fixtures/server-frontend.log"),
    );
    Analysis::of_files([
        ("sample.uccapilog", c.as_slice()),
        ("server-edge.log", e.as_slice()),
        ("server-frontend.log", f.as_slice()),
    ])
}

/// The trace lines of a client log, found another way: every prefixed line that is neither a packet's header,
/// its End line, nor the SIP start line right after the header.
fn prefixed_lines_that_are_not_sip(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut after_header = false;
    for (k, line) in text.lines().enumerate() {
        let Some((_, rest)) = line.split_once(" :: ") else {
            after_header = false;
            continue;
        };
        if !line.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let header = rest.starts_with("Sending Packet -") && rest.contains("Local Address")
            || rest.starts_with("Data Received -") && rest.contains("Local Address");
        let end =
            rest.starts_with("End of Sending Packet") || rest.starts_with("End of Data Received");
        if !(header || end || after_header) {
            out.push((k as u32 + 1, rest.trim_end().to_string()));
        }
        after_header = header;
    }
    out
}

#[test]
fn a_client_logs_trace_lines_are_its_prefixed_lines_that_are_not_sip() {
    let bytes = read("www/sample/sample.uccapilog");
    let want = prefixed_lines_that_are_not_sip(std::str::from_utf8(&bytes).unwrap());
    let a = sample();
    let t = &a.traces()[0];
    assert_eq!(t.len() as usize, want.len());
    for (i, (line, text)) in want.iter().enumerate() {
        let l = a.trace_line(0, i as u32);
        assert_eq!(l.line, *line);
        assert_eq!(
            a.trace_text(&l).as_deref(),
            Some(text.as_str()),
            "line {line}"
        );
    }
    // The sample's levels, as the file has them (grep -c ' ERROR :: ' etc.).
    let count = |w: &str| {
        bytes
            .split(|&b| b == b'\n')
            .filter(|l| l.windows(w.len()).any(|x| x == w.as_bytes()))
            .count() as u32
    };
    assert_eq!(t.counts()[Level::Error as usize], count(" ERROR :: "));
    assert_eq!(t.counts()[Level::Warn as usize], count(" WARN  :: "));
    assert!(t.threads().iter().any(|th| &**th == "2738:14E0"));
}

/// A realistic stretch of a client log: a web-service response logged over several lines, and another thread's
/// line logged in the middle of a packet.
const CONTINUED: &str = "\
04/02/2018|18:21:47.900 1EC:2A4 INFO  :: CUccWebServiceRequest::OnResponse - https://pool.limcm.com/groupexpansion/service.svc HTTP 500, body:\r
<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">\r
  <s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>Expansion failed</faultstring></s:Fault></s:Body>\r
</s:Envelope>\r
04/02/2018|18:21:48.020 1EC:1F0 INFO  :: Sending Packet - 211.208.253.66:5061 (From Local Address: 192.168.1.54:50112) 242 bytes:\r
04/02/2018|18:21:48.021 1EC:1F0 INFO  :: OPTIONS sip:on2@limcm.com SIP/2.0\r
04/02/2018|18:21:48.021 1EC:2A4 WARN  :: CUccContactManager::OnExpandFailed - group 'Sales' expansion failed, retry in 30 s\r
Via: SIP/2.0/TLS 192.168.1.54:50112\r
From: <sip:on2@limcm.com>;tag=1;epid=2\r
To: <sip:on2@limcm.com>\r
Call-ID: 7a8b9c\r
CSeq: 1 OPTIONS\r
Content-Length: 0\r
\r
04/02/2018|18:21:48.022 1EC:1F0 INFO  :: End of Sending Packet - 211.208.253.66:5061 (From Local Address: 192.168.1.54:50112) 242 bytes\r
|\r
04/02/2018|18:21:48.030 1EC:2A4 ERROR :: CUccContactManager::Expand - giving up on 'Sales'\r
";

#[test]
fn continuation_lines_and_lines_inside_packets_are_trace_lines() {
    let a = Analysis::of_files([("client.uccapilog", CONTINUED.as_bytes())]);
    assert_eq!(a.messages.len(), 1, "the packet is still one message");
    let text = String::from_utf8_lossy(&a.sip(0).raw).into_owned();
    assert!(
        !text.contains("OnExpandFailed"),
        "the other thread's line is not in the message"
    );
    let lines: Vec<_> = (0..a.traces()[0].len())
        .map(|i| {
            let l = a.trace_line(0, i);
            (l.line, l.level, a.trace_text(&l).unwrap())
        })
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0].0, 1);
    assert!(lines[0].2.ends_with("HTTP 500, body:\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">\n  <s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>Expansion failed</faultstring></s:Fault></s:Body>\n</s:Envelope>"));
    assert_eq!((lines[1].0, lines[1].1), (7, Level::Warn));
    assert_eq!(
        (lines[2].0, lines[2].1),
        (17, Level::Error),
        "the `|` noise line continues nothing"
    );
    assert_eq!(
        lines[2].2,
        "CUccContactManager::Expand - giving up on 'Sales'"
    );
}

#[test]
fn a_server_traces_non_protocol_records_are_trace_lines() {
    let f = read("tests/fixtures/server-frontend.log");
    let a = Analysis::of_files([("server-frontend.log", f.as_slice())]);
    let lines: Vec<_> = (0..a.traces()[0].len())
        .map(|i| a.trace_line(0, i))
        .collect();
    let at = |n: u32| lines.iter().find(|l| l.line == n).copied().unwrap();
    // Line 1: a plain trace line; 2: a connection record; 189: a TF_DIAG record; 199: a diagnostic without
    // `$$begin_record`; 229: a connection warning.
    assert_eq!(
        a.trace_text(&at(1)).unwrap(),
        "Listening on 192.168.1.7:5061 (TLS), 192.168.1.7:5062 (MTLS)"
    );
    assert!(a.trace_text(&at(2)).unwrap().starts_with(
        "LogType: connection\nSeverity: information\nText: TLS negotiation succeeded"
    ));
    assert_eq!(at(189).level, Level::Error);
    assert!(a
        .trace_text(&at(189))
        .unwrap()
        .contains("Result-Code: 0xC3E93C0F SIPPROXY_E_CONNECTION_TIMED_OUT"));
    assert_eq!(at(199).level, Level::Error);
    assert!(a
        .trace_text(&at(199))
        .unwrap()
        .starts_with("( 000000B2A7C4E210 ) Exit - next hop unreachable."));
    assert_eq!(at(229).level, Level::Warn);
    assert_eq!(
        &*a.traces()[0].threads()[at(229).thread as usize],
        "0A3C.1B2C"
    );
    // No protocol record is a trace line.
    for l in &lines {
        let text = a.trace_text(l).unwrap();
        assert!(
            !text.contains("Message-Type:") && !text.contains("Trace-Correlation-Id:"),
            "line {}: {text}",
            l.line
        );
    }
}

#[test]
fn the_view_selects_by_level_thread_and_query_and_finds_a_message() {
    let a = sample();
    let mut v = TraceView::new(&a);
    let all = v.select(&a, &TraceFilter::default());
    assert_eq!(
        all.total as usize,
        a.messages.len() + a.trace_line_count() as usize
    );
    // Rows are in file order: each message between the lines logged around it.
    let page = v.page(&a, 0, all.total);
    assert!(page.rows.windows(2).all(|w| w[0].line < w[1].line));
    let place = v.locate_message(15);
    assert!(place.exact);
    let row = &v.page(&a, place.row.unwrap(), 1).rows[0];
    assert_eq!(
        (row.message, row.text.as_str()),
        (Some(15), "503 Service Unavailable")
    );

    // Errors and warnings only, no messages: the 503's place is the first such line after it.
    let worst = TraceFilter {
        levels: [true, true, false, false],
        messages: false,
        ..TraceFilter::default()
    };
    let n = v.select(&a, &worst);
    let t = &a.traces()[0];
    assert_eq!(n.total, t.counts()[0] + t.counts()[1]);
    let place = v.locate_message(15);
    assert!(!place.exact);
    let near = &v.page(&a, place.row.unwrap(), 1).rows[0];
    assert!(
        near.text
            .starts_with("CUccPresenceManager::OnSubscribeFailed"),
        "{}",
        near.text
    );

    // A thread and words; a message field never matches a line.
    let q = TraceFilter {
        query: "thread:14E0 keep-alive".into(),
        messages: false,
        ..TraceFilter::default()
    };
    let n = v.select(&a, &q);
    let rows = v.page(&a, 0, n.total).rows;
    assert!(n.total >= 2);
    assert!(rows
        .iter()
        .all(|r| r.thread == "2738:14E0" && r.text.to_ascii_lowercase().contains("keep-alive")));
    assert_eq!(
        v.select(
            &a,
            &TraceFilter {
                query: "method:INVITE".into(),
                messages: false,
                ..TraceFilter::default()
            }
        )
        .total,
        0
    );
    // A query field and a message row: the INVITEs, and lines about sessions.
    let n = v.select(
        &a,
        &TraceFilter {
            query: "method:INVITE OR session".into(),
            ..TraceFilter::default()
        },
    );
    let rows = v.page(&a, 0, n.total).rows;
    assert!(rows.iter().any(|r| r.message.is_some()) && rows.iter().any(|r| r.message.is_none()));

    // A bad query: its place and reason, nothing selected.
    let bad = v.select(
        &a,
        &TraceFilter {
            query: "level:loud".into(),
            ..TraceFilter::default()
        },
    );
    assert_eq!(bad.total, 0);
    let e = bad.error.unwrap();
    assert_eq!((e.start, e.end), (6, 10));
    assert!(e.message.contains("error, warn, info or trace"));
}

#[test]
fn a_failure_shows_the_error_and_warn_lines_of_every_file_near_it() {
    let a = merged();
    let failed = (0..a.messages.len() as u32)
        .find(|&i| a.messages[i as usize].brief.status == Some(503))
        .unwrap();
    let near = a.nearby_trace(failed).unwrap();
    let files: Vec<u32> = near.lines.iter().map(|l| l.file).collect();
    assert!(
        files.contains(&0) && files.contains(&2),
        "client and Front End lines: {files:?}"
    );
    assert!(near
        .lines
        .iter()
        .any(|l| l.text.contains("SIPPROXY_E_CONNECTION_TIMED_OUT")));
    assert!(near.lines.windows(2).all(|w| w[0].time <= w[1].time));
    assert!(near.window.contains("503"));
    // A success has none.
    let ok = (0..a.messages.len() as u32)
        .find(|&i| a.messages[i as usize].brief.status == Some(200))
        .unwrap();
    assert!(a.nearby_trace(ok).is_none());
}

/// Trace lines cost their columns, never their text: 20 bytes a line.
#[test]
fn trace_lines_cost_twenty_bytes_each() {
    let mut log = String::new();
    for k in 0..50_000u32 {
        let level = ["TRACE", "INFO ", "WARN ", "ERROR"][(k % 7 % 4) as usize];
        log.push_str(&format!(
            "03/30/2018|10:{:02}:{:02}.{:03} 2738:{:X} {level} :: CUccPresenceManager::ProcessCategoryUpdate - category state instance {k} updated for sip:user{k}@limcm.com\r\n",
            (k / 60_000) % 60, (k / 1000) % 60, k % 1000, 0x14E0 + k % 9
        ));
    }
    let a = Analysis::of_files([("big.uccapilog", log.as_bytes())]);
    let t = &a.traces()[0];
    assert_eq!(t.len(), 50_000);
    let per_line = t.bytes_held() as f64 / 50_000.0;
    // 20 bytes of columns, the warn/error index (4 bytes for ~3 lines in 7 here), a little spare capacity.
    assert!(per_line < 30.0, "{per_line} bytes a line");
    assert!(
        per_line * 4.0 < log.len() as f64 / 50_000.0,
        "far below the text's own size"
    );
}
