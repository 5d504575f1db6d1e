//! Redaction's promise on every client log, server trace and SIP text fixture (alone and in archives) and on a
//! generated log: the copy analyzes to the same flow, its identifiers renamed consistently, and none of the
//! original sensitive values is left in it.
#![cfg(not(target_arch = "wasm32"))]

mod archives;
#[path = "../common/mod.rs"]
mod common;
mod framing;
mod names;
mod phones;

use common::redact::{analyze, check, contains_token, shape};

use sipscope::redact::{redact_all, Category, Keep, Refused};
use sipscope::Analysis;
use std::collections::HashSet;

/// A SIP message of CRLF lines: `head` (its lines ended by `\n`), its Content-Length, `body`.
fn message(head: &str, body: &str) -> String {
    format!(
        "{}Content-Length: {}\r\n\r\n{body}",
        head.replace('\n', "\r\n"),
        body.len()
    )
}

#[test]
fn every_client_log_server_trace_sip_text_and_sbc_fixture_redacts_to_the_same_flow() {
    let mut seen = 0;
    for path in common::inputs() {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let sbc = path.parent().is_some_and(|d| d.ends_with("sbc"));
        if let Err(Refused::Format(f)) = redact_all(&[&bytes], Keep::default()).0.remove(0) {
            assert!(!sbc, "{name}: an SBC log refused as {f}");
            continue;
        }
        check(&name, &bytes);
        seen += 1;
    }
    assert!(seen >= 19, "only {seen} inputs redacted");
}

/// An SBC or proxy log's copy keeps the product's framing: the same lines, the products' own lines still trace
/// lines of the same levels where they were.
#[test]
fn sbc_logs_keep_their_lines_and_their_trace_lines() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sbc");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("log") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let copy = redact_all(&[&bytes], Keep::default()).0.remove(0).unwrap();
        let lines = |b: &[u8]| b.split(|&c| c == b'\n').count();
        assert_eq!(lines(&copy), lines(&bytes), "{name}: lines");
        let trace = |b: &[u8]| {
            let a = analyze(b);
            a.traces()
                .iter()
                .enumerate()
                .flat_map(|(f, t)| (0..t.len()).map(move |k| (f, k)))
                .map(|(f, k)| {
                    let l = a.traces()[f].get(f as u32, k);
                    (l.line, l.level)
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(trace(&copy), trace(&bytes), "{name}: trace lines");
    }
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
    // The generator writes no phone number: none of its CSeqs, ports, times, lengths, SDP ids, epids or versions
    // is taken for one.
    let (_, r) = redact_all(&[&bytes], Keep::default());
    assert_eq!(r.names.count(Category::Phones), 0, "{}", r.mapping_text());
}

/// The fuzzer's two finds (tests/regressions/redact/): a line the importer skips because it is not UTF-8 (here a
/// packet header with a stray byte) must not become readable in the copy, and a quoted value left open must not
/// take the lines after it into its stand-in.
#[test]
fn stray_bytes_and_open_quotes_leave_the_lines_as_the_importer_read_them() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let sample = std::fs::read(root.join("www/sample/sample.uccapilog")).unwrap();
    let end = b"(From Local Address: 192.168.1.51:51882) 955 bytes\r\n";
    let at = sample.windows(end.len()).position(|w| w == end).unwrap() + end.len();
    let mut input = sample[..at].to_vec();
    input.extend_from_slice(
        b"03/30/2018|10:57:41.218 2738:14E0 INFO  :: Data Received -211.208.253.66:5061 (To Local Address: 192.168.1.51:51882) 710 bytes: \xEC\r\n\
03/30/2018|10:57:41.219 2738:14E0 TRACE :: CUccAuth::Verify - rspauth=\"5749fd847276a4e803d95d99cb9bb8ff48879 (cut)\r\n",
    );
    input.extend_from_slice(&sample[at..]);
    check("stray byte, open quote", &input);
    let copy = redact_all(&[&input], Keep::default()).0.remove(0).unwrap();
    let lines = |b: &[u8]| b.split(|&c| c == b'\n').count();
    assert_eq!(lines(&copy), lines(&input));
    assert!(
        copy.windows(8).any(|w| w == b"bytes: \xEC"),
        "the stray byte is kept"
    );
}

