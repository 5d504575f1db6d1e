//! Text formats: the SIP text importer (documents, debug logs, text with lost line breaks) and the server
//! SIPStack trace importer, run directly over the shared corpus and this repository's fixtures.
#![cfg(not(target_arch = "wasm32"))]

use sipscope::base::diag::{Code, Problem};
use sipscope::import::cls::{ClsImporter, ServerDiagnostic};
use sipscope::import::siptext::{self, SipTextImporter};
use sipscope::import::{Direction, Record, Sink};
use sipscope::sip::{parse_message, Message};
use sipscope::Severity;
use std::path::{Path, PathBuf};

fn shared(rel: &str) -> Option<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let path = root.join(rel);
    let got = std::fs::read(&path).ok();
    if got.is_none() {
        println!("{}: not found; skipped", path.display());
    }
    got
}

fn fixture(name: &str) -> Vec<u8> {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sip_text(bytes: &[u8], chunk: usize) -> Sink {
    let mut imp = SipTextImporter::new(0);
    let mut sink = Sink::default();
    for c in bytes.chunks(chunk.max(1)) {
        imp.push(c, &mut sink);
    }
    imp.finish(&mut sink);
    sink
}

fn server(bytes: &[u8], chunk: usize) -> (Sink, Vec<ServerDiagnostic>) {
    let mut imp = ClsImporter::new(0);
    let mut sink = Sink::default();
    for c in bytes.chunks(chunk.max(1)) {
        imp.push(c, &mut sink);
    }
    imp.finish(&mut sink);
    let d = imp.server_diagnostics().to_vec();
    (sink, d)
}

fn parsed(sink: &Sink) -> Vec<Message> {
    sink.records
        .iter()
        .map(|r| parse_message(r.sip.clone()).expect("every record is a SIP message"))
        .collect()
}

fn start_lines(sink: &Sink) -> Vec<String> {
    parsed(sink).iter().map(Message::start_line).collect()
}

fn times(sink: &Sink) -> Vec<String> {
    sink.records
        .iter()
        .map(|r| r.time.map(|t| t.to_string()).unwrap_or_default())
        .collect()
}

// ---------------------------------------------------------------------------------------------------------
// SIP text over the shared corpus.

#[test]
fn shared_fixtures_give_the_expected_counts() {
    let expected: &[(&str, usize)] = &[
        (
            "fixtures/asterisk-docs/Asterisk-PJSIP-Troubleshooting-Guide.md",
            8,
        ),
        (
            "fixtures/asterisk-docs/Configuring-chan_sip-for-Presence-Subscriptions.md",
            6,
        ),
        (
            "fixtures/ms-lync-devdocs/creating-enhanced-presence-category-instances.md",
            1,
        ),
        (
            "fixtures/ms-lync-devdocs/deleting-an-existing-publication.md",
            1,
        ),
        ("fixtures/resip-rfc4475/badinv01.dat", 1),
        ("fixtures/resip-rfc4475/esc01.dat", 1),
        ("fixtures/resip-rfc4475/longreq.dat", 1),
        ("fixtures/resip-rfc4475/mcl01.dat", 1),
        ("fixtures/resip-rfc4475/mpart01.dat", 1),
        ("fixtures/resip-rfc4475/noreason.dat", 1),
        ("fixtures/resip-rfc4475/unreason.dat", 1),
        ("fixtures/resip-rfc4475/wsinv.dat", 1),
        ("fixtures/kamailio-test/message-2002-379a395.sip", 1),
        ("fixtures/kamailio-test/ms-invite-00.sip", 1),
        ("fixtures/kamailio-test/ms-invite-00-rpl.sip", 1),
        ("fixtures/kamailio-test/msbye.sip", 1),
        // 42 well-formed start lines in the spec; the two broken ones (method and URI on separate lines) are
        // not messages.
        ("fixtures/ms-openspecs/MS-SIP.md", 42),
        ("seed/presence-flow-blog.txt", 4),
    ];
    for &(rel, want) in expected {
        let Some(bytes) = shared(rel) else { return };
        let sink = sip_text(&bytes, 4096);
        let msgs = parsed(&sink);
        assert_eq!(msgs.len(), want, "{rel}: {:?}", start_lines(&sink));
        for r in &sink.records {
            assert!(r.line > 0 && r.span.0 <= r.span.1, "{rel}: {r:?}");
        }
        assert!(
            !sink
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error),
            "{rel}: {:?}",
            sink.diagnostics
        );
    }
}

