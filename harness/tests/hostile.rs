//! The hostile-input corpus, generated here (nothing big is committed): truncations of every fixture, junk,
//! huge lines and headers, lying lengths, XML and multipart built to explode, archive bombs and deep nesting,
//! captures that lie about their lengths or never finish what they start, broken encodings. For each: the
//! analysis finishes, every invariant of the `analysis` fuzz target holds, whatever could be read is still
//! there, each cap reached is a diagnostic naming it, and the big ones take time in proportion to their size
//! (a ratio against a normal log of the same size, not a wall-clock limit).

use sipscope::store::{Analysis, Analyzer};
use sipscope::Code;
use sipscope_harness::packets::{ipv4_raw, tcp as tcp_header, udp as udp_header};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const CHUNK: usize = 4 << 20;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Analyse `bytes` as the page does (4 MiB chunks) and check the invariants.
fn analyze(name: &str, bytes: &[u8]) -> Analysis {
    let a = run(name, bytes);
    sipscope_harness::check_analysis(&a, bytes.len() as u64);
    a
}

fn run(name: &str, bytes: &[u8]) -> Analysis {
    let mut a = Analyzer::new();
    let id = a.add_file(name, bytes.len() as u64);
    for c in bytes.chunks(CHUNK) {
        a.push(id, c);
    }
    a.finish_file(id);
    a.finish()
}

fn timed(name: &str, bytes: &[u8]) -> Duration {
    (0..2)
        .map(|_| {
            let t = Instant::now();
            let a = run(name, bytes);
            std::hint::black_box(a.messages.len());
            t.elapsed()
        })
        .min()
        .unwrap()
}

fn ipv4(src: [u8; 4], dst: [u8; 4], proto: u8, id: u16, frag: u16, payload: &[u8]) -> Vec<u8> {
    ipv4_raw(src, dst, proto, id, frag, payload)
}

fn udp(payload: &[u8]) -> Vec<u8> {
    udp_header(5060, 5060, payload)
}

fn tcp(sport: u16, seq: u32, flags: u8, payload: &[u8]) -> Vec<u8> {
    tcp_header(sport, 5061, seq, 0, flags, payload)
}

/// A normal client log of about `size` bytes, from the project's generator.
fn normal_log(size: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let cfg = sipscope_gen::Config {
        target_bytes: size as u64,
        ..Default::default()
    };
    sipscope_gen::generate(&cfg, &mut out).unwrap();
    out.truncate(size);
    out
}

/// The hostile input costs at most `factor` times a normal log of the same size (plus a little for small
/// inputs, where timing is noise).
fn assert_linear(name: &str, bytes: &[u8], factor: f64) {
    let normal = normal_log(bytes.len());
    let (h, n) = (timed(name, bytes), timed("normal.uccapilog", &normal));
    let ratio = h.as_secs_f64() / n.as_secs_f64().max(1e-3);
    println!(
        "{name}: {} bytes, {h:?} against {n:?} for a normal log of that size (ratio {ratio:.2})",
        bytes.len()
    );
    assert!(
        h.as_secs_f64() <= factor * n.as_secs_f64() + 0.05,
        "{name}: {h:?} against {n:?} for a normal log of the same size"
    );
}

fn codes(a: &Analysis) -> Vec<Code> {
    let mut out: Vec<Code> = a.diagnostics.iter().map(|d| d.code).collect();
    out.dedup();
    out
}

fn has(a: &Analysis, code: Code) -> bool {
    a.diagnostics.iter().any(|d| d.code == code)
}

fn sip(start: &str, call: &str, extra: &str, body: &str) -> String {
    format!(
        "{start}\r\nVia: SIP/2.0/TLS 10.0.0.2:50000;branch=z9hG4bK{call}\r\nFrom: \"Alice\" <sip:alice@contoso.com>;tag=1;epid=7a1c\r\nTo: <sip:bob@contoso.com>\r\nCall-ID: {call}\r\nCSeq: 1 {}\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        start.split(' ').next().unwrap(),
        body.len()
    )
}

fn options(call: &str) -> String {
    sip("OPTIONS sip:bob@contoso.com SIP/2.0", call, "", "")
}

