//! SIP and presence helpers shared by the formats: a message builder with proxy steps, header lookup in message
//! text, Content-Length, presence category bodies and SDP.

use crate::Rng;

pub(crate) const NAMES: &[&str] = &[
    "Kim Minjun",
    "Lee Seoyeon",
    "Park Jiho",
    "Choi Yuna",
    "Jung Hyunwoo",
    "Kang Soyeon",
    "Olga Ivanova",
    "Dmitri Petrov",
    "Anna Schmidt",
    "John Miller",
    "Maria Garcia",
    "Chen Wei",
    "Sato Yuki",
    "Ahmed Hassan",
];
pub(crate) const NOTES: &[&str] = &[
    "회의 중",
    "점심 식사 중입니다",
    "Working from home today",
    "В отпуске до понедельника",
    "On a customer call",
    "출장 중 (부산)",
    "Back at 3 pm",
    "",
];
/// (availability, activity token) pairs across the MS-PRES ranges.
pub(crate) const STATES: &[(u32, &str)] = &[
    (3500, "Available"),
    (4500, "Inactive"),
    (6500, "Busy"),
    (6500, "in-a-meeting"),
    (6500, "on-the-phone"),
    (7500, "Busy-idle"),
    (9500, "DoNotDisturb"),
    (12500, "BeRightBack"),
    (15500, "Away"),
    (18500, "Offline"),
];
/// Instant message lines.
pub(crate) const IM_TEXTS: &[&str] = &[
    "네, 잠깐 통화 가능합니다",
    "Can you check the Edge logs?",
    "Сейчас посмотрю",
    "Thanks!",
];

/// Append `Content-Type` (when given), `Content-Length` and the body to a message's headers.
pub(crate) fn content(s: &mut String, ctype: &str, body: &str) {
    if !ctype.is_empty() {
        s.push_str(&format!("Content-Type: {ctype}\r\n"));
    }
    s.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
}

/// The value of the first header `name` (case-insensitive, full name) in SIP text, trimmed; empty when absent.
pub(crate) fn header(msg: &str, name: &str) -> String {
    msg.split("\r\n")
        .find(|l| {
            l.len() > name.len()
                && l[..name.len()].eq_ignore_ascii_case(name)
                && l.as_bytes()[name.len()] == b':'
        })
        .map(|l| l[name.len() + 1..].trim().to_string())
        .unwrap_or_default()
}

/// A contact's full presence: state, note (sometimes) and contact card, as a BENOTIFY or a piggy-backed
/// response carries it. `t` is the publish time (UTC).
pub(crate) fn categories(rng: &mut Rng, contact: &str, t: &str) -> String {
    let (avail, activity) = *rng.pick(STATES);
    let avail = avail + rng.below(400) as u32;
    let note = *rng.pick(NOTES);
    let name = *rng.pick(NAMES);
    let version = rng.below(900) + 2;
    let note_cat = if note.is_empty() {
        String::new()
    } else {
        format!("<category name=\"note\" instance=\"0\" publishTime=\"{t}\" container=\"400\" version=\"{version}\" expireType=\"static\"><note xmlns=\"http://schemas.microsoft.com/2006/09/sip/note\"><body type=\"personal\" uri=\"\">{note}</body></note></category>")
    };
    format!(
        "<categories xmlns=\"http://schemas.microsoft.com/2006/09/sip/categories\" uri=\"sip:{contact}\"><category name=\"state\" instance=\"1\" publishTime=\"{t}\" container=\"2\" version=\"{version}\" expireType=\"static\"><state xsi:type=\"aggregateState\" lastActive=\"{t}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns=\"http://schemas.microsoft.com/2006/09/sip/state\"><availability>{avail}</availability><activity token=\"{activity}\" minAvailability=\"{avail}\" maxAvailability=\"{avail}\"/><delimiter xmlns=\"http://schemas.microsoft.com/2006/09/sip/commontypes\"/><timeZoneBias>-540</timeZoneBias><timeZoneName>Korea Standard Time</timeZoneName><end xmlns=\"http://schemas.microsoft.com/2006/09/sip/commontypes\"/></state></category>{note_cat}<category name=\"contactCard\" instance=\"0\" publishTime=\"{t}\" container=\"400\" version=\"1\" expireType=\"static\"><contactCard xmlns=\"http://schemas.microsoft.com/2006/09/sip/contactcard\"><identity><name><displayName>{name}</displayName></name><email>{contact}</email></identity><title>Engineer</title><office>Seoul 12F</office></contactCard></category></categories>"
    )
}

