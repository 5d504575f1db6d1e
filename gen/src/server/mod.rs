//! The server format: a Front End's CLS / OCSLogger SIPStack text trace (what `Search-CsClsLogging` or Snooper
//! saves), from FE01 of pool `pool.limcm.com`, times in UTC.
//!
//! Every SIP message FE01 receives or sends is a `TL_INFO(TF_PROTOCOL) … $$begin_record` record with
//! Trace-Correlation-Id, Instance-Id, Direction, Peer, Message-Type, Start-Line, the headers, Content-Length and
//! `Message-Body:` (`–` when empty; the body's last line break is left out, as the server does), then
//! `$$end_record`. Between them: `TF_DIAG` diagnostic records about failed routing, `TF_CONNECTION` records and
//! plain `TF_COMPONENT` trace lines.
//!
//! The story: thousands of users homed on FE01 sign in (NTLM, Kerberos or TLS-DSK challenges), internal ones
//! directly and remote ones through the Access Edge (Edge's Via on top, `ms-edge-proxy-message-trust`); each
//! subscribes to its contacts' presence in a batch and publishes its state with SERVICE, and every change of
//! state goes out as BENOTIFYs to its watchers. IMs and calls are proxied — to a user on FE01, to FE02 / FE03 where
//! the other party is homed, or to the Mediation Server for the PSTN — with Via and Record-Route chains of the
//! pool's servers; some fail (480 / 486 / 487 with ms-diagnostics; a pool member that does not answer: 504 and a
//! diagnostic record). Subscriptions to contacts on the other servers get NOTIFYs, or 503 when the home server
//! cannot be reached.

mod calls;
mod trace;

use trace::http_date;

use crate::sip::{self, Dlg, Msg, IM_TEXTS};
use crate::{Config, Out, Rng, Stats};
use sipscope::base::time::Timestamp;
use std::io::{self, Write};

const MACHINE: &str = "FE01";
const FE_IP: &str = "192.168.1.7";
const FE_FQDN: &str = "FE01.limcm.com";
const POOL: &str = "pool.limcm.com";
const DOMAIN: &str = "limcm.com";
const EDGE_PEER: &str = "192.168.1.6:50001";
const EDGE_FQDN: &str = "edge01.limcm.local";
const MED_PEER: &str = "192.168.1.12:5070";
const MED_FQDN: &str = "med01.limcm.com";
/// The other pool members: (FQDN, peer).
const PEERS: &[(&str, &str)] = &[
    ("FE02.limcm.com", "192.168.1.8:5061"),
    ("FE03.limcm.com", "192.168.1.9:5061"),
];
const UA: &str = "UCCAPI/16.0.4849.1000 OC/16.0.4849.1000 (Skype for Business)";
const SERVER: &str = "RTC/6.0";
const THREADS: &[&str] = &["0A3C.1B2C", "0A3C.0F18", "0A3C.2D04", "0A3C.1E60"];
/// Users homed on FE01.
const USERS: usize = 3_000;
/// Contacts homed elsewhere in the pool (FE02, FE03): `user{USERS+1}…`.
const OTHERS: usize = 6_000;
const TRUST: &str = "ms-source-type=InternetUser;ms-ep-fqdn=acc.limcm.com;ms-source-verified-user=verified;ms-source-network=publicinternet";
const COMPONENT: &[&str] = &[
    "(SIPStack,CSIPTransportLayer::AcceptConnection:SIPTransportLayer.cpp(1204)) Accepted incoming connection from 192.168.1.6:50001 (M-TLS)",
    "(SIPStack,CRegistrarDB::UpdateEndpoint:RegistrarDB.cpp(733)) Endpoint state updated, 1 row",
    "(SIPStack,CSIPProxy::ProcessRequest:SIPProxy.cpp(1877)) Routing request to the home server of the target",
    "(SIPStack,CPresenceFanout::QueueNotification:PresenceFanout.cpp(412)) Queued category change for subscribers",
    "(SIPStack,CSIPTransportLayer::KeepAlive:SIPTransportLayer.cpp(955)) Keep-alive received on connection 0x17F00",
    "(SIPStack,CUserServices::OnHealthCheck:UserServices.cpp(288)) Back-end database latency 12 ms",
];

