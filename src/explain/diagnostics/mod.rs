//! ms-diagnostics, ms-diagnostics-public and ms-client-diagnostics: code, component, reason, source, extras.
//!
//! Header syntax ([MS-OCER]; UCMA docs "Diagnostics and error reporting", MicrosoftDocs/
//! office-developer-lync-evergreen-docs docs/ucma-sdk/diagnostics-and-error-reporting.md):
//! `ms-diagnostics: ErrorId[.SubCode];source="fqdn";reason="text"*(;name="value")`. The reason in the header
//! wins; the table below only fills in a reason when the header has none.
//!
//! Where the tables come from:
//! - [`RANGES`]: the error-code ranges of the "Ms-Diagnostics Header" page of the Office Communications Server
//!   2007 / 2007 R2 documentation (technet.microsoft.com/library/bb964037), which [MS-OCER] Appendix A keeps;
//!   [MS-OCER] §8 adds 20000–20999 (group chat) and 21000–21999 (application sharing MCU); UCMA reserves
//!   60000–62999 for applications (UCMA docs above). Ranges marked "observed" are not in those lists: they are
//!   where Microsoft's own documents show codes with the named component (24xxx with `Component="RTCC/…"`, 28020
//!   from UCWA).
//! - The codes: [`table`], every code → reason pair of the project's shared table (153 rows, each with its
//!   source) plus the few this project saw quoted elsewhere. Unknown codes show their component from the range
//!   and the header's own reason.
//! - [`payload`]: the key=value payloads some parameters carry (`CalleeMediaDebug="audio:ICEWarn=0x…,…"`).

pub mod payload;
pub mod table;

use super::util::{find, semi_params};
pub use table::{Code, Side};

/// A code range and the component it belongs to.
pub struct Range {
    pub first: u32,
    pub last: u32,
    pub component: &'static str,
}

/// Code ranges → component (see the module comment for the sources).
pub const RANGES: &[Range] = &[
    Range {
        first: 0,
        last: 999,
        component: "common errors (SIP stack and User Services)",
    },
    Range {
        first: 1000,
        last: 1999,
        component: "SIP stack (server routing, DNS, federation, connections)",
    },
    Range {
        first: 2000,
        last: 2999,
        component: "User Services: presence",
    },
    Range {
        first: 3000,
        last: 3999,
        component: "User Services: conferencing (Focus and Focus Factory)",
    },
    Range {
        first: 4000,
        last: 4999,
        component: "User Services: other (registration, users, policies)",
    },
    Range {
        first: 5000,
        last: 5999,
        component: "API applications",
    },
    Range {
        first: 6000,
        last: 6999,
        component: "IM Conferencing Server",
    },
    Range {
        first: 7000,
        last: 7999,
        component: "A/V Conferencing Server",
    },
    Range {
        first: 8000,
        last: 8999,
        component: "Telephony Conferencing Server",
    },
    Range {
        first: 9000,
        last: 9999,
        component: "MRAS (media relay authentication)",
    },
    Range {
        first: 10000,
        last: 10999,
        component: "Mediation Server",
    },
    Range {
        first: 11000,
        last: 11999,
        component: "Metrics Server",
    },
    Range {
        first: 12000,
        last: 12999,
        component: "VoIP outbound call routing",
    },
    Range {
        first: 13000,
        last: 13999,
        component: "VoIP inbound call routing",
    },
    Range {
        first: 14000,
        last: 14999,
        component: "VoIP translation service (dial plans)",
    },
    Range {
        first: 15000,
        last: 15999,
        component: "Exchange Unified Messaging routing",
    },
    Range {
        first: 16000,
        last: 16999,
        component: "Intelligent IM Filter",
    },
    Range {
        first: 17000,
        last: 17999,
        component: "Client Version Filter",
    },
    Range {
        first: 20000,
        last: 20999,
        component: "Group Chat server",
    },
    Range {
        first: 21000,
        last: 21999,
        component: "application sharing conferencing (ASMCU)",
    },
    Range {
        first: 24000,
        last: 24999,
        component: "UCMA platform (RTCC) (observed)",
    },
    Range {
        first: 25000,
        last: 25999,
        component: "server resiliency / backup routing (observed)",
    },
    Range {
        first: 28000,
        last: 28999,
        component: "UCWA web API (observed)",
    },
    Range {
        first: 51000,
        last: 52999,
        component: "client-side diagnostics (ms-client-diagnostics) (observed)",
    },
    Range {
        first: 60000,
        last: 60999,
        component: "UCMA application: expected success",
    },
    Range {
        first: 61000,
        last: 61999,
        component: "UCMA application: expected failure",
    },
    Range {
        first: 62000,
        last: 62999,
        component: "UCMA application: unexpected failure",
    },
    Range {
        first: 90000,
        last: 90999,
        component: "public IM connectivity (PIC)",
    },
];

