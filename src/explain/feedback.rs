//! The user's rating of a call: the call-quality feedback a Skype for Business client sends in a SERVICE
//! (`application/ms-cqf+xml`, `CallQualityFeedbackReport`, [MS-QoE] 2.2.2) after "Rate My Call" asked — the
//! stars, the problems the user ticked, the words the user wrote (when the client policy allows a comment), and
//! the call it is about (`CallId`, `FromTag`, `ToTag`, `Start`, `End`), read even when the log cut it off.
//!
//! Sources:
//! - the body: [MS-QoE] 2.2.2.1 `CallQualityFeedbackReport` (`ReportingUserURI`, `Rating`, `Feedback`, `Tokens`;
//!   learn.microsoft.com/openspecs/office_protocols/ms-qoe/f250d319-5902-42c4-8ee3-932acb3d19e3), 2.2.2.2
//!   `Feedback` (`Text`, `@LanguageTag`), 2.2.2.3–4 `Tokens` / `Token` (`Id`, `Value`: "a preset collection of
//!   feedback reasons … based on the call media type").
//! - the scale: "a 5-star quality rating from Really Bad (1 star) to Excellent (5 stars)" (Microsoft's "Rate My
//!   Call in Skype for Business 2015", blogs.technet.microsoft.com/jenstr/2015/05/05); the Call Quality
//!   Dashboard's "First Feedback Rating": "1-5 scale (5 = excellent). 0 indicates the user was shown the call
//!   rating survey but did not rate their experience" (learn.microsoft.com/skypeforbusiness/
//!   management-tools/call-quality-dashboard/dimensions-and-measures-available-in-call-quality-dashboard); the
//!   words between, bad · poor · fair · good · excellent, are Microsoft Graph's `userFeedbackRating`
//!   (learn.microsoft.com/graph/api/resources/callrecords-userfeedback), with the Skype for Business form's
//!   "really bad" for 1.
//! - the tokens: "Rate my Call in Skype for Business Server", the `CallQualityFeedbackTokenDef` table
//!   (learn.microsoft.com/skypeforbusiness/manage/health-and-monitoring/rate-my-call): [`TOKENS`]. The readable
//!   words are this module's, made from Microsoft's names (which are kept, as written, next to them).
//!
//! A rating of 1 or 2 stars — the user's own "really bad" or "poor" — is a finding ([`finding`]).

use super::finding::{finding as make, Finding, FindingKind};
use super::summary::{BodyKind, BodySummary};
use super::util::{clip, one_line};
use super::xml::{self, Element};
use crate::base::diag::Severity;
use crate::sip::{body, Message};

/// The feedback tokens: id → (Microsoft's name, as written in `CallQualityFeedbackTokenDef`, misspellings
/// included; what it means). Ids below 20 and 101–199 are audio, 21–99 and 201–299 video (the same page's
/// queries), 301 PSTN, 401–499 screen sharing, 501–599 reliability.
pub const TOKENS: &[(u32, &str, &str)] = &[
    (1, "DistortedSpeech", "distorted speech"),
    (2, "ElectronicFeedback", "electronic feedback"),
    (3, "BackgroundNoise", "background noise"),
    (4, "MuffledSpeech", "muffled speech"),
    (5, "Echo", "echo"),
    (21, "FrozenVideo", "frozen video"),
    (22, "PixelatedVideo", "pixelated video"),
    (23, "BlurryImage", "blurry image"),
    (24, "PoorColor", "poor colour"),
    (25, "DarkVideo", "dark video"),
    (101, "Audio_SilentLocal", "audio: silent on this side"),
    (102, "Audio_SilentRemote", "audio: silent on the other side"),
    (103, "Audio_Echo", "audio: echo"),
    (104, "Audio_BackgroundNoise", "audio: background noise"),
    (105, "Audio_LowSound", "audio: low sound"),
    (106, "Audio_Dropped", "audio: dropped"),
    (107, "Audio_DistortedSpeech", "audio: distorted speech"),
    (108, "Audio_Interrupted", "audio: interrupted"),
    (109, "Audio_Other", "audio: other problem"),
    (201, "Video_NoLocalVideo", "video: no video from this side"),
    (
        202,
        "Video_NoRemoteVideo",
        "video: no video from the other side",
    ),
    (203, "Video_LowQuality", "video: low quality"),
    (204, "Video_FrozenVideo", "video: frozen"),
    (
        205,
        "Video_StoppedUnexpectedly",
        "video: stopped unexpectedly",
    ),
    (206, "Video_DarkVideo", "video: dark"),
    (
        207,
        "Video_NoAudioSync",
        "video: out of sync with the audio",
    ),
    (208, "Video_Other", "video: other problem"),
    (301, "Pstn_DialPad", "phone call: dial pad"),
    (
        401,
        "SS_NoContentLocal",
        "screen sharing: nothing shown on this side",
    ),
    (
        402,
        "SS_NoContentRemote",
        "screen sharing: nothing shown on the other side",
    ),
    (403, "SS_CantPresent", "screen sharing: could not present"),
    (404, "SS_LowQuality", "screen sharing: low quality"),
    (405, "SS_Freezing", "screen sharing: freezing"),
    (
        406,
        "SS_StoppedUnexpectedly",
        "screen sharing: stopped unexpectedly",
    ),
    (407, "SS_LargeDelay", "screen sharing: long delay"),
    (408, "SS_Other", "screen sharing: other problem"),
    (501, "Reliabilty_Join", "could not join"),
    (502, "Reliabilty_Invite", "invitation failed"),
];

