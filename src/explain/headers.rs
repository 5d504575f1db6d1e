//! Header annotations: plain-English lines per header that means something to a Lync / Skype for Business admin.
//! Size: one `match` over every header name an admin asks about, each arm a few lines of explanation with its
//! source; splitting it by header would scatter one dispatch table (its tests live in `headers/tests.rs`).
//!
//! What they say: product versions, NAT, Front End / Edge hops, authentication steps, option tags, diagnostics,
//! keep-alives, IM text carried in headers, …
//!
//! Meanings come from [MS-SIP] (authentication parameters §3.1.5.1, proxy=replace §3.1.5.3, BENOTIFY §3.5,
//! piggyback §3.4, auto-extension §3.6), [MS-PRES], RFC 3261 / 3265 and the tables in [`super::vocab`],
//! [`super::diagnostics`] and [`super::versions`], which name their sources.

use super::text::{decode_im_format, font_of, html_lines};
use super::util::{
    auth_params, base64_decode, clip, comma_list, display_name, duration, find, is_ip,
    is_private_ipv4, one_line, parse_uri, semi_params, split_host_port, uri_of, Uri,
};
use super::{diagnostics, versions, vocab, Annotation};
use crate::sip::{canonical_name, Message};

/// What the annotators need to know about the message as a whole.
struct Ctx {
    is_request: bool,
    /// The request method, or the CSeq method of a response (upper case).
    method: String,
    status: Option<u16>,
    /// Number of Via entries in the message, and how many were seen so far.
    via_total: usize,
    via_seen: usize,
    route_seen: usize,
    record_route_seen: usize,
}

/// Annotate every header of `msg` that has something to say.
pub fn annotate_headers(msg: &Message) -> Vec<Annotation> {
    let via_total = msg.headers_named("Via").map(|v| comma_list(&v).len()).sum();
    let mut ctx = Ctx {
        is_request: msg.is_request(),
        method: msg.cseq_method().unwrap_or_default().to_ascii_uppercase(),
        status: msg.status(),
        via_total,
        via_seen: 0,
        route_seen: 0,
        record_route_seen: 0,
    };
    let mut out = Vec::new();
    for (i, h) in msg.headers.iter().enumerate() {
        let name = msg.name(h);
        let value = msg.value(h);
        let canon = canonical_name(name).to_ascii_lowercase();
        for text in annotate_one(&mut ctx, &canon, name, &value) {
            out.push(Annotation {
                header_index: i,
                header: name.to_string(),
                text,
            });
        }
    }
    out
}