/// The component a code's range belongs to, as a header of `side` reports it (the client's codes are its own).
pub fn component(side: Side, code: u32) -> Option<&'static str> {
    if side == Side::Client && !(51000..=52999).contains(&code) {
        return Some("client-side diagnostics");
    }
    RANGES
        .iter()
        .find(|r| (r.first..=r.last).contains(&code))
        .map(|r| r.component)
}

/// A parsed diagnostics header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub side: Side,
    pub code: Option<u32>,
    /// `1003.2` → `2`.
    pub sub_code: Option<String>,
    /// The header's own `reason`.
    pub reason: Option<String>,
    /// The table's row for the code, when it has one (its reason, source and notes).
    pub documented: Option<&'static Code>,
    pub source: Option<String>,
    /// Every other parameter, as written.
    pub params: Vec<(String, String)>,
}

impl Diagnostic {
    /// The reason to show: the header's, else the table's.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref().or(self.documented.map(|c| c.reason))
    }
}

/// Parse one diagnostics value as a header of `side` reports it.
pub fn parse(side: Side, value: &str) -> Diagnostic {
    let (first, params) = semi_params(value);
    let (code_text, sub) = match first.split_once('.') {
        Some((c, s)) => (c.trim(), Some(s.trim().to_string())),
        None => (first.trim(), None),
    };
    let code: Option<u32> = code_text.parse().ok();
    Diagnostic {
        side,
        code,
        sub_code: sub.filter(|s| !s.is_empty()),
        reason: find(&params, "reason")
            .map(super::util::one_line)
            .filter(|r| !r.is_empty()),
        documented: code.and_then(|c| table::lookup(side, c)),
        source: find(&params, "source").map(super::util::one_line),
        params: params
            .into_iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("reason") && !k.eq_ignore_ascii_case("source"))
            .collect(),
    }
}

/// Meaning of well-known extra parameters.
fn param_label(name: &str) -> Option<&'static str> {
    Some(match name.to_ascii_lowercase().as_str() {
        "appname" => "server application",
        "component" => "component",
        "domain" => "remote domain",
        "peerserver" => "federated peer server",
        "count" => "endpoints tried",
        "sipresponsecode" => "SIP response from the next hop",
        "sipresponsetext" => "its reason",
        "summary" => "summary",
        "fqdn" | "fqdn1" => "server found in DNS",
        "request" => "request",
        "originalpresencestate" => "presence before",
        "currentpresencestate" => "presence now",
        "meinsideuser" => "caller inside the network",
        "remotepartycandoim" => "remote can IM",
        "callerlocation" | "calleelocation" => "location",
        "winsockfailurecode" => "Winsock error",
        "winsockfailuredescription" => "Winsock error text",
        "mediatype" => "media type",
        "usertype" => "user type",
        "failedfqdn" | "failedserverfqdn" => "server that failed",
        "failedip" => "address that failed",
        "requesttarget" => "request target",
        "responsecode" => "response code",
        _ => return None,
    })
}