/// Where a message comes from or goes to, as FE01 sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hop {
    /// The Access Edge's internal side (remote users).
    Edge,
    /// An internal user's client, by user index.
    Client(usize),
    /// FE02 or FE03.
    Peer(usize),
    /// The Mediation Server.
    Mediation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Auth {
    Ntlm,
    Kerberos,
    TlsDsk,
}

#[derive(Debug)]
struct User {
    uri: String,
    ip: String,
    port: u16,
    /// The NAT's address the Edge saw: a remote user.
    public: Option<String>,
    epid: String,
    gruu: String,
    cid: String,
    auth: Auth,
    /// The registration dialog while signed in.
    reg: Option<Dlg>,
    /// The presence subscription: the client's dialog, the server's tag, the last BENOTIFY CSeq.
    sub: Option<(Dlg, String, u32)>,
    cnum: u32,
}

/// A call in progress, torn down at `end`.
#[derive(Debug)]
struct Call {
    end: i64,
    caller: usize,
    callee: Hop,
    /// The INVITE as FE01 received it and as it forwarded it, and the final response's To tag.
    invite: Msg,
    forwarded: Msg,
    to_tag: String,
}

struct Gen<'w, W: Write> {
    out: Out<'w, W>,
    rng: Rng,
    /// UTC, ms since 1970.
    now: i64,
    seq: u32,
    corr: u64,
    instance: u32,
    users: Vec<User>,
    /// Signed-in users, in sign-in order (removal keeps the order deterministic).
    online: Vec<usize>,
    calls: Vec<Call>,
}

