//! Tests of `sip/parser`.

use super::*;

fn crlf(s: &str) -> Vec<u8> {
    s.replace("\r\n", "\n").replace('\n', "\r\n").into_bytes()
}

const SUBSCRIBE_BODY: &str = "<batchSub xmlns=\"http://schemas.microsoft.com/2006/01/sip/batch-subscribe\" uri=\"sip:on1@limcm.com\" name=\"\"><action name=\"subscribe\" id=\"49698520\"><adhocList><resource uri=\"sip:on2@limcm.com\"/></adhocList><categoryList xmlns=\"http://schemas.microsoft.com/2006/09/sip/categorylist\"><category name=\"contactCard\"/><category name=\"note\"/><category name=\"state\"/></categoryList></action></batchSub>";

fn subscribe() -> Vec<u8> {
    let head = "SUBSCRIBE sip:on1@limcm.com SIP/2.0
Via: SIP/2.0/TLS 192.168.1.51:51882
Max-Forwards: 70
From: <sip:on1@limcm.com>;tag=0bc7b0fc1e;epid=08b5b444f3
To: <sip:on1@limcm.com>
Call-ID: 3e027202ab3c4ccabed634c1edd89f72
CSeq: 1 SUBSCRIBE
Contact: <sip:on1@limcm.com;opaque=user:epid:rD_-D8k_BF-h0APnlXF6WwAA;gruu>
User-Agent: UCCAPI/16.0.9126.2072 OC/16.0.9126.2098 (Skype for Business)
Event: presence
Supported: com.microsoft.autoextend
Supported: ms-benotify
Proxy-Require: ms-benotify
Require: adhoclist, categoryList
Content-Type: application/msrtc-adrl-categorylist+xml
";
    let mut m = crlf(head);
    m.extend_from_slice(
        format!(
            "Content-Length: {}\r\n\r\n{SUBSCRIBE_BODY}",
            SUBSCRIBE_BODY.len()
        )
        .as_bytes(),
    );
    m
}

fn fixture(rel: &str) -> Option<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/");
    match std::fs::read(format!("{dir}{rel}")) {
        Ok(b) => Some(b),
        Err(_) => {
            eprintln!("fixture {rel} not found under {dir}: skipped");
            None
        }
    }
}

#[test]
fn parses_a_skype_subscribe() {
    let m = parse_message(subscribe()).unwrap();
    assert_eq!(m.method(), Some("SUBSCRIBE"));
    assert_eq!(m.start_line(), "SUBSCRIBE sip:on1@limcm.com SIP/2.0");
    assert_eq!(m.headers.len(), 15);
    assert_eq!(
        m.call_id().as_deref(),
        Some("3e027202ab3c4ccabed634c1edd89f72")
    );
    assert_eq!(m.cseq(), Some((1, "SUBSCRIBE".to_string())));
    assert_eq!(m.from_tag().as_deref(), Some("0bc7b0fc1e"));
    assert_eq!(
        m.headers_named("Supported").collect::<Vec<_>>(),
        ["com.microsoft.autoextend", "ms-benotify"]
    );
    assert_eq!(
        m.header("user-agent").as_deref(),
        Some("UCCAPI/16.0.9126.2072 OC/16.0.9126.2098 (Skype for Business)")
    );
    assert_eq!(
        m.content_type().as_deref(),
        Some("application/msrtc-adrl-categorylist+xml")
    );
    assert_eq!(m.content_length(), Some(SUBSCRIBE_BODY.len()));
    assert_eq!(m.body(), SUBSCRIBE_BODY.as_bytes());
    assert!(!m.truncated);
    assert!(m.problems.is_empty(), "{:?}", m.problems);
}

#[test]
fn parses_responses_with_any_reason() {
    let m = parse_message(crlf(
        "SIP/2.0 200 OK\nCall-ID: a\nCSeq: 1 SUBSCRIBE\nContent-Length: 0\n\n",
    ))
    .unwrap();
    assert_eq!(m.status(), Some(200));
    assert_eq!(m.start_line(), "SIP/2.0 200 OK");
    assert_eq!(m.cseq_method().as_deref(), Some("SUBSCRIBE"));
    assert!(m.body().is_empty());
    assert!(m.problems.is_empty(), "{:?}", m.problems);

    let m = parse_message(b"SIP/2.0 100 \r\nCall-ID: x\r\n\r\n".to_vec()).unwrap();
    assert_eq!(
        m.start,
        StartLine::Response {
            version: "SIP/2.0".into(),
            status: 100,
            reason: String::new()
        }
    );
    let m = parse_message(
        "SIP/2.0   488  Не приемлемо здесь\r\nCall-ID: x\r\n\r\n"
            .as_bytes()
            .to_vec(),
    )
    .unwrap();
    assert_eq!(m.status(), Some(488));
    assert_eq!(m.start_line(), "SIP/2.0 488 Не приемлемо здесь");
    assert!(parse_message(b"SIP/2.0 2000 OK\r\n\r\n".to_vec()).is_err());
}

