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
//!   plus the ranges Microsoft reserves for UCMA applications (60000–62999, UCMA docs above). Ranges marked
//!   "observed" are not in those lists: they are where Microsoft's own documents show codes with the named
//!   component (e.g. 21002 with `component="ASMCU"`, 24xxx with `Component="RTCC/…"`, 28020 from UCWA).
//! - [`CODES`]: each entry names its source in its third field. Most are quoted from Microsoft support and
//!   product documents (MicrosoftDocs/SupportArticles-docs, OfficeDocs-SkypeForBusiness cmdlet pages, the UCMA
//!   and UCWA docs); those marked "observed" are reason strings seen verbatim on the wire in published logs,
//!   where no Microsoft document quoting them was found. [MS-OCER] itself (the full code list) could not be
//!   read from here, so the table is deliberately short: unknown codes show their component from the range
//!   and the header's own reason.

use super::util::{find, semi_params};

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
        first: 21000,
        last: 21999,
        component: "application sharing conferencing (ASMCU) (observed)",
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

/// (code, reason, source).
pub const CODES: &[(u32, &str, &str)] = &[
    (1007, "Temporarily cannot route", "[MS-OCER], as quoted in tests/fixtures/README.md"),
    (1008, "Unable to resolve DNS SRV record", "OfficeDocs-SkypeForBusiness, Test-Cs* cmdlet pages (ErrorCode=1008)"),
    (1009, "No match for domain in DNS SRV results", "observed: Skype for Business Server 2015 (RTC/6.0) response quoted in a third-party video-interop guide"),
    (1017, "Cannot route From and To domains in this combination", "SupportArticles-docs: SfB Online users in a Microsoft 365 domain can't IM or detect users"),
    (1027, "Cannot route this type of SIP request to or from federated partners", "observed: Lync Server 2010 Edge response in a published Snooper trace"),
    (1034, "Previous hop federated peer did not report diagnostic information", "observed: Skype for Business Online federation response in published test data"),
    (2139, "Terminating old subscription since new subscription dialog took over the previous one", "observed: ms-diagnostics-public on a terminating BENOTIFY, quoted in a Lync client's source"),
    (4005, "Destination URI either not enabled for SIP or does not exist", "SupportArticles-docs: Newly created users can't sign in to a Lync client"),
    (4141, "User disabled", "pidgin-sipe source comment quoting an OCS 2007 registration NOTIFY ([MS-SIPREGE])"),
    (4268, "Delegate operation not allowed as delegate and delegator are in different deployments.", "SupportArticles-docs: Cannot create a meeting on behalf of delegate"),
    (10003, "Proxy returned a SIP failure code", "observed: Mediation Server / Core Server responses in published test data"),
    (12001, "User Policy does not contain phone route usage", "OfficeDocs-SkypeForBusiness: Test-CsPstnOutboundCall"),
    (13004, "Request was proxied to one or more registered endpoints", "[MS-OCER], as quoted in tests/fixtures/README.md"),
    (15000, "Unable to read the user properties publication for the user or contact object.", "SupportArticles-docs: 500 Server Internal error and calls to Subscriber Access or Auto Attendant fail"),
    (21002, "Attendees cannot share in this conference", "observed: ms-diagnostics-public from the ASMCU, quoted in a third-party video-interop guide"),
    (24067, "Mcu is rolling over", "UCMA docs: Diagnostics and error reporting"),
    (24081, "Endpoint termination", "UCMA docs: Diagnostics and error reporting"),
    (24083, "Message was received out of dialog.", "UCMA docs: Diagnostics and error reporting"),
    (25008, "Attempting to route to Primary Pool", "observed: 101 Progress Report, quoted in a Lync client's source"),
    (28020, "No valid security token.", "UCWA docs: X-Ms-diagnostics on a 400 Bad Request"),
    (51004, "Action initiated by user", "observed: ms-client-diagnostics in a published client error report"),
];

/// The component a code's range belongs to.
pub fn component(code: u32) -> Option<&'static str> {
    RANGES
        .iter()
        .find(|r| (r.first..=r.last).contains(&code))
        .map(|r| r.component)
}

/// The built-in reason for a code, when the table has one.
pub fn known_reason(code: u32) -> Option<&'static str> {
    CODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, r, _)| *r)
}

/// A parsed diagnostics header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Option<u32>,
    /// `1003.2` → `2`.
    pub sub_code: Option<String>,
    /// The header's `reason`, else the table's.
    pub reason: Option<String>,
    /// The reason came from the built-in table, not from the header.
    pub reason_from_table: bool,
    pub source: Option<String>,
    /// Every other parameter, as written.
    pub params: Vec<(String, String)>,
}

