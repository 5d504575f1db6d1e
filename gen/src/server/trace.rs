//! The server generator's trace writer: FE01's CLS record lines (`TL_INFO(TF_PROTOCOL) … $$begin_record`
//! with Trace-Correlation-Id, Direction, Peer, Start-Line, headers and `Message-Body:`), diagnostic records and
//! the non-SIP trace lines between them. The story in `mod.rs` says what happens; this says how it is written.

use super::*;

/// `Fri, 30 Mar 2018 01:57:41 GMT`.
pub(super) fn http_date(t: i64) -> String {
    let (y, mo, d, h, mi, s, _) = Timestamp(t).fields();
    let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        [t.div_euclid(86_400_000).rem_euclid(7) as usize];
    let mon = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][mo as usize - 1];
    format!("{wd}, {d:02} {mon} {y} {h:02}:{mi:02}:{s:02} GMT")
}

impl<W: Write> Gen<'_, W> {
    /// A trace header line's start: `TL_INFO(TF_PROTOCOL) [FE01\FE01]0A3C.1B2C::03/30/2018-01:57:41.228.0001C341`.
    pub(super) fn head(&mut self, level: &str, flag: &str) -> String {
        let (y, mo, d, h, mi, s, ms) = Timestamp(self.now).fields();
        self.seq = self.seq.wrapping_add(1 + self.rng.below(40) as u32);
        let thread = *self.rng.pick(THREADS);
        format!(
            "TL_{level}(TF_{flag}) [{MACHINE}\\{MACHINE}]{thread}::{mo:02}/{d:02}/{y:04}-{h:02}:{mi:02}:{s:02}.{ms:03}.{:08X}",
            self.seq
        )
    }

    pub(super) fn corr(&mut self) -> u64 {
        self.corr += 1 + self.rng.below(9000);
        self.corr
    }

    /// The Peer and the Direction's name for a hop.
    pub(super) fn hop(&self, hop: Hop) -> (String, &'static str) {
        match hop {
            Hop::Edge => (EDGE_PEER.to_string(), "internal edge"),
            Hop::Client(u) => (
                format!("{}:{}", self.users[u].ip, self.users[u].port),
                "internal",
            ),
            Hop::Peer(p) => (PEERS[p].1.to_string(), "internal"),
            Hop::Mediation => (MED_PEER.to_string(), "internal"),
        }
    }

    /// One protocol record: `incoming` from `hop`, or outgoing to it.
    pub(super) fn record(&mut self, incoming: bool, hop: Hop, m: &Msg) -> io::Result<()> {
        let (peer, side) = self.hop(hop);
        let head = self.head("INFO", "PROTOCOL");
        let corr = self.corr();
        self.instance += 1 + self.rng.below(30) as u32;
        let direction = if incoming {
            format!("incoming;source=\"{side}\";destination=\"local\"")
        } else {
            format!("outgoing;source=\"local\";destination=\"{side}\"")
        };
        let kind = if m.is_request() {
            "request"
        } else {
            "response"
        };
        let mut s = String::with_capacity(600 + m.body.len() + 80 * m.headers.len());
        s.push_str(&format!(
            "{head} (SIPStack,SIPAdminLog::TraceProtocolRecord:SIPAdminLog.cpp(125))[{corr}] $$begin_record\r\nTrace-Correlation-Id: {corr}\r\nInstance-Id: {:08X}\r\nDirection: {direction}\r\nPeer: {peer}\r\nMessage-Type: {kind}\r\nStart-Line: {}\r\n",
            self.instance, m.start
        ));
        for (n, v) in &m.headers {
            s.push_str(n);
            s.push_str(": ");
            s.push_str(v);
            s.push_str("\r\n");
        }
        s.push_str(&format!(
            "Content-Length: {}\r\nMessage-Body: ",
            m.body.len()
        ));
        // The trace leaves out the body's last line break (the importer puts it back from Content-Length).
        let body = m.body.strip_suffix("\r\n").unwrap_or(&m.body);
        s.push_str(if body.is_empty() { "–" } else { body });
        s.push_str("\r\n$$end_record\r\n");
        self.out.write(s.as_bytes())?;
        self.out.stats.messages += 1;
        self.tick(0, 3);
        Ok(())
    }

    pub(super) fn incoming(&mut self, hop: Hop, m: &Msg) -> io::Result<()> {
        self.record(true, hop, m)
    }

    pub(super) fn outgoing(&mut self, hop: Hop, m: &Msg) -> io::Result<()> {
        self.record(false, hop, m)
    }

    /// A diagnostic record about a request FE01 could not route.
    pub(super) fn diag(&mut self, req: &Msg, peer: &str, text: &str, code: &str) -> io::Result<()> {
        let head = self.head("ERROR", "DIAG");
        let corr = self.corr();
        let s = format!(
            "{head} (SIPStack,SIPAdminLog::WriteDiagnosticEvent:SIPAdminLog.cpp(833))[{corr}] $$begin_record\r\nSeverity: error\r\nText: {text}\r\nResult-Code: {code}\r\nSIP-Start-Line: {}\r\nSIP-Call-ID: {}\r\nSIP-CSeq: {}\r\nPeer: {peer}\r\nData: destination=\"{peer}\";home-pool=\"{POOL}\"\r\n$$end_record\r\n",
            req.start,
            req.get("Call-ID").unwrap_or(""),
            req.get("CSeq").unwrap_or("")
        );
        self.out.write(s.as_bytes())?;
        self.out.stats.noise_lines += 1;
        Ok(())
    }

    /// Trace lines that are not SIP: component text, connection records.
    pub(super) fn noise(&mut self) -> io::Result<()> {
        let s = if self.rng.chance(70) {
            let head = self.head("INFO", "COMPONENT");
            format!("{head} {}\r\n", self.rng.pick(COMPONENT))
        } else {
            let head = self.head("INFO", "CONNECTION");
            let corr = self.corr();
            let u = self.rng.below(self.users.len() as u64) as usize;
            let (ip, port) = (self.users[u].ip.clone(), self.users[u].port);
            format!(
                "{head} (SIPStack,SIPAdminLog::TraceConnectionRecord:SIPAdminLog.cpp(160))[{corr}] $$begin_record\r\nLogType: connection\r\nSeverity: information\r\nText: TLS negotiation succeeded\r\nLocal-IP: {FE_IP}:5061\r\nPeer-IP: {ip}:{port}\r\nConnection-ID: 0x{:X}\r\nTransport: TLS\r\n$$end_record\r\n",
                self.rng.range(0x1000, 0xFFFF)
            )
        };
        self.out.write(s.as_bytes())?;
        self.out.stats.noise_lines += 1;
        Ok(())
    }
}