/// Just a contact's aggregate state: the small body of a presence storm (a contact going idle, busy, away).
pub(crate) fn state_category(rng: &mut Rng, contact: &str, t: &str) -> String {
    let (avail, activity) = *rng.pick(STATES);
    let avail = avail + rng.below(400) as u32;
    let version = rng.below(900) + 2;
    format!(
        "<categories xmlns=\"http://schemas.microsoft.com/2006/09/sip/categories\" uri=\"sip:{contact}\"><category name=\"state\" instance=\"1\" publishTime=\"{t}\" container=\"2\" version=\"{version}\" expireType=\"static\"><state xsi:type=\"aggregateState\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns=\"http://schemas.microsoft.com/2006/09/sip/state\"><availability>{avail}</availability><activity token=\"{activity}\"/></state></category></categories>"
    )
}

/// A user's own state publication (SERVICE body), one or two containers.
pub(crate) fn publish_state(rng: &mut Rng, user: &str, containers: &[u32]) -> String {
    let (avail, _) = *rng.pick(&STATES[..5]);
    let v = rng.below(500);
    let pubs: String = containers.iter().map(|c| format!("<publication categoryName=\"state\" instance=\"952467268\" container=\"{c}\" version=\"{v}\" expireType=\"static\"><state xmlns=\"http://schemas.microsoft.com/2006/09/sip/state\" manual=\"true\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"userState\"><availability>{avail}</availability></state></publication>")).collect();
    format!("<publish xmlns=\"http://schemas.microsoft.com/2006/09/sip/rich-presence\"><publications uri=\"sip:{user}\">{pubs}</publications></publish>")
}

/// An audio offer or answer. `ice`: a Skype for Business endpoint's (ICE candidates, SRTP crypto, many codecs);
/// otherwise a desk phone's or a trunk's (G.711, telephone-event).
pub(crate) fn sdp(rng: &mut Rng, ip: &str, port: u16, ice: bool) -> String {
    let sess = rng.range(1_000_000, 9_999_999);
    if ice {
        let (ufrag, pwd) = (rng.hex(4), rng.hex(22));
        format!(
            "v=0\r\no=- 0 0 IN IP4 {ip}\r\ns=session\r\nc=IN IP4 {ip}\r\nb=CT:99980\r\nt=0 0\r\nm=audio {port} RTP/SAVP 104 9 111 18 0 8 97 13 118 101\r\na=ice-ufrag:{ufrag}\r\na=ice-pwd:{pwd}\r\na=candidate:1 1 UDP 2130706431 {ip} {port} typ host \r\na=candidate:1 2 UDP 2130705918 {ip} {} typ host \r\na=candidate:2 1 TCP-PASS 174455807 {ip} {} typ host \r\na=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:{}|2^31|1:1\r\na=maxptime:200\r\na=rtcp:{} IN IP4 {ip}\r\na=rtpmap:104 SILK/16000\r\na=fmtp:104 useinbandfec=1; usedtx=0\r\na=rtpmap:9 G722/8000\r\na=rtpmap:111 SIREN/16000\r\na=fmtp:111 bitrate=16000\r\na=rtpmap:18 G729/8000\r\na=fmtp:18 annexb=no\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:97 RED/8000\r\na=rtpmap:13 CN/8000\r\na=rtpmap:118 CN/16000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=rtcp-fb:* x-message app send:dsh recv:dsh\r\na=rtcp-rsize\r\na=label:main-audio\r\na=x-source:main-audio\r\na=ptime:20\r\n",
            port + 1,
            port + 2,
            rng.hex(40),
            port + 1
        )
    } else {
        format!(
            "v=0\r\no=- {sess} {sess} IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\nm=audio {port} RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n"
        )
    }
}