#[test]
fn pjsip_logger_blocks_give_addresses() {
    let Some(bytes) = shared("fixtures/asterisk-docs/Asterisk-PJSIP-Troubleshooting-Guide.md")
    else {
        return;
    };
    let sink = sip_text(&bytes, 4096);
    let got: Vec<(String, Direction, Option<String>, Option<String>)> = parsed(&sink)
        .iter()
        .zip(&sink.records)
        .map(|(m, r)| (m.start_line(), r.direction, r.src.clone(), r.dst.clone()))
        .collect();
    let phone = Some("10.24.16.37:5060".to_string());
    let rx = |s: &str| (s.to_string(), Direction::Received, phone.clone(), None);
    let tx = |s: &str| (s.to_string(), Direction::Sent, None, phone.clone());
    assert_eq!(
        got,
        vec![
            (
                "INVITE sip:service@127.0.0.1:5060 SIP/2.0".to_string(),
                Direction::Received,
                Some("127.0.0.1:5061".to_string()),
                None
            ),
            rx("INVITE sip:201@10.24.20.249 SIP/2.0"),
            tx("SIP/2.0 401 Unauthorized"),
            rx("ACK sip:201@10.24.20.249 SIP/2.0"),
            rx("INVITE sip:201@10.24.20.249 SIP/2.0"),
            tx("SIP/2.0 401 Unauthorized"),
            rx("ACK sip:201@10.24.20.249 SIP/2.0"),
            (
                "REGISTER sip:10.24.20.249:5060 SIP/2.0".to_string(),
                Direction::Unknown,
                None,
                None
            ),
        ]
    );
    // The SDP bodies end where Content-Length says; the prose after the code block is not part of them.
    let m = parse_message(sink.records[0].sip.clone()).unwrap();
    assert!(m.body().ends_with(b"a=ptime:20\n"), "{:?}", m.body());
    assert!(sink.records.iter().all(|r| r.problems.is_empty()));
}

#[test]
fn chan_sip_debug_blocks() {
    let Some(bytes) =
        shared("fixtures/asterisk-docs/Configuring-chan_sip-for-Presence-Subscriptions.md")
    else {
        return;
    };
    let sink = sip_text(&bytes, 4096);
    assert_eq!(
        start_lines(&sink),
        [
            "SUBSCRIBE sip:6001@10.24.18.124;transport=UDP SIP/2.0",
            "SIP/2.0 401 Unauthorized",
            "SUBSCRIBE sip:6001@10.24.18.124;transport=UDP SIP/2.0",
            "SIP/2.0 200 OK",
            "NOTIFY sip:Alice@10.24.17.254:37509;transport=UDP SIP/2.0",
            "SIP/2.0 200 OK",
        ]
    );
    let dirs: Vec<Direction> = sink.records.iter().map(|r| r.direction).collect();
    use Direction::{Received as R, Sent as S};
    assert_eq!(dirs, [R, S, R, S, S, R]);
    // The NOTIFY's PIDF body stops before the `---` and the debug lines after it.
    let notify = parse_message(sink.records[4].sip.clone()).unwrap();
    assert!(notify.body().ends_with(b"</presence>\n"));
    assert!(
        sink.records.iter().all(|r| r.problems.is_empty()),
        "{:?}",
        sink.records
    );
}