/// Ratings at or below this are a finding: 1 "really bad" and 2 "poor", in the user's own words.
pub const LOW_RATING: i64 = 2;

/// The words of a rating on the 1–5 scale; 0 is the survey shown and not answered.
pub fn rating_word(rating: i64) -> Option<&'static str> {
    Some(match rating {
        0 => "not rated (the survey was shown, the user did not answer)",
        1 => "really bad",
        2 => "poor",
        3 => "fair",
        4 => "good",
        5 => "excellent",
        _ => return None,
    })
}

/// One token as written, with its meaning when [`TOKENS`] has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// `Id` and `Value` as written.
    pub id: String,
    pub value: String,
    /// Microsoft's name and what it means.
    pub name: Option<&'static str>,
    pub meaning: Option<&'static str>,
}

impl Token {
    /// The user ticked it: a `Value` other than 0.
    pub fn ticked(&self) -> bool {
        self.value.trim().parse::<i64>().is_ok_and(|v| v != 0)
    }

    /// `audio: distorted speech (Audio_DistortedSpeech)`, or `token 777` when the table has no such id.
    pub fn text(&self) -> String {
        match (self.meaning, self.name) {
            (Some(m), Some(n)) => format!("{m} ({n})"),
            _ => format!("token {}", self.id),
        }
    }
}

/// A call-quality feedback report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Feedback {
    /// The SERVICE that carries it.
    pub msg: u32,
    /// Why it is incomplete (cut off, not well-formed), when it is.
    pub truncated: Option<String>,
    pub call_id: Option<String>,
    pub from_tag: Option<String>,
    pub to_tag: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    /// `ReportingUserURI`: who rated.
    pub user: Option<String>,
    /// `Rating`; `rating_text` when it is not a number.
    pub rating: Option<i64>,
    pub rating_text: Option<String>,
    /// What the user wrote (user text, on one line), and its `LanguageTag`.
    pub comment: Option<String>,
    pub language: Option<String>,
    /// Every token offered, in order.
    pub tokens: Vec<Token>,
}

impl Feedback {
    /// The tokens the user ticked.
    pub fn ticked(&self) -> impl Iterator<Item = &Token> {
        self.tokens.iter().filter(|t| t.ticked())
    }

    /// `2 of 5 stars (poor)`, `not rated (…)`, or the value as written.
    pub fn rating_words(&self) -> String {
        match self.rating {
            Some(0) => rating_word(0).unwrap_or_default().to_string(),
            Some(r) => match rating_word(r) {
                Some(w) => format!("{r} of 5 stars ({w})"),
                None => format!("{r} (outside the 1–5 scale)"),
            },
            None => match &self.rating_text {
                Some(t) => format!("“{}” (not a number)", clip(t, 40)),
                None => "no rating read".to_string(),
            },
        }
    }

    /// The user called the call really bad or poor.
    pub fn low(&self) -> bool {
        self.rating.is_some_and(|r| (1..=LOW_RATING).contains(&r))
    }
}

/// The feedback reports a message carries (one per `CallQualityFeedbackReport` part).
pub fn reports(msg: u32, m: &Message) -> Vec<Feedback> {
    body::parts(m)
        .into_iter()
        .filter(|p| {
            body::media_type(&p.content_type) == "application/ms-cqf+xml"
                || p.text.contains("<CallQualityFeedbackReport")
        })
        .filter_map(|p| {
            let doc = xml::parse(&p.text);
            let root = doc.root?;
            root.name
                .eq_ignore_ascii_case("CallQualityFeedbackReport")
                .then(|| Feedback {
                    msg,
                    truncated: doc.error,
                    ..from_root(&root)
                })
        })
        .collect()
}

