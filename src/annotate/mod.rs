//! Annotations: what Skype for Business headers and bodies mean, in plain English (issue 3).
//!
//! The pieces, each usable on its own:
//! - [`annotate_headers`] (`headers`): per-header lines — product versions, NAT, Front End / pool / Edge hops,
//!   authentication steps, option tags, ms-diagnostics (`diagnostics`), keep-alives, IM text in headers.
//! - [`decode_body`] (`body`): a readable summary of each body part — batched subscriptions, RLMI lists,
//!   presence categories, publications, roaming data, SOAP, typing, IM text, SDP.
//! - [`presence`] (`presence`): per contact, the availability changes seen in the log; per subscription, its
//!   lifecycle (with BENOTIFY storms collapsed).
//! - [`lifeline_names`] (`lifelines`): role and name of each ladder column (client, Access Edge, Front End).
//! - [`findings`] (`findings`): problems worth a look, each linked to its message.
//!
//! Everything is plain data (serde `Serialize`), computed from the parsed messages and the flow; nothing here
//! does I/O or panics on any input. Facts (code tables, version mapping, availability ranges) come from
//! Microsoft's published documents; each table says where it came from.

pub mod body;
pub mod diagnostics;
pub mod findings;
pub mod headers;
pub mod lifelines;
pub mod presence;
pub mod util;
pub mod versions;
pub mod vocab;
pub mod xml;

use crate::sip::Message;
use serde::Serialize;

pub use body::{decode_body, BodyEntry, BodySummary};
pub use findings::{findings, Finding};
pub use headers::annotate_headers;
pub use lifelines::lifeline_names;
pub use presence::{presence, Presence};

/// One plain-English line about one header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Annotation {
    /// Index into [`Message::headers`].
    pub header_index: usize,
    /// The header's name as written.
    pub header: String,
    pub text: String,
}

/// Everything the message panel shows above the raw text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageAnnotations {
    pub headers: Vec<Annotation>,
    pub bodies: Vec<BodySummary>,
}

/// Header annotations and body summaries of one message.
pub fn annotate_message(msg: &Message) -> MessageAnnotations {
    MessageAnnotations {
        headers: annotate_headers(msg),
        bodies: decode_body(msg),
    }
}
