//! SDP read into a model: the session's origin and address, and per media line its kind, port, transport,
//! codecs, ICE candidates (RFC 5245 `a=candidate` and Microsoft's `a=x-candidate` / `a=x-candidate-ipv6` of
//! [MS-ICE] and [MS-SDPEXT]), the candidates the answerer chose (`a=remote-candidates`, RFC 5245 §9.1.2.2, in the
//! re-INVITE that ends ICE), encryption (`a=crypto` suites — never their keys — and Microsoft's
//! `a=encryption:required|optional|rejected`, [MS-SDPEXT] 3.1.5.25) and bandwidth (`b=` and `a=x-bandwidth`).
//! The body summary and the calls view both read SDP through it.

/// A parsed session description.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sdp {
    /// The `o=` line's address.
    pub origin: Option<String>,
    /// The session-level `c=` address.
    pub address: Option<String>,
    /// Session-level `b=` lines (`CT:99980`).
    pub bandwidth: Vec<String>,
    pub media: Vec<Media>,
    /// Session-level `a=x-…` attribute names, in order, once each.
    pub ms_attributes: Vec<String>,
}

/// One `m=` line and its attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Media {
    /// The `m=` line after `m=`.
    pub line: String,
    /// `audio`, `video`, `applicationsharing`, `data`, `message`…
    pub kind: String,
    pub port: String,
    /// `RTP/SAVP`, `TCP/RTP/AVP`…
    pub proto: String,
    pub formats: Vec<String>,
    /// `SILK/16000`… from `a=rtpmap`, in order.
    pub codecs: Vec<String>,
    /// The media-level `c=` address.
    pub address: Option<String>,
    pub candidates: Vec<Candidate>,
    /// `a=remote-candidates`: (component, address, port) the answerer's ICE chose.
    pub remote_candidates: Vec<(String, String, String)>,
    /// `a=crypto` suites, in order (the keys are never kept).
    pub crypto: Vec<String>,
    /// `a=encryption:` (`required`, `optional`, `rejected`).
    pub encryption: Option<String>,
    /// `b=` lines and `a=x-bandwidth:` values.
    pub bandwidth: Vec<String>,
    /// `a=accept-types:` (an IM session).
    pub accept: Option<String>,
    /// Media-level `a=x-…` attribute names, in order, once each.
    pub ms_attributes: Vec<String>,
}

/// An ICE candidate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Candidate {
    pub foundation: String,
    /// 1 RTP, 2 RTCP.
    pub component: String,
    /// `UDP`, `TCP-PASS`, `TCP-ACT`…
    pub transport: String,
    pub priority: String,
    pub address: String,
    pub port: String,
    /// `host`, `srflx`, `prflx`, `relay` (empty when the line names none).
    pub kind: String,
    /// The related address and port (`raddr`/`rport`).
    pub related: Option<(String, String)>,
    /// The [MS-ICE] draft-6 form (no type) rather than RFC 5245's.
    pub microsoft: bool,
}

impl Media {
    /// The port is 0: the media line is declined.
    pub fn declined(&self) -> bool {
        self.port == "0"
    }

    /// Candidate types present, in order of first appearance.
    pub fn candidate_kinds(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in &self.candidates {
            if !c.kind.is_empty() && !out.contains(&c.kind.as_str()) {
                out.push(&c.kind);
            }
        }
        out
    }
}