// ---------------------------------------------------------------------------------------------------------
// Text.

#[test]
fn every_fixture_cut_anywhere() {
    let dir = root().join("tests/fixtures");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            !matches!(p.extension().and_then(|e| e.to_str()), Some("md" | "py")) && p.is_file()
        })
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    names.sort();
    assert!(names.len() >= 10);
    for path in names {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let whole = run(&name, &bytes).messages.len();
        // Every byte near both ends (headers, first and last message), a stride in between.
        let cuts = (0..bytes.len()).filter(|&n| n < 512 || n + 512 > bytes.len() || n % 61 == 0);
        for n in cuts {
            let a = run(&name, &bytes[..n]);
            assert_eq!(a.files[0].bytes, n as u64);
            assert!(
                a.messages.len() <= whole + 1,
                "{name} cut at {n}: more messages than whole"
            );
            for m in &a.messages {
                assert!(
                    m.span.1 <= n as u64,
                    "{name} cut at {n}: a span past the end"
                );
            }
        }
    }
}

#[test]
fn binary_junk_and_nul_filled_files() {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let junk: Vec<u8> = (0..4 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let a = analyze("junk.bin", &junk);
    assert!(has(&a, Code::BinaryInput), "{:?}", codes(&a));
    assert_linear("junk.bin", &junk, 3.0);
    let nul = vec![0u8; 4 << 20];
    let a = analyze("zeros.log", &nul);
    assert!(has(&a, Code::BinaryInput), "{:?}", codes(&a));
    assert_linear("zeros.log", &nul, 3.0);
}

#[test]
fn a_100_mb_header_line() {
    let mut t = b"INVITE sip:bob@contoso.com SIP/2.0\r\nVia: SIP/2.0/TLS 10.0.0.2:5061;branch=z9hG4bK1\r\nCall-ID: long\r\nCSeq: 1 INVITE\r\nX-Long: ".to_vec();
    t.resize(t.len() + (100 << 20), b'a');
    t.extend_from_slice(b"\r\nContent-Length: 0\r\n\r\n");
    t.extend_from_slice(options("after").as_bytes());
    let a = run("long.txt", &t);
    assert_eq!(a.files[0].bytes, t.len() as u64);
    assert!(
        a.messages
            .iter()
            .any(|m| a.syms().get(m.brief.call_id) == "after"),
        "the message after the long one is still read"
    );
    assert!(has(&a, Code::EntryTooLarge), "{:?}", codes(&a));
}

/// SBC and proxy logs that never end what they start: a line continued over AudioCodes packets, a Ribbon entry
/// continued without end, a Kamailio syslog line of 20 MB, a FreeSWITCH log of stamps without messages. Each is
/// read in time linear in its size, the cap it reaches said, and the message after it still read.
#[test]
fn sbc_logs_that_never_end_what_they_start() {
    let after = |s: &str| {
        format!("{s}OPTIONS sip:bob@contoso.com SIP/2.0#015#012Call-ID: after#015#012CSeq: 1 OPTIONS#015#012Content-Length: 0#015#012#015#012")
    };
    // AudioCodes: one message whose header line goes on over 3,000 packets.
    let mut ac = String::from("2021-03-09T14:03:11.000001+01:00 10.1.1.50  [S=1] [SID=a:1:2] (N 1) ---- Incoming SIP Message from 10.1.1.21:5067 to SIPInterface #1 (SFB) TLS TO(#48) ---- #012OPTIONS sip:x@y SIP/2.0#012X-Long: \n");
    let piece = "a".repeat(6000);
    for s in 2..3000 {
        ac.push_str(&format!(
            "2021-03-09T14:03:11.000001+01:00 10.1.1.50  [S={s}] [SID=a:1:2] {piece}\n"
        ));
    }
    ac.push_str(&after("2021-03-09T14:03:12.000001+01:00 10.1.1.50  [S=3000] [SID=a:1:3] (N 2) ---- Incoming SIP Message from 10.1.1.21:5067 to SIPInterface #1 (SFB) TLS TO(#48) ---- #012").replace("#015", ""));
    ac.push('\n');
    // Ribbon: an entry continued by 3,000 more with the same time and sequence.
    let head = "731 12162019 083615.100884:1.01.00.38932.MAJOR .SIPSG:";
    let mut rb = format!("{head}FILTER=x GCID=0x1: EXTRA INFO: Ingress: received msg for CallId:1 gcid:0x1 from IP/port:10.1.1.21/5067, Local IP/port:10.1.1.60/5067\nRAW PDU:\nOPTIONS sip:x@y SIP/2.0\nX-Long: ");
    for _ in 0..3000 {
        rb.push_str(&format!("\n{head}{piece}"));
    }
    rb.push_str("\n731 12162019 083616.100884:1.01.00.38933.MAJOR .SIPSG:FILTER=x GCID=0x2: EXTRA INFO: Ingress: received msg for CallId:after gcid:0x2 from IP/port:10.1.1.21/5067, Local IP/port:10.1.1.60/5067\nRAW PDU:\nOPTIONS sip:bob@contoso.com SIP/2.0\nCall-ID: after\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n");
    // Kamailio: a message of 20 MB on one syslog line (after one of a normal size: detection reads whole lines).
    let mut km =
        after("Jun 22 10:15:02 kam01 kamailio[1]: INFO: <script>: RECV from udp:10.0.0.1:5060#012");
    km.push_str("\nJun 22 10:15:03 kam01 kamailio[1]: INFO: <script>: RECV from udp:10.0.0.1:5060#012INVITE sip:x@y SIP/2.0#015#012X-Long: ");
    km.push_str(&"b".repeat(20 << 20));
    km.push_str(&after("#015#012\nJun 22 10:15:04 kam01 kamailio[1]: INFO: <script>: RECV from udp:10.0.0.1:5060#012"));
    km.push('\n');
    // FreeSWITCH: 300,000 stamps and nothing else.
    let mut fs = String::from("2020-09-17 14:40:16.543992 [NOTICE] switch_channel.c:1118 New Channel sofia/internal/1000@10.1.1.21 [x]\n");
    for k in 0..300_000u32 {
        fs.push_str(&format!(
            "recv 100 bytes from udp/[10.0.0.1]:5060 at 14:40:{:02}.{:06}:\n",
            (k / 1_000_000) % 60,
            k % 1_000_000
        ));
    }
    for (name, text, cap) in [
        ("audiocodes.log", ac, Some(Code::EntryTooLarge)),
        ("ribbon.trc", rb, Some(Code::EntryTooLarge)),
        ("kamailio.log", km, Some(Code::EntryTooLarge)),
        ("freeswitch.log", fs, None),
    ] {
        let a = analyze(name, text.as_bytes());
        if let Some(code) = cap {
            assert!(has(&a, code), "{name}: {:?}", codes(&a));
            assert!(
                a.messages
                    .iter()
                    .any(|m| a.syms().get(m.brief.call_id) == "after"),
                "{name}: the message after the long one is still read"
            );
        } else {
            assert!(
                a.messages.is_empty() && has(&a, Code::IncompleteEntry),
                "{name}: {:?}",
                codes(&a)
            );
            assert_eq!(
                a.diagnostics
                    .iter()
                    .filter(|d| d.code == Code::IncompleteEntry)
                    .count(),
                1,
                "{name}: said once"
            );
        }
        // A line of stamps is a message announced a line, against a message a kilobyte and a half in a
        // client log: more work a byte, still linear.
        assert_linear(name, text.as_bytes(), 8.0);
    }
}

#[test]
fn content_length_huge_negative_non_numeric_repeated_and_lying() {
    for (what, cl) in [
        ("huge", "Content-Length: 99999999999999999999999\r\n"),
        ("negative", "Content-Length: -5\r\n"),
        ("not a number", "Content-Length: twelve\r\n"),
        ("repeated", "Content-Length: 4\r\nContent-Length: 400\r\n"),
        ("lying long", "Content-Length: 4000\r\n"),
        ("lying short", "Content-Length: 2\r\n"),
    ] {
        let first = format!(
            "MESSAGE sip:bob@contoso.com SIP/2.0\r\nCall-ID: cl\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\n{cl}\r\nhello\r\n"
        );
        let text = format!("{first}\r\n{}", options("next"));
        let a = analyze("cl.txt", text.as_bytes());
        let calls: Vec<_> = a
            .messages
            .iter()
            .map(|m| a.syms().get(m.brief.call_id).to_string())
            .collect();
        assert_eq!(calls, ["cl", "next"], "{what}: both messages are read");
        assert!(!a.diagnostics.is_empty(), "{what}: said so");
    }
}

#[test]
fn ten_thousand_headers_and_folding_without_end() {
    let mut extra = String::new();
    for i in 0..10_000 {
        extra.push_str(&format!("X-H{i}: value {i}\r\n"));
    }
    let text = sip("NOTIFY sip:bob@contoso.com SIP/2.0", "many", &extra, "") + &options("next");
    let a = analyze("headers.txt", text.as_bytes());
    assert_eq!(a.messages.len(), 2);
    assert!(a.sip(0).headers.len() > 10_000);

    let mut fold = String::from(
        "NOTIFY sip:bob@contoso.com SIP/2.0\r\nCall-ID: fold\r\nCSeq: 1 NOTIFY\r\nX-Fold: a\r\n",
    );
    for _ in 0..200_000 {
        fold.push_str(" continued\r\n");
    }
    let a = analyze("fold.txt", fold.as_bytes());
    assert_eq!(a.messages.len(), 1);
    let first = a.sip(0);
    let value = first.header("X-Fold").unwrap();
    assert!(
        value.len() > 200_000 * 9,
        "the folded value is read whole: {} bytes",
        value.len()
    );
    // Per byte, folded lines cost several times a normal log (each is a header line of its own, unfolded
    // on access); what matters is that the cost is linear: half the lines take about half the time.
    assert_linear("fold.txt", fold.as_bytes(), 40.0);
    let half = &fold.as_bytes()[..fold.len() / 2];
    let (t_half, t_all) = (timed("half.txt", half), timed("fold.txt", fold.as_bytes()));
    assert!(
        t_all.as_secs_f64() <= 3.0 * t_half.as_secs_f64() + 0.05,
        "{t_half:?} for half, {t_all:?} for all"
    );
}

// ---------------------------------------------------------------------------------------------------------
// Bodies.

/// A NOTIFY with `body` as `content_type`, as a client log would log it, and its message panel.
fn body_case(name: &str, content_type: &str, body: &str) -> Analysis {
    let text = sip(
        "NOTIFY sip:alice@contoso.com SIP/2.0",
        name,
        &format!("Event: presence\r\nContent-Type: {content_type}\r\n"),
        body,
    );
    let a = analyze(&format!("{name}.txt"), text.as_bytes());
    assert_eq!(a.messages.len(), 1, "{name}");
    let detail = a.message_detail(0).unwrap();
    let json = serde_json::to_string(&detail).unwrap();
    assert!(
        json.len() < 16 * text.len() + 65536,
        "{name}: a {}-byte message panel",
        json.len()
    );
    a
}

#[test]
fn xml_built_to_explode() {
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:alice@contoso.com"><tuple id="t"><status><basic>open</basic></status><note>&lol9;</note></tuple></presence>"#;
    body_case("laughs", "application/pidf+xml", laughs);
    let depth = 100_000;
    let deep = format!(
        "<categories xmlns=\"http://schemas.microsoft.com/2006/09/sip/categories\">{}x{}</categories>",
        "<category>".repeat(depth),
        "</category>".repeat(depth)
    );
    body_case("deep", "application/msrtc-event-categories+xml", &deep);
    let prefixes = r#"<rlmi:list xmlns="urn:ietf:params:xml:ns:rlmi"><undeclared:resource uri="sip:bob@contoso.com"><x:instance id="1" state="active" cid="a@b"/></undeclared:resource></rlmi:list>"#;
    body_case("prefixes", "application/rlmi+xml", prefixes);
}

#[test]
fn multipart_nested_deep_and_unterminated() {
    let mut body = String::from("<presence/>");
    let mut ct = String::from("application/pidf+xml");
    for i in 0..1_000 {
        body = format!("--b{i}\r\nContent-Type: {ct}\r\n\r\n{body}\r\n--b{i}--\r\n");
        ct = format!("multipart/related; type=\"{ct}\"; boundary=b{i}");
    }
    body_case("nested", &ct, &body);
    let open =
        "--never\r\nContent-Type: application/pidf+xml\r\n\r\n<presence/>\r\n".repeat(20_000);
    body_case("unterminated", "multipart/related; boundary=never", &open);
}

// ---------------------------------------------------------------------------------------------------------
// Archives.

/// A deflate stream of `data` in stored blocks (no compression: building it costs a copy).
fn stored_deflate(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 65535 * 5 + 5);
    let mut blocks = data.chunks(65535).peekable();
    if blocks.peek().is_none() {
        out.extend([1, 0, 0, 0xFF, 0xFF]);
    }
    while let Some(b) = blocks.next() {
        out.push(u8::from(blocks.peek().is_none()));
        out.extend((b.len() as u16).to_le_bytes());
        out.extend((!(b.len() as u16)).to_le_bytes());
        out.extend_from_slice(b);
    }
    out
}

