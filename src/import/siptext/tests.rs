//! Tests of `import/siptext`.

use super::*;
use crate::sip::parse_message;

fn run(text: &[u8], chunk: usize) -> Sink {
    let mut imp = SipTextImporter::new(0);
    let mut sink = Sink::default();
    for c in text.chunks(chunk.max(1)) {
        imp.push(c, &mut sink);
    }
    imp.finish(&mut sink);
    sink
}

fn starts(sink: &Sink) -> Vec<String> {
    sink.records
        .iter()
        .map(|r| {
            let m = parse_message(r.sip.clone()).unwrap();
            m.start_line()
        })
        .collect()
}

const A: &str = "SUBSCRIBE sip:on1@limcm.com SIP/2.0\r\nVia: SIP/2.0/TLS 192.168.1.51:51882\r\nCall-ID: 1\r\nCSeq: 1 SUBSCRIBE\r\nContent-Length: 0\r\n\r\n";
const B: &str = "SIP/2.0 200 OK\nCall-ID: 1\nCSeq: 1 SUBSCRIBE\nContent-Type: text/plain\nContent-Length: 16\n\nhello\n\nworld\n";

#[test]
fn plain_messages_separated_by_blank_lines() {
    let text = format!("{A}\r\n{B}\nSIP/2.0 202 Accepted\nCall-ID: 1\nCSeq: 1 SUBSCRIBE\n\n");
    let sink = run(text.as_bytes(), 4096);
    assert_eq!(
        starts(&sink),
        [
            "SUBSCRIBE sip:on1@limcm.com SIP/2.0",
            "SIP/2.0 200 OK",
            "SIP/2.0 202 Accepted"
        ]
    );
    let m = parse_message(sink.records[1].sip.clone()).unwrap();
    assert_eq!(m.body(), b"hello\n\nworld\n");
    assert!(
        sink.records.iter().all(|r| r.problems.is_empty()),
        "{:?}",
        sink.records
    );
    assert_eq!(sink.records[1].line, 8);
    assert!(sink.diagnostics.is_empty());
}

#[test]
fn prose_between_messages_is_not_a_body() {
    let text = format!("Here is the request:\n\n{A}\nAnd the server said:\n\n{B}\nThat was all.\n");
    let sink = run(text.as_bytes(), 4096);
    assert_eq!(sink.records.len(), 2);
    let m = parse_message(sink.records[0].sip.clone()).unwrap();
    assert_eq!(m.body(), b"");
    let m = parse_message(sink.records[1].sip.clone()).unwrap();
    assert_eq!(m.body(), b"hello\n\nworld\n");
    assert!(
        sink.records.iter().all(|r| r.problems.is_empty()),
        "{:?}",
        sink.records
    );
}

#[test]
fn indented_and_quoted_blocks() {
    let indented = A.replace("\r\n", "\r\n    ");
    let text = format!("Example:\r\n\r\n    {indented}\r\nMore text.\r\n");
    let sink = run(text.as_bytes(), 4096);
    assert_eq!(sink.records.len(), 1);
    assert_eq!(
        String::from_utf8(sink.records[0].sip.clone()).unwrap(),
        A,
        "de-indented"
    );
    let quoted = A.replace("\r\n", "\r\n> ");
    let text = format!("On Monday you wrote:\r\n> {quoted}\r\n>\r\n> thanks\r\n");
    let sink = run(text.as_bytes(), 4096);
    assert_eq!(sink.records.len(), 1);
    assert_eq!(String::from_utf8(sink.records[0].sip.clone()).unwrap(), A);
}

#[test]
fn pjsip_and_chan_sip_markers() {
    let text = format!(
        "<--- Received SIP request (100 bytes) from UDP:10.0.0.1:5060 --->\n{A}\n<--- Transmitting SIP response (100 bytes) to UDP:10.0.0.1:5060 --->\n{B}\n\
<--- SIP read from UDP:10.0.0.2:5062 --->\n{A}<------------->\n--- (4 headers 0 lines) ---\n\
Reliably Transmitting (no NAT) to 10.0.0.3:5060:\n{A}\n---\n"
    );
    let sink = run(text.as_bytes(), 4096);
    let got: Vec<_> = sink
        .records
        .iter()
        .map(|r| (r.direction, r.src.clone(), r.dst.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (Direction::Received, Some("10.0.0.1:5060".into()), None),
            (Direction::Sent, None, Some("10.0.0.1:5060".into())),
            (Direction::Received, Some("10.0.0.2:5062".into()), None),
            (Direction::Sent, None, Some("10.0.0.3:5060".into())),
        ]
    );
    assert_eq!(sink.records[0].line, 1);
    assert!(
        sink.records.iter().all(|r| r.problems.is_empty()),
        "{:?}",
        sink.records
    );
}

