//! The capture format: a classic libpcap file (microsecond timestamps, Ethernet, IPv4) of SIP over plain TCP
//! and UDP, as `tcpdump -w` or Wireshark writes it on a lab pool's network.
//!
//! * **TCP 5060**: Lync clients (10.1.20.x) keep a connection to the Front End (10.1.0.10): the three-way
//!   handshake, sign-in (401, then Kerberos), a batch presence subscription whose response spans many segments,
//!   SERVICE publications, BENOTIFY storms, IMs between two clients through the Front End, CRLF keep-alives,
//!   sign-out and FIN. **TCP 5061 without TLS**: the Mediation Server (10.1.0.20) and a gateway (10.1.0.30)
//!   trade OPTIONS and calls both ways.
//! * **Segmentation** is what a real stack does: at most MSS 1460 bytes a segment, so a large message is split
//!   across segments; a burst of messages goes out Nagle-like — the first at once, the rest coalesced behind it
//!   once it is acknowledged — so one segment holds the end of one message and the start of the next. Sequence
//!   and acknowledgement numbers are exact; the receiver acknowledges every second segment; now and then a
//!   segment is sent twice (a spurious retransmission). Checksums: IPv4's is computed, TCP's and UDP's are 0
//!   (offloaded, as captures on the sending host show them).
//! * **UDP 5060**: desk phones (10.1.30.x) call out through an SBC (10.1.0.40) to an ITSP trunk
//!   (203.0.113.10) and are called from it — INVITE / 100 / 180 / 200 / ACK / BYE with SDP, a B2BUA's two legs,
//!   busy and unknown numbers, cancelled calls, INVITEs retransmitted — with OPTIONS pings. The Front End sends
//!   Microsoft methods to UDP peers that do not know them: SERVICE answered 501 by the SBC, SERVICE a PBX
//!   (10.1.0.41) drops without a word (retransmitted until timer F), and BENOTIFYs to the phones.

use crate::sip::{self, Msg, IM_TEXTS};
use crate::{Config, Out, Rng, Stats};
use std::io::{self, Write};

const MSS: usize = 1460;
const DOMAIN: &str = "limcm.com";
const FE: Ep = Ep::new([10, 1, 0, 10], 5060);
const MED: [u8; 4] = [10, 1, 0, 20];
const GATEWAY: Ep = Ep::new([10, 1, 0, 30], 5061);
const SBC: Ep = Ep::new([10, 1, 0, 40], 5060);
const PBX: Ep = Ep::new([10, 1, 0, 41], 5060);
const ITSP: Ep = Ep::new([203, 0, 113, 10], 5060);
const UA: &str = "UCCAPI/15.0.4420.1017 OC/15.0.4420.1017 (Microsoft Lync)";
const FE_SERVER: &str = "RTC/5.0";
const MED_UA: &str = "RTCC/5.0.0.0 MediationServer";
const GW_UA: &str = "Mediant 1000/v.7.20A.258.459";
const SBC_UA: &str = "AudioCodes SBC/v.7.20A.256.024";
const ITSP_UA: &str = "Sonus_UAC";
const PHONE_UA: &str = "Yealink SIP-T46S 66.86.0.15";
/// Concurrent client sessions.
const SESSIONS: usize = 24;

const FIN: u8 = 0x01;
const SYN: u8 = 0x02;
const PSH: u8 = 0x08;
const ACK: u8 = 0x10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ep {
    ip: [u8; 4],
    port: u16,
}

impl Ep {
    const fn new(ip: [u8; 4], port: u16) -> Ep {
        Ep { ip, port }
    }
    fn host(&self) -> String {
        let [a, b, c, d] = self.ip;
        format!("{a}.{b}.{c}.{d}")
    }
    fn addr(&self) -> String {
        format!("{}:{}", self.host(), self.port)
    }
}

/// A hardware address for an IP: the host's own on the 10.1/16 LAN, the router's for anything else.
fn mac(ip: [u8; 4]) -> [u8; 6] {
    if ip[0] == 10 {
        [0x00, 0x15, 0x5D, ip[1], ip[2], ip[3]]
    } else {
        [0x00, 0x1B, 0x54, 0x0A, 0x01, 0x01]
    }
}

fn ipv4_checksum(h: &[u8]) -> u16 {
    let mut sum: u32 = h
        .chunks(2)
        .map(|w| u32::from(u16::from_be_bytes([w[0], w[1]])))
        .sum();
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    !(sum as u16)
}

/// A TCP connection: `ep[0]` opened it; direction `d` goes from `ep[d]` to `ep[1 - d]`.
#[derive(Debug)]
struct Conn {
    ep: [Ep; 2],
    /// The next sequence number each side sends.
    next: [u32; 2],
    /// When it last carried anything (µs).
    last: i64,
}

#[derive(Debug, Clone)]
struct Dlg {
    call_id: String,
    tag: String,
    cseq: u32,
}

/// A Lync client signed in over its TCP connection.
#[derive(Debug)]
struct Session {
    conn: usize,
    uri: String,
    epid: String,
    gruu: String,
    reg: Dlg,
    /// The presence subscription: the client's dialog, the server's tag, the last BENOTIFY CSeq.
    sub: Option<(Dlg, String, u32)>,
    cnum: u32,
}

/// Something that happens later, while other traffic goes on.
#[derive(Debug)]
enum Later {
    /// A UDP request sent again (the peer did not answer).
    Resend { src: Ep, dst: Ep, sip: String },
    /// A UDP call through the SBC hangs up: both legs' INVITE and 200, and which side hangs up.
    UdpBye {
        legs: [(Msg, Msg, Ep, Ep); 2],
        caller_ends: bool,
    },
    /// A call on the gateway trunk hangs up.
    TrunkBye {
        invite: Msg,
        ok: Msg,
        d: usize,
        caller_ends: bool,
    },
}

struct Gen<'w, W: Write> {
    out: Out<'w, W>,
    rng: Rng,
    /// µs since 1970 (UTC).
    now: i64,
    ip_id: u16,
    conns: Vec<Conn>,
    sessions: Vec<Session>,
    trunk: usize,
    later: Vec<(i64, Later)>,
    next_port: u16,
    users: usize,
    next_options: i64,
}

