//! The client format: a Skype for Business client log (UccApiLog).
//!
//! The default log tells what a busy client's log tells: sign-in through the Access Edge with TLS-DSK challenges,
//! a batched presence subscription for many contacts, then hours of BENOTIFY presence storms, SERVICE
//! publications, IM sessions, failed calls (480 with ms-diagnostics), failed subscriptions (503), periodic
//! re-registrations, the odd request that never gets a response, and trace noise from other threads between
//! packets. The presence-heavy log is the dense case: at least 1,200 contacts subscribed in batches, short storms
//! of BENOTIFYs with small bodies, and many short conversations each with its own Call-ID (SERVICE publications
//! and subscriber lists, single-contact SUBSCRIBEs, IMs). Every packet's byte count and every Content-Length is
//! exact.

use crate::sip::{self, content, IM_TEXTS};
use crate::{Config, Rng, Stats};
use sipscope::base::time::Timestamp;
use std::io::{self, Write};

const LOCAL: &str = "192.168.1.51:51882";
const EDGE: &str = "211.208.253.66:5061";
const PUBLIC: &str = "211.208.253.61";
const USER: &str = "on1@limcm.com";
const UA: &str = "UCCAPI/16.0.4849.1000 OC/16.0.4849.1000 (Skype for Business)";
const SERVER: &str = "RTC/6.0";
const THREAD: &str = "2738:14E0";

const NOISE: &[&str] = &[
    "TRACE :: CUccPresenceManager::ProcessCategoryUpdate - category state instance updated",
    "INFO  :: CSIPEndpoint::OnTransportEvent - keep-alive sent on connection 17700",
    "TRACE :: SIP_MSG_PROCESSOR::ProcessIncomingMessage - dispatching to CUccSubscriptionSession",
    "TRACE :: CUccContactManager::RefreshGroup - group 'Frequent Contacts' 42 members",
    "INFO  :: CTransportManager::Send - 1 buffer queued for 211.208.253.66:5061 (TLS)",
    "TRACE :: CUccDataSession::OnHeartbeat - session healthy, rtt 18 ms",
    "WARN  :: CUccServerEndpoint::OnCertificateCheck - OCSP responder slow (1500 ms)",
    "TRACE :: CMediaManager::UpdateDeviceList - 2 audio devices, 1 video device",
    "INFO  :: ResolveHostname - _sipinternaltls._tcp.limcm.com SRV lookup, 1 record",
    "TRACE :: CUccPresenceManager::Publish - publishing 3 categories, container 2",
    "ERROR :: CUccWebServicesManager::OnAutodiscover - HTTP 404 for lyncdiscover.limcm.com, falling back",
    "TRACE :: CUccSipStack::OnTimer - timer F fired for transaction 0x1f2e3d4c (no action)",
];

struct Gen<'w, W: Write> {
    out: &'w mut W,
    rng: Rng,
    /// Local time in ms since 1970.
    now: i64,
    stats: Stats,
    contacts: Vec<String>,
    cnum: u32,
    epid: String,
    tag_base: String,
    /// The presence subscription dialogs, once made (one batch for the whole contact list, or one per batch of
    /// contacts in the presence-heavy log), each with the CSeq of its last BENOTIFY.
    presence: Vec<(Dialog, u32)>,
    /// The presence-heavy log.
    heavy: bool,
}