#[test]
fn lync_sdk_pages_give_one_service_each() {
    for (rel, call_id) in [
        (
            "fixtures/ms-lync-devdocs/creating-enhanced-presence-category-instances.md",
            "3e66afc936ee4733b5ccf058dc3f3844",
        ),
        (
            "fixtures/ms-lync-devdocs/deleting-an-existing-publication.md",
            "68f271a55a574ac197afccabe755d56b",
        ),
    ] {
        let Some(bytes) = shared(rel) else { return };
        let sink = sip_text(&bytes, 4096);
        let msgs = parsed(&sink);
        assert_eq!(msgs.len(), 1, "{rel}");
        let m = &msgs[0];
        assert_eq!(m.method(), Some("SERVICE"));
        assert_eq!(m.call_id().as_deref(), Some(call_id));
        // De-indented: the XML body starts at column 0 and keeps its own relative indentation.
        assert!(m.body().starts_with(b"<publish"), "{rel}");
        assert!(!m.raw.windows(5).any(|w| w == b"\n    S"), "{rel}");
    }
}

#[test]
fn seed_blog_text_is_recovered() {
    let Some(bytes) = shared("seed/presence-flow-blog.txt") else {
        return;
    };
    let sink = sip_text(&bytes, 4096);
    let msgs = parsed(&sink);
    assert_eq!(
        start_lines(&sink),
        [
            "SUBSCRIBE sip:on1@limcm.com SIP/2.0",
            "SIP/2.0 200 OK",
            "SERVICE sip:on2@limcm.com SIP/2.0",
            "SIP/2.0 200 OK"
        ]
    );
    let call_ids: Vec<String> = msgs.iter().map(|m| m.call_id().unwrap().into()).collect();
    assert_eq!(
        call_ids,
        [
            "3e027202ab3c4ccabed634c1edd89f72",
            "3e027202ab3c4ccabed634c1edd89f72",
            "378053f311134d51b31f366877fcc961",
            "378053f311134d51b31f366877fcc961"
        ]
    );
    let cseqs: Vec<_> = msgs.iter().map(|m| m.cseq().unwrap()).collect();
    assert_eq!(
        cseqs,
        [
            (1, "SUBSCRIBE".into()),
            (1, "SUBSCRIBE".into()),
            (1, "SERVICE".into()),
            (1, "SERVICE".into())
        ]
    );
    assert_eq!(
        msgs[0].header("From").unwrap(),
        "<sip:on1@limcm.com>;tag=0bc7b0fc1e;epid=08b5b444f3"
    );
    assert_eq!(msgs[0].header("To").unwrap(), "<sip:on1@limcm.com>");
    assert_eq!(msgs[1].to_tag().as_deref(), Some("6C3D0080"));
    assert_eq!(msgs[2].from_tag().as_deref(), Some("af89299b00"));
    assert_eq!(
        msgs[3].to_tag().as_deref(),
        Some("DD8492CC262C8479E638B481D76FAFD3")
    );
    // Annotations are gone from the headers.
    assert_eq!(
        msgs[0].header("User-Agent").unwrap(),
        "UCCAPI/16.0.9126.2072 OC/16.0.9126.2098 (Skype for Business)"
    );
    assert_eq!(msgs[0].header("Event").unwrap(), "presence");
    assert_eq!(
        msgs[1].header("Contact").unwrap(),
        "<sip:pool.limcm.com:5061;transport=tls;ms-fe=FE00.limcm.com>"
    );
    for m in &msgs {
        for h in &m.headers {
            let v = m.value(h);
            assert!(
                !v.contains("<-") && !v.contains("->") && !v.contains("기록"),
                "{v}"
            );
        }
    }
    assert_eq!(msgs[1].headers_named("Record-Route").count(), 2);
    // Addresses and times come from the inlined packet headers.
    let r = &sink.records;
    assert_eq!(
        (r[0].direction, r[0].src.as_deref(), r[0].dst.as_deref()),
        (
            Direction::Sent,
            Some("192.168.1.51:51882"),
            Some("211.208.253.66:5061")
        )
    );
    assert_eq!(
        (r[3].direction, r[3].src.as_deref(), r[3].dst.as_deref()),
        (
            Direction::Received,
            Some("211.208.253.66:5061"),
            Some("192.168.1.54:49816")
        )
    );
    assert_eq!(
        times(&sink),
        [
            "2018-03-30T10:57:58.371",
            "2018-03-30T10:57:58.434",
            "2018-04-02T18:21:48.021",
            "2018-04-02T18:21:48.052"
        ]
    );
    for rec in r {
        assert_eq!(
            rec.problems.first().map(|p| (p.code, p.text.as_str())),
            Some((Code::LostLineBreaks, siptext::RECONSTRUCTED))
        );
    }
    // The multipart body is laid out again: both parts are found.
    let delimiter = b"--5163ac81d4494d259d913ed7e3ea321e";
    let parts = msgs[1]
        .body()
        .windows(delimiter.len())
        .filter(|w| w == delimiter)
        .count();
    assert_eq!(parts, 3);
}