/// Parse an SDP body (any line ending; unknown lines ignored).
pub fn parse(text: &str) -> Sdp {
    let mut sdp = Sdp::default();
    for raw in text.lines() {
        let line = raw.trim();
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        match k {
            "o" => sdp.origin = v.split_whitespace().nth(5).map(str::to_string),
            "c" => {
                let addr = v.split_whitespace().nth(2).map(str::to_string);
                match sdp.media.last_mut() {
                    Some(m) => m.address = addr,
                    None => sdp.address = addr,
                }
            }
            "b" => match sdp.media.last_mut() {
                Some(m) => m.bandwidth.push(v.to_string()),
                None => sdp.bandwidth.push(v.to_string()),
            },
            "m" => {
                let mut it = v.split_whitespace();
                sdp.media.push(Media {
                    line: v.to_string(),
                    kind: it.next().unwrap_or("?").to_string(),
                    port: it.next().unwrap_or("?").to_string(),
                    proto: it.next().unwrap_or("").to_string(),
                    formats: it.map(str::to_string).collect(),
                    ..Media::default()
                });
            }
            "a" => {
                let (name, val) = v.split_once(':').unwrap_or((v, ""));
                let Some(m) = sdp.media.last_mut() else {
                    if name.starts_with("x-") && !sdp.ms_attributes.iter().any(|x| x == name) {
                        sdp.ms_attributes.push(name.to_string());
                    }
                    continue;
                };
                match name {
                    "rtpmap" => {
                        if let Some(codec) = val.split_whitespace().nth(1) {
                            m.codecs.push(codec.to_string());
                        }
                    }
                    "candidate" | "x-candidate" | "x-candidate-ipv6" => {
                        m.candidates.push(candidate(val));
                    }
                    "remote-candidates" => {
                        let w: Vec<&str> = val.split_whitespace().collect();
                        for c in w.chunks(3).filter(|c| c.len() == 3) {
                            m.remote_candidates.push((
                                c[0].to_string(),
                                c[1].to_string(),
                                c[2].to_string(),
                            ));
                        }
                    }
                    "crypto" => {
                        if let Some(suite) = val.split_whitespace().nth(1) {
                            m.crypto.push(suite.to_string());
                        }
                    }
                    "encryption" => m.encryption = Some(val.trim().to_string()),
                    "x-bandwidth" => m.bandwidth.push(val.trim().to_string()),
                    "accept-types" => m.accept = Some(val.to_string()),
                    n if n.starts_with("x-") && !m.ms_attributes.iter().any(|x| x == n) => {
                        m.ms_attributes.push(n.to_string());
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    sdp
}

/// One candidate line's value: RFC 5245's `foundation component transport priority address port typ TYPE [raddr A
/// rport P]`, or the [MS-ICE] draft-6 form Microsoft's clients still send in their first SDP part (under
/// `a=candidate` or `a=x-candidate`): `foundation component username transport qvalue address port`, told by the
/// transport in the fourth place.
fn candidate(val: &str) -> Candidate {
    let w: Vec<&str> = val.split_whitespace().collect();
    let transport_word = |i: usize| {
        w.get(i).is_some_and(|t| {
            t.eq_ignore_ascii_case("udp") || t.to_ascii_uppercase().starts_with("TCP")
        })
    };
    let microsoft = !transport_word(2) && transport_word(3);
    let at = |i: usize| {
        let i = if microsoft && i >= 2 { i + 1 } else { i };
        w.get(i).map_or(String::new(), |s| s.to_string())
    };
    let after = |key: &str| {
        w.iter()
            .position(|x| x.eq_ignore_ascii_case(key))
            .and_then(|i| w.get(i + 1))
            .map(|s| s.to_string())
    };
    Candidate {
        foundation: at(0),
        component: at(1),
        transport: at(2),
        priority: at(3),
        address: at(4),
        port: at(5),
        kind: after("typ").unwrap_or_default(),
        related: after("raddr").map(|a| (a, after("rport").unwrap_or_default())),
        microsoft,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFER: &str = "v=0\r\no=- 0 1 IN IP4 10.0.0.5\r\ns=session\r\nc=IN IP4 10.0.0.5\r\nb=CT:99980\r\nt=0 0\r\nm=audio 50012 RTP/SAVP 117 9 0 101\r\na=x-ssrc-range:1-1\r\na=candidate:1 1 UDP 2130706431 10.0.0.5 50012 typ host \r\na=candidate:2 1 UDP 1694498815 198.51.100.7 50012 typ srflx raddr 10.0.0.5 rport 50012\r\na=candidate:3 1 TCP-PASS 174455807 203.0.113.5 50040 typ relay raddr 198.51.100.7 rport 50012\r\na=x-candidate:KmI0hP 1 sKY6dGqUlsxYpGNqRbs3Mw UDP 0.830 10.0.0.5 50014\r\na=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:c2VjcmV0|2^31|1:1\r\na=encryption:required\r\na=x-bandwidth:audio 50\r\na=rtpmap:117 SILK/16000\r\na=rtpmap:9 G722/8000\r\nm=video 0 RTP/AVP 34\r\n";

    #[test]
    fn media_candidates_and_encryption() {
        let s = parse(OFFER);
        assert_eq!(s.origin.as_deref(), Some("10.0.0.5"));
        assert_eq!(s.bandwidth, ["CT:99980"]);
        let a = &s.media[0];
        assert_eq!((a.kind.as_str(), a.port.as_str()), ("audio", "50012"));
        assert_eq!(a.codecs, ["SILK/16000", "G722/8000"]);
        assert_eq!(a.candidates.len(), 4);
        assert_eq!(a.candidate_kinds(), ["host", "srflx", "relay"]);
        let relay = &a.candidates[2];
        assert_eq!(
            (relay.transport.as_str(), relay.address.as_str()),
            ("TCP-PASS", "203.0.113.5")
        );
        assert_eq!(relay.related, Some(("198.51.100.7".into(), "50012".into())));
        let ms = &a.candidates[3];
        assert!(ms.microsoft && ms.kind.is_empty());
        assert_eq!(
            (ms.transport.as_str(), ms.address.as_str(), ms.port.as_str()),
            ("UDP", "10.0.0.5", "50014")
        );
        assert_eq!(a.crypto, ["AES_CM_128_HMAC_SHA1_80"]);
        assert_eq!(a.encryption.as_deref(), Some("required"));
        assert_eq!(a.bandwidth, ["audio 50"]);
        assert_eq!(a.ms_attributes, ["x-ssrc-range"]);
        assert!(s.media[1].declined());
    }

    #[test]
    fn remote_candidates_of_a_reinvite() {
        let s = parse("v=0\nm=audio 51000 RTP/SAVP 117\na=remote-candidates:1 203.0.113.5 50040 2 203.0.113.5 50041\n");
        assert_eq!(
            s.media[0].remote_candidates,
            [
                ("1".into(), "203.0.113.5".into(), "50040".into()),
                ("2".into(), "203.0.113.5".into(), "50041".into())
            ]
        );
    }

    #[test]
    fn odd_lines_never_panic() {
        let s = parse("m=\na=candidate:\na=remote-candidates:1 2\nc=\no=\n=\n");
        assert_eq!(s.media.len(), 1);
        assert_eq!(s.media[0].candidates.len(), 1);
        assert!(s.media[0].remote_candidates.is_empty());
    }
}