/// A gzip member around a deflate stream (CRC left 0: sipscope does not check it, like most readers).
fn gzip_member(deflate: &[u8], size: usize) -> Vec<u8> {
    let mut out = vec![0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255];
    out.extend_from_slice(deflate);
    out.extend(0u32.to_le_bytes());
    out.extend((size as u32).to_le_bytes());
    out
}

fn zip(entries: &[(String, Vec<u8>, usize)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, deflate, size) in entries {
        out.extend(0x0403_4b50u32.to_le_bytes());
        out.extend([20, 0, 0, 0, 8, 0, 0, 0, 0, 0]);
        out.extend(0u32.to_le_bytes());
        out.extend((deflate.len() as u32).to_le_bytes());
        out.extend((*size as u32).to_le_bytes());
        out.extend((name.len() as u16).to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(deflate);
    }
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0; 18]);
    out
}

#[test]
fn gzip_and_zip_bombs_stop_at_the_ratio_cap() {
    let mib_of_zeros = miniz_oxide::deflate::compress_to_vec(&vec![0u8; 1 << 20], 10);
    assert!(mib_of_zeros.len() < 1100, "{}", mib_of_zeros.len());
    // gzip: 1,000 members of 1 MiB of zeros each, about 1 MB in all: 1 GiB unpacked, ratio > 1:1000.
    let mut log = options("first").into_bytes();
    log.extend_from_slice(b"\r\n");
    let mut gz = gzip_member(&stored_deflate(&log), log.len());
    for _ in 0..1000 {
        gz.extend(gzip_member(&mib_of_zeros, 1 << 20));
    }
    let a = analyze("bomb.log.gz", &gz);
    assert!(has(&a, Code::ArchiveBomb), "{:?}", codes(&a));
    assert_eq!(a.messages.len(), 1, "what came before the bomb is read");
    assert_linear("bomb.log.gz", &gz, 400.0);
    // zip: a log, then 1,000 entries of 1 MiB of zeros.
    let mut entries = vec![(
        "Tracing/Lync-UccApi-0.UccApilog".to_string(),
        stored_deflate(&log),
        log.len(),
    )];
    for i in 0..1000 {
        entries.push((
            format!("Tracing/zeros-{i}.log"),
            mib_of_zeros.clone(),
            1 << 20,
        ));
    }
    let z = zip(&entries);
    let a = analyze("bomb.zip", &z);
    assert!(has(&a, Code::ArchiveBomb), "{:?}", codes(&a));
    assert_eq!(a.messages.len(), 1);
}

