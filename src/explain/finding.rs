//! A finding's shape — its kind, severity, title, detail and messages — shared by the rules that make findings
//! (`findings.rs` over transactions and subscriptions, `calls.rs` over calls, `feedback.rs` a call's rating).

use crate::base::diag::Severity;
use serde::Serialize;

/// What a finding is about (see the module comment for the rules). Serialized in kebab-case.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// A final response ≥ 400 (not a challenge, not 487, not to SUBSCRIBE, not 5xx).
    FailedTransaction,
    /// A 5xx final response (not to SUBSCRIBE).
    ServerError,
    /// A SUBSCRIBE that failed.
    SubscriptionFailed,
    /// A 3xx final response.
    Redirect,
    /// A 487: the request was cancelled.
    Cancelled,
    /// A request that expects a response got no final one in the log.
    NoResponse,
    /// A response slower than [`SLOW_MS`].
    SlowResponse,
    /// The request was sent again.
    Retransmission,
    /// Credentials rejected, or challenges in a row without success.
    AuthLoop,
    /// A subscription's granted expiry passed with no refresh in the log.
    SubscriptionExpired,
    /// The server ended a subscription.
    SubscriptionTerminated,
    /// A dense run of BENOTIFYs.
    BenotifyStorm,
    /// A successful REGISTER after an earlier successful one.
    ReRegistration,
    /// REGISTER with Expires 0.
    SignOut,
    /// A call was answered but its media never connected (`ms-client-diagnostics` 21–25).
    MediaFailed,
    /// A call quality report names a stream as poor by the Call Quality Dashboard's thresholds.
    PoorQuality,
    /// The user rated a call 1 or 2 stars (call-quality feedback, "Rate My Call").
    LowRating,
}

impl FindingKind {
    /// The kind its serialized name names (`auth-loop`), for queries.
    pub fn named(name: &str) -> Option<FindingKind> {
        use serde::de::{value::Error, Deserialize, IntoDeserializer};
        FindingKind::deserialize(IntoDeserializer::<Error>::into_deserializer(name)).ok()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub kind: FindingKind,
    pub title: String,
    pub detail: String,
    /// The message that shows it.
    pub msg: u32,
    /// Other messages involved (the request, retransmissions, …), in order.
    pub related: Vec<u32>,
}

pub fn finding(
    severity: Severity,
    kind: FindingKind,
    title: String,
    detail: String,
    msg: u32,
    mut related: Vec<u32>,
) -> Finding {
    related.retain(|&r| r != msg);
    related.sort_unstable();
    related.dedup();
    Finding {
        severity,
        kind,
        title,
        detail,
        msg,
        related,
    }
}
