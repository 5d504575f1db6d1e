//! Redaction's promise on every fixture it writes back (client logs, SIP text, the lab capture) and on a generated
//! log: the copy analyzes to the same flow, its identifiers renamed consistently, and none of the original
//! sensitive values is left in it (`common/redact.rs`). Captures have tests of their own in `redact_capture.rs`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::redact::{analyze, check, shape};
use sipscope::redact::{redact_all, Category, Keep, Refused};

#[test]
fn every_fixture_written_back_redacts_to_the_same_flow() {
    let mut seen = 0;
    for path in common::inputs() {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // A capture that cannot be written back is a failure: `check` says why.
        if let Err(Refused::Format(_) | Refused::Utf16) =
            redact_all(&[&bytes], Keep::default()).0[0]
        {
            continue;
        }
        check(&name, &bytes);
        seen += 1;
    }
    assert!(seen >= 8, "only {seen} inputs redacted");
}

#[test]
fn a_generated_client_log_redacts_to_the_same_flow() {
    let mut bytes = Vec::new();
    sipscope_gen::generate(
        &sipscope_gen::Config {
            target_bytes: 400 << 10,
            seed: 7,
            ..sipscope_gen::Config::default()
        },
        &mut bytes,
    )
    .unwrap();
    check("generated", &bytes);
}

#[test]
fn server_traces_and_utf16_are_refused() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let trace = std::fs::read(root.join("server-frontend.log")).unwrap();
    assert_eq!(
        redact_all(&[&trace], Keep::default()).0[0],
        Err(Refused::Format("server trace"))
    );
    let utf16 = std::fs::read(root.join("utf16.uccapilog")).unwrap();
    assert_eq!(
        redact_all(&[&utf16], Keep::default()).0[0],
        Err(Refused::Utf16)
    );
}

#[test]
fn kept_categories_stay_and_the_same_value_gets_the_same_stand_in_across_files() {
    let a = b"INVITE sip:alice@contoso.com SIP/2.0\r\nVia: SIP/2.0/TLS 192.168.0.5:5061;branch=z9hG4bK1a2b\r\n\
From: \"Bob Jones\" <sip:bob@contoso.com>;tag=abc123;epid=0a1b2c\r\nTo: <sip:alice@contoso.com>\r\n\
Call-ID: 5f1e2d3c\r\nCSeq: 1 INVITE\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nHello";
    let b = b"MESSAGE sip:alice@contoso.com SIP/2.0\r\nVia: SIP/2.0/TLS 8.8.8.8:5061;branch=z9hG4bK9\r\n\
From: <sip:bob@contoso.com>;tag=ff\r\nTo: <sip:alice@contoso.com>\r\nCall-ID: 5f1e2d3c\r\nCSeq: 2 MESSAGE\r\n\
Content-Length: 0\r\n\r\n";
    let (copies, r) = redact_all(&[a, b], Keep::default().with(Category::Domains));
    let (x, y) = (
        String::from_utf8(copies[0].clone().unwrap()).unwrap(),
        String::from_utf8(copies[1].clone().unwrap()).unwrap(),
    );
    assert!(
        x.starts_with("INVITE sip:user1@contoso.com SIP/2.0\r\n"),
        "{x}"
    );
    assert!(
        x.contains("From: \"User 1\" <sip:user2@contoso.com>"),
        "{x}"
    );
    assert!(
        x.contains("Via: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bKbranch"),
        "{x}"
    );
    assert!(y.contains("Via: SIP/2.0/TLS 203.0.113.1:5061"), "{y}");
    assert!(!x.contains("Hello") && !x.contains("5f1e2d3c") && !y.contains("5f1e2d3c"));
    let call_id = |t: &str| {
        t.lines()
            .find(|l| l.starts_with("Call-ID"))
            .unwrap()
            .to_string()
    };
    assert_eq!(call_id(&x), call_id(&y));
    // Content-Length follows the new body.
    let body = x.split("\r\n\r\n").nth(1).unwrap();
    assert!(
        x.contains(&format!("Content-Length: {}\r\n", body.len())),
        "{x}"
    );
    assert!(
        !r.mapping_text().is_empty()
            && r.counts()
                .iter()
                .any(|&(c, n)| c == Category::Users && n == 2)
    );
    // A kept category is still counted: the counts say what a redaction without --keep would change.
    assert!(
        r.counts().contains(&(Category::Domains, 1)),
        "{:?}",
        r.counts()
    );
}