#[test]
fn ten_thousand_nested_gzip_layers() {
    let mut data = options("inside").into_bytes();
    for _ in 0..10_000 {
        let size = data.len();
        data = gzip_member(&stored_deflate(&data), size);
    }
    let a = analyze("deep.gz", &data);
    assert!(has(&a, Code::ArchiveTooDeep), "{:?}", codes(&a));
    assert!(a.files.len() <= 1 + sipscope::import::archive::MAX_DEPTH as usize);
}

#[test]
fn a_zip_of_100000_entries_with_path_traversal_names() {
    let mut entries = Vec::new();
    for i in 0..100_000 {
        let msg = options(&format!("e{i}"));
        let name = if i % 2 == 0 {
            format!("../../../../etc/cron.d/x{i}.log")
        } else {
            format!("C:\\Windows\\..\\x{i}.log")
        };
        entries.push((name, stored_deflate(msg.as_bytes()), msg.len()));
    }
    let z = zip(&entries);
    let t = Instant::now();
    let a = analyze("many.zip", &z);
    println!("100,000 entries: {:?}", t.elapsed());
    assert!(has(&a, Code::ArchiveTooManyEntries), "{:?}", codes(&a));
    let cap = sipscope::import::archive::MAX_ENTRIES as usize;
    assert_eq!(a.files.len(), 1 + cap);
    assert_eq!(a.messages.len(), cap, "every entry under the cap is read");
}