#[test]
fn sipdump_and_address_lines() {
    let text = format!(
        "====================\ntag: rcv\npid: 1\nprocess: 1\ntime: 1531234567.123456\ndate: Tue Jul 10 14:56:07 2018\nproto: udp ipv4\nsrcip: 10.0.0.1\nsrcport: 5060\ndstip: 10.0.0.2\ndstport: 5080\n~~~~~~~~~~~~~~~~~~~~\n{A}||||||||||||||||||||\n\
U 2019/01/30 10:29:28.316451 10.0.0.2:5080 -> 10.0.0.1:5060\n{}\n",
        B.replace('\n', ".\n")
    );
    let sink = run(text.as_bytes(), 4096);
    assert_eq!(sink.records.len(), 2, "{:?}", sink.diagnostics);
    let r = &sink.records[0];
    assert_eq!(r.direction, Direction::Received);
    assert_eq!(r.src.as_deref(), Some("10.0.0.1:5060"));
    assert_eq!(r.dst.as_deref(), Some("10.0.0.2:5080"));
    assert_eq!(r.time.unwrap().to_string(), "2018-07-10T14:56:07.123");
    let r = &sink.records[1];
    assert_eq!(r.src.as_deref(), Some("10.0.0.2:5080"));
    assert_eq!(r.time.unwrap().to_string(), "2019-01-30T10:29:28.316");
    let m = parse_message(r.sip.clone()).unwrap();
    assert_eq!(m.body(), b"hello\n\nworld\n");
}

#[test]
fn double_spaced_document_text() {
    let text = "As an example:\n\nREGISTER sip:registrar.contoso.com SIP/2.0\n\nVia: SIP/2.0/TLS alice1.contoso.com;branch=z9hG4bK7\n\nFrom: \"Alice\" <sip:Alice@contoso.com>;\n\ntag=354354535;epid=6534555\n\nCall-ID: 123213@Alice1.contoso.com\n\nCSeq: 12345 REGISTER\n\nContent-Length: 0\n\nThe epid parameter identifies the endpoint.\n";
    let sink = run(text.as_bytes(), 4096);
    assert_eq!(sink.records.len(), 1);
    let m = parse_message(sink.records[0].sip.clone()).unwrap();
    assert_eq!(m.from_tag().as_deref(), Some("354354535"));
    assert_eq!(m.cseq(), Some((12345, "REGISTER".into())));
}

