//! A body summary's shape — its kind, title, lines and table — shared by the summarizers (`body.rs`, and
//! `services.rs`, `quality.rs`, `feedback.rs`, `contacts.rs` for the bodies they read).

use serde::Serialize;

/// A readable summary of one body part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodySummary {
    /// Index into `sip::body::parts(msg)`; for text decoded from a header it is the number of parts (one past
    /// the last body part) and `header_index` says which header.
    pub part: usize,
    /// The header the text came from (`ms-text-format`), when it did not come from the body.
    pub header_index: Option<usize>,
    /// Content-Type of the part as written.
    pub content_type: String,
    /// What the part is.
    pub kind: BodyKind,
    /// One line: what this part says, e.g. `Presence of sip:on2@limcm.com: 3500 Available`.
    pub title: String,
    /// Sentences, in order.
    pub lines: Vec<String>,
    /// A table: who (`subject`), what (`field`), value.
    pub entries: Vec<BodyEntry>,
    /// Why the part could not be fully read (not well-formed XML, cut), when it could not.
    pub malformed: Option<String>,
}

/// What a body part is. Serialized in kebab-case (`batch-subscribe`, `im-text`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BodyKind {
    /// A batched subscription (`batchSub`: `adhocList`, `categoryList`).
    BatchSubscribe,
    /// An RLMI resource list (RFC 4662).
    ResourceList,
    /// A category document (`categories`: state, note, contact card, …).
    Categories,
    /// The user's own publication (`publish`).
    Publication,
    /// Roaming self data (`roamingData`).
    RoamingData,
    /// The client asking for its roaming data (`roamingList`).
    RoamingRequest,
    /// A SOAP envelope in SERVICE.
    Soap,
    /// An msrtc.pidf presence document.
    PresenceDocument,
    /// A typing notification (RFC 3994).
    Typing,
    /// A Microsoft fault.
    Fault,
    /// The full roaming contact list (`contactList`, [MS-SIP] 2.2.4.1).
    ContactList,
    /// Changes to the roaming contact list (`contactDelta`, [MS-SIP] 2.2.4.1).
    ContactDelta,
    /// An instant message in plain text.
    ImText,
    /// An instant message in HTML, shown as text.
    ImHtml,
    /// An instant message in RTF, shown as text.
    ImRtf,
    /// A session description.
    Sdp,
    /// A call quality report (`VQReportEvent`, [MS-QoE]).
    QualityReport,
    /// The user's rating of a call (`CallQualityFeedbackReport`, [MS-QoE] 2.2.2; "Rate My Call").
    CallFeedback,
    /// Conference control (C3P) or conference state.
    Conference,
    /// Media relay (A/V Edge) credentials.
    MediaRelay,
    /// In-band provisioning or a dial plan.
    Provisioning,
    /// Any other XML document.
    Xml,
    /// Any other text.
    Text,
    /// Bytes that are not text.
    Binary,
    /// XML that is not well-formed.
    Malformed,
}

/// One row of a body summary table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyEntry {
    /// Whose data this is (a URI), or empty.
    pub subject: String,
    /// Category, element or attribute name.
    pub field: String,
    pub value: String,
}

impl BodySummary {
    pub fn new(part: usize, content_type: &str, kind: BodyKind, title: impl Into<String>) -> Self {
        BodySummary {
            part,
            header_index: None,
            content_type: content_type.to_string(),
            kind,
            title: title.into(),
            lines: Vec::new(),
            entries: Vec::new(),
            malformed: None,
        }
    }

    pub fn entry(&mut self, subject: &str, field: &str, value: impl Into<String>) {
        self.entries.push(BodyEntry {
            subject: subject.to_string(),
            field: field.to_string(),
            value: value.into(),
        });
    }
}