/// Base64-looking security tokens (`gssapi-data`) of about `n` characters.
pub(crate) fn base64ish(rng: &mut Rng, n: usize) -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(n + 10);
    while s.len() < n {
        let mut r = rng.next();
        for _ in 0..10 {
            s.push(B64[(r & 63) as usize] as char);
            r >>= 6;
        }
    }
    s.truncate(n - n % 4);
    s
}

/// A SIP message under construction: start line, headers in order, body. `Content-Length` is computed when
/// it is written.
/// A dialog's identity as a generator keeps it: Call-ID, the local tag, the next CSeq number.
#[derive(Debug, Clone)]
pub(crate) struct Dlg {
    pub call_id: String,
    pub tag: String,
    pub cseq: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct Msg {
    pub(crate) start: String,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: String,
}

impl Msg {
    pub(crate) fn request(method: &str, uri: &str) -> Msg {
        Msg {
            start: format!("{method} {uri} SIP/2.0"),
            headers: Vec::with_capacity(16),
            body: String::new(),
        }
    }

    /// Add a header at the end.
    pub(crate) fn h(mut self, name: &'static str, value: impl Into<String>) -> Msg {
        self.headers.push((name, value.into()));
        self
    }

    /// Add `Content-Type` and the body.
    pub(crate) fn body(mut self, ctype: &str, body: String) -> Msg {
        if !ctype.is_empty() {
            self.headers.push(("Content-Type", ctype.to_string()));
        }
        self.body = body;
        self
    }

    pub(crate) fn is_request(&self) -> bool {
        !self.start.starts_with("SIP/2.0 ")
    }

    /// The request's method, or for a response the method its CSeq names.
    pub(crate) fn method(&self) -> &str {
        if self.is_request() {
            self.start.split(' ').next().unwrap_or("")
        } else {
            self.get("CSeq")
                .and_then(|c| c.split(' ').nth(1))
                .unwrap_or("")
        }
    }

    /// The first header `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Replace the first header `name` (or add it).
    pub(crate) fn set(&mut self, name: &'static str, value: impl Into<String>) {
        match self
            .headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some(h) => h.1 = value.into(),
            None => self.headers.push((name, value.into())),
        }
    }

    pub(crate) fn remove(&mut self, name: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// Insert a header before the first one named `name` (or at the end when there is none).
    fn insert_before(&mut self, name: &str, new: (&'static str, String)) {
        let at = self
            .headers
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))
            .unwrap_or(self.headers.len());
        self.headers.insert(at, new);
    }

    /// A response: the request's Vias, Record-Routes (1xx but 100, 2xx), From, To, Call-ID and CSeq.
    pub(crate) fn response(&self, status: u16, reason: &str) -> Msg {
        let mut r = Msg {
            start: format!("SIP/2.0 {status} {reason}"),
            headers: Vec::with_capacity(16),
            body: String::new(),
        };
        // Record-Route goes into the responses that can make a dialog (RFC 3261 §12.1.1).
        let rr = (101..300).contains(&status);
        for (n, v) in &self.headers {
            if matches!(*n, "Via" | "From" | "To" | "Call-ID" | "CSeq")
                || (rr && *n == "Record-Route")
            {
                r.headers.push((n, v.clone()));
            }
        }
        r
    }

