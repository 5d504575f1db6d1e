//! Tests of the product readers (`import/siptext/vendor`): each product's lines, escapes, times.

use super::*;

#[test]
fn escapes_are_undone() {
    assert_eq!(
        Escapes::Octal.undo(b"a#015#012b#011c #123 #0"),
        b"a\r\nb\tc #123 #0"
    );
    assert_eq!(
        Escapes::C.undo(br#"a\r\nb \"q\" \\ \012 \x"#),
        b"a\r\nb \"q\" \\ \n \\x"
    );
    assert_eq!(Escapes::of(b"x#012y"), Some(Escapes::Octal));
    assert_eq!(Escapes::of(br"x\r\ny"), Some(Escapes::C));
    assert_eq!(Escapes::of(b"plain"), None);
}

use crate::import::siptext::SipTextImporter;
use crate::import::{Direction, Sink};
use crate::sip::parse_message;

fn run(product: Product, text: &str, chunk: usize) -> Sink {
    let mut imp = SipTextImporter::with_product(0, product);
    let mut sink = Sink::default();
    for c in text.as_bytes().chunks(chunk.max(1)) {
        imp.push(c, &mut sink);
    }
    imp.finish(&mut sink);
    sink
}

/// Every chunk size gives the same result; the result of the whole.
fn run_all(product: Product, text: &str) -> Sink {
    let whole = run(product, text, usize::MAX);
    for chunk in [1, 2, 5, 13] {
        let got = run(product, text, chunk);
        assert_eq!(got.records, whole.records, "{product:?}, chunks of {chunk}");
        assert_eq!(
            got.diagnostics, whole.diagnostics,
            "{product:?}, chunks of {chunk}"
        );
    }
    whole
}

fn starts(sink: &Sink) -> Vec<String> {
    sink.records
        .iter()
        .map(|r| parse_message(r.sip.clone()).unwrap().start_line())
        .collect()
}

const OPTIONS: &str = "OPTIONS sip:10.1.1.40:5061 SIP/2.0\nVia: SIP/2.0/TLS 10.1.1.11:52063;branch=z9hG4bK6e\nCall-ID: e8d2\nCSeq: 1 OPTIONS\nContent-Length: 0\n";
const SDP: &str = "v=0\no=- 0 0 IN IP4 10.1.1.21\ns=session\n";

fn with_sdp(start: &str) -> String {
    format!(
        "{start}\nVia: SIP/2.0/TLS 10.1.1.11:52063;branch=z9hG4bK7\nCall-ID: 9\nCSeq: 2 INVITE\nContent-Type: application/sdp\nContent-Length: {}\n\n{SDP}",
        SDP.len() + SDP.matches('\n').count()
    )
}

fn expressway(body: &str, action: &str) -> String {
    let head = format!("2020-11-18T10:12:03.114+01:00 expc01 tvcs: UTCTime=\"2020-11-18 09:12:03,114\" Module=\"network.sip\" Level=\"DEBUG\":  {action} Local-ip=\"10.1.1.40\" Local-port=\"5061\" Src-ip=\"10.1.1.11\" Src-port=\"5061\" Msg-Hash=\"1\"\n SIPMSG:\n");
    let lines: Vec<&str> = body.lines().collect();
    let mut out = head;
    out.push_str(&format!(" |{}\n", lines[0]));
    for l in &lines[1..] {
        out.push_str(&format!(" {l}\n"));
    }
    out
}

#[test]
fn expressway_messages_cut_and_old_form() {
    // Closed by ` |`; then one cut by the next log line; an old line without Action; a header without SIPMSG.
    let text = format!(
        "{} |\n{}2020-11-18T10:12:04.000+01:00 expc01 tvcs: UTCTime=\"2020-11-18 09:12:04,000\" Module=\"network.tcp\" Level=\"DEBUG\":  Detail=\"TCP Connecting\"\n{} |\n2020-11-18T10:12:05.000+01:00 expc01 tvcs: UTCTime=\"2020-11-18 09:12:05,000\" Module=\"network.sip\" Level=\"DEBUG\":  Dst-ip=\"10.2.0.15\" Dst-port=\"5060\"\n",
        expressway(OPTIONS, "Action=\"Received\""),
        expressway(&with_sdp("INVITE sip:x@10.1.1.40 SIP/2.0"), "Action=\"Received\"").lines().take(8).collect::<Vec<_>>().join("\n") + "\n",
        expressway(OPTIONS, ""),
    );
    let sink = run_all(Product::Expressway, &text);
    assert_eq!(
        starts(&sink),
        [
            "OPTIONS sip:10.1.1.40:5061 SIP/2.0",
            "INVITE sip:x@10.1.1.40 SIP/2.0",
            "OPTIONS sip:10.1.1.40:5061 SIP/2.0"
        ]
    );
    let r = &sink.records[0];
    assert_eq!(r.direction, Direction::Received);
    assert_eq!(
        (r.src.as_deref(), r.dst.as_deref()),
        (Some("10.1.1.11:5061"), Some("expc01"))
    );
    assert_eq!(r.time.unwrap().to_string(), "2020-11-18T09:12:03.114");
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    // The cut INVITE is shown with a problem.
    assert!(
        sink.records[1]
            .problems
            .iter()
            .any(|p| p.code == Code::TruncatedMessage),
        "{:?}",
        sink.records[1].problems
    );
    // No Action: Src-ip says received.
    assert_eq!(sink.records[2].direction, Direction::Received);
    // The last header announces a message whose text never comes.
    assert_eq!(
        sink.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
        [Code::IncompleteEntry]
    );
    assert_eq!(sink.diagnostics[0].line, Some(text.lines().count() as u32));
}

#[test]
fn sofia_interleaved_truncated_docker_and_midnight() {
    let msg = |s: &str| s.lines().map(|l| format!("   {l}\n")).collect::<String>();
    let dash = format!("   {}\n", "-".repeat(72));
    let text = format!(
        "2020-09-17 23:59:59.100000 [NOTICE] switch_channel.c:1118 New Channel sofia/internal/1000@10.1.1.21 [x]\n\
recv 120 bytes from tls/[10.1.1.21]:5067 at 23:59:59.900000:\n{dash}{}2020-09-17 23:59:59.950000 [DEBUG] switch_core_state_machine.c:585 (sofia/internal/1000) Running State Change CS_NEW\n{}{dash}\
send 100 bytes to udp/[198.51.100.20]:5060 at 00:00:00.250000:\n{dash}{}   *** message truncated at 100 ***\n",
        msg(&with_sdp("INVITE sip:x@10.1.1.90 SIP/2.0")).lines().take(4).map(|l| format!("{l}\n")).collect::<String>(),
        msg(&with_sdp("INVITE sip:x@10.1.1.90 SIP/2.0")).lines().skip(4).map(|l| format!("{l}\n")).collect::<String>(),
        msg(OPTIONS).lines().take(3).map(|l| format!("{l}\n")).collect::<String>(),
    );
    let sink = run_all(Product::FreeSwitch, &text);
    assert_eq!(
        starts(&sink),
        [
            "INVITE sip:x@10.1.1.90 SIP/2.0",
            "OPTIONS sip:10.1.1.40:5061 SIP/2.0"
        ]
    );
    let (a, b) = (&sink.records[0], &sink.records[1]);
    // The other thread's line inside the message is not part of it.
    assert!(a.problems.is_empty(), "{:?}", a.problems);
    assert_eq!(parse_message(a.sip.clone()).unwrap().body(), SDP.as_bytes());
    assert_eq!(a.time.unwrap().to_string(), "2020-09-17T23:59:59.900");
    assert_eq!(
        (a.src.as_deref(), a.dst.as_deref()),
        (Some("10.1.1.21:5067"), Some("freeswitch"))
    );
    // Past midnight: the next day.
    assert_eq!(b.time.unwrap().to_string(), "2020-09-18T00:00:00.250");
    assert_eq!(
        (b.direction, b.dst.as_deref()),
        (Direction::Sent, Some("198.51.100.20:5060"))
    );
    assert!(
        b.problems
            .iter()
            .any(|p| p.code == Code::TruncatedMessage && p.text.contains("100 bytes")),
        "{:?}",
        b.problems
    );

    // drachtio under a container runtime: a time before every line.
    let d = |t: &str| format!("2024-03-14T09:12:03.{t}Z ");
    let text = format!(
        "{}2024-03-14 09:12:03.421517 recv 300 bytes from udp/[10.1.1.21]:5067 at 09:12:03.421300:\n{}{}\n{}2024-03-14 09:12:03.421700 nta.c:3036 agent_recv_request() nta: received OPTIONS\n",
        d("421903712"),
        OPTIONS.lines().map(|l| format!("{}{l}\n", d("421903800"))).collect::<String>(),
        d("421903900"),
        d("421904000"),
    );
    let sink = run_all(Product::Drachtio, &text);
    assert_eq!(starts(&sink), ["OPTIONS sip:10.1.1.40:5061 SIP/2.0"]);
    let r = &sink.records[0];
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.time.unwrap().to_string(), "2024-03-14T09:12:03.421");
    assert_eq!(
        (r.src.as_deref(), r.dst.as_deref()),
        (Some("10.1.1.21:5067"), Some("drachtio"))
    );
}

