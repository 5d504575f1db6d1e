//! IMs and calls through FE01: where the callee is homed (a client on FE01, FE02 / FE03, the Mediation
//! Server for the PSTN), how the callee answers or fails, the in-dialog requests and the hang-ups.

use super::*;

impl<W: Write> Gen<'_, W> {
    /// Where a user's contact is homed, and the request-URI FE01 sends to.
    pub(super) fn route_to(&mut self, contact: usize) -> (Hop, String) {
        if contact < USERS && self.users[contact].reg.is_some() {
            (self.user_hop(contact), self.user_target(contact))
        } else if contact < USERS {
            // Homed here but signed out: FE01 answers itself (see `im`).
            (Hop::Peer(0), String::new())
        } else {
            let p = contact % PEERS.len();
            (Hop::Peer(p), format!("sip:user{}@{DOMAIN}", contact + 1))
        }
    }

    /// The response a callee (a client or a pool member) sends to what FE01 forwarded.
    pub(super) fn callee_response(
        &mut self,
        fwd: &Msg,
        status: u16,
        reason: &str,
        tag: &str,
        callee: Hop,
    ) -> Msg {
        let mut r = fwd.response(status, reason);
        if status > 100 {
            r = r.with_to_tag(tag);
        }
        if callee == Hop::Mediation {
            r = r.h("Server", "RTCC/6.0.0.0 MediationServer");
            if status >= 300 {
                r = r.h(
                    "ms-diagnostics",
                    format!(
                        "10003;reason=\"Proxy returned a SIP failure code\";source=\"{MED_FQDN}\""
                    ),
                );
            }
        } else if let Hop::Peer(p) = callee {
            // The callee's home server record-routes too: its entry is on top.
            if (101..300).contains(&status) && matches!(fwd.method(), "INVITE" | "SUBSCRIBE") {
                let rr = format!(
                    "<sip:{POOL}:5061;transport=tls;ms-fe={};lr;ms-route-sig={}>",
                    PEERS[p].0,
                    self.rng.hex(40)
                );
                r = r.record_route(rr);
            }
            r = r.h("Server", SERVER);
            if status >= 300 {
                let (code, why) = match status {
                    480 => (
                        13004,
                        "Request was proxied to one or more registered endpoints",
                    ),
                    486 => (10003, "Proxy returned a SIP failure code"),
                    _ => (1007, "Temporarily cannot route"),
                };
                r = r.h(
                    "ms-diagnostics",
                    format!("{code};reason=\"{why}\";source=\"{}\"", PEERS[p].0),
                );
            }
        } else {
            r = r.h("User-Agent", UA);
        }
        r
    }

    /// An IM (`audio` false) or a call: INVITE through FE01 to where the callee is, then the dialog.
    pub(super) fn session(&mut self, audio: bool) -> io::Result<()> {
        let u = self.random_online();
        let (contact, callee_uri, pstn) = if audio && self.rng.chance(20) {
            (
                usize::MAX,
                format!("sip:+8225551{:04};user=phone", self.rng.below(10_000)),
                true,
            )
        } else {
            let (c, uri) = self.contact_of();
            (c, format!("sip:{uri}"), false)
        };
        let (callee, target) = if pstn {
            let number = callee_uri[4..].split(';').next().unwrap_or("");
            (
                Hop::Mediation,
                format!("sip:{number}@{MED_FQDN}:5070;transport=tcp;user=phone"),
            )
        } else {
            self.route_to(contact)
        };
        let mut d = self.new_dialog();
        d.cseq = 1;
        let caller_ip = self.users[u].ip.clone();
        let body = if audio {
            {
                let port = 50_000 + 2 * self.rng.below(5_000) as u16;
                sip::sdp(&mut self.rng, &caller_ip, port, true)
            }
        } else {
            format!("v=0\r\no=- 0 0 IN IP4 {caller_ip}\r\ns=session\r\nc=IN IP4 {caller_ip}\r\nt=0 0\r\nm=message 5060 sip null\r\na=accept-types:text/plain text/html text/rtf multipart/alternative image/gif multipart/related application/im-iscomposing+xml application/ms-imdn+xml text/x-msmsgsinvite\r\n")
        };
        let conv = self.rng.hex(32).to_uppercase();
        let contact_hdr = self.contact_uri(u);
        let mut m = self
            .client_request(u, "INVITE", &callee_uri, &callee_uri, &d)
            .h("Contact", contact_hdr)
            .h("User-Agent", UA)
            .h("Ms-Conversation-ID", conv)
            .h("Supported", "ms-dialog-route-set-update")
            .h("Supported", "timer")
            .h("Supported", "histinfo")
            .h("Supported", "ms-safe-transfer")
            .h("Supported", "ms-sender")
            .h("Supported", "ms-early-media");
        if !audio {
            m = m.h(
                "ms-text-format",
                "text/plain; charset=UTF-8;ms-body=SGksIGRvIHlvdSBoYXZlIGEgbWludXRlPw==",
            );
        }
        let m = self.sign(u, m).body("application/sdp", body);
        let hop = self.user_hop(u);
        let invite = self.arrive(u, &m);
        self.incoming(hop, &invite)?;
        let trying = invite
            .response(100, "Trying")
            .without_received()
            .h("Server", SERVER);
        self.outgoing(hop, &trying)?;
        let final_tag = self.rng.hex(10);
        // A user homed here who is signed out: FE01 answers 480 itself.
        if target.is_empty() {
            let r = self
                .reply(u, &invite, 480, "Temporarily Unavailable", &final_tag)
                .h(
                    "ms-diagnostics",
                    format!("15;reason=\"User is not registered\";source=\"{FE_FQDN}\""),
                )
                .h("Server", SERVER);
            return self.fail_back(hop, &invite, r);
        }
        let via = self.fe_via();
        let rr = self.fe_record_route();
        let mut fwd = invite.forward(via, Some(rr));
        fwd.start = format!("INVITE {target} SIP/2.0");
        if matches!(callee, Hop::Mediation) {
            fwd = fwd.h(
                "P-Asserted-Identity",
                format!("<sip:{}>", self.users[u].uri),
            );
        }
        self.tick(1, 8);
        self.outgoing(callee, &fwd)?;
        // A pool member that does not answer.
        if matches!(callee, Hop::Peer(1)) && self.rng.chance(6) {
            self.tick(10_000, 10_500);
            let peer = PEERS[1].1;
            self.diag(&fwd, peer, "Message could not be routed to the user's home server: the connection to the next hop timed out", "0xC3E93C0F SIPPROXY_E_CONNECTION_TIMED_OUT")?;
            let r = self
                .reply(u, &invite, 504, "Server time-out", &final_tag)
                .h("ms-diagnostics", format!("1046;reason=\"Failed to connect to a peer server\";source=\"{FE_FQDN}\";PeerServer=\"{}\"", PEERS[1].0))
                .h("Server", SERVER);
            return self.fail_back(hop, &invite, r);
        }
        self.tick(20, 300);
        if !matches!(callee, Hop::Client(_) | Hop::Edge) {
            let t = self.callee_response(&fwd, 100, "Trying", "", callee);
            self.incoming(callee, &t)?;
        }
        if audio {
            self.tick(100, 900);
            let (status, reason) = if matches!(callee, Hop::Mediation) {
                (183, "Session Progress")
            } else {
                (180, "Ringing")
            };
            let mut ring = self.callee_response(&fwd, status, reason, &final_tag, callee);
            if status == 183 {
                let sdp = sip::sdp(&mut self.rng, "192.168.1.12", 60_000, false);
                ring = ring.body("application/sdp", sdp);
            }
            self.incoming(callee, &ring)?;
            self.outgoing(hop, &ring.upstream().without_received())?;
        }
        let outcome = self.rng.below(100);
        let (status, reason) = match (audio, outcome) {
            (false, 0..=11) | (true, 0..=9) => (480, "Temporarily Unavailable"),
            (true, 10..=17) => (486, "Busy Here"),
            (true, 18..=25) => (487, "Request Terminated"),
            _ => (200, "OK"),
        };
        if status == 487 {
            // The caller gives up: CANCEL hop by hop, then 487.
            self.tick(2_000, 15_000);
            let cancel_in = invite.cancel();
            self.incoming(hop, &cancel_in)?;
            let ok = self
                .reply(u, &cancel_in, 200, "OK", &final_tag)
                .h("Server", SERVER);
            self.outgoing(hop, &ok)?;
            let cancel_out = fwd.cancel();
            self.outgoing(callee, &cancel_out)?;
            self.tick(5, 60);
            let ok = self.callee_response(&cancel_out, 200, "OK", &final_tag, callee);
            self.incoming(callee, &ok)?;
        } else {
            self.tick(800, if audio { 12_000 } else { 4_000 });
        }
        let mut resp = self.callee_response(&fwd, status, reason, &final_tag, callee);
        if status == 200 {
            let ip = match callee {
                Hop::Client(c) => self.users[c].ip.clone(),
                Hop::Edge => "10.20.30.40".to_string(),
                Hop::Peer(_) => "192.168.30.77".to_string(),
                Hop::Mediation => "192.168.1.12".to_string(),
            };
            let body = if audio {
                {
                    let port = 50_000 + 2 * self.rng.below(5_000) as u16;
                    sip::sdp(&mut self.rng, &ip, port, callee != Hop::Mediation)
                }
            } else {
                invite.body.replace(&caller_ip, &ip)
            };
            resp = resp
                .h("Contact", format!("<{target}>"))
                .body("application/sdp", body);
        }
        self.incoming(callee, &resp)?;
        if status >= 300 {
            // FE01 acknowledges the failure downstream itself, and passes it upstream.
            let ack = fwd.ack(&resp);
            self.outgoing(callee, &ack)?;
            return self.fail_back(hop, &invite, resp.upstream().without_received());
        }
        self.outgoing(hop, &resp.upstream().without_received())?;
        // The 2xx ACK goes end to end, through FE01 (it Record-Routed).
        self.tick(20, 200);
        d.cseq = 1;
        let ack = self.client_request(u, "ACK", &target, &callee_uri, &d);
        let ack = self.in_dialog(u, ack, &final_tag);
        let ack_in = self.arrive(u, &ack);
        self.incoming(hop, &ack_in)?;
        let via = self.fe_via();
        let mut ack_out = ack_in.forward(via, None);
        ack_out.remove("Route");
        self.outgoing(callee, &ack_out)?;
        if audio {
            let end = self.now + self.rng.range(20_000, 600_000) as i64;
            self.calls.push(Call {
                end,
                caller: u,
                callee,
                invite,
                forwarded: fwd,
                to_tag: final_tag,
            });
            return Ok(());
        }
        for _ in 0..self.rng.range(1, 5) {
            self.tick(1_000, 20_000);
            d.cseq += 1;
            let text = self.rng.pick(IM_TEXTS).to_string();
            let m = self.client_request(u, "MESSAGE", &target, &callee_uri, &d);
            let m = self
                .in_dialog(u, m, &final_tag)
                .body("text/plain; charset=UTF-8", text);
            self.proxied(u, hop, callee, &m, &final_tag)?;
        }
        self.tick(2_000, 30_000);
        d.cseq += 1;
        let bye = self.client_request(u, "BYE", &target, &callee_uri, &d);
        let bye = self.in_dialog(u, bye, &final_tag);
        self.proxied(u, hop, callee, &bye, &final_tag)
    }

    /// A client's in-dialog request: the remote tag, the route set, signed.
    pub(super) fn in_dialog(&mut self, u: usize, m: Msg, to_tag: &str) -> Msg {
        let mut m = m.with_to_tag(to_tag);
        let route = format!("<sip:{POOL}:5061;transport=tls;ms-fe={FE_FQDN};lr>");
        let at = m
            .headers
            .iter()
            .position(|(n, _)| *n == "From")
            .unwrap_or(0);
        m.headers.insert(at, ("Route", route));
        let contact = self.contact_uri(u);
        self.sign(u, m.h("Contact", contact).h("User-Agent", UA))
    }

    /// An in-dialog request from user `u` through FE01 to the callee, and its 200 back.
    pub(super) fn proxied(
        &mut self,
        u: usize,
        hop: Hop,
        callee: Hop,
        m: &Msg,
        tag: &str,
    ) -> io::Result<()> {
        let m_in = self.arrive(u, m);
        self.incoming(hop, &m_in)?;
        let via = self.fe_via();
        let mut fwd = m_in.forward(via, None);
        fwd.remove("Route");
        self.outgoing(callee, &fwd)?;
        self.tick(20, 250);
        let ok = self.callee_response(&fwd, 200, "OK", tag, callee);
        self.incoming(callee, &ok)?;
        self.outgoing(hop, &ok.upstream().without_received())
    }

    /// A final failure goes back to the caller, who acknowledges it (FE01 absorbs the ACK).
    pub(super) fn fail_back(&mut self, hop: Hop, invite: &Msg, resp: Msg) -> io::Result<()> {
        self.outgoing(hop, &resp)?;
        self.tick(5, 60);
        let ack = invite.ack(&resp);
        self.incoming(hop, &ack)
    }

    /// Calls whose time has come hang up: BYE from the caller through FE01.
    pub(super) fn hang_up(&mut self) -> io::Result<()> {
        while let Some(i) = self.calls.iter().position(|c| c.end <= self.now) {
            let c = self.calls.remove(i);
            let u = c.caller;
            if self.users[u].reg.is_none() {
                continue; // signed out meanwhile; the call ended with the connection
            }
            let target = c
                .forwarded
                .start
                .split(' ')
                .nth(1)
                .unwrap_or("")
                .to_string();
            let to = c
                .invite
                .get("To")
                .unwrap_or("")
                .trim_matches(|ch| ch == '<' || ch == '>')
                .to_string();
            let d = Dlg {
                call_id: c.invite.get("Call-ID").unwrap_or("").to_string(),
                tag: c
                    .invite
                    .get("From")
                    .and_then(|f| f.split(";tag=").nth(1))
                    .and_then(|t| t.split(';').next())
                    .unwrap_or("")
                    .to_string(),
                cseq: 2,
            };
            let bye = self.client_request(u, "BYE", &target, &to, &d);
            let bye = self.in_dialog(u, bye, &c.to_tag);
            let hop = self.user_hop(u);
            self.proxied(u, hop, c.callee, &bye, &c.to_tag)?;
            self.tick(5, 200);
        }
        Ok(())
    }
}
