//! Semantic tests on the realistic fixtures: the stories they tell come out of the analysis (transactions,
//! conversations, subscriptions, bodies), not just the right number of arrows.
#![cfg(not(target_arch = "wasm32"))]

use sipscope::flow::{ConversationKind, SubscriptionState};
use sipscope::ladder::ArrowKind;
use sipscope::{Analysis, Code};
use std::path::Path;

fn load(rel: &str) -> Analysis {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let bytes = std::fs::read(&path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    Analysis::of_files([(name.as_str(), bytes.as_slice())])
}

fn start_lines(a: &Analysis) -> Vec<String> {
    a.messages
        .iter()
        .map(|m| a.sip_of(m).start_line())
        .collect()
}

#[test]
fn seed_presence_flow_reads_as_the_blog_describes() {
    let a = load("tests/fixtures/seed-presence.uccapilog");
    let lines = start_lines(&a);
    assert_eq!(
        lines,
        [
            "SUBSCRIBE sip:on1@limcm.com SIP/2.0",
            "SIP/2.0 200 OK",
            "SERVICE sip:on2@limcm.com SIP/2.0",
            "SIP/2.0 200 OK"
        ]
    );
    // The 200 OK answers the SUBSCRIBE in 63 ms and carries on2's categories in a multipart/related body.
    let t = &a.flow.transactions[a.flow.links[1].transaction.unwrap() as usize];
    assert_eq!(
        (t.method.as_str(), t.request, t.final_status, t.response_ms),
        ("SUBSCRIBE", Some(0), Some(200), Some(63))
    );
    let detail = a.message_detail(1).unwrap();
    assert_eq!(detail.body_parts.len(), 2, "rlmi list + categories");
    let categories = &detail.body_parts[1];
    assert!(categories
        .content_type
        .starts_with("application/msrtc-event-categories+xml"));
    assert!(categories.text.contains("uri=\"sip:on2@limcm.com\""));
    assert!(categories
        .pretty
        .as_deref()
        .is_some_and(|p| p.contains("\n  <category name=\"calendarData\"")));
    // The public address behind NAT is in the response's Via.
    assert!(detail
        .headers
        .iter()
        .any(|h| h.name == "Via" && h.value.contains("received=211.208.253.61")));
    // The subscription is active for 31535 s.
    let s = &a.flow.subscriptions[0];
    assert_eq!(s.event, "presence");
    assert_eq!(
        s.state,
        SubscriptionState::Active {
            expires: Some(31535)
        }
    );
    // SERVICE → 200 OK with roamingData, from the second client.
    let service = a.message_detail(3).unwrap();
    assert_eq!(service.core.src, "211.208.253.66:5061");
    assert_eq!(service.core.dst, "192.168.1.54:49816");
    assert!(service.body_parts[0].text.contains("<roamingData"));
}

#[test]
fn sample_tells_the_whole_story() {
    let a = load("www/sample/sample.uccapilog");
    assert_eq!(a.messages.len(), 34);
    let kinds: Vec<ConversationKind> = a.flow.conversations.iter().map(|c| c.kind).collect();
    for k in [
        ConversationKind::Registration,
        ConversationKind::Subscription,
        ConversationKind::Publication,
        ConversationKind::Im,
    ] {
        assert!(kinds.contains(&k), "{k:?} in {kinds:?}");
    }
    // Sign-in: challenges are challenges, not failures, and the registration succeeds.
    let reg = a
        .flow
        .conversations
        .iter()
        .find(|c| c.kind == ConversationKind::Registration)
        .unwrap();
    assert!(!reg.failed);
    let statuses: Vec<u16> = reg
        .transactions
        .iter()
        .filter_map(|&t| a.flow.transactions[t as usize].final_status)
        .collect();
    assert_eq!(statuses.last(), Some(&200));
    assert!(statuses.contains(&401));
    let ladder = a.ladder(None);
    assert_eq!(ladder.rows[1].kind, ArrowKind::Challenge);
    // The 503 on the on4 subscription and the 480 on the INVITE to on3 are failures.
    let failed: Vec<u16> = a
        .flow
        .transactions
        .iter()
        .filter_map(|t| t.final_status)
        .filter(|&s| s >= 400 && s != 401)
        .collect();
    assert_eq!(failed, [503, 480]);
    assert!(a
        .flow
        .subscriptions
        .iter()
        .any(|s| s.state == SubscriptionState::Failed { status: 503 }));
    // BENOTIFY expects no response; the last SERVICE got none.
    let unanswered: Vec<&str> = a
        .flow
        .transactions
        .iter()
        .filter(|t| t.unanswered)
        .map(|t| t.method.as_str())
        .collect();
    assert_eq!(unanswered, ["SERVICE"]);
    assert_eq!(ladder.rows.last().unwrap().kind, ArrowKind::Unanswered);
    // Message 23 (index 22) is an exact retransmission of the MESSAGE before it.
    assert!(a.flow.links[22].retransmission);
    assert_eq!(a.flow.links.iter().filter(|l| l.retransmission).count(), 1);
    // BENOTIFYs belong to the presence subscription.
    let presence = a
        .flow
        .subscriptions
        .iter()
        .find(|s| s.event == "presence" && !s.notifies.is_empty())
        .unwrap();
    assert!(presence.notifies.len() >= 2);
    // Korean text survives: the note in a BENOTIFY body.
    assert!(a
        .messages
        .iter()
        .any(|m| String::from_utf8_lossy(a.sip_of(m).body()).contains('회')));
}

#[test]
fn every_fixture_message_has_a_detail_and_a_place() {
    for rel in [
        "www/sample/sample.uccapilog",
        "tests/fixtures/two-in-one-block.uccapilog",
        "tests/fixtures/utf16.uccapilog",
        "tests/fixtures/lf-bom.uccapilog",
        "tests/fixtures/hostile.uccapilog",
    ] {
        let a = load(rel);
        for i in 0..a.messages.len() as u32 {
            let d = a.message_detail(i).unwrap();
            assert!(d.line > 0 && d.span.0 < d.span.1, "{rel} #{i}");
            assert!(!d.headers.is_empty(), "{rel} #{i}");
        }
    }
}

#[test]
fn two_messages_in_one_block_both_come_out() {
    let a = load("tests/fixtures/two-in-one-block.uccapilog");
    assert_eq!(a.messages.len(), 7);
    // Two messages share one packet: same span, same line, different start lines.
    let shared: Vec<_> = a
        .messages
        .windows(2)
        .filter(|w| w[0].span == w[1].span)
        .collect();
    assert_eq!(shared.len(), 1);
    assert_eq!(a.sip_of(&shared[0][1]).method(), Some("BENOTIFY"));
    let warned: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| {
            d.code == Code::ContentLengthMismatch && d.message.contains("Content-Length 120")
        })
        .collect();
    assert_eq!(warned.len(), 1);
    assert!(warned[0].msg.is_some(), "the diagnostic names its message");
}

