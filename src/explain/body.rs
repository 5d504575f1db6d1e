//! Body decoding: a readable summary of each body part, shown above the raw body.
//! Size: one summarizer per body type a Skype for Business log carries (about fifteen), sharing the XML walker
//! and the presence vocabulary; each is short, and the dispatch reads best in one place (tests in `body/tests.rs`).
//!
//! Handled: batched subscriptions (`batchSub` with `adhocList` and `categoryList`, [MS-SIP] 3.3 / [MS-PRES]),
//! RLMI lists (RFC 4662), category documents (`categories`: state, note, contactCard, calendarData, services
//! and the rest by name, [MS-PRES]), publications (`publish`), roaming self data (`roamingData`,
//! `roamingList`), SOAP in SERVICE (setPresence / getPresence and other methods, [MS-SIP] 3.2), msrtc.pidf
//! presence documents, typing notifications (RFC 3994), Microsoft faults, IM text (plain, HTML
//! shown as text, RTF), the first IM carried in an `ms-text-format` header (`ms-body` base64 UTF-8, `msgr`
//! base64 UTF-16LE) and SDP (media lines, codecs, ICE candidates, Microsoft `a=x-` attributes).
//!
//! Availability numbers are named by the ranges Microsoft documents for the state category (see
//! [`availability_name`]). A body that is not well-formed XML gets a summary that says so, with whatever
//! could be read. Nothing here panics.

pub use super::summary::{BodyEntry, BodyKind, BodySummary};
use super::text::{decode_im_format, font_of, html_lines, rtf_to_text, text_lines};
use super::util::{base64_decode, clip, duration, parse_uri};
use super::vocab;
use super::xml::{self, Element};
use crate::sip::{body as sipbody, canonical_name, Message};

/// Availability number → name, by the ranges Microsoft documents for the state category: "state
/// availability element" (learn.microsoft.com/lync/schema, Lync 2013): 0–4499 Available, 4500–5999
/// Available-Idle, 6000–7499 Busy, 7500–8999 Busy-Idle, 9000–11999 Do Not Disturb, 12000–14999 Be Right
/// Back, 15000–17999 Away, 18000 and higher Offline; the OCS 2007 userStateAvailability table starts
/// Available at 3000, so 1–2999 is named "Available" too and 0 means "none".
pub fn availability_name(n: u32) -> &'static str {
    Availability::of(n).name()
}

/// An availability number's MS-PRES range: what the number means, decided once for every output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    None,
    Available,
    Idle,
    Busy,
    BusyIdle,
    DoNotDisturb,
    BeRightBack,
    Away,
    Offline,
}

impl Availability {
    pub fn of(n: u32) -> Availability {
        match n {
            0 => Availability::None,
            1..=4499 => Availability::Available,
            4500..=5999 => Availability::Idle,
            6000..=7499 => Availability::Busy,
            7500..=8999 => Availability::BusyIdle,
            9000..=11999 => Availability::DoNotDisturb,
            12000..=14999 => Availability::BeRightBack,
            15000..=17999 => Availability::Away,
            _ => Availability::Offline,
        }
    }

    /// The name people read: `Available`, `Busy`, `Do Not Disturb`, …
    pub fn name(self) -> &'static str {
        match self {
            Availability::None => "None",
            Availability::Available => "Available",
            Availability::Idle => "Available-Idle (Inactive)",
            Availability::Busy => "Busy",
            Availability::BusyIdle => "Busy-Idle",
            Availability::DoNotDisturb => "Do Not Disturb",
            Availability::BeRightBack => "Be Right Back",
            Availability::Away => "Away",
            Availability::Offline => "Offline",
        }
    }
}

/// Summaries of every body part of `msg`, plus the IM text carried in `ms-text-format` headers.
pub fn decode_body(msg: &Message) -> Vec<BodySummary> {
    let parts = sipbody::parts(msg);
    let mut out: Vec<BodySummary> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| summarize_part(i, &p.content_type, &p.text))
        .collect();
    for (i, h) in msg.headers.iter().enumerate() {
        let name = canonical_name(msg.name(h)).to_ascii_lowercase();
        if name == "ms-text-format" || name == "ms-im-format" {
            let value = msg.value(h);
            let (text, msgr) = decode_im_format(&value);
            let media = value.split(';').next().unwrap_or("").trim().to_string();
            if let Some(t) = text {
                let html = media.to_ascii_lowercase().contains("html");
                let mut s = BodySummary::new(
                    parts.len(),
                    &media,
                    if html {
                        BodyKind::ImHtml
                    } else {
                        BodyKind::ImText
                    },
                    "First instant message (carried in the ms-text-format header)",
                );
                s.header_index = Some(i);
                s.lines = if html { html_lines(&t) } else { text_lines(&t) };
                if let Some(f) = msgr.as_deref().and_then(font_of) {
                    s.entry("", "font", f);
                }
                out.push(s);
            }
        }
    }
    out
}

