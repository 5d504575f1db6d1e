//! Calls on the call fixtures (tests/fixtures/calls/, see its README section): outcome and reason, ring and talk
//! time, who hung up, and per media line codecs, SRTP, candidates by type and the path ICE chose.
#![cfg(not(target_arch = "wasm32"))]

use sipscope::view::calls::{CallOutcome, CallRow};
use sipscope::Analysis;

fn calls(name: &str) -> Vec<CallRow> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/calls")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Analysis::of_files([(name, bytes.as_slice())]).calls_view()
}

#[test]
fn a_call_through_the_edge_with_relay_candidates() {
    let c = calls("call-relay.uccapilog");
    assert_eq!(c.len(), 1);
    let c = &c[0];
    assert_eq!(
        (c.caller.as_str(), c.callee.as_str()),
        ("alice@contoso.com", "bob@contoso.com")
    );
    assert_eq!(c.outcome, CallOutcome::Answered);
    assert_eq!(c.status, Some(200));
    assert_eq!(c.ended_by.as_deref(), Some("caller"));
    // It rang from the 180 to the 200; the INVITE was answered after longer.
    assert!(c.ring_ms.unwrap() > 0 && c.setup_ms.unwrap() > c.ring_ms.unwrap());
    assert!(c.talk_ms.unwrap() > 60_000);
    let r = c.reason.as_ref().unwrap();
    assert_eq!(
        (r.header.as_str(), r.code),
        ("ms-client-diagnostics", Some(51004))
    );
    assert_eq!(r.msg, c.bye.unwrap());
    assert_eq!(c.media_kinds, ["audio", "video"]);
    let audio = &c.media[0];
    assert!(audio.answered_codecs.iter().any(|x| x.starts_with("SILK")));
    assert_eq!(audio.srtp, ["AES_CM_128_HMAC_SHA1_80"]);
    assert!(
        audio.offer_counts.host > 0 && audio.offer_counts.srflx > 0 && audio.offer_counts.relay > 0
    );
    assert!(audio.answer_counts.relay > 0);
    // The re-INVITE names the callee's relay candidate: the path is relayed through the A/V Edge.
    assert!(
        audio.path_remote.as_deref().unwrap().ends_with("(relay)"),
        "{:?}",
        audio.path_remote
    );
    assert!(
        audio.path_local.as_deref().unwrap().ends_with("(srflx)"),
        "{:?}",
        audio.path_local
    );
}

#[test]
fn failed_calls_say_how_and_why() {
    let c = calls("call-media-failure.uccapilog");
    let outcomes: Vec<CallOutcome> = c.iter().map(|c| c.outcome).collect();
    assert_eq!(
        outcomes,
        [
            CallOutcome::MediaFailed,
            CallOutcome::Failed,
            CallOutcome::MediaFailed,
            CallOutcome::Cancelled,
            CallOutcome::Declined,
            CallOutcome::Failed
        ]
    );
    // ms-client-diagnostics 23 on the BYE: answered, but the media never connected.
    let r = c[0].reason.as_ref().unwrap();
    assert_eq!(r.code, Some(23));
    assert!(c[0].talk_ms.is_some());
    // A 488 with the client's reason; no media agreed.
    assert_eq!(c[1].status, Some(488));
    assert_eq!(c[1].reason.as_ref().unwrap().code, Some(52017));
    assert!(c[1].media_kinds.is_empty());
    // The callee hung up the federated call that never connected.
    assert_eq!(c[2].ended_by.as_deref(), Some("callee"));
    assert_eq!(c[3].status, Some(487));
    assert_eq!(c[4].outcome_text, "declined (603)");
    assert_eq!(c[5].reason.as_ref().unwrap().header, "Warning");
}