// ---------------------------------------------------------------------------------------------------------
// Captures (raw IPv4, link type 101).

fn pcap(snaplen: u32, records: &[(u32, u32, Vec<u8>)]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend(0xA1B2_C3D4u32.to_le_bytes());
    v.extend([2, 0, 4, 0]);
    v.extend([0u8; 8]);
    v.extend(snaplen.to_le_bytes());
    v.extend(101u32.to_le_bytes());
    for (i, (incl, orig, p)) in records.iter().enumerate() {
        v.extend(1_700_000_000u32.to_le_bytes());
        v.extend((i as u32 % 1_000_000).to_le_bytes());
        v.extend(incl.to_le_bytes());
        v.extend(orig.to_le_bytes());
        v.extend_from_slice(p);
    }
    v
}

fn rec(p: Vec<u8>) -> (u32, u32, Vec<u8>) {
    (p.len() as u32, p.len() as u32, p)
}

fn udp_sip(call: &str) -> (u32, u32, Vec<u8>) {
    rec(ipv4(
        [10, 0, 0, 2],
        [10, 0, 0, 1],
        17,
        1,
        0x4000,
        &udp(options(call).as_bytes()),
    ))
}

#[test]
fn captures_that_lie_about_lengths() {
    // Captured length above the snapshot length, then a record claiming 4 GB.
    let mut recs = vec![udp_sip("ok")];
    let mut big = udp_sip("over-snaplen");
    big.1 = 100_000;
    recs.push(big);
    let p = pcap(200, &recs);
    let a = analyze("snaplen.pcap", &p);
    assert!(!a.messages.is_empty());
    let mut lie = pcap(65535, &[udp_sip("before")]);
    lie.extend(1_700_000_001u32.to_le_bytes());
    lie.extend(0u32.to_le_bytes());
    lie.extend(u32::MAX.to_le_bytes());
    lie.extend(u32::MAX.to_le_bytes());
    lie.extend(vec![0x45; 4096]);
    let a = analyze("4gb.pcap", &lie);
    assert_eq!(a.messages.len(), 1, "{:?}", codes(&a));
    assert!(!a.diagnostics.is_empty());
    // pcapng: a block whose length says 4 GB.
    let mut ng = Vec::new();
    for (kind, body) in [
        (0x0A0D_0D0Au32, {
            let mut b = 0x1A2B_3C4Du32.to_le_bytes().to_vec();
            b.extend([1, 0, 0, 0]);
            b.extend(u64::MAX.to_le_bytes());
            b
        }),
        (1, vec![101, 0, 0, 0, 0, 0, 0, 0]),
    ] {
        ng.extend(kind.to_le_bytes());
        ng.extend((12 + body.len() as u32).to_le_bytes());
        ng.extend(&body);
        ng.extend((12 + body.len() as u32).to_le_bytes());
    }
    ng.extend(6u32.to_le_bytes());
    ng.extend(0xFFFF_FFFCu32.to_le_bytes());
    ng.extend(vec![0u8; 8192]);
    let a = analyze("4gb.pcapng", &ng);
    assert!(!a.diagnostics.is_empty(), "said so");
}