/// Parse one ms-diagnostics / ms-diagnostics-public / ms-client-diagnostics value.
pub fn parse(value: &str) -> Diagnostic {
    let (first, params) = semi_params(value);
    let (code_text, sub) = match first.split_once('.') {
        Some((c, s)) => (c.trim(), Some(s.trim().to_string())),
        None => (first.trim(), None),
    };
    let code: Option<u32> = code_text.parse().ok();
    let header_reason = find(&params, "reason")
        .map(super::util::one_line)
        .filter(|r| !r.is_empty());
    let (reason, from_table) = match header_reason {
        Some(r) => (Some(r), false),
        None => match code.and_then(known_reason) {
            Some(r) => (Some(r.to_string()), true),
            None => (None, false),
        },
    };
    Diagnostic {
        code,
        sub_code: sub.filter(|s| !s.is_empty()),
        reason,
        reason_from_table: from_table,
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
        _ => return None,
    })
}

/// Plain-English lines for one diagnostics header (`header` is its name as written).
pub fn describe(header: &str, value: &str) -> Vec<String> {
    let d = parse(value);
    let mut out = Vec::new();
    let kind = if header.eq_ignore_ascii_case("ms-client-diagnostics") {
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
    let comp = component(code)
        .map(|c| format!(" — {c}"))
        .unwrap_or_else(|| " — code outside the documented ranges".into());
    let reason = match (&d.reason, d.reason_from_table) {
        (Some(r), false) => format!(": {r}"),
        (Some(r), true) => format!(": {r} (reason from the code table; the header gives none)"),
        (None, _) => ": no reason given".to_string(),
    };
    let source = d
        .source
        .as_deref()
        .map(|s| format!(". Reported by {s}"))
        .unwrap_or_default();
    out.push(format!("{kind} {code_text}{comp}{reason}{source}."));
    let extras: Vec<String> = d
        .params
        .iter()
        .map(|(k, v)| match param_label(k) {
            Some(label) => format!("{label} {}", super::util::one_line(v)),
            None => format!("{k}={}", super::util::one_line(v)),
        })
        .collect();
    if !extras.is_empty() {
        out.push(format!("Details: {}.", extras.join("; ")));
    }
    out
}

/// Short text for findings: `13004 (VoIP inbound call routing): Request was proxied… (FE01.limcm.com, InboundRouting)`.
pub fn summary(value: &str) -> Option<String> {
    let d = parse(value);
    let code = d.code?;
    let mut s = code.to_string();
    if let Some(c) = component(code) {
        s.push_str(&format!(" ({c})"));
    }
    if let Some(r) = &d.reason {
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
        assert_eq!(lines.len(), 1);
    }

    #[test]
    fn extra_parameters_are_named() {
        // The sample's 480 (message 32).
        let v = "13004;reason=\"Request was proxied to one or more registered endpoints\";source=\"FE01.limcm.com\";Count=\"1\";appName=\"InboundRouting\"";
        let lines = describe("ms-diagnostics", v);
        assert!(lines[0].contains("VoIP inbound call routing"));
        assert!(lines[0].contains("Request was proxied to one or more registered endpoints"));
        assert_eq!(
            lines[1],
            "Details: endpoints tried 1; server application InboundRouting."
        );
        assert_eq!(
            summary(v).unwrap(),
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
        let d = parse("4005");
        assert!(d.reason_from_table);
        assert_eq!(
            d.reason.as_deref(),
            Some("Destination URI either not enabled for SIP or does not exist")
        );
        let d = parse("4999");
        assert_eq!(d.reason, None);
        assert!(describe("ms-diagnostics", "4999")[0].contains("no reason given"));
    }

    #[test]
    fn federation_and_public_and_client_variants() {
        let v = "1034;reason=\"Previous hop federated peer did not report diagnostic information\";Domain=\"colima.local\";PeerServer=\"sip.colima.de\";source=\"federation.messenger.msn.com\"";
        let lines = describe("ms-diagnostics", v);
        assert!(lines[1].contains("remote domain colima.local"));
        assert!(lines[1].contains("federated peer server sip.colima.de"));
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
    fn garbage_never_panics() {
        assert!(describe("ms-diagnostics", "")[0].contains("no readable code"));
        assert!(describe("ms-diagnostics", ";;;=")[0].contains("no readable code"));
        assert!(describe("ms-diagnostics", "99999999999999")[0].contains("no readable code"));
        assert!(describe("ms-diagnostics", "70000")[0].contains("outside the documented ranges"));
        assert!(summary("x").is_none());
    }

    #[test]
    fn ranges_do_not_overlap() {
        for w in RANGES.windows(2) {
            assert!(w[0].last < w[1].first);
        }
        for (code, _, _) in CODES {
            assert!(component(*code).is_some(), "{code}");
        }
    }
}
