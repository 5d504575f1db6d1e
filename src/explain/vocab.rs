//! Vocabulary tables: option tags, event packages, content types and subscription-state reasons, one line of
//! meaning each.
//!
//! Sources (named per entry in its text): [MS-SIP] (the copy in shared/fixtures/ms-openspecs: BENOTIFY §3.5,
//! piggyback notification §3.4, auto-extension §3.6, batched SUBSCRIBE §3.3, presence support §3.2.4.1, roaming
//! contacts/ACL §2.2.3–2.2.4, §3.7), [MS-PRES] (enhanced presence: categories, containers, publication), the
//! IETF RFCs named in the text, and Microsoft's option tags whose documents ([MS-SIPRE], [MS-CONFBAS]) were not
//! available here: those lines say only what the tag's name and its use in the logs show, marked "Microsoft
//! extension".

/// Meaning of a Supported / Require / Proxy-Require option tag.
pub fn option_tag(tag: &str) -> Option<&'static str> {
    Some(match tag.trim().to_ascii_lowercase().as_str() {
        "ms-benotify" => "best-effort NOTIFY: notifications may come as BENOTIFY, which is never answered ([MS-SIP] 3.5)",
        "ms-piggyback-first-notify" => "the first notification may ride in the 200 OK to the SUBSCRIBE ([MS-SIP] 3.4)",
        "com.microsoft.autoextend" => "every NOTIFY renews the subscription, so the client rarely has to re-SUBSCRIBE ([MS-SIP] 3.6)",
        "eventlist" => "resource-list subscriptions: one SUBSCRIBE covers many contacts, answered with an RLMI list (RFC 4662; [MS-SIP] 3.3)",
        "adhoclist" => "the list of contacts travels in the SUBSCRIBE body (batched SUBSCRIBE, [MS-SIP] 3.3)",
        "categorylist" => "the SUBSCRIBE body names which presence categories are wanted (enhanced presence, [MS-PRES])",
        "msrtc-event-categories" => "understands enhanced presence categories (application/msrtc-event-categories+xml, [MS-PRES])",
        "com.microsoft.msrtc.presence" => "supports the Microsoft presence extensions (setPresence, msrtc.pidf) ([MS-SIP] 3.2.4.1)",
        "gruu-10" => "GRUU: the registrar gives this endpoint its own routable URI (draft-ietf-sip-gruu-10, later RFC 5627)",
        "gruu" => "GRUU: globally routable URI for this endpoint (RFC 5627)",
        "ms-forking" => "Microsoft extension: requests to the user may be forked to all of the user's signed-in endpoints",
        "ms-cluster-failover" => "Microsoft extension: the client can fail over to another server of the pool or a backup pool",
        "ms-userservices-state-notification" => "Microsoft extension: the server tells the client when User Services run in a limited (resiliency) mode",
        "ms-keepalive-deregistration" => "Microsoft extension: the registration is removed when keep-alives stop (see ms-keep-alive)",
        "ms-dialog-route-set-update" => "Microsoft extension: the route set of an established dialog may be updated (e.g. after a server fails over)",
        "ms-safe-transfer" => "Microsoft extension: safe transfer, the transferring party keeps the call until the transfer succeeds",
        "ms-sender" => "Microsoft extension: the ms-sender header names who really sent a message sent on someone's behalf",
        "ms-early-media" => "Microsoft extension: media before the call is answered (183 Session Progress)",
        "ms-conf-invite" => "Microsoft extension: invitations to conferences ([MS-CONFBAS])",
        "com.microsoft.rtc-multiparty" => "Microsoft extension: multiparty IM (Roster-Manager and EndPoints headers)",
        "timer" => "session timers: the session is refreshed periodically and ends if a refresh fails (RFC 4028)",
        "replaces" => "the Replaces header: a new call may take over an existing one (RFC 3891)",
        "100rel" => "reliable provisional responses, acknowledged with PRACK (RFC 3262)",
        "histinfo" => "History-Info: records how a request was retargeted or forwarded (RFC 4244)",
        "path" => "Path header: the registrar records the proxies on the way (RFC 3327)",
        "outbound" => "client-initiated connections kept open for incoming requests (RFC 5626)",
        "norefersub" => "REFER without an implicit subscription (RFC 4488)",
        "tdialog" => "Target-Dialog header (RFC 4538)",
        "precondition" => "media preconditions (RFC 3312)",
        "from-change" => "From/To may change within a dialog (RFC 4916)",
        "join" => "the Join header: joining an existing call (RFC 3911)",
        "resource-priority" => "resource priority for emergency calls (RFC 4412)",
        "sec-agree" => "security mechanism agreement (RFC 3329)",
        "ms-embedded-first-notify" => "Microsoft extension: the first notification is embedded in the response",
        _ => return None,
    })
}

/// Meaning of an Event / Allow-Events package.
pub fn event_package(event: &str) -> Option<&'static str> {
    Some(match event.trim().to_ascii_lowercase().as_str() {
        "presence" => "presence of the target user (RFC 3856; enhanced presence categories, [MS-PRES])",
        "presence.wpending" => "pending watchers: who asked to follow the user's presence (watcher info, RFC 3857)",
        "registration" | "reg" => "registration state of the user's endpoints (RFC 3680 / Microsoft registration events)",
        "vnd-microsoft-roaming-self" => "the user's own published categories, containers (access levels) and followers ([MS-PRES])",
        "vnd-microsoft-roaming-contacts" => "the contact list and groups ([MS-SIP] 3.7)",
        "vnd-microsoft-roaming-acl" => "the access control list: who may see the user's presence ([MS-SIP] 3.7)",
        "vnd-microsoft-provisioning" => "in-band provisioning: server settings pushed to the client (Microsoft)",
        "vnd-microsoft-provisioning-v2" => "in-band provisioning, version 2: server settings and policies pushed to the client (Microsoft)",
        "conference" => "conference state: roster and media (RFC 4575)",
        "dialog" => "dialog state, e.g. for call pickup or monitoring (RFC 4235)",
        "refer" => "progress of a REFER (transfer) (RFC 3515)",
        "message-summary" => "voicemail waiting indication (RFC 3842)",
        "winfo" => "watcher information (RFC 3857)",
        _ => return None,
    })
}