/// Summary of one part (content type as written, text of the part).
pub fn summarize_part(part: usize, content_type: &str, text: &str) -> BodySummary {
    let media = crate::sip::body::media_type(content_type);
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if media == "application/sdp" || (media.is_empty() && trimmed.starts_with("v=0")) {
        return sdp(part, content_type, text);
    }
    let looks_xml = trimmed.starts_with('<');
    let xml_type = media.ends_with("+xml") || media.ends_with("/xml") || media.contains("pidf");
    if media == "text/html" {
        let mut s = BodySummary::new(
            part,
            content_type,
            BodyKind::ImHtml,
            "Instant message (HTML shown as text)",
        );
        s.lines = html_lines(text);
        return s;
    }
    if media == "text/rtf" {
        let mut s = BodySummary::new(part, content_type, BodyKind::ImRtf, "Instant message (RTF)");
        s.lines = text_lines(&rtf_to_text(text));
        return s;
    }
    if xml_type || (looks_xml && !media.starts_with("text/plain")) {
        return xml_part(part, content_type, text);
    }
    if media == "text/registration-event" {
        return super::services::registration_event(part, content_type, text);
    }
    if media.starts_with("text/") || media.is_empty() {
        let kind = if media == "text/plain" || media.is_empty() {
            BodyKind::ImText
        } else {
            BodyKind::Text
        };
        let title = if kind == BodyKind::ImText {
            "Instant message"
        } else {
            "Text"
        };
        let mut s = BodySummary::new(part, content_type, kind, title);
        s.lines = text_lines(text);
        if let Some(f) = content_type
            .to_ascii_lowercase()
            .contains("msgr=")
            .then(|| decode_im_format(content_type).1)
            .flatten()
            .as_deref()
            .and_then(font_of)
        {
            s.entry("", "font", f);
        }
        return s;
    }
    let mut s = BodySummary::new(
        part,
        content_type,
        BodyKind::Binary,
        format!("Body of type {media}, {} bytes", text.len()),
    );
    if let Some(m) = vocab::content_type(&media) {
        s.lines.push(format!("{m}."));
    }
    s
}

fn xml_part(part: usize, content_type: &str, text: &str) -> BodySummary {
    let doc = xml::parse(text);
    let Some(root) = doc.root else {
        let mut s = BodySummary::new(
            part,
            content_type,
            BodyKind::Malformed,
            "Malformed XML body",
        );
        let why = doc.error.unwrap_or_else(|| "no XML element".into());
        s.lines
            .push(format!("The body could not be read as XML: {why}."));
        s.malformed = Some(why);
        return s;
    };
    let mut s = match root.name.to_ascii_lowercase().as_str() {
        "batchsub" => batch_sub(part, content_type, &root),
        "adhoclist" => adhoc_list(part, content_type, &root),
        "list" => rlmi(part, content_type, &root),
        "categories" => categories_doc(part, content_type, &root),
        "publish" => publish(part, content_type, &root),
        "roamingdata" => roaming_data(part, content_type, &root),
        "roaminglist" => roaming_list(part, content_type, &root),
        "envelope" => soap(part, content_type, &root),
        "presentity" => pidf(part, content_type, &root),
        "iscomposing" => typing(part, content_type, &root),
        "fault" => fault(part, content_type, &root),
        "contactlist" => super::contacts::contact_list(part, content_type, &root),
        "contactdelta" => super::contacts::contact_delta(part, content_type, &root),
        "request" | "response"
            if root.child("credentialsRequest").is_some()
                || root.child("credentialsResponse").is_some() =>
        {
            super::services::mras(part, content_type, &root)
        }
        "request" | "response"
            if root.attr("C3PVersion").is_some() || content_type.contains("cccp") =>
        {
            super::services::c3p(part, content_type, &root)
        }
        "conference-info" => super::services::conference_info(part, content_type, &root),
        "provisiongrouplist" => super::services::provisioning(part, content_type, &root),
        "locationprofiledescription" => {
            super::services::location_profile(part, content_type, &root)
        }
        "vqreportevent" => {
            let mut s = BodySummary::new(part, content_type, BodyKind::QualityReport, "");
            let (title, lines) = super::quality::summary(&super::quality::from_root(&root));
            s.title = title;
            s.lines = lines;
            s
        }
        "callqualityfeedbackreport" => super::feedback::body_summary(part, content_type, &root),
        _ => generic_xml(part, content_type, &root),
    };
    if let Some(e) = doc.error {
        s.lines.insert(
            0,
            format!("The XML is not well-formed ({e}); this summary covers the part that could be read."),
        );
        s.malformed = Some(e);
    }
    s
}

fn generic_xml(part: usize, content_type: &str, root: &Element) -> BodySummary {
    let mut s = BodySummary::new(
        part,
        content_type,
        BodyKind::Xml,
        format!(
            "XML document <{}> with {} elements",
            root.name,
            root.count()
        ),
    );
    let children: Vec<&str> = root
        .children
        .iter()
        .map(|c| c.name.as_str())
        .take(20)
        .collect();
    if !children.is_empty() {
        s.lines
            .push(format!("Top-level elements: {}.", children.join(", ")));
    }
    s
}

// ---- subscriptions -------------------------------------------------------------------------------------