/// Plain-English lines for one diagnostics header (`header` is its name as written).
pub fn describe(header: &str, value: &str) -> Vec<String> {
    let side = Side::of_header(header).unwrap_or(Side::Server);
    let d = parse(side, value);
    let mut out = Vec::new();
    let kind = if side == Side::Client {
        "Client diagnostic"
    } else if header.eq_ignore_ascii_case("ms-diagnostics-public") {
        "Public diagnostic (the copy that crosses federation boundaries)"
    } else {
        "Server diagnostic"
    };
    let Some(code) = d.code else {
        out.push(format!(
            "{kind} with no readable code: {}",
            super::util::clip(value.trim(), 200)
        ));
        return out;
    };
    let code_text = match &d.sub_code {
        Some(s) => format!("{code}.{s}"),
        None => code.to_string(),
    };
    let comp = component(side, code)
        .map(|c| format!(" — {c}"))
        .unwrap_or_else(|| " — code outside the documented ranges".into());
    let reason = match (&d.reason, d.documented) {
        (Some(r), _) => format!(": {r}"),
        (None, Some(c)) => format!(
            ": {} (reason from the code table; the header gives none)",
            c.reason.trim_end_matches('.')
        ),
        (None, None) => ": no reason given".to_string(),
    };
    let source = d
        .source
        .as_deref()
        .map(|s| format!(". Reported by {s}"))
        .unwrap_or_default();
    out.push(format!("{kind} {code_text}{comp}{reason}{source}."));
    if let Some(c) = d.documented {
        let same = d.reason.as_deref().is_none_or(|r| {
            r.trim_end_matches('.')
                .eq_ignore_ascii_case(c.reason.trim_end_matches('.'))
        });
        let other_side = if c.side != side && c.side != Side::Any {
            format!(" (documented for {})", c.header)
        } else {
            String::new()
        };
        if same {
            out.push(format!("Documented{other_side}: {}", c.source));
        } else {
            out.push(format!(
                "Documented{other_side} as \"{}\": {}",
                c.reason.trim_end_matches('.'),
                c.source
            ));
        }
        for n in &c.notes {
            out.push(format!("Note: {n}"));
        }
    }
    let mut extras = Vec::new();
    for (k, v) in &d.params {
        if payload::is_media_debug(k) {
            for line in payload::describe_media_debug(v) {
                out.push(format!("{k}, {line}."));
            }
            continue;
        }
        let v = super::util::one_line(v);
        if k.eq_ignore_ascii_case("icewarn") || k.eq_ignore_ascii_case("icewarningflags") {
            if let Some(w) = payload::ice_warnings(&v) {
                extras.push(format!("ICE warnings {v}: {}", w.join(", ")));
                continue;
            }
        }
        extras.push(match param_label(k) {
            Some(label) => format!("{label} {v}"),
            None => format!("{k}={v}"),
        });
    }
    if !extras.is_empty() {
        out.push(format!("Details: {}.", extras.join("; ")));
    }
    out
}

