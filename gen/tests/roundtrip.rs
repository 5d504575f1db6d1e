//! The generator is deterministic and every message it writes is read back by sipscope, without a warning, in
//! every format.

use sipscope::store::Msg;
use sipscope::Analysis;
use sipscope_gen::{generate, Config, Format, Stats};
use std::collections::HashSet;

fn config(format: Format, presence_heavy: bool, size: u64, seed: u64) -> Config {
    Config {
        target_bytes: size,
        seed,
        format,
        presence_heavy,
        ..Default::default()
    }
}

fn make(cfg: &Config) -> (Vec<u8>, Stats) {
    let mut out = Vec::new();
    let stats = generate(cfg, &mut out).unwrap();
    assert_eq!(stats.bytes, out.len() as u64);
    assert!(out.len() as u64 >= cfg.target_bytes);
    (out, stats)
}

/// Analyze a generated trace: every message found, no warning or error (server diagnostics the trace itself
/// holds aside), one conversation per Call-ID generated.
fn analyze(name: &str, cfg: &Config) -> (sipscope::Analysis, Stats) {
    let (log, stats) = make(cfg);
    let a = sipscope::Analysis::of_files([(name, log.as_slice())]);
    assert_eq!(a.messages.len() as u64, stats.messages, "{name}");
    let warnings: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| {
            d.severity == sipscope::Severity::Error
                || (d.severity == sipscope::Severity::Warning
                    && d.code != sipscope::Code::ServerDiagnostic)
        })
        .collect();
    assert!(warnings.is_empty(), "{name}: {warnings:?}");
    assert!(
        a.messages.iter().all(|m| m.problems.is_empty()),
        "{name}: a message has problems"
    );
    assert_eq!(
        a.flow.conversations.len() as u64,
        stats.conversations,
        "{name}"
    );
    (a, stats)
}

// What the tests read of a message, in one place.

fn method(a: &Analysis, m: &Msg) -> Option<String> {
    m.brief.method.map(|s| a.syms().get(s).to_string())
}

fn status(_a: &Analysis, m: &Msg) -> Option<u16> {
    m.brief.status
}

fn body_len(a: &Analysis, m: &Msg) -> usize {
    a.sip_of(m).body().len()
}