/// A report from its parsed `CallQualityFeedbackReport` element (no message, nothing said about truncation).
pub fn from_root(root: &Element) -> Feedback {
    let attr = |n: &str| root.attr(n).map(str::to_string);
    let rating_text = root.child("Rating").map(Element::all_text);
    let comment = root.child("Feedback");
    Feedback {
        msg: 0,
        truncated: None,
        call_id: attr("CallId"),
        from_tag: attr("FromTag"),
        to_tag: attr("ToTag"),
        start: attr("Start"),
        end: attr("End"),
        user: root.child("ReportingUserURI").map(Element::all_text),
        rating: rating_text.as_deref().and_then(|t| t.trim().parse().ok()),
        rating_text,
        comment: comment
            .and_then(|f| f.text_of("Text"))
            .map(|t| clip(&one_line(&t), 2000)),
        language: comment
            .and_then(|f| f.attr("LanguageTag"))
            .map(str::to_string),
        tokens: root
            .child("Tokens")
            .map(|ts| {
                ts.children_named("Token")
                    .map(|t| {
                        let id = t.text_of("Id").unwrap_or_default();
                        let known = id
                            .trim()
                            .parse::<u32>()
                            .ok()
                            .and_then(|n| TOKENS.iter().find(|(k, _, _)| *k == n));
                        Token {
                            value: t.text_of("Value").unwrap_or_default(),
                            name: known.map(|k| k.1),
                            meaning: known.map(|k| k.2),
                            id,
                        }
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// `audio: distorted speech (Audio_DistortedSpeech), audio: interrupted (Audio_Interrupted)`, or `none`.
fn ticked_text(f: &Feedback) -> String {
    let t: Vec<String> = f.ticked().map(Token::text).collect();
    if t.is_empty() {
        "none".to_string()
    } else {
        t.join(", ")
    }
}

/// The body summary of a `CallQualityFeedbackReport`.
pub fn body_summary(part: usize, content_type: &str, root: &Element) -> BodySummary {
    let f = from_root(root);
    let mut s = BodySummary::new(
        part,
        content_type,
        BodyKind::CallFeedback,
        format!("Call rating: {}", f.rating_words()),
    );
    let who = f.user.as_deref().unwrap_or("The user");
    s.lines.push(match f.rating {
        Some(1..=5) => format!(
            "{who} rated the call {} — on Rate My Call's scale from 1 (really bad) to 5 (excellent).",
            f.rating_words()
        ),
        _ => format!("{who}: {}.", f.rating_words()),
    });
    let offered = f.tokens.len();
    let ticked = f.ticked().count();
    if offered > 0 {
        s.lines.push(format!(
            "Problems ticked: {}{}.",
            ticked_text(&f),
            match offered - ticked {
                0 => String::new(),
                n => format!(" ({n} more offered, not ticked)"),
            }
        ));
    }
    if let Some(c) = &f.comment {
        s.lines.push(format!(
            "The user wrote{}: “{c}”",
            f.language
                .as_deref()
                .map(|l| format!(" ({l})"))
                .unwrap_or_default()
        ));
    }
    s.lines.push(format!(
        "About the call {}{}.",
        f.call_id.as_deref().unwrap_or("(no Call-ID)"),
        match (&f.start, &f.end) {
            (Some(a), Some(b)) => format!(", {a} to {b}"),
            _ => String::new(),
        }
    ));
    for (field, v) in [
        ("Call-ID", &f.call_id),
        ("from-tag", &f.from_tag),
        ("to-tag", &f.to_tag),
        ("start", &f.start),
        ("end", &f.end),
    ] {
        if let Some(v) = v {
            s.entry("", field, v.clone());
        }
    }
    // Short field names keep the table's value column wide (a Call-ID is one long word).
    for (field, ticked) in [("ticked", true), ("not ticked", false)] {
        let t: Vec<String> = f
            .tokens
            .iter()
            .filter(|t| t.ticked() == ticked)
            .map(Token::text)
            .collect();
        if !t.is_empty() {
            s.entry("", field, t.join(", "));
        }
    }
    s
}

/// The finding of a low rating (1 or 2 stars) of the call `who` (`alice@contoso.com → bob@contoso.com`), whose
/// INVITE is `invite`; `None` for any other rating.
pub fn finding(who: &str, invite: u32, f: &Feedback) -> Option<Finding> {
    if !f.low() {
        return None;
    }
    let mut detail = format!(
        "{} rated it {}; problems ticked: {}.",
        f.user.as_deref().unwrap_or("The user"),
        f.rating_words(),
        ticked_text(f)
    );
    if let Some(c) = &f.comment {
        detail.push_str(&format!(" The user wrote: “{}”", clip(c, 300)));
    }
    Some(make(
        Severity::Warning,
        FindingKind::LowRating,
        format!("The user rated the call {who} {}", f.rating_words()),
        detail,
        f.msg,
        vec![invite],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CQF: &str = r#"<?xml version="1.0" encoding="utf-8"?><CallQualityFeedbackReport xmlns="ms-cqf" CallId="f28" FromTag="578" ToTag="d44" Start="2020-05-18T07:31:12.0000Z" End="2020-05-18T07:37:00.0000Z"><ReportingUserURI>sip:alice@contoso.com</ReportingUserURI><Rating>2</Rating><Feedback LanguageTag="en-US"><Text>Bob kept cutting out &lt;b&gt;hotel wifi&lt;/b&gt;</Text></Feedback><Tokens><Token><Id>107</Id><Value>1</Value></Token><Token><Id>108</Id><Value>1</Value></Token><Token><Id>103</Id><Value>0</Value></Token><Token><Id>777</Id><Value>1</Value></Token></Tokens></CallQualityFeedbackReport>"#;

    fn parse(text: &str) -> Feedback {
        let m = crate::sip::parser::parse_message(
            format!(
                "SERVICE sip:pool@contoso.com SIP/2.0\r\nContent-Type: application/ms-cqf+xml\r\nContent-Length: {}\r\n\r\n{text}",
                text.len()
            )
            .into_bytes(),
        )
        .unwrap();
        reports(4, &m).remove(0)
    }

    #[test]
    fn rating_tokens_comment_and_dialog_are_read() {
        let f = parse(CQF);
        assert_eq!(f.msg, 4);
        assert_eq!(
            (
                f.call_id.as_deref(),
                f.from_tag.as_deref(),
                f.to_tag.as_deref()
            ),
            (Some("f28"), Some("578"), Some("d44"))
        );
        assert_eq!(f.rating, Some(2));
        assert_eq!(f.rating_words(), "2 of 5 stars (poor)");
        assert!(f.low());
        // The comment is text: the markup the user typed stays characters.
        assert_eq!(
            f.comment.as_deref(),
            Some("Bob kept cutting out <b>hotel wifi</b>")
        );
        assert_eq!(f.language.as_deref(), Some("en-US"));
        let ticked: Vec<String> = f.ticked().map(Token::text).collect();
        assert_eq!(
            ticked,
            [
                "audio: distorted speech (Audio_DistortedSpeech)",
                "audio: interrupted (Audio_Interrupted)",
                "token 777"
            ]
        );
        assert_eq!(f.tokens.len(), 4);
    }

    #[test]
    fn the_summary_says_the_scale_and_what_was_ticked() {
        let root = xml::parse(CQF).root.unwrap();
        let s = body_summary(0, "application/ms-cqf+xml", &root);
        assert_eq!(s.kind, BodyKind::CallFeedback);
        assert_eq!(s.title, "Call rating: 2 of 5 stars (poor)");
        assert_eq!(
            s.lines[0],
            "sip:alice@contoso.com rated the call 2 of 5 stars (poor) — on Rate My Call's scale from 1 (really bad) to 5 (excellent)."
        );
        assert!(s.lines[1].starts_with("Problems ticked: audio: distorted speech"));
        assert!(s.lines[1].ends_with("(1 more offered, not ticked)."));
        assert_eq!(
            s.lines[2],
            "The user wrote (en-US): “Bob kept cutting out <b>hotel wifi</b>”"
        );
        let f = finding("a → b", 1, &from_root(&root)).unwrap();
        assert_eq!(f.kind, FindingKind::LowRating);
        assert_eq!(f.title, "The user rated the call a → b 2 of 5 stars (poor)");
    }

    #[test]
    fn odd_ratings_and_cut_reports() {
        let good = CQF.replace("<Rating>2</Rating>", "<Rating>4</Rating>");
        assert!(finding("x", 0, &parse(&good)).is_none());
        let zero = parse(&CQF.replace("<Rating>2</Rating>", "<Rating>0</Rating>"));
        assert!(!zero.low());
        assert!(zero.rating_words().starts_with("not rated"));
        assert_eq!(
            parse(&CQF.replace("<Rating>2</Rating>", "<Rating>9</Rating>")).rating_words(),
            "9 (outside the 1–5 scale)"
        );
        let cut = parse(&CQF[..CQF.find("<Tokens>").unwrap() + 30]);
        assert!(cut.truncated.is_some());
        assert_eq!(cut.rating, Some(2));
        assert!(cut.comment.is_some());
    }
}