#[test]
fn any_token_is_a_method() {
    for method in [
        "SERVICE",
        "BENOTIFY",
        "NEGOTIATE",
        "INFO",
        "Invite",
        "x-custom.1",
    ] {
        let text = format!("{method} sip:a@b.c SIP/2.0\r\nCall-ID: 1\r\nCSeq: 1 {method}\r\n\r\n");
        let m = parse_message(text.into_bytes()).unwrap();
        assert_eq!(m.method(), Some(method));
        assert!(m.problems.is_empty(), "{method}: {:?}", m.problems);
    }
}

#[test]
fn start_line_detection() {
    assert!(is_start_line(b"SUBSCRIBE sip:on1@limcm.com SIP/2.0"));
    assert!(is_start_line(b"BYE sip:131.107.155.12:7210 SIP/2.0"));
    assert!(is_start_line(b"INVITE  sip:a@b   SIP/2.0 \r"));
    assert!(is_start_line(b"SIP/2.0 200 OK"));
    assert!(is_start_line(b"SIP/2.0 100 "));
    assert!(is_start_line(b"sip/2.0 180 Ringing"));
    assert!(is_start_line(b"SIP/2.0 200 = 2**3 * 5**2 \xd0\xbd\xd0\xbe"));
    assert!(!is_start_line(b""));
    assert!(!is_start_line(b"Via: SIP/2.0/TLS 192.168.1.51:51882"));
    assert!(!is_start_line(b"SIP/2.0/TLS 192.168.1.51:51882"));
    assert!(!is_start_line(b"SIP/2.0 20 OK"));
    assert!(!is_start_line(b"SIP/2.0 2000"));
    assert!(!is_start_line(b"The request line ends with SIP/2.0"));
    assert!(!is_start_line(b"INVITE sip:a@b SIP/2.0 extra"));
    assert!(!is_start_line(b"INVITE nocolon SIP/2.0"));
    assert!(!is_start_line(
        b"<publish xmlns=\"http://schemas.microsoft.com\">"
    ));
}

#[test]
fn lf_lines_folding_and_spacing() {
    let text = "INVITE sip:a@b SIP/2.0\nContact:\n  <sip:c@d>\nSubject : hello\n\tworld  \nCall-ID: x\nCSeq: 1 INVITE\nl: 3\n\nabc";
    let m = parse_message(text.as_bytes().to_vec()).unwrap();
    assert_eq!(m.header("Contact").as_deref(), Some("<sip:c@d>"));
    assert_eq!(m.header("subject").as_deref(), Some("hello world"));
    assert_eq!(m.name(&m.headers[1]), "Subject");
    assert_eq!(m.content_length(), Some(3));
    assert_eq!(m.body(), b"abc");
    assert!(m.problems.is_empty(), "{:?}", m.problems);
}

#[test]
fn content_length_mismatches() {
    let short = parse_message(crlf(
        "MESSAGE sip:a@b SIP/2.0\nCall-ID: x\nCSeq: 2 MESSAGE\nContent-Length: 10\n\nabc",
    ))
    .unwrap();
    assert!(short.truncated);
    assert!(
        short
            .problems
            .iter()
            .any(|p| p.code == Code::ContentLengthMismatch
                && p.text == "body has 3 bytes, Content-Length says 10"),
        "{:?}",
        short.problems
    );

    let long = parse_message(crlf(
        "MESSAGE sip:a@b SIP/2.0\nCall-ID: x\nCSeq: 2 MESSAGE\nContent-Length: 2\n\nabcdef",
    ))
    .unwrap();
    assert!(!long.truncated);
    assert_eq!(long.body(), b"abcdef");
    assert!(
        long.problems
            .iter()
            .any(|p| p.code == Code::ContentLengthMismatch
                && p.text == "body has 6 bytes, Content-Length says 2"),
        "{:?}",
        long.problems
    );

    let newline = parse_message(crlf(
        "MESSAGE sip:a@b SIP/2.0\nCall-ID: x\nCSeq: 2 MESSAGE\nContent-Length: 3\n\nabc\n",
    ))
    .unwrap();
    assert!(
        newline.problems.is_empty(),
        "a trailing line break is not a problem: {:?}",
        newline.problems
    );

    let bad = parse_message(crlf(
        "OPTIONS sip:a@b SIP/2.0\nCall-ID: x\nCSeq: 2 OPTIONS\nContent-Length: ten\n\n",
    ))
    .unwrap();
    assert!(
        bad.problems
            .iter()
            .any(|p| p.code == Code::BadContentLength && p.text.contains("not a number")),
        "{:?}",
        bad.problems
    );
    assert_eq!(bad.content_length(), None);

    let no_blank = parse_message(crlf(
        "OPTIONS sip:a@b SIP/2.0\nCall-ID: x\nCSeq: 2 OPTIONS\nContent-Length: 0\n",
    ))
    .unwrap();
    assert!(!no_blank.truncated);
    assert!(no_blank.problems.is_empty(), "{:?}", no_blank.problems);
    let no_blank = parse_message(crlf(
        "OPTIONS sip:a@b SIP/2.0\nCall-ID: x\nCSeq: 2 OPTIONS\nContent-Length: 5\n",
    ))
    .unwrap();
    assert!(no_blank.truncated);
}