#[test]
fn audiocodes_lost_packets_and_empty_announcements() {
    let env = |s: u32, content: &str| {
        format!("Mar  9 14:03:11 10.1.1.50  [S={s}] [SID=5f6a2b:18:2742] {content} [Time:09-03@14:03:11.402]\n")
    };
    let invite = with_sdp("INVITE sip:x@10.1.1.50 SIP/2.0").replace('\n', "#012");
    let (a, b) = invite.split_at(invite.find("s=session").unwrap());
    let text = [
        env(10, &format!("(N 1) ---- Incoming SIP Message from 10.1.1.21:5067 to SIPInterface #1 (SFB) TLS TO(#48) ---- #012{a}")),
        // Packets 11 and 12 were lost: the message goes on in 13.
        env(13, b),
        // A message announced, whose text is in no packet.
        env(14, "(N 2) ---- Outgoing SIP Message to 198.51.100.20:5060 from SIPInterface #2 (ITSP) UDP TO(#0) ---- #012"),
        env(15, "(N 3) SIPCall(#48) is released"),
    ]
    .concat();
    let sink = run_all(Product::AudioCodes, &text);
    assert_eq!(starts(&sink), ["INVITE sip:x@10.1.1.50 SIP/2.0"]);
    let r = &sink.records[0];
    assert!(
        r.problems
            .iter()
            .any(|p| p.code == Code::TruncatedMessage && p.text.contains("[S=11] to [S=12]")),
        "{:?}",
        r.problems
    );
    // BSD syslog gives no year: 1970, said once.
    assert_eq!(r.time.unwrap().to_string(), "1970-03-09T14:03:11.402");
    assert_eq!(r.dst.as_deref(), Some("10.1.1.50"));
    let codes: Vec<Code> = sink.diagnostics.iter().map(|d| d.code).collect();
    // The year, and the message announced at line 3 whose text is in no packet.
    assert_eq!(
        codes,
        [Code::MissingDate, Code::IncompleteEntry],
        "{:?}",
        sink.diagnostics
    );
    assert_eq!(sink.diagnostics[1].line, Some(3));
}