#[test]
fn endless_fragments_and_100000_tcp_streams() {
    // 50,000 first fragments that never complete.
    let mut recs = Vec::new();
    for i in 0..50_000u32 {
        recs.push(rec(ipv4(
            [10, 0, 0, 2],
            [10, 0, 0, 1],
            17,
            i as u16,
            0x2000,
            &[0x55; 64],
        )));
    }
    recs.push(udp_sip("after-fragments"));
    let p = pcap(65535, &recs);
    let a = analyze("fragments.pcap", &p);
    assert!(a
        .messages
        .iter()
        .any(|m| a.syms().get(m.brief.call_id) == "after-fragments"));
    assert_linear("fragments.pcap", &p, 10.0);
    // 100,000 TCP connections, each a message head that never ends; then one that does.
    let mut recs = Vec::new();
    for i in 0..100_000u32 {
        let src = [10, 1, (i >> 8) as u8, i as u8];
        recs.push(rec(ipv4(
            src,
            [10, 0, 0, 1],
            6,
            1,
            0x4000,
            &tcp(
                40_000 + (i % 20_000) as u16,
                1,
                0x18,
                b"INVITE sip:bob@contoso.com SIP/2.0\r\nVia: SIP/2.0/TLS x\r\n",
            ),
        )));
    }
    let done = options("complete");
    recs.push(rec(ipv4(
        [10, 0, 0, 9],
        [10, 0, 0, 1],
        6,
        1,
        0x4000,
        &tcp(5555, 1, 0x18, done.as_bytes()),
    )));
    let p = pcap(65535, &recs);
    let a = analyze("streams.pcap", &p);
    assert!(
        a.messages
            .iter()
            .any(|m| a.syms().get(m.brief.call_id) == "complete"),
        "{:?}",
        codes(&a)
    );
    // Each stream is flushed as a cut-off message: 100,000 messages in 11 MB, about twenty times the messages
    // per byte of a client log. Linear all the same: half the streams take about half the time.
    assert_linear("streams.pcap", &p, 25.0);
    let half = pcap(65535, &recs[..recs.len() / 2]);
    let (t_half, t_all) = (timed("half.pcap", &half), timed("streams.pcap", &p));
    println!("streams: {t_half:?} for half, {t_all:?} for all");
    assert!(
        t_all.as_secs_f64() <= 3.0 * t_half.as_secs_f64() + 0.05,
        "{t_half:?} for half, {t_all:?} for all"
    );
    // Sequence numbers that wrap inside a stream.
    let msg = options("wrap");
    let (a1, b1) = msg.as_bytes().split_at(40);
    let start = u32::MAX - 20;
    let recs = vec![
        rec(ipv4(
            [10, 0, 0, 3],
            [10, 0, 0, 1],
            6,
            1,
            0x4000,
            &tcp(6000, start, 0x18, a1),
        )),
        rec(ipv4(
            [10, 0, 0, 3],
            [10, 0, 0, 1],
            6,
            2,
            0x4000,
            &tcp(6000, start.wrapping_add(40), 0x18, b1),
        )),
    ];
    let a = analyze("wrap.pcap", &pcap(65535, &recs));
    assert_eq!(a.messages.len(), 1, "{:?}", codes(&a));
}

// ---------------------------------------------------------------------------------------------------------
// Encodings.

#[test]
fn odd_utf16_and_mixed_encodings() {
    let mut utf16 = std::fs::read(root().join("tests/fixtures/utf16.uccapilog")).unwrap();
    let whole = run("utf16.uccapilog", &utf16).messages.len();
    utf16.push(b'x');
    let a = analyze("odd.uccapilog", &utf16);
    assert_eq!(
        a.messages.len(),
        whole,
        "an odd last byte loses nothing before it"
    );
    // A UTF-8 log with Latin-1 display names, a UTF-16 fragment and invalid sequences in headers.
    let mut mixed = std::fs::read(root().join("tests/fixtures/seed-presence.uccapilog")).unwrap();
    let at = mixed.windows(6).position(|w| w == b"From: ").unwrap() + 6;
    mixed.splice(at..at, b"\"Ren\xe9 M\xfcller \xff\xfe\" ".iter().copied());
    mixed.extend("d\0a\0t\0a\0".as_bytes());
    mixed.extend(b"\xc3\x28\xa0\xa1\xe2\x82\r\n");
    let a = analyze("mixed.uccapilog", &mixed);
    assert!(!a.messages.is_empty());
}
