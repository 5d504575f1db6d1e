//! Body summaries of the server services a client talks to beside SIP itself: conference control (C3P requests
//! and responses, `application/cccp+xml`, [MS-CONFPRO]; conference state, `application/conference-info+xml`,
//! RFC 4575 with Microsoft's `msci` extensions, [MS-CONFBAS]), media relay credentials (`application/
//! msrtc-media-relay-auth+xml`, [MS-AVEDGEA] — user name and password never shown, only their length), in-band
//! provisioning (`provisionGroupList`, [MS-SIPREGE] / [MS-PRES]), the dial plan (`LocationProfileDescription`,
//! [MS-OCSPROT]) and registration events (`text/registration-event`, [MS-SIPREGE]; the states and events are
//! RFC 3680's: `rejected` — the registration was removed by the server, `deactivated` — register again,
//! `probation` — register again later, `unregistered` — the user ended it).
//! Element names as the research notes cite them (docs/research/calls-meetings-quality.md §7–§9).

use super::summary::{BodyKind, BodySummary};
use super::xml::Element;

/// Conference URIs for people: the `opaque=app:conf:KIND` part (`focus`, `audio-video`…), or the URI.
fn conf_kind(uri: &str) -> String {
    uri.split(";opaque=app:conf:")
        .nth(1)
        .map(|k| k.split([':', ';', '>']).next().unwrap_or(k).to_string())
        .unwrap_or_else(|| uri.to_string())
}

/// A C3P request or response: its command, code (and reason), the focus or MCU it is about, and what the
/// command carries (users and their roles, media).
pub fn c3p(part: usize, ct: &str, root: &Element) -> BodySummary {
    let response = root.name.eq_ignore_ascii_case("response");
    let command = root.children.first();
    let name = command.map_or("(no command)", |c| c.name.as_str());
    let code = root.attr("code");
    let title = match (response, code) {
        (true, Some(c)) => format!("Conference control (C3P) response: {name} {c}"),
        (true, None) => format!("Conference control (C3P) response: {name}"),
        (false, _) => format!("Conference control (C3P) request: {name}"),
    };
    let mut s = BodySummary::new(part, ct, BodyKind::Conference, title);
    if let Some(r) = root.attr("reason") {
        s.lines.push(format!("Reason: {r}."));
    }
    if let (Some(from), Some(to)) = (root.attr("from"), root.attr("to")) {
        s.lines
            .push(format!("From {from} to {to} ({}).", conf_kind(to)));
    }
    if let Some(id) = root.attr("requestId") {
        s.entry("", "requestId", id.to_string());
    }
    if let Some(c) = command {
        for (k, v) in &c.attrs {
            s.entry("", k, v.clone());
        }
        for e in c.find_all("conference-id") {
            s.entry("", "conference-id", e.all_text());
        }
        for e in c.find_all("entity-view") {
            if let Some(entity) = e.attr("entity") {
                s.entry("", "MCU", format!("{} — {entity}", conf_kind(entity)));
            }
        }
        for e in c.find_all("user") {
            let entity = e.attr("entity").unwrap_or("");
            let roles: Vec<String> = e.find_all("entry").iter().map(|r| r.all_text()).collect();
            s.entry(
                entity,
                "user",
                format!(
                    "roles {}",
                    if roles.is_empty() {
                        "none given".to_string()
                    } else {
                        roles.join(", ")
                    }
                ),
            );
        }
        for e in c.find_all("media") {
            for m in e.children_named("entry") {
                if let Some(t) = m.text_of("type") {
                    s.entry("", "media", t);
                }
            }
        }
        for key in ["conferenceKeys", "userKeys", "mediaKeys"] {
            if let Some(k) = c.find(key) {
                for (a, v) in &k.attrs {
                    s.entry("", a, v.clone());
                }
            }
        }
    }
    s
}