/// Short text for findings: `13004 (VoIP inbound call routing): Request was proxied… (FE01.limcm.com, InboundRouting)`.
pub fn summary(header: &str, value: &str) -> Option<String> {
    let side = Side::of_header(header).unwrap_or(Side::Server);
    let d = parse(side, value);
    let code = d.code?;
    let mut s = code.to_string();
    if let Some(c) = component(side, code) {
        s.push_str(&format!(" ({c})"));
    }
    if let Some(r) = d.reason() {
        s.push_str(&format!(": {r}"));
    }
    let mut extra = Vec::new();
    if let Some(src) = &d.source {
        extra.push(src.clone());
    }
    for key in ["appName", "component", "Domain", "PeerServer"] {
        if let Some(v) = find(&d.params, key) {
            extra.push(v.to_string());
        }
    }
    if !extra.is_empty() {
        s.push_str(&format!(" ({})", extra.join(", ")));
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_from_the_header_wins() {
        // The sample's 503 (message 16).
        let lines = describe(
            "ms-diagnostics",
            "1007;reason=\"Temporarily cannot route\";source=\"FE01.limcm.com\"",
        );
        assert_eq!(
            lines[0],
            "Server diagnostic 1007 — SIP stack (server routing, DNS, federation, connections): Temporarily cannot route. Reported by FE01.limcm.com."
        );
        assert_eq!(lines.len(), 2);
        assert!(lines[1].starts_with("Documented: MS-OCER §7"));
    }

    #[test]
    fn extra_parameters_are_named() {
        // The sample's 480 (message 32).
        let v = "13004;reason=\"Request was proxied to one or more registered endpoints\";source=\"FE01.limcm.com\";Count=\"1\";appName=\"InboundRouting\"";
        let lines = describe("ms-diagnostics", v);
        assert!(lines[0].contains("VoIP inbound call routing"));
        assert!(lines[0].contains("Request was proxied to one or more registered endpoints"));
        assert_eq!(
            lines.last().unwrap(),
            "Details: endpoints tried 1; server application InboundRouting."
        );
        assert_eq!(
            summary("ms-diagnostics", v).unwrap(),
            "13004 (VoIP inbound call routing): Request was proxied to one or more registered endpoints (FE01.limcm.com, InboundRouting)"
        );
    }

    #[test]
    fn table_fills_a_missing_reason() {
        let lines = describe(
            "ms-diagnostics",
            "1008;source=\"accessproxy.litwareinc.com\"",
        );
        assert!(lines[0].contains("Unable to resolve DNS SRV record (reason from the code table"));
        let d = parse(Side::Server, "4005");
        assert_eq!(d.reason, None);
        assert_eq!(
            d.reason(),
            Some("Destination URI either not enabled for SIP or does not exist.")
        );
        let d = parse(Side::Server, "4999");
        assert_eq!(d.reason(), None);
        assert!(describe("ms-diagnostics", "4999")[0].contains("no reason given"));
    }

    #[test]
    fn federation_and_public_and_client_variants() {
        let v = "1034;reason=\"Previous hop federated peer did not report diagnostic information\";Domain=\"colima.local\";PeerServer=\"sip.colima.de\";source=\"federation.messenger.msn.com\"";
        let lines = describe("ms-diagnostics", v);
        let details = lines.last().unwrap();
        assert!(details.contains("remote domain colima.local"));
        assert!(details.contains("federated peer server sip.colima.de"));
        assert!(describe(
            "ms-diagnostics-public",
            "21002;reason=\"Attendees cannot share in this conference\";component=\"ASMCU\""
        )[0]
        .starts_with("Public diagnostic"));
        assert!(describe("ms-client-diagnostics", "52001;reason=\"x\"")[0]
            .contains("client-side diagnostics"));
        assert!(describe("ms-diagnostics", "1003.2;reason=\"x\"")[0].contains("1003.2"));
    }

    #[test]
    fn the_table_says_its_source_and_a_differing_documented_reason() {
        // The header's reason is kept; the table's source is named.
        let lines = describe(
            "ms-diagnostics",
            "1007;reason=\"Temporarily cannot route\";source=\"FE01.limcm.com\"",
        );
        assert!(lines[1].starts_with("Documented: MS-OCER"), "{lines:?}");
        // A header with its own words for a documented code: both shown.
        let lines = describe(
            "ms-diagnostics",
            "1009;reason=\"No match for domain in DNS SRV results\"",
        );
        assert!(lines[0].contains("No match for domain in DNS SRV results"));
        assert!(
            lines[1]
                .starts_with("Documented as \"Conflicting SRV and host domains in DNS\": MS-OCER"),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|l| l.starts_with("Note: 1009:")),
            "{lines:?}"
        );
        // A client code: its own table and component.
        let lines = describe("ms-client-diagnostics", "23;reason=\"Call failed\"");
        assert!(
            lines[0].starts_with("Client diagnostic 23 — client-side diagnostics: Call failed."),
            "{lines:?}"
        );
        assert!(
            lines[1].contains("media connectivity failure when one endpoint is internal"),
            "{lines:?}"
        );
        // A server code the table has only for the client header says so.
        let lines = describe("ms-diagnostics", "24067");
        assert!(
            lines[0].contains("Mcu is rolling over (reason from the code table"),
            "{lines:?}"
        );
        assert!(
            lines[1].starts_with("Documented (documented for ms-client-diagnostics)")
                || lines[1].contains("documented for ms-client-diagnostics"),
            "{lines:?}"
        );
    }

    #[test]
    fn extra_attributes_and_media_payloads_are_kept_and_decoded() {
        let v = "23;reason=\"Call failed to establish due to a media connectivity failure when one endpoint is internal and the other is remote\";CallerMediaDebug=\"audio:ICEWarn=0x4000a8,LocalSite=10.0.0.5:50012,LocalMR=203.0.113.5:3478,RemoteSite=192.0.2.44:50020,RemoteMR=198.51.100.9:3478,PortRange=1025:65000,LocalMRTCPPort=443,RemoteMRTCPPort=443,LocalLocation=2,RemoteLocation=1,FederationType=0\";MediaType=\"audio\";WinsockFailureCode=\"10060\";WinsockFailureDescription=\"The peer did not respond\"";
        let lines = describe("ms-client-diagnostics", v);
        let media = lines
            .iter()
            .find(|l| l.starts_with("CallerMediaDebug, audio: "))
            .expect("the media line");
        assert!(media.contains("ICE warnings 0x4000a8: "));
        assert!(media.contains("remote media relay (A/V Edge) 198.51.100.9:3478"));
        assert!(media.contains("local location 2"));
        let details = lines.last().unwrap();
        assert!(details.contains("media type audio"));
        assert!(details.contains("Winsock error 10060"));
        assert!(details.contains("Winsock error text The peer did not respond"));
    }

    #[test]
    fn garbage_never_panics() {
        assert!(describe("ms-diagnostics", "")[0].contains("no readable code"));
        assert!(describe("ms-diagnostics", ";;;=")[0].contains("no readable code"));
        assert!(describe("ms-diagnostics", "99999999999999")[0].contains("no readable code"));
        assert!(describe("ms-diagnostics", "70000")[0].contains("outside the documented ranges"));
        assert!(summary("ms-diagnostics", "x").is_none());
    }

    #[test]
    fn ranges_do_not_overlap() {
        for w in RANGES.windows(2) {
            assert!(w[0].last < w[1].first);
        }
        for c in table::codes() {
            assert!(component(c.side, c.code).is_some(), "{}", c.code);
        }
    }
}