impl<W: Write> Gen<'_, W> {
    fn prefix(&self) -> String {
        let (y, mo, d, h, mi, s, ms) = Timestamp(self.now).fields();
        format!("{mo:02}/{d:02}/{y:04}|{h:02}:{mi:02}:{s:02}.{ms:03} ")
    }

    fn tick(&mut self, min_ms: i64, max_ms: i64) {
        self.now += min_ms + self.rng.below((max_ms - min_ms).max(1) as u64) as i64;
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stats.bytes += bytes.len() as u64;
        self.out.write_all(bytes)
    }

    fn noise(&mut self, lines: u64) -> io::Result<()> {
        for _ in 0..lines {
            self.tick(0, 40);
            let line = NOISE[self.rng.below(NOISE.len() as u64) as usize];
            let thread =
                ["2738:1F04", "2738:0A10", "2738:2C88", THREAD][self.rng.below(4) as usize];
            let text = format!("{}{thread} {line}\r\n", self.prefix());
            self.write(text.as_bytes())?;
            self.stats.noise_lines += 1;
        }
        Ok(())
    }

    /// Write one packet: `sent` from the client to the Edge, or received from it.
    fn packet(&mut self, sent: bool, sip: &str) -> io::Result<()> {
        let n = sip.len();
        let (head, end) = if sent {
            (
                format!("Sending Packet - {EDGE} (From Local Address: {LOCAL}) {n} bytes"),
                "End of Sending Packet - ",
            )
        } else {
            (
                format!("Data Received -{EDGE} (To Local Address: {LOCAL}) {n} bytes"),
                "End of Data Received -",
            )
        };
        let p = self.prefix();
        let (start, rest) = sip.split_once("\r\n").unwrap_or((sip, ""));
        let mut text = String::with_capacity(n + 300);
        text.push_str(&format!(
            "{p}{THREAD} INFO  :: {head}:\r\n{p}{THREAD} INFO  :: {start}\r\n{rest}"
        ));
        if !rest.ends_with("\r\n") {
            text.push_str("\r\n");
        }
        let sep = if sent { " " } else { "" };
        let addr = if sent {
            format!("{EDGE} (From Local Address: {LOCAL}) {n} bytes")
        } else {
            format!("{sep}{EDGE} (To Local Address: {LOCAL}) {n} bytes")
        };
        text.push_str(&format!("{p}{THREAD} INFO  :: {end}{addr}\r\n"));
        self.write(text.as_bytes())?;
        self.stats.messages += 1;
        let lines = if self.heavy {
            self.rng.below(2)
        } else {
            1 + self.rng.below(5)
        };
        self.noise(lines)
    }

    fn auth(&mut self) -> String {
        self.cnum += 1;
        format!(
            "Proxy-Authorization: TLS-DSK qop=\"auth\", realm=\"SIP Communications Service\", opaque=\"F901448D\", targetname=\"FE01.limcm.com\", crand=\"{}\", cnum=\"{}\", response=\"{}\"\r\n",
            self.rng.hex(8),
            self.cnum,
            self.rng.hex(96)
        )
    }

    fn server_auth(&mut self) -> String {
        format!(
            "Authentication-Info: TLS-DSK qop=\"auth\", opaque=\"F901448D\", srand=\"{}\", snum=\"{}\", rspauth=\"{}\", targetname=\"FE01.limcm.com\", realm=\"SIP Communications Service\", version=4\r\n",
            self.rng.hex(8).to_uppercase(),
            self.cnum,
            self.rng.hex(96)
        )
    }

    // One argument per part of the message keeps each call site reading like the message it makes.
    #[allow(clippy::too_many_arguments)]
    fn request(
        &mut self,
        method: &str,
        uri: &str,
        to: &str,
        dialog: &Dialog,
        cseq: u32,
        extra: &str,
        ctype: &str,
        body: &str,
    ) -> String {
        let branch = if dialog.branch {
            format!(";branch=z9hG4bK{}", self.rng.hex(8))
        } else {
            String::new()
        };
        let auth = self.auth();
        let to_tag = dialog
            .to_tag
            .as_deref()
            .map(|t| format!(";tag={t}"))
            .unwrap_or_default();
        let mut s = format!(
            "{method} {uri} SIP/2.0\r\nVia: SIP/2.0/TLS {LOCAL}{branch}\r\nMax-Forwards: 70\r\nFrom: <sip:{USER}>;tag={};epid={}\r\nTo: <{to}>{to_tag}\r\nCall-ID: {}\r\nCSeq: {cseq} {method}\r\nContact: <sip:{USER};opaque=user:epid:rD_-D8k_BF-h0APnlXF6WwAA;gruu>\r\nUser-Agent: {UA}\r\n{extra}{auth}",
            dialog.from_tag, self.epid, dialog.call_id
        );
        content(&mut s, ctype, body);
        s
    }

    #[allow(clippy::too_many_arguments)]
    fn response(
        &mut self,
        req: &str,
        status: u16,
        reason: &str,
        to_tag: &str,
        extra: &str,
        ctype: &str,
        body: &str,
    ) -> String {
        let get = |name: &str| sip::header(req, name);
        let via = format!(
            "{};received={PUBLIC};ms-received-port=51882;ms-received-cid=17700",
            get("Via")
        );
        let to = get("To");
        let to = if to.contains(";tag=") {
            to
        } else {
            format!("{to};tag={to_tag}")
        };
        let auth = self.server_auth();
        let mut s = format!(
            "SIP/2.0 {status} {reason}\r\nms-user-logon-data: RemoteUser\r\n{auth}Via: {via}\r\nFrom: {}\r\nTo: {to}\r\nCall-ID: {}\r\nCSeq: {}\r\nServer: {SERVER}\r\n{extra}",
            get("From"),
            get("Call-ID"),
            get("CSeq")
        );
        content(&mut s, ctype, body);
        s
    }

    fn categories(&mut self, contact: &str) -> String {
        let t = self.publish_time();
        sip::categories(&mut self.rng, contact, &t)
    }

    /// Category publish times are UTC; the log's clock is Korean local time (UTC+9).
    fn publish_time(&self) -> String {
        Timestamp(self.now - 9 * 3_600_000).to_string()
    }

    fn dialog(&mut self, branch: bool) -> Dialog {
        self.stats.conversations += 1;
        Dialog {
            call_id: self.rng.hex(32),
            from_tag: format!("{}{}", &self.tag_base[..4], self.rng.hex(6)),
            to_tag: None,
            branch,
        }
    }

    fn contact(&mut self) -> String {
        self.contacts[self.rng.below(self.contacts.len() as u64) as usize].clone()
    }

    fn sign_in(&mut self) -> io::Result<()> {
        let d = self.dialog(true);
        let reg_extra = "Supported: gruu-10, adhoclist, msrtc-event-categories\r\nSupported: ms-forking\r\nSupported: ms-cluster-failover\r\nSupported: ms-userservices-state-notification\r\nms-keep-alive: UAC;hop-hop=yes\r\nEvent: registration\r\n";
        for round in 1..=4u32 {
            let req = self.request(
                "REGISTER",
                "sip:limcm.com",
                &format!("sip:{USER}"),
                &d,
                round,
                reg_extra,
                "",
                "",
            );
            self.packet(true, &req)?;
            self.tick(40, 120);
            if round < 4 {
                let gss = self.rng.hex(200);
                let chal = format!(
                    "WWW-Authenticate: TLS-DSK opaque=\"F901448D\", gssapi-data=\"{gss}\", targetname=\"FE01.limcm.com\", realm=\"SIP Communications Service\", version=4\r\n"
                );
                let resp = self.response(&req, 401, "Unauthorized", "6C3D0080", &chal, "", "");
                self.packet(false, &resp)?;
            } else {
                let extra = format!(
                    "Contact: <sip:{LOCAL};transport=tls;ms-opaque=d3470f2e1d>;expires=7200;+sip.instance=\"<urn:uuid:{}>\";gruu=\"sip:{USER};opaque=user:epid:rD_-D8k_BF-h0APnlXF6WwAA;gruu\"\r\nExpires: 7200\r\nAllow-Events: vnd-microsoft-provisioning,vnd-microsoft-roaming-contacts,vnd-microsoft-roaming-ACL,presence,presence.wpending,vnd-microsoft-roaming-self,vnd-microsoft-provisioning-v2\r\nSupported: adhoclist\r\nSupported: msrtc-event-categories\r\nms-keep-alive: UAS; tcp=no; hop-hop=yes; end-end=no; timeout=300\r\n",
                    self.rng.hex(32)
                );
                let resp = self.response(&req, 200, "OK", "6C3D0080", &extra, "", "");
                self.packet(false, &resp)?;
            }
            self.tick(20, 60);
        }
        Ok(())
    }

    /// Subscribe to the presence of `contacts[range]` in one batch; the response piggy-backs the first
    /// `piggyback` contacts' categories.
    fn batch_subscribe(
        &mut self,
        range: std::ops::Range<usize>,
        piggyback: usize,
    ) -> io::Result<()> {
        let d = self.dialog(false);
        let resources: String = self.contacts[range.clone()]
            .iter()
            .map(|c| format!("<resource uri=\"sip:{c}\"/>"))
            .collect();
        let body = format!(
            "<batchSub xmlns=\"http://schemas.microsoft.com/2006/01/sip/batch-subscribe\" uri=\"sip:{USER}\" name=\"\"><action name=\"subscribe\" id=\"{}\"><adhocList>{resources}</adhocList><categoryList xmlns=\"http://schemas.microsoft.com/2006/09/sip/categorylist\"><category name=\"calendarData\"/><category name=\"contactCard\"/><category name=\"note\"/><category name=\"state\"/><category name=\"services\"/></categoryList></action></batchSub>",
            self.rng.below(900_000_000)
        );
        let extra = "Event: presence\r\nAccept: application/msrtc-event-categories+xml, application/xpidf+xml, text/xml+msrtc.pidf, application/pidf+xml, application/rlmi+xml, multipart/related\r\nSupported: com.microsoft.autoextend\r\nSupported: ms-benotify\r\nProxy-Require: ms-benotify\r\nSupported: ms-piggyback-first-notify\r\nSupported: eventlist\r\nRequire: adhoclist, categoryList\r\n";
        let req = self.request(
            "SUBSCRIBE",
            &format!("sip:{USER}"),
            &format!("sip:{USER}"),
            &d,
            1,
            extra,
            "application/msrtc-adrl-categorylist+xml",
            &body,
        );
        self.packet(true, &req)?;
        self.tick(50, 150);
        let boundary = self.rng.hex(32);
        let mut multipart = format!(
            "--{boundary}\r\nContent-Transfer-Encoding: binary\r\nContent-ID: resourceList\r\nContent-Type: application/rlmi+xml\r\n\r\n<list xmlns=\"urn:ietf:params:xml:ns:rlmi\" uri=\"sip:{USER}\" version=\"0\" fullState=\"false\"/>\r\n"
        );
        let contacts = self.contacts[range].to_vec();
        for c in contacts.iter().take(piggyback) {
            let cats = self.categories(c);
            multipart.push_str(&format!("--{boundary}\r\nContent-Transfer-Encoding: binary\r\nContent-Type: application/msrtc-event-categories+xml\r\n\r\n{cats}\r\n"));
        }
        multipart.push_str(&format!("--{boundary}--"));
        let extra = "Expires: 31535\r\nRequire: eventlist\r\nEvent: presence\r\nsubscription-state: active;expires=31535\r\nms-piggyback-cseq: 1\r\nSupported: ms-piggyback-first-notify\r\nRecord-Route: <sip:pool.limcm.com:5061;transport=tls;ms-fe=FE01.limcm.com;lr;received=192.168.1.7;ms-received-cid=17F00>\r\nRecord-Route: <sip:acc.limcm.com:5061;transport=tls;opaque=state:Ci.R17700;lr;ms-route-sig=hjYJE0zur8BuSeMjnBg_QVX9vF0p1Tow4iq4agMpLoPhkRTkyoIyDg7wAA>\r\n";
        let ctype = format!("multipart/related; type=\"application/rlmi+xml\";start=resourceList; boundary={boundary}");
        let resp = self.response(&req, 200, "OK", "6C3D0080", extra, &ctype, &multipart);
        self.packet(false, &resp)?;
        self.presence.push((d, 0));
        Ok(())
    }

    /// BENOTIFYs on a presence subscription: 1–12 with full categories, or in the presence-heavy log 1–4 with
    /// just a contact's state.
    fn benotify_storm(&mut self) -> io::Result<()> {
        if self.presence.is_empty() {
            return Ok(());
        }
        let i = if self.presence.len() > 1 {
            self.rng.below(self.presence.len() as u64) as usize
        } else {
            0
        };
        let d = self.presence[i].0.clone();
        let count = if self.heavy {
            1 + self.rng.below(4)
        } else {
            1 + self.rng.below(12)
        };
        for _ in 0..count {
            self.presence[i].1 += 1;
            let contact = self.contact();
            let body = if self.heavy {
                let t = self.publish_time();
                sip::state_category(&mut self.rng, &contact, &t)
            } else {
                self.categories(&contact)
            };
            let (branch, auth) = (self.rng.hex(8), self.server_auth());
            let s = format!(
                "BENOTIFY sip:{LOCAL};transport=tls;ms-opaque=d3470f2e1d;ms-received-cid=17700;grid SIP/2.0\r\nVia: SIP/2.0/TLS 192.168.1.7:5061;branch=z9hG4bK{};ms-received-cid=17F00\r\nMax-Forwards: 69\r\nFrom: <sip:{USER}>;tag=6C3D0080\r\nTo: <sip:{USER}>;tag={};epid={}\r\nCall-ID: {}\r\nCSeq: {} BENOTIFY\r\nEvent: presence\r\nsubscription-state: active;expires=31535\r\nRequire: eventlist\r\n{}",
                branch,
                d.from_tag,
                self.epid,
                d.call_id,
                self.presence[i].1,
                auth
            );
            let mut s = s;
            content(&mut s, "application/msrtc-event-categories+xml", &body);
            self.packet(false, &s)?;
            if self.heavy {
                self.tick(2, 150);
            } else {
                self.tick(5, 400);
            }
        }
        Ok(())
    }

    /// A SERVICE to the user's own URI on dialog `d` (a publication, a subscriber list), sent.
    fn service(&mut self, d: &Dialog, content_type: &str, body: &str) -> io::Result<String> {
        let me = format!("sip:{USER}");
        let req = self.request("SERVICE", &me, &me, d, 1, "", content_type, body);
        self.packet(true, &req)?;
        self.tick(20, 120);
        Ok(req)
    }

    fn publish(&mut self, answer: bool) -> io::Result<()> {
        let d = self.dialog(false);
        let containers: &[u32] = if self.heavy { &[2] } else { &[2, 3] };
        let body = sip::publish_state(&mut self.rng, USER, containers);
        let req = self.service(&d, "application/msrtc-category-publish+xml", &body)?;
        if answer {
            let cats = if self.heavy {
                let t = self.publish_time();
                sip::state_category(&mut self.rng, USER, &t)
            } else {
                self.categories(USER)
            };
            let roaming = format!("<roamingData xmlns=\"http://schemas.microsoft.com/2006/09/sip/roaming-self\" cat=\"http://schemas.microsoft.com/2006/09/sip/categories\">{cats}</roamingData>");
            let tag = self.rng.hex(32).to_uppercase();
            let resp = self.response(
                &req,
                200,
                "OK",
                &tag,
                "",
                "application/vnd-microsoft-roaming-self+xml",
                &roaming,
            );
            self.packet(false, &resp)?;
        }
        Ok(())
    }

    fn im(&mut self, fail: bool) -> io::Result<()> {
        let mut d = self.dialog(true);
        let peer = self.contact();
        let conv = self.rng.hex(22).to_uppercase();
        let sdp = "v=0\r\no=- 0 0 IN IP4 192.168.1.51\r\ns=session\r\nc=IN IP4 192.168.1.51\r\nt=0 0\r\nm=message 5060 sip null\r\na=accept-types:text/plain text/html text/rtf multipart/alternative image/gif multipart/related application/im-iscomposing+xml application/ms-imdn+xml text/x-msmsgsinvite\r\n".to_string();
        let extra = format!("Ms-Conversation-ID: {conv}\r\nSupported: ms-dialog-route-set-update\r\nSupported: timer\r\nSupported: histinfo\r\nSupported: ms-safe-transfer\r\nSupported: ms-sender\r\nSupported: ms-early-media\r\nms-keep-alive: UAC;hop-hop=yes\r\nms-text-format: text/plain; charset=UTF-8;ms-body=SGksIGRvIHlvdSBoYXZlIGEgbWludXRlPw==\r\n");
        let invite = self.request(
            "INVITE",
            &format!("sip:{peer}"),
            &format!("sip:{peer}"),
            &d,
            1,
            &extra,
            "application/sdp",
            &sdp,
        );
        self.packet(true, &invite)?;
        self.tick(30, 90);
        let trying = self.response(&invite, 100, "Trying", "", "", "", "");
        self.packet(false, &trying.replace(";tag=\r\n", "\r\n"))?;
        let to_tag = self.rng.hex(10);
        if fail {
            self.tick(8000, 14000);
            let diag = "ms-diagnostics: 13004;reason=\"Request was proxied to one or more registered endpoints\";source=\"FE01.limcm.com\";appName=\"InboundRouting\"\r\n";
            let resp = self.response(
                &invite,
                480,
                "Temporarily Unavailable",
                &to_tag,
                diag,
                "",
                "",
            );
            self.packet(false, &resp)?;
            self.tick(2, 10);
            d.to_tag = Some(to_tag);
            let ack = invite_ack(&invite, &d);
            return self.packet(true, &ack);
        }
        self.tick(800, 4000);
        let ok_sdp = sdp.replace("192.168.1.51", "192.168.1.60");
        let ok = self.response(
            &invite,
            200,
            "OK",
            &to_tag,
            "Contact: <sip:192.168.1.60:6521;transport=tls>\r\n",
            "application/sdp",
            &ok_sdp,
        );
        self.packet(false, &ok)?;
        d.to_tag = Some(to_tag);
        d.branch = true;
        self.tick(3, 15);
        let ack = self.request(
            "ACK",
            &format!("sip:{peer}"),
            &format!("sip:{peer}"),
            &d,
            1,
            "",
            "",
            "",
        );
        self.packet(true, &ack)?;
        let lines = 1 + self.rng.below(6) as u32;
        for i in 0..lines {
            self.tick(2000, 20000);
            let text = *self.rng.pick(IM_TEXTS);
            let msg = self.request(
                "MESSAGE",
                &format!("sip:{peer}"),
                &format!("sip:{peer}"),
                &d,
                2 + i,
                "",
                "text/plain; charset=UTF-8",
                text,
            );
            self.packet(true, &msg)?;
            self.tick(40, 300);
            let ok = self.response(&msg, 200, "OK", "", "", "", "");
            self.packet(false, &ok)?;
        }
        self.tick(5000, 30000);
        let bye = self.request(
            "BYE",
            &format!("sip:{peer}"),
            &format!("sip:{peer}"),
            &d,
            2 + lines,
            "",
            "",
            "",
        );
        self.packet(true, &bye)?;
        self.tick(40, 120);
        let ok = self.response(&bye, 200, "OK", "", "", "", "");
        self.packet(false, &ok)
    }

    fn failed_subscribe(&mut self) -> io::Result<()> {
        let d = self.dialog(false);
        let c = self.contact();
        let req = self.request("SUBSCRIBE", &format!("sip:{c}"), &format!("sip:{c}"), &d, 1, "Event: presence\r\nSupported: ms-benotify\r\nAccept: application/msrtc-event-categories+xml\r\n", "", "");
        self.packet(true, &req)?;
        self.tick(40, 200);
        let diag = "ms-diagnostics: 1007;reason=\"Temporarily cannot route\";source=\"FE01.limcm.com\";Domain=\"limcm.com\";PeerServer=\"pool.limcm.com\"\r\nRetry-After: 30\r\n";
        let tag = self.rng.hex(8).to_uppercase();
        let resp = self.response(&req, 503, "Service Unavailable", &tag, diag, "", "");
        self.packet(false, &resp)
    }

    /// Presence-heavy: a SUBSCRIBE for one contact, a conversation of its own. Mostly answered with the
    /// contact's state piggy-backed, sometimes followed by a few NOTIFYs the client answers; sometimes refused.
    fn single_subscribe(&mut self) -> io::Result<()> {
        let mut d = self.dialog(true);
        let c = self.contact();
        let req = self.request(
            "SUBSCRIBE",
            &format!("sip:{c}"),
            &format!("sip:{c}"),
            &d,
            1,
            "Event: presence\r\nAccept: application/msrtc-event-categories+xml\r\nSupported: ms-piggyback-first-notify\r\nExpires: 600\r\n",
            "",
            "",
        );
        self.packet(true, &req)?;
        self.tick(20, 150);
        let tag = self.rng.hex(32).to_uppercase();
        match self.rng.below(100) {
            0..=5 => {
                let diag = "ms-diagnostics: 4005;reason=\"Destination URI either not enabled for SIP or does not exist\";source=\"FE01.limcm.com\"\r\n";
                let resp = self.response(&req, 404, "Not Found", &tag, diag, "", "");
                return self.packet(false, &resp);
            }
            6..=8 => {
                let diag = "ms-diagnostics: 1007;reason=\"Temporarily cannot route\";source=\"FE01.limcm.com\"\r\nRetry-After: 60\r\n";
                let resp = self.response(&req, 503, "Service Unavailable", &tag, diag, "", "");
                return self.packet(false, &resp);
            }
            _ => {}
        }
        let t = self.publish_time();
        let body = sip::state_category(&mut self.rng, &c, &t);
        let extra = "Expires: 600\r\nEvent: presence\r\nsubscription-state: active;expires=600\r\nms-piggyback-cseq: 1\r\nSupported: ms-piggyback-first-notify\r\n";
        let resp = self.response(
            &req,
            200,
            "OK",
            &tag,
            extra,
            "application/msrtc-event-categories+xml",
            &body,
        );
        self.packet(false, &resp)?;
        if !self.rng.chance(40) {
            return Ok(());
        }
        // The contact changes state: NOTIFYs on this dialog, each answered.
        d.to_tag = Some(tag.clone());
        for cseq in 2..2 + self.rng.range(1, 4) as u32 {
            self.tick(5, 300);
            let t = self.publish_time();
            let body = sip::state_category(&mut self.rng, &c, &t);
            let (branch, auth) = (self.rng.hex(8), self.server_auth());
            let mut n = format!(
                "NOTIFY sip:{LOCAL};transport=tls;ms-opaque=d3470f2e1d;ms-received-cid=17700;grid SIP/2.0\r\nVia: SIP/2.0/TLS 192.168.1.7:5061;branch=z9hG4bK{branch};ms-received-cid=17F00\r\nMax-Forwards: 69\r\nFrom: <sip:{c}>;tag={tag}\r\nTo: <sip:{USER}>;tag={};epid={}\r\nCall-ID: {}\r\nCSeq: {cseq} NOTIFY\r\nEvent: presence\r\nsubscription-state: active;expires=600\r\n{auth}",
                d.from_tag, self.epid, d.call_id
            );
            content(&mut n, "application/msrtc-event-categories+xml", &body);
            self.packet(false, &n)?;
            self.tick(2, 40);
            let ok = self.response(&n, 200, "OK", "", "", "", "");
            self.packet(true, &ok)?;
        }
        Ok(())
    }

    /// Presence-heavy: the client tells the server who watches it (SERVICE setSubscribers), a conversation of its
    /// own.
    fn set_subscribers(&mut self) -> io::Result<()> {
        let d = self.dialog(false);
        let subscribers: String = (0..self.rng.range(1, 4))
            .map(|_| {
                let c = self.contact();
                format!("<subscriber user=\"{c}\" humanSubscriber=\"true\" displayName=\"{}\" subscribeTime=\"{}\"/>", self.rng.pick(sip::NAMES), self.publish_time())
            })
            .collect();
        let body = format!("<setSubscribers xmlns=\"http://schemas.microsoft.com/2006/09/sip/presence-subscribers\">{subscribers}</setSubscribers>");
        let req = self.service(&d, "application/msrtc-presence-setsubscriber+xml", &body)?;
        let tag = self.rng.hex(32).to_uppercase();
        let resp = self.response(&req, 200, "OK", &tag, "", "", "");
        self.packet(false, &resp)
    }

    /// Presence-heavy: a sign-in, the contact list subscribed in batches of 200, then short conversations at a
    /// fast pace.
    fn run_heavy(&mut self, target: u64) -> io::Result<()> {
        self.noise(8)?;
        self.sign_in()?;
        for from in (0..self.contacts.len()).step_by(200) {
            let to = (from + 200).min(self.contacts.len());
            self.batch_subscribe(from..to, 20)?;
            self.tick(50, 300);
        }
        let mut next_register = self.now + 600_000;
        while self.stats.bytes < target {
            self.tick(50, 2_500);
            if self.now >= next_register {
                self.reregister()?;
                next_register = self.now + 600_000;
                continue;
            }
            match self.rng.below(100) {
                0..=26 => self.benotify_storm()?,
                27..=48 => self.single_subscribe()?,
                49..=68 => self.publish(true)?,
                69..=69 => self.publish(false)?,
                70..=80 => self.set_subscribers()?,
                81..=84 => {
                    let fail = self.rng.chance(15);
                    self.im(fail)?
                }
                85..=87 => self.failed_subscribe()?,
                _ => {
                    let n = 1 + self.rng.below(4);
                    self.noise(n)?
                }
            }
        }
        self.out.flush()
    }

    fn run(&mut self, target: u64) -> io::Result<()> {
        if self.heavy {
            return self.run_heavy(target);
        }
        self.noise(8)?;
        self.sign_in()?;
        let all = 0..self.contacts.len();
        self.batch_subscribe(all, 40)?;
        let mut next_register = self.now + 600_000;
        while self.stats.bytes < target {
            self.tick(200, 15_000);
            if self.now >= next_register {
                self.reregister()?;
                next_register = self.now + 600_000;
                continue;
            }
            match self.rng.below(100) {
                0..=59 => self.benotify_storm()?,
                60..=74 => self.publish(true)?,
                75..=75 => self.publish(false)?,
                76..=87 => {
                    let fail = self.rng.chance(15);
                    self.im(fail)?
                }
                88..=89 => self.failed_subscribe()?,
                _ => {
                    let n = 3 + self.rng.below(20);
                    self.noise(n)?
                }
            }
        }
        self.out.flush()
    }

    fn reregister(&mut self) -> io::Result<()> {
        let d = self.dialog(true);
        let req = self.request(
            "REGISTER",
            "sip:limcm.com",
            &format!("sip:{USER}"),
            &d,
            5,
            "Event: registration\r\nSupported: gruu-10, adhoclist, msrtc-event-categories\r\n",
            "",
            "",
        );
        self.packet(true, &req)?;
        self.tick(40, 120);
        let resp = self.response(&req, 200, "OK", "6C3D0080", "Expires: 7200\r\n", "", "");
        self.packet(false, &resp)
    }
}

