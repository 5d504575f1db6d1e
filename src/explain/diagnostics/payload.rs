//! The key=value payloads inside diagnostics parameters, decoded: `CalleeMediaDebug` / `CallerMediaDebug`
//! (`audio:ICEWarn=0x4000a8,LocalSite=10.0.0.5:50012,LocalMR=203.0.113.5:3478,…`, one group per media type) and
//! the ICE warning flags they carry.
//!
//! ICE warning bits: see [`ICE_WARNINGS`] for the table and why it is not [MS-QoE]'s. The same flags travel as
//! `IceWarningFlags` (decimal) in quality reports and as `ICEWarn=0x…` (hex) in the media debug payloads. Bits
//! the table does not name are shown by value.

/// One media type's group of a media debug payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaGroup {
    /// `audio`, `video`, `applicationsharing`…; empty when the payload names none.
    pub media: String,
    pub fields: Vec<(String, String)>,
}

/// Split a payload into its media groups: `audio:K=V,K=V video:K=V` (groups start at a word followed by `:` and
/// a `K=` pair, after a space or at the start).
pub fn media_groups(value: &str) -> Vec<MediaGroup> {
    let mut groups: Vec<MediaGroup> = Vec::new();
    for token in value.split_whitespace() {
        let (media, rest) = match token.split_once(':') {
            Some((m, r))
                if !m.is_empty()
                    && m.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !m.contains('=')
                    && r.contains('=') =>
            {
                (Some(m), r)
            }
            _ => (None, token),
        };
        if media.is_some() || groups.is_empty() {
            groups.push(MediaGroup {
                media: media.unwrap_or("").to_string(),
                fields: Vec::new(),
            });
        }
        let group = groups.last_mut().expect("a group was pushed");
        for pair in rest.split(',').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some((k, v)) => group
                    .fields
                    .push((k.trim().to_string(), v.trim().to_string())),
                // A value with a space or a comma in it: the piece belongs to the previous field.
                None => match group.fields.last_mut() {
                    Some(last) => {
                        last.1.push(',');
                        last.1.push_str(pair);
                    }
                    None => group.fields.push((pair.to_string(), String::new())),
                },
            }
        }
    }
    groups.retain(|g| !g.fields.is_empty());
    groups
}

/// ICE warning bits as Lync 2010, 2013 and Skype for Business clients set them: the Lync Server 2010 Resource Kit
/// (chapter 9) table, as reproduced by ucsorted.com/2013/09/28/ice-protocol-warnings and uc.solutions' "ICE
/// warnings" page; its first twelve names line up with the `MSIceWarningFlags` dictionary's members in order
/// (learn.microsoft.com/previous-versions/mt589715). It matches every value seen in real logs (0x320, 0x3e0,
/// 0x40003a0, 0x80012b). [MS-QoE] §2.2.1.7.1 documents an older (OCS 2007) layout of the same field, which these
/// clients do not follow; see docs/research/calls-meetings-quality.md §6.
pub const ICE_WARNINGS: &[(u32, &str)] = &[
    (0x0000_0001, "TURN server unreachable"),
    (0x0000_0002, "UDP allocation on the TURN server failed"),
    (0x0000_0004, "UDP send to the TURN server failed"),
    (0x0000_0008, "TCP allocation on the TURN server failed"),
    (0x0000_0010, "TCP send to the TURN server failed"),
    (0x0000_0020, "local connectivity failed"),
    (0x0000_0040, "UDP NAT connectivity failed"),
    (0x0000_0080, "UDP TURN server connectivity failed"),
    (0x0000_0100, "TCP NAT connectivity failed"),
    (0x0000_0200, "TCP TURN server connectivity failed"),
    (
        0x0000_0400,
        "message integrity failed in a connectivity check",
    ),
    (0x0000_0800, "allocation message integrity failed"),
    (0x0000_1000, "bandwidth policy server configured"),
    (0x0000_2000, "connectivity check failed with another error"),
    (
        0x0000_4000,
        "TURN authentication failed (credentials expired or unknown user name)",
    ),
    (0x0000_8000, "bandwidth policy removed candidates"),
    (0x0001_0000, "bandwidth policy decreased the bandwidth"),
    (0x0002_0000, "bandwidth keep-alive failed"),
    (0x0004_0000, "bandwidth allocation failed (relay to relay)"),
    (
        0x0008_0000,
        "no TURN server configured, or its name did not resolve",
    ),
    (0x0010_0000, "several TURN servers attempted"),
    (0x0020_0000, "port range exhausted"),
    (0x0040_0000, "alternate TURN server received"),
    (0x0080_0000, "pseudo-TLS failure"),
    (0x0100_0000, "HTTP proxy configured"),
    (0x0200_0000, "HTTP proxy authentication failed"),
    (0x0400_0000, "TCP-to-TCP connectivity over TURN failed"),
    (0x0800_0000, "use-candidate checks failed"),
];