/// A log full of announcements without text: one diagnostic for all of them, in time linear in the log.
#[test]
fn announcements_without_text_are_counted_once() {
    let mut text = String::new();
    for k in 0..20_000 {
        text.push_str(&format!(
            "recv 100 bytes from udp/[10.0.0.1]:5060 at 10:00:00.{k:06}:\n"
        ));
        if k % 2 == 1 {
            text.push_str("   ------------------------------------------------------------------------\n   not SIP at all\n");
        }
    }
    let sink = run(Product::FreeSwitch, &text, 1 << 16);
    assert!(sink.records.is_empty());
    let d: Vec<(Code, Option<u32>)> = sink.diagnostics.iter().map(|d| (d.code, d.line)).collect();
    assert_eq!(
        d,
        [
            (Code::MissingDate, None),
            (Code::IncompleteEntry, Some(1)),
            (Code::NotSip, Some(2)),
            (Code::NoSipMessages, None)
        ]
    );
    assert!(
        sink.diagnostics[1]
            .message
            .starts_with("10000 SIP messages"),
        "{}",
        sink.diagnostics[1].message
    );
}

#[test]
fn ribbon_entries_joined_and_syslog_copy() {
    let head = |seq: u32, what: &str| {
        format!("731 12162019 083615.100884:1.01.00.{seq}.MAJOR .SIPSG:FILTER=SfB_Trunk GCID=0x00000DD8: EXTRA INFO: {what}\n")
    };
    let invite = with_sdp("INVITE sip:x@10.1.1.60 SIP/2.0");
    let cut = invite.find("IN IP4").unwrap();
    let text = format!(
        "{}RAW PDU:\n{}\n{}{}\n{}{}",
        head(38932, "Ingress: received msg for CallId:9 gcid:0xDD8 from IP/port:10.1.1.21/5067, Local IP/port:10.1.1.60/5067"),
        &invite[..cut],
        // The same entry goes on in a second one (same time and sequence).
        "731 12162019 083615.100884:1.01.00.38932.MAJOR .SIPSG:",
        &invite[cut..],
        head(38933, "Egress: sent msg for CallId:9 gcid:0xDD8 to IP/port:203.0.113.5/5060, Local IP/port:203.0.113.20/5060"),
        "RAW PDU:\nOPTIONS sip:10.1.1.40:5061 SIP/2.0\nContent-Length: 0\n\n",
    );
    let sink = run_all(Product::Ribbon, &text);
    assert_eq!(
        starts(&sink),
        [
            "INVITE sip:x@10.1.1.60 SIP/2.0",
            "OPTIONS sip:10.1.1.40:5061 SIP/2.0"
        ]
    );
    let r = &sink.records[0];
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(parse_message(r.sip.clone()).unwrap().body(), SDP.as_bytes());
    assert_eq!(r.time.unwrap().to_string(), "2019-12-16T08:36:15.100");
    assert_eq!(
        (r.src.as_deref(), r.dst.as_deref()),
        (Some("10.1.1.21:5067"), Some("ribbon-sbc"))
    );
    assert_eq!(sink.records[1].direction, Direction::Sent);
    // Sent through syslog: the PDU on the entry's line.
    let one = head(
        40000,
        &format!(
            "Ingress: received msg for CallId:9 gcid:0xDD8 from IP/port:10.1.1.21/5067, Local IP/port:10.1.1.60/5067, SMM:none RAW PDU:#012{}",
            OPTIONS.replace('\n', "#015#012")
        ),
    );
    let sink = run_all(Product::Ribbon, &one);
    assert_eq!(starts(&sink), ["OPTIONS sip:10.1.1.40:5061 SIP/2.0"]);
    assert!(sink.records[0].problems.is_empty());
}