/// Conference state (`conference-info`): full or partial, its URIs by purpose, and each user with roles and
/// endpoints (media and status).
pub fn conference_info(part: usize, ct: &str, root: &Element) -> BodySummary {
    let users: Vec<&Element> = root
        .child("users")
        .map(|u| u.children_named("user").collect())
        .unwrap_or_default();
    let state = root.attr("state").unwrap_or("full");
    let mut s = BodySummary::new(
        part,
        ct,
        BodyKind::Conference,
        format!(
            "Conference state ({state}): {} user{}",
            users.len(),
            if users.len() == 1 { "" } else { "s" }
        ),
    );
    if let Some(d) = root.child("conference-description") {
        if let Some(subject) = d.text_of("subject") {
            s.lines.push(format!("Subject: {subject}."));
        }
        for e in d.find_all("entry") {
            if let (Some(uri), Some(purpose)) = (e.text_of("uri"), e.text_of("purpose")) {
                s.entry("", "conference URI", format!("{purpose} — {uri}"));
            }
        }
    }
    if let Some(active) = root
        .find("conference-state")
        .and_then(|c| c.text_of("active"))
    {
        s.lines.push(format!("Active: {active}."));
    }
    for u in users {
        let who = u.attr("entity").unwrap_or("?");
        let name = u
            .child("display-text")
            .map(|d| d.all_text())
            .unwrap_or_default();
        let roles: Vec<String> = u
            .child("roles")
            .map(|r| r.children_named("entry").map(|e| e.all_text()).collect())
            .unwrap_or_default();
        let state = u.attr("state").unwrap_or("");
        let mut line = who.to_string();
        if !name.is_empty() {
            line = format!("{name} ({who})");
        }
        if state == "deleted" {
            line.push_str(" left");
        } else if !roles.is_empty() {
            line.push_str(&format!(", {}", roles.join(", ")));
        }
        let endpoints: Vec<String> = u
            .children_named("endpoint")
            .map(|e| {
                let kind = e.attr("session-type").unwrap_or("endpoint");
                let status = e.text_of("status").unwrap_or_default();
                let media: Vec<String> = e
                    .children_named("media")
                    .filter_map(|m| m.text_of("type"))
                    .collect();
                if media.is_empty() {
                    format!("{kind} {status}")
                } else {
                    format!("{kind} {status} ({})", media.join(", "))
                }
            })
            .collect();
        if !endpoints.is_empty() {
            line.push_str(&format!(": {}", endpoints.join("; ")));
        }
        s.lines.push(format!("{line}."));
    }
    s
}

/// Media relay credentials: the request (who, where, for how long) or the answer (the relays with their ports,
/// the credentials' lifetime; the user name and password masked).
pub fn mras(part: usize, ct: &str, root: &Element) -> BodySummary {
    if let Some(req) = root.child("credentialsRequest") {
        let mut s = BodySummary::new(
            part,
            ct,
            BodyKind::MediaRelay,
            "Media relay (A/V Edge) credentials request",
        );
        let who = req.text_of("identity").unwrap_or_default();
        let location = req.text_of("location").unwrap_or_default();
        let duration = req.text_of("duration").unwrap_or_default();
        s.lines.push(format!(
            "For {who}, location {location}, for {duration} minutes."
        ));
        return s;
    }
    let resp = root.child("credentialsResponse");
    let relays: Vec<&Element> = resp
        .and_then(|r| r.child("mediaRelayList"))
        .map(|l| l.children_named("mediaRelay").collect())
        .unwrap_or_default();
    let reason = root.attr("reasonPhrase").unwrap_or("");
    let mut s = BodySummary::new(
        part,
        ct,
        BodyKind::MediaRelay,
        format!(
            "Media relay (A/V Edge) credentials: {} relay{}{}",
            relays.len(),
            if relays.len() == 1 { "" } else { "s" },
            if reason.is_empty() || reason.eq_ignore_ascii_case("OK") {
                String::new()
            } else {
                format!(" ({reason})")
            }
        ),
    );
    for r in relays {
        let host = r.text_of("hostName").unwrap_or_default();
        let location = r.text_of("location").unwrap_or_default();
        let udp = r.text_of("udpPort").map(|p| format!("UDP {p}"));
        let tcp = r.text_of("tcpPort").map(|p| format!("TCP {p}"));
        let ports: Vec<String> = [udp, tcp].into_iter().flatten().collect();
        s.lines
            .push(format!("Relay {host} ({location}): {}.", ports.join(", ")));
    }
    if let Some(c) = resp.and_then(|r| r.child("credentials")) {
        let len = |n: &str| c.text_of(n).map_or(0, |t| t.chars().count());
        s.lines.push(format!(
            "Credentials for {} minutes: user name and password masked ({} and {} characters).",
            c.text_of("duration").unwrap_or_else(|| "?".into()),
            len("username"),
            len("password")
        ));
    }
    s
}