fn batch_sub(part: usize, ct: &str, root: &Element) -> BodySummary {
    let who = root.attr("uri").unwrap_or("").to_string();
    let mut s = BodySummary::new(part, ct, BodyKind::BatchSubscribe, String::new());
    let mut total = 0usize;
    let mut verbs = Vec::new();
    for action in root.children_named("action") {
        let verb = action.attr("name").unwrap_or("subscribe").to_string();
        let resources: Vec<String> = action
            .find_all("resource")
            .iter()
            .filter_map(|r| r.attr("uri").map(str::to_string))
            .collect();
        let lists: Vec<String> = action
            .find_all("list")
            .iter()
            .filter_map(|r| r.attr("uri").map(str::to_string))
            .collect();
        let cats: Vec<String> = action
            .find("categoryList")
            .map(|c| {
                c.children_named("category")
                    .filter_map(|x| x.attr("name").map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        total += resources.len() + lists.len();
        verbs.push(verb.clone());
        let id = action
            .attr("id")
            .map(|i| format!(" (action id {i})"))
            .unwrap_or_default();
        if !resources.is_empty() {
            s.lines
                .push(format!("Contacts to {verb}{id}: {}.", resources.join(", ")));
        }
        if !lists.is_empty() {
            s.lines.push(format!(
                "Contact lists to {verb}{id}: {}.",
                lists.join(", ")
            ));
        }
        if !cats.is_empty() {
            s.lines
                .push(format!("Categories wanted: {}.", cats.join(", ")));
        }
        let cat_text = if cats.is_empty() {
            "all categories".to_string()
        } else {
            cats.join(", ")
        };
        for r in resources.iter().chain(lists.iter()) {
            s.entry(r, &verb, cat_text.clone());
        }
    }
    verbs.dedup();
    let verb = if verbs.is_empty() {
        "subscribe".to_string()
    } else {
        verbs.join("/")
    };
    let who = if who.is_empty() {
        String::new()
    } else {
        format!(" by {who}")
    };
    s.title = format!(
        "Batched subscription{who}: {verb} to {total} contact{}",
        if total == 1 { "" } else { "s" }
    );
    s
}

fn adhoc_list(part: usize, ct: &str, root: &Element) -> BodySummary {
    let resources: Vec<String> = root
        .find_all("resource")
        .iter()
        .filter_map(|r| r.attr("uri").map(str::to_string))
        .collect();
    let mut s = BodySummary::new(
        part,
        ct,
        BodyKind::BatchSubscribe,
        format!("Ad-hoc contact list: {} contacts", resources.len()),
    );
    if !resources.is_empty() {
        s.lines.push(format!("Contacts: {}.", resources.join(", ")));
    }
    for r in &resources {
        s.entry(r, "subscribe", "");
    }
    s
}

fn rlmi(part: usize, ct: &str, root: &Element) -> BodySummary {
    let uri = root.attr("uri").unwrap_or("");
    let full = root
        .attr("fullState")
        .map(|f| {
            if f.eq_ignore_ascii_case("true") {
                "full state"
            } else {
                "changes only"
            }
        })
        .unwrap_or("");
    let version = root
        .attr("version")
        .map(|v| format!("version {v}"))
        .unwrap_or_default();
    let meta: Vec<&str> = [version.as_str(), full]
        .into_iter()
        .filter(|x| !x.is_empty())
        .collect();
    let resources: Vec<&Element> = root.children_named("resource").collect();
    let mut s = BodySummary::new(
        part,
        ct,
        BodyKind::ResourceList,
        format!(
            "Resource list of {uri}: {} contact{}{}",
            resources.len(),
            if resources.len() == 1 { "" } else { "s" },
            if meta.is_empty() {
                String::new()
            } else {
                format!(" ({})", meta.join(", "))
            }
        ),
    );
    let mut states = Vec::new();
    for r in resources {
        let ruri = r.attr("uri").unwrap_or("");
        let name = r.text_of("name");
        let inst: Vec<String> = r
            .children_named("instance")
            .map(|i| {
                let st = i.attr("state").unwrap_or("?");
                match i.attr("reason") {
                    Some(re) => format!("{st} ({re})"),
                    None => st.to_string(),
                }
            })
            .collect();
        let value = if inst.is_empty() {
            "no instance (no data yet)".to_string()
        } else {
            inst.join(", ")
        };
        states.push(format!("{ruri} {value}"));
        s.entry(
            ruri,
            "subscription",
            match name {
                Some(n) => format!("{value} — {n}"),
                None => value,
            },
        );
    }
    if !states.is_empty() {
        s.lines
            .push(format!("Subscriptions: {}.", states.join("; ")));
    }
    s
}

// ---- categories ----------------------------------------------------------------------------------------

/// What the state category of one document says (the state the UI shows for that user).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StateInfo {
    pub availability: Option<u32>,
    /// `aggregateState`, `userState`, `machineState`, `calendarState`, `phoneState`, …
    pub kind: Option<String>,
    pub manual: bool,
    pub activity: Option<String>,
    pub device: Option<String>,
}

/// The presence a category document (or publication) carries for one user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PresenceDoc {
    pub uri: String,
    pub state: Option<StateInfo>,
    /// The note category was present; `note` is its text when it has one.
    pub has_note: bool,
    pub note: Option<String>,
    /// From a publication (the user publishing their own presence), not a notification.
    pub published: bool,
}

fn state_info(state: &Element) -> StateInfo {
    let availability = state
        .child("availability")
        .and_then(|a| a.all_text().trim().parse::<u32>().ok());
    let activity = state.child("activity").and_then(|a| {
        a.text_of("custom")
            .or_else(|| a.attr("token").map(str::to_string))
            .or_else(|| Some(a.all_text()).filter(|t| !t.is_empty()))
    });
    StateInfo {
        availability,
        kind: state.attr("type").map(str::to_string),
        manual: state
            .attr("manual")
            .is_some_and(|m| m.eq_ignore_ascii_case("true")),
        activity,
        device: state.text_of("device"),
    }
}

fn state_rank(kind: Option<&str>, published: bool) -> u8 {
    match (kind.unwrap_or("").to_ascii_lowercase().as_str(), published) {
        ("aggregatestate", false) => 0,
        ("userstate", true) => 0,
        ("userstate", false) => 1,
        ("machinestate", _) => 2,
        ("aggregatestate", true) => 3,
        _ => 4,
    }
}

fn note_text(cat: &Element) -> Option<String> {
    let note = cat.find("note")?;
    let bodies: Vec<&Element> = note.children_named("body").collect();
    let pick = bodies
        .iter()
        .find(|b| {
            b.attr("type")
                .is_some_and(|t| t.eq_ignore_ascii_case("personal"))
        })
        .or_else(|| bodies.first())?;
    Some(pick.all_text()).filter(|t| !t.is_empty())
}

/// Presence documents in a body part's XML: `categories` (notifications, piggy-backed 200 OKs),
/// `roamingData` (self), `publish` (publications).
pub fn presence_docs(text: &str) -> Vec<PresenceDoc> {
    let doc = xml::parse(text);
    let Some(root) = doc.root else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match root.name.to_ascii_lowercase().as_str() {
        "categories" => out.push(categories_presence(&root)),
        "roamingdata" => {
            for c in root.children_named("categories") {
                out.push(categories_presence(c));
            }
        }
        "publish" => out.extend(
            publish_presence(&root)
                .into_iter()
                .filter(|d| d.state.is_some() || d.has_note),
        ),
        _ => {}
    }
    out
}

/// The presence each `publications` element of a `publish` document sets: the best state (user state, else
/// machine state) and the note; deletions (`expires="0"`) are skipped.
fn publish_presence(root: &Element) -> Vec<PresenceDoc> {
    let mut out = Vec::new();
    for pubs in root.children_named("publications") {
        let uri = pubs.attr("uri").unwrap_or("").to_string();
        let mut d = PresenceDoc {
            uri,
            published: true,
            ..Default::default()
        };
        let mut best: Option<(u8, StateInfo)> = None;
        for p in pubs.children_named("publication") {
            if p.attr("expires").is_some_and(|e| e.trim() == "0") {
                continue;
            }
            let name = p.attr("categoryName").unwrap_or("");
            if name.eq_ignore_ascii_case("state") {
                if let Some(st) = p.child("state") {
                    let info = state_info(st);
                    if info.availability.is_some() {
                        let rank = state_rank(info.kind.as_deref(), true);
                        if best.as_ref().is_none_or(|(r, _)| rank < *r) {
                            best = Some((rank, info));
                        }
                    }
                }
            } else if name.eq_ignore_ascii_case("note") && !d.has_note {
                d.has_note = true;
                d.note = note_text(p);
            }
        }
        d.state = best.map(|(_, s)| s);
        out.push(d);
    }
    out
}

fn categories_presence(cats: &Element) -> PresenceDoc {
    let mut d = PresenceDoc {
        uri: cats.attr("uri").unwrap_or("").to_string(),
        ..Default::default()
    };
    let mut best: Option<(u8, StateInfo)> = None;
    for c in cats.children_named("category") {
        let name = c.attr("name").unwrap_or("");
        if name.eq_ignore_ascii_case("state") {
            if let Some(st) = c.child("state") {
                let info = state_info(st);
                if info.availability.is_some() {
                    let rank = state_rank(info.kind.as_deref(), false);
                    if best.as_ref().is_none_or(|(r, _)| rank < *r) {
                        best = Some((rank, info));
                    }
                }
            }
        } else if name.eq_ignore_ascii_case("note") && !d.has_note {
            d.has_note = true;
            d.note = note_text(c);
        }
    }
    d.state = best.map(|(_, s)| s);
    d
}

fn state_kind_name(kind: &str) -> String {
    match kind.to_ascii_lowercase().as_str() {
        "aggregatestate" => "aggregate state".into(),
        "userstate" => "user state".into(),
        "machinestate" => "machine state".into(),
        "calendarstate" => "calendar state".into(),
        "phonestate" => "phone state".into(),
        "devicestate" => "device state".into(),
        other => other.to_string(),
    }
}

fn state_text(st: &StateInfo) -> String {
    let mut s = match st.availability {
        Some(a) => format!("{a} {}", availability_name(a)),
        None => "no availability".to_string(),
    };
    let mut extra = Vec::new();
    if let Some(k) = &st.kind {
        extra.push(state_kind_name(k));
    }
    if st.manual {
        extra.push("set manually".to_string());
    }
    if let Some(a) = &st.activity {
        extra.push(format!("activity \"{a}\""));
    }
    if let Some(d) = &st.device {
        extra.push(format!("device {d}"));
    }
    if !extra.is_empty() {
        s.push_str(&format!(" ({})", extra.join(", ")));
    }
    s
}

fn contact_card_text(card: &Element) -> String {
    let mut parts = Vec::new();
    if let Some(n) = card.text_of("displayName") {
        parts.push(n);
    }
    let title = card.text_of("title");
    let company = card.text_of("company");
    match (title, company) {
        (Some(t), Some(c)) => parts.push(format!("{t} at {c}")),
        (Some(t), None) => parts.push(t),
        (None, Some(c)) => parts.push(c),
        (None, None) => {}
    }
    if let Some(d) = card.text_of("department") {
        parts.push(format!("department {d}"));
    }
    if let Some(o) = card.text_of("office") {
        parts.push(format!("office {o}"));
    }
    if let Some(e) = card.find("email") {
        let addr = e
            .attr("address")
            .map(str::to_string)
            .or_else(|| Some(e.all_text()));
        if let Some(a) = addr.filter(|a| !a.is_empty()) {
            parts.push(format!("email {a}"));
        }
    }
    for phone in card.find_all("phone") {
        let kind = phone.attr("type").unwrap_or("phone");
        let number = phone
            .text_of("displayString")
            .or_else(|| phone.text_of("uri"))
            .unwrap_or_default();
        if !number.is_empty() {
            parts.push(format!("{kind} phone {number}"));
        }
    }
    if parts.is_empty() {
        "contact card with no readable fields".into()
    } else {
        parts.join(", ")
    }
}

fn hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", (minutes / 60) % 24, minutes % 60)
}

