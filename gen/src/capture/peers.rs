//! The capture's traffic besides the Lync clients: the Mediation Server's TCP trunk to the PSTN gateway
//! (OPTIONS, calls both ways, in-dialog requests) and UDP between the SBC, the PBX, desk phones and the ITSP
//! (OPTIONS pings, two-leg calls, and the Front End's SERVICE and BENOTIFY that these peers do not know).

use super::*;

impl<W: Write> Gen<'_, W> {
    /// A request on the gateway trunk from the Mediation Server (`d` 0) or the gateway (`d` 1).
    pub(super) fn trunk_request(
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

    pub(super) fn trunk_options(&mut self) -> io::Result<()> {
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
    pub(super) fn trunk_call(&mut self) -> io::Result<()> {
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
    pub(super) fn in_dialog(
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
    pub(super) fn udp_options(&mut self) -> io::Result<()> {
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
    pub(super) fn udp_call(&mut self) -> io::Result<()> {
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
    pub(super) fn ms_methods(&mut self) -> io::Result<()> {
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
}