// ---------------------------------------------------------------------------------------------------------
// SIP text over this repository's fixtures.

#[test]
fn collapsed_fixture() {
    let sink = sip_text(&fixture("sip-collapsed.txt"), 4096);
    let msgs = parsed(&sink);
    assert_eq!(
        start_lines(&sink),
        [
            "SUBSCRIBE sip:on4@limcm.com SIP/2.0",
            "SIP/2.0 503 Service Unavailable"
        ]
    );
    assert_eq!(
        msgs[0].header("User-Agent").unwrap(),
        "UCCAPI/16.0.4849.1000 OC/16.0.4849.1000 (Skype for Business)"
    );
    assert_eq!(
        msgs[1].header("ms-diagnostics").unwrap(),
        "1007;reason=\"Temporarily cannot route\";source=\"FE01.limcm.com\""
    );
    assert_eq!(
        msgs[1].header("Via").unwrap(),
        "SIP/2.0/TLS 192.168.1.51:51882;received=211.208.253.61;ms-received-port=51882;ms-received-cid=17700"
    );
    // The single-line XML body survives whole, so its Content-Length fits.
    assert!(
        !msgs[0].truncated && msgs[0].problems.is_empty(),
        "{:?}",
        msgs[0].problems
    );
    assert_eq!(
        times(&sink),
        ["2018-03-30T10:57:42.012", "2018-03-30T10:57:42.087"]
    );
    assert!(sink
        .records
        .iter()
        .all(|r| r.problems == [Problem::new(Code::LostLineBreaks, siptext::RECONSTRUCTED)]));
    assert!(siptext::is_collapsed_line(
        fixture("sip-collapsed.txt")
            .split(|&b| b == b'\n')
            .nth(3)
            .unwrap()
    ));
}

#[test]
fn quoted_fixture() {
    let sink = sip_text(&fixture("sip-quoted.txt"), 4096);
    assert_eq!(
        start_lines(&sink),
        [
            "REGISTER sip:limcm.com SIP/2.0",
            "SIP/2.0 401 Unauthorized",
            "SERVICE sip:on1@limcm.com SIP/2.0",
            "SIP/2.0 503 Service Unavailable"
        ]
    );
    let r = &sink.records;
    // sipdump: tag rcv, source and destination, epoch time.
    assert_eq!(r[0].direction, Direction::Received);
    assert_eq!(r[0].src.as_deref(), Some("192.168.1.51:51882"));
    assert_eq!(r[0].dst.as_deref(), Some("211.208.253.66:5061"));
    // ngrep: both addresses, the `.` that stands for each CR removed.
    assert_eq!(r[1].src.as_deref(), Some("211.208.253.66:5061"));
    assert_eq!(r[1].dst.as_deref(), Some("192.168.1.51:51882"));
    assert_eq!(
        times(&sink)[..2],
        [
            "2018-03-30T01:57:41.217".to_string(),
            "2018-03-30T01:57:41.302".to_string()
        ]
    );
    for m in parsed(&sink) {
        assert!(
            m.problems.is_empty() && !m.truncated,
            "{}: {:?}",
            m.start_line(),
            m.problems
        );
    }
    // The e-mail quote and the code indentation are removed from the SERVICE; its Korean note is intact.
    let svc = parse_message(r[2].sip.clone()).unwrap();
    assert!(svc
        .raw
        .starts_with(b"SERVICE sip:on1@limcm.com SIP/2.0\nVia:"));
    assert!(String::from_utf8_lossy(svc.body()).contains("회의 중 - 11시 이후 연락 주세요"));
    assert!(r.iter().all(|r| r.problems.is_empty()), "{r:?}");
}