fn annotate_one(ctx: &mut Ctx, canon: &str, name: &str, value: &str) -> Vec<String> {
    let v = value.trim();
    match canon {
        "user-agent" => vec![format!("Sent by {}.", versions::describe_product(v))],
        "server" => vec![format!("Answered by {}.", versions::describe_product(v))],
        "via" => via(ctx, v),
        "record-route" => record_route(ctx, v),
        "route" => route(ctx, v),
        "path" => comma_list(v)
            .iter()
            .map(|e| format!("Path (proxy on the registration path): {}.", hop(e).0))
            .collect(),
        "contact" => contact(ctx, v),
        "from" | "to" => from_to(ctx, canon, v),
        "www-authenticate" | "proxy-authenticate" => challenge(v),
        "authorization" | "proxy-authorization" => credentials(v),
        "authentication-info" | "proxy-authentication-info" => server_signature(ctx, v),
        "expires" => expires(ctx, v),
        "subscription-state" => subscription_state(v),
        "event" => event(v),
        "allow-events" => allow_events(v),
        "supported" | "require" | "proxy-require" => option_tags(canon, v),
        "ms-diagnostics" | "ms-diagnostics-public" | "ms-client-diagnostics" => {
            diagnostics::describe(name, v)
        }
        "ms-user-logon-data" => user_logon_data(v),
        "ms-subnet" => vec![format!(
            "The client's IP subnet is {}; the server uses it to place the client in a network site (bandwidth policy, location-based routing).",
            one_line(v)
        )],
        "ms-endpoint-location-data" => endpoint_location(v),
        "ms-conversation-id" => vec![
            "Conversation id: every message of this conversation (IM, added people, escalation to audio or video) carries the same value.".into(),
        ],
        "ms-keep-alive" => keep_alive(v),
        "presence-state" => presence_state(v),
        "ms-text-format" | "ms-im-format" => im_format(v),
        "ms-piggyback-cseq" => vec![format!(
            "This 200 OK carries the first notification itself (piggy-backed, [MS-SIP] 3.4) as notification number {}.",
            one_line(v)
        )],
        "max-forwards" => max_forwards(v),
        "content-type" => content_type(v),
        "accept" => accept(v),
        "retry-after" => vec![match v.split(';').next().and_then(|s| s.trim().parse::<u64>().ok()) {
            Some(s) => format!("The server asks to try again in {}.", duration(s)),
            None => "The server asks to try again later.".into(),
        }],
        "date" if !ctx.is_request && matches!(ctx.status, Some(401 | 407)) => vec![
            "Server time: the client compares it with its own clock; NTLM fails when the clocks differ by more than 15 minutes, Kerberos by more than 5 ([MS-SIP] 3.1.5.1).".into(),
        ],
        "roster-manager" => vec![format!(
            "Multiparty IM: {} manages the list of participants.",
            uri_of(v)
        )],
        "endpoints" => {
            let who: Vec<String> = comma_list(v).iter().map(|e| uri_of(e)).collect();
            vec![format!("Participants of this IM conversation: {}.", who.join(", "))]
        }
        "ms-telemetry-id" => vec![
            "Telemetry id: the server's own logs and monitoring use this value for the same call.".into(),
        ],
        "ms-split-domain-info" => vec![
            "Split-domain (hybrid) information: whether the user is homed on premises or online in a shared SIP address space.".into(),
        ],
        "ms-edge-proxy-message-trust" => edge_trust(v),
        "p-asserted-identity" => vec![format!("The server asserts the sender's identity: {}.", uri_of(v))],
        "referred-by" => vec![format!("Transfer requested by {}.", uri_of(v))],
        "refer-to" => vec![format!("Transfer target: {}.", uri_of(v))],
        "history-info" => vec![format!("Call history entry (RFC 4244): {}.", uri_of(v))],
        "warning" => vec![format!("Warning: {}.", clip(&one_line(v), 300))],
        "allow" => vec![format!("Methods the sender accepts: {}.", one_line(v))],
        "ms-sender" => vec![format!("Really sent by {} (on behalf of the From user).", uri_of(v))],
        _ => Vec::new(),
    }
}

/// "TLS" from `SIP/2.0/TLS`.
fn via_transport(first: &str) -> String {
    first
        .split_whitespace()
        .next()
        .and_then(|p| p.rsplit('/').next())
        .unwrap_or("")
        .to_ascii_uppercase()
}

fn address_kind(host: &str) -> &'static str {
    match is_private_ipv4(host) {
        Some(true) => "private address",
        Some(false) => "public address",
        None if is_ip(host) => "address",
        None => "host",
    }
}

/// Who sent a Via entry, from its port: servers listen on 5060–5090 (SIP), 443/444; clients use ephemeral ports.
fn via_role(port: Option<u16>) -> &'static str {
    match port {
        Some(5060..=5090) | Some(443) | Some(444) => "The server",
        Some(p) if p >= 1024 => "The client",
        _ => "The sender",
    }
}

