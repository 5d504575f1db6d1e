//! The key=value payloads inside diagnostics parameters, decoded: `CalleeMediaDebug` / `CallerMediaDebug`
//! (`audio:ICEWarn=0x4000a8,LocalSite=10.0.0.5:50012,LocalMR=203.0.113.5:3478,…`, one group per media type) and
//! the ICE warning flags they carry.
//!
//! ICE warning bits: [MS-QoE] §2.2.1.7.1, the `IceWarningFlags` table of the `Connectivity` element
//! (learn.microsoft.com/en-us/openspecs/office_protocols/ms-qoe/5abe2a32-a0e4-41d6-8eed-997854d0db6c). The same
//! flags travel as `ICEWarn=0x…` in the media debug payloads. Bits the table does not name are shown by value.

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

/// [MS-QoE] §2.2.1.7.1 `IceWarningFlags`: bit → meaning (the table's own words).
pub const ICE_WARNINGS: &[(u32, &str)] = &[
    (0x0000_0010, "TURN server is unreachable"),
    (0x0000_0020, "shared secret with TURN server failed"),
    (
        0x0000_0040,
        "an attempt to allocate a UDP port on the TURN server failed",
    ),
    (
        0x0000_0200,
        "an attempt to allocate a TCP port on the TURN server failed",
    ),
    (0x0000_4000, "UDP local connectivity failed"),
    (0x0000_8000, "UDP NAT connectivity failed"),
    (0x0001_0000, "UDP TURN server connectivity failed"),
    (0x0004_0000, "TCP NAT connectivity failed"),
    (0x0008_0000, "TCP TURN server connectivity failed"),
    (
        0x0010_0000,
        "message integrity failed in connectivity check request",
    ),
    (
        0x0020_0000,
        "message integrity failed in connectivity check response",
    ),
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
                None => format!("bit 0x{bit:X} (not in [MS-QoE]'s table)"),
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
        assert!(lines[0].contains("shared secret with TURN server failed"));
        assert!(lines[0].contains("local media relay (A/V Edge) 203.0.113.5:3478"));
        assert!(lines[1].contains("ICE warnings 0x0: none"));
    }

    #[test]
    fn every_set_bit_is_said() {
        let w = ice_warnings("0x4000a8").unwrap();
        // 0x4000a8 = 0x400000 | 0x80 | 0x20 | 0x8
        assert_eq!(w.len(), 4);
        assert!(w
            .iter()
            .any(|m| m == "shared secret with TURN server failed"));
        assert!(w.iter().any(|m| m.contains("0x400000")));
        assert_eq!(ice_warnings("16").unwrap(), ["TURN server is unreachable"]);
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