/// In-band provisioning: the groups pushed, with the settings an admin asks about first (the MRAS, focus factory
/// and web service addresses, the dial plan's name, media encryption and port ranges) and every policy value.
pub fn provisioning(part: usize, ct: &str, root: &Element) -> BodySummary {
    let groups: Vec<&Element> = root.children_named("provisionGroup").collect();
    let names: Vec<&str> = groups.iter().filter_map(|g| g.attr("name")).collect();
    let mut s = BodySummary::new(
        part,
        ct,
        BodyKind::Provisioning,
        format!("In-band provisioning: {} groups", groups.len()),
    );
    if !names.is_empty() {
        s.lines.push(format!("Groups: {}.", names.join(", ")));
    }
    const WANTED: &[(&str, &str)] = &[
        ("mrasUri", "media relay authentication service (MRAS)"),
        ("focusFactoryUri", "conference factory"),
        ("qosUri", "quality reports go to"),
        ("locationProfile", "dial plan"),
        ("cwaExternalUri", "web services outside"),
        ("cwaInternalUri", "web services inside"),
        ("absExternalServerUrl", "address book outside"),
        ("absInternalServerUrl", "address book inside"),
        ("ucPC2PCAVEncryption", "peer-to-peer A/V encryption"),
        ("voicemailUri", "voice mail"),
    ];
    for g in &groups {
        let group = g.attr("name").unwrap_or("");
        for (name, label) in WANTED {
            if let Some(v) = g.text_of(name) {
                s.lines.push(format!("{label}: {v}."));
            }
        }
        if let (Some(lo), Some(hi)) = (g.text_of("ucMinMediaPort"), g.text_of("ucMaxMediaPort")) {
            s.lines.push(format!("Media ports {lo}–{hi}."));
        }
        for p in g.find_all("property") {
            if let Some(n) = p.attr("name") {
                s.entry(group, n, p.all_text());
            }
        }
        for c in &g.children {
            if c.children.is_empty() && !c.text.trim().is_empty() && c.name != "propertyEntryList" {
                s.entry(group, &c.name, c.all_text());
            }
        }
    }
    s
}

/// A dial plan: its name and normalization rules (pattern → translation).
pub fn location_profile(part: usize, ct: &str, root: &Element) -> BodySummary {
    let rules: Vec<&Element> = root.children_named("Rule").collect();
    let name = root.text_of("Name").unwrap_or_default();
    let mut s = BodySummary::new(
        part,
        ct,
        BodyKind::Provisioning,
        format!("Dial plan {name}: {} normalization rules", rules.len()),
    );
    for r in rules {
        s.entry(
            &name,
            &r.text_of("Pattern").unwrap_or_default(),
            r.text_of("Translation").unwrap_or_default(),
        );
    }
    s
}

/// A registration event body (`deregistered;event=rejected`): what the server did to the registration.
pub fn registration_event(part: usize, ct: &str, text: &str) -> BodySummary {
    let t = text.trim();
    let (state, params) = t.split_once(';').unwrap_or((t, ""));
    let event = params
        .split(';')
        .find_map(|p| p.trim().strip_prefix("event="))
        .unwrap_or("");
    let meaning = match (state, event) {
        ("deregistered", "rejected") => "the server removed this registration: the user is no longer allowed (see the diagnostics header)",
        ("deregistered", "unregistered") => "the registration ended",
        ("deregistered", "deactivated") => "the server deactivated the registration; register again",
        ("deregistered", "probation") => "the registration ended; the client may register again later",
        ("deregistered", _) => "the server ended the registration",
        _ => "a registration state change",
    };
    let mut s = BodySummary::new(part, ct, BodyKind::Text, format!("Registration event: {t}"));
    s.lines.push(format!("{}.", {
        let mut m = meaning.to_string();
        if let Some(c) = m.get_mut(0..1) {
            c.make_ascii_uppercase();
        }
        m
    }));
    s
}