#[test]
fn meeting_joins_are_calls_to_a_conference() {
    let c = calls("meeting-join.uccapilog");
    assert!(c.len() >= 3);
    assert!(c.iter().all(|c| c.conference));
    // The callee is what the conference URI reaches, not the organizer whose address it starts with.
    let names: Vec<&str> = c
        .iter()
        .map(|c| c.callee_name.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(names[0], "meeting 8F3K2Q7W: focus", "{names:?}");
    assert!(
        names.contains(&"meeting 8F3K2Q7W: A/V conferencing server"),
        "{names:?}"
    );
    assert!(c
        .iter()
        .any(|c| c.media_kinds.contains(&"applicationsharing".to_string())));
}

#[test]
fn logs_without_calls_have_none() {
    let sample: &[u8] = include_bytes!("../www/sample/sample.uccapilog");
    assert!(Analysis::of_files([("sample", sample)])
        .calls_view()
        .is_empty());
}

#[test]
fn quality_reports_are_read_linked_and_poor_ones_are_findings() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/calls/vq-poor-network.uccapilog");
    let bytes = std::fs::read(path).unwrap();
    let a = Analysis::of_files([("vq", bytes.as_slice())]);
    let calls = a.calls_view();
    let q = &calls[0].quality[0];
    assert!(q.truncated.is_none());
    let m = &q.media[0];
    assert_eq!(m.label, "main-audio");
    assert_eq!((m.network.as_deref(), m.vpn), (Some("wifi"), Some(true)));
    assert_eq!(m.inbound.listen_mos, Some(2.05));
    assert_eq!(m.inbound.loss_rate, Some(0.132));
    assert_eq!(m.outbound.round_trip_ms, Some(612.0));
    assert!(m.inbound.poor.iter().any(|p| p == "packet loss above 10 %"));
    assert!(m
        .ice_warnings
        .iter()
        .any(|w| w == "UDP NAT connectivity failed"));
    // The second call's report was cut off in the log: what was read, and that it was cut.
    let cut = &calls[1].quality[0];
    assert!(cut.truncated.is_some());
    // Poor quality is a finding about the report, linked to the call's INVITE.
    let f: Vec<_> = a
        .findings_view()
        .into_iter()
        .filter(|f| f.kind == sipscope::explain::findings::FindingKind::PoorQuality)
        .collect();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].msg, q.msg);
    assert!(f[0].related.contains(&calls[0].invite));
    // The message panel summarises the report.
    let detail = a.message_detail(q.msg).unwrap();
    let s = detail
        .body_summaries
        .iter()
        .find(|b| b.title.starts_with("Call quality report"))
        .expect("a quality summary");
    assert!(
        s.lines.iter().any(|l| l
            .starts_with("main-audio received: SILK/16000, listening MOS 2.05")
            && l.contains("— poor:")),
        "{:?}",
        s.lines
    );
}

/// Every body summary of a fixture, as (message, title, lines).
fn summaries(name: &str) -> Vec<(u32, String, Vec<String>)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/calls")
        .join(name);
    let bytes = std::fs::read(path).unwrap();
    let a = Analysis::of_files([(name, bytes.as_slice())]);
    (0..a.messages.len() as u32)
        .flat_map(|i| {
            a.message_detail(i)
                .unwrap()
                .body_summaries
                .into_iter()
                .map(move |s| (i, s.title, s.lines))
        })
        .collect()
}

#[test]
fn meetings_c3p_and_conference_state_are_summarised() {
    let s = summaries("meeting-join.uccapilog");
    let titles: Vec<&str> = s.iter().map(|x| x.1.as_str()).collect();
    for want in [
        "Conference control (C3P) request: addConference",
        "Conference control (C3P) response: addConference success",
        "Conference control (C3P) request: addUser",
        "Conference control (C3P) request: modifyEndpointMedia",
        "Conference control (C3P) request: deleteUser",
    ] {
        assert!(titles.contains(&want), "{want} in {titles:#?}");
    }
    let state = s
        .iter()
        .find(|x| x.1.starts_with("Conference state (full)"))
        .expect("a full conference state");
    assert!(
        state.2.iter().any(|l| l.contains("presenter")),
        "{:?}",
        state.2
    );
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Conference state (partial)")),
        "{titles:#?}"
    );
}