fn via(ctx: &mut Ctx, value: &str) -> Vec<String> {
    let mut out = Vec::new();
    for entry in comma_list(value) {
        ctx.via_seen += 1;
        let is_top = ctx.via_seen == 1;
        let is_bottom = ctx.via_seen == ctx.via_total;
        let (first, params) = semi_params(&entry);
        let transport = via_transport(&first);
        let sent_by = first.split_whitespace().nth(1).unwrap_or("").to_string();
        let (host, port) = split_host_port(&sent_by);
        let role = via_role(port);
        let over = if transport.is_empty() {
            String::new()
        } else {
            format!(" over {transport}")
        };
        let received = find(&params, "received").filter(|r| !r.is_empty());
        let rport = find(&params, "ms-received-port")
            .or_else(|| find(&params, "rport"))
            .filter(|p| !p.is_empty())
            .and_then(|p| p.parse::<u16>().ok());
        let cid = find(&params, "ms-received-cid")
            .filter(|c| !c.is_empty())
            .map(|c| format!(" on connection {c}"))
            .unwrap_or_default();
        let hop = if ctx.via_total > 1 {
            if is_bottom {
                " (the originator)"
            } else if is_top {
                " (the last hop)"
            } else {
                ""
            }
        } else {
            ""
        };
        let text = if received.is_some() || rport.is_some() {
            let seen_host = received.unwrap_or(&host).to_string();
            let seen_port = rport.or(port);
            let seen = match seen_port {
                Some(p) => format!("{seen_host}:{p}"),
                None => seen_host.clone(),
            };
            if !seen_host.eq_ignore_ascii_case(&host) {
                format!(
                    "{role}{hop} sent from {} {sent_by}{over}; the server saw it arrive from {} {seen} (NAT){cid}.",
                    address_kind(&host),
                    address_kind(&seen_host)
                )
            } else if seen_port != port {
                format!(
                    "{role}{hop} sent from {} {sent_by}{over}; the server saw it arrive from the same address but port {} (port translated){cid}.",
                    address_kind(&host),
                    seen_port.map(|p| p.to_string()).unwrap_or_default()
                )
            } else {
                format!(
                    "{role}{hop} sent from {} {sent_by}{over}; the server saw it arrive from that same address (no NAT){cid}.",
                    address_kind(&host)
                )
            }
        } else {
            format!(
                "{role}{hop} sent from {} {sent_by}{over}.",
                address_kind(&host)
            )
        };
        out.push(text);
        if find(&params, "ms-internal-info").is_some() {
            out.push(
                "ms-internal-info: routing data the Front End adds for its own use; it comes back in the response."
                    .into(),
            );
        }
        if is_top && ctx.is_request && find(&params, "branch").is_none() && is_bottom {
            out.push(
                "No branch parameter (usual for Skype for Business clients over TLS): the transaction is matched by Call-ID and CSeq."
                    .into(),
            );
        }
    }
    out
}

/// Describe one route / contact entry: (text, parsed URI).
fn hop(entry: &str) -> (String, Uri) {
    let u = parse_uri(&uri_of(entry));
    let transport = u.transport();
    let port = u.port.map(|p| p.to_string());
    let via = match (transport, port) {
        (Some(t), Some(p)) => format!(" ({t} {p})"),
        (Some(t), None) => format!(" ({t})"),
        (None, Some(p)) => format!(" (port {p})"),
        (None, None) => String::new(),
    };
    let opaque = u.param("opaque").unwrap_or("");
    let mut text = if let Some(fe) = u.param("ms-fe") {
        if fe.eq_ignore_ascii_case(&u.host) {
            format!("Front End {fe}{via}")
        } else {
            format!("Front End {fe} in pool {}{via}", u.host)
        }
    } else if opaque.to_ascii_lowercase().starts_with("state:") || u.has("ms-edge-route") {
        format!("Access Edge {}{via}", u.host)
    } else if opaque.to_ascii_lowercase().starts_with("user:epid:") && u.has("gruu") {
        let epid = &opaque["user:epid:".len()..];
        format!(
            "GRUU of {}: exactly one signed-in endpoint (epid {epid})",
            u.address()
        )
    } else {
        match u.transport() {
            Some(t) => format!("{} ({t})", u.address_with_port()),
            None => u.address_with_port(),
        }
    };
    let mut extras = Vec::new();
    if opaque.to_ascii_lowercase().starts_with("state:") {
        // `state:Ci.R17700`: the Edge's state for the connection whose id (ms-received-cid) is 17700.
        let cid = opaque
            .split_once(".R")
            .map(|(_, c)| c)
            .filter(|c| !c.is_empty() && c.chars().all(|x| x.is_ascii_hexdigit()));
        extras.push(match cid {
            Some(c) => {
                format!(
                    "the Edge keeps this connection's state in opaque={opaque} (connection {c})"
                )
            }
            None => format!("the Edge keeps this connection's state in opaque={opaque}"),
        });
    }
    if u.has("ms-edge-route") {
        extras.push("ms-edge-route: route through the Edge".to_string());
    }
    if u.has("ms-route-sig") {
        extras.push("route signed by that server (ms-route-sig)".to_string());
    }
    if let Some(r) = u.param("received").filter(|r| !r.is_empty()) {
        extras.push(format!("reached at {r}"));
    }
    if let Some(c) = u.param("ms-received-cid").filter(|c| !c.is_empty()) {
        extras.push(format!("connection {c}"));
    }
    if let Some(m) = u.param("maddr").filter(|m| !m.is_empty()) {
        extras.push(format!("maddr {m}"));
    }
    if let Some(o) = u.param("ms-opaque").filter(|o| !o.is_empty()) {
        extras.push(format!("client instance {o} (ms-opaque)"));
    }
    if u.has("grid") {
        extras.push("grid: reached over the client's own connection".to_string());
    }
    if !extras.is_empty() {
        text.push_str("; ");
        text.push_str(&extras.join("; "));
    }
    (text, u)
}