#[test]
fn sdp_addresses_and_keys_and_free_text_are_replaced() {
    let sdp =
        "v=0\r\no=- 0 0 IN IP4 192.168.1.51\r\ns=session\r\nc=IN IP4 192.168.1.51\r\nt=0 0\r\n\
m=audio 50012 RTP/SAVP 0\r\na=ice-ufrag:Xy7Q\r\na=ice-pwd:k9Jd0aLm3PqR5sTu7VwXyZ12\r\n\
a=candidate:1 1 UDP 2130706431 192.168.1.51 50012 typ host\r\n\
a=candidate:2 1 UDP 1694498815 211.208.253.61 50012 typ srflx raddr 192.168.1.51 rport 50012\r\n\
a=candidate:3 1 UDP 2130706431 fe80::1c2b:3d4e 50014 typ host\r\n\
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^31|1:1\r\n";
    let presence = "<note xmlns=\"http://schemas.microsoft.com/2006/09/sip/note\"><body type=\"personal\">Out until 3pm, call Bob</body></note>";
    let msg = |body: &str, ctype: &str, cseq: u32| {
        format!(
            "INVITE sip:alice@contoso.com SIP/2.0\r\nVia: SIP/2.0/TLS 192.168.1.51:5061;branch=z9hG4bKa{cseq}\r\n\
From: \"Bob Jones\" <sip:bob@contoso.com>;tag=abc123\r\nTo: <sip:alice@contoso.com>\r\nCall-ID: cid{cseq}\r\n\
CSeq: {cseq} INVITE\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    let input = format!(
        "{}\r\n\r\n{}",
        msg(sdp, "application/sdp", 1),
        msg(presence, "application/msrtc-category-publish+xml", 2)
    );
    let (copies, _) = redact_all(&[input.as_bytes()], Keep::default());
    let out = String::from_utf8(copies[0].clone().unwrap()).unwrap();
    for gone in [
        "192.168.1.51",
        "211.208.253.61",
        "fe80::1c2b:3d4e",
        "Xy7Q",
        "k9Jd0aLm3PqR5sTu7VwXyZ12",
        "d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj",
        "Out until 3pm",
        "Bob Jones",
        "contoso.com",
        "alice",
    ] {
        assert!(!out.contains(gone), "{gone} left in:\n{out}");
    }
    assert!(
        out.contains("c=IN IP4 10.0.0.1\r\n") && out.contains("o=- 0 0 IN IP4 10.0.0.1\r\n"),
        "{out}"
    );
    assert!(
        out.contains(" 203.0.113.1 50012 typ srflx raddr 10.0.0.1 rport 50012"),
        "{out}"
    );
    assert!(
        out.contains("|2^31|1:1\r\n"),
        "the crypto line keeps its lifetime and MKI: {out}"
    );
    let (before, after) = (analyze(input.as_bytes()), analyze(out.as_bytes()));
    assert_eq!(shape(&before), shape(&after));
    // Only the two unanswered INVITEs are said: the bodies' lengths are right.
    assert!(
        after
            .diagnostics
            .iter()
            .all(|d| format!("{:?}", d.code) == "NoFinalResponse"),
        "{:?}",
        after.diagnostics
    );
}

#[test]
fn users_of_uris_whose_host_is_an_unbracketed_ipv6_address_are_renamed() {
    // As some phones write them (sip_ipv6_udp.pcap): RFC 3261 wants brackets, the port makes it ambiguous.
    let msg = "INVITE sip:4321@fec0:0:0:0:216:d3ff:fe0d:22c:5060 SIP/2.0\r\n\
Via: SIP/2.0/UDP [fe80::21a:a0ff:fe07:32e0]:5060;branch=z9hG4bK6c2a\r\n\
From: <sip:9876@fe80:0:0:0:21a:a0ff:fe07:32e0>;tag=73b3\r\nTo: <sip:4321@fec0:0:0:0:216:d3ff:fe0d:22c>\r\n\
Call-ID: 8c1e6b7e@fe80::21a:a0ff:fe07:32e0\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    let (copy, _) = check("unbracketed IPv6 hosts", msg.as_bytes());
    let copy = String::from_utf8(copy).unwrap();
    assert!(copy.starts_with("INVITE sip:user1@2001:db8::"), "{copy}");
    assert!(
        !copy.contains("fec0:0:0:0:216") && !copy.contains("fe80:0:0:0:21a"),
        "{copy}"
    );
}