#[test]
fn xml_without_blank_line_starts_the_body() {
    let text = "SERVICE sip:adamb@contoso.com SIP/2.0\nFROM: <sip:adamb@contoso.com>;tag=1\nCALL-ID: 3e66\nCSEQ: 6 SERVICE\nCONTENT-TYPE: application/msrtc-category-publish+xml\n<publish \n   xmlns=\"http://schemas.microsoft.com/2006/09/sip/rich-presence\">\n</publish>\n";
    let m = parse_message(text.as_bytes().to_vec()).unwrap();
    assert_eq!(m.headers.len(), 4);
    assert_eq!(m.call_id().as_deref(), Some("3e66"));
    assert!(m.body().starts_with(b"<publish"));
    assert!(
        m.problems
            .iter()
            .any(|p| p.code == Code::NoBlankLine
                && p.text.starts_with("no blank line before the body")),
        "{:?}",
        m.problems
    );
}

#[test]
fn bad_header_lines_are_reported_and_skipped() {
    let m = parse_message(crlf(
        "INVITE sip:a@b SIP/2.0\nCall-ID: x\nthis is junk\nCSeq: 1 INVITE\n\n",
    ))
    .unwrap();
    assert_eq!(m.headers.len(), 2);
    assert!(
        m.problems
            .iter()
            .any(|p| p.code == Code::MalformedHeaderLine
                && p.text.starts_with("line 3 is not a header line")),
        "{:?}",
        m.problems
    );
    let m = parse_message(
        b"INVITE sip:a@b SIP/2.0\r\nCall-ID: \xff\xfe\r\nCSeq: 1 INVITE\r\n\r\n".to_vec(),
    )
    .unwrap();
    assert!(
        m.problems
            .iter()
            .any(|p| p.code == Code::InvalidUtf8 && p.text == "header Call-ID is not valid UTF-8"),
        "{:?}",
        m.problems
    );
    assert_eq!(m.header("Call-ID").as_deref(), Some(""));
}

#[test]
fn not_sip() {
    assert!(parse_message(Vec::new()).is_err());
    assert!(parse_message(b"\r\n\r\n".to_vec()).is_err());
    assert!(parse_message(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()).is_err());
    assert!(parse_message(b"Via: SIP/2.0/UDP a\r\n\r\n".to_vec()).is_err());
    // Leading keep-alives are skipped.
    assert!(parse_message(b"\r\n\r\nSIP/2.0 200 OK\r\nCall-ID: a\r\n\r\n".to_vec()).is_ok());
}