impl<W: Write> Gen<'_, W> {
    fn tick_us(&mut self, min: u64, max: u64) {
        self.now += self.rng.range(min, max) as i64;
    }

    fn tick(&mut self, min_ms: u64, max_ms: u64) {
        self.tick_us(min_ms * 1000, max_ms * 1000);
    }

    fn call_id(&mut self) -> String {
        self.out.stats.conversations += 1;
        self.rng.hex(32)
    }

    fn dialog(&mut self) -> Dlg {
        Dlg {
            call_id: self.call_id(),
            tag: self.rng.hex(10),
            cseq: 1,
        }
    }

    fn branch(&mut self) -> String {
        format!("z9hG4bK{}", self.rng.hex(16))
    }

    /// One Ethernet / IPv4 frame and its pcap record.
    fn frame(&mut self, src: Ep, dst: Ep, proto: u8, l4: &[u8]) -> io::Result<()> {
        let len = 14 + 20 + l4.len();
        let mut f = Vec::with_capacity(16 + len);
        let (sec, usec) = (
            self.now.div_euclid(1_000_000),
            self.now.rem_euclid(1_000_000),
        );
        f.extend((sec as u32).to_le_bytes());
        f.extend((usec as u32).to_le_bytes());
        f.extend((len as u32).to_le_bytes());
        f.extend((len as u32).to_le_bytes());
        f.extend(mac(dst.ip));
        f.extend(mac(src.ip));
        f.extend([0x08, 0x00]);
        let mut ip = [0u8; 20];
        ip[0] = 0x45;
        ip[2..4].copy_from_slice(&((20 + l4.len()) as u16).to_be_bytes());
        ip[4..6].copy_from_slice(&self.ip_id.to_be_bytes());
        self.ip_id = self.ip_id.wrapping_add(1);
        if proto == 6 {
            ip[6] = 0x40; // don't fragment
        }
        ip[8] = if src.ip[0] == 10 { 128 } else { 57 };
        ip[9] = proto;
        ip[12..16].copy_from_slice(&src.ip);
        ip[16..20].copy_from_slice(&dst.ip);
        let sum = ipv4_checksum(&ip);
        ip[10..12].copy_from_slice(&sum.to_be_bytes());
        f.extend(ip);
        f.extend_from_slice(l4);
        self.out.stats.frames += 1;
        self.out.write(&f)
    }

    fn udp(&mut self, src: Ep, dst: Ep, sip: &str) -> io::Result<()> {
        let mut l4 = Vec::with_capacity(8 + sip.len());
        l4.extend(src.port.to_be_bytes());
        l4.extend(dst.port.to_be_bytes());
        l4.extend(((8 + sip.len()) as u16).to_be_bytes());
        l4.extend([0, 0]);
        l4.extend_from_slice(sip.as_bytes());
        self.out.stats.messages += 1;
        self.frame(src, dst, 17, &l4)?;
        self.tick_us(20, 400);
        Ok(())
    }

    /// One TCP segment from side `d` of connection `c`, at sequence number `seq`.
    fn segment_at(
        &mut self,
        c: usize,
        d: usize,
        flags: u8,
        seq: u32,
        data: &[u8],
    ) -> io::Result<()> {
        let conn = &self.conns[c];
        let (src, dst) = (conn.ep[d], conn.ep[1 - d]);
        let ack = if flags & ACK != 0 {
            conn.next[1 - d]
        } else {
            0
        };
        let syn = flags & SYN != 0;
        let mut l4 = Vec::with_capacity(32 + data.len());
        l4.extend(src.port.to_be_bytes());
        l4.extend(dst.port.to_be_bytes());
        l4.extend(seq.to_be_bytes());
        l4.extend(ack.to_be_bytes());
        l4.push(if syn { 0x80 } else { 0x50 });
        l4.push(flags);
        l4.extend(if syn { [0xFA, 0xF0] } else { [0x02, 0x01] }); // 64240, or 513 × 2^8
        l4.extend([0, 0, 0, 0]);
        if syn {
            // MSS 1460, NOP, window scale 8, NOP, NOP, SACK permitted.
            l4.extend([2, 4, 0x05, 0xB4, 1, 3, 3, 8, 1, 1, 4, 2]);
        }
        l4.extend_from_slice(data);
        self.frame(src, dst, 6, &l4)
    }

    /// The next segment from side `d`: it moves the sequence number on.
    fn segment(&mut self, c: usize, d: usize, flags: u8, data: &[u8]) -> io::Result<()> {
        let seq = self.conns[c].next[d];
        self.segment_at(c, d, flags, seq, data)?;
        let used = data.len() as u32 + u32::from(flags & (SYN | FIN) != 0);
        self.conns[c].next[d] = seq.wrapping_add(used);
        self.conns[c].last = self.now;
        Ok(())
    }

    fn connect(&mut self, client: Ep, server: Ep) -> io::Result<usize> {
        let isn = [self.rng.next() as u32, self.rng.next() as u32];
        self.conns.push(Conn {
            ep: [client, server],
            next: isn,
            last: self.now,
        });
        let c = self.conns.len() - 1;
        self.segment(c, 0, SYN, &[])?;
        self.tick_us(150, 900);
        self.segment(c, 1, SYN | ACK, &[])?;
        self.tick_us(50, 300);
        self.segment(c, 0, ACK, &[])?;
        self.tick_us(200, 2_000);
        Ok(c)
    }

    fn close(&mut self, c: usize) -> io::Result<()> {
        self.segment(c, 0, FIN | ACK, &[])?;
        self.tick_us(100, 800);
        self.segment(c, 1, FIN | ACK, &[])?;
        self.tick_us(50, 300);
        self.segment(c, 0, ACK, &[])
    }

    /// Messages written back to back by side `d`, segmented as a TCP stack does.
    fn send(&mut self, c: usize, d: usize, msgs: &[String]) -> io::Result<()> {
        self.out.stats.messages += msgs.iter().filter(|m| !m.trim().is_empty()).count() as u64;
        let data = msgs.concat().into_bytes();
        let mut pos = 0;
        if msgs.len() > 1 && msgs[0].len() < data.len() {
            // Nagle: the first message goes at once (a full segment at most); the rest waits for its ACK.
            pos = msgs[0].len().min(MSS);
            self.segment(c, d, PSH | ACK, &data[..pos])?;
            self.tick_us(150, 1_500);
            self.segment(c, 1 - d, ACK, &[])?;
            self.tick_us(10, 80);
        }
        let (mut unacked, mut last) = (0, pos);
        while pos < data.len() {
            let end = (pos + MSS).min(data.len());
            last = pos;
            let flags = if end == data.len() { PSH | ACK } else { ACK };
            self.segment(c, d, flags, &data[pos..end])?;
            pos = end;
            unacked += 1;
            if unacked == 2 && pos < data.len() {
                self.tick_us(100, 600);
                self.segment(c, 1 - d, ACK, &[])?;
                unacked = 0;
            }
            self.tick_us(10, 60);
        }
        if self.rng.chance(1) {
            // A spurious retransmission of the last segment: the ACK was slow.
            let seq = self.conns[c].next[d].wrapping_sub((data.len() - last) as u32);
            self.tick(200, 300);
            self.segment_at(c, d, PSH | ACK, seq, &data[last..])?;
        }
        if self.rng.chance(60) {
            self.tick_us(100, 40_000);
            self.segment(c, 1 - d, ACK, &[])?;
        }
        self.tick_us(100, 3_000);
        Ok(())
    }

    fn send1(&mut self, c: usize, d: usize, m: &Msg) -> io::Result<()> {
        self.send(c, d, &[m.wire()])
    }

    /// A phone's or gateway's audio SDP on an even port in `base..base + 2 * span`.
    fn sdp(&mut self, host: &str, base: u16, span: u64) -> String {
        let port = base + 2 * self.rng.below(span) as u16;
        sip::sdp(&mut self.rng, host, port, false)
    }

    fn fe_via(&mut self) -> String {
        format!("SIP/2.0/TCP {};branch={}", FE.addr(), self.branch())
    }

    /// A request from session `s`'s client.
    fn client_request(&mut self, s: usize, method: &str, uri: &str, to: &str, d: &Dlg) -> Msg {
        let branch = self.branch();
        let sess = &self.sessions[s];
        let ep = self.conns[sess.conn].ep[0];
        Msg::request(method, uri)
            .h("Via", format!("SIP/2.0/TCP {};branch={branch}", ep.addr()))
            .h("Max-Forwards", "70")
            .h(
                "From",
                format!("<sip:{}>;tag={};epid={}", sess.uri, d.tag, sess.epid),
            )
            .h("To", format!("<{to}>"))
            .h("Call-ID", d.call_id.clone())
            .h("CSeq", format!("{} {method}", d.cseq))
            .h(
                "Contact",
                format!("<sip:{};opaque=user:epid:{};gruu>", sess.uri, sess.gruu),
            )
            .h("User-Agent", UA)
    }

    fn sign(&mut self, s: usize, m: Msg) -> Msg {
        self.sessions[s].cnum += 1;
        let value = format!("Kerberos qop=\"auth\", realm=\"SIP Communications Service\", opaque=\"6A0F2D31\", crand=\"{}\", cnum=\"{}\", targetname=\"sip/fe01.{DOMAIN}\", response=\"{}\"", self.rng.hex(8), self.sessions[s].cnum, self.rng.hex(64));
        m.h("Proxy-Authorization", value)
    }

    fn server_sign(&mut self, s: usize, m: Msg) -> Msg {
        let value = format!("Kerberos rspauth=\"{}\", srand=\"{}\", snum=\"{}\", opaque=\"6A0F2D31\", qop=\"auth\", targetname=\"sip/fe01.{DOMAIN}\", realm=\"SIP Communications Service\"", self.rng.hex(64), self.rng.hex(8).to_uppercase(), self.sessions[s].cnum);
        m.h("Authentication-Info", value)
    }

    fn fe_reply(&mut self, req: &Msg, status: u16, reason: &str, tag: &str) -> Msg {
        req.response(status, reason)
            .with_to_tag(tag)
            .h("Server", FE_SERVER)
    }

    /// A client connects, signs in, subscribes to its contacts and publishes its state.
    fn open_session(&mut self) -> io::Result<()> {
        self.users += 1;
        let n = self.users;
        let client = Ep::new(
            [10, 1, 20 + (n % 4) as u8, 10 + (n % 200) as u8],
            self.next_port,
        );
        self.next_port = if self.next_port >= 64_000 {
            50_000
        } else {
            self.next_port + 1 + self.rng.below(7) as u16
        };
        let c = self.connect(client, FE)?;
        let reg = self.dialog();
        let s = self.sessions.len();
        let (epid, gruu) = (self.rng.hex(10), self.rng.hex(32).to_uppercase());
        self.sessions.push(Session {
            conn: c,
            uri: format!("user{}@{DOMAIN}", 1 + n % 500),
            epid,
            gruu,
            reg,
            sub: None,
            cnum: 0,
        });
        let me = format!("sip:{}", self.sessions[s].uri);
        let contact = format!("<sip:{};transport=tcp;ms-opaque={}>;methods=\"INVITE, MESSAGE, INFO, OPTIONS, BYE, CANCEL, NOTIFY, ACK, REFER, BENOTIFY\";proxy=replace;+sip.instance=\"<urn:uuid:{}>\"", client.addr(), self.rng.hex(10), self.rng.hex(32));
        let d = self.sessions[s].reg.clone();
        let mut req = self.client_request(s, "REGISTER", &format!("sip:{DOMAIN}"), &me, &d);
        req.set("Contact", contact.clone());
        let req = req
            .h("Supported", "gruu-10, adhoclist, msrtc-event-categories")
            .h("Supported", "ms-forking")
            .h("ms-keep-alive", "UAC;hop-hop=yes")
            .h("Event", "registration");
        self.send1(c, 0, &req)?;
        let tag = self.rng.hex(32).to_uppercase();
        let chal = self
            .fe_reply(&req, 401, "Unauthorized", &tag)
            .h("WWW-Authenticate", format!("NTLM realm=\"SIP Communications Service\", targetname=\"fe01.{DOMAIN}\", version=4"))
            .h("WWW-Authenticate", format!("Kerberos realm=\"SIP Communications Service\", targetname=\"sip/fe01.{DOMAIN}\", version=4"));
        self.send1(c, 1, &chal)?;
        // The Kerberos ticket makes the second REGISTER larger than a segment.
        let mut d = d;
        d.cseq = 2;
        let mut req2 = self.client_request(s, "REGISTER", &format!("sip:{DOMAIN}"), &me, &d);
        req2.set("Contact", contact.clone());
        let ticket = sip::base64ish(&mut self.rng, 1800);
        let req2 = req2
            .h("Supported", "gruu-10, adhoclist, msrtc-event-categories")
            .h("Event", "registration")
            .h("Authorization", format!("Kerberos qop=\"auth\", realm=\"SIP Communications Service\", targetname=\"sip/fe01.{DOMAIN}\", gssapi-data=\"{ticket}\", version=4"));
        self.send1(c, 0, &req2)?;
        self.sessions[s].reg = d;
        let ok = self.fe_reply(&req2, 200, "OK", &tag);
        let ok = self
            .server_sign(s, ok)
            .h("Contact", format!("{contact};expires=3600"))
            .h("Expires", "3600")
            .h("Allow-Events", "vnd-microsoft-provisioning,vnd-microsoft-roaming-contacts,vnd-microsoft-roaming-ACL,presence,presence.wpending,vnd-microsoft-roaming-self,vnd-microsoft-provisioning-v2")
            .h("Supported", "adhoclist, msrtc-event-categories");
        self.send1(c, 1, &ok)?;
        self.tick(20, 300);
        self.subscribe(s)?;
        self.tick(20, 300);
        self.publish(s)
    }

    /// The batch presence subscription: the response piggy-backs many contacts and spans many segments.
    fn subscribe(&mut self, s: usize) -> io::Result<()> {
        let c = self.sessions[s].conn;
        let d = self.dialog();
        let me = format!("sip:{}", self.sessions[s].uri);
        let contacts: Vec<String> = (0..self.rng.range(20, 120))
            .map(|_| format!("user{}@{DOMAIN}", 1 + self.rng.below(2_000)))
            .collect();
        let resources: String = contacts
            .iter()
            .map(|c| format!("<resource uri=\"sip:{c}\"/>"))
            .collect();
        let body = format!("<batchSub xmlns=\"http://schemas.microsoft.com/2006/01/sip/batch-subscribe\" uri=\"{me}\" name=\"\"><action name=\"subscribe\" id=\"{}\"><adhocList>{resources}</adhocList><categoryList xmlns=\"http://schemas.microsoft.com/2006/09/sip/categorylist\"><category name=\"contactCard\"/><category name=\"note\"/><category name=\"state\"/></categoryList></action></batchSub>", self.rng.below(4_000_000_000));
        let req = self
            .client_request(s, "SUBSCRIBE", &me, &me, &d)
            .h("Event", "presence")
            .h(
                "Accept",
                "application/msrtc-event-categories+xml, application/rlmi+xml, multipart/related",
            )
            .h("Supported", "ms-benotify")
            .h("Proxy-Require", "ms-benotify")
            .h("Supported", "ms-piggyback-first-notify")
            .h("Require", "adhoclist, categoryList");
        let req = self
            .sign(s, req)
            .body("application/msrtc-adrl-categorylist+xml", body);
        self.send1(c, 0, &req)?;
        let boundary = self.rng.hex(32);
        let mut multipart = format!("--{boundary}\r\nContent-Transfer-Encoding: binary\r\nContent-ID: resourceList\r\nContent-Type: application/rlmi+xml\r\n\r\n<list xmlns=\"urn:ietf:params:xml:ns:rlmi\" uri=\"{me}\" version=\"0\" fullState=\"false\"/>\r\n");
        let t = self.publish_time();
        for who in contacts.iter().take(12) {
            let cats = sip::categories(&mut self.rng, who, &t);
            multipart.push_str(&format!("--{boundary}\r\nContent-Transfer-Encoding: binary\r\nContent-Type: application/msrtc-event-categories+xml\r\n\r\n{cats}\r\n"));
        }
        multipart.push_str(&format!("--{boundary}--"));
        let tag = self.rng.hex(32).to_uppercase();
        let ok = self.fe_reply(&req, 200, "OK", &tag);
        let ok = self
            .server_sign(s, ok)
            .h("Expires", "36000")
            .h("Event", "presence")
            .h("subscription-state", "active;expires=36000")
            .h("ms-piggyback-cseq", "1")
            .h("Require", "eventlist")
            .body(&format!("multipart/related; type=\"application/rlmi+xml\";start=resourceList; boundary={boundary}"), multipart);
        self.send1(c, 1, &ok)?;
        self.sessions[s].sub = Some((d, tag, 1));
        Ok(())
    }

    fn publish_time(&self) -> String {
        sipscope::base::time::Timestamp(self.now / 1000).to_string()
    }

    /// SERVICE with the user's state, answered with its roaming-self state; its watchers hear of it.
    fn publish(&mut self, s: usize) -> io::Result<()> {
        let c = self.sessions[s].conn;
        let d = self.dialog();
        let me = format!("sip:{}", self.sessions[s].uri);
        let body = sip::publish_state(&mut self.rng, &me[4..], &[2, 3]);
        let req = self.client_request(s, "SERVICE", &me, &me, &d);
        let req = self
            .sign(s, req)
            .body("application/msrtc-category-publish+xml", body);
        self.send1(c, 0, &req)?;
        let t = self.publish_time();
        let cats = sip::state_category(&mut self.rng, &me[4..], &t);
        let tag = self.rng.hex(32).to_uppercase();
        let ok = self.fe_reply(&req, 200, "OK", &tag);
        let ok = self.server_sign(s, ok).body(
            "application/vnd-microsoft-roaming-self+xml",
            format!("<roamingData xmlns=\"http://schemas.microsoft.com/2006/09/sip/roaming-self\">{cats}</roamingData>"),
        );
        self.send1(c, 1, &ok)?;
        for _ in 0..self.rng.below(4) {
            let w = self.rng.below(self.sessions.len() as u64) as usize;
            if w != s {
                let who = me[4..].to_string();
                self.benotify(w, &who, 1)?;
            }
        }
        Ok(())
    }

    /// `count` BENOTIFYs to session `s`, written back to back (they share segments).
    fn benotify(&mut self, s: usize, about: &str, count: u64) -> io::Result<()> {
        let Some((d, tag, _)) = self.sessions[s].sub.clone() else {
            return Ok(());
        };
        let (c, me, epid) = {
            let sess = &self.sessions[s];
            (sess.conn, sess.uri.clone(), sess.epid.clone())
        };
        let target = format!(
            "sip:{};transport=tcp;ms-opaque={}",
            self.conns[c].ep[0].addr(),
            &epid[..8]
        );
        let mut msgs = Vec::new();
        for _ in 0..count {
            let cseq = match self.sessions[s].sub.as_mut() {
                Some(sub) => {
                    sub.2 += 1;
                    sub.2
                }
                None => 1,
            };
            let who = if about.is_empty() {
                format!("user{}@{DOMAIN}", 1 + self.rng.below(2_000))
            } else {
                about.to_string()
            };
            let t = self.publish_time();
            let body = sip::state_category(&mut self.rng, &who, &t);
            let via = self.fe_via();
            let m = Msg::request("BENOTIFY", &target)
                .h("Via", via)
                .h("Max-Forwards", "70")
                .h("From", format!("<sip:{me}>;tag={tag}"))
                .h("To", format!("<sip:{me}>;tag={};epid={epid}", d.tag))
                .h("Call-ID", d.call_id.clone())
                .h("CSeq", format!("{cseq} BENOTIFY"))
                .h("Event", "presence")
                .h("subscription-state", "active;expires=36000");
            let m = self
                .server_sign(s, m)
                .body("application/msrtc-event-categories+xml", body);
            msgs.push(m.wire());
        }
        self.send(c, 1, &msgs)
    }

    /// An IM from one client to another, through the Front End: every request and response on both
    /// connections.
    fn im(&mut self) -> io::Result<()> {
        let n = self.sessions.len() as u64;
        let (a, b) = (self.rng.below(n) as usize, self.rng.below(n) as usize);
        if a == b {
            return Ok(());
        }
        let (ca, cb) = (self.sessions[a].conn, self.sessions[b].conn);
        let callee = format!("sip:{}", self.sessions[b].uri);
        let mut d = self.dialog();
        let ip = self.conns[ca].ep[0].host();
        let sdp = format!("v=0\r\no=- 0 0 IN IP4 {ip}\r\ns=session\r\nc=IN IP4 {ip}\r\nt=0 0\r\nm=message 5060 sip null\r\na=accept-types:text/plain text/html text/rtf multipart/alternative image/gif multipart/related application/im-iscomposing+xml application/ms-imdn+xml text/x-msmsgsinvite\r\n");
        let conv = self.rng.hex(32).to_uppercase();
        let inv = self
            .client_request(a, "INVITE", &callee, &callee, &d)
            .h("Ms-Conversation-ID", conv)
            .h("Supported", "ms-dialog-route-set-update, timer, histinfo, ms-safe-transfer, ms-sender, ms-early-media")
            .h("ms-text-format", "text/plain; charset=UTF-8;ms-body=SGksIGRvIHlvdSBoYXZlIGEgbWludXRlPw==");
        let inv = self.sign(a, inv).body("application/sdp", sdp);
        self.send1(ca, 0, &inv)?;
        let trying = inv.response(100, "Trying").h("Server", FE_SERVER);
        let via = self.fe_via();
        let rr = format!(
            "<sip:fe01.{DOMAIN}:5060;transport=tcp;lr;ms-route-sig={}>",
            self.rng.hex(32)
        );
        let mut fwd = inv.forward(via, Some(rr));
        fwd.start = format!(
            "INVITE sip:{};transport=tcp;ms-opaque={} SIP/2.0",
            self.conns[cb].ep[0].addr(),
            &self.sessions[b].epid[..8]
        );
        let fwd = self.server_sign(b, fwd);
        self.send1(ca, 1, &trying)?;
        self.send1(cb, 1, &fwd)?;
        let tag = self.rng.hex(10);
        let ring = fwd
            .response(180, "Ringing")
            .with_to_tag(&tag)
            .h("User-Agent", UA);
        self.send1(cb, 0, &ring)?;
        self.send1(ca, 1, &ring.upstream())?;
        self.tick(500, 5_000);
        if self.rng.chance(15) {
            let decline = fwd
                .response(603, "Decline")
                .with_to_tag(&tag)
                .h("User-Agent", UA);
            self.send1(cb, 0, &decline)?;
            self.send1(cb, 1, &fwd.ack(&decline))?;
            let up = decline.upstream();
            self.send1(ca, 1, &up)?;
            return self.send1(ca, 0, &inv.ack(&up));
        }
        let ip_b = self.conns[cb].ep[0].host();
        let ok = fwd
            .response(200, "OK")
            .with_to_tag(&tag)
            .h(
                "Contact",
                format!("<sip:{};transport=tcp>", self.conns[cb].ep[0].addr()),
            )
            .h("User-Agent", UA)
            .body("application/sdp", inv.body.replace(&ip, &ip_b));
        self.send1(cb, 0, &ok)?;
        self.send1(ca, 1, &ok.upstream())?;
        // In the dialog: ACK, MESSAGEs, BYE, each through the Front End.
        let route = format!("<sip:fe01.{DOMAIN}:5060;transport=tcp;lr>");
        let target = format!("sip:{};transport=tcp", self.conns[cb].ep[0].addr());
        for i in 0..=self.rng.range(1, 4) {
            let method = if i == 0 { "ACK" } else { "MESSAGE" };
            let mut m = self
                .client_request(a, method, &target, &callee, &d)
                .with_to_tag(&tag)
                .h("Route", route.clone());
            if method == "MESSAGE" {
                m = m.body(
                    "text/plain; charset=UTF-8",
                    self.rng.pick(IM_TEXTS).to_string(),
                );
            }
            let m = self.sign(a, m);
            self.send1(ca, 0, &m)?;
            let via = self.fe_via();
            let mut f = m.forward(via, None);
            f.remove("Route");
            self.send1(cb, 1, &f)?;
            if method == "MESSAGE" {
                let ok = f.response(200, "OK").h("User-Agent", UA);
                self.send1(cb, 0, &ok)?;
                self.send1(ca, 1, &ok.upstream())?;
            }
            d.cseq += 1;
            self.tick(1_000, 15_000);
        }
        let bye = self
            .client_request(a, "BYE", &target, &callee, &d)
            .with_to_tag(&tag)
            .h("Route", route);
        let bye = self.sign(a, bye);
        self.send1(ca, 0, &bye)?;
        let via = self.fe_via();
        let mut f = bye.forward(via, None);
        f.remove("Route");
        self.send1(cb, 1, &f)?;
        let ok = f.response(200, "OK").h("User-Agent", UA);
        self.send1(cb, 0, &ok)?;
        self.send1(ca, 1, &ok.upstream())
    }

    /// A client signs out and closes its connection.
    fn close_session(&mut self, s: usize) -> io::Result<()> {
        let c = self.sessions[s].conn;
        let mut d = self.sessions[s].reg.clone();
        d.cseq += 1;
        let me = format!("sip:{}", self.sessions[s].uri);
        let req = self
            .client_request(s, "REGISTER", &format!("sip:{DOMAIN}"), &me, &d)
            .h("Expires", "0");
        let req = self.sign(s, req);
        self.send1(c, 0, &req)?;
        let tag = self.rng.hex(32).to_uppercase();
        let ok = self.fe_reply(&req, 200, "OK", &tag).h("Expires", "0");
        let ok = self.server_sign(s, ok);
        self.send1(c, 1, &ok)?;
        self.close(c)?;
        self.sessions.remove(s);
        Ok(())
    }

    /// A request on the gateway trunk from the Mediation Server (`d` 0) or the gateway (`d` 1).
    fn trunk_request(
        &mut self,
        d: usize,
        method: &str,
        uri: &str,
        from: &str,
        to: &str,
        dlg: &Dlg,
    ) -> Msg {
        let ep = self.conns[self.trunk].ep[d];
        let branch = self.branch();
        let ua = if d == 0 { MED_UA } else { GW_UA };
        Msg::request(method, uri)
            .h("Via", format!("SIP/2.0/TCP {};branch={branch}", ep.addr()))
            .h("Max-Forwards", "70")
            .h("From", format!("<{from}>;tag={}", dlg.tag))
            .h("To", format!("<{to}>"))
            .h("Call-ID", dlg.call_id.clone())
            .h("CSeq", format!("{} {method}", dlg.cseq))
            .h("User-Agent", ua)
    }

    fn trunk_options(&mut self) -> io::Result<()> {
        let t = self.trunk;
        for d in 0..2 {
            let dlg = self.dialog();
            let peer = self.conns[t].ep[1 - d];
            let me = self.conns[t].ep[d];
            let req = self.trunk_request(
                d,
                "OPTIONS",
                &format!("sip:{}", peer.addr()),
                &format!("sip:{}", me.addr()),
                &format!("sip:{}", peer.addr()),
                &dlg,
            );
            self.send1(t, d, &req)?;
            let tag = self.rng.hex(8);
            let ok = req
                .response(200, "OK")
                .with_to_tag(&tag)
                .h(
                    "Allow",
                    "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY, PRACK, UPDATE",
                )
                .h("Server", if d == 0 { GW_UA } else { MED_UA });
            self.send1(t, 1 - d, &ok)?;
            self.tick(10, 200);
        }
        Ok(())
    }

    /// A call on the gateway trunk: out to the PSTN (`d` 0, from the Mediation Server) or in from it.
    fn trunk_call(&mut self) -> io::Result<()> {
        let t = self.trunk;
        let d = usize::from(self.rng.chance(40));
        let number = format!("+8225551{:04}", self.rng.below(10_000));
        let user = format!("+8231200{:04}", self.rng.below(10_000));
        let (from, to) = if d == 0 {
            (&user, &number)
        } else {
            (&number, &user)
        };
        let peer = self.conns[t].ep[1 - d];
        let me = self.conns[t].ep[d];
        let uri = format!("sip:{to}@{};user=phone", peer.addr());
        let dlg = self.dialog();
        let sdp = self.sdp(&me.host(), 20_000, 5_000);
        let inv = self
            .trunk_request(
                d,
                "INVITE",
                &uri,
                &format!("sip:{from}@{};user=phone", me.host()),
                &format!("sip:{to}@{};user=phone", peer.host()),
                &dlg,
            )
            .h("Contact", format!("<sip:{};transport=tcp>", me.addr()))
            .h(
                "Allow",
                "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY, PRACK, UPDATE",
            )
            .body("application/sdp", sdp);
        self.send1(t, d, &inv)?;
        let server = if d == 0 { GW_UA } else { MED_UA };
        self.send1(t, 1 - d, &inv.response(100, "Trying").h("Server", server))?;
        let tag = self.rng.hex(10);
        self.tick(200, 2_000);
        let early = if d == 0 {
            let sdp = self.sdp(&peer.host(), 30_000, 5_000);
            inv.response(183, "Session Progress")
                .with_to_tag(&tag)
                .h("Server", server)
                .body("application/sdp", sdp)
        } else {
            inv.response(180, "Ringing")
                .with_to_tag(&tag)
                .h("Server", server)
        };
        self.send1(t, 1 - d, &early)?;
        self.tick(1_000, 12_000);
        let (status, reason) = match self.rng.below(100) {
            0..=9 => (486, "Busy Here"),
            10..=14 => (404, "Not Found"),
            15..=21 => (487, "Request Terminated"),
            _ => (200, "OK"),
        };
        if status == 487 {
            let cancel = inv.cancel();
            self.send1(t, d, &cancel)?;
            self.send1(
                t,
                1 - d,
                &cancel
                    .response(200, "OK")
                    .with_to_tag(&tag)
                    .h("Server", server),
            )?;
        }
        let mut fin = inv
            .response(status, reason)
            .with_to_tag(&tag)
            .h("Server", server);
        if status == 200 {
            let sdp = self.sdp(&peer.host(), 30_000, 5_000);
            fin = fin
                .h("Contact", format!("<sip:{};transport=tcp>", peer.addr()))
                .body("application/sdp", sdp);
        } else if status != 487 {
            fin = fin.h(
                "Reason",
                if status == 486 {
                    "Q.850;cause=17"
                } else {
                    "Q.850;cause=1"
                },
            );
        }
        self.send1(t, 1 - d, &fin)?;
        if status != 200 {
            return self.send1(t, d, &inv.ack(&fin));
        }
        let ack = self.in_dialog(&inv, &fin, true, "ACK", 1);
        self.send1(t, d, &ack)?;
        let end = self.now + self.rng.range(10_000_000, 400_000_000) as i64;
        let caller_ends = self.rng.chance(50);
        self.later.push((
            end,
            Later::TrunkBye {
                invite: inv,
                ok: fin,
                d,
                caller_ends,
            },
        ));
        Ok(())
    }

    /// An in-dialog request after `invite` was answered by `ok`: from the caller or from the callee.
    fn in_dialog(
        &mut self,
        invite: &Msg,
        ok: &Msg,
        from_caller: bool,
        method: &str,
        cseq: u32,
    ) -> Msg {
        let contact_of = |m: &Msg| {
            m.get("Contact")
                .unwrap_or("")
                .trim_matches(|c| c == '<' || c == '>')
                .to_string()
        };
        // The sender's host:port: from the caller's Via, or the callee's Contact.
        let (uri, from, to, sent_by) = if from_caller {
            let via = invite.get("Via").unwrap_or("");
            let host = via.split(' ').nth(1).unwrap_or("").split(';').next();
            (
                contact_of(ok),
                invite.get("From"),
                ok.get("To"),
                host.unwrap_or("").to_string(),
            )
        } else {
            let contact = contact_of(ok);
            let host = contact.trim_start_matches("sip:");
            let host = host.rsplit('@').next().unwrap_or("").split(';').next();
            (
                contact_of(invite),
                ok.get("To"),
                invite.get("From"),
                host.unwrap_or("").to_string(),
            )
        };
        let transport = invite
            .get("Via")
            .unwrap_or("")
            .split(' ')
            .next()
            .unwrap_or("");
        let transport = transport.to_string();
        let branch = self.branch();
        let (from, to) = (from.unwrap_or("").to_string(), to.unwrap_or("").to_string());
        let cseq = if from_caller && method == "ACK" {
            1
        } else {
            cseq
        };
        Msg::request(method, &uri)
            .h("Via", format!("{transport} {sent_by};branch={branch}"))
            .h("Max-Forwards", "70")
            .h("From", from)
            .h("To", to)
            .h("Call-ID", invite.get("Call-ID").unwrap_or("").to_string())
            .h("CSeq", format!("{cseq} {method}"))
    }

    /// A UDP request and its final answer between two endpoints (OPTIONS pings).
    fn udp_options(&mut self) -> io::Result<()> {
        let dlg = self.dialog();
        let (src, dst) = if self.rng.chance(50) {
            (SBC, ITSP)
        } else {
            (ITSP, SBC)
        };
        let ua = if src == SBC { SBC_UA } else { ITSP_UA };
        let branch = self.branch();
        let req = Msg::request("OPTIONS", &format!("sip:{}", dst.addr()))
            .h(
                "Via",
                format!("SIP/2.0/UDP {};branch={branch};rport", src.addr()),
            )
            .h("Max-Forwards", "70")
            .h("From", format!("<sip:{}>;tag={}", src.addr(), dlg.tag))
            .h("To", format!("<sip:{}>", dst.addr()))
            .h("Call-ID", dlg.call_id)
            .h("CSeq", "1 OPTIONS")
            .h("User-Agent", ua);
        self.udp(src, dst, &req.wire())?;
        self.tick(5, 60);
        let tag = self.rng.hex(8);
        let ok = req
            .response(200, "OK")
            .with_to_tag(&tag)
            .h(
                "Allow",
                "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY, UPDATE, PRACK",
            )
            .h("Server", if src == SBC { ITSP_UA } else { SBC_UA });
        self.udp(dst, src, &ok.wire())
    }

    /// A call between a desk phone and the ITSP through the SBC (a B2BUA: two legs, two Call-IDs).
    fn udp_call(&mut self) -> io::Result<()> {
        let phone = Ep::new([10, 1, 30, 11 + self.rng.below(30) as u8], 5060);
        let outbound = self.rng.chance(60);
        let ext = format!("3{:03}", phone.ip[3]);
        let number = format!("+8225552{:04}", self.rng.below(10_000));
        // Leg 0 starts at the caller, leg 1 goes on to the callee.
        let (ends, users, uas): ([Ep; 3], [&str; 2], [&str; 3]) = if outbound {
            (
                [phone, SBC, ITSP],
                [&ext, &number],
                [PHONE_UA, SBC_UA, ITSP_UA],
            )
        } else {
            (
                [ITSP, SBC, phone],
                [&number, &ext],
                [ITSP_UA, SBC_UA, PHONE_UA],
            )
        };
        let mut invites = Vec::new();
        for leg in 0..2 {
            let (src, dst) = (ends[leg], ends[leg + 1]);
            let dlg = self.dialog();
            let branch = self.branch();
            let sdp = self.sdp(&src.host(), 16_000, 8_000);
            let inv = Msg::request("INVITE", &format!("sip:{}@{}", users[1], dst.addr()))
                .h(
                    "Via",
                    format!("SIP/2.0/UDP {};branch={branch};rport", src.addr()),
                )
                .h("Max-Forwards", "70")
                .h(
                    "From",
                    format!("<sip:{}@{}>;tag={}", users[0], src.host(), dlg.tag),
                )
                .h("To", format!("<sip:{}@{}>", users[1], dst.host()))
                .h("Call-ID", dlg.call_id)
                .h("CSeq", "1 INVITE")
                .h("Contact", format!("<sip:{}@{}>", users[0], src.addr()))
                .h(
                    "Allow",
                    "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY, UPDATE",
                )
                .h("User-Agent", uas[leg])
                .body("application/sdp", sdp);
            self.udp(src, dst, &inv.wire())?;
            if self.rng.chance(8) {
                // No 100 within T1: the INVITE goes again.
                self.tick(500, 520);
                self.udp(src, dst, &inv.wire())?;
            }
            self.tick(2, 40);
            let trying = inv.response(100, "Trying").h("Server", uas[leg + 1]);
            self.udp(dst, src, &trying.wire())?;
            invites.push(inv);
        }
        self.tick(100, 1_500);
        let tags = [self.rng.hex(10), self.rng.hex(10)];
        for leg in (0..2).rev() {
            let ring = invites[leg]
                .response(180, "Ringing")
                .with_to_tag(&tags[leg])
                .h("Server", uas[leg + 1]);
            self.udp(ends[leg + 1], ends[leg], &ring.wire())?;
        }
        self.tick(1_000, 15_000);
        let (status, reason) = match self.rng.below(100) {
            0..=9 => (486, "Busy Here"),
            10..=14 => (404, "Not Found"),
            15..=21 => (487, "Request Terminated"),
            _ => (200, "OK"),
        };
        if status == 487 {
            // The caller hangs up first: CANCEL leg by leg.
            for leg in 0..2 {
                let cancel = invites[leg].cancel();
                self.udp(ends[leg], ends[leg + 1], &cancel.wire())?;
                let ok = cancel
                    .response(200, "OK")
                    .with_to_tag(&tags[leg])
                    .h("Server", uas[leg + 1]);
                self.udp(ends[leg + 1], ends[leg], &ok.wire())?;
            }
        }
        let mut oks = Vec::new();
        for leg in (0..2).rev() {
            let (callee, caller) = (ends[leg + 1], ends[leg]);
            let mut r = invites[leg]
                .response(status, reason)
                .with_to_tag(&tags[leg])
                .h("Server", uas[leg + 1]);
            if status == 200 {
                let sdp = self.sdp(&callee.host(), 16_000, 8_000);
                r = r
                    .h("Contact", format!("<sip:{}@{}>", users[1], callee.addr()))
                    .body("application/sdp", sdp);
            }
            self.udp(callee, caller, &r.wire())?;
            self.tick(2, 30);
            let ack = if status == 200 {
                self.in_dialog(&invites[leg], &r, true, "ACK", 1)
            } else {
                invites[leg].ack(&r)
            };
            self.udp(caller, callee, &ack.wire())?;
            oks.push(r);
        }
        if status == 200 {
            oks.reverse();
            let end = self.now + self.rng.range(5_000_000, 300_000_000) as i64;
            let mut it = invites
                .into_iter()
                .zip(oks)
                .enumerate()
                .map(|(leg, (i, o))| (i, o, ends[leg], ends[leg + 1]));
            let (Some(l0), Some(l1)) = (it.next(), it.next()) else {
                return Ok(());
            };
            let caller_ends = self.rng.chance(50);
            self.later.push((
                end,
                Later::UdpBye {
                    legs: [l0, l1],
                    caller_ends,
                },
            ));
        }
        Ok(())
    }

    /// The Front End sends SERVICE and BENOTIFY over UDP to peers that do not know them: the SBC answers 501,
    /// the PBX drops SERVICE (retransmitted until timer F), the phones drop BENOTIFY (never answered anyway).
    fn ms_methods(&mut self) -> io::Result<()> {
        let fe = Ep::new(FE.ip, 5060);
        let dlg = self.dialog();
        let branch = self.branch();
        let kind = self.rng.below(3);
        let dst = match kind {
            0 => SBC,
            1 => PBX,
            _ => Ep::new([10, 1, 30, 11 + self.rng.below(30) as u8], 5060),
        };
        let user = format!("user{}@{DOMAIN}", 1 + self.rng.below(500));
        let t = self.publish_time();
        let m = if kind < 2 {
            let body = sip::publish_state(&mut self.rng, &user, &[2]);
            Msg::request("SERVICE", &format!("sip:{}", dst.addr()))
                .h("Via", format!("SIP/2.0/UDP {};branch={branch}", fe.addr()))
                .h("Max-Forwards", "70")
                .h("From", format!("<sip:{user}>;tag={}", dlg.tag))
                .h("To", format!("<sip:{}>", dst.addr()))
                .h("Call-ID", dlg.call_id)
                .h("CSeq", "1 SERVICE")
                .h("User-Agent", FE_SERVER)
                .body("application/msrtc-category-publish+xml", body)
        } else {
            let body = sip::state_category(&mut self.rng, &user, &t);
            Msg::request("BENOTIFY", &format!("sip:{}", dst.addr()))
                .h("Via", format!("SIP/2.0/UDP {};branch={branch}", fe.addr()))
                .h("Max-Forwards", "70")
                .h("From", format!("<sip:{user}>;tag={}", dlg.tag))
                .h(
                    "To",
                    format!(
                        "<sip:3{:03}@{}>;tag={}",
                        dst.ip[3],
                        dst.host(),
                        self.rng.hex(8)
                    ),
                )
                .h("Call-ID", dlg.call_id)
                .h("CSeq", "1 BENOTIFY")
                .h("Event", "presence")
                .h("subscription-state", "active;expires=3600")
                .body("application/msrtc-event-categories+xml", body)
        };
        let wire = m.wire();
        self.udp(fe, dst, &wire)?;
        match kind {
            0 => {
                self.tick(2, 30);
                let tag = self.rng.hex(8);
                let r = m
                    .response(501, "Not Implemented")
                    .with_to_tag(&tag)
                    .h(
                        "Allow",
                        "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY, UPDATE, PRACK",
                    )
                    .h("Server", SBC_UA);
                self.udp(dst, fe, &r.wire())
            }
            1 => {
                // Timer E: 0.5 s, doubling to 4 s, until timer F (32 s).
                let (mut at, mut gap) = (self.now, 500_000i64);
                while at + gap < self.now + 32_000_000 {
                    at += gap;
                    gap = (gap * 2).min(4_000_000);
                    self.later.push((
                        at,
                        Later::Resend {
                            src: fe,
                            dst,
                            sip: wire.clone(),
                        },
                    ));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Run what is due, in time order.
    fn due(&mut self) -> io::Result<()> {
        loop {
            let Some(i) = (0..self.later.len())
                .filter(|&i| self.later[i].0 <= self.now)
                .min_by_key(|&i| (self.later[i].0, i))
            else {
                return Ok(());
            };
            let (_, what) = self.later.remove(i);
            match what {
                Later::Resend { src, dst, sip } => self.udp(src, dst, &sip)?,
                Later::UdpBye { legs, caller_ends } => {
                    let order: [usize; 2] = if caller_ends { [0, 1] } else { [1, 0] };
                    for leg in order {
                        let (inv, ok, caller, callee) = &legs[leg];
                        let bye = self.in_dialog(inv, ok, caller_ends, "BYE", 2);
                        let (src, dst) = if caller_ends {
                            (*caller, *callee)
                        } else {
                            (*callee, *caller)
                        };
                        self.udp(src, dst, &bye.wire())?;
                        self.tick(2, 40);
                        self.udp(dst, src, &bye.response(200, "OK").wire())?;
                    }
                }
                Later::TrunkBye {
                    invite,
                    ok,
                    d,
                    caller_ends,
                } => {
                    let t = self.trunk;
                    let bye = self.in_dialog(&invite, &ok, caller_ends, "BYE", 2);
                    let from = if caller_ends { d } else { 1 - d };
                    self.send1(t, from, &bye)?;
                    self.send1(t, 1 - from, &bye.response(200, "OK"))?;
                }
            }
        }
    }

    fn run(&mut self, target: u64) -> io::Result<()> {
        // The pcap file header: little-endian, µs, version 2.4, snaplen 262144, Ethernet.
        let mut h = vec![0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0];
        h.extend([0u8; 8]);
        h.extend(262_144u32.to_le_bytes());
        h.extend(1u32.to_le_bytes());
        self.out.write(&h)?;
        let med = Ep::new(MED, 49_700 + self.rng.below(1000) as u16);
        self.trunk = self.connect(med, GATEWAY)?;
        self.trunk_options()?;
        while self.out.stats.bytes < target {
            self.tick(1, 250);
            self.due()?;
            if self.now >= self.next_options {
                self.trunk_options()?;
                self.udp_options()?;
                self.next_options = self.now + self.rng.range(30_000_000, 60_000_000) as i64;
                continue;
            }
            if self.sessions.len() < SESSIONS / 2 {
                self.open_session()?;
                continue;
            }
            // A client idle for a minute sends a keep-alive.
            if let Some(s) = (0..self.sessions.len())
                .find(|&s| self.now - self.conns[self.sessions[s].conn].last > 60_000_000)
            {
                let c = self.sessions[s].conn;
                self.send(c, 0, &["\r\n\r\n".to_string()])?;
                continue;
            }
            let s = self.rng.below(self.sessions.len() as u64) as usize;
            match self.rng.below(100) {
                0..=4 if self.sessions.len() < SESSIONS => self.open_session()?,
                5..=7 => self.close_session(s)?,
                0..=34 => {
                    let n = self.rng.range(1, 9);
                    self.benotify(s, "", n)?
                }
                35..=46 => self.publish(s)?,
                47..=56 => self.im()?,
                57..=68 => self.trunk_call()?,
                69..=86 => self.udp_call()?,
                87..=92 => self.ms_methods()?,
                _ => {
                    let c = self.sessions[s].conn;
                    self.send(c, 0, &["\r\n\r\n".to_string()])?
                }
            }
        }
        self.out.flush()
    }
}

/// Generate a capture into `out`.
pub(crate) fn generate<W: Write>(cfg: &Config, out: &mut W) -> io::Result<Stats> {
    let mut rng = Rng(cfg.seed ^ 0xCA97_0BE5);
    let next_port = rng.range(50_000, 60_000) as u16;
    let mut g = Gen {
        out: Out::new(out),
        rng,
        // 2018-03-30 01:00:00 UTC.
        now: (17_620i64 * 24 + 1) * 3_600_000_000,
        ip_id: 0x1200,
        conns: Vec::new(),
        sessions: Vec::new(),
        trunk: 0,
        later: Vec::new(),
        next_port,
        users: 0,
        next_options: 0,
    };
    g.run(cfg.target_bytes)?;
    Ok(g.out.stats)
}