fn calendar_text(cal: &Element) -> String {
    let mut parts = Vec::new();
    if let Some(wh) = cal.find("WorkingHours") {
        let bias = wh
            .find("TimeZone")
            .and_then(|tz| tz.child("Bias"))
            .and_then(|b| b.all_text().trim().parse::<i64>().ok())
            .filter(|b| b.unsigned_abs() <= 24 * 60);
        let zone = bias.map(|b| {
            // UTC = local time + bias (minutes), so the offset from UTC is -bias.
            let off = -b;
            let (sign, off) = if off < 0 { ('-', -off) } else { ('+', off) };
            if off % 60 == 0 {
                format!(" (UTC{sign}{})", off / 60)
            } else {
                format!(" (UTC{sign}{}:{:02})", off / 60, off % 60)
            }
        });
        for wp in wh.find_all("WorkingPeriod") {
            let days = wp.text_of("DayOfWeek").unwrap_or_default();
            let start = wp
                .text_of("StartTimeInMinutes")
                .and_then(|m| m.parse::<u32>().ok());
            let end = wp
                .text_of("EndTimeInMinutes")
                .and_then(|m| m.parse::<u32>().ok());
            if let (Some(a), Some(b)) = (start, end) {
                parts.push(format!(
                    "working hours {} {}–{}{}",
                    days,
                    hhmm(a),
                    hhmm(b),
                    zone.clone().unwrap_or_default()
                ));
            }
        }
    }
    if let Some(fb) = cal.find("freeBusy") {
        let start = fb.attr("startTime").unwrap_or("?");
        let gran = fb.attr("granularity").unwrap_or("");
        let minutes: Option<u64> = gran
            .strip_prefix("PT")
            .and_then(|g| g.strip_suffix('M'))
            .and_then(|m| m.parse().ok());
        match base64_decode(fb.all_text().trim()) {
            Some(bytes) => {
                // Two bits per time slot; 0 is free ([MS-PRES] freeBusy, encodingVersion 1).
                let slots = bytes.len() * 4;
                let busy = bytes
                    .iter()
                    .map(|b| (0..4).filter(|i| (b >> (i * 2)) & 3 != 0).count())
                    .sum::<usize>();
                let span = minutes
                    .map(|m| {
                        format!(
                            " covering {}",
                            duration(m.saturating_mul(60).saturating_mul(slots as u64))
                        )
                    })
                    .unwrap_or_default();
                parts.push(format!(
                    "free/busy from {start} in {gran} slots{span}: {busy} of {slots} slots not free"
                ));
            }
            None => parts.push(format!("free/busy from {start} (unreadable data)")),
        }
    }
    if parts.is_empty() {
        "calendar data".into()
    } else {
        parts.join("; ")
    }
}