#[test]
fn syslog_lines_of_any_program() {
    // A raw syslog priority and version; the message follows the words on the same line.
    let line = format!(
        "<134>1 2021-04-14T16:42:07.000183+02:00 sip-app01 sems[2231]: [b2b] relaying to udp:198.51.100.20:5060: {}\n",
        OPTIONS.replace('\n', "\\r\\n")
    );
    assert_eq!(sniff_line(line.as_bytes()), Some(Product::Syslog));
    let sink = run_all(Product::Syslog, &line);
    assert_eq!(starts(&sink), ["OPTIONS sip:10.1.1.40:5061 SIP/2.0"]);
    let r = &sink.records[0];
    assert_eq!(r.direction, Direction::Sent);
    assert_eq!(
        (r.src.as_deref(), r.dst.as_deref()),
        (Some("sip-app01"), Some("198.51.100.20:5060"))
    );
    assert_eq!(r.time.unwrap().to_string(), "2021-04-14T16:42:07.000");
    assert_eq!(
        sniff_line(b"Jun 22 10:15:03 kam01 kamailio[1]: INFO: <script>: nothing here"),
        None
    );
}

#[test]
fn clock_dates_and_rollovers() {
    let mut c = Clock::default();
    assert_eq!(
        c.time_of_day(9, 0, 0, 0).unwrap().to_string(),
        "1970-01-01T09:00:00.000"
    );
    assert!(c.guessed);
    let mut c = Clock::default();
    c.full(Timestamp::from_parts(2020, 12, 31, 23, 0, 0, 0).unwrap());
    assert_eq!(
        c.month_day(12, 31, 23, 59, 0, 0).unwrap().to_string(),
        "2020-12-31T23:59:00.000"
    );
    assert_eq!(
        c.month_day(1, 1, 0, 1, 0, 0).unwrap().to_string(),
        "2021-01-01T00:01:00.000"
    );
    assert_eq!(
        c.time_of_day(0, 2, 0, 0).unwrap().to_string(),
        "2021-01-01T00:02:00.000"
    );
    assert!(!c.guessed);
    assert_eq!(
        address("udp:10.0.0.1:5060").as_deref(),
        Some("10.0.0.1:5060")
    );
    assert_eq!(
        address("tls/[10.0.0.1]:5061").as_deref(),
        Some("10.0.0.1:5061")
    );
    assert_eq!(address("10.0.0.1/5060,").as_deref(), Some("10.0.0.1:5060"));
    assert_eq!(
        address("[2001:db8::1]:5060").as_deref(),
        Some("[2001:db8::1]:5060")
    );
    assert_eq!(address("5060"), None);
}