impl Uri {
    fn address_with_port(&self) -> String {
        match (&self.user, self.port) {
            (Some(u), Some(p)) => format!("{u}@{}:{p}", self.host),
            (Some(u), None) => format!("{u}@{}", self.host),
            (None, _) => self.host_port(),
        }
    }
}

fn record_route(ctx: &mut Ctx, value: &str) -> Vec<String> {
    comma_list(value)
        .iter()
        .map(|e| {
            ctx.record_route_seen += 1;
            format!(
                "Hop {} of the route recorded for this dialog: {}.",
                ctx.record_route_seen,
                hop(e).0
            )
        })
        .collect()
}

fn route(ctx: &mut Ctx, value: &str) -> Vec<String> {
    comma_list(value)
        .iter()
        .map(|e| {
            ctx.route_seen += 1;
            let which = if ctx.route_seen == 1 {
                "Next hop".to_string()
            } else {
                format!("Hop {}", ctx.route_seen)
            };
            format!("{which}: {}.", hop(e).0)
        })
        .collect()
}

fn contact(ctx: &Ctx, value: &str) -> Vec<String> {
    let mut out = Vec::new();
    for entry in comma_list(value) {
        if entry.trim() == "*" {
            out.push("Contact * : remove all registrations of this user.".into());
            continue;
        }
        let (text, u) = hop(&entry);
        let params = super::util::header_params(&entry);
        let registering = ctx.method == "REGISTER";
        let mut line = if u.param("ms-fe").is_some() {
            format!("Answered by {text}.")
        } else if registering && ctx.is_request {
            format!("The client's own address for incoming requests: {text}.")
        } else if registering && ctx.status.is_some_and(|s| (200..300).contains(&s)) {
            format!("Registered contact: {text}.")
        } else if ctx.is_request {
            format!("Reach the sender at: {text}.")
        } else {
            format!("Reach the answering side at: {text}.")
        };
        if let Some(e) = find(&params, "expires").and_then(|e| e.parse::<u64>().ok()) {
            line.push_str(&format!(
                " The registration expires in {} unless refreshed.",
                duration(e)
            ));
        }
        if let Some(g) = find(&params, "gruu").filter(|g| !g.is_empty()) {
            line.push_str(&format!(" GRUU assigned to this endpoint: {g}."));
        }
        if let Some(inst) = find(&params, "+sip.instance") {
            line.push_str(&format!(
                " Device instance {}.",
                inst.trim_matches(|c| c == '<' || c == '>')
            ));
        }
        if find(&params, "proxy").is_some_and(|p| p.eq_ignore_ascii_case("replace")) {
            line.push_str(
                " proxy=replace: the outbound proxy may put its own address here for firewall traversal ([MS-SIP] 3.1.5.3).",
            );
        }
        out.push(line);
    }
    out
}