#[test]
fn media_relay_credentials_are_shown_with_the_secrets_masked() {
    let s = summaries("call-relay.uccapilog");
    let resp = s
        .iter()
        .find(|x| x.1.starts_with("Media relay (A/V Edge) credentials:"))
        .expect("the MRAS answer");
    assert!(
        resp.2
            .iter()
            .any(|l| l.starts_with("Relay av.contoso.com (internet): UDP 3478, TCP 443")),
        "{:?}",
        resp.2
    );
    let text = resp.2.join("\n");
    assert!(text.contains("user name and password masked"));
    assert!(
        !text.contains("FWkvQLuR5qREC8tnECJ9") && !text.contains("7KDnL9CdO"),
        "no secret in the summary"
    );
    assert!(s
        .iter()
        .any(|x| x.1 == "Media relay (A/V Edge) credentials request"));
}

/// The MRAS answer's secrets in call-relay.uccapilog (tests/fixtures/calls/make.py writes them).
const RELAY_SECRETS: [&str; 2] = [
    "FWkvQLuR5qREC8tnECJ9InoRJJ5vFQrtK8J1D/BwwBJKLOg1qx64=",
    "7KDnL9CdO/+gBvmSZVr4/epzgZ3Z",
];

fn relay() -> (Vec<u8>, Analysis) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/calls/call-relay.uccapilog");
    let bytes = std::fs::read(path).unwrap();
    let a = Analysis::of_files([("call-relay.uccapilog", bytes.as_slice())]);
    (bytes, a)
}

fn no_secret(what: &str, text: &str) {
    for s in RELAY_SECRETS {
        assert!(!text.contains(s), "{what} shows {s}");
    }
}

/// Issue 14: the relay's user name and password are masked in every view the engine gives — the message panel's
/// raw text, headers and bodies, the diff, every export, the search — with their lengths and places kept.
#[test]
fn media_relay_credentials_are_masked_in_every_view() {
    use sipscope::render::{export, OutputFormat};
    let (bytes, a) = relay();
    let answer = (0..a.messages.len() as u32)
        .find(|&i| {
            let s = a.sip(i);
            s.status() == Some(200)
                && s.content_type()
                    .is_some_and(|t| t.contains("msrtc-media-relay-auth"))
        })
        .expect("the MRAS answer");
    let d = a.message_detail(answer).unwrap();
    no_secret("raw text", &d.raw);
    for p in &d.body_parts {
        no_secret("body part", &p.text);
        no_secret("pretty body", p.pretty.as_deref().unwrap_or_default());
    }
    no_secret("detail JSON", &serde_json::to_string(&d).unwrap());
    // Masked where they stand, byte for byte: the raw text is the file's bytes with `*` in their place.
    let (start, end) = (d.span.0 as usize, d.span.1 as usize);
    let logged = String::from_utf8_lossy(&bytes[start..end]);
    let at = logged
        .find(RELAY_SECRETS[1])
        .expect("the password in the file");
    let raw_at = d.raw.find("<password>").unwrap() + "<password>".len();
    assert_eq!(
        &d.raw[raw_at..raw_at + RELAY_SECRETS[1].len()],
        "*".repeat(RELAY_SECRETS[1].len())
    );
    assert_eq!(
        logged[..at].rfind("<password>").map(|p| at - p),
        Some("<password>".len())
    );
    let pretty = d.body_parts[0].pretty.as_deref().unwrap();
    assert!(pretty.contains(&format!(
        "<username>{}</username>",
        "*".repeat(RELAY_SECRETS[0].len())
    )));
    assert!(
        pretty.contains("<hostName>av.contoso.com</hostName>")
            && pretty.contains("<udpPort>3478</udpPort>")
    );
    // The panel says so; the summary still gives the lengths.
    assert_eq!(
        d.masked.as_deref(),
        Some("2 credentials masked: media relay user names and passwords are shown as *, their lengths kept.")
    );
    let summary = d.body_summaries[0].lines.join(" ");
    assert!(summary.contains("(53 and 28 characters)"), "{summary}");
    // Messages without credentials say nothing.
    assert!((0..a.messages.len() as u32)
        .filter(|&i| i != answer)
        .all(|i| a.message_detail(i).unwrap().masked.is_none()));
    // The diff of the request and its answer.
    let request = a.transaction_of(answer).unwrap().request.unwrap();
    no_secret(
        "diff",
        &serde_json::to_string(&a.diff(request, answer).unwrap()).unwrap(),
    );
    // Every export.
    for f in OutputFormat::ALL {
        no_secret(
            f.name(),
            &String::from_utf8_lossy(&export(&a, None, f).bytes),
        );
    }
    no_secret("JSON report", &serde_json::to_string(&a.report()).unwrap());
    // The search does not find them (what no view shows is not searched), but finds the relay.
    for (q, hits) in [
        (RELAY_SECRETS[1], 0),
        ("/7KDnL9CdO/", 0),
        ("\"av.contoso.com\"", 1),
    ] {
        let query = sipscope::query::Query::new(&a, q).unwrap();
        let n = (0..a.messages.len() as u32)
            .filter(|&i| query.matches(&a, i))
            .count();
        assert_eq!(n, hits, "{q}");
    }
}