fn capability_name(name: &str) -> String {
    match name.to_ascii_lowercase().as_str() {
        "text" => "IM".into(),
        "voice" => "audio".into(),
        "video" => "video".into(),
        "applicationsharing" => "screen sharing".into(),
        "gifink" => "ink (GIF)".into(),
        "isfink" => "ink (ISF)".into(),
        "contentwhiteboard" => "whiteboard".into(),
        "contentpowerpoint" => "PowerPoint".into(),
        "contentnativefile" => "file attachments".into(),
        "datacollaboration" => "data collaboration".into(),
        _ => name.to_string(),
    }
}

fn services_text(svcs: &Element) -> String {
    let mut parts = Vec::new();
    for svc in svcs.children_named("service") {
        let caps: Vec<String> = svc
            .child("capabilities")
            .map(|c| {
                c.children
                    .iter()
                    .map(|x| capability_name(&x.name))
                    .collect()
            })
            .unwrap_or_default();
        let uri = svc.attr("uri").unwrap_or("");
        if caps.is_empty() {
            parts.push(format!("service {uri}"));
        } else {
            parts.push(format!("{uri} can do {}", caps.join(", ")));
        }
    }
    if parts.is_empty() {
        "services".into()
    } else {
        parts.join("; ")
    }
}

/// (field, value) for one `category` (or `publication`) element.
fn category_summary(cat: &Element, name: &str) -> String {
    if cat.children.is_empty() && cat.text.trim().is_empty() {
        return "nothing published, or not visible to this watcher".into();
    }
    match name.to_ascii_lowercase().as_str() {
        "state" => cat
            .child("state")
            .map(|s| state_text(&state_info(s)))
            .unwrap_or_else(|| "state".into()),
        "note" => match note_text(cat) {
            Some(t) => format!("\"{}\"", clip(&t, 300)),
            None => "empty note".into(),
        },
        "contactcard" => cat
            .child("contactCard")
            .map(contact_card_text)
            .unwrap_or_else(|| "contact card".into()),
        "calendardata" => cat
            .child("calendarData")
            .map(calendar_text)
            .unwrap_or_else(|| "calendar data".into()),
        "services" => cat
            .child("services")
            .map(services_text)
            .unwrap_or_else(|| "services".into()),
        "device" => {
            let caps = cat.find("capabilities").map(|c| {
                c.children
                    .iter()
                    .map(|x| capability_name(&x.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            match caps {
                Some(c) if !c.is_empty() => format!("device capabilities: {c}"),
                _ => "device".into(),
            }
        }
        "routing" => "call routing rules (forwarding, simultaneous ring)".into(),
        "userproperties" => {
            let lines: Vec<String> = cat.find_all("line").iter().map(|l| l.all_text()).collect();
            if lines.is_empty() {
                "user properties".into()
            } else {
                format!("user properties; lines {}", lines.join(", "))
            }
        }
        _ => {
            let text = cat.all_text();
            if text.is_empty() {
                let kids: Vec<&str> = cat.children.iter().map(|c| c.name.as_str()).collect();
                format!("<{}>", kids.join(", "))
            } else {
                clip(&text, 200)
            }
        }
    }
}

fn category_meta(cat: &Element) -> String {
    let mut m = Vec::new();
    if let Some(i) = cat.attr("instance") {
        m.push(format!("instance {i}"));
    }
    if let Some(c) = cat.attr("container") {
        m.push(match vocab::container(c) {
            Some(n) => format!("container {c} ({n})"),
            None => format!("container {c}"),
        });
    }
    if let Some(t) = cat.attr("publishTime") {
        m.push(format!("published {t}"));
    }
    m.join(", ")
}

fn summarize_categories(s: &mut BodySummary, cats: &Element) {
    let uri = cats.attr("uri").unwrap_or("").to_string();
    for c in cats.children_named("category") {
        let name = c.attr("name").unwrap_or("?");
        let value = category_summary(c, name);
        let meta = category_meta(c);
        let value = if meta.is_empty() {
            value
        } else {
            format!("{value} [{meta}]")
        };
        s.entry(&uri, name, value);
    }
}

fn presence_title(d: &PresenceDoc) -> String {
    let mut t = match &d.state {
        Some(st) => match st.availability {
            Some(a) => format!("{}: {a} {}", d.uri, availability_name(a)),
            None => d.uri.clone(),
        },
        None => d.uri.clone(),
    };
    if let Some(n) = &d.note {
        t.push_str(&format!(", note \"{}\"", clip(n, 80)));
    }
    t
}

fn categories_doc(part: usize, ct: &str, root: &Element) -> BodySummary {
    let d = categories_presence(root);
    let names: Vec<&str> = root
        .children_named("category")
        .filter_map(|c| c.attr("name"))
        .collect();
    let mut s = BodySummary::new(
        part,
        ct,
        BodyKind::Categories,
        format!("Presence of {}", presence_title(&d)),
    );
    s.lines.push(format!(
        "{} categor{} for {}: {}.",
        names.len(),
        if names.len() == 1 { "y" } else { "ies" },
        d.uri,
        names.join(", ")
    ));
    if let Some(st) = &d.state {
        s.lines.push(format!("Availability: {}.", state_text(st)));
    }
    summarize_categories(&mut s, root);
    s
}

fn publish(part: usize, ct: &str, root: &Element) -> BodySummary {
    let mut s = BodySummary::new(part, ct, BodyKind::Publication, String::new());
    let mut who = String::new();
    // (category, what) → containers, in first-seen order.
    let mut groups: Vec<(String, String, Vec<String>)> = Vec::new();
    for pubs in root.children_named("publications") {
        who = pubs.attr("uri").unwrap_or("").to_string();
        for p in pubs.children_named("publication") {
            let name = p.attr("categoryName").unwrap_or("?").to_string();
            let delete = p.attr("expires").is_some_and(|e| e.trim() == "0");
            let what = if delete {
                format!("delete (instance {})", p.attr("instance").unwrap_or("?"))
            } else {
                let mut v = category_summary(p, &name);
                if let Some(t) = p.attr("expireType") {
                    v.push_str(&format!(", lasts: {t}"));
                }
                v
            };
            let container = p.attr("container").unwrap_or("?").to_string();
            match groups.iter_mut().find(|(n, w, _)| *n == name && *w == what) {
                Some((_, _, cs)) => cs.push(container),
                None => groups.push((name, what, vec![container])),
            }
        }
    }
    for (name, what, containers) in &groups {
        let named: Vec<String> = containers
            .iter()
            .map(|c| match vocab::container(c) {
                Some(n) => format!("{c} ({n})"),
                None => c.clone(),
            })
            .collect();
        s.lines.push(format!(
            "{name}: {what} → container{} {}.",
            if containers.len() == 1 { "" } else { "s" },
            named.join(", ")
        ));
        s.entry(&who, name, format!("{what} → {}", named.join(", ")));
    }
    let docs = publish_presence(root);
    s.title = match docs.first().and_then(|d| d.state.as_ref()) {
        Some(st) => format!(
            "{who} publishes {}{}",
            st.availability
                .map(|a| format!("{a} {}", availability_name(a)))
                .unwrap_or_default(),
            if st.manual { " (set manually)" } else { "" }
        ),
        None => format!(
            "{who} publishes {}",
            groups
                .iter()
                .map(|(n, _, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    s
}

fn member_text(m: &Element) -> String {
    let t = m.attr("type").unwrap_or("?");
    let v = m.attr("value").unwrap_or("");
    match t.to_ascii_lowercase().as_str() {
        "sameenterprise" => "everyone in the company".into(),
        "federatedenterprise" => "federated companies".into(),
        "publiccloud" => "public IM users".into(),
        "user" => format!("user {v}"),
        "domain" => format!("domain {v}"),
        _ if v.is_empty() => t.to_string(),
        _ => format!("{t} {v}"),
    }
}

fn roaming_data(part: usize, ct: &str, root: &Element) -> BodySummary {
    let mut s = BodySummary::new(part, ct, BodyKind::RoamingData, String::new());
    let mut title_parts = Vec::new();
    let mut who = String::new();
    for cats in root.children_named("categories") {
        let d = categories_presence(cats);
        who = d.uri.clone();
        let n = cats.children_named("category").count();
        title_parts.push(format!(
            "{n} own categor{}",
            if n == 1 { "y" } else { "ies" }
        ));
        if let Some(st) = &d.state {
            s.lines
                .push(format!("Own availability: {}.", state_text(st)));
        }
        if let Some(note) = &d.note {
            s.lines.push(format!("Own note: \"{}\".", clip(note, 300)));
        }
        summarize_categories(&mut s, cats);
    }
    if let Some(conts) = root.child("containers") {
        let list: Vec<&Element> = conts.children_named("container").collect();
        title_parts.push(format!("{} containers", list.len()));
        for c in list {
            let id = c.attr("id").unwrap_or("?");
            let members: Vec<String> = c.children_named("member").map(member_text).collect();
            let label = match vocab::container(id) {
                Some(n) => format!("container {id} ({n})"),
                None => format!("container {id}"),
            };
            let value = if members.is_empty() {
                "no members".to_string()
            } else {
                format!("members: {}", members.join(", "))
            };
            s.lines.push(format!("{label}: {value}."));
            s.entry(&who, &label, value);
        }
    }
    if let Some(subs) = root.child("subscribers") {
        let list: Vec<&Element> = subs.children_named("subscriber").collect();
        title_parts.push(format!(
            "{} follower{}",
            list.len(),
            if list.len() == 1 { "" } else { "s" }
        ));
        for sub in list {
            let user = sub.attr("user").unwrap_or("?");
            let name = sub
                .attr("displayName")
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            let ack = match sub.attr("acknowledged") {
                Some(a) if a.eq_ignore_ascii_case("false") => {
                    " — not yet acknowledged: a new follower"
                }
                _ => "",
            };
            let kind = sub
                .attr("type")
                .map(|t| format!(", {t}"))
                .unwrap_or_default();
            s.lines
                .push(format!("{user}{name} follows your presence{kind}{ack}."));
            s.entry(&who, "follower", format!("{user}{name}{kind}{ack}"));
        }
    }
    let whose = if who.is_empty() {
        String::new()
    } else {
        format!(" of {who}")
    };
    s.title = if title_parts.is_empty() {
        format!("Roaming self data{whose}")
    } else {
        format!("Roaming self data{whose}: {}", title_parts.join(", "))
    };
    s
}

fn roaming_list(part: usize, ct: &str, root: &Element) -> BodySummary {
    let kinds: Vec<&str> = root
        .children_named("roaming")
        .filter_map(|r| r.attr("type"))
        .collect();
    let mut s = BodySummary::new(
        part,
        ct,
        BodyKind::RoamingRequest,
        format!(
            "The client asks for its own roaming data: {}",
            kinds.join(", ")
        ),
    );
    for k in &kinds {
        let meaning = match k.to_ascii_lowercase().as_str() {
            "categories" => "its own published presence categories",
            "containers" => "its containers (who sees which level of presence)",
            "subscribers" => "who follows its presence",
            _ => "",
        };
        if !meaning.is_empty() {
            s.lines.push(format!("{k}: {meaning}."));
        }
    }
    s
}

// ---- SOAP, pidf, typing, faults ----------------------------------------------------------------------

fn soap(part: usize, ct: &str, root: &Element) -> BodySummary {
    let body = root.child("Body");
    let method = body.and_then(|b| b.children.first());
    let Some(m) = method else {
        return BodySummary::new(part, ct, BodyKind::Soap, "SOAP envelope with an empty body");
    };
    let mut s = BodySummary::new(part, ct, BodyKind::Soap, format!("SOAP request {}", m.name));
    match m.name.to_ascii_lowercase().as_str() {
        "setpresence" => {
            let p = m.find("presentity");
            let uri = p.and_then(|p| p.attr("uri")).unwrap_or("?");
            s.title = format!("setPresence: {uri} sets its own presence ([MS-SIP] 3.2.4.2)");
            if let Some(p) = p {
                for what in ["availability", "activity"] {
                    if let Some(e) = p.child(what) {
                        let agg = e.attr("aggregate").unwrap_or("?");
                        let desc = e.attr("description").unwrap_or("");
                        s.lines.push(format!("{what} {agg} \"{desc}\"."));
                        s.entry(uri, what, format!("{agg} {desc}").trim().to_string());
                    }
                }
                if let Some(d) = p.find("deviceName") {
                    if let Some(n) = d.attr("name") {
                        s.lines.push(format!("Device name {n}."));
                    }
                }
            }
        }
        "getpresence" => {
            let uris: Vec<String> = m
                .find_all("presentity")
                .iter()
                .filter_map(|p| p.attr("uri").map(str::to_string))
                .collect();
            s.title = format!(
                "getPresence: a one-time look at the presence of {} ([MS-SIP] 3.2.4.4)",
                uris.join(", ")
            );
        }
        _ => {
            for c in m.children.iter().take(10) {
                let text = c.all_text();
                let value = if text.is_empty() {
                    c.attrs
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                } else {
                    clip(&text, 200)
                };
                s.entry("", &c.name, value);
            }
        }
    }
    s
}

fn pidf(part: usize, ct: &str, root: &Element) -> BodySummary {
    let uri = root.attr("uri").unwrap_or("?");
    let mut s = BodySummary::new(
        part,
        ct,
        BodyKind::PresenceDocument,
        format!("Presence document for {uri}"),
    );
    for what in ["availability", "activity"] {
        if let Some(e) = root.child(what) {
            let agg = e.attr("aggregate").unwrap_or("?");
            let desc = e.attr("description").unwrap_or("");
            s.lines.push(format!("{what} {agg} \"{desc}\"."));
            s.entry(uri, what, format!("{agg} {desc}").trim().to_string());
        }
    }
    if let Some(n) = root.text_of("displayName") {
        s.entry(uri, "displayName", n);
    }
    s
}

fn typing(part: usize, ct: &str, root: &Element) -> BodySummary {
    let state = root.text_of("state").unwrap_or_default();
    let title = if state.eq_ignore_ascii_case("active") {
        "Typing notification: the sender is typing"
    } else {
        "Typing notification: the sender stopped typing"
    };
    let mut s = BodySummary::new(part, ct, BodyKind::Typing, title);
    if let Some(r) = root.text_of("refresh") {
        s.lines.push(format!("Refreshed every {r} s while typing."));
    }
    s
}

fn fault(part: usize, ct: &str, root: &Element) -> BodySummary {
    let code = root
        .text_of("Faultcode")
        .or_else(|| root.text_of("faultcode"))
        .unwrap_or_default();
    let mut s = BodySummary::new(part, ct, BodyKind::Fault, format!("Fault {code}"));
    for c in &root.children {
        if !c.name.eq_ignore_ascii_case("Faultcode") {
            let t = c.all_text();
            if !t.is_empty() {
                s.lines.push(format!("{}: {}.", c.name, clip(&t, 300)));
            }
        }
    }
    s
}

// ---- SDP -----------------------------------------------------------------------------------------------

fn sdp(part: usize, ct: &str, text: &str) -> BodySummary {
    let super::sdp::Sdp {
        origin,
        address: session_addr,
        media,
        ms_attributes: ms_session,
        ..
    } = super::sdp::parse(text);
    let kinds: Vec<&str> = media.iter().map(|m| m.kind.as_str()).collect();
    let title = if media.iter().any(|m| m.kind == "message") {
        "Session description: an IM session".to_string()
    } else if media.is_empty() {
        "Session description with no media".to_string()
    } else {
        format!("Session description: {}", kinds.join(", "))
    };
    let mut s = BodySummary::new(part, ct, BodyKind::Sdp, title);
    if let Some(o) = &origin {
        s.lines.push(format!("Offered by {o}."));
    }
    if let Some(c) = &session_addr {
        if origin.as_deref() != Some(c.as_str()) {
            s.lines.push(format!("Media address {c}."));
        }
    }
    for m in &media {
        let mut line = format!("{} on port {}", m.kind, m.port);
        if !m.proto.is_empty() {
            line.push_str(&format!(" ({})", m.proto));
        }
        if m.declined() {
            line.push_str(", declined");
        }
        if let Some(a) = &m.address {
            line.push_str(&format!(", address {a}"));
        }
        if m.kind == "message" {
            line.push_str(": instant messaging");
            if let Some(a) = &m.accept {
                let types: Vec<&str> = a.split_whitespace().take(8).collect();
                line.push_str(&format!("; accepts {}", types.join(", ")));
            }
        } else if !m.codecs.is_empty() {
            line.push_str(&format!("; codecs {}", m.codecs.join(", ")));
        } else if !m.formats.is_empty() {
            line.push_str(&format!("; formats {}", m.formats.join(" ")));
        }
        let n = m.candidates.len();
        if n > 0 {
            line.push_str(&format!(
                "; {n} ICE candidate{} ({})",
                if n == 1 { "" } else { "s" },
                m.candidate_kinds().join(", ")
            ));
        }
        if !m.crypto.is_empty() {
            line.push_str("; SRTP keys offered (a=crypto)");
        }
        if !m.ms_attributes.is_empty() {
            line.push_str(&format!(
                "; Microsoft extensions {}",
                m.ms_attributes.join(", ")
            ));
        }
        line.push('.');
        s.lines.push(line);
        s.entry("", &m.kind, m.line.clone());
    }
    if !ms_session.is_empty() {
        s.lines.push(format!(
            "Session-level Microsoft extensions: {}.",
            ms_session.join(", ")
        ));
    }
    s
}

/// The address part of a URI for titles (`sip:on2@limcm.com` → `on2@limcm.com`).
pub fn bare(uri: &str) -> String {
    parse_uri(uri).address()
}

#[cfg(test)]
mod tests;