fn from_to(ctx: &Ctx, canon: &str, value: &str) -> Vec<String> {
    let uri = uri_of(value);
    let who = match display_name(value) {
        Some(n) => format!("{n} ({uri})"),
        None => uri.clone(),
    };
    let role = if canon == "from" {
        if ctx.is_request {
            "Sender"
        } else {
            "The request's sender"
        }
    } else if ctx.is_request {
        "Target"
    } else {
        "The request's target"
    };
    let mut line = format!("{role}: {who}.");
    if let Some(epid) = crate::sip::grammar::param(value, "epid").filter(|e| !e.is_empty()) {
        line.push_str(&format!(
            " Endpoint id (epid) {epid}: identifies this one client instance (device) of the user; the server uses it to pick the security association ([MS-SIP] 3.1.5.1)."
        ));
    }
    if canon == "to" && crate::sip::grammar::param(value, "tag").is_none() && ctx.is_request {
        line.push_str(" No To tag: this request starts a new dialog.");
    }
    vec![line]
}

fn scheme_name(scheme: &str) -> String {
    match scheme.to_ascii_uppercase().as_str() {
        "TLS-DSK" => "TLS-DSK (client certificate issued by the server)".into(),
        "NTLM" => "NTLM".into(),
        "KERBEROS" => "Kerberos".into(),
        "DIGEST" => "Digest".into(),
        "NEGOTIATE" => "Negotiate".into(),
        "BEARER" => "OAuth bearer token".into(),
        _ => scheme.to_string(),
    }
}

/// What a gssapi-data blob is: NTLM message type, Kerberos token, or TLS handshake records.
pub fn gssapi_summary(data: &str) -> String {
    let Some(bytes) = base64_decode(data) else {
        return "data that is not base64".into();
    };
    let n = bytes.len();
    if bytes.starts_with(b"NTLMSSP\0") {
        let kind = bytes
            .get(8..12)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .unwrap_or(0);
        let name = match kind {
            1 => "Negotiate",
            2 => "Challenge",
            3 => "Authenticate",
            _ => "unknown",
        };
        return format!("NTLM {name} message ({n} bytes)");
    }
    match bytes.first() {
        Some(0x60) => return format!("Kerberos / SPNEGO initial token ({n} bytes)"),
        Some(0xa1) => return format!("SPNEGO response token ({n} bytes)"),
        Some(0x14..=0x17) => {}
        _ => return format!("{n} bytes"),
    }
    // TLS records: type(1) version(2) length(2) payload.
    let mut names: Vec<String> = Vec::new();
    let mut i = 0usize;
    let mut encrypted = false;
    while i + 5 <= n && names.len() < 12 {
        let typ = bytes[i];
        let len = usize::from(bytes[i + 3]) << 8 | usize::from(bytes[i + 4]);
        let body = &bytes[i + 5..(i + 5 + len).min(n)];
        match typ {
            0x14 => {
                names.push("ChangeCipherSpec".into());
                encrypted = true;
            }
            0x15 => names.push("Alert".into()),
            0x16 if encrypted => names.push("Finished (encrypted)".into()),
            0x16 => {
                let mut j = 0usize;
                while j + 4 <= body.len() && names.len() < 12 {
                    let hs = body[j];
                    let hlen = usize::from(body[j + 1]) << 16
                        | usize::from(body[j + 2]) << 8
                        | usize::from(body[j + 3]);
                    let name = match hs {
                        1 => "ClientHello",
                        2 => "ServerHello",
                        11 => "Certificate",
                        12 => "ServerKeyExchange",
                        13 => "CertificateRequest",
                        14 => "ServerHelloDone",
                        15 => "CertificateVerify",
                        16 => "ClientKeyExchange",
                        20 => "Finished",
                        _ => break,
                    };
                    names.push(name.into());
                    j += 4 + hlen;
                }
            }
            0x17 => names.push("application data".into()),
            _ => break,
        }
        i += 5 + len;
    }
    if names.is_empty() {
        format!("{n} bytes")
    } else {
        format!("TLS handshake records: {} ({n} bytes)", names.join(", "))
    }
}

fn target(params: &[(String, String)]) -> String {
    match find(params, "targetname").filter(|t| !t.is_empty()) {
        Some(t) => match t.strip_prefix("sip/") {
            Some(fqdn) => format!(" for server {fqdn} (Kerberos service name {t})"),
            None => format!(" for server {t}"),
        },
        None => String::new(),
    }
}