/// The comment a user wrote when rating a call (call-quality feedback, `application/ms-cqf+xml`) is free text: the
/// copy replaces it, as it does an IM's text.
#[test]
fn a_call_rating_loses_the_users_comment() {
    let cqf = r#"<?xml version="1.0" encoding="utf-8"?><CallQualityFeedbackReport xmlns="ms-cqf" CallId="f28" FromTag="578" ToTag="d44"><ReportingUserURI>sip:alice@contoso.com</ReportingUserURI><Rating>2</Rating><Feedback LanguageTag="en-US"><Text>Bob kept cutting out, call me on my cell</Text></Feedback><Tokens><Token><Id>107</Id><Value>1</Value></Token></Tokens></CallQualityFeedbackReport>"#;
    let input = message(
        "SERVICE sip:pool01.contoso.com@contoso.com;gruu;opaque=srvr:HomeServer:Aq1b SIP/2.0\n\
Via: SIP/2.0/TLS 10.250.4.17:50733;branch=z9hG4bK5e1c\nFrom: <sip:alice@contoso.com>;tag=9a8b7c\n\
To: <sip:pool01.contoso.com@contoso.com;gruu;opaque=srvr:HomeServer:Aq1b>\nCall-ID: 7f3e2d1c0b\nCSeq: 1 SERVICE\n\
Content-Type: application/ms-cqf+xml\n",
        cqf,
    );
    check("call rating", input.as_bytes());
    let copy = redact_all(&[input.as_bytes()], Keep::default())
        .0
        .remove(0)
        .unwrap();
    let copy = String::from_utf8(copy).unwrap();
    assert!(!copy.contains("kept cutting out"), "{copy}");
    assert!(copy.contains("<Text>Text "), "{copy}");
    // The rating itself is no secret.
    assert!(copy.contains("<Rating>2</Rating>"), "{copy}");
}

/// An IM quoted in a mail (SIP text the importer rebuilds from quoted lines): its text is replaced as an IM's is,
/// the quoting kept.
#[test]
fn a_quoted_im_loses_its_text_and_keeps_its_quoting() {
    let input = "From: Kim <kim@contoso.com>\nSubject: the IM that was lost\n\nHi, this is what the client sent:\n\n\
> MESSAGE sip:bob@contoso.com SIP/2.0\n> Via: SIP/2.0/TLS 192.168.1.51:51882;branch=z9hG4bK77a1\n\
> From: <sip:alice@contoso.com>;tag=1a2b3c4d\n> To: <sip:bob@contoso.com>\n> Call-ID: 9f8e7d6c5b4a39281706\n\
> CSeq: 1 MESSAGE\n> Content-Type: text/plain; charset=UTF-8\n> Content-Length: 21\n>\n> Lunch at noon, Bob?\n\n\
Thanks,\nKim\n";
    check("quoted IM", input.as_bytes());
    let copy = redact_all(&[input.as_bytes()], Keep::default())
        .0
        .remove(0)
        .unwrap();
    let copy = String::from_utf8(copy).unwrap();
    assert!(!copy.contains("Lunch at noon"), "{copy}");
    assert!(copy.contains("\n> Text "), "{copy}");
}