#[test]
fn collapsed_lines_are_rebuilt() {
    let line = "03/30/2018|10:57:58.371 2738:14E0 INFO :: Sending Packet - 211.208.253.66:5061 (From Local Address: 192.168.1.51:51882) 1534 bytes: <-Client 에서 패킷 전송 03/30/2018|10:57:58.371 2738:14E0 INFO :: SUBSCRIBE sip:on1@limcm.com SIP/2.0 <-요청 Via: SIP/2.0/TLS 192.168.1.51:51882 From: \"On 1\"<sip:on1@limcm.com>;tag=0bc7b0fc1e To: <sip:on1@limcm.com> Call-ID: 3e027202 CSeq: 1 SUBSCRIBE Event: presence <- Event 기록 Content-Type: multipart/related; boundary=abcdef0123 Content-Length: 99 --abcdef0123 Content-Type: application/rlmi+xml - <list uri=\"sip:a@b\"> ->on2 정보 + <resource uri=\"sip:on2@limcm.com\"> </list> --abcdef0123-- 03/30/2018|10:57:58.371 2738:14E0 INFO :: End of Sending Packet - 211.208.253.66:5061 (From Local Address: 192.168.1.51:51882) 1534 bytes |\n";
    assert!(is_collapsed_line(line.as_bytes()));
    let sink = run(line.as_bytes(), 4096);
    assert_eq!(sink.records.len(), 1);
    let r = &sink.records[0];
    assert_eq!(r.direction, Direction::Sent);
    assert_eq!(r.src.as_deref(), Some("192.168.1.51:51882"));
    assert_eq!(r.dst.as_deref(), Some("211.208.253.66:5061"));
    assert_eq!(r.time.unwrap().to_string(), "2018-03-30T10:57:58.371");
    assert_eq!(r.problems[0].code, Code::LostLineBreaks);
    assert_eq!(r.problems[0].text, RECONSTRUCTED);
    let text = String::from_utf8(r.sip.clone()).unwrap();
    assert_eq!(
        text,
        "SUBSCRIBE sip:on1@limcm.com SIP/2.0\r\nVia: SIP/2.0/TLS 192.168.1.51:51882\r\nFrom: \"On 1\"<sip:on1@limcm.com>;tag=0bc7b0fc1e\r\nTo: <sip:on1@limcm.com>\r\nCall-ID: 3e027202\r\nCSeq: 1 SUBSCRIBE\r\nEvent: presence\r\nContent-Type: multipart/related; boundary=abcdef0123\r\nContent-Length: 99\r\n\r\n--abcdef0123\r\nContent-Type: application/rlmi+xml\r\n\r\n<list uri=\"sip:a@b\">\r\n<resource uri=\"sip:on2@limcm.com\">\r\n</list>\r\n--abcdef0123--\r\n"
    );
    let escaped = "kamailio[1]: INFO: <script>: msg: OPTIONS sip:a@b SIP/2.0\\r\\nVia: SIP/2.0/UDP 1.2.3.4\\r\\nCall-ID: x\\r\\nCSeq: 1 OPTIONS\\r\\nContent-Length: 0\\r\\n\\r\\n\n";
    let sink = run(escaped.as_bytes(), 4096);
    assert_eq!(starts(&sink), ["OPTIONS sip:a@b SIP/2.0"]);
    assert!(sink.records[0].problems.is_empty());
}

#[test]
fn chunking_does_not_matter_and_prefixes_do_not_panic() {
    let text = format!(
        "intro\n\n    {}\n```\n<--- Received SIP request (1 bytes) from UDP:1.2.3.4:5060 --->\n{B}\n```\n> {}\n",
        A.replace("\r\n", "\n    "),
        A.replace("\r\n", "\n> ")
    );
    let whole = run(text.as_bytes(), 1 << 20);
    assert_eq!(whole.records.len(), 3);
    for chunk in [1, 2, 3, 7, 64] {
        let got = run(text.as_bytes(), chunk);
        assert_eq!(got.records, whole.records, "chunk {chunk}");
    }
    for n in 0..text.len() {
        let _ = run(&text.as_bytes()[..n], 5);
    }
}

/// Cisco Expressway writes a message as ` SIPMSG:`, the start line after ` |`, every other line indented by one
/// space, and a closing ` |`; a message quoted with `| ` before every line is the same message.
#[test]
fn pipe_marked_and_pipe_quoted_messages() {
    let body = "v=0\r\no=- 0 0 IN IP4 10.1.1.21\r\ns=session\r\n";
    let msg = format!(
        "SIP/2.0 200 OK\r\nCall-ID: 7\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    // One message, the whole body, no problem.
    let read_one = |text: &str| {
        let sink = run(text.as_bytes(), 4096);
        assert_eq!(starts(&sink), ["SIP/2.0 200 OK"], "{text}");
        let r = &sink.records[0];
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let m = parse_message(r.sip.clone()).unwrap();
        assert_eq!(m.body(), body.replace("\r\n", "\n").as_bytes());
    };
    let marked = format!(
        "The Expressway logged:\n SIPMSG:\n |{}\n |\nand then nothing.\n",
        msg.trim_end().replace("\r\n", "\n ")
    );
    read_one(&marked);
    // The same pasted without the indentation, as some documents show it.
    read_one(&marked.replace("\n ", "\n"));
    // Quoted with `| ` on every line (blank lines as a bare `|`).
    read_one(&format!(
        "> see below\n\n| {}\n|\nthanks\n",
        msg.trim_end()
            .replace("\r\n", "\n| ")
            .replace("| \n", "|\n")
    ));
    assert!(sniff_line(
        b" |INVITE sip:+12065550199@sbc01.contoso.com SIP/2.0"
    ));
    assert!(sniff_line(b"| SIP/2.0 183 Session Progress"));
}