#[derive(Clone)]
struct Dialog {
    call_id: String,
    from_tag: String,
    to_tag: Option<String>,
    branch: bool,
}

/// ACK for a non-2xx final response: same branch, same CSeq number as the INVITE.
fn invite_ack(invite: &str, d: &Dialog) -> String {
    let mut out = String::new();
    let mut lines = invite.split("\r\n");
    let start = lines.next().unwrap_or("").replacen("INVITE", "ACK", 1);
    out.push_str(&start);
    out.push_str("\r\n");
    for l in lines {
        if l.is_empty() {
            break;
        }
        let lower = l.to_ascii_lowercase();
        if lower.starts_with("content-") || lower.starts_with("ms-text-format") {
            continue;
        }
        if lower.starts_with("cseq:") {
            out.push_str("CSeq: 1 ACK\r\n");
        } else if lower.starts_with("to:") {
            out.push_str(&format!(
                "{l};tag={}\r\n",
                d.to_tag.as_deref().unwrap_or("")
            ));
        } else {
            out.push_str(l);
            out.push_str("\r\n");
        }
    }
    out.push_str("Content-Length: 0\r\n\r\n");
    out
}

/// Generate a log into `out`.
pub fn generate<W: Write>(cfg: &Config, out: &mut W) -> io::Result<Stats> {
    let mut rng = Rng(cfg.seed);
    let epid = rng.hex(10);
    let tag_base = rng.hex(10);
    let n = if cfg.presence_heavy {
        cfg.contacts.max(1200)
    } else {
        cfg.contacts.max(1)
    };
    let contacts = (1..=n).map(|i| format!("user{i}@limcm.com")).collect();
    // 2018-03-30 08:30:00 local.
    let start = ((17_620i64 * 24 + 8) * 60 + 30) * 60_000;
    let mut g = Gen {
        out,
        rng,
        now: start,
        stats: Stats::default(),
        contacts,
        cnum: 0,
        epid,
        tag_base,
        presence: Vec::new(),
        heavy: cfg.presence_heavy,
    };
    g.run(cfg.target_bytes)?;
    Ok(g.stats)
}
