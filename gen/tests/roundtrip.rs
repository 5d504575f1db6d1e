//! The generator is deterministic and every message it writes is read back by sipscope, without a warning.

use sipscope_gen::{generate, Config};

fn make(size: u64, seed: u64) -> (Vec<u8>, sipscope_gen::Stats) {
    let mut out = Vec::new();
    let stats = generate(
        &Config {
            target_bytes: size,
            seed,
            ..Default::default()
        },
        &mut out,
    )
    .unwrap();
    (out, stats)
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let (a, sa) = make(300_000, 42);
    let (b, _) = make(300_000, 42);
    let (c, _) = make(300_000, 43);
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!(sa.bytes, a.len() as u64);
    assert!(a.len() >= 300_000 && a.len() < 600_000);
}

#[test]
fn sipscope_reads_every_generated_message_cleanly() {
    let (log, stats) = make(1_500_000, 7);
    let a = sipscope::Analysis::of_files([("gen.uccapilog", log.as_slice())]);
    assert_eq!(a.messages.len() as u64, stats.messages);
    let warnings: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.severity != sipscope::Severity::Info)
        .collect();
    assert!(warnings.is_empty(), "{warnings:?}");
    // The story is there: sign-in challenges, presence storms, IMs, failures.
    let methods: std::collections::HashSet<String> = a
        .messages
        .iter()
        .filter_map(|m| a.sip_of(m).method().map(str::to_string))
        .collect();
    for m in [
        "REGISTER",
        "SUBSCRIBE",
        "BENOTIFY",
        "SERVICE",
        "INVITE",
        "ACK",
        "MESSAGE",
        "BYE",
    ] {
        assert!(methods.contains(m), "{m} missing");
    }
    let statuses: std::collections::HashSet<u16> =
        a.messages.iter().filter_map(|m| m.brief.status).collect();
    for s in [100, 200, 401, 480, 503] {
        assert!(statuses.contains(&s), "{s} missing");
    }
    assert!(a.flow.transactions.iter().any(|t| t.unanswered));
}
