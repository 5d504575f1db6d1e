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

mod peers;
mod wire;

use crate::sip::{self, Dlg, Msg, IM_TEXTS};
use crate::{Config, Out, Rng, Stats};
use std::io::{self, Write};
use wire::{Conn, Ep};

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
