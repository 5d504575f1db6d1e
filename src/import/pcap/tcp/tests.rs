//! Tests of `import/pcap/tcp`.

use super::stream::{blank_line_end, is_tls_record, looks_binary};
use super::*;
use crate::base::diag::Severity;
use std::net::{IpAddr, Ipv4Addr};

fn ep(last: u8, port: u16) -> Ep {
    Ep {
        ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, last)),
        port,
    }
}

/// Drives a `Tcp` with segments between a client 10.0.0.2:50000 and a server 10.0.0.1:5060.
struct Driver {
    tcp: Tcp,
    report: Report,
    sink: Sink,
    frame: u32,
    ms: i64,
}

impl Driver {
    fn new() -> Self {
        Driver {
            tcp: Tcp::new(0),
            report: Report::default(),
            sink: Sink::default(),
            frame: 0,
            ms: 0,
        }
    }

    fn seg(&mut self, to_server: bool, seq: u32, ack: u32, flags: u8, data: &[u8]) {
        self.frame += 1;
        self.ms += 10;
        let (c, s) = (ep(2, 50_000), ep(1, 5060));
        let (src, dst) = if to_server { (c, s) } else { (s, c) };
        let cx = Cx {
            meta: Meta {
                time: Some(crate::base::time::Timestamp(self.ms)),
                span: (
                    u64::from(self.frame) * 100,
                    u64::from(self.frame) * 100 + 99,
                ),
                frame: self.frame,
            },
            data: (0, 0, 0),
            pkt_no: u64::from(self.frame),
            cut: false,
        };
        let seg = Segment {
            seq,
            ack,
            flags,
            data,
            missing: 0,
        };
        self.tcp
            .segment(src, dst, &seg, &cx, &mut self.report, &mut self.sink);
    }

    fn finish(&mut self) {
        self.tcp.finish(&mut self.report, &mut self.sink);
        self.report.flush(0, &mut self.sink);
    }