impl<W: Write> Gen<'_, W> {
    fn tick(&mut self, min_ms: i64, max_ms: i64) {
        self.now += self.rng.range(min_ms as u64, max_ms as u64) as i64;
    }

    fn user_hop(&self, u: usize) -> Hop {
        if self.users[u].public.is_some() {
            Hop::Edge
        } else {
            Hop::Client(u)
        }
    }

    fn new_dialog(&mut self) -> Dlg {
        self.out.stats.conversations += 1;
        Dlg {
            call_id: self.rng.hex(32),
            tag: self.rng.hex(10),
            cseq: 0,
        }
    }

    fn fe_branch(&mut self) -> String {
        format!(
            "z9hG4bK{}.{};branched=FALSE;ms-internal-info=\"{}AA\"",
            self.rng.hex(8).to_uppercase(),
            self.rng.hex(16).to_uppercase(),
            self.rng.hex(24)
        )
    }

    fn fe_via(&mut self) -> String {
        format!("SIP/2.0/TLS {FE_IP}:5061;branch={}", self.fe_branch())
    }

    fn fe_record_route(&mut self) -> String {
        format!(
            "<sip:{POOL}:5061;transport=tls;ms-fe={FE_FQDN};lr;ms-route-sig={}>",
            self.rng.hex(40)
        )
    }

    /// A request as user `u`'s client sends it.
    fn client_request(&mut self, u: usize, method: &str, uri: &str, to: &str, d: &Dlg) -> Msg {
        let branch = self.rng.hex(32).to_uppercase();
        let user = &self.users[u];
        Msg::request(method, uri)
            .h(
                "Via",
                format!(
                    "SIP/2.0/TLS {}:{};branch=z9hG4bK{branch}-{}",
                    user.ip, user.port, d.cseq
                ),
            )
            .h("Max-Forwards", "70")
            .h(
                "From",
                format!("<sip:{}>;tag={};epid={}", user.uri, d.tag, user.epid),
            )
            .h("To", format!("<{to}>"))
            .h("Call-ID", d.call_id.clone())
            .h("CSeq", format!("{} {method}", d.cseq))
    }

    /// The client's signature on a request, once signed in.
    fn sign(&mut self, u: usize, m: Msg) -> Msg {
        self.users[u].cnum += 1;
        let (cnum, auth) = (self.users[u].cnum, self.users[u].auth);
        let crand = self.rng.hex(8);
        let value = match auth {
            Auth::TlsDsk => format!("TLS-DSK qop=\"auth\", realm=\"SIP Communications Service\", opaque=\"7A3C0E95\", targetname=\"{FE_FQDN}\", crand=\"{crand}\", cnum=\"{cnum}\", response=\"{}\"", self.rng.hex(40)),
            Auth::Ntlm => format!("NTLM qop=\"auth\", realm=\"SIP Communications Service\", opaque=\"2E1D4A7C\", targetname=\"{FE_FQDN}\", crand=\"{crand}\", cnum=\"{cnum}\", response=\"01000000{}\"", self.rng.hex(24)),
            Auth::Kerberos => format!("Kerberos qop=\"auth\", realm=\"SIP Communications Service\", opaque=\"5B08C3F1\", targetname=\"sip/{FE_FQDN}\", crand=\"{crand}\", cnum=\"{cnum}\", response=\"{}\"", self.rng.hex(64)),
        };
        m.h("Proxy-Authorization", value)
    }

    /// FE01's signature on what it sends a signed-in client.
    fn server_sign(&mut self, u: usize, m: Msg) -> Msg {
        let (cnum, auth) = (self.users[u].cnum, self.users[u].auth);
        let scheme = match auth {
            Auth::TlsDsk => "TLS-DSK",
            Auth::Ntlm => "NTLM",
            Auth::Kerberos => "Kerberos",
        };
        let value = format!("{scheme} qop=\"auth\", opaque=\"7A3C0E95\", srand=\"{}\", snum=\"{cnum}\", rspauth=\"{}\", targetname=\"{FE_FQDN}\", realm=\"SIP Communications Service\", version=4", self.rng.hex(8).to_uppercase(), self.rng.hex(40));
        m.h("Authentication-Info", value)
    }

    /// A client's request as it reaches FE01: through the Edge (its Via on top, the trust header) or directly.
    fn arrive(&mut self, u: usize, m: &Msg) -> Msg {
        let mut m = m.clone();
        let (port, cid) = (self.users[u].port, self.users[u].cid.clone());
        let via = m.headers.iter_mut().find(|(n, _)| *n == "Via");
        match self.users[u].public.clone() {
            Some(public) => {
                if let Some(v) = via {
                    v.1.push_str(&format!(
                        ";received={public};ms-received-port={port};ms-received-cid={cid}"
                    ));
                }
                let edge_via = format!(
                    "SIP/2.0/TLS {EDGE_PEER};branch={};ms-received-port=50001;ms-received-cid=17F00",
                    self.fe_branch()
                );
                let rr = matches!(m.method(), "INVITE" | "SUBSCRIBE").then(|| {
                    format!(
                        "<sip:{EDGE_FQDN}:5061;transport=tls;opaque=state:Ci.R{cid};lr;ms-route-sig={}>",
                        self.rng.hex(40)
                    )
                });
                let mut m = m.forward(edge_via, rr);
                let at = m
                    .headers
                    .iter()
                    .position(|(n, _)| *n == "Max-Forwards")
                    .map_or(0, |i| i + 1);
                m.headers
                    .insert(at, ("ms-edge-proxy-message-trust", TRUST.to_string()));
                m
            }
            None => {
                if let Some(v) = via {
                    v.1.push_str(&format!(";ms-received-port={port};ms-received-cid={cid}"));
                }
                m
            }
        }
    }

    /// FE01's own response to a request it received.
    fn reply(&mut self, u: usize, req: &Msg, status: u16, reason: &str, tag: &str) -> Msg {
        let mut r = req
            .response(status, reason)
            .with_to_tag(tag)
            .without_received();
        if self.users[u].public.is_some() {
            r.headers
                .insert(0, ("ms-user-logon-data", "RemoteUser".to_string()));
        }
        r
    }

    fn contact_uri(&self, u: usize) -> String {
        let user = &self.users[u];
        format!("<sip:{};opaque=user:epid:{};gruu>", user.uri, user.gruu)
    }

    /// Where FE01 sends a request for user `u`: its client's contact.
    fn user_target(&self, u: usize) -> String {
        let user = &self.users[u];
        format!(
            "sip:{}:{};transport=tls;ms-opaque={};ms-received-cid={};grid",
            user.ip,
            user.port,
            &user.epid[..8],
            user.cid
        )
    }

    fn sign_in(&mut self, u: usize) -> io::Result<()> {
        let mut d = self.new_dialog();
        let remote = self.users[u].public.is_some();
        let uri = format!("sip:{}", self.users[u].uri);
        let register = |g: &mut Self, d: &Dlg, auth: Option<String>| {
            let user = &g.users[u];
            let contact = format!("<sip:{}:{};transport=tls;ms-opaque={}>;methods=\"INVITE, MESSAGE, INFO, SUBSCRIBE, OPTIONS, BYE, CANCEL, NOTIFY, ACK, REFER, BENOTIFY\";proxy=replace;+sip.instance=\"<urn:uuid:{}>\"", user.ip, user.port, &user.epid[..8], user.gruu);
            let mut m = g
                .client_request(u, "REGISTER", &format!("sip:{DOMAIN}"), &uri, d)
                .h("Contact", contact)
                .h("User-Agent", UA)
                .h(
                    "Supported",
                    "gruu-10, adhoclist, msrtc-event-categories, com.microsoft.msrtc.presence",
                )
                .h("Supported", "ms-forking")
                .h("ms-keep-alive", "UAC;hop-hop=yes")
                .h("Event", "registration");
            if let Some(a) = auth {
                m = m.h("Authorization", a);
            }
            let m = g.arrive(u, &m);
            (m, g.user_hop(u))
        };
        // 1: no credentials; the server offers what it takes.
        d.cseq = 1;
        let (req, hop) = register(self, &d, None);
        self.incoming(hop, &req)?;
        let server_tag = self.rng.hex(32).to_uppercase();
        let mut r = self
            .reply(u, &req, 401, "Unauthorized", &server_tag)
            .h("Date", http_date(self.now));
        if !remote {
            r = r.h("WWW-Authenticate", format!("Kerberos realm=\"SIP Communications Service\", targetname=\"sip/{FE_FQDN}\", version=4"));
        }
        r = r
            .h("WWW-Authenticate", format!("NTLM realm=\"SIP Communications Service\", targetname=\"{FE_FQDN}\", version=4"))
            .h("WWW-Authenticate", format!("TLS-DSK realm=\"SIP Communications Service\", targetname=\"{FE_FQDN}\", version=4, sts-uri=\"https://{FE_FQDN}:443/CertProv/CertProvisioningService.svc\""))
            .h("Server", SERVER);
        self.outgoing(hop, &r)?;
        self.tick(30, 400);
        // 2 (and 3): the security handshake.
        let rounds = match self.users[u].auth {
            Auth::Kerberos => vec![("Kerberos", 1400, 0)],
            Auth::Ntlm => vec![("NTLM", 0, 260), ("NTLM", 420, 0)],
            Auth::TlsDsk => vec![("TLS-DSK", 700, 3200), ("TLS-DSK", 380, 0)],
        };
        for (scheme, client_bytes, challenge_bytes) in rounds {
            d.cseq += 1;
            let target = if scheme == "Kerberos" {
                format!("sip/{FE_FQDN}")
            } else {
                FE_FQDN.to_string()
            };
            let auth = format!(
                "{scheme} qop=\"auth\", realm=\"SIP Communications Service\", targetname=\"{target}\", gssapi-data=\"{}\", version=4",
                sip::base64ish(&mut self.rng, client_bytes)
            );
            let (req, hop) = register(self, &d, Some(auth));
            self.incoming(hop, &req)?;
            if challenge_bytes > 0 {
                let chal = format!("{scheme} opaque=\"{}\", gssapi-data=\"{}\", targetname=\"{target}\", realm=\"SIP Communications Service\", version=4", self.rng.hex(8).to_uppercase(), sip::base64ish(&mut self.rng, challenge_bytes));
                let r = self
                    .reply(u, &req, 401, "Unauthorized", &server_tag)
                    .h("Date", http_date(self.now))
                    .h("WWW-Authenticate", chal)
                    .h("Server", SERVER);
                self.outgoing(hop, &r)?;
                self.tick(20, 200);
                continue;
            }
            let user = &self.users[u];
            let contact = format!("<sip:{}:{};transport=tls;ms-opaque={};ms-received-cid={};grid>;expires=7200;+sip.instance=\"<urn:uuid:{}>\";gruu=\"sip:{};opaque=user:epid:{};gruu\"", user.ip, user.port, &user.epid[..8], user.cid, user.gruu, user.uri, user.gruu);
            let r = self.reply(u, &req, 200, "OK", &server_tag);
            let r = self
                .server_sign(u, r)
                .h("Contact", contact)
                .h("Expires", "7200")
                .h("presence-state", "register-action=\"added\"")
                .h("Allow-Events", "vnd-microsoft-provisioning,vnd-microsoft-roaming-contacts,vnd-microsoft-roaming-ACL,presence,presence.wpending,vnd-microsoft-roaming-self,vnd-microsoft-provisioning-v2")
                .h("Supported", "adhoclist")
                .h("Server", SERVER)
                .h("Supported", "msrtc-event-categories")
                .h("Supported", "ms-keepalive-deregistration");
            self.outgoing(hop, &r)?;
        }
        self.users[u].reg = Some(d);
        self.online.push(u);
        self.tick(50, 400);
        self.subscribe_contacts(u)?;
        self.tick(50, 400);
        self.publish(u)
    }

    fn contact_of(&mut self) -> (usize, String) {
        let i = self.rng.below((USERS + OTHERS) as u64) as usize;
        (i, format!("user{}@{DOMAIN}", i + 1))
    }

    /// The batch presence subscription after sign-in, answered by FE01 with the first contacts' state.
    fn subscribe_contacts(&mut self, u: usize) -> io::Result<()> {
        let mut d = self.new_dialog();
        d.cseq = 1;
        let me = format!("sip:{}", self.users[u].uri);
        let contacts: Vec<String> = (0..self.rng.range(8, 60))
            .map(|_| self.contact_of().1)
            .collect();
        let resources: String = contacts
            .iter()
            .map(|c| format!("<resource uri=\"sip:{c}\"/>"))
            .collect();
        let body = format!(
            "<batchSub xmlns=\"http://schemas.microsoft.com/2006/01/sip/batch-subscribe\" uri=\"{me}\" name=\"\"><action name=\"subscribe\" id=\"{}\"><adhocList>{resources}</adhocList><categoryList xmlns=\"http://schemas.microsoft.com/2006/09/sip/categorylist\"><category name=\"calendarData\"/><category name=\"contactCard\"/><category name=\"note\"/><category name=\"state\"/><category name=\"services\"/></categoryList></action></batchSub>",
            self.rng.below(4_000_000_000)
        );
        let contact = self.contact_uri(u);
        let m = self
            .client_request(u, "SUBSCRIBE", &me, &me, &d)
            .h("Contact", contact)
            .h("User-Agent", UA)
            .h("Event", "presence")
            .h("Accept", "application/msrtc-event-categories+xml, application/xpidf+xml, text/xml+msrtc.pidf, application/pidf+xml, application/rlmi+xml, multipart/related")
            .h("Supported", "com.microsoft.autoextend")
            .h("Supported", "ms-benotify")
            .h("Proxy-Require", "ms-benotify")
            .h("Supported", "ms-piggyback-first-notify")
            .h("Supported", "eventlist")
            .h("Require", "adhoclist, categoryList");
        let m = self
            .sign(u, m)
            .body("application/msrtc-adrl-categorylist+xml", body);
        let hop = self.user_hop(u);
        let req = self.arrive(u, &m);
        self.incoming(hop, &req)?;
        self.tick(10, 120);
        let boundary = self.rng.hex(32);
        let mut multipart = format!("--{boundary}\r\nContent-Transfer-Encoding: binary\r\nContent-ID: resourceList\r\nContent-Type: application/rlmi+xml\r\n\r\n<list xmlns=\"urn:ietf:params:xml:ns:rlmi\" uri=\"{me}\" version=\"0\" fullState=\"false\"/>\r\n");
        let t = Timestamp(self.now).to_string();
        for c in contacts.iter().take(8) {
            let cats = sip::state_category(&mut self.rng, c, &t);
            multipart.push_str(&format!("--{boundary}\r\nContent-Transfer-Encoding: binary\r\nContent-Type: application/msrtc-event-categories+xml\r\n\r\n{cats}\r\n"));
        }
        multipart.push_str(&format!("--{boundary}--"));
        let tag = self.rng.hex(32).to_uppercase();
        let rr = self.fe_record_route();
        let r = self.reply(u, &req, 200, "OK", &tag);
        let r = self
            .server_sign(u, r.record_route(rr))
            .h("Expires", "31535")
            .h("Require", "eventlist")
            .h("Event", "presence")
            .h("subscription-state", "active;expires=31535")
            .h("ms-piggyback-cseq", "1")
            .h("Supported", "ms-piggyback-first-notify")
            .h("Server", SERVER)
            .body(
                &format!("multipart/related; type=\"application/rlmi+xml\";start=resourceList; boundary={boundary}"),
                multipart,
            );
        self.outgoing(hop, &r)?;
        self.users[u].sub = Some((d, tag, 1));
        Ok(())
    }

    /// A user publishes its state (SERVICE); FE01 answers with the user's roaming-self state.
    fn publish(&mut self, u: usize) -> io::Result<()> {
        let mut d = self.new_dialog();
        d.cseq = 1;
        let me = format!("sip:{}", self.users[u].uri);
        let body = sip::publish_state(&mut self.rng, &self.users[u].uri.clone(), &[2, 3]);
        let contact = self.contact_uri(u);
        let m = self
            .client_request(u, "SERVICE", &me, &me, &d)
            .h("Contact", contact)
            .h("User-Agent", UA);
        let m = self
            .sign(u, m)
            .body("application/msrtc-category-publish+xml", body);
        let hop = self.user_hop(u);
        let req = self.arrive(u, &m);
        self.incoming(hop, &req)?;
        self.tick(5, 80);
        let t = Timestamp(self.now).to_string();
        let cats = sip::state_category(&mut self.rng, &me[4..], &t);
        let tag = self.rng.hex(32).to_uppercase();
        let r = self.reply(u, &req, 200, "OK", &tag);
        let r = self.server_sign(u, r).body(
            "application/vnd-microsoft-roaming-self+xml",
            format!("<roamingData xmlns=\"http://schemas.microsoft.com/2006/09/sip/roaming-self\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">{cats}</roamingData>"),
        );
        self.outgoing(hop, &r)
    }

    /// A contact's state changed: BENOTIFYs to some of the users watching it.
    fn fan_out(&mut self, contact: &str) -> io::Result<()> {
        let watchers = self.rng.range(1, 14).min(self.online.len() as u64);
        let t = Timestamp(self.now).to_string();
        for _ in 0..watchers {
            let w = *self.rng.pick(&self.online);
            let Some((d, tag, cseq)) = self.users[w].sub.clone() else {
                continue;
            };
            let cseq = cseq + 1;
            if let Some(s) = self.users[w].sub.as_mut() {
                s.2 = cseq;
            }
            let body = sip::state_category(&mut self.rng, contact, &t);
            let me = self.users[w].uri.clone();
            let via = self.fe_via();
            let m = Msg::request("BENOTIFY", &self.user_target(w))
                .h("Via", via)
                .h("Max-Forwards", "70")
                .h("From", format!("<sip:{me}>;tag={tag}"))
                .h(
                    "To",
                    format!("<sip:{me}>;tag={};epid={}", d.tag, self.users[w].epid),
                )
                .h("Call-ID", d.call_id.clone())
                .h("CSeq", format!("{cseq} BENOTIFY"))
                .h("Event", "presence")
                .h("subscription-state", "active;expires=31535")
                .h("Require", "eventlist");
            let m = self
                .server_sign(w, m)
                .body("application/msrtc-event-categories+xml", body);
            let hop = self.user_hop(w);
            self.outgoing(hop, &m)?;
        }
        Ok(())
    }

    fn random_online(&mut self) -> usize {
        *self.rng.pick(&self.online)
    }

    /// A subscription to one contact on another pool member: answered with NOTIFYs, or 503 when the member is
    /// out of reach.
    fn remote_subscribe(&mut self) -> io::Result<()> {
        let u = self.random_online();
        let c = USERS + self.rng.below(OTHERS as u64) as usize;
        let p = c % PEERS.len();
        let uri = format!("sip:user{}@{DOMAIN}", c + 1);
        let mut d = self.new_dialog();
        d.cseq = 1;
        let contact = self.contact_uri(u);
        let m = self
            .client_request(u, "SUBSCRIBE", &uri, &uri, &d)
            .h("Contact", contact)
            .h("User-Agent", UA)
            .h("Event", "presence")
            .h("Accept", "application/msrtc-event-categories+xml")
            .h("Supported", "ms-benotify")
            .h("Expires", "600");
        let m = self.sign(u, m);
        let hop = self.user_hop(u);
        let req = self.arrive(u, &m);
        self.incoming(hop, &req)?;
        let via = self.fe_via();
        let rr = self.fe_record_route();
        let fwd = req.forward(via, Some(rr));
        self.outgoing(Hop::Peer(p), &fwd)?;
        let tag = self.rng.hex(32).to_uppercase();
        if p == 1 && self.rng.chance(25) {
            self.tick(10_000, 10_400);
            self.diag(&fwd, PEERS[1].1, "Message could not be routed to the user's home server: the connection to the next hop timed out", "0xC3E93C0F SIPPROXY_E_CONNECTION_TIMED_OUT")?;
            let r = self
                .reply(u, &req, 503, "Service Unavailable", &tag)
                .h(
                    "ms-diagnostics",
                    format!("1007;reason=\"Temporarily cannot route\";source=\"{FE_FQDN}\""),
                )
                .h("Retry-After", "60")
                .h("Server", SERVER);
            return self.outgoing(hop, &r);
        }
        self.tick(10, 150);
        let t = Timestamp(self.now).to_string();
        let body = sip::state_category(&mut self.rng, &uri[4..], &t);
        let ok = self
            .callee_response(&fwd, 200, "OK", &tag, Hop::Peer(p))
            .h("Expires", "600")
            .h("subscription-state", "active;expires=600")
            .body("application/msrtc-event-categories+xml", body);
        self.incoming(Hop::Peer(p), &ok)?;
        self.outgoing(hop, &ok.upstream().without_received())?;
        // The contact changes state a few times: NOTIFY from its home server, through FE01, answered.
        for cseq in 1..=self.rng.below(4) as u32 {
            self.tick(50, 3_000);
            let t = Timestamp(self.now).to_string();
            let body = sip::state_category(&mut self.rng, &uri[4..], &t);
            let me = self.users[u].uri.clone();
            let peer_via = format!(
                "SIP/2.0/TLS {};branch=z9hG4bK{}",
                PEERS[p].1,
                self.rng.hex(16).to_uppercase()
            );
            let n = Msg::request("NOTIFY", &self.user_target(u))
                .h("Via", peer_via)
                .h("Max-Forwards", "70")
                .h(
                    "Route",
                    format!("<sip:{POOL}:5061;transport=tls;ms-fe={FE_FQDN};lr>"),
                )
                .h("From", format!("<{uri}>;tag={tag}"))
                .h(
                    "To",
                    format!("<sip:{me}>;tag={};epid={}", d.tag, self.users[u].epid),
                )
                .h("Call-ID", d.call_id.clone())
                .h("CSeq", format!("{cseq} NOTIFY"))
                .h("Event", "presence")
                .h("subscription-state", "active;expires=600")
                .body("application/msrtc-event-categories+xml", body);
            self.incoming(Hop::Peer(p), &n)?;
            let via = self.fe_via();
            let mut fwd = n.forward(via, None);
            fwd.remove("Route");
            let fwd = self.server_sign(u, fwd);
            self.outgoing(hop, &fwd)?;
            self.tick(10, 150);
            // The client's answer reaches FE01 with FE01's Via on top (the Edge took its own off).
            let ok = fwd
                .response(200, "OK")
                .with_to_tag(&d.tag)
                .h("User-Agent", UA);
            self.incoming(hop, &ok)?;
            self.outgoing(Hop::Peer(p), &ok.upstream().without_received())?;
        }
        Ok(())
    }

    /// Re-registration (same dialog, next CSeq), or sign-out (Expires: 0).
    fn reregister(&mut self, u: usize, sign_out: bool) -> io::Result<()> {
        let Some(mut d) = self.users[u].reg.clone() else {
            return Ok(());
        };
        d.cseq += 1;
        let uri = format!("sip:{}", self.users[u].uri);
        let user = &self.users[u];
        let contact = format!(
            "<sip:{}:{};transport=tls;ms-opaque={}>",
            user.ip,
            user.port,
            &user.epid[..8]
        );
        let mut m = self
            .client_request(u, "REGISTER", &format!("sip:{DOMAIN}"), &uri, &d)
            .h("Contact", contact)
            .h("User-Agent", UA)
            .h("Event", "registration");
        if sign_out {
            m = m.h("Expires", "0");
        }
        let m = self.sign(u, m);
        let hop = self.user_hop(u);
        let req = self.arrive(u, &m);
        self.incoming(hop, &req)?;
        self.tick(5, 60);
        let tag = self.rng.hex(32).to_uppercase();
        let r = self.reply(u, &req, 200, "OK", &tag);
        let r = self
            .server_sign(u, r)
            .h("Expires", if sign_out { "0" } else { "7200" })
            .h("Server", SERVER);
        self.outgoing(hop, &r)?;
        if sign_out {
            self.users[u].reg = None;
            self.users[u].sub = None;
            self.online.retain(|&o| o != u);
        } else {
            self.users[u].reg = Some(d);
        }
        Ok(())
    }

    fn run(&mut self, target: u64) -> io::Result<()> {
        for _ in 0..3 {
            self.noise()?;
        }
        while self.out.stats.bytes < target {
            self.tick(5, 400);
            self.hang_up()?;
            let offline = self.users.len() - self.online.len();
            let roll = if self.online.len() < 20 {
                0
            } else {
                self.rng.below(100)
            };
            match roll {
                0..=9 if offline > 0 => {
                    let mut u = self.rng.below(self.users.len() as u64) as usize;
                    while self.users[u].reg.is_some() {
                        u = (u + 1) % self.users.len();
                    }
                    self.sign_in(u)?
                }
                10..=11 if self.online.len() > 200 => {
                    let u = self.random_online();
                    self.reregister(u, true)?
                }
                0..=35 => {
                    let u = self.random_online();
                    self.publish(u)?;
                    let who = self.users[u].uri.clone();
                    self.fan_out(&who)?
                }
                36..=47 => {
                    let (_, who) = self.contact_of();
                    self.fan_out(&who)?
                }
                48..=59 => self.session(false)?,
                60..=69 => self.session(true)?,
                70..=79 => self.remote_subscribe()?,
                80..=89 => {
                    let u = self.random_online();
                    self.reregister(u, false)?
                }
                _ => self.noise()?,
            }
        }
        self.out.flush()
    }
}