/// A trace line that shows the answer (a product that logs bodies as trace text) is masked the same way.
#[test]
fn media_relay_credentials_in_a_trace_line_are_masked() {
    let log = "06/11/2019|09:14:02.118 1A2C:2F10 TRACE :: CUccMediaConnectivityManager::OnResponse - \
<credentials><username>dXNlcg==</username><password>cGFzcw==</password><duration>480</duration></credentials>\n\
06/11/2019|09:14:02.122 1A2C:2F10 INFO  :: Sending Packet - 203.0.113.10:443 (From Local Address: 192.168.1.20:52311) 91 bytes:\n\
06/11/2019|09:14:02.122 1A2C:2F10 INFO  :: OPTIONS sip:bob@contoso.com SIP/2.0\n\
Call-ID: 1\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n";
    let a = Analysis::of_files([("client.uccapilog", log.as_bytes())]);
    let mut rows = Vec::new();
    a.each_trace_line(&sipscope::view::trace::TraceFilter::default(), |r| {
        rows.push(r.text)
    })
    .unwrap();
    let line = rows
        .iter()
        .find(|t| t.contains("<credentials>"))
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert!(
        line.contains(
            "<username>********</username><password>********</password><duration>480</duration>"
        ),
        "{line}"
    );
}

#[test]
fn provisioning_dial_plan_and_registration_events_are_summarised() {
    let s = summaries("provisioning.uccapilog");
    let p = s
        .iter()
        .find(|x| x.1.starts_with("In-band provisioning:"))
        .expect("provisioning");
    assert!(
        p.2.iter().any(|l| l.starts_with(
            "media relay authentication service (MRAS): sip:edge01.contoso.local@contoso.com"
        )),
        "{:?}",
        p.2
    );
    assert!(p
        .2
        .iter()
        .any(|l| l.starts_with("dial plan: DefaultProfile")));
    let d = s
        .iter()
        .find(|x| x.1.starts_with("Dial plan DefaultProfile:"))
        .expect("the dial plan");
    assert!(d.1.ends_with("normalization rules"));
    let r = s
        .iter()
        .find(|x| x.1 == "Registration event: deregistered;event=rejected")
        .expect("the registration event");
    assert!(r.2[0].starts_with("The server removed this registration"));
}