// ---------------------------------------------------------------------------------------------------------
// Server traces.

/// The client log's messages by (Call-ID, CSeq number, method, start line), with their local times.
fn client_messages() -> Vec<(String, u32, String, String, i64)> {
    let bytes =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("www/sample/sample.uccapilog"))
            .unwrap();
    let mut imp = sipscope::import::uccapi::UccApiImporter::new(0);
    let mut sink = Sink::default();
    imp.push(&bytes, &mut sink);
    imp.finish(&mut sink);
    sink.records
        .iter()
        .map(|r| {
            let m = r.clone().into_message().unwrap();
            let (n, method) = m.cseq().unwrap();
            (
                m.call_id().unwrap().into_owned(),
                n,
                method,
                m.start_line(),
                r.time.unwrap().0,
            )
        })
        .collect()
}

#[test]
fn front_end_trace() {
    let bytes = fixture("server-frontend.log");
    let (sink, diags) = server(&bytes, 4096);
    let msgs = parsed(&sink);
    assert_eq!(
        start_lines(&sink),
        [
            "REGISTER sip:limcm.com SIP/2.0",
            "SIP/2.0 401 Unauthorized",
            "REGISTER sip:limcm.com SIP/2.0",
            "SIP/2.0 200 OK",
            "SERVICE sip:on1@limcm.com SIP/2.0",
            "SIP/2.0 200 OK",
            "SUBSCRIBE sip:on4@limcm.com SIP/2.0",
            "SIP/2.0 503 Service Unavailable",
        ]
    );
    for (m, r) in msgs.iter().zip(&sink.records) {
        assert!(
            m.problems.is_empty() && !m.truncated,
            "{}: {:?}",
            m.start_line(),
            m.problems
        );
        assert!(r.problems.is_empty());
        let (dir, src, dst) = if m.is_request() {
            (Direction::Received, "192.168.1.6:50001", "FE01")
        } else {
            (Direction::Sent, "FE01", "192.168.1.6:50001")
        };
        assert_eq!(
            (r.direction, r.src.as_deref(), r.dst.as_deref()),
            (dir, Some(src), Some(dst))
        );
    }
    assert_eq!(
        times(&sink),
        [
            "2018-03-30T01:57:41.228",
            "2018-03-30T01:57:41.291",
            "2018-03-30T01:57:41.551",
            "2018-03-30T01:57:41.600",
            "2018-03-30T01:57:41.773",
            "2018-03-30T01:57:41.818",
            "2018-03-30T01:57:42.023",
            "2018-03-30T01:57:42.076"
        ]
    );
    // The same transactions as the client log (UTC+9): same Call-ID, CSeq and the client's Via branch, times
    // 9 hours earlier give or take the network.
    let client = client_messages();
    for (m, r) in msgs.iter().zip(&sink.records) {
        let (n, method) = m.cseq().unwrap();
        let cid = m.call_id().unwrap();
        let c = client
            .iter()
            .find(|c| c.0 == cid && c.1 == n && c.2 == method && c.3 == m.start_line())
            .unwrap_or_else(|| panic!("{} {cid} {n} not in the client log", m.start_line()));
        let skew = r.time.unwrap().0 + 9 * 3_600_000 - c.4;
        assert!(skew.abs() < 100, "{}: {skew} ms", m.start_line());
    }
    let client_branch = "z9hG4bK082C0ADD191BBE549F0BA2EB09232FFB-0";
    let vias: Vec<String> = msgs[0]
        .headers_named("Via")
        .map(|v| v.into_owned())
        .collect();
    assert_eq!(vias.len(), 2);
    assert!(vias[1].contains(client_branch));
    // The SERVICE body (Korean note) is rebuilt byte for byte: Content-Length fits.
    assert!(String::from_utf8_lossy(msgs[4].body()).contains("회의 중 - 11시 이후 연락 주세요"));
    assert_eq!(msgs[4].content_length(), Some(msgs[4].body().len()));

    // Diagnostics: two about the SUBSCRIBE that got the 503 (one written without `$$begin_record`).
    assert_eq!(diags.len(), 2);
    let sub = &msgs[6];
    for d in &diags {
        let (call_id, n, method) = d.key().expect("names a message");
        assert_eq!(call_id, sub.call_id().unwrap().trim(), "{d:?}");
        assert_eq!(n, 1);
        assert!(
            method.is_empty() || method.eq_ignore_ascii_case("SUBSCRIBE"),
            "{d:?}"
        );
        assert_eq!(
            d.result_code
                .as_deref()
                .map(str::to_ascii_uppercase)
                .as_deref(),
            Some("0XC3E93C0F SIPPROXY_E_CONNECTION_TIMED_OUT")
        );
        assert_eq!(
            d.start_line.as_deref(),
            Some("SUBSCRIBE sip:on4@limcm.com SIP/2.0")
        );
        assert_eq!(d.server, "FE01");
    }
    assert_eq!((diags[0].severity.as_str(), diags[0].line), ("error", 189));
    assert_eq!(diags[0].peer.as_deref(), Some("fe02.limcm.com:5061"));
    assert_eq!(
        diags[0].time.unwrap().to_string(),
        "2018-03-30T01:57:42.071"
    );
    assert_eq!(
        (diags[1].severity.as_str(), diags[1].line),
        ("warning", 199)
    );
    let server_diags: Vec<_> = sink
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::ServerDiagnostic)
        .collect();
    assert_eq!(server_diags.len(), 2);
    assert!(server_diags.iter().all(|d| d.severity == Severity::Warning));
    assert_eq!(server_diags[0].message, diags[0].sentence());
    assert!(server_diags[0].message.contains("(0xC3E93C0F SIPPROXY_E_CONNECTION_TIMED_OUT) — SUBSCRIBE sip:on4@limcm.com SIP/2.0, Call-ID f3b5d7f9a1c34e5a7c9e1a3c5e7a9c24, CSeq 1 SUBSCRIBE"));
    let skipped: Vec<_> = sink
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Info)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        skipped,
        ["2 server trace records of kind `connection` are not SIP messages; skipped."]
    );
    assert_eq!(sink.diagnostics.len(), 3);
}