/// A message that never ends a line, over thousands of packets: bounded, said, and linear.
#[test]
fn a_line_without_end_is_bounded() {
    let mut text = String::from("Mar  9 14:03:11 10.1.1.50  [S=1] [SID=a:1:2] (N 1) ---- Incoming SIP Message from 10.1.1.21:5067 to SIPInterface #1 (SFB) TLS TO(#48) ---- #012OPTIONS sip:x@y SIP/2.0#012X-Long: \n");
    let piece = "a".repeat(8000);
    for s in 2..1200 {
        text.push_str(&format!(
            "Mar  9 14:03:11 10.1.1.50  [S={s}] [SID=a:1:2] {piece}\n"
        ));
    }
    let sink = run(Product::AudioCodes, &text, 1 << 16);
    assert_eq!(sink.records.len(), 1);
    let r = &sink.records[0];
    assert!(
        r.problems.iter().any(|p| p.code == Code::EntryTooLarge),
        "{:?}",
        r.problems
    );
}

/// A log that ends in the middle of a message's last line: the part of the line that was logged is the
/// message's (it once was dropped at the end of the file).
#[test]
fn the_last_line_cut_by_the_end_of_the_file_is_kept() {
    let text = "Mar  9 14:03:11 10.1.1.50  [S=1] [SID=a:1:2] (N 1) ---- Incoming SIP Message from 10.1.1.21:5067 to SIPInterface #1 (SFB) TLS TO(#48) ---- #012OPTIONS sip:x@y SIP/2.0#012Call-ID: 1#012CSeq: 1 OPTIONS#012Content-Type: text/plain#012Content-Length: 11#012#012hello world";
    let sink = run_all(Product::AudioCodes, text);
    let m = parse_message(sink.records[0].sip.clone()).unwrap();
    assert_eq!(m.body(), b"hello world");
    assert!(
        sink.records[0].problems.is_empty(),
        "{:?}",
        sink.records[0].problems
    );
}

#[test]
fn product_log_lines_are_trace_lines_with_their_level_and_writer() {
    // AudioCodes with the severity its manual shows before `[S=`, Expressway's levels, FreeSWITCH's.
    let ac = "2021-03-09T14:08:23.549000+01:00 10.1.1.50 WARNING: [S=9399] [BID=2ed1c8:96] invalid Physical index\n";
    let sink = run_all(Product::AudioCodes, ac);
    let l = sink.trace.lines[0];
    assert_eq!((l.line, l.level), (1, crate::import::trace::Level::Warn));
    assert_eq!(&*sink.trace.threads()[0], b"BID=2ed1c8:96");
    assert_eq!(
        line_text(Product::AudioCodes, ac.trim_end().as_bytes()),
        b"invalid Physical index"
    );
    let exp = "2020-08-12T14:57:43.353-05:00 expc01 UTCTime=\"2020-08-12 19:57:43,353\" Module=\"developer.clusterdb.cdb\" Level=\"ERROR\" Node=\"clusterdb@expc01.apolo.local\" PID=\"<0.159.0>\" Detail=\"Inconsistent Database\"\n\
2020-08-12T14:57:58.871-05:00 expc01 tvcs: Event=\"External Server Communications Failure\" Reason=\"gatekeeper timed out\" Level=\"1\" UTCTime=\"2020-08-12 19:57:58,871\"\n";
    let sink = run_all(Product::Expressway, exp);
    let levels: Vec<_> = sink.trace.lines.iter().map(|l| l.level.name()).collect();
    assert_eq!(levels, ["error", "info"]);
    assert_eq!(&*sink.trace.threads()[0], b"developer.clusterdb.cdb");
    assert_eq!(&*sink.trace.threads()[1], b"tvcs");
    let fs = "2017-07-17 11:01:58.942561 [ERR] switch_core_session.c:1762 boom\n";
    let sink = run_all(Product::FreeSwitch, fs);
    assert_eq!(
        sink.trace.lines[0].level,
        crate::import::trace::Level::Error
    );
    assert_eq!(
        line_text(Product::FreeSwitch, fs.trim_end().as_bytes()),
        b"switch_core_session.c:1762 boom"
    );
}