/// ICE warning flags for people: `none` for 0, else each set bit's meaning (by value when not in the table).
pub fn ice_warnings(text: &str) -> Option<Vec<String>> {
    let t = text.trim();
    let flags = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => t.parse().ok()?,
    };
    if flags == 0 {
        return Some(vec!["none (no failures, or ICE was not used)".into()]);
    }
    Some(
        (0..32)
            .map(|b| 1u32 << b)
            .filter(|bit| flags & bit != 0)
            .map(|bit| match ICE_WARNINGS.iter().find(|(v, _)| *v == bit) {
                Some((_, meaning)) => meaning.to_string(),
                None => format!("bit 0x{bit:X} (not in the table)"),
            })
            .collect(),
    )
}

/// A media debug field's name for people, when known.
fn field_label(key: &str) -> Option<&'static str> {
    Some(match key.to_ascii_lowercase().as_str() {
        "icewarn" => "ICE warnings",
        "localsite" => "local address",
        "remotesite" => "remote address",
        "localmr" => "local media relay (A/V Edge)",
        "remotemr" => "remote media relay (A/V Edge)",
        "portrange" => "port range",
        "localmrtcpport" => "local media relay TCP port",
        "remotemrtcpport" => "remote media relay TCP port",
        "locallocation" => "local location",
        "remotelocation" => "remote location",
        "federationtype" => "federation type",
        "networkname" => "network name",
        "stunver" => "STUN version",
        "baseaddress" => "base address",
        "interfaces" => "interfaces",
        "baseinterface" => "base interface",
        _ => return None,
    })
}

/// A media debug payload for people: one line per media group, `audio: ICE warnings: UDP NAT connectivity
/// failed, …; local address 10.0.0.5:50012; …`.
pub fn describe_media_debug(value: &str) -> Vec<String> {
    media_groups(value)
        .into_iter()
        .map(|g| {
            let parts: Vec<String> = g
                .fields
                .iter()
                .map(|(k, v)| {
                    if k.eq_ignore_ascii_case("icewarn") {
                        if let Some(w) = ice_warnings(v) {
                            return format!("ICE warnings {v}: {}", w.join(", "));
                        }
                    }
                    let lower = k.to_ascii_lowercase();
                    let v = match (lower.as_str(), v.as_str()) {
                        // Not documented; every published example fits 1 = remote, 2 = inside
                        // (docs/research/calls-meetings-quality.md §4).
                        ("locallocation" | "remotelocation", "1") => {
                            "1 (probably remote)".to_string()
                        }
                        ("locallocation" | "remotelocation", "2") => {
                            "2 (probably inside)".to_string()
                        }
                        _ => v.clone(),
                    };
                    match field_label(k) {
                        Some(label) => format!("{label} {v}"),
                        None => format!("{k}={v}"),
                    }
                })
                .collect();
            let media = if g.media.is_empty() {
                String::new()
            } else {
                format!("{}: ", g.media)
            };
            format!("{media}{}", parts.join("; "))
        })
        .collect()
}

/// A parameter whose value is a media debug payload (`CalleeMediaDebug`, `CallerMediaDebug`, `MediaDebug`…).
pub fn is_media_debug(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with("mediadebug")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_per_media_type() {
        let v = "audio:ICEWarn=0x4000a8,LocalSite=10.0.0.5:50012,LocalMR=203.0.113.5:3478,RemoteSite=192.0.2.44:50020,PortRange=1025:65000 video:ICEWarn=0x0,LocalSite=10.0.0.5:50030";
        let g = media_groups(v);
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].media, "audio");
        assert_eq!(
            g[0].fields[2],
            ("LocalMR".into(), "203.0.113.5:3478".into())
        );
        assert_eq!(g[0].fields[4], ("PortRange".into(), "1025:65000".into()));
        assert_eq!(g[1].media, "video");
        let lines = describe_media_debug(v);
        assert!(
            lines[0].starts_with("audio: ICE warnings 0x4000a8: "),
            "{}",
            lines[0]
        );
        assert!(lines[0].contains("UDP TURN server connectivity failed"));
        assert!(lines[0].contains("local media relay (A/V Edge) 203.0.113.5:3478"));
        assert!(lines[1].contains("ICE warnings 0x0: none"));
    }

    #[test]
    fn every_set_bit_is_said() {
        // A real value (ucsorted's example): 0x3e0 = 0x200 | 0x100 | 0x80 | 0x40 | 0x20.
        let w = ice_warnings("0x3e0").unwrap();
        assert_eq!(
            w,
            [
                "local connectivity failed",
                "UDP NAT connectivity failed",
                "UDP TURN server connectivity failed",
                "TCP NAT connectivity failed",
                "TCP TURN server connectivity failed"
            ]
        );
        assert!(ice_warnings("0x10000000").unwrap()[0].contains("0x10000000"));
        assert_eq!(ice_warnings("1").unwrap(), ["TURN server unreachable"]);
        assert!(ice_warnings("0xZZ").is_none());
        assert!(ice_warnings("").is_none());
    }

    #[test]
    fn odd_payloads_never_panic() {
        assert!(media_groups("").is_empty());
        assert_eq!(media_groups("a,b,=,:,x:").len(), 1);
        assert_eq!(describe_media_debug("no pairs at all").len(), 1);
        assert!(is_media_debug("CalleeMediaDebug") && !is_media_debug("appName"));
    }
}