#[test]
fn edge_trace() {
    let bytes = fixture("server-edge.log");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM");
    let (sink, diags) = server(&bytes, 4096);
    assert!(diags.is_empty());
    let got: Vec<(String, Direction, String, String)> = parsed(&sink)
        .iter()
        .zip(&sink.records)
        .map(|(m, r)| {
            (
                m.start_line(),
                r.direction,
                r.src.clone().unwrap(),
                r.dst.clone().unwrap(),
            )
        })
        .collect();
    let client = "211.208.253.61:51882".to_string();
    let fe = "192.168.1.7:5061".to_string();
    let edge = "EDGE01".to_string();
    let reg = "REGISTER sip:limcm.com SIP/2.0".to_string();
    let sub = "SUBSCRIBE sip:on4@limcm.com SIP/2.0".to_string();
    let s401 = "SIP/2.0 401 Unauthorized".to_string();
    let s503 = "SIP/2.0 503 Service Unavailable".to_string();
    use Direction::{Received as R, Sent as S};
    assert_eq!(
        got,
        [
            (reg.clone(), R, client.clone(), edge.clone()),
            (reg, S, edge.clone(), fe.clone()),
            (s401.clone(), R, fe.clone(), edge.clone()),
            (s401, S, edge.clone(), client.clone()),
            (sub.clone(), R, client.clone(), edge.clone()),
            (sub, S, edge.clone(), fe.clone()),
            (s503.clone(), R, fe, edge.clone()),
            (s503, S, edge, client),
        ]
    );
    assert_eq!(times(&sink)[0], "2018-03-30T01:57:41.221");
    assert!(sink.records.iter().all(|r| r.problems.is_empty()));
    // What the Edge forwards carries its own Via on top; what it receives from the client does not.
    let msgs = parsed(&sink);
    assert_eq!(msgs[0].headers_named("Via").count(), 1);
    assert_eq!(msgs[1].headers_named("Via").count(), 2);
    assert_eq!(msgs[3].headers_named("Via").count(), 1);
    assert_eq!(sink.diagnostics.len(), 1, "{:?}", sink.diagnostics);
}