fn challenge(value: &str) -> Vec<String> {
    let (scheme, p) = auth_params(value);
    let name = scheme_name(&scheme);
    let mut out = Vec::new();
    if let Some(g) = find(&p, "gssapi-data") {
        let sa = find(&p, "opaque")
            .map(|o| format!(" Security association {o}."))
            .unwrap_or_default();
        out.push(format!(
            "The server continues the {name} handshake{}: {}.{sa}",
            target(&p),
            gssapi_summary(g)
        ));
    } else {
        let mut line = format!(
            "The server challenges the client to authenticate with {name}{}",
            target(&p)
        );
        if let Some(r) = find(&p, "realm") {
            line.push_str(&format!(", realm \"{r}\""));
        }
        if let Some(sts) = find(&p, "sts-uri") {
            line.push_str(&format!("; certificate from {sts}"));
        }
        if let Some(v) = find(&p, "version") {
            line.push_str(&format!("; protocol version {v}"));
        }
        line.push('.');
        out.push(line);
    }
    out
}

fn credentials(value: &str) -> Vec<String> {
    let (scheme, p) = auth_params(value);
    let name = scheme_name(&scheme);
    let sa = find(&p, "opaque")
        .map(|o| format!(" over security association {o}"))
        .unwrap_or_default();
    if find(&p, "response").is_some() {
        let cnum = find(&p, "cnum").unwrap_or("?");
        let crand = find(&p, "crand")
            .map(|c| format!(", salt crand={c}"))
            .unwrap_or_default();
        vec![format!(
            "The client signs this message with {name} (sequence number cnum={cnum}{crand}){sa}{}.",
            target(&p)
        )]
    } else if let Some(g) = find(&p, "gssapi-data") {
        vec![format!(
            "The client sends {name} credentials{}{sa}: {}.",
            target(&p),
            gssapi_summary(g)
        )]
    } else if scheme.eq_ignore_ascii_case("Digest") {
        let user = find(&p, "username").unwrap_or("?");
        vec![format!(
            "The client answers a Digest challenge as user {user}."
        )]
    } else {
        vec![format!("The client chooses {name}{}{sa}.", target(&p))]
    }
}

fn server_signature(ctx: &Ctx, value: &str) -> Vec<String> {
    let (scheme, p) = auth_params(value);
    let what = if ctx.is_request {
        "this request"
    } else {
        "its response"
    };
    let snum = find(&p, "snum")
        .map(|s| format!(" (snum={s})"))
        .unwrap_or_default();
    let sa = find(&p, "opaque")
        .map(|o| format!(" over security association {o}"))
        .unwrap_or_default();
    vec![format!(
        "The server signed {what} with {}{snum}{sa}{}.",
        scheme_name(&scheme),
        target(&p)
    )]
}

fn expires(ctx: &Ctx, value: &str) -> Vec<String> {
    let Ok(secs) = value.trim().parse::<u64>() else {
        return vec![format!("Expires: {}.", one_line(value))];
    };
    let what = match ctx.method.as_str() {
        "REGISTER" => "registration",
        "SUBSCRIBE" => "subscription",
        "PUBLISH" => "publication",
        _ => "request",
    };
    if secs == 0 {
        return vec![match what {
            "registration" => "Expires 0: the client signs out (removes its registration).".into(),
            "subscription" => "Expires 0: the client ends the subscription (unsubscribe).".into(),
            _ => "Expires 0: remove.".into(),
        }];
    }
    let who = if ctx.is_request {
        "asked for"
    } else {
        "granted"
    };
    vec![format!(
        "The {what} lasts {} ({secs} s, {who}) unless refreshed.",
        duration(secs)
    )]
}

