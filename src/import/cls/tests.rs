//! Tests of `import/cls`.

use super::*;
use crate::sip::parse_message;

const OPTIONS: &str = "TL_INFO(TF_PROTOCOL) [0]06E4.0EB4::01/18/2012-05:00:43.101.00005386 (SIPStack,SIPAdminLog::TraceProtocolRecord:SIPAdminLog.cpp(125))$$begin_record\r
Trace-Correlation-Id: 2003888399\r
Instance-Id: 0000C23F\r
Direction: incoming;source=\"internal edge\";destination=\"external edge\"\r
Peer: lyncserver.contoso.com:61182\r
Message-Type: request\r
Start-Line: OPTIONS sip:Options_User@fabrikam.com SIP/2.0\r
To: <sip:Options_User@fabrikam.com>\r
CSeq: 1 OPTIONS\r
Call-ID: 017b06f397b14886bba5edf97ea206bd\r
MAX-FORWARDS: 70\r
VIA: SIP/2.0/TLS 10.10.10.10:61182;branch=z9hG4bK6de49c9a\r
CONTENT-LENGTH: 0\r
USER-AGENT: RTCC/4.0.0.0\r
Message-Body: –\r
$$end_record\r
TL_ERROR(TF_COMPONENT) [0]0860.0CDC::01/18/2012-05:07:42.622.000d0b31 (SIPStack,CSIPRequest::GetNextHopByRouteHeader:SIPRequest.cpp(2440))( 00000000028FDD70 ) Exit - route headers from untrusted source. Result 0xC3E93C5E(SIPPROXY_E_ROUTING)\r
LogType: diagnostic\r
Severity: warning\r
Text: Cannot process Route headers from a non-trusted source\r
Result-Code: 0xc3e93c5e SIPPROXY_E_ROUTING\r
SIP-Start-Line: OPTIONS sip:Options_User@fabrikam.com SIP/2.0\r
SIP-Call-ID: 017b06f397b14886bba5edf97ea206bd\r
SIP-CSeq: 1 OPTIONS\r
$$end_record\r
";

fn run(text: &[u8], chunk: usize) -> (Sink, Vec<ServerDiagnostic>) {
    let mut imp = ClsImporter::new(0);
    let mut sink = Sink::default();
    for c in text.chunks(chunk.max(1)) {
        imp.push(c, &mut sink);
    }
    imp.finish(&mut sink);
    let d = imp.server_diagnostics().to_vec();
    (sink, d)
}

#[test]
fn headers_parse() {
    let h = parse_header(b"TL_INFO(TF_PROTOCOL) [FE01\\FE01]06E4.0EB4::03/30/2018-01:57:41.310.0001C2F4 (SIPStack,SIPAdminLog::TraceProtocolRecord:SIPAdminLog.cpp(125))[3151897743] $$begin_record").unwrap();
    assert_eq!(h.level, b"INFO");
    assert_eq!(h.flag, b"PROTOCOL");
    assert_eq!(h.machine, b"FE01\\FE01");
    assert_eq!(h.time.unwrap().to_string(), "2018-03-30T01:57:41.310");
    assert!(h.begins_record);
    assert_eq!(h.text, b"[3151897743]");
    let h = parse_header(b"TL_ERROR(TF_COMPONENT) [0]0860.0CDC::01/18/2012-05:07:42.622.000d0b31 (SIPStack,CSIPRequest::GetNextHopByRouteHeader:SIPRequest.cpp(2440))( 00000000028FDD70 ) Exit").unwrap();
    assert!(!h.begins_record);
    assert_eq!(h.text, b"( 00000000028FDD70 ) Exit");
    assert!(parse_header(b"Start-Line: REGISTER sip:a SIP/2.0").is_none());
    assert!(parse_header(b"TL_INFO(TF_PROTOCOL) [0]06E4.0EB4::13/18/2012").is_none());
    assert!(sniff_line(b"TL_WARN(TF_DIAG) [sfvedge\\sfvedge]0584.0A44::03/02/2017-07:10:46.230.0000773E (SIPStack,SIPAdminLog::WriteDiagnosticEvent:SIPAdminLog.cpp(830)) [156659184] $$begin_record"));
    assert!(sniff_line(b"garbled header $$begin_record"));
    assert!(!sniff_line(
        b"03/30/2018|10:57:58.371 2738:14E0 INFO  :: hello"
    ));
}