// ---------------------------------------------------------------------------------------------------------
// Streaming: chunking and prefixes.

fn all_inputs() -> Vec<(String, Vec<u8>, bool)> {
    let mut v = vec![
        (
            "server-frontend.log".to_string(),
            fixture("server-frontend.log"),
            true,
        ),
        (
            "server-edge.log".to_string(),
            fixture("server-edge.log"),
            true,
        ),
        (
            "sip-collapsed.txt".to_string(),
            fixture("sip-collapsed.txt"),
            false,
        ),
        (
            "sip-quoted.txt".to_string(),
            fixture("sip-quoted.txt"),
            false,
        ),
    ];
    for rel in [
        "fixtures/asterisk-docs/Asterisk-PJSIP-Troubleshooting-Guide.md",
        "fixtures/asterisk-docs/Configuring-chan_sip-for-Presence-Subscriptions.md",
        "fixtures/ms-lync-devdocs/creating-enhanced-presence-category-instances.md",
        "fixtures/kamailio-test/message-2002-379a395.sip",
        "fixtures/resip-rfc4475/wsinv.dat",
        "seed/presence-flow-blog.txt",
    ] {
        if let Some(b) = shared(rel) {
            v.push((rel.to_string(), b, false));
        }
    }
    v
}

fn run(bytes: &[u8], cls: bool, chunk: usize) -> (Vec<Record>, Vec<String>) {
    let sink = if cls {
        server(bytes, chunk).0
    } else {
        sip_text(bytes, chunk)
    };
    let diags = sink
        .diagnostics
        .iter()
        .map(|d| format!("{:?} {:?} {}", d.severity, d.line, d.message))
        .collect();
    (sink.records, diags)
}

#[test]
fn chunk_size_does_not_change_records() {
    for (name, bytes, cls) in all_inputs() {
        let whole = run(&bytes, cls, bytes.len().max(1));
        assert!(!whole.0.is_empty(), "{name}");
        for chunk in [1, 7, 4096] {
            let got = run(&bytes, cls, chunk);
            assert!(got == whole, "{name}: chunks of {chunk} differ");
        }
    }
}

#[test]
fn prefixes_never_panic() {
    for (name, bytes, cls) in all_inputs() {
        let step = (bytes.len() / 400).max(1);
        let mut n = 0;
        while n <= bytes.len() {
            let (records, _) = run(&bytes[..n], cls, 4096);
            for r in records {
                // Whatever a cut leaves is still one SIP message (or a diagnostic).
                assert!(parse_message(r.sip).is_ok(), "{name} cut at {n}");
            }
            n += step;
        }
        // The other importer on the same bytes: nothing panics either.
        let _ = run(&bytes, !cls, 4096);
    }
}