#[test]
fn rfc4475_torture_messages() {
    let Some(wsinv) = fixture("resip-rfc4475/wsinv.dat") else {
        return;
    };
    let m = parse_message(wsinv).unwrap();
    assert_eq!(m.method(), Some("INVITE"));
    assert_eq!(
        m.header("to").as_deref(),
        Some("sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n")
    );
    assert_eq!(m.to_tag(), Some("1918181833n".into()));
    assert_eq!(m.cseq(), Some((9, "INVITE".into())));
    assert_eq!(
        m.header("NewFangledHeader").as_deref(),
        Some("newfangled value continued newfangled value")
    );
    assert_eq!(m.content_length(), Some(150));
    assert_eq!(m.body().len(), 150);
    assert_eq!(m.header("s").as_deref(), Some(""));
    assert!(m.problems.is_empty(), "{:?}", m.problems);

    let Some(longreq) = fixture("resip-rfc4475/longreq.dat") else {
        return;
    };
    let m = parse_message(longreq).unwrap();
    assert_eq!(m.headers_named("via").count(), 34);
    assert!(m.problems.is_empty(), "{:?}", m.problems);

    let m = parse_message(fixture("resip-rfc4475/esc01.dat").unwrap_or_default()).unwrap();
    assert_eq!(
        m.call_id().as_deref(),
        Some("esc01.239409asdfakjkn23onasd0-3234")
    );
    assert_eq!(
        m.header("Contact").as_deref(),
        Some("<sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>")
    );
    assert!(m.problems.is_empty(), "{:?}", m.problems);

    let m = parse_message(fixture("resip-rfc4475/noreason.dat").unwrap_or_default()).unwrap();
    assert_eq!(m.start_line(), "SIP/2.0 100");
    assert!(m.problems.is_empty(), "{:?}", m.problems);

    let m = parse_message(fixture("resip-rfc4475/unreason.dat").unwrap_or_default()).unwrap();
    assert_eq!(m.status(), Some(200));
    assert!(m.start_line().ends_with("- простое"), "{}", m.start_line());
    assert!(m.problems.is_empty(), "{:?}", m.problems);

    let m = parse_message(fixture("resip-rfc4475/mcl01.dat").unwrap_or_default()).unwrap();
    assert!(
        m.problems.iter().any(|p| p.code == Code::BadContentLength
            && p.text.starts_with("2 Content-Length headers (13, 5)")),
        "{:?}",
        m.problems
    );
    assert_eq!(m.content_length(), None);

    let m = parse_message(fixture("resip-rfc4475/badinv01.dat").unwrap_or_default()).unwrap();
    assert_eq!(m.method(), Some("INVITE"));
    assert_eq!(m.content_length(), Some(152));

    let m = parse_message(fixture("resip-rfc4475/mpart01.dat").unwrap_or_default()).unwrap();
    assert_eq!(m.content_type().as_deref(), Some("multipart/mixed"));
    assert_eq!(m.body().len(), 553);
    assert!(m.problems.is_empty(), "{:?}", m.problems);
}

#[test]
fn kamailio_samples() {
    let Some(rpl) = fixture("kamailio-test/ms-invite-00-rpl.sip") else {
        return;
    };
    let m = parse_message(rpl).unwrap();
    assert_eq!(m.status(), Some(180));
    assert!(m.truncated);
    assert_eq!(m.headers_named("Via").count(), 2);

    let m = parse_message(fixture("kamailio-test/message-2002-379a395.sip").unwrap_or_default())
        .unwrap();
    assert_eq!(m.method(), Some("MESSSAGE"));
    assert_eq!(m.body(), b"dfss\n\n");
    assert!(
        m.header("To").is_some_and(|t| t.contains("Call-ID:")),
        "two headers on one line stay one header"
    );
    assert!(
        m.problems
            .iter()
            .any(|p| p.code == Code::NoBlankLine
                && p.text.starts_with("no blank line before the body")),
        "{:?}",
        m.problems
    );
    assert!(
        m.problems
            .iter()
            .any(|p| p.code == Code::MissingCallId && p.text == "no Call-ID header"),
        "{:?}",
        m.problems
    );
    assert!(
        m.problems
            .iter()
            .any(|p| p.code == Code::BadCseq && p.text.starts_with("CSeq method MESSAGE")),
        "{:?}",
        m.problems
    );
    assert!(!m.truncated);

    let m = parse_message(fixture("kamailio-test/ms-invite-00.sip").unwrap_or_default()).unwrap();
    assert_eq!(m.method(), Some("OPTIONS"));
    assert_eq!(m.content_type().as_deref(), Some("application/sdp"));
    assert!(!m.truncated, "{:?}", m.problems);

    let m = parse_message(fixture("kamailio-test/msbye.sip").unwrap_or_default()).unwrap();
    assert_eq!(m.start_line(), "BYE sip:131.107.155.12:7210 SIP/2.0");
    assert!(m.problems.is_empty(), "{:?}", m.problems);
}

fn check_invariants(m: &Message) {
    let len = m.raw.len() as u32;
    assert!(m.body.start <= m.body.end && m.body.end == len);
    for h in &m.headers {
        assert!(h.name.start < h.name.end && h.name.end <= len);
        assert!(h.value.start <= h.value.end && h.value.end <= len);
        let _ = (m.name(h), m.value(h));
    }
    let _ = (m.content_length(), m.cseq(), m.top_via(), m.start_line());
}

#[test]
fn never_panics_on_prefixes() {
    let mut samples = vec![
        subscribe(),
        crlf("SIP/2.0 200 OK\nContact:\n  <sip:c@d>\nl: 3\n\nabc"),
        b"NOTIFY sip:a@b SIP/2.0\nEvent: x\njunk\n\tfold\n<xml/>".to_vec(),
    ];
    for f in [
        "resip-rfc4475/wsinv.dat",
        "kamailio-test/message-2002-379a395.sip",
    ] {
        samples.extend(fixture(f));
    }
    // Damaged bytes are the `sip_message` fuzz target's work (fuzz/).
    for s in &samples {
        for n in 0..=s.len() {
            if let Ok(m) = parse_message(s[..n].to_vec()) {
                check_invariants(&m);
            }
        }
    }
}