#[test]
fn protocol_and_diagnostic_records() {
    let (sink, diags) = run(OPTIONS.as_bytes(), 4096);
    assert_eq!(sink.records.len(), 1);
    let r = &sink.records[0];
    assert_eq!(r.direction, Direction::Received);
    assert_eq!(r.src.as_deref(), Some("lyncserver.contoso.com:61182"));
    assert_eq!(r.dst.as_deref(), Some("server"));
    assert_eq!(r.time.unwrap().to_string(), "2012-01-18T05:00:43.101");
    assert_eq!(r.line, 1);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let text = String::from_utf8(r.sip.clone()).unwrap();
    assert!(text.starts_with("OPTIONS sip:Options_User@fabrikam.com SIP/2.0\r\nTo: "));
    assert!(text.ends_with("USER-AGENT: RTCC/4.0.0.0\r\n\r\n"), "{text}");
    assert!(!text.contains("Trace-Correlation-Id") && !text.contains("Peer:"));
    let m = parse_message(r.sip.clone()).unwrap();
    assert!(m.problems.is_empty() && !m.truncated, "{:?}", m.problems);
    assert_eq!(m.call_id().unwrap(), "017b06f397b14886bba5edf97ea206bd");

    assert_eq!(diags.len(), 1);
    let d = &diags[0];
    assert_eq!(d.severity, "warning");
    assert_eq!(
        d.result_code.as_deref(),
        Some("0xc3e93c5e SIPPROXY_E_ROUTING")
    );
    assert_eq!(
        d.key(),
        Some(("017b06f397b14886bba5edf97ea206bd", 1, "OPTIONS"))
    );
    assert_eq!(d.line, 17);
    let sd: Vec<_> = sink
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::ServerDiagnostic)
        .collect();
    assert_eq!(sd.len(), 1);
    assert_eq!(sd[0].message, "server: Cannot process Route headers from a non-trusted source (0xc3e93c5e SIPPROXY_E_ROUTING) — OPTIONS sip:Options_User@fabrikam.com SIP/2.0, Call-ID 017b06f397b14886bba5edf97ea206bd, CSeq 1 OPTIONS");
    assert_eq!(sd[0].line, Some(17));
}

#[test]
fn bodies_are_rebuilt_with_content_length() {
    let body = "v=0\r\no=- 0 0 IN IP4 10.0.0.1\r\ns=session\r\n";
    let text = format!(
        "TL_INFO(TF_PROTOCOL) [FE01\\FE01]0A1C.0B2C::03/30/2018-01:58:41.402.00000001 (SIPStack,SIPAdminLog::TraceProtocolRecord:SIPAdminLog.cpp(125))[1] $$begin_record\n\
Direction: outgoing;source=\"local\"\nPeer: 192.168.1.6:5061\nMessage-Type: request\nStart-Line: INVITE sip:on2@limcm.com SIP/2.0\nCall-ID: 1\nCSeq: 1 INVITE\n\
content-type: application/sdp\ncontent-length: {}\nMessage-Body: v=0\no=- 0 0 IN IP4 10.0.0.1\ns=session\n$$end_record\n",
        body.len()
    );
    let (sink, _) = run(text.as_bytes(), 7);
    assert_eq!(sink.records.len(), 1);
    let r = &sink.records[0];
    assert_eq!(r.direction, Direction::Sent);
    assert_eq!(r.src.as_deref(), Some("FE01"));
    assert_eq!(r.dst.as_deref(), Some("192.168.1.6:5061"));
    let m = parse_message(r.sip.clone()).unwrap();
    assert_eq!(std::str::from_utf8(m.body()).unwrap(), body);
    assert!(m.problems.is_empty(), "{:?}", m.problems);
}

#[test]
fn unknown_kinds_cut_records_and_orphans() {
    let text = "Peer: 1.2.3.4\r\n$$end_record\r\n\
TL_INFO(TF_CONNECTION) [0]0001.0002::01/01/2020-00:00:00.000.00000001 (SIPStack,x) $$begin_record\r\nLogType: connection\r\nSeverity: information\r\nText: TLS negotiation succeeded\r\n$$end_record\r\n\
TL_INFO(TF_CONNECTION) [0]0001.0002::01/01/2020-00:00:01.000.00000002 (SIPStack,x) $$begin_record\r\nLogType: connection\r\nText: closed\r\n$$end_record\r\n\
TL_INFO(TF_COMPONENT) [0]0001.0002::01/01/2020-00:00:01.000.00000003 (SIPStack,x) just a trace line\r\n\
TL_INFO(TF_PROTOCOL) [0]0001.0002::01/01/2020-00:00:02.000.00000004 (SIPStack,x) $$begin_record\r\nDirection: outgoing\r\nPeer: 1.2.3.4:5061\r\nStart-Line: SIP/2.0 200 OK\r\nCall-ID: x\r\n";
    let (sink, _) = run(text.as_bytes(), 3);
    assert_eq!(sink.records.len(), 1);
    assert_eq!(sink.records[0].problems.len(), 1);
    let msgs: Vec<&str> = sink
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        msgs[0].starts_with("The trace starts inside a record"),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("2 server trace records of kind `connection`")),
        "{msgs:?}"
    );
    assert_eq!(msgs.len(), 2, "{msgs:?}");
}

#[test]
fn never_panics_on_prefixes_and_chunkings() {
    let whole = run(OPTIONS.as_bytes(), 1 << 20);
    for n in 0..OPTIONS.len() {
        let _ = run(&OPTIONS.as_bytes()[..n], 5);
    }
    for chunk in [1, 2, 7, 64] {
        let got = run(OPTIONS.as_bytes(), chunk);
        assert_eq!(got.0.records, whole.0.records);
        assert_eq!(got.1, whole.1);
    }
}