#[test]
fn sniff_helpers() {
    use sipscope::import::cls;
    let fe = fixture("server-frontend.log");
    let first = fe.split(|&b| b == b'\n').next().unwrap();
    assert!(cls::sniff_line(first));
    assert!(!siptext::sniff_line(first));
    assert!(siptext::sniff_line(
        b"    SERVICE sip:adamb@contoso.com SIP/2.0"
    ));
    assert!(siptext::sniff_line(b"> SIP/2.0 200 OK"));
    assert!(siptext::sniff_line(
        b"<--- Received SIP request (541 bytes) from UDP:127.0.0.1:5061 --->"
    ));
    assert!(!siptext::sniff_line(b"Via: SIP/2.0/UDP 10.0.0.1:5060"));
    assert!(!cls::sniff_line(b"03/30/2018|10:57:41.217 2738:14E0 INFO  :: Sending Packet - 211.208.253.66:5061 (From Local Address: 192.168.1.51:51882) 955 bytes:"));
}

/// A saved TCP stream: messages back to back, bodies (sized by Content-Length) without a trailing line break,
/// so the next start line begins right after a body on the same line. Once two of the four vanished silently.
#[test]
fn back_to_back_messages_without_line_breaks_are_all_found() {
    let bytes = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/regressions/analysis/siptext-back-to-back-bodies.sip"),
    )
    .unwrap();
    for chunk in [1, 7, bytes.len()] {
        let sink = sip_text(&bytes, chunk);
        assert_eq!(
            start_lines(&sink),
            [
                "NOTIFY sip:bob@b.example.com SIP/2.0",
                "NOTIFY sip:bob@b.example.com SIP/2.0",
                "SERVICE sip:bob@b.example.com SIP/2.0",
                "OPTIONS sip:bob@b.example.com SIP/2.0"
            ],
            "chunks of {chunk}"
        );
        let bodies: Vec<Vec<u8>> = parsed(&sink).iter().map(|m| m.body().to_vec()).collect();
        assert_eq!(bodies, [&b"<a>x</a>"[..], b"<b>y</b>", b"<c>z</c>", b""]);
    }
}

/// Messages framed by Content-Length and written one after the other without a blank line between them (a
/// saved stream): each is read, and none is called "no blank line for 8 MiB" (once: 117,894 such warnings on a
/// 100 MB file, and a message cut in two at each 8 MiB).
#[test]
fn back_to_back_messages_past_the_block_limit() {
    let body = "<categories xmlns=\"http://schemas.microsoft.com/2006/09/sip/categories\"><category name=\"state\"/></categories>";
    let mut text = String::new();
    let mut n = 0;
    while text.len() <= siptext::MAX_BLOCK_BYTES + (1 << 20) {
        text.push_str(&format!(
            "BENOTIFY sip:alice@contoso.com SIP/2.0\r\nVia: SIP/2.0/TLS 10.0.0.5:5061;branch=z9hG4bK{n}\r\nFrom: <sip:bob@contoso.com>;tag={n}\r\nTo: <sip:alice@contoso.com>;tag=t1\r\nCall-ID: c{n}\r\nCSeq: {n} BENOTIFY\r\nEvent: presence\r\nContent-Type: application/msrtc-event-categories+xml\r\nContent-Length: {}\r\n\r\n{body}\r\n",
            body.len()
        ));
        n += 1;
    }
    let sink = sip_text(text.as_bytes(), 1 << 22);
    assert_eq!(sink.records.len(), n);
    let codes: Vec<Code> = sink
        .records
        .iter()
        .flat_map(|r| r.problems.iter().map(|p| p.code))
        .collect();
    assert!(
        !codes.contains(&Code::EntryTooLarge),
        "{} EntryTooLarge",
        codes.len()
    );
}