#[test]
fn server_trace_records_lose_their_names_and_merged_files_still_merge() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let files: Vec<Vec<u8>> = [
        "www/sample/sample.uccapilog",
        "tests/fixtures/server-edge.log",
        "tests/fixtures/server-frontend.log",
    ]
    .map(|f| std::fs::read(root.join(f)).unwrap())
    .into();
    let slices: Vec<&[u8]> = files.iter().map(Vec::as_slice).collect();
    let (copies, _) = redact_all(&slices, Keep::default());
    let copies: Vec<Vec<u8>> = copies.into_iter().map(Result::unwrap).collect();
    let merged = |f: &[Vec<u8>]| {
        Analysis::of_files([
            ("client", &f[0][..]),
            ("edge", &f[1][..]),
            ("fe", &f[2][..]),
        ])
    };
    let (before, after) = (merged(&files), merged(&copies));
    assert_eq!(shape(&before), shape(&after));
    // One server is one column in the copy as in the original: the hosts still merge.
    let columns = |a: &Analysis| {
        a.messages
            .iter()
            .flat_map(|m| [m.src.clone(), m.dst.clone()])
            .collect::<HashSet<_>>()
            .len()
    };
    assert_eq!(columns(&before), columns(&after));
    for copy in &copies[1..] {
        let text = String::from_utf8_lossy(copy).to_ascii_lowercase();
        // Machine names in the record headers, connection records' peers, a diagnostic record's next hop and
        // home pool, and the domain anywhere.
        for gone in [
            "fe01", "edge01", "fe02", "pool2", "limcm", "192.168.", "211.208.",
        ] {
            assert!(!text.contains(gone), "{gone} left in:\n{text}");
        }
        assert!(
            text.contains("$$begin_record") && text.contains("\npeer-fqdn: host")
                || !text.contains("peer-fqdn")
        );
    }
}

/// A Front End's record of an INVITE whose SDP body runs over many lines, then the 183 it sent back.
const SERVER_INVITE: &str = "TL_INFO(TF_PROTOCOL) [FE01\\FE01]0A3C.1B2C::03/30/2018-02:10:07.114.0001D001 (SIPStack,SIPAdminLog::TraceProtocolRecord:SIPAdminLog.cpp(125))[3152000001] $$begin_record
Trace-Correlation-Id: 3152000001
Instance-Id: 0001B001
Direction: incoming;source=\"internal edge\";destination=\"local\"
Peer: 192.168.1.6:50001
Message-Type: request
Start-Line: INVITE sip:on4@limcm.com SIP/2.0
Via: SIP/2.0/TLS 192.168.1.51:51882;branch=z9hG4bK7A1C3E5F;received=211.208.253.61;ms-received-port=51882;ms-received-cid=17700
Max-Forwards: 69
From: \"On 1\"<sip:on1@limcm.com>;tag=9e1d3c5a7b;epid=5f2c81d07a
To: <sip:on4@limcm.com>
Call-ID: 1d3f5b7e9a2c4e6f8a0b2d4f6e8a0c1e
CSeq: 1 INVITE
Contact: <sip:on1@limcm.com;opaque=user:epid:Wq3Lx0Zr1VaF6pHc8N2yBgAA;gruu>
Content-Type: application/sdp
Content-Length: 293
Message-Body: v=0
o=- 0 0 IN IP4 192.168.1.51
s=session
c=IN IP4 192.168.1.51
b=CT:99980
t=0 0
m=audio 50012 RTP/SAVP 114 9 112 111 0 8 116 115 4 97 13 118 101
a=ice-ufrag:Xy7Q
a=ice-pwd:k9Jd0aLm3PqR5sTu7VwXyZ12
a=candidate:1 1 UDP 2130706431 192.168.1.51 50012 typ host
a=rtcp:50013
a=sendrecv
$$end_record
TL_INFO(TF_PROTOCOL) [FE01\\FE01]0A3C.1B2C::03/30/2018-02:10:07.301.0001D002 (SIPStack,SIPAdminLog::TraceProtocolRecord:SIPAdminLog.cpp(125))[3152000002] $$begin_record
Trace-Correlation-Id: 3152000002
Instance-Id: 0001B002
Direction: outgoing;source=\"local\";destination=\"internal edge\"
Peer: 192.168.1.6:50001
Message-Type: response
Start-Line: SIP/2.0 183 Session Progress
From: \"On 1\"<sip:on1@limcm.com>;tag=9e1d3c5a7b;epid=5f2c81d07a
To: <sip:on4@limcm.com>;tag=7C0E2A4B6D
Call-ID: 1d3f5b7e9a2c4e6f8a0b2d4f6e8a0c1e
CSeq: 1 INVITE
Via: SIP/2.0/TLS 192.168.1.51:51882;branch=z9hG4bK7A1C3E5F;received=211.208.253.61;ms-received-port=51882;ms-received-cid=17700
Content-Length: 0
Message-Body: –
$$end_record
";