    fn lines(&self) -> Vec<String> {
        self.sink
            .records
            .iter()
            .map(|r| {
                String::from_utf8_lossy(&r.sip)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
            .collect()
    }
}

const OPTIONS: &str = "OPTIONS sip:a@b SIP/2.0\r\nCall-ID: 1\r\nContent-Length: 4\r\n\r\nbody";

#[test]
fn blank_lines_and_binary() {
    assert_eq!(blank_line_end(b"A\r\nB: c\r\n\r\nx", 0), Some(11));
    assert_eq!(blank_line_end(b"A\nB: c\n\nx", 0), Some(8));
    assert_eq!(blank_line_end(b"A\r\nB: c\r\n\r", 0), None);
    assert_eq!(blank_line_end(b"A\r\n", 9), None);
    assert!(looks_binary(&[0x80, 0x00, 0x01]));
    assert!(!looks_binary(b"Via: SIP/2.0/TCP x\r\n"));
    assert!(is_tls_record(&[0x16, 3, 1, 0, 5]));
    assert!(!is_tls_record(b"SIP/2.0 200 OK"));
}

#[test]
fn closing_inside_a_message_shows_it_with_a_problem() {
    let mut d = Driver::new();
    d.seg(true, 99, 0, SYN, b"");
    d.seg(true, 100, 0, ACK, &OPTIONS.as_bytes()[..60]);
    d.seg(true, 160, 0, ACK | FIN, b"");
    assert_eq!(d.lines(), ["OPTIONS sip:a@b SIP/2.0"]);
    assert!(d.sink.records[0]
        .problems
        .iter()
        .any(|p| p.code == Code::TruncatedMessage
            && p.text.contains("closed before this message was complete")));
    // A late retransmission after both sides are done is not a new stream.
    d.seg(false, 7, 0, SYN | ACK, b"");
    d.seg(false, 8, 161, ACK | FIN, b"");
    d.seg(true, 100, 0, ACK, OPTIONS.as_bytes());
    d.finish();
    assert_eq!(d.sink.records.len(), 1);
    assert!(d.sink.diagnostics.is_empty(), "{:?}", d.sink.diagnostics);
}

#[test]
fn messages_cut_by_the_end_come_out_in_the_order_they_began() {
    // Both directions hold a message the capture ends inside. Whichever endpoint's address is lower (the
    // client's here, or the server's), the one that began first comes out first: renaming the addresses (a
    // redacted copy) must not reorder them.
    let invite = b"INVITE sip:b@c SIP/2.0\r\nCall-ID: x\r\nContent-Length: 50\r\n\r\nv=0\r\n";
    let ringing =
        b"SIP/2.0 183 Session Progress\r\nCall-ID: x\r\nContent-Length: 50\r\n\r\nv=0\r\n";
    for client_first in [true, false] {
        let mut d = Driver::new();
        let (first, second) = if client_first {
            ((true, &invite[..]), (false, &ringing[..]))
        } else {
            ((false, &ringing[..]), (true, &invite[..]))
        };
        d.seg(first.0, 1000, 5000, ACK, first.1);
        d.seg(second.0, 5000, 1000 + first.1.len() as u32, ACK, second.1);
        d.finish();
        let want = if client_first {
            ["INVITE sip:b@c SIP/2.0", "SIP/2.0 183 Session Progress"]
        } else {
            ["SIP/2.0 183 Session Progress", "INVITE sip:b@c SIP/2.0"]
        };
        assert_eq!(d.lines(), want, "client first: {client_first}");
    }
}

#[test]
fn reset_and_port_reuse() {
    let mut d = Driver::new();
    d.seg(true, 99, 0, SYN, b"");
    d.seg(true, 100, 0, ACK, OPTIONS.as_bytes());
    d.seg(true, 100, 0, SYN, b""); // the same SYN again: a retransmission, nothing new
    d.seg(
        true,
        100 + OPTIONS.len() as u32,
        0,
        ACK,
        &OPTIONS.as_bytes()[..30],
    );
    // A new connection on the same ports: the old one's partial message is flushed.
    d.seg(true, 5000, 0, SYN, b"");
    d.seg(true, 5001, 0, ACK, OPTIONS.as_bytes());
    d.seg(
        true,
        5001 + OPTIONS.len() as u32,
        0,
        ACK,
        &OPTIONS.as_bytes()[..30],
    );
    d.seg(false, 1, 0, RST, b"");
    d.finish();
    assert_eq!(d.lines().len(), 4, "{:?}", d.sink.records);
    assert!(d.sink.records[1].problems[0]
        .text
        .contains("replaced by a new one"));
    assert!(d.sink.records[3].problems[0].text.contains("reset"));
    assert_eq!(d.sink.records[3].problems[0].code, Code::TruncatedMessage);
    assert!(d.sink.diagnostics.is_empty(), "{:?}", d.sink.diagnostics);
}

#[test]
fn junk_between_messages_is_skipped_with_a_problem() {
    let mut d = Driver::new();
    let mut data = OPTIONS.as_bytes().to_vec();
    data.extend(b"garbage line\r\nmore\r\n");
    data.extend(OPTIONS.as_bytes());
    d.seg(true, 99, 0, SYN, b"");
    d.seg(true, 100, 0, ACK, &data);
    d.finish();
    assert_eq!(d.lines().len(), 2);
    assert_eq!(
        d.sink.records[1].problems,
        [Problem::new(
            Code::SkippedText,
            "20 bytes of the TCP stream before this message are not SIP and were skipped"
        )]
    );
}

#[test]
fn many_gaps_are_counted_after_the_first_ones() {
    let mut d = Driver::new();
    d.seg(true, 99, 0, SYN, b"");
    let n = OPTIONS.len() as u32;
    for i in 0..30u32 {
        // Every other message is missing; the server acknowledges all of them.
        let seq = 100 + 2 * i * n;
        d.seg(true, seq, 0, ACK, OPTIONS.as_bytes());
        d.seg(false, 1, seq + 2 * n, ACK, b"");
    }
    d.finish();
    assert_eq!(d.sink.records.len(), 30);
    let listed = d
        .sink
        .diagnostics
        .iter()
        .filter(|x| x.message.starts_with("TCP stream"))
        .count();
    assert_eq!(listed, LIST_GAPS as usize);
    let more = d.sink.diagnostics.last().unwrap();
    assert!(more.message.starts_with("9 more gaps"), "{}", more.message);
    assert_eq!(more.code, Code::CaptureGap);
    assert_eq!(more.severity, Severity::Warning);
}

#[test]
fn holes_wait_for_late_segments_then_give_up() {
    let mut d = Driver::new();
    let n = OPTIONS.len() as u32;
    d.seg(true, 99, 0, SYN, b"");
    d.seg(true, 100 + n, 0, ACK, OPTIONS.as_bytes());
    assert!(d.sink.records.is_empty());
    d.seg(true, 100, 0, ACK, OPTIONS.as_bytes()); // the late one
    assert_eq!(d.sink.records.len(), 2);
    assert_eq!(d.sink.records[0].line, 3);
    // A hole nobody fills: given up after HOLE_MS of capture time.
    d.seg(true, 100 + 3 * n, 0, ACK, OPTIONS.as_bytes());
    d.ms += HOLE_MS + 1;
    d.seg(false, 1, 0, ACK | PSH_FOR_TEST, b"x");
    assert_eq!(d.sink.records.len(), 3);
    assert_eq!(d.sink.diagnostics.len(), 1);
}

const PSH_FOR_TEST: u8 = 0x08;

#[test]
fn websocket_gap_and_compression() {
    let frame = |mask: bool, rsv1: bool, payload: &[u8]| {
        let mut v = vec![0x81 | if rsv1 { 0x40 } else { 0 }, payload.len() as u8];
        if mask {
            v[1] |= 0x80;
            v.extend([0, 0, 0, 0]);
        }
        v.extend_from_slice(payload);
        v
    };
    let mut d = Driver::new();
    let f = frame(true, false, OPTIONS.as_bytes());
    let n = f.len() as u32;
    d.seg(true, 100, 0, ACK, &f); // joined without the handshake: recognised by content
    d.seg(true, 100 + n, 0, ACK, &f[..10]);
    // The rest of that frame is lost; the next segment starts with a frame again.
    d.seg(false, 1, 100 + 3 * n, ACK, b"");
    d.seg(true, 100 + 2 * n, 0, ACK, &f);
    d.seg(true, 100 + 3 * n, 0, ACK, &frame(true, true, b"compressed"));
    d.seg(
        true,
        100 + 3 * n + 16,
        0,
        ACK,
        &frame(true, true, b"compressed"),
    );
    d.finish();
    assert_eq!(d.lines().len(), 2, "{:?}", d.sink.records);
    let msgs: Vec<&str> = d
        .sink
        .diagnostics
        .iter()
        .map(|x| x.message.as_str())
        .collect();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(msgs[0].contains("inside a WebSocket message"));
    assert!(msgs[1].contains("permessage-deflate"));
}

#[test]
fn idle_connections_are_swept() {
    let mut d = Driver::new();
    d.seg(true, 100, 0, ACK, &OPTIONS.as_bytes()[..40]);
    assert_eq!(d.tcp.conns.len(), 1);
    let cx = Cx {
        meta: Meta {
            time: Some(crate::base::time::Timestamp(d.ms + IDLE_MS + 1)),
            span: (0, 0),
            frame: 99,
        },
        data: (0, 0, 0),
        pkt_no: 99,
        cut: false,
    };
    d.tcp.sweep(&cx, &mut d.report, &mut d.sink);
    assert!(d.tcp.conns.is_empty());
    assert_eq!(d.lines(), ["OPTIONS sip:a@b SIP/2.0"]);
    assert!(d.sink.records[0].problems[0].text.contains("idle"));
}