fn subscription_state(value: &str) -> Vec<String> {
    let (state, p) = semi_params(value);
    let mut line = match state.to_ascii_lowercase().as_str() {
        "active" => "The subscription is active".to_string(),
        "pending" => "The subscription is pending (waiting for authorization)".to_string(),
        "terminated" => "The subscription is terminated".to_string(),
        other => format!("Subscription state {other}"),
    };
    if let Some(e) = find(&p, "expires").and_then(|e| e.parse::<u64>().ok()) {
        line.push_str(&format!("; it expires in {} unless refreshed", duration(e)));
    }
    if let Some(r) = find(&p, "reason") {
        match vocab::termination_reason(r) {
            Some(m) => line.push_str(&format!("; reason {r}: {m}")),
            None => line.push_str(&format!("; reason {r}")),
        }
    }
    if let Some(r) = find(&p, "retry-after") {
        line.push_str(&format!("; retry after {r} s"));
    }
    line.push('.');
    vec![line]
}

fn event(value: &str) -> Vec<String> {
    let (pkg, _) = semi_params(value);
    vec![match vocab::event_package(&pkg) {
        Some(m) => format!("Event package {pkg}: {m}."),
        None => format!("Event package {pkg}."),
    }]
}

fn allow_events(value: &str) -> Vec<String> {
    comma_list(value)
        .iter()
        .map(|e| match vocab::event_package(e) {
            Some(m) => format!("The server offers subscriptions to {e}: {m}."),
            None => format!("The server offers subscriptions to {e}."),
        })
        .collect()
}

fn option_tags(canon: &str, value: &str) -> Vec<String> {
    let lead = match canon {
        "require" => "Required of the other side",
        "proxy-require" => "Required of every proxy on the way",
        _ => "Supports",
    };
    comma_list(value)
        .iter()
        .map(|t| match vocab::option_tag(t) {
            Some(m) if lead == "Supports" => format!("{lead} {t}: {m}."),
            None if lead == "Supports" => format!("{lead} {t}."),
            Some(m) => format!("{lead}: {t} — {m}."),
            None => format!("{lead}: {t}."),
        })
        .collect()
}

fn user_logon_data(value: &str) -> Vec<String> {
    let v = value.trim();
    if v.eq_ignore_ascii_case("RemoteUser") {
        vec![
            "RemoteUser: the user signed in through the Edge from outside the corporate network."
                .into(),
        ]
    } else {
        vec![format!("Logon data: {}.", one_line(v))]
    }
}

fn endpoint_location(value: &str) -> Vec<String> {
    let (scope, p) = semi_params(value);
    let mut line = format!("Network scope as the client sees it: {scope}");
    match find(&p, "ms-media-location-type") {
        Some(t) if t.eq_ignore_ascii_case("Internet") => line.push_str(
            "; media location Internet: the client believes it is outside the corporate network, so audio and video go through the A/V Edge",
        ),
        Some(t) if t.eq_ignore_ascii_case("Intranet") => line.push_str(
            "; media location Intranet: the client believes it is inside the corporate network",
        ),
        Some(t) => line.push_str(&format!("; media location {t}")),
        None => {}
    }
    line.push('.');
    vec![line]
}

fn keep_alive(value: &str) -> Vec<String> {
    let (role, p) = semi_params(value);
    let yes = |k: &str| find(&p, k).map(|v| v.eq_ignore_ascii_case("yes"));
    let mut parts = Vec::new();
    match yes("hop-hop") {
        Some(true) => parts.push("keep-alives on each hop".to_string()),
        Some(false) => parts.push("no hop-by-hop keep-alives".to_string()),
        None => {}
    }
    if yes("end-end") == Some(true) {
        parts.push("end-to-end keep-alives".into());
    }
    match yes("tcp") {
        Some(true) => parts.push("TCP-level keep-alives".into()),
        Some(false) => parts.push("not at TCP level (SIP CRLF keep-alives)".into()),
        None => {}
    }
    if let Some(t) = find(&p, "timeout").and_then(|t| t.parse::<u64>().ok()) {
        parts.push(format!(
            "the connection is considered dead after {} without traffic",
            duration(t)
        ));
    }
    let who = if role.eq_ignore_ascii_case("UAC") {
        "The client offers keep-alives"
    } else if role.eq_ignore_ascii_case("UAS") {
        "The server sets the keep-alive rules"
    } else {
        "Keep-alive settings"
    };
    if parts.is_empty() {
        vec![format!("{who} ({}).", one_line(value))]
    } else {
        vec![format!("{who}: {}.", parts.join(", "))]
    }
}