fn body_count(a: &Analysis, m: &Msg, needle: &[u8]) -> usize {
    a.sip_of(m)
        .body()
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

fn headers(a: &Analysis, m: &Msg, name: &str) -> usize {
    a.sip_of(m).headers_named(name).count()
}

fn methods(a: &sipscope::Analysis) -> HashSet<String> {
    a.messages.iter().filter_map(|m| method(a, m)).collect()
}

fn statuses(a: &sipscope::Analysis) -> HashSet<u16> {
    a.messages.iter().filter_map(|m| status(a, m)).collect()
}

fn assert_has(a: &sipscope::Analysis, wanted_methods: &[&str], wanted_statuses: &[u16]) {
    let (m, s) = (methods(a), statuses(a));
    for w in wanted_methods {
        assert!(m.contains(*w), "{w} missing");
    }
    for w in wanted_statuses {
        assert!(s.contains(w), "{w} missing");
    }
}

/// Share of the transactions that expect a response and got a final one.
fn answered(a: &sipscope::Analysis) -> f64 {
    let t = &a.flow.transactions;
    let expecting = t
        .iter()
        .filter(|t| t.request.is_some() && (t.unanswered || t.final_status.is_some()));
    let (n, ok) = expecting.fold((0, 0), |(n, ok), t| {
        (n + 1, ok + usize::from(t.final_status.is_some()))
    });
    ok as f64 / n.max(1) as f64
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    for (format, heavy) in [(Format::Client, false), (Format::Client, true)] {
        let (a, sa) = make(&config(format, heavy, 300_000, 42));
        let (b, _) = make(&config(format, heavy, 300_000, 42));
        let (c, _) = make(&config(format, heavy, 300_000, 43));
        assert_eq!(a, b, "{format:?}");
        assert_ne!(a, c, "{format:?}");
        assert_eq!(sa.bytes, a.len() as u64);
        assert!(
            a.len() >= 300_000 && a.len() < 600_000,
            "{format:?}: {}",
            a.len()
        );
    }
}

#[test]
fn sipscope_reads_every_generated_message_cleanly() {
    let (a, _) = analyze(
        "gen.uccapilog",
        &config(Format::Client, false, 1_500_000, 7),
    );
    // The story is there: sign-in challenges, presence storms, IMs, failures.
    assert_has(
        &a,
        &[
            "REGISTER",
            "SUBSCRIBE",
            "BENOTIFY",
            "SERVICE",
            "INVITE",
            "ACK",
            "MESSAGE",
            "BYE",
        ],
        &[100, 200, 401, 480, 503],
    );
    assert!(a.flow.transactions.iter().any(|t| t.unanswered));
}

#[test]
fn presence_heavy_is_dense_in_messages_and_conversations() {
    let (a, stats) = analyze(
        "heavy.uccapilog",
        &config(Format::Client, true, 3_000_000, 7),
    );
    assert_has(
        &a,
        &[
            "REGISTER",
            "SUBSCRIBE",
            "BENOTIFY",
            "NOTIFY",
            "SERVICE",
            "INVITE",
            "MESSAGE",
            "BYE",
        ],
        &[200, 401, 404, 503],
    );
    // The dense case: under 2 KB a message and a conversation per 4–8 messages (a real 210 MB log: 132,874
    // messages, 33,550 conversations), with at least 1,200 contacts.
    assert!(stats.bytes / stats.messages < 2_000, "{stats:?}");
    let per_conversation = stats.messages as f64 / stats.conversations as f64;
    assert!((3.0..8.0).contains(&per_conversation), "{stats:?}");
    let resources: usize = a
        .messages
        .iter()
        .map(|m| body_count(&a, m, b"<resource uri="))
        .sum();
    assert!(resources >= 1_200, "{resources} contacts subscribed");
    assert!(answered(&a) > 0.95);
}

#[test]
fn server_trace_is_read_cleanly_with_its_story() {
    let (a, stats) = analyze(
        "gen-server.log",
        &config(Format::Server, false, 3_000_000, 7),
    );
    assert_eq!(a.files[0].format.name(), "server-trace");
    assert_has(
        &a,
        &[
            "REGISTER",
            "SUBSCRIBE",
            "BENOTIFY",
            "NOTIFY",
            "SERVICE",
            "INVITE",
            "ACK",
            "CANCEL",
            "MESSAGE",
            "BYE",
        ],
        &[100, 180, 183, 200, 401, 480, 486, 487],
    );
    // Remote users come through the Edge; requests are proxied with Via and Record-Route chains.
    let edge = a
        .messages
        .iter()
        .filter(|m| &*m.src == "192.168.1.6:50001")
        .count();
    assert!(edge > 100, "{edge} messages from the Edge");
    assert!(a
        .messages
        .iter()
        .any(|m| headers(&a, m, "ms-edge-proxy-message-trust") > 0));
    assert!(a
        .messages
        .iter()
        .any(|m| headers(&a, m, "Via") >= 3 && headers(&a, m, "Record-Route") >= 2));
    // Diagnostic records the trace holds are read as server diagnostics.
    let server_diags = a
        .diagnostics
        .iter()
        .filter(|d| d.code == sipscope::Code::ServerDiagnostic)
        .count();
    assert!(server_diags > 0);
    assert!(answered(&a) > 0.95);
    assert!(stats.conversations > 100);
}

#[test]
fn capture_is_read_cleanly_with_segmentation_and_udp_calls() {
    let (a, stats) = analyze("gen.pcap", &config(Format::Capture, false, 3_000_000, 7));
    assert_eq!(a.files[0].format.name(), "pcap");
    assert_has(
        &a,
        &[
            "REGISTER",
            "SUBSCRIBE",
            "BENOTIFY",
            "SERVICE",
            "INVITE",
            "ACK",
            "CANCEL",
            "MESSAGE",
            "BYE",
            "OPTIONS",
        ],
        &[100, 180, 183, 200, 401, 404, 486, 487, 501, 603],
    );
    assert!(stats.frames > stats.messages, "{stats:?}");
    // TCP: several messages in one segment (a frame number shared), and messages longer than a segment.
    let mut frames: Vec<u32> = a.messages.iter().map(|m| m.line).collect();
    frames.sort_unstable();
    let shared = frames.windows(2).filter(|w| w[0] == w[1]).count();
    assert!(shared > 50, "{shared} messages share a segment");
    assert!(a.messages.iter().filter(|m| body_len(&a, m) > 1460).count() > 10);
    // UDP calls from the phones and the trunk, and the SERVICE a peer drops: retransmitted, never answered.
    assert!(a.messages.iter().any(|m| m.src.starts_with("10.1.30.")));
    assert!(a.messages.iter().any(|m| &*m.src == "203.0.113.10:5060"));
    assert!(a
        .flow
        .transactions
        .iter()
        .any(|t| t.method == "SERVICE" && t.unanswered && t.retransmissions.len() >= 5));
    assert!(answered(&a) > 0.95);
}