/// The ms-received parameters FE01 notes on the top Via of what it receives are not sent back.
trait WithoutReceived {
    fn without_received(self) -> Self;
}

impl WithoutReceived for Msg {
    fn without_received(mut self) -> Msg {
        if let Some(v) = self.headers.iter_mut().find(|(n, _)| *n == "Via") {
            if let Some(i) = v.1.find(";ms-received-port=") {
                v.1.truncate(i);
            }
        }
        self
    }
}

/// Generate a server trace into `out`.
pub(crate) fn generate<W: Write>(cfg: &Config, out: &mut W) -> io::Result<Stats> {
    let mut rng = Rng(cfg.seed ^ 0x5E4F_E201);
    let users = (0..USERS)
        .map(|i| {
            let remote = rng.chance(35);
            let (ip, public) = if remote {
                (
                    format!("192.168.{}.{}", rng.range(0, 3), rng.range(2, 250)),
                    Some(format!(
                        "211.{}.{}.{}",
                        rng.range(100, 230),
                        rng.range(0, 255),
                        rng.range(1, 254)
                    )),
                )
            } else {
                (
                    format!("192.168.{}.{}", rng.range(10, 40), rng.range(2, 250)),
                    None,
                )
            };
            let auth = match (remote, rng.below(10)) {
                (true, 0..=2) | (false, 0..=1) => Auth::Ntlm,
                (true, _) | (false, 2..=3) => Auth::TlsDsk,
                (false, _) => Auth::Kerberos,
            };
            User {
                uri: format!("user{}@{DOMAIN}", i + 1),
                ip,
                port: rng.range(49_152, 65_000) as u16,
                public,
                epid: rng.hex(10),
                gruu: format!(
                    "{}-{}-{}-{}-{}",
                    rng.hex(8),
                    rng.hex(4),
                    rng.hex(4),
                    rng.hex(4),
                    rng.hex(12)
                )
                .to_uppercase(),
                cid: format!("{:X}", rng.range(0x1000, 0xFFFF)),
                auth,
                reg: None,
                sub: None,
                cnum: 0,
            }
        })
        .collect();
    // 2018-03-30 00:30:00 UTC (09:30 in Seoul).
    let start = ((17_620i64 * 24) * 60 + 30) * 60_000;
    let mut g = Gen {
        out: Out::new(out),
        rng,
        now: start,
        seq: 0x0001_C300,
        corr: 3_151_890_000,
        instance: 0x0001_A300,
        users,
        online: Vec::new(),
        calls: Vec::new(),
    };
    g.run(cfg.target_bytes)?;
    Ok(g.out.stats)
}