#[test]
fn utf16_and_lf_logs_read_like_utf8_crlf_ones() {
    let a = load("tests/fixtures/utf16.uccapilog");
    assert_eq!(start_lines(&a)[0], "REGISTER sip:limcm.com SIP/2.0");
    assert!(
        a.messages.iter().all(|m| m.problems.is_empty()),
        "{:?}",
        a.diagnostics
    );
    let b = load("tests/fixtures/lf-bom.uccapilog");
    assert_eq!(b.messages.len(), 4);
    assert!(b.diagnostics.is_empty(), "{:?}", b.diagnostics);
}

#[test]
fn preview_shows_the_first_messages_while_the_rest_is_still_coming() {
    let bytes =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("www/sample/sample.uccapilog"))
            .unwrap();
    let mut a = sipscope::Analyzer::new();
    let id = a.add_file("sample.uccapilog", bytes.len() as u64);
    // Detection reads the first SNIFF_BYTES (64 KiB, less than the page's first 4 MiB slice); then messages
    // arrive with every chunk.
    let first = sipscope::import::SNIFF_BYTES;
    a.push(id, &bytes[..first / 2]);
    assert_eq!(
        a.message_count(),
        0,
        "the format is not decided on half the sniffed bytes"
    );
    a.push(id, &bytes[first / 2..first]);
    let so_far = a.message_count();
    assert!(so_far > 5 && so_far < 34, "{so_far}");
    assert_eq!(a.bytes_pushed(), first as u64);
    let preview = a.preview(5);
    assert_eq!(preview.ladder(None).rows.len(), 5);
    assert_eq!(preview.sip(0).method(), Some("REGISTER"));
    // The preview does not disturb the analysis that goes on.
    a.push(id, &bytes[first..]);
    a.finish_file(id);
    assert_eq!(a.finish().messages.len(), 34);
}