fn presence_state(value: &str) -> Vec<String> {
    let (_, p) = semi_params(&format!("x;{value}"));
    match find(&p, "register-action") {
        Some(a) => vec![format!(
            "Registration action {a}: the registrar {} this endpoint.",
            match a.to_ascii_lowercase().as_str() {
                "added" => "added",
                "removed" => "removed",
                "refreshed" => "refreshed",
                _ => "changed",
            }
        )],
        None => vec![format!("Presence state: {}.", one_line(value))],
    }
}

fn im_format(value: &str) -> Vec<String> {
    let (media, _) = semi_params(value);
    let (body, msgr) = decode_im_format(value);
    let mut out = Vec::new();
    match body {
        Some(t) if media.to_ascii_lowercase().contains("html") => out.push(format!(
            "First IM text, carried in this header (HTML shown as text): \"{}\".",
            clip(&html_lines(&t).join(" "), 500)
        )),
        Some(t) => out.push(format!(
            "First IM text, carried in this header: \"{}\".",
            clip(&one_line(&t), 500)
        )),
        None => out.push(format!("IM format {media}; no ms-body text.")),
    }
    if let Some(f) = msgr.as_deref().and_then(font_of) {
        out.push(format!(
            "Message font: {f} (msgr, Messenger format, UTF-16)."
        ));
    }
    out
}

fn max_forwards(value: &str) -> Vec<String> {
    match value.trim().parse::<u32>() {
        Ok(70) => vec!["Max-Forwards 70: straight from its sender (70 is the usual start).".into()],
        Ok(n) if n < 70 => vec![format!(
            "Max-Forwards {n}: {} proxies forwarded it so far (if it started at 70).",
            70 - n
        )],
        Ok(n) => vec![format!("Max-Forwards {n}: at most {n} more hops.")],
        Err(_) => Vec::new(),
    }
}

fn content_type(value: &str) -> Vec<String> {
    let media = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let mut out = Vec::new();
    match vocab::content_type(&media) {
        Some(m) => out.push(format!("Body: {m}.")),
        None => out.push(format!("Body of type {media}.")),
    }
    if value.to_ascii_lowercase().contains("msgr=") {
        let (_, msgr) = decode_im_format(value);
        if let Some(f) = msgr.as_deref().and_then(font_of) {
            out.push(format!(
                "Message font: {f} (msgr, Messenger format, UTF-16)."
            ));
        }
    }
    out
}

fn accept(value: &str) -> Vec<String> {
    let items: Vec<String> = comma_list(value)
        .iter()
        .map(|t| {
            let media = t
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            match media.as_str() {
                "application/msrtc-event-categories+xml" => "category documents".to_string(),
                "application/rlmi+xml" => "RLMI lists".to_string(),
                "multipart/related" => "multipart bodies".to_string(),
                "application/pidf+xml" => "PIDF".to_string(),
                "application/xpidf+xml" => "XPIDF".to_string(),
                "text/xml+msrtc.pidf" => "msrtc.pidf".to_string(),
                "application/vnd-microsoft-roaming-self+xml" => "roaming self data".to_string(),
                other => other.to_string(),
            }
        })
        .collect();
    vec![format!("The sender accepts: {}.", items.join(", "))]
}

fn edge_trust(value: &str) -> Vec<String> {
    let (_, p) = semi_params(&format!("x;{value}"));
    let mut parts = Vec::new();
    if let Some(s) = find(&p, "ms-source-type") {
        parts.push(format!("source type {s}"));
    }
    if let Some(s) = find(&p, "ms-ep-fqdn") {
        parts.push(format!("Edge {s}"));
    }
    if let Some(s) = find(&p, "ms-source-network") {
        parts.push(format!("network {s}"));
    }
    if parts.is_empty() {
        vec![format!(
            "The Edge marks where this message came from: {}.",
            one_line(value)
        )]
    } else {
        vec![format!(
            "The Edge marks where this message came from: {}.",
            parts.join(", ")
        )]
    }
}

#[cfg(test)]
mod tests;
