//! Merge: a client log and the Edge and Front End traces of the same sign-in become one ladder on one clock.
#![cfg(not(target_arch = "wasm32"))]

use sipscope::flow::merge::ClockSource;
use sipscope::{Analysis, Code};
use std::path::Path;

fn load(files: &[&str]) -> Analysis {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|f| (f.to_string(), std::fs::read(root.join(f)).unwrap()))
        .collect();
    Analysis::of_files(data.iter().map(|(n, b)| (n.as_str(), b.as_slice())))
}

const FILES: [&str; 3] = [
    "www/sample/sample.uccapilog",
    "tests/fixtures/server-edge.log",
    "tests/fixtures/server-frontend.log",
];

#[test]
fn client_and_server_logs_merge_on_one_clock() {
    let a = load(&FILES);
    // The client writes Korean local time (UTC+9), the servers UTC.
    assert_eq!(a.clocks[0].source, ClockSource::Reference);
    for c in &a.clocks[1..] {
        assert_eq!(c.source, ClockSource::Estimated);
        assert!(c.shared >= 4, "{c:?}");
        assert!((c.offset_ms - 9 * 3_600_000).abs() < 50, "{c:?}");
    }
    // Every message the Edge logged towards the client is the client's own message: drawn once.
    let sightings: usize = a.messages.iter().map(|m| m.also.len()).sum();
    assert_eq!(a.messages.len() + sightings, 34 + 8 + 8);
    let client_hop_shared = a
        .messages
        .iter()
        .filter(|m| m.file == 0 && m.also.iter().any(|s| s.file == 1))
        .count();
    assert_eq!(
        client_hop_shared, 4,
        "REGISTER, 401, SUBSCRIBE, 503 between client and Edge"
    );
    // Three lifelines: the client (its private and public NAT address), the Edge (its public address, its name and
    // its internal address), the Front End.
    let ladder = a.ladder(None);
    assert_eq!(ladder.columns.len(), 3, "{:?}", ladder.columns);
    assert_eq!(
        ladder.columns[0].label,
        "on1 client\n192.168.1.51:51882 = 211.208.253.61:51882"
    );
    assert_eq!(
        ladder.columns[1].label,
        "Access Edge acc.limcm.com\n211.208.253.66:5061 = 192.168.1.6:50001"
    );
    assert_eq!(
        ladder.columns[2].label,
        "Front End FE01.limcm.com\n192.168.1.7:5061"
    );
    // Time order holds across files, and the server's 503 comes after the client's SUBSCRIBE that caused it.
    let times: Vec<_> = a.messages.iter().map(|m| m.time.unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    // The server diagnostics about the 503 are attached to a message of the Front End trace.
    let server_diags: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::ServerDiagnostic)
        .collect();
    assert_eq!(server_diags.len(), 2);
    for d in server_diags {
        let m = &a.messages[d.msg.expect("linked to its message") as usize];
        assert_eq!(
            a.sip_of(m).call_id().as_deref(),
            Some("f3b5d7f9a1c34e5a7c9e1a3c5e7a9c24")
        );
    }
}

#[test]
fn a_clock_set_by_hand_is_kept_and_the_rest_follows() {
    let a = load(&FILES);
    let estimated = a.clocks[1].offset_ms;
    // Two hours off by hand: the Edge's messages no longer meet the client's.
    let b = a.with_clock_offsets(&[None, Some(estimated - 2 * 3_600_000), None]);
    assert_eq!(b.clocks[1].source, ClockSource::Manual);
    assert_eq!(b.clocks[0].source, ClockSource::Reference);
    let shared_with_edge = b
        .messages
        .iter()
        .filter(|m| m.file == 0 && m.also.iter().any(|s| s.file == 1))
        .count();
    assert_eq!(shared_with_edge, 0);
    // Back to the estimate: the same analysis as before.
    let c = b.with_clock_offsets(&[None, None, None]);
    assert_eq!(c.clocks[1].offset_ms, estimated);
    assert_eq!(c.to_text(), load(&FILES).to_text());
}

#[test]
fn one_file_is_its_own_reference() {
    let a = load(&["www/sample/sample.uccapilog"]);
    assert_eq!(a.clocks.len(), 1);
    assert_eq!(
        (a.clocks[0].offset_ms, a.clocks[0].source),
        (0, ClockSource::Reference)
    );
    assert!(a
        .messages
        .iter()
        .all(|m| m.also.is_empty() && m.time == m.file_time));
}
