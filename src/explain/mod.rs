//! Explain: what Skype for Business headers and bodies mean, in plain English. Reads the store; never changes
//! it, never parses log formats.
//!
//! The pieces, each usable on its own:
//! - [`annotate_headers`] (`headers`): per-header lines — product versions, NAT, Front End / pool / Edge hops,
//!   authentication steps, option tags, ms-diagnostics (`diagnostics`), keep-alives, IM text in headers.
//! - [`decode_body`] (`body`): a readable summary of each body part — batched subscriptions, RLMI lists,
//!   presence categories, publications, roaming data, SOAP, typing, IM text, SDP; roaming contacts
//!   (`contacts`), call quality reports (`quality`) and the user's rating of a call (`feedback`).
//! - [`presence`] (`presence`): per contact, the availability changes seen in the log; per subscription, its
//!   lifecycle (with BENOTIFY storms collapsed).
//! - [`lifeline_names`] (`lifelines`): role and name of each ladder column (client, Access Edge, Front End).
//! - [`findings`] (`findings`): problems worth a look, each linked to its message.
//! - `text`: IM text carried in headers and bodies (base64 formats, HTML and RTF as plain lines).
//!
//! Everything is plain data (the view layer serializes it), computed from the parsed messages and the flow; nothing here
//! does I/O or panics on any input. Facts (code tables, version mapping, availability ranges) come from
//! Microsoft's published documents; each table says where it came from.

pub mod alone;
pub mod body;
pub mod calls;
pub mod contacts;
pub mod diagnostics;
pub mod feedback;
pub mod finding;
pub mod findings;
pub mod headers;
pub mod lifelines;
pub mod presence;
pub mod quality;
pub mod sdp;
pub mod services;
pub mod summary;
pub mod text;
pub mod util;
pub mod versions;
pub mod vocab;
pub mod xml;

use crate::sip::Message;

pub use body::{decode_body, BodyEntry, BodyKind, BodySummary};
pub use findings::{findings, Finding, FindingKind};
pub use headers::annotate_headers;
pub use lifelines::lifeline_names;
pub use presence::{presence, Presence};

/// One plain-English line about one header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// Index into [`Message::headers`].
    pub header_index: usize,
    /// The header's name as written.
    pub header: String,
    pub text: String,
}

/// Everything the message panel shows above the raw text.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// A client log made of `(direction "send"/"recv", time "10:57:41.000", SIP text with \n line ends)`, for tests.
#[cfg(test)]
pub(crate) fn test_log<S: AsRef<str>>(messages: &[(&str, &str, S)]) -> Vec<u8> {
    let mut out = String::new();
    for (dir, time, sip) in messages {
        let sip = sip.as_ref().replace('\n', "\r\n");
        let n = sip.len();
        let (open, close) = if *dir == "send" {
            (
                format!("Sending Packet - 10.0.0.1:5061 (From Local Address: 10.0.0.2:50000) {n} bytes:"),
                format!("End of Sending Packet - 10.0.0.1:5061 (From Local Address: 10.0.0.2:50000) {n} bytes"),
            )
        } else {
            (
                format!("Data Received -10.0.0.1:5061 (To Local Address: 10.0.0.2:50000) {n} bytes:"),
                format!("End of Data Received -10.0.0.1:5061 (To Local Address: 10.0.0.2:50000) {n} bytes"),
            )
        };
        out.push_str(&format!("03/30/2018|{time} 2738:14E0 INFO  :: {open}\r\n"));
        let mut lines = sip.split("\r\n");
        out.push_str(&format!(
            "03/30/2018|{time} 2738:14E0 INFO  :: {}\r\n",
            lines.next().unwrap_or("")
        ));
        out.push_str(&lines.collect::<Vec<_>>().join("\r\n"));
        if !sip.ends_with("\r\n") {
            out.push_str("\r\n");
        }
        out.push_str(&format!("03/30/2018|{time} 2738:14E0 INFO  :: {close}\r\n"));
    }
    out.into_bytes()
}