/// Meaning of a content type (media type without parameters, lower case).
pub fn content_type(media: &str) -> Option<&'static str> {
    Some(match media.trim().to_ascii_lowercase().as_str() {
        "application/msrtc-adrl-categorylist+xml" => "batched subscription: the contacts (ad-hoc list) and the presence categories wanted ([MS-PRES], [MS-SIP] 3.3)",
        "application/msrtc-event-categories+xml" => "enhanced presence category data for one contact ([MS-PRES])",
        "application/msrtc-category-publish+xml" => "category publication: presence the user publishes ([MS-PRES])",
        "application/vnd-microsoft-roaming-self+xml" => "roaming self data: the user's own categories, containers and followers ([MS-PRES])",
        "application/vnd-microsoft-roaming-contacts+xml" => "the contact list and groups ([MS-SIP] 2.2.4.1)",
        "application/vnd-microsoft-roaming-acls+xml" => "presence access control list ([MS-SIP] 2.2.3)",
        "application/rlmi+xml" => "resource list meta-information: which contacts this notification covers (RFC 4662)",
        "multipart/related" => "several documents in one body (RFC 2387): an RLMI list and one document per contact",
        "multipart/alternative" => "the same content in several formats (RFC 2046)",
        "multipart/mixed" => "several independent parts (RFC 2046)",
        "application/sdp" => "session description: a media offer or answer (RFC 4566)",
        "text/plain" => "instant message text",
        "text/html" => "instant message formatted as HTML",
        "text/rtf" => "instant message formatted as RTF",
        "application/im-iscomposing+xml" => "typing notification (RFC 3994)",
        "application/ms-imdn+xml" => "IM delivery notification (Microsoft)",
        "application/soap+xml" => "a SOAP request or answer carried in SERVICE ([MS-SIP] 3.2)",
        "text/xml+msrtc.pidf" => "msrtc.pidf presence document ([MS-SIP] 2.2.1)",
        "application/xpidf+xml" => "XPIDF presence document, used peer to peer ([MS-SIP] 2.2.2)",
        "application/pidf+xml" => "PIDF presence document (RFC 3863)",
        "application/msrtc-fault+xml" => "Microsoft fault document explaining why a request failed",
        "application/cccp+xml" => "conference control (C3P, [MS-CONFBAS])",
        "application/conference-info+xml" => "conference state (RFC 4575)",
        "text/registration-event" => "registration event (Microsoft, [MS-SIPREGE])",
        "application/reginfo+xml" => "registration state (RFC 3680)",
        "application/ms-filetransfer+xml" => "file transfer control (Microsoft)",
        "text/x-msmsgsinvite" => "legacy Messenger invitation (file transfer and other applications)",
        "application/vnd-microsoft-roaming-provisioning-v2+xml" => "client provisioning settings (Microsoft in-band provisioning)",
        "application/msrtc-media-relay-auth+xml" => "media relay (A/V Edge) credentials request or answer (Microsoft MRAS)",
        "application/xml" | "text/xml" => "an XML document",
        _ => return None,
    })
}

/// Meaning of a `terminated;reason=` value (RFC 3265 §3.2.4).
pub fn termination_reason(reason: &str) -> Option<&'static str> {
    Some(match reason.trim().to_ascii_lowercase().as_str() {
        "deactivated" => "the server ended it; the client may re-SUBSCRIBE at once",
        "probation" => "the server ended it; the client may re-SUBSCRIBE later",
        "rejected" => "the subscription was refused (policy)",
        "timeout" => "it expired without a refresh",
        "giveup" => "the server gave up waiting for authorization",
        "noresource" => "the subscribed resource no longer exists",
        _ => return None,
    })
}

/// Presence container ids ([MS-PRES] access levels / containers).
pub fn container(id: &str) -> Option<&'static str> {
    Some(match id.trim() {
        "100" => "External contacts",
        "200" => "Colleagues",
        "300" => "Workgroup",
        "400" => "Friends and Family",
        "32000" => "Blocked",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_answer_the_sample_values() {
        for tag in [
            "ms-benotify",
            "ms-piggyback-first-notify",
            "eventlist",
            "adhoclist",
            "categoryList",
            "com.microsoft.autoextend",
            "gruu-10",
            "ms-forking",
            "ms-cluster-failover",
            "ms-dialog-route-set-update",
            "msrtc-event-categories",
            "ms-userservices-state-notification",
            "timer",
            "replaces",
            "100rel",
            "ms-sender",
            "ms-early-media",
            "ms-conf-invite",
            "ms-safe-transfer",
            "histinfo",
        ] {
            assert!(option_tag(tag).is_some(), "{tag}");
        }
        assert!(option_tag("x-unknown").is_none());
        assert!(event_package("vnd-microsoft-roaming-ACL").is_some());
        assert!(content_type("application/msrtc-adrl-categorylist+xml")
            .unwrap()
            .contains("batched"));
        assert_eq!(container("200"), Some("Colleagues"));
        assert!(termination_reason("timeout").is_some());
    }
}