#[test]
fn a_server_trace_body_over_many_lines_keeps_its_length_in_crlf_and_lf() {
    let crlf = SERVER_INVITE.replace('\n', "\r\n");
    let declared = |t: &str| -> usize {
        let at = t.find("Content-Length: ").unwrap() + 16;
        t[at..]
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let body = |t: &str| -> usize {
        let from = t.find("Message-Body: ").unwrap() + 14;
        let to = t[from..].find("$$end_record").unwrap() + from;
        t[from..to].len()
    };
    // The record holds the body and its last line break before the end marker: the length is right.
    assert_eq!(declared(&crlf), body(&crlf));
    for (name, input) in [("crlf", crlf.clone()), ("lf", SERVER_INVITE.to_string())] {
        check(name, input.as_bytes());
        let copy = redact_all(&[input.as_bytes()], Keep::default())
            .0
            .remove(0)
            .unwrap();
        let copy = String::from_utf8(copy).unwrap();
        assert_eq!(
            copy.lines().count(),
            input.lines().count(),
            "{name}: lines kept"
        );
        assert_eq!(
            declared(&copy) as i64 - declared(&input) as i64,
            body(&copy) as i64 - body(&input) as i64,
            "{name}"
        );
        for gone in [
            "192.168.1.51",
            "Xy7Q",
            "k9Jd0aLm3PqR5sTu7VwXyZ12",
            "On 1",
            "FE01",
        ] {
            assert!(!copy.contains(gone), "{name}: {gone} left in:\n{copy}");
        }
    }
}

/// `text` as UTF-16 in either byte order, with or without a BOM.
fn utf16(text: &str, le: bool, bom: bool) -> Vec<u8> {
    let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
    units
        .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
        .collect()
}

#[test]
fn a_utf16_client_log_is_written_back_in_its_encoding_and_byte_order() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let original = std::fs::read(root.join("utf16.uccapilog")).unwrap();
    assert_eq!(original[..2], [0xFF, 0xFE]);
    let text = String::from_utf16(
        &original[2..]
            .chunks_exact(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    for (le, bom) in [(true, true), (false, true), (true, false)] {
        let name = format!("utf16 le={le} bom={bom}");
        let input = utf16(&text, le, bom);
        check(&name, &input);
        let copy = redact_all(&[&input], Keep::default()).0.remove(0).unwrap();
        // The same BOM (or none), the same byte order: the copy decodes the way the original does.
        let start = if bom { 2 } else { 0 };
        assert_eq!(copy[..start], input[..start], "{name}");
        assert_eq!(copy.len() % 2, 0, "{name}");
        let units: Vec<u16> = copy[start..]
            .chunks_exact(2)
            .map(|p| {
                if le {
                    u16::from_le_bytes([p[0], p[1]])
                } else {
                    u16::from_be_bytes([p[0], p[1]])
                }
            })
            .collect();
        let decoded = String::from_utf16(&units).unwrap();
        assert!(
            !decoded.contains("임온이") && !decoded.contains("limcm"),
            "{name}:\n{decoded}"
        );
        // Each packet's N counts the UTF-8 bytes of its SIP text, as the importer reads it: a stand-in for a
        // Korean name is shorter in UTF-8 by more than in UTF-16.
        let mut packets = 0;
        for packet in decoded.split(" bytes:\r\n").skip(1) {
            let n: usize = packet_size(packet);
            let end = packet.find("\r\n04/03/2018|").unwrap() + 2;
            let sip = &packet[packet.find(":: ").unwrap() + 3..end];
            assert!(
                sip.len() == n || sip.len() == n + 2,
                "{name}: {n} announced, {} held",
                sip.len()
            );
            packets += 1;
        }
        assert_eq!(packets, 4, "{name}");
    }
}

/// The `N` of the `N bytes` that ends the text before `packet` (the header line the split cut off is its own
/// `End of` line's twin: the End line after the packet holds the same N).
fn packet_size(packet: &str) -> usize {
    let end = packet.find("End of ").unwrap();
    let line = &packet[end..packet[end..].find(" bytes").unwrap() + end];
    line.rsplit(' ').next().unwrap().parse().unwrap()
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
From: <sip:alice@fe80:0:0:0:21a:a0ff:fe07:32e0>;tag=73b3\r\nTo: <sip:4321@fec0:0:0:0:216:d3ff:fe0d:22c>\r\n\
Call-ID: 8c1e6b7e@fe80::21a:a0ff:fe07:32e0\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    let (copy, _) = check("unbracketed IPv6 hosts", msg.as_bytes());
    let copy = String::from_utf8(copy).unwrap();
    // The numeric user is a phone number now (its own category); the host an IPv6 stand-in.
    assert!(
        copy.starts_with("INVITE sip:") && !copy.contains("sip:4321@"),
        "{copy}"
    );
    assert!(
        copy.contains("@2001:db8::") && copy.contains("sip:user1@2001:db8::"),
        "{copy}"
    );
    assert!(
        !copy.contains("fec0:0:0:0:216") && !copy.contains("fe80:0:0:0:21a"),
        "{copy}"
    );
}

/// The media relay's credentials ([MS-AVEDGEA] `credentialsType`): the user name and password are authentication
/// values, renamed like a digest's response; the relays, ports and the duration stay, and the copy reads the same.
#[test]
fn media_relay_user_names_and_passwords_are_renamed() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/calls/call-relay.uccapilog");
    let bytes = std::fs::read(path).unwrap();
    let (user, password) = (
        "FWkvQLuR5qREC8tnECJ9InoRJJ5vFQrtK8J1D/BwwBJKLOg1qx64=",
        "7KDnL9CdO/+gBvmSZVr4/epzgZ3Z",
    );
    let input = String::from_utf8_lossy(&bytes);
    assert!(input.contains(user) && input.contains(password));
    let (copy, redactor) = check("call-relay.uccapilog", &bytes);
    let out = String::from_utf8_lossy(&copy);
    for gone in [user, password] {
        assert!(!out.contains(gone), "{gone} left in the copy");
    }
    let mapping = redactor.mapping_text();
    assert!(
        mapping.contains(&format!("auth\t{password}\t")),
        "the password is counted as authentication: {mapping}"
    );
    for kept in [
        "<duration>480</duration>",
        "<udpPort>3478</udpPort><tcpPort>443</tcpPort>",
    ] {
        assert!(out.contains(kept), "{kept}");
    }
    // Kept when asked.
    let (copies, _) = redact_all(&[&bytes], Keep::default().with(Category::Auth));
    let kept = String::from_utf8(copies[0].clone().unwrap()).unwrap();
    assert!(kept.contains(user) && kept.contains(password));
}

/// A Call-ID that looks like `user@host` (`2092f073-ff80-b9465aef@10.2.0.40`) named in free text — an
/// Expressway's INFO line, a quoted message scrubbed as text — gets the stand-in its Call-ID header got, not a
/// user's and an address's: the same message in two files stays the same message.
#[test]
fn a_call_id_named_in_text_gets_its_headers_stand_in() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let bytes =
        std::fs::read(root.join("tests/fixtures/sbc/cisco-expressway-network-sip.log")).unwrap();
    let (copies, r) = redact_all(&[&bytes], Keep::default());
    let copy = String::from_utf8(copies.into_iter().next().unwrap().unwrap()).unwrap();
    let stand_in = r
        .names
        .entries()
        .find(|e| e.0 == Category::Ids && e.1 == "2092f073-ff80-b9465aef@10.2.0.40")
        .map(|e| e.2.to_string())
        .expect("the Call-ID is renamed");
    assert!(copy.contains(&format!("Call-ID={stand_in},")), "INFO line");
    assert!(copy.contains(&format!("Call-ID: {stand_in}\n")), "header");
}
