//! SIP and presence helpers shared by the formats: header lookup in message text, Content-Length, presence
//! category bodies.

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