    /// Give the To header a tag, unless it has one.
    pub(crate) fn with_to_tag(mut self, tag: &str) -> Msg {
        if let Some(to) = self
            .headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case("To"))
        {
            if !to.1.contains(";tag=") {
                to.1.push_str(";tag=");
                to.1.push_str(tag);
            }
        }
        self
    }

    /// A proxy forwards a request: its Via on top, Max-Forwards down by one, its Record-Route (if any) on top.
    pub(crate) fn forward(&self, via: String, record_route: Option<String>) -> Msg {
        let mut m = self.clone();
        m.insert_before("Via", ("Via", via));
        if let Some(mf) = m.get("Max-Forwards").and_then(|v| v.parse::<u32>().ok()) {
            m.set("Max-Forwards", (mf.saturating_sub(1)).to_string());
        }
        match record_route {
            Some(rr) => m.record_route(rr),
            None => m,
        }
    }

    /// A Record-Route on top of the others (after the Vias when there is none yet).
    pub(crate) fn record_route(mut self, rr: String) -> Msg {
        let at = self
            .headers
            .iter()
            .position(|(n, _)| *n == "Record-Route")
            .or_else(|| {
                self.headers
                    .iter()
                    .rposition(|(n, _)| *n == "Via")
                    .map(|i| i + 1)
            })
            .unwrap_or(0);
        self.headers.insert(at, ("Record-Route", rr));
        self
    }

    /// A proxy passes a response upstream: without its own (top) Via.
    pub(crate) fn upstream(&self) -> Msg {
        let mut m = self.clone();
        if let Some(i) = m.headers.iter().position(|(n, _)| *n == "Via") {
            m.headers.remove(i);
        }
        m
    }

    /// CANCEL for an INVITE as it was on this hop: same Vias, same CSeq number.
    pub(crate) fn cancel(&self) -> Msg {
        let mut m = Msg::request("CANCEL", self.start.split(' ').nth(1).unwrap_or(""));
        for (n, v) in &self.headers {
            match *n {
                "Via" | "Max-Forwards" | "From" | "To" | "Call-ID" | "Route" => {
                    m.headers.push((n, v.clone()))
                }
                "CSeq" => m.headers.push(("CSeq", v.replace("INVITE", "CANCEL"))),
                _ => {}
            }
        }
        m
    }

    /// ACK for a non-2xx final response to this INVITE, on this hop: its Vias and CSeq number, the
    /// response's To.
    pub(crate) fn ack(&self, resp: &Msg) -> Msg {
        let mut m = Msg::request("ACK", self.start.split(' ').nth(1).unwrap_or(""));
        for (n, v) in &self.headers {
            match *n {
                "Via" | "Max-Forwards" | "From" | "Call-ID" | "Route" => {
                    m.headers.push((n, v.clone()))
                }
                "To" => m
                    .headers
                    .push(("To", resp.get("To").unwrap_or(v).to_string())),
                "CSeq" => m.headers.push(("CSeq", v.replace("INVITE", "ACK"))),
                _ => {}
            }
        }
        m
    }

    /// The message as sent: CRLF line ends, `Content-Length` after the other headers.
    pub(crate) fn wire(&self) -> String {
        let mut s =
            String::with_capacity(self.start.len() + 64 * self.headers.len() + self.body.len());
        s.push_str(&self.start);
        s.push_str("\r\n");
        for (n, v) in &self.headers {
            s.push_str(n);
            s.push_str(": ");
            s.push_str(v);
            s.push_str("\r\n");
        }
        content(&mut s, "", &self.body);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_steps_keep_the_via_chain() {
        let req = Msg::request("INVITE", "sip:b@x")
            .h("Via", "SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bKa")
            .h("Max-Forwards", "70")
            .h("From", "<sip:a@x>;tag=1")
            .h("To", "<sip:b@x>")
            .h("Call-ID", "c")
            .h("CSeq", "1 INVITE")
            .body("text/plain", "hi".into());
        let fwd = req.forward(
            "SIP/2.0/TLS 10.0.0.2:5061;branch=z9hG4bKb".into(),
            Some("<sip:p;lr>".into()),
        );
        let w = fwd.wire();
        assert!(w.starts_with("INVITE sip:b@x SIP/2.0\r\nVia: SIP/2.0/TLS 10.0.0.2:5061;branch=z9hG4bKb\r\nVia: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bKa\r\nRecord-Route: <sip:p;lr>\r\nMax-Forwards: 69\r\n"), "{w}");
        assert!(w.ends_with("Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi"));
        let resp = fwd.response(200, "OK").with_to_tag("t");
        assert_eq!(resp.method(), "INVITE");
        let up = resp.upstream().wire();
        assert_eq!(up, "SIP/2.0 200 OK\r\nVia: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bKa\r\nRecord-Route: <sip:p;lr>\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>;tag=t\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        assert_eq!(header(&up, "call-id"), "c");
    }
}