#[test]
fn the_users_rating_is_summarised_linked_to_its_call_and_a_low_one_is_a_finding() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/calls/vq-poor-network.uccapilog");
    let bytes = std::fs::read(path).unwrap();
    let a = Analysis::of_files([("vq", bytes.as_slice())]);
    let calls = a.calls_view();
    // Linked by Call-ID to the first call only.
    assert_eq!(calls[0].feedback.len(), 1);
    assert!(calls[1].feedback.is_empty());
    let f = &calls[0].feedback[0];
    assert_eq!(f.rating, Some(2));
    assert_eq!(f.rating_text, "2 of 5 stars (poor)");
    assert!(f.low && f.truncated.is_none());
    assert_eq!(f.user.as_deref(), Some("sip:alice@contoso.com"));
    // Nine audio problems offered, two ticked, named from Microsoft's token table.
    assert_eq!(f.tokens.len(), 9);
    let ticked: Vec<(&str, Option<&str>)> = f
        .tokens
        .iter()
        .filter(|t| t.ticked)
        .map(|t| (t.id.as_str(), t.name.as_deref()))
        .collect();
    assert_eq!(
        ticked,
        [
            ("107", Some("Audio_DistortedSpeech")),
            ("108", Some("Audio_Interrupted"))
        ]
    );
    // The comment is the user's text, entities decoded, never markup.
    assert_eq!(
        f.comment.as_deref(),
        Some("Bob kept cutting out and sounded robotic <hotel wifi & VPN again>")
    );
    assert_eq!(f.language.as_deref(), Some("en-US"));
    // The message panel's summary.
    let detail = a.message_detail(f.msg).unwrap();
    let s = detail
        .body_summaries
        .iter()
        .find(|b| b.kind == sipscope::explain::BodyKind::CallFeedback)
        .expect("a feedback summary");
    assert_eq!(s.title, "Call rating: 2 of 5 stars (poor)");
    assert!(
        s.lines[1].starts_with(
            "Problems ticked: audio: distorted speech (Audio_DistortedSpeech), audio: interrupted (Audio_Interrupted) (7 more offered"
        ),
        "{:?}",
        s.lines
    );
    assert!(s.lines.iter().any(|l| l.contains(&calls[0].call_id)));
    // A low rating is a finding next to the poor quality, on the rating's message, linked to the INVITE.
    let f_low: Vec<_> = a
        .findings_view()
        .into_iter()
        .filter(|x| x.kind == sipscope::explain::findings::FindingKind::LowRating)
        .collect();
    assert_eq!(f_low.len(), 1);
    assert_eq!(f_low[0].msg, f.msg);
    assert!(f_low[0].related.contains(&calls[0].invite));
    assert_eq!(
        f_low[0].title,
        "The user rated the call alice@contoso.com → bob@contoso.com 2 of 5 stars (poor)"
    );
}

#[test]
fn roaming_contact_deltas_say_what_was_added_or_deleted() {
    let s = summaries("provisioning.uccapilog");
    let list = s
        .iter()
        .find(|x| x.1.starts_with("Contact list:"))
        .expect("the full list");
    assert_eq!(list.1, "Contact list: 3 groups, 4 contacts");
    let deltas: Vec<&(u32, String, Vec<String>)> = s
        .iter()
        .filter(|x| x.1.starts_with("Contact list change"))
        .collect();
    assert_eq!(
        deltas.iter().map(|x| x.1.as_str()).collect::<Vec<_>>(),
        [
            "Contact list change 213: 1 contact added",
            "Contact list change 214: 1 contact deleted"
        ]
    );
    assert!(deltas[0].2[0].starts_with("Changes from list number 212 to 213"));
    // The rows: who, what, the name as written (and the groups the delta names).
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/calls/provisioning.uccapilog");
    let bytes = std::fs::read(path).unwrap();
    let a = Analysis::of_files([("p", bytes.as_slice())]);
    let rows = |i: u32| -> Vec<(String, String, String)> {
        a.message_detail(i).unwrap().body_summaries[0]
            .entries
            .iter()
            .map(|e| (e.subject.clone(), e.field.clone(), e.value.clone()))
            .collect()
    };
    assert_eq!(
        rows(deltas[0].0),
        [(
            "frank@fabrikam.com".to_string(),
            "added contact".to_string(),
            "Frank (Fabrikam) (in 3)".to_string()
        )]
    );
    assert_eq!(
        rows(deltas[1].0),
        [(
            "erin@contoso.com".to_string(),
            "deleted contact".to_string(),
            String::new()
        )]
    );
    // The full list names the groups, and each contact's groups by name.
    let full = rows(list.0);
    assert!(full.contains(&(
        "group 2".to_string(),
        "group".to_string(),
        "Finance".to_string()
    )));
    assert!(full.contains(&(
        "dave@fabrikam.com".to_string(),
        "contact".to_string(),
        "Dave (Fabrikam) (in Partners)".to_string()
    )));
}
